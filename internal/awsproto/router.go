package awsproto

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"runtime/debug"
	"strings"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/identity"
)

// DefaultMaxBody is the largest request body accepted (after decompression).
const DefaultMaxBody = 64 << 20

// Authenticator turns a request's credential into a caller, or refuses it.
// body is the request body, for signature verification.
type Authenticator func(r *http.Request, cred Credential, body []byte) (identity.Caller, error)

// RouterOptions configure a Router.
type RouterOptions struct {
	Account string // default account
	Region  string // default region
	MaxBody int64  // 0 means DefaultMaxBody
	Log     *slog.Logger
	// Authenticate maps credentials to callers; nil means AccessKeyAuth.
	Authenticate Authenticator
}

// Router is the http.Handler for every registered service. Register and Mount before serving.
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
	svc Service
	ops map[string]Op
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

// Register adds a service.
func (rt *Router) Register(svc Service) {
	e := &entry{svc: svc, ops: make(map[string]Op, len(svc.Ops))}
	for _, op := range svc.Ops {
		e.ops[op.Name] = op
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

// Fallback serves requests no service claims (the S3 endpoint).
func (rt *Router) Fallback(h http.Handler) { rt.fallback = h }

var cborPath = regexp.MustCompile(`^/service/([^/]+)/operation/([^/]+)$`)

func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := uuid.NewString()
	w.Header().Set("X-Amzn-RequestId", requestID)
	var (
		svc   *entry
		codec codec = jsonCodec{version: "1.1"}
		opN   string
	)
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			rt.opts.Log.Error("panic serving request", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
			var s *Service
			if svc != nil {
				s = &svc.svc
			}
			codec.encodeError(w, s, opN, apierr.New(apierr.Internal, "InternalFailure", "An internal error occurred."), requestID)
		}
	}()

	if h := rt.mountFor(r.URL.Path); h != nil {
		h.ServeHTTP(w, r)
		return
	}
	cred := ParseCredential(r)

	// Find the protocol and service.
	target := r.Header.Get("X-Amz-Target")
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var form url.Values
	switch {
	case cborPath.MatchString(r.URL.Path):
		m := cborPath.FindStringSubmatch(r.URL.Path)
		codec, opN = cborCodec{}, m[2]
		svc = rt.byCBOR[m[1]]
		if svc == nil {
			codec.encodeError(w, nil, opN, unknownService(m[1]), requestID)
			return
		}
	case target != "":
		codec = jsonCodec{version: "1.1"}
		if ctype == "application/x-amz-json-1.0" {
			codec = jsonCodec{version: "1.0"}
		}
		i := strings.LastIndexByte(target, '.')
		if i < 0 {
			codec.encodeError(w, nil, "", apierr.New(apierr.Invalid, "UnknownOperationException", "X-Amz-Target %q is not of the form Service.Operation", target), requestID)
			return
		}
		opN = target[i+1:]
		svc = rt.byTarget[target[:i]]
		if svc == nil {
			codec.encodeError(w, nil, opN, unknownService(target[:i]), requestID)
			return
		}
	case ctype == "application/x-www-form-urlencoded" || (r.Method == http.MethodGet && r.URL.Query().Get("Action") != ""):
		codec = queryCodec{}
		body, err := rt.readBody(r)
		if err != nil {
			codec.encodeError(w, nil, "", apierr.As(err), requestID)
			return
		}
		form, err = url.ParseQuery(string(body))
		if err != nil {
			codec.encodeError(w, nil, "", apierr.New(apierr.Invalid, "MalformedQueryString", "the request body is not a valid query string"), requestID)
			return
		}
		for k, v := range r.URL.Query() {
			if _, ok := form[k]; !ok {
				form[k] = v
			}
		}
		opN = form.Get("Action")
		if s := rt.services[cred.Service]; s != nil && (s.svc.Version == "" || form.Get("Version") == "" || form.Get("Version") == s.svc.Version) {
			svc = s
		} else {
			svc = rt.byVersion[form.Get("Version")]
		}
		if svc == nil {
			codec.encodeError(w, nil, opN, apierr.New(apierr.Invalid, "InvalidAction", "no service answers Version %q (signing name %q)", form.Get("Version"), cred.Service), requestID)
			return
		}
		if hasProtocol(&svc.svc, EC2Query) {
			codec = ec2Codec{}
		}
		if opN == "" {
			codec.encodeError(w, &svc.svc, "", apierr.New(apierr.Invalid, "MissingAction", "the request has no Action parameter"), requestID)
			return
		}
		if v := form.Get("Version"); v == "" {
			codec.encodeError(w, &svc.svc, opN, apierr.New(apierr.Invalid, "MissingParameter", "the request must contain the parameter Version"), requestID)
			return
		} else if v != svc.svc.Version {
			codec.encodeError(w, &svc.svc, opN, apierr.New(apierr.Invalid, "InvalidParameterValue", "unsupported Version %q for %s; use %s", v, svc.svc.Name, svc.svc.Version), requestID)
			return
		}
	default:
		if rt.fallback != nil {
			rt.fallback.ServeHTTP(w, r)
			return
		}
		codec.encodeError(w, nil, "", apierr.New(apierr.Invalid, "UnknownOperationException", "request matches no service: no X-Amz-Target, query Action or rpcv2 path (%s %s)", r.Method, r.URL.Path), requestID)
		return
	}

	op, ok := svc.ops[opN]
	if !ok {
		code := "UnknownOperationException"
		if codec.isQuery() {
			code = "InvalidAction"
		}
		codec.encodeError(w, &svc.svc, opN, apierr.New(apierr.Invalid, code, "operation %s is not supported by devopsim's %s", opN, svc.svc.Name), requestID)
		return
	}

	var (
		body []byte
		err  error
	)
	if form == nil {
		if body, err = rt.readBody(r); err != nil {
			codec.encodeError(w, &svc.svc, opN, apierr.As(err), requestID)
			return
		}
	}
	caller, err := rt.opts.Authenticate(r, cred, body)
	if err != nil {
		codec.encodeError(w, &svc.svc, opN, apierr.As(err), requestID)
		return
	}
	if caller.Region == "" {
		caller.Region = rt.opts.Region
	}
	caller.RequestID = requestID
	caller.SourceIP = clientIP(r)
	caller.UserAgent = r.Header.Get("User-Agent")
	ctx := identity.With(r.Context(), caller)

	var in any
	if form != nil {
		in, err = codec.(formDecoder).decodeForm(form, op)
	} else {
		in, err = codec.decode(r, body, op)
	}
	if err != nil {
		codec.encodeError(w, &svc.svc, opN, apierr.As(err), requestID)
		return
	}
	out, err := op.Call(ctx, in)
	if err != nil {
		e := apierr.As(err)
		if e.Kind == apierr.Internal {
			rt.opts.Log.Error("operation failed", "service", svc.svc.Name, "op", opN, "err", err)
		}
		codec.encodeError(w, &svc.svc, opN, e, requestID)
		return
	}
	codec.encode(w, &svc.svc, opN, out, requestID)
}

