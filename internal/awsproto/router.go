package awsproto

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"runtime/debug"
	"strings"
	"sync/atomic"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/identity"
)

// DefaultMaxBody is the largest request body accepted (after decompression).
const DefaultMaxBody = 64 << 20

// Authenticator turns a request's credential into a caller, or refuses it. body is the request
// body as it came over the wire (still compressed if it was), for signature verification.
type Authenticator func(r *http.Request, cred Credential, body []byte) (identity.Caller, error)

// RouterOptions configure a Router.
type RouterOptions struct {
	Account string // default account
	Region  string // default region
	MaxBody int64  // 0 means DefaultMaxBody
	Log     *slog.Logger
	// Authenticate maps credentials to callers; nil means AccessKeyAuth(Account). Use
	// StrictSigV4 to verify signatures.
	Authenticate Authenticator
}

// Router is the http.Handler for every registered service. Register and Mount before serving;
// serving is safe for concurrent use.
type Router struct {
	opts      RouterOptions
	services  map[string]*entry // by signing name
	byTarget  map[string]*entry
	byCBOR    map[string]*entry
	byVersion map[string]*entry
	mounts    []Mount
	fallback  http.Handler
}

type entry struct {
	svc     Service
	ops     map[string]*opEntry
	toQuery map[string]string // error shape name -> awsQuery code (Service.QueryErrors)
	toShape map[string]string // awsQuery code -> error shape name
	json    codec             // the JSON codec for requests without a versioned Content-Type
}

type opEntry struct {
	Op
	// hasTime caches whether the input type holds a time.Time somewhere (CBOR decoding fixes
	// zones): 0 not known yet, 1 no, 2 yes. It is worked out on first use, as most ops are
	// never called over CBOR and walking every input type made up a third of New.
	hasTime atomic.Int32
}

// inHasTime reports whether the op's input type holds a time.Time somewhere.
func (oe *opEntry) inHasTime() bool {
	switch oe.hasTime.Load() {
	case 1:
		return false
	case 2:
		return true
	}
	has := false
	if oe.NewInput != nil {
		if in := oe.NewInput(); in != nil {
			has = hasTime(reflect.TypeOf(in), nil)
		}
	}
	if has {
		oe.hasTime.Store(2)
	} else {
		oe.hasTime.Store(1)
	}
	return has
}

// NewRouter returns an empty router.
func NewRouter(opts RouterOptions) *Router {
	if opts.MaxBody == 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Authenticate == nil {
		opts.Authenticate = AccessKeyAuth(opts.Account)
	}
	return &Router{opts: opts, services: map[string]*entry{}, byTarget: map[string]*entry{}, byCBOR: map[string]*entry{}, byVersion: map[string]*entry{}}
}

// Register adds a service. A later registration with the same name or selector replaces the
// earlier one.
func (rt *Router) Register(svc Service) {
	e := &entry{svc: svc, ops: make(map[string]*opEntry, len(svc.Ops)), json: json11}
	for _, op := range svc.Ops {
		e.ops[op.Name] = &opEntry{Op: op}
	}
	if len(svc.QueryErrors) > 0 {
		e.toQuery = make(map[string]string, len(svc.QueryErrors))
		e.toShape = make(map[string]string, len(svc.QueryErrors))
		for shape, q := range svc.QueryErrors {
			e.toQuery[shape] = q
			e.toShape[q] = shape
		}
	}
	for _, p := range svc.Protocols {
		if p == JSON10 || p == JSON11 {
			if p == JSON10 {
				e.json = json10
			}
			break
		}
	}
	rt.services[svc.Name] = e
	if svc.TargetPrefix != "" {
		rt.byTarget[svc.TargetPrefix] = e
	}
	for _, p := range svc.AltTargetPrefixes {
		rt.byTarget[p] = e
	}
	if svc.CBORName != "" {
		rt.byCBOR[svc.CBORName] = e
	}
	if svc.Version != "" {
		rt.byVersion[svc.Version] = e
	}
}

// Services lists the registered services' signing names.
func (rt *Router) Services() []string {
	out := make([]string, 0, len(rt.services))
	for n := range rt.services {
		out = append(out, n)
	}
	return out
}

// Mount serves h for every path under prefix (longest prefix wins).
func (rt *Router) Mount(prefix string, h http.Handler) {
	rt.mounts = append(rt.mounts, Mount{Prefix: prefix, Handler: h})
}

