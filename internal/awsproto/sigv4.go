package awsproto

import (
	"net/http"
	"strings"
)

// Credential is what a SigV4-signed request says about its signer.
type Credential struct {
	AccessKeyID string
	Date        string
	Region      string
	Service     string
	Signed      bool // an Authorization header or presigned query was present
}

// ParseCredential reads the SigV4 credential scope from the Authorization header, or from the
// X-Amz-Credential query parameter of a presigned URL.
//
//	Authorization: AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/codecommit/aws4_request, ...
func ParseCredential(r *http.Request) Credential {
	scope := ""
	if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, "AWS4-HMAC-SHA256") {
		if i := strings.Index(auth, "Credential="); i >= 0 {
			scope = auth[i+len("Credential="):]
			if j := strings.IndexAny(scope, ", "); j >= 0 {
				scope = scope[:j]
			}
		}
	} else if c := r.URL.Query().Get("X-Amz-Credential"); c != "" {
		scope = c
	}
	if scope == "" {
		return Credential{}
	}
	parts := strings.Split(scope, "/")
	c := Credential{Signed: true, AccessKeyID: parts[0]}
	if len(parts) >= 5 {
		c.Date, c.Region, c.Service = parts[1], parts[2], parts[3]
	}
	return c
}
