package awsproto

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/identity"
)

// Credential is what a SigV4-signed request says about its signer.
type Credential struct {
	AccessKeyID string
	Date        string
	Region      string
	Service     string
	Signed      bool // an Authorization header or presigned query was present
	// Presigned is true when the signature is in the URL (X-Amz-Signature) rather than in the
	// Authorization header.
	Presigned bool
	// SignedHeaders and Signature as the request gives them.
	SignedHeaders string
	Signature     string
}

const sigV4Algorithm = "AWS4-HMAC-SHA256"

// ParseCredential reads the SigV4 credential scope from the Authorization header, or from the
// X-Amz-Credential query parameter of a presigned URL.
//
//	Authorization: AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/codecommit/aws4_request, SignedHeaders=host;x-amz-date, Signature=...
func ParseCredential(r *http.Request) Credential {
	var c Credential
	scope := ""
	if auth := hget(r.Header, "Authorization"); strings.HasPrefix(auth, sigV4Algorithm) {
		for rest := auth[len(sigV4Algorithm):]; rest != ""; {
			var part string
			part, rest, _ = strings.Cut(rest, ",")
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			switch k {
			case "Credential":
				scope = v
			case "SignedHeaders":
				c.SignedHeaders = v
			case "Signature":
				c.Signature = v
			}
		}
		if scope == "" {
			// Signed, but without a credential; the authenticator decides.
			c.Signed = true
			return c
		}
	} else if strings.Contains(r.URL.RawQuery, "X-Amz-Credential=") {
		q := r.URL.Query()
		scope = q.Get("X-Amz-Credential")
		c.Presigned = true
		c.SignedHeaders = q.Get("X-Amz-SignedHeaders")
		c.Signature = q.Get("X-Amz-Signature")
	}
	if scope == "" {
		return Credential{}
	}
	c.Signed = true
	key, rest, _ := strings.Cut(scope, "/")
	c.AccessKeyID = key
	var tail string
	c.Date, rest, _ = strings.Cut(rest, "/")
	c.Region, rest, _ = strings.Cut(rest, "/")
	c.Service, tail, _ = strings.Cut(rest, "/")
	if tail == "" {
		c.Date, c.Region, c.Service = "", "", ""
	}
	return c
}

// CredentialLookup finds the secret access key of an access key id and the caller it acts as;
// ok is false for an unknown key.
type CredentialLookup func(accessKeyID string) (secret string, caller identity.Caller, ok bool)

// SigV4Options configure StrictSigV4.
type SigV4Options struct {
	// Lookup maps access key ids to secrets and callers. Required.
	Lookup CredentialLookup
	// Clock, when set, makes the authenticator refuse requests signed more than 15 minutes
	// away from its time and presigned URLs past their X-Amz-Expires.
	Clock clock.Clock
	// AllowUnsigned lets requests without any signature through as AnonymousCaller.
	AllowUnsigned   bool
	AnonymousCaller identity.Caller
}

// Errors of StrictSigV4, with AWS's codes (awsJson services answer UnrecognizedClientException
// and InvalidSignatureException for the first two, as AWS does).
var (
	ErrInvalidClientTokenID  = &apierr.Error{Kind: apierr.Denied, Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid.", Status: http.StatusForbidden}
	ErrSignatureDoesNotMatch = &apierr.Error{Kind: apierr.Denied, Code: "SignatureDoesNotMatch", Message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.", Status: http.StatusForbidden}
	ErrMissingAuthToken      = &apierr.Error{Kind: apierr.Denied, Code: "MissingAuthenticationToken", Message: "Request is missing Authentication Token", Status: http.StatusForbidden}
	ErrIncompleteSignature   = &apierr.Error{Kind: apierr.Invalid, Code: "IncompleteSignature", Message: "The request signature does not conform to AWS standards.", Status: http.StatusBadRequest}
)

// StrictSigV4 is an Authenticator that verifies SigV4 signatures (Authorization header or
// presigned URL) by signing the request again with the AWS SDK's own v4 signer and the secret
// Lookup gives for the access key. An unknown key is refused with InvalidClientTokenId, a wrong
// signature with SignatureDoesNotMatch, both 403.
//
// Headers the signer never signs (User-Agent, Expect, X-Amzn-Trace-Id, Transfer-Encoding,
// Authorization) cannot be verified if a client signs them; AWS SDKs and the CLI do not.
func StrictSigV4(opts SigV4Options) Authenticator {
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableHeaderHoisting = true })
	return func(r *http.Request, cred Credential, body []byte) (identity.Caller, error) {
		if !cred.Signed {
			if opts.AllowUnsigned {
				return opts.AnonymousCaller, nil
			}
			return identity.Caller{}, ErrMissingAuthToken
		}
		if cred.AccessKeyID == "" || cred.Service == "" || cred.Signature == "" || cred.SignedHeaders == "" {
			return identity.Caller{}, ErrIncompleteSignature.With("Authorization header requires Credential, SignedHeaders and Signature; the credential must be AKID/date/region/service/aws4_request.")
		}
		secret, caller, ok := opts.Lookup(cred.AccessKeyID)
		if !ok {
			return identity.Caller{}, ErrInvalidClientTokenID
		}
		if err := verifySigV4(r, cred, body, secret, signer, opts.Clock); err != nil {
			return identity.Caller{}, err
		}
		caller.AccessKeyID = cred.AccessKeyID
		if caller.Region == "" {
			caller.Region = cred.Region
		}
		return caller, nil
	}
}