// Fallback serves requests no service claims (the S3 endpoint), and every request signed for
// the "s3" service.
func (rt *Router) Fallback(h http.Handler) { rt.fallback = h }

// exchange is one request being served.
type exchange struct {
	rt        *Router
	w         http.ResponseWriter
	r         *http.Request
	requestID string
	svc       *entry
	codec     codec
	op        string
}

func (x *exchange) fail(e *apierr.Error) { x.codec.encodeError(x.w, x.svc, x.op, e, x.requestID) }

func (x *exchange) failf(kind apierr.Kind, code, format string, args ...any) {
	x.fail(apierr.New(kind, code, format, args...))
}

// badInput answers a request the codec cannot read with the protocol's client error.
func (x *exchange) badInput(format string, args ...any) {
	x.fail(apierr.New(apierr.Invalid, x.codec.badInputCode(), format, args...))
}

func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := rt.mountFor(r.URL.Path); h != nil {
		h.ServeHTTP(w, r)
		return
	}
	cred := ParseCredential(r)
	if cred.Service == "s3" && rt.fallback != nil {
		rt.fallback.ServeHTTP(w, r)
		return
	}
	x := &exchange{rt: rt, w: w, r: r, requestID: uuid.NewString(), codec: json11}
	w.Header()["X-Amzn-Requestid"] = []string{x.requestID}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			rt.opts.Log.Error("panic serving request", "path", r.URL.Path, "op", x.op, "panic", v, "stack", string(debug.Stack()))
			x.fail(apierr.New(apierr.Internal, "InternalFailure", "An internal error occurred."))
		}
	}()
	rt.serve(x, cred)
}

