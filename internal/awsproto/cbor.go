package awsproto

import (
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/devopsim/devopsim/apierr"
)

// cborCodec is Smithy RPC v2 CBOR: POST /service/{Service}/operation/{Op} with
// smithy-protocol: rpc-v2-cbor; bodies are CBOR maps keyed by member name (the json tag),
// timestamps are tag 1 epoch seconds, blobs are byte strings.
type cborCodec struct{}

var (
	cborEnc = mustEncMode(cbor.EncOptions{
		Time:    cbor.TimeUnixDynamic, // integer seconds, or float64 with the fraction
		TimeTag: cbor.EncTagRequired,  // tag 1
	})
	cborDec = mustDecMode(cbor.DecOptions{
		DefaultMapType:    reflect.TypeFor[map[string]any](),
		TimeTag:           cbor.DecTagOptional, // tag 0 or 1 when present
		FieldNameMatching: cbor.FieldNameMatchingCaseSensitive,
		MaxNestedLevels:   64,
		MaxArrayElements:  1 << 20,
		MaxMapPairs:       1 << 20,
	})
)

func mustEncMode(o cbor.EncOptions) cbor.EncMode {
	m, err := o.EncMode()
	if err != nil {
		panic(err)
	}
	return m
}

func mustDecMode(o cbor.DecOptions) cbor.DecMode {
	m, err := o.DecMode()
	if err != nil {
		panic(err)
	}
	return m
}

// MarshalCBOR encodes v as rpcv2Cbor does (json tag names as keys, timestamps as tag 1).
func MarshalCBOR(v any) ([]byte, error) { return cborEnc.Marshal(v) }

// UnmarshalCBOR decodes rpcv2Cbor data into v; timestamps come out in UTC.
func UnmarshalCBOR(b []byte, v any) error {
	if err := cborDec.Unmarshal(b, v); err != nil {
		return err
	}
	utcTimes(reflect.ValueOf(v), 0)
	return nil
}

func (cborCodec) protocol() Protocol   { return RPCv2CBOR }
func (cborCodec) isQuery() bool        { return false }
func (cborCodec) badInputCode() string { return "SerializationException" }

func (cborCodec) unknownOp(svc *entry, op string) *apierr.Error {
	return apierr.New(apierr.Invalid, "UnknownOperationException", "operation %s is not supported by devopsim's %s", op, svc.svc.Name)
}

func (cborCodec) decode(body []byte, op *opEntry) (any, error) {
	in := op.NewInput()
	if len(body) == 0 {
		return in, nil
	}
	if err := cborDec.Unmarshal(body, in); err != nil {
		return nil, apierr.New(apierr.Invalid, "SerializationException", "could not parse the request body as CBOR: %s", cborErrorText(err))
	}
	if op.inHasTime() {
		utcTimes(reflect.ValueOf(in), 0)
	}
	return in, nil
}

func cborErrorText(err error) string {
	var (
		te  *cbor.UnmarshalTypeError
		ext *cbor.ExtraneousDataError
		se  *cbor.SyntaxError
		sem *cbor.SemanticError
		mx  *cbor.MaxNestedLevelError
		ma  *cbor.MaxArrayElementsError
		mm  *cbor.MaxMapPairsError
	)
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "the body is truncated (unexpected end of CBOR data)"
	case errors.As(err, &te):
		s := "a CBOR " + te.CBORType
		if te.StructFieldName != "" {
			s += " for member " + te.StructFieldName
		}
		return s + " where a " + kindName(te.GoType) + " was expected"
	case errors.As(err, &ext):
		return "extra data after the top-level CBOR value"
	case errors.As(err, &se), errors.As(err, &sem), errors.As(err, &mx), errors.As(err, &ma), errors.As(err, &mm):
		return err.Error()
	}
	return err.Error()
}

// kindName names a Go type the way a Smithy model would ("string", "list", ...); fxamacker's
// UnmarshalTypeError gives the type's String().
func kindName(goType string) string {
	switch {
	case goType == "string":
		return "string"
	case goType == "time.Time":
		return "timestamp"
	case goType == "[]uint8":
		return "blob"
	case goType == "bool":
		return "boolean"
	case strings.HasPrefix(goType, "[]"):
		return "list"
	case strings.HasPrefix(goType, "map["):
		return "map"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"), strings.HasPrefix(goType, "float"):
		return "number"
	}
	return "structure"
}

func (c cborCodec) encode(w http.ResponseWriter, svc *entry, op string, out any, requestID string) {
	b, err := cborEnc.Marshal(out)
	if err != nil {
		c.encodeError(w, svc, op, apierr.Wrap(err, "could not encode the response"), requestID)
		return
	}
	h := w.Header()
	h["Smithy-Protocol"] = []string{"rpc-v2-cbor"}
	h["Content-Type"] = []string{"application/cbor"}
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func (cborCodec) encodeError(w http.ResponseWriter, svc *entry, op string, e *apierr.Error, requestID string) {
	b, _ := cborEnc.Marshal(errorBody{svc.shapeCode(e.Code), e.Message})
	h := w.Header()
	h["Smithy-Protocol"] = []string{"rpc-v2-cbor"}
	h["Content-Type"] = []string{"application/cbor"}
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	setQueryError(h, svc, e)
	w.WriteHeader(e.HTTPStatus())
	_, _ = w.Write(b)
}

// hasTime reports whether values of t can hold a time.Time. seen guards recursive types.
func hasTime(t reflect.Type, seen map[reflect.Type]bool) bool {
	if t == timeType {
		return true
	}
	if seen[t] {
		return false
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		if seen == nil {
			seen = map[reflect.Type]bool{}
		}
		seen[t] = true
		return hasTime(t.Elem(), seen)
	case reflect.Map:
		if seen == nil {
			seen = map[reflect.Type]bool{}
		}
		seen[t] = true
		return hasTime(t.Key(), seen) || hasTime(t.Elem(), seen)
	case reflect.Struct:
		if seen == nil {
			seen = map[reflect.Type]bool{}
		}
		seen[t] = true
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && hasTime(f.Type, seen) {
				return true
			}
		}
	case reflect.Interface:
		return true
	}
	return false
}

// utcTimes moves every time.Time reachable from v to UTC (CBOR decoding gives local times).
func utcTimes(v reflect.Value, depth int) {
	if depth > 100 || !v.IsValid() {
		return
	}
	depth++
	if v.Type() == timeType {
		if v.CanSet() {
			v.Set(reflect.ValueOf(v.Interface().(time.Time).UTC()))
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			if v.Kind() == reflect.Interface {
				if t, ok := v.Interface().(time.Time); ok && v.CanSet() {
					v.Set(reflect.ValueOf(t.UTC()))
				}
				return
			}
			utcTimes(v.Elem(), depth)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				utcTimes(v.Field(i), depth)
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		for i := range v.Len() {
			utcTimes(v.Index(i), depth)
		}
	case reflect.Map:
		if !hasTime(v.Type().Elem(), nil) {
			return
		}
		it := v.MapRange()
		for it.Next() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(it.Value())
			utcTimes(e, depth)
			v.SetMapIndex(it.Key(), e)
		}
	}
}
