package awsproto

import (
	"bytes"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/devopsim/devopsim/apierr"
)

// jsonOptions make time.Time epoch seconds (AWS JSON protocols) and keep Go field names out:
// only json tags name members.
var jsonMarshalOpts = json.JoinOptions(
	json.WithMarshalers(json.MarshalToFunc(func(enc *jsontext.Encoder, t time.Time) error {
		if t.IsZero() {
			return enc.WriteToken(jsontext.Null)
		}
		return enc.WriteToken(jsontext.Float(float64(t.UnixMilli()) / 1000))
	})),
	json.OmitZeroStructFields(false),
)

var jsonUnmarshalOpts = json.WithUnmarshalers(json.UnmarshalFromFunc(func(dec *jsontext.Decoder, t *time.Time) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		*t = time.Time{}
		return nil
	case '0':
		f, err := tok.Float()
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return &json.SemanticError{Err: strconv.ErrRange}
		}
		sec, frac := math.Modf(f)
		*t = time.Unix(int64(sec), int64(frac*1e9)).UTC()
		return nil
	case '"':
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", time.RFC1123} {
			if v, err := time.Parse(layout, tok.String()); err == nil {
				*t = v
				return nil
			}
		}
		if f, err := strconv.ParseFloat(tok.String(), 64); err == nil {
			sec, frac := math.Modf(f)
			*t = time.Unix(int64(sec), int64(frac*1e9)).UTC()
			return nil
		}
		return &json.SemanticError{Err: strconv.ErrSyntax}
	}
	return &json.SemanticError{Err: strconv.ErrSyntax}
}))

// MarshalJSON encodes v as AWS JSON protocols do (timestamps as epoch seconds).
func MarshalJSON(v any) ([]byte, error) { return json.Marshal(v, jsonMarshalOpts) }

// UnmarshalJSON decodes AWS JSON into v (timestamps from epoch seconds or ISO-8601).
func UnmarshalJSON(b []byte, v any) error { return json.Unmarshal(b, v, jsonUnmarshalOpts) }

type jsonCodec struct {
	version string // "1.0" or "1.1"
	ctype   string // application/x-amz-json-<version>
}

func (c jsonCodec) protocol() Protocol {
	if c.version == "1.0" {
		return JSON10
	}
	return JSON11
}

func (jsonCodec) isQuery() bool        { return false }
func (jsonCodec) badInputCode() string { return "SerializationException" }

func (jsonCodec) unknownOp(svc *entry, op string) *apierr.Error {
	return apierr.New(apierr.Invalid, "UnknownOperationException", "operation %s is not supported by devopsim's %s", op, svc.svc.Name)
}

func (c jsonCodec) decode(body []byte, op *opEntry) (any, error) {
	in := op.NewInput()
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return in, nil
	}
	if err := UnmarshalJSON(body, in); err != nil {
		return nil, apierr.New(apierr.Invalid, "SerializationException", "could not parse the request body as JSON: %s", jsonErrorText(err))
	}
	return in, nil
}

func jsonErrorText(err error) string {
	if se, ok := err.(*json.SemanticError); ok {
		if se.Err == nil && se.GoType == nil && se.JSONPointer == "" {
			// A syntax error surfaces wrapped in a SemanticError by some paths.
			return "malformed JSON"
		}
		if syn, ok := se.Err.(*jsontext.SyntacticError); ok {
			return syntaxText(syn)
		}
		s := "invalid value"
		if se.JSONPointer != "" {
			s += " at " + string(se.JSONPointer)
		}
		if se.GoType != nil {
			s += " (expected " + goTypeName(se) + ")"
		}
		return s
	}
	if syn, ok := err.(*jsontext.SyntacticError); ok {
		return syntaxText(syn)
	}
	return "malformed JSON"
}

func syntaxText(syn *jsontext.SyntacticError) string {
	s := "syntax error at byte " + strconv.FormatInt(syn.ByteOffset, 10)
	if syn.Err != nil {
		s += ": " + syn.Err.Error()
	}
	return s
}

func goTypeName(se *json.SemanticError) string {
	switch se.GoType.Kind().String() {
	case "string":
		return "string"
	case "slice", "array":
		if se.GoType.Elem().Kind().String() == "uint8" {
			return "base64 blob"
		}
		return "list"
	case "map", "struct", "ptr":
		if se.GoType.String() == "time.Time" {
			return "timestamp"
		}
		return "structure"
	case "bool":
		return "boolean"
	default:
		return "number"
	}
}

func (c jsonCodec) encode(w http.ResponseWriter, svc *entry, op string, out any, requestID string) {
	b, err := MarshalJSON(out)
	if err != nil {
		c.encodeError(w, svc, op, apierr.Wrap(err, "could not encode the response"), requestID)
		return
	}
	h := w.Header()
	h["Content-Type"] = []string{c.ctype}
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

type errorBody struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

func (c jsonCodec) encodeError(w http.ResponseWriter, svc *entry, op string, e *apierr.Error, requestID string) {
	code := svc.shapeCode(e.Code)
	b, _ := json.Marshal(errorBody{code, e.Message})
	h := w.Header()
	h["Content-Type"] = []string{c.ctype}
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	h["X-Amzn-Errortype"] = []string{code}
	setQueryError(h, svc, e)
	w.WriteHeader(e.HTTPStatus())
	_, _ = w.Write(b)
}

// setQueryError adds X-Amzn-Query-Error for query-compatible services.
func setQueryError(h http.Header, svc *entry, e *apierr.Error) {
	if svc != nil && svc.svc.QueryCompatible {
		h["X-Amzn-Query-Error"] = []string{svc.queryCode(e.Code) + ";" + queryFault(e)}
	}
}

func queryFault(e *apierr.Error) string {
	if e.ErrorFault() == "server" {
		return "Receiver"
	}
	return "Sender"
}