func unknownService(name string) *apierr.Error {
	return apierr.New(apierr.Invalid, "UnknownOperationException", "service %q is not supported by devopsim", name)
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

var errTooLarge = apierr.New(apierr.Invalid, "RequestEntityTooLarge", "request body too large")

func (rt *Router) readBody(r *http.Request) ([]byte, error) {
	var rd io.Reader = http.MaxBytesReader(nil, r.Body, rt.opts.MaxBody+1)
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(rd)
		if err != nil {
			return nil, apierr.New(apierr.Invalid, "SerializationException", "Content-Encoding is gzip but the body is not gzip: %v", err)
		}
		rd = io.LimitReader(zr, rt.opts.MaxBody+1)
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(rd); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			e := *errTooLarge
			e.Status = http.StatusRequestEntityTooLarge
			return nil, &e
		}
		return nil, apierr.New(apierr.Invalid, "SerializationException", "could not read the request body: %v", err)
	}
	if int64(buf.Len()) > rt.opts.MaxBody {
		e := *errTooLarge
		e.Status = http.StatusRequestEntityTooLarge
		return nil, &e
	}
	return buf.Bytes(), nil
}

func clientIP(r *http.Request) string {
	if f := r.Header.Get("X-Forwarded-For"); f != "" {
		return strings.TrimSpace(strings.Split(f, ",")[0])
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
		c := identity.Root(account, cred.Region)
		c.AccessKeyID = cred.AccessKeyID
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
	decode(r *http.Request, body []byte, op Op) (any, error)
	encode(w http.ResponseWriter, svc *Service, op string, out any, requestID string)
	encodeError(w http.ResponseWriter, svc *Service, op string, e *apierr.Error, requestID string)
	isQuery() bool
}

type formDecoder interface {
	decodeForm(form url.Values, op Op) (any, error)
}

func (jsonCodec) isQuery() bool { return false }

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