const amzDateFormat = "20060102T150405Z"

func verifySigV4(r *http.Request, cred Credential, body []byte, secret string, signer *v4.Signer, clk clock.Clock) error {
	var dateStr string
	query := r.URL.Query()
	if cred.Presigned {
		dateStr = query.Get("X-Amz-Date")
	} else {
		dateStr = hget(r.Header, "X-Amz-Date")
	}
	signTime, err := time.Parse(amzDateFormat, dateStr)
	if err != nil {
		return ErrIncompleteSignature.With("missing or malformed X-Amz-Date %q; expected the form 20060102T150405Z", dateStr)
	}
	if clk != nil {
		now := clk.Now()
		if cred.Presigned {
			exp, err := strconv.Atoi(query.Get("X-Amz-Expires"))
			if err != nil || exp < 0 {
				return ErrIncompleteSignature.With("presigned URL without a valid X-Amz-Expires")
			}
			if now.After(signTime.Add(time.Duration(exp) * time.Second)) {
				return &apierr.Error{Kind: apierr.Denied, Code: "AccessDenied", Message: "Request has expired", Status: http.StatusForbidden}
			}
		} else if d := now.Sub(signTime); d > 15*time.Minute || d < -15*time.Minute {
			return ErrSignatureDoesNotMatch.With("Signature expired: %s is now earlier than %s (%s - 15 min.)", dateStr, now.Add(-15*time.Minute).UTC().Format(amzDateFormat), now.UTC().Format(amzDateFormat))
		}
	}

	// Rebuild the request as the client signed it: the signed headers only.
	host := r.Host
	if host == "" {
		host = r.URL.Host // a client-side request handed to the handler in memory
	}
	u := &url.URL{Scheme: "http", Host: host, Path: r.URL.Path, RawPath: r.URL.RawPath, Opaque: r.URL.Opaque}
	if r.TLS != nil || r.URL.Scheme == "https" {
		u.Scheme = "https"
	}
	req := &http.Request{Method: r.Method, URL: u, Host: host, Header: http.Header{}}
	for _, h := range strings.Split(cred.SignedHeaders, ";") {
		switch h {
		case "host":
		case "content-length":
			req.ContentLength = r.ContentLength
			if req.ContentLength <= 0 {
				req.ContentLength, _ = strconv.ParseInt(hget(r.Header, "Content-Length"), 10, 64)
			}
		default:
			name := textproto.CanonicalMIMEHeaderKey(h)
			req.Header[name] = r.Header.Values(name)
		}
	}
	creds := aws.Credentials{AccessKeyID: cred.AccessKeyID, SecretAccessKey: secret}
	ctx := context.Background()

	if cred.Presigned {
		q := url.Values{}
		for k, v := range query {
			if k != "X-Amz-Signature" {
				q[k] = v
			}
		}
		u.RawQuery = q.Encode()
		for _, hash := range []string{hashHex(body), "UNSIGNED-PAYLOAD"} {
			signed, _, err := signer.PresignHTTP(ctx, creds, req, hash, cred.Service, cred.Region, signTime)
			if err != nil {
				return ErrIncompleteSignature.With("cannot verify the presigned URL: %v", err)
			}
			su, err := url.Parse(signed)
			if err == nil && hmac.Equal([]byte(su.Query().Get("X-Amz-Signature")), []byte(cred.Signature)) {
				return nil
			}
		}
		return ErrSignatureDoesNotMatch
	}

	u.RawQuery = r.URL.RawQuery
	hash := hget(r.Header, "X-Amz-Content-Sha256")
	if hash == "" {
		hash = hashHex(body)
	}
	if err := signer.SignHTTP(ctx, creds, req, hash, cred.Service, cred.Region, signTime); err != nil {
		return ErrIncompleteSignature.With("cannot verify the signature: %v", err)
	}
	got := ParseCredential(req).Signature
	if !hmac.Equal([]byte(got), []byte(cred.Signature)) {
		return ErrSignatureDoesNotMatch
	}
	return nil
}

func hashHex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
