package awsproto

import (
	"encoding/base64"
	"encoding/xml"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/devopsim/devopsim/apierr"
)

// queryCodec is awsQuery; ec2Codec is ec2Query. Both decode form parameters into the input by
// walking its struct tags and encode the output as XML.
type queryCodec struct{}
type ec2Codec struct{}

func (queryCodec) isQuery() bool        { return true }
func (ec2Codec) isQuery() bool          { return true }
func (queryCodec) protocol() Protocol   { return Query }
func (ec2Codec) protocol() Protocol     { return EC2Query }
func (queryCodec) badInputCode() string { return "MalformedQueryString" }
func (ec2Codec) badInputCode() string   { return "MalformedQueryString" }

func (queryCodec) unknownOp(svc *entry, op string) *apierr.Error { return unknownQueryOp(svc, op) }
func (ec2Codec) unknownOp(svc *entry, op string) *apierr.Error   { return unknownQueryOp(svc, op) }

func unknownQueryOp(svc *entry, op string) *apierr.Error {
	return apierr.New(apierr.Invalid, "InvalidAction", "Could not find operation %s for version %s (devopsim's %s does not support it)", op, svc.svc.Version, svc.svc.Name)
}

func (queryCodec) decode(body []byte, op *opEntry) (any, error) {
	return nil, apierr.New(apierr.Invalid, "MalformedQueryString", "query requests must be form encoded")
}
func (ec2Codec) decode(body []byte, op *opEntry) (any, error) {
	return nil, apierr.New(apierr.Invalid, "MalformedQueryString", "query requests must be form encoded")
}

func (queryCodec) decodeForm(form url.Values, op *opEntry) (any, error) {
	return decodeForm(form, op.NewInput(), false)
}
func (ec2Codec) decodeForm(form url.Values, op *opEntry) (any, error) {
	return decodeForm(form, op.NewInput(), true)
}

// maxFormDepth bounds how deep a query key may nest (A.B.C...), for recursive input types.
const maxFormDepth = 64

func decodeForm(form url.Values, in any, ec2 bool) (any, error) {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	d := &formDec{form: form, keys: keys, ec2: ec2}
	if err := d.value(reflect.ValueOf(in).Elem(), "", 0); err != nil {
		return nil, err
	}
	return in, nil
}

type formDec struct {
	form url.Values
	keys []string
	ec2  bool
}

