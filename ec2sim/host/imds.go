package host

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MetadataAddr is the instance metadata service's address.
const MetadataAddr = "169.254.169.254"

// MetadataHandler serves the instance metadata service of this host: /latest/meta-data/...,
// /latest/user-data, /latest/dynamic/instance-identity/document and the IMDSv2 token flow.
func (h *Host) MetadataHandler() http.Handler { return http.HandlerFunc(h.serveIMDS) }

func (h *Host) serveIMDS(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	m := h.meta
	m.Tags = maps.Clone(m.Tags)
	h.mu.Unlock()
	if m.Disabled {
		http.Error(w, "", http.StatusNotFound)
		return
	}
	p := r.URL.Path
	if p == "/latest/api/token" {
		if r.Method != http.MethodPut {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		ttl, err := strconv.Atoi(r.Header.Get("X-aws-ec2-metadata-token-ttl-seconds"))
		if err != nil || ttl < 1 || ttl > 21600 {
			http.Error(w, "", http.StatusBadRequest)
			return
		}
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		tok := base64.RawURLEncoding.EncodeToString(b)
		h.mu.Lock()
		now := h.clk.Now()
		for t, exp := range h.tokens {
			if now.After(exp) {
				delete(h.tokens, t)
			}
		}
		h.tokens[tok] = now.Add(time.Duration(ttl) * time.Second)
		h.mu.Unlock()
		w.Header().Set("X-aws-ec2-metadata-token-ttl-seconds", strconv.Itoa(ttl))
		fmt.Fprint(w, tok)
		return
	}
	if tok := r.Header.Get("X-aws-ec2-metadata-token"); tok != "" {
		h.mu.Lock()
		exp, ok := h.tokens[tok]
		valid := ok && !h.clk.Now().After(exp)
		h.mu.Unlock()
		if !valid {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
	} else if m.TokensRequired {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	body, ok := imdsLookup(m, h.Hostname(), strings.TrimSuffix(p, "/"), h.clk.Now())
	if !ok {
		http.Error(w, "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<title>404 - Not Found</title>", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	if strings.HasPrefix(body, "{") {
		w.Header().Set("Content-Type", "application/json")
	}
	fmt.Fprint(w, body)
}

func imdsLookup(m Metadata, hostname, p string, now time.Time) (string, bool) {
	az := m.AvailabilityZone
	region := m.Region
	if region == "" && len(az) > 1 {
		region = az[:len(az)-1]
	}
	local := hostname
	if !strings.Contains(local, ".") {
		local += "." + regionDomain(region)
	}
	md := map[string]string{
		"ami-id":                      m.ImageID,
		"ami-launch-index":            "0",
		"hostname":                    local,
		"instance-id":                 m.InstanceID,
		"instance-type":               m.InstanceType,
		"local-hostname":              local,
		"local-ipv4":                  m.LocalIPv4,
		"mac":                         m.MAC,
		"placement/availability-zone": az,
		"placement/region":            region,
		"security-groups":             strings.Join(m.SecurityGroups, "\n"),
		"services/domain":             "amazonaws.com",
		"services/partition":          "aws",
	}
	if m.PublicIPv4 != "" {
		md["public-ipv4"] = m.PublicIPv4
	}
	if m.KeyName != "" {
		md["public-keys/0/openssh-key"] = m.PublicKey
		md["public-keys"] = "0=" + m.KeyName
	}
	if m.IAMRole != "" {
		md["iam/security-credentials"] = m.IAMRole
		exp := now.Add(6 * time.Hour).UTC().Format(time.RFC3339)
		creds, _ := json.MarshalIndent(map[string]string{
			"Code": "Success", "LastUpdated": now.UTC().Format(time.RFC3339), "Type": "AWS-HMAC",
			"AccessKeyId":     "ASIA" + strings.ToUpper(strings.ReplaceAll(m.InstanceID, "-", ""))[:min(16, len(strings.ReplaceAll(m.InstanceID, "-", "")))],
			"SecretAccessKey": "devopsim-instance-secret", "Token": "devopsim-instance-token-" + m.InstanceID, "Expiration": exp,
		}, "", "  ")
		md["iam/security-credentials/"+m.IAMRole] = string(creds)
		md["iam/info"] = fmt.Sprintf("{\n  \"Code\" : \"Success\",\n  \"InstanceProfileArn\" : \"arn:aws:iam::%s:instance-profile/%s\"\n}", m.AccountID, m.IAMRole)
	}
	if m.TagsEnabled {
		keys := slices.Sorted(maps.Keys(m.Tags))
		md["tags/instance"] = strings.Join(keys, "\n")
		for _, k := range keys {
			md["tags/instance/"+k] = m.Tags[k]
		}
	}
	switch p {
	case "/latest/user-data":
		if len(m.UserData) == 0 {
			return "", false
		}
		return string(m.UserData), true
	case "/latest/dynamic/instance-identity/document":
		b, _ := json.MarshalIndent(map[string]any{
			"accountId": m.AccountID, "architecture": "x86_64", "availabilityZone": az, "imageId": m.ImageID,
			"instanceId": m.InstanceID, "instanceType": m.InstanceType, "privateIp": m.LocalIPv4, "region": region,
			"version": "2017-09-30", "pendingTime": now.UTC().Format(time.RFC3339),
		}, "", "  ")
		return string(b), true
	case "/latest", "":
		return "dynamic\nmeta-data\nuser-data", true
	case "/latest/dynamic":
		return "instance-identity/", true
	}
	rest, ok := strings.CutPrefix(p, "/latest/meta-data")
	if !ok {
		return "", false
	}
	rest = strings.TrimPrefix(rest, "/")
	if v, ok := md[rest]; ok {
		return v, true
	}
	// A directory: list its children.
	prefix := rest
	if prefix != "" {
		prefix += "/"
	}
	seen := map[string]bool{}
	for k := range md {
		if s, ok := strings.CutPrefix(k, prefix); ok {
			first, more, _ := strings.Cut(s, "/")
			if more != "" || strings.Contains(s, "/") {
				first += "/"
			}
			seen[first] = true
		}
	}
	if len(seen) == 0 {
		return "", false
	}
	return strings.Join(slices.Sorted(maps.Keys(seen)), "\n"), true
}

func regionDomain(region string) string {
	if region == "us-east-1" || region == "" {
		return "ec2.internal"
	}
	return region + ".compute.internal"
}
