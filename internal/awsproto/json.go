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

type jsonCodec struct{ version string } // "1.0" or "1.1"

func (c jsonCodec) decode(r *http.Request, body []byte, op Op) (any, error) {
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
	var se *json.SemanticError
	if e, ok := err.(*json.SemanticError); ok {
		se = e
		s := "invalid value"
		if se.JSONPointer != "" {
			s += " at " + string(se.JSONPointer)
		}
		if se.GoType != nil {
			s += " (expected " + goTypeName(se) + ")"
		}
		return s
	}
	var syn *jsontext.SyntacticError
	if e, ok := err.(*jsontext.SyntacticError); ok {
		syn = e
		return "syntax error at byte " + strconv.FormatInt(syn.ByteOffset, 10)
	}
	return "malformed JSON"
}

func goTypeName(se *json.SemanticError) string {
	switch se.GoType.Kind().String() {
	case "string":
		return "string"
	case "slice", "array":
		return "list"
	case "map", "struct", "ptr":
		return "structure"
	case "bool":
		return "boolean"
	default:
		return "number"
	}
}

func (c jsonCodec) encode(w http.ResponseWriter, svc *Service, op string, out any, requestID string) {
	b, err := MarshalJSON(out)
	if err != nil {
		c.encodeError(w, svc, op, apierr.Wrap(err, "could not encode the response"), requestID)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-"+c.version)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func (c jsonCodec) encodeError(w http.ResponseWriter, svc *Service, op string, e *apierr.Error, requestID string) {
	body := struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.Code, e.Message}
	b, _ := json.Marshal(body)
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-"+c.version)
	h.Set("X-Amzn-ErrorType", e.Code)
	if svc != nil && svc.QueryCompatible {
		h.Set("X-Amzn-Query-Error", e.Code+";"+queryFault(e))
	}
	w.WriteHeader(e.HTTPStatus())
	_, _ = w.Write(b)
}

func queryFault(e *apierr.Error) string {
	if e.ErrorFault() == "server" {
		return "Receiver"
	}
	return "Sender"
}