func (rt *Router) serve(x *exchange, cred Credential) {
	r := x.r
	if r.ContentLength > rt.opts.MaxBody {
		x.codec = rt.guessCodec(r, cred)
		x.fail(tooLarge(rt.opts.MaxBody))
		return
	}
	ctype := mediaType(hget(r.Header, "Content-Type"))
	var (
		form url.Values
		body []byte // decoded (decompressed) body
		raw  []byte // body as sent, for signatures
	)
	if svcName, opName, ok := parseRPCv2Path(r.URL.Path); ok && (hget(r.Header, "Smithy-Protocol") != "" || rt.byCBOR[svcName] != nil) {
		x.codec, x.op = cborRPC, opName
		x.svc = rt.byCBOR[svcName]
		if x.svc == nil {
			x.failf(apierr.Invalid, "UnknownOperationException", "service %q is not supported by devopsim (no rpcv2Cbor service of that name)", svcName)
			return
		}
		if p := hget(r.Header, "Smithy-Protocol"); p != "rpc-v2-cbor" {
			if p == "" {
				x.badInput("rpcv2 request without the header smithy-protocol: rpc-v2-cbor")
			} else {
				x.badInput("unsupported smithy-protocol %q; devopsim speaks rpc-v2-cbor", p)
			}
			return
		}
		if ctype != "" && ctype != "application/cbor" {
			x.badInput("Content-Type %q is not application/cbor", ctype)
			return
		}
	} else if target := hget(r.Header, "X-Amz-Target"); target != "" {
		i := strings.LastIndexByte(target, '.')
		if i < 0 {
			x.failf(apierr.Invalid, "UnknownOperationException", "X-Amz-Target %q is not of the form Service.Operation", target)
			return
		}
		x.op = target[i+1:]
		x.svc = rt.byTarget[target[:i]]
		switch ctype {
		case "application/x-amz-json-1.0":
			x.codec = json10
		case "application/x-amz-json-1.1":
			x.codec = json11
		case "", "application/json":
			if x.svc != nil {
				x.codec = x.svc.json
			}
		default:
			x.svc = nil
			x.badInput("Content-Type %q is not application/x-amz-json-1.0 or application/x-amz-json-1.1", ctype)
			return
		}
		if x.svc == nil {
			x.failf(apierr.Invalid, "UnknownOperationException", "service %q (X-Amz-Target %s) is not supported by devopsim", target[:i], target)
			return
		}
	} else if ctype == "application/x-www-form-urlencoded" || (ctype == "" && hasAction(r.URL.RawQuery)) {
		x.codec = awsQuery
		var err *apierr.Error
		if body, raw, err = rt.readBody(r); err != nil {
			x.fail(err)
			return
		}
		var perr error
		if form, perr = url.ParseQuery(string(body)); perr != nil {
			x.badInput("the request body is not a valid query string: %v", perr)
			return
		}
		if r.URL.RawQuery != "" {
			q, perr := url.ParseQuery(r.URL.RawQuery)
			if perr != nil {
				x.badInput("the URL query string is not valid: %v", perr)
				return
			}
			for k, v := range q {
				if _, ok := form[k]; !ok && !strings.HasPrefix(k, "X-Amz-") {
					form[k] = v
				}
			}
		}
		if !rt.routeQuery(x, cred, form) {
			return
		}
	} else {
		if rt.fallback != nil {
			rt.fallback.ServeHTTP(x.w, r)
			return
		}
		x.codec = rt.guessCodec(r, cred)
		x.svc = rt.services[cred.Service]
		switch {
		case strings.HasPrefix(ctype, "application/x-amz-json-"):
			x.badInput("the request has Content-Type %s but no X-Amz-Target header naming the operation", ctype)
		case x.svc != nil && ctype != "":
			x.badInput("Content-Type %q is not understood by %s (%s)", ctype, x.svc.svc.Name, x.codec.protocol())
		case x.svc != nil:
			x.badInput("the request does not name an operation: no X-Amz-Target header, no Action parameter and no /service/{service}/operation/{operation} path")
		default:
			x.failf(apierr.Invalid, "UnknownOperationException", "request matches no service: no X-Amz-Target, query Action or rpcv2 path (%s %s)", r.Method, r.URL.Path)
		}
		return
	}

	op, ok := x.svc.ops[x.op]
	if !ok {
		x.fail(x.codec.unknownOp(x.svc, x.op))
		return
	}

	if form == nil {
		var err *apierr.Error
		if body, raw, err = rt.readBody(r); err != nil {
			x.fail(err)
			return
		}
	}
	caller, err := rt.opts.Authenticate(r, cred, raw)
	if err != nil {
		x.fail(authError(x, err))
		return
	}
	if caller.Region == "" {
		caller.Region = rt.opts.Region
	}
	caller.RequestID = x.requestID
	caller.SourceIP = clientIP(r)
	caller.UserAgent = hget(r.Header, "User-Agent")
	ctx := identity.With(r.Context(), caller)

	var in any
	if form != nil {
		in, err = x.codec.(formDecoder).decodeForm(form, op)
	} else {
		in, err = x.codec.decode(body, op)
	}
	if err != nil {
		x.fail(apierr.As(err))
		return
	}
	out, err := op.Call(ctx, in)
	if err != nil {
		e := apierr.As(err)
		if e.Kind == apierr.Internal {
			x.rt.opts.Log.Error("operation failed", "service", x.svc.svc.Name, "op", x.op, "err", err)
		}
		x.fail(e)
		return
	}
	x.codec.encode(x.w, x.svc, x.op, out, x.requestID)
}

// routeQuery finds the service and operation of an awsQuery or ec2Query request; false means
// an error was sent.
func (rt *Router) routeQuery(x *exchange, cred Credential, form url.Values) bool {
	version := form.Get("Version")
	x.op = form.Get("Action")
	if s := rt.services[cred.Service]; s != nil && (hasProtocol(&s.svc, Query) || hasProtocol(&s.svc, EC2Query)) {
		x.svc = s
	} else if version != "" {
		x.svc = rt.byVersion[version]
	}
	if x.svc != nil && hasProtocol(&x.svc.svc, EC2Query) {
		x.codec = ec2Query
	}
	switch {
	case x.svc == nil && version == "":
		x.failf(apierr.Invalid, "MissingParameter", "The request must contain the parameter Version (no service is selected by the signing name %q)", cred.Service)
	case x.svc == nil:
		x.failf(apierr.Invalid, "InvalidAction", "no service answers Version %q (signing name %q)", version, cred.Service)
	case x.op == "":
		x.failf(apierr.Invalid, "MissingAction", "The request must contain the parameter Action")
	case version == "":
		x.failf(apierr.Invalid, "MissingParameter", "The request must contain the parameter Version")
	case version != x.svc.svc.Version:
		x.failf(apierr.Invalid, "InvalidAction", "Could not find operation %s for version %s (%s speaks version %s)", x.op, version, x.svc.svc.Name, x.svc.svc.Version)
	default:
		return true
	}
	return false
}