// has reports whether any parameter is prefix or starts with prefix+".".
func (d *formDec) has(prefix string) bool {
	i := sort.SearchStrings(d.keys, prefix)
	for ; i < len(d.keys); i++ {
		k := d.keys[i]
		if !strings.HasPrefix(k, prefix) {
			return false
		}
		if len(k) == len(prefix) || k[len(prefix)] == '.' {
			return true
		}
	}
	return false
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

var (
	timeType  = reflect.TypeFor[time.Time]()
	bytesType = reflect.TypeFor[[]byte]()
)

func (d *formDec) value(v reflect.Value, key string, depth int) error {
	if depth > maxFormDepth {
		return apierr.New(apierr.Invalid, "InvalidParameterValue", "parameter %.64s... nests deeper than %d levels", key, maxFormDepth)
	}
	depth++
	switch {
	case v.Type() == timeType:
		s, ok := d.scalar(key)
		if !ok {
			return nil
		}
		t, err := parseTime(s)
		if err != nil {
			return invalidParam(key, s, "timestamp")
		}
		v.Set(reflect.ValueOf(t))
		return nil
	case v.Type() == bytesType:
		s, ok := d.scalar(key)
		if !ok {
			return nil
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return invalidParam(key, s, "base64 blob")
		}
		v.SetBytes(b)
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !d.has(key) {
			return nil
		}
		p := reflect.New(v.Type().Elem())
		if err := d.value(p.Elem(), key, depth); err != nil {
			return err
		}
		v.Set(p)
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := d.fieldName(f)
			if name == "-" {
				continue
			}
			if err := d.value(v.Field(i), join(key, name), depth); err != nil {
				return err
			}
		}
	case reflect.Slice:
		base := d.listBase(key)
		n := 0
		for i := 1; d.has(base + "." + strconv.Itoa(i)); i++ {
			n = i
		}
		if n == 0 {
			if _, ok := d.form[key]; ok && key != "" {
				v.Set(reflect.MakeSlice(v.Type(), 0, 0)) // "Name=" is an empty list
			}
			return nil
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := 0; i < n; i++ {
			if err := d.value(s.Index(i), base+"."+strconv.Itoa(i+1), depth); err != nil {
				return err
			}
		}
		v.Set(s)
	case reflect.Map:
		base := key + ".entry"
		if !d.has(base) {
			base = key // flattened map
		}
		m := reflect.MakeMap(v.Type())
		for i := 1; d.has(base + "." + strconv.Itoa(i)); i++ {
			k := reflect.New(v.Type().Key()).Elem()
			e := reflect.New(v.Type().Elem()).Elem()
			p := base + "." + strconv.Itoa(i)
			if err := d.value(k, p+"."+d.pick(p, "key", "Key", "Name"), depth); err != nil {
				return err
			}
			if err := d.value(e, p+"."+d.pick(p, "value", "Value"), depth); err != nil {
				return err
			}
			m.SetMapIndex(k, e)
		}
		if m.Len() > 0 {
			v.Set(m)
		}
	default:
		s, ok := d.scalar(key)
		if !ok {
			return nil
		}
		return setScalar(v, key, s)
	}
	return nil
}

// listBase is the prefix of a list's numbered items: Name.member (awsQuery), Name (ec2Query and
// flattened awsQuery lists), or Name.Custom for lists whose members have their own xmlName.
func (d *formDec) listBase(key string) string {
	if d.ec2 {
		return key
	}
	if d.has(key + ".member") {
		return key + ".member"
	}
	if d.has(key + ".1") {
		return key
	}
	prefix := key + "."
	for i := sort.SearchStrings(d.keys, prefix); i < len(d.keys) && strings.HasPrefix(d.keys[i], prefix); i++ {
		seg, _, _ := strings.Cut(d.keys[i][len(prefix):], ".")
		if seg != "" && (seg[0] < '0' || seg[0] > '9') && d.has(prefix+seg+".1") {
			return prefix + seg
		}
	}
	return key + ".member"
}

// pick returns the first of names that p.name has parameters for, else names[0].
func (d *formDec) pick(p string, names ...string) string {
	for _, n := range names {
		if d.has(p + "." + n) {
			return n
		}
	}
	return names[0]
}

func (d *formDec) scalar(key string) (string, bool) {
	vals, ok := d.form[key]
	if !ok || len(vals) == 0 {
		return "", false
	}
	return vals[0], true
}

func setScalar(v reflect.Value, key, s string) error {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return invalidParam(key, s, "boolean")
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, v.Type().Bits())
		if err != nil {
			return invalidParam(key, s, "integer")
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, v.Type().Bits())
		if err != nil {
			return invalidParam(key, s, "integer")
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, v.Type().Bits())
		if err != nil {
			return invalidParam(key, s, "number")
		}
		v.SetFloat(f)
	case reflect.Interface:
		if v.NumMethod() != 0 {
			return apierr.New(apierr.Invalid, "InvalidParameterValue", "parameter %s cannot be given as a query value", key)
		}
		v.Set(reflect.ValueOf(s))
	default:
		return apierr.New(apierr.Invalid, "InvalidParameterValue", "parameter %s cannot be given as a query value", key)
	}
	return nil
}

func invalidParam(key, val, want string) error {
	if len(val) > 64 {
		val = val[:64] + "..."
	}
	return apierr.New(apierr.Invalid, "InvalidParameterValue", "value %q for parameter %s is not a valid %s", val, key, want)
}

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return time.Time{}, strconv.ErrSyntax
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}

// fieldName is the member name of f: its json tag name, or for ec2Query requests its ec2 tag,
// else the json name with the first letter upper-cased.
func (d *formDec) fieldName(f reflect.StructField) string {
	if d.ec2 {
		if n := f.Tag.Get("ec2"); n != "" {
			return n
		}
		return upperFirst(memberName(f))
	}
	return memberName(f)
}

func memberName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		return f.Name
	}
	return name
}

