package awsproto

import (
	"net/http"

	"github.com/devopsim/devopsim/apierr"
)

// cborCodec is rpcv2Cbor.
type cborCodec struct{}

func (cborCodec) isQuery() bool { return false }

func (cborCodec) decode(r *http.Request, body []byte, op Op) (any, error) {
	return nil, apierr.New(apierr.Unsupported, "NotImplemented", "rpcv2Cbor is not implemented yet")
}

func (cborCodec) encode(w http.ResponseWriter, svc *Service, op string, out any, requestID string) {
}

func (cborCodec) encodeError(w http.ResponseWriter, svc *Service, op string, e *apierr.Error, requestID string) {
	jsonCodec{version: "1.0"}.encodeError(w, svc, op, e, requestID)
}