// guessCodec picks the codec to answer an unroutable request in: the primary protocol of the
// service the request is signed for, else awsJson 1.1. It sets nothing on x.
func (rt *Router) guessCodec(r *http.Request, cred Credential) codec {
	if s := rt.services[cred.Service]; s != nil && len(s.svc.Protocols) > 0 {
		return codecFor(s, s.svc.Protocols[0])
	}
	if hget(r.Header, "X-Amz-Target") == "" && mediaType(hget(r.Header, "Content-Type")) == "application/x-www-form-urlencoded" {
		return awsQuery
	}
	return json11
}

func codecFor(s *entry, p Protocol) codec {
	switch p {
	case JSON10:
		return json10
	case Query:
		return awsQuery
	case EC2Query:
		return ec2Query
	case RPCv2CBOR:
		return cborRPC
	}
	return json11
}

// authError maps an authentication failure to the protocol's code: awsJson and rpcv2Cbor
// services (that are not query compatible) call an unknown key UnrecognizedClientException and a
// bad signature InvalidSignatureException, as AWS does.
func authError(x *exchange, err error) *apierr.Error {
	e := apierr.As(err)
	if x.codec.isQuery() || (x.svc != nil && x.svc.svc.QueryCompatible) {
		return e
	}
	switch e.Code {
	case "InvalidClientTokenId":
		c := *e
		c.Code = "UnrecognizedClientException"
		return &c
	case "SignatureDoesNotMatch":
		c := *e
		c.Code = "InvalidSignatureException"
		return &c
	}
	return e
}

// parseRPCv2Path splits /service/{svc}/operation/{op}.
func parseRPCv2Path(p string) (svc, op string, ok bool) {
	rest, ok := strings.CutPrefix(p, "/service/")
	if !ok {
		return "", "", false
	}
	svc, op, ok = strings.Cut(rest, "/operation/")
	if !ok || svc == "" || op == "" || strings.IndexByte(svc, '/') >= 0 || strings.IndexByte(op, '/') >= 0 {
		return "", "", false
	}
	return svc, op, true
}

// mediaType is the lower-cased media type of a Content-Type header, without parameters.
func mediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(ct)
	for i := 0; i < len(ct); i++ {
		if c := ct[i]; 'A' <= c && c <= 'Z' {
			return strings.ToLower(ct)
		}
	}
	return ct
}

// hasAction reports whether a raw query string has an Action parameter.
func hasAction(rawQuery string) bool {
	return strings.HasPrefix(rawQuery, "Action=") || strings.Contains(rawQuery, "&Action=")
}

func hasProtocol(s *Service, p Protocol) bool {
	for _, q := range s.Protocols {
		if q == p {
			return true
		}
	}
	return false
}

func (rt *Router) mountFor(path string) http.Handler {
	var best *Mount
	for i := range rt.mounts {
		m := &rt.mounts[i]
		if strings.HasPrefix(path, m.Prefix) && (best == nil || len(m.Prefix) > len(best.Prefix)) {
			best = m
		}
	}
	if best == nil {
		return nil
	}
	return best.Handler
}

func tooLarge(limit int64) *apierr.Error {
	e := apierr.New(apierr.Invalid, "RequestEntityTooLarge", "the request body is larger than the limit of %d bytes", limit)
	e.Status = http.StatusRequestEntityTooLarge
	return e
}

// readBody reads the request body up to MaxBody bytes, decompressing a gzip Content-Encoding.
// body is what the codec decodes; raw is the body as sent.
func (rt *Router) readBody(r *http.Request) (body, raw []byte, _ *apierr.Error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil, nil
	}
	raw, err := readLimited(r.Body, rt.opts.MaxBody, r.ContentLength)
	if err == errLimit {
		return nil, nil, tooLarge(rt.opts.MaxBody)
	}
	if err != nil {
		return nil, nil, apierr.New(apierr.Invalid, "IncompleteBody", "could not read the request body: %v", err)
	}
	switch enc := strings.TrimSpace(hget(r.Header, "Content-Encoding")); {
	case enc == "" || strings.EqualFold(enc, "identity"):
		return raw, raw, nil
	case strings.EqualFold(enc, "gzip"):
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, nil, apierr.New(apierr.Invalid, "SerializationException", "Content-Encoding is gzip but the body is not gzip data: %v", err)
		}
		body, err := readLimited(zr, rt.opts.MaxBody, 0)
		if err == errLimit {
			return nil, nil, tooLarge(rt.opts.MaxBody)
		}
		if err != nil {
			return nil, nil, apierr.New(apierr.Invalid, "SerializationException", "Content-Encoding is gzip but the body does not decompress: %v", err)
		}
		return body, raw, nil
	default:
		return nil, nil, apierr.New(apierr.Invalid, "SerializationException", "unsupported Content-Encoding %q; devopsim accepts gzip", enc)
	}
}