func tagOmits(f reflect.StructField) bool {
	tag := f.Tag.Get("json")
	return strings.Contains(tag, ",omitempty") || strings.Contains(tag, ",omitzero")
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// ---- XML responses ----

type xmlEnc struct {
	b   strings.Builder
	ec2 bool
}

func (e *xmlEnc) open(name string)  { e.b.WriteString("<" + name + ">") }
func (e *xmlEnc) close(name string) { e.b.WriteString("</" + name + ">") }
func (e *xmlEnc) text(s string)     { _ = xml.EscapeText(&e.b, []byte(s)) }

func (e *xmlEnc) elem(name string, v reflect.Value) {
	switch {
	case v.Type() == timeType:
		e.open(name)
		e.text(v.Interface().(time.Time).UTC().Format("2006-01-02T15:04:05.000Z"))
		e.close(name)
		return
	case v.Type() == bytesType:
		e.open(name)
		e.text(base64.StdEncoding.EncodeToString(v.Bytes()))
		e.close(name)
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		e.elem(name, v.Elem())
	case reflect.Struct:
		e.open(name)
		e.fields(v)
		e.close(name)
	case reflect.Slice, reflect.Array:
		item := "member"
		if e.ec2 {
			item = "item"
		}
		e.open(name)
		for i := 0; i < v.Len(); i++ {
			e.elem(item, v.Index(i))
		}
		e.close(name)
	case reflect.Map:
		e.open(name)
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			e.open("entry")
			e.elem("key", k)
			e.elem("value", v.MapIndex(k))
			e.close("entry")
		}
		e.close(name)
	case reflect.String:
		e.open(name)
		e.text(v.String())
		e.close(name)
	case reflect.Bool:
		e.open(name)
		e.b.WriteString(strconv.FormatBool(v.Bool()))
		e.close(name)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.open(name)
		e.b.WriteString(strconv.FormatInt(v.Int(), 10))
		e.close(name)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		e.open(name)
		e.b.WriteString(strconv.FormatUint(v.Uint(), 10))
		e.close(name)
	case reflect.Float32, reflect.Float64:
		e.open(name)
		e.b.WriteString(strconv.FormatFloat(v.Float(), 'g', -1, 64))
		e.close(name)
	}
}

func (e *xmlEnc) fields(v reflect.Value) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		fv := v.Field(i)
		if tagOmits(f) && fv.IsZero() {
			continue
		}
		if (fv.Kind() == reflect.Slice || fv.Kind() == reflect.Map) && fv.IsNil() {
			continue
		}
		name := memberName(f)
		if name == "-" {
			continue
		}
		if e.ec2 {
			if n := f.Tag.Get("xml"); n != "" {
				name = n
			} else {
				name = lowerFirst(name)
			}
		}
		e.elem(name, fv)
	}
}

func (queryCodec) encode(w http.ResponseWriter, svc *entry, op string, out any, requestID string) {
	e := &xmlEnc{}
	e.b.WriteString(`<` + op + `Response xmlns="` + svc.svc.XMLNamespace + `">`)
	e.open(op + "Result")
	if v := reflect.ValueOf(out); v.IsValid() {
		for v.Kind() == reflect.Pointer && !v.IsNil() {
			v = v.Elem()
		}
		if v.Kind() == reflect.Struct {
			e.fields(v)
		}
	}
	e.close(op + "Result")
	e.b.WriteString("<ResponseMetadata><RequestId>" + requestID + "</RequestId></ResponseMetadata>")
	e.close(op + "Response")
	writeXML(w, http.StatusOK, e.b.String())
}

func (ec2Codec) encode(w http.ResponseWriter, svc *entry, op string, out any, requestID string) {
	e := &xmlEnc{ec2: true}
	e.b.WriteString(`<` + op + `Response xmlns="` + svc.svc.XMLNamespace + `">`)
	e.b.WriteString("<requestId>" + requestID + "</requestId>")
	if v := reflect.ValueOf(out); v.IsValid() {
		for v.Kind() == reflect.Pointer && !v.IsNil() {
			v = v.Elem()
		}
		if v.Kind() == reflect.Struct {
			e.fields(v)
		}
	}
	e.close(op + "Response")
	writeXML(w, http.StatusOK, e.b.String())
}

func (queryCodec) encodeError(w http.ResponseWriter, svc *entry, op string, ae *apierr.Error, requestID string) {
	e := &xmlEnc{}
	ns := ""
	if svc != nil {
		ns = svc.svc.XMLNamespace
	}
	e.b.WriteString(`<ErrorResponse xmlns="` + ns + `"><Error><Type>` + queryFault(ae) + `</Type><Code>`)
	e.text(svc.queryCode(ae.Code))
	e.b.WriteString("</Code><Message>")
	e.text(ae.Message)
	e.b.WriteString("</Message></Error><RequestId>" + requestID + "</RequestId></ErrorResponse>")
	writeXML(w, ae.HTTPStatus(), e.b.String())
}

func (ec2Codec) encodeError(w http.ResponseWriter, svc *entry, op string, ae *apierr.Error, requestID string) {
	e := &xmlEnc{}
	e.b.WriteString(`<Response><Errors><Error><Code>`)
	e.text(svc.queryCode(ae.Code))
	e.b.WriteString("</Code><Message>")
	e.text(ae.Message)
	e.b.WriteString("</Message></Error></Errors><RequestID>" + requestID + "</RequestID></Response>")
	writeXML(w, ae.HTTPStatus(), e.b.String())
}

func writeXML(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	h["Content-Type"] = []string{"text/xml"}
	h["Content-Length"] = []string{strconv.Itoa(len(xml.Header) + len(body))}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write([]byte(body))
}
