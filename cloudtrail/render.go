package cloudtrail

import (
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// eventVersion is the record format version devopsim writes.
const eventVersion = "1.11"

func appendStr(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 || c == '<' || c == '>' || c == '&' {
			b, _ = jsontext.AppendQuote(b, s)
			return b
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendKey(b []byte, k string) []byte {
	b = append(b, '"')
	b = append(b, k...)
	return append(b, '"', ':')
}

func appendField(b []byte, k, v string) []byte {
	b = appendKey(b, k)
	b = appendStr(b, v)
	return append(b, ',')
}

func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, "2006-01-02T15:04:05Z")
	return append(b, '"')
}

// appendIdentity renders the userIdentity object of p.
func appendIdentity(b []byte, p *principal) []byte {
	typ := p.Type
	if typ == "" {
		typ = "Unknown"
	}
	b = append(b, '{')
	b = appendField(b, "type", typ)
	if typ == "AWSService" {
		b = appendField(b, "invokedBy", p.InvokedBy)
		b[len(b)-1] = '}'
		return b
	}
	b = appendField(b, "principalId", p.UserID)
	b = appendField(b, "arn", p.PrincipalARN)
	b = appendField(b, "accountId", p.Account)
	if p.AccessKeyID != "" {
		b = appendField(b, "accessKeyId", p.AccessKeyID)
	}
	switch typ {
	case "IAMUser":
		b = appendField(b, "userName", p.username)
	case "AssumedRole":
		// arn:aws:sts::acct:assumed-role/Role/session
		role := ""
		if i := strings.Index(p.PrincipalARN, ":assumed-role/"); i >= 0 {
			rest := p.PrincipalARN[i+len(":assumed-role/"):]
			role, _, _ = strings.Cut(rest, "/")
		}
		pid, _, _ := strings.Cut(p.UserID, ":")
		b = appendKey(b, "sessionContext")
		b = append(b, `{"sessionIssuer":{`...)
		b = appendField(b, "type", "Role")
		b = appendField(b, "principalId", pid)
		b = appendField(b, "arn", "arn:aws:iam::"+p.Account+":role/"+role)
		b = appendField(b, "accountId", p.Account)
		b = appendField(b, "userName", role)
		b[len(b)-1] = '}'
		b = append(b, `,"attributes":{"mfaAuthenticated":"false"}},`...)
	}
	if p.InvokedBy != "" {
		b = appendField(b, "invokedBy", p.InvokedBy)
	}
	b[len(b)-1] = '}'
	return b
}

// sourceIP is the sourceIPAddress of a record.
func (p *principal) sourceIP() string {
	switch {
	case p.InvokedBy != "":
		return p.InvokedBy
	case p.SourceIP != "":
		return p.SourceIP
	}
	return "127.0.0.1"
}

func (p *principal) userAgent() string {
	switch {
	case p.InvokedBy != "":
		return p.InvokedBy
	case p.UserAgent != "":
		return p.UserAgent
	}
	return "devopsim"
}

// appendRecord renders r as AWS's CloudTrail record.
func (s *Service) appendRecord(b []byte, r *record) []byte {
	if r.cat == catInsight {
		return s.appendInsight(b, r)
	}
	b = append(b, '{')
	b = appendField(b, "eventVersion", eventVersion)
	b = appendKey(b, "userIdentity")
	b = append(b, r.who.ident...)
	b = append(b, ',')
	b = appendKey(b, "eventTime")
	b = appendTime(b, r.t)
	b = append(b, ',')
	b = appendField(b, "eventSource", r.src.eventSource)
	b = appendField(b, "eventName", r.name)
	b = appendField(b, "awsRegion", r.who.Region)
	b = appendField(b, "sourceIPAddress", r.who.sourceIP())
	b = appendField(b, "userAgent", r.who.userAgent())
	if code := r.errCode(); code != "" {
		b = appendField(b, "errorCode", code)
		b = appendField(b, "errorMessage", r.errMsg())
	}
	b = appendKey(b, "requestParameters")
	if r.params != nil {
		b = append(b, r.params...)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, ',')
	b = appendKey(b, "responseElements")
	if r.response != nil {
		b = append(b, r.response...)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, ',')
	if a := r.additional(); a != nil {
		b = appendKey(b, "additionalEventData")
		b = append(b, a...)
		b = append(b, ',')
	}
	if r.requestID != "" {
		b = appendField(b, "requestID", r.requestID)
	}
	b = appendField(b, "eventID", s.eventID(r.pos))
	b = appendKey(b, "readOnly")
	b = strconv.AppendBool(b, r.readOnly)
	b = append(b, ',')
	if len(r.resources) > 0 {
		b = appendKey(b, "resources")
		b = append(b, '[')
		for i, res := range r.resources {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			if res.Account != "" {
				b = appendField(b, "accountId", res.Account)
			}
			if res.Type != "" {
				b = appendField(b, "type", res.Type)
			}
			if res.ARN != "" {
				b = appendField(b, "ARN", res.ARN)
			} else {
				b = appendField(b, "ARNPrefix", res.Name)
			}
			b[len(b)-1] = '}'
		}
		b = append(b, ']', ',')
	}
	b = appendField(b, "eventType", "AwsApiCall")
	b = appendKey(b, "managementEvent")
	b = strconv.AppendBool(b, r.cat == catManagement)
	b = append(b, ',')
	b = appendField(b, "recipientAccountId", r.who.Account)
	cat := "Management"
	if r.cat == catData {
		cat = "Data"
	}
	b = appendField(b, "eventCategory", cat)
	b[len(b)-1] = '}'
	return b
}

// eventID is the UUID-shaped ID of the record at pos.
func (s *Service) eventID(pos uint64) string {
	var h [12]byte
	const digits = "0123456789abcdef"
	for i := 11; i >= 0; i-- {
		h[i] = digits[pos&0xf]
		pos >>= 4
	}
	return s.idPrefix + string(h[:])
}

// posOf parses an event ID made by eventID.
func (s *Service) posOf(id string) (uint64, bool) {
	if len(id) != len(s.idPrefix)+12 || !strings.HasPrefix(id, s.idPrefix) {
		return 0, false
	}
	p, err := strconv.ParseUint(id[len(s.idPrefix):], 16, 64)
	return p, err == nil
}