var errLimit = fmt.Errorf("body over the limit")

// readLimited reads all of rd, failing with errLimit past limit bytes. hint is the expected size
// (the Content-Length), or <= 0 when unknown.
func readLimited(rd io.Reader, limit, hint int64) ([]byte, error) {
	n := int64(512)
	if hint > 0 {
		n = hint + 1 // one spare byte so EOF is seen without growing
	}
	if n > limit+1 {
		n = limit + 1
	}
	buf := make([]byte, 0, n)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		m, err := rd.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if int64(len(buf)) > limit {
			return nil, errLimit
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func clientIP(r *http.Request) string {
	if f := hget(r.Header, "X-Forwarded-For"); f != "" {
		f, _, _ = strings.Cut(f, ",")
		return strings.TrimSpace(f)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// AccessKeyAuth is the default authenticator: any access key is accepted and acts as the root of
// the default account, except that an access key id that is a 12-digit number selects that
// account. Requests without credentials act as the default account's root.
func AccessKeyAuth(defaultAccount string) Authenticator {
	return func(r *http.Request, cred Credential, _ []byte) (identity.Caller, error) {
		account := defaultAccount
		if isAccountID(cred.AccessKeyID) {
			account = cred.AccessKeyID
		}
		c := identity.Caller{
			Account:      account,
			Region:       cred.Region,
			PrincipalARN: "arn:aws:iam::" + account + ":root",
			UserID:       account,
			Type:         "Root",
			AccessKeyID:  cred.AccessKeyID,
		}
		return c, nil
	}
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// codec is one wire protocol.
type codec interface {
	protocol() Protocol
	decode(body []byte, op *opEntry) (any, error)
	encode(w http.ResponseWriter, svc *entry, op string, out any, requestID string)
	encodeError(w http.ResponseWriter, svc *entry, op string, e *apierr.Error, requestID string)
	unknownOp(svc *entry, op string) *apierr.Error
	badInputCode() string
	isQuery() bool
}

type formDecoder interface {
	decodeForm(form url.Values, op *opEntry) (any, error)
}

// The codecs; they hold no state.
var (
	json10   codec = jsonCodec{version: "1.0", ctype: "application/x-amz-json-1.0"}
	json11   codec = jsonCodec{version: "1.1", ctype: "application/x-amz-json-1.1"}
	awsQuery codec = queryCodec{}
	ec2Query codec = ec2Codec{}
	cborRPC  codec = cborCodec{}
)

// shapeCode is the error code JSON and CBOR protocols send in __type: the error shape name.
func (e *entry) shapeCode(code string) string {
	if e == nil || e.toShape == nil {
		return code
	}
	if _, ok := e.toQuery[code]; ok {
		return code
	}
	if s, ok := e.toShape[code]; ok {
		return s
	}
	return code
}

// queryCode is the error code the awsQuery protocol (and X-Amzn-Query-Error) sends.
func (e *entry) queryCode(code string) string {
	if e == nil || e.toQuery == nil {
		return code
	}
	if q, ok := e.toQuery[code]; ok {
		return q
	}
	return code
}

func (e *entry) service() *Service {
	if e == nil {
		return nil
	}
	return &e.svc
}

// Call runs op of the named service in-process with a Go value, bypassing the codecs; used by
// tests and the admin API.
func (rt *Router) Call(ctx context.Context, service, op string, in any) (any, error) {
	e := rt.services[service]
	if e == nil {
		return nil, fmt.Errorf("awsproto: no service %q", service)
	}
	o, ok := e.ops[op]
	if !ok {
		return nil, fmt.Errorf("awsproto: no operation %s.%s", service, op)
	}
	return o.Call(ctx, in)
}

// hget is Header.Get for a key already in canonical form (as servers store them), without
// canonicalizing it again.
func hget(h http.Header, canonicalKey string) string {
	if v := h[canonicalKey]; len(v) > 0 {
		return v[0]
	}
	return ""
}
