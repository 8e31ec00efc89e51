package cloudinit

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"

	"gopkg.in/yaml.v3"
)

// Kind is what a user-data part is.
type Kind string

// The kinds of part cloud-init recognises, and the Windows formats EC2Launch uses.
const (
	Script      Kind = "x-shellscript"
	CloudConfig Kind = "cloud-config"
	Boothook    Kind = "cloud-boothook"
	Include     Kind = "x-include-url"
	PartHandler Kind = "part-handler"
	Jinja       Kind = "jinja2"
	Windows     Kind = "windows"
	Unknown     Kind = "x-not-multipart"
)

// Part is one piece of user data.
type Part struct {
	Kind        Kind
	ContentType string // MIME type, e.g. text/x-shellscript
	Filename    string
	Content     []byte
	// Config is the parsed #cloud-config (nil for other kinds or if it did not parse).
	Config *Config
	// Err says why a part cannot be used (bad YAML, an unsupported Windows format...).
	Err error
}

// UserData is parsed user data.
type UserData struct {
	Raw       []byte // as given (after base64 decoding by EC2)
	Decoded   []byte // after gunzip
	Gzipped   bool
	Multipart bool
	Parts     []Part
}

// MaxDecompressed bounds gunzipped user data (cloud-init has no limit; this keeps a fuzzer
// or a zip bomb from eating memory).
const MaxDecompressed = 16 << 20

// ErrTooLarge is returned when gunzipped user data exceeds MaxDecompressed.
var ErrTooLarge = errors.New("cloudinit: decompressed user data too large")

// Parse parses user data the way cloud-init does: optional gzip, MIME multipart, and the
// "#!"/"#cloud-config"/"#cloud-boothook"/"#include"/"#part-handler"/"#cloud-config-archive"
// markers. Windows formats (<powershell>, <script>, <persist>, EC2Launch v2 YAML) are
// recognised as Kind Windows. Parse never fails on content: problems are recorded per part.
func Parse(raw []byte) (*UserData, error) {
	ud := &UserData{Raw: raw, Decoded: raw}
	if len(raw) >= 2 && raw[0] == 0x1f && raw[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("cloudinit: bad gzip user data: %w", err)
		}
		data, err := io.ReadAll(io.LimitReader(zr, MaxDecompressed+1))
		if err != nil {
			return nil, fmt.Errorf("cloudinit: bad gzip user data: %w", err)
		}
		if len(data) > MaxDecompressed {
			return nil, ErrTooLarge
		}
		ud.Decoded, ud.Gzipped = data, true
	}
	if len(bytes.TrimSpace(ud.Decoded)) == 0 {
		return ud, nil
	}
	if looksMIME(ud.Decoded) {
		parts, err := parseMIME(ud.Decoded, 0)
		if err == nil {
			ud.Multipart = true
			ud.Parts = parts
			return ud, nil
		}
	}
	ud.Parts = classify(ud.Decoded, "", "", 0)
	return ud, nil
}

func looksMIME(b []byte) bool {
	first, _, _ := bytes.Cut(b, []byte("\n"))
	f := strings.ToLower(strings.TrimSpace(string(first)))
	return strings.HasPrefix(f, "content-type:") || strings.HasPrefix(f, "mime-version:") || strings.HasPrefix(f, "from ")
}

const maxDepth = 8

func parseMIME(b []byte, depth int) ([]Part, error) {
	if depth > maxDepth {
		return nil, errors.New("MIME nested too deeply")
	}
	if bytes.HasPrefix(b, []byte("From ")) { // mbox separator line
		_, rest, _ := bytes.Cut(b, []byte("\n"))
		b = rest
	}
	msg, err := mail.ReadMessage(bufio.NewReader(bytes.NewReader(b)))
	if err != nil {
		return nil, err
	}
	ct := msg.Header.Get("Content-Type")
	if ct == "" {
		ct = "text/plain"
	}
	body, err := io.ReadAll(io.LimitReader(msg.Body, MaxDecompressed))
	if err != nil {
		return nil, err
	}
	return mimeParts(ct, msg.Header.Get("Content-Transfer-Encoding"), msg.Header.Get("Content-Disposition"), body, depth)
}

func mimeParts(ct, cte, disp string, body []byte, depth int) ([]Part, error) {
	if depth > maxDepth {
		return nil, errors.New("MIME nested too deeply")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	}
	if strings.HasPrefix(mt, "multipart/") {
		boundary := params["boundary"]
		if boundary == "" {
			return nil, errors.New("multipart without boundary")
		}
		mr := multipart.NewReader(bytes.NewReader(body), boundary)
		var out []Part
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				if len(out) > 0 {
					break
				}
				return nil, err
			}
			pb, err := io.ReadAll(io.LimitReader(p, MaxDecompressed))
			if err != nil {
				break
			}
			sub, err := mimeParts(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p.Header.Get("Content-Disposition"), pb, depth+1)
			if err != nil {
				out = append(out, Part{Kind: Unknown, ContentType: p.Header.Get("Content-Type"), Content: pb, Err: err})
				continue
			}
			out = append(out, sub...)
		}
		return out, nil
	}
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		dec, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(body)), ""))
		if err != nil {
			return []Part{{Kind: Unknown, ContentType: mt, Content: body, Err: fmt.Errorf("bad base64 part: %w", err)}}, nil
		}
		body = dec
	case "quoted-printable":
		dec, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		if err == nil {
			body = dec
		}
	}
	filename := ""
	if disp != "" {
		if _, dp, err := mime.ParseMediaType(disp); err == nil {
			filename = dp["filename"]
		}
	}
	if len(body) >= 2 && body[0] == 0x1f && body[1] == 0x8b {
		if zr, err := gzip.NewReader(bytes.NewReader(body)); err == nil {
			if d, err := io.ReadAll(io.LimitReader(zr, MaxDecompressed)); err == nil {
				body = d
			}
		}
	}
	return classify(body, mt, filename, depth), nil
}

var typeKinds = map[string]Kind{
	"text/x-shellscript":              Script,
	"text/x-shellscript-per-boot":     Script,
	"text/x-shellscript-per-instance": Script,
	"text/x-shellscript-per-once":     Script,
	"text/cloud-config":               CloudConfig,
	"text/cloud-config-jsonp":         CloudConfig,
	"text/cloud-boothook":             Boothook,
	"text/x-include-url":              Include,
	"text/x-include-once-url":         Include,
	"text/part-handler":               PartHandler,
	"text/jinja2":                     Jinja,
}

// classify detects a part's kind from its MIME type or, for text/plain and plain user data,
// from its first line as cloud-init does.
func classify(b []byte, mt, filename string, depth int) []Part {
	if k, ok := typeKinds[mt]; ok {
		p := Part{Kind: k, ContentType: mt, Filename: filename, Content: b}
		// cloud-init still honours a "#cloud-config" marker inside a typed part.
		if k == CloudConfig {
			p.Config, p.Err = ParseConfig(b)
		}
		return []Part{p}
	}
	s := string(b)
	trim := strings.TrimLeft(s, " \t\r\n\ufeff")
	first, _, _ := strings.Cut(trim, "\n")
	first = strings.TrimSpace(first)
	low := strings.ToLower(trim)
	p := Part{ContentType: mt, Filename: filename, Content: b}
	switch {
	case strings.HasPrefix(first, "#cloud-config-archive"):
		return parseArchive(b, depth)
	case strings.HasPrefix(first, "#cloud-config"):
		p.Kind, p.ContentType = CloudConfig, "text/cloud-config"
		p.Config, p.Err = ParseConfig(b)
	case strings.HasPrefix(first, "#!"):
		p.Kind, p.ContentType = Script, "text/x-shellscript"
	case strings.HasPrefix(first, "#cloud-boothook"):
		p.Kind, p.ContentType = Boothook, "text/cloud-boothook"
	case strings.HasPrefix(first, "#include"):
		p.Kind, p.ContentType = Include, "text/x-include-url"
	case strings.HasPrefix(first, "#part-handler"):
		p.Kind, p.ContentType = PartHandler, "text/part-handler"
	case strings.HasPrefix(strings.ToLower(first), "## template: jinja"):
		p.Kind, p.ContentType = Jinja, "text/jinja2"
	case strings.HasPrefix(first, "#upstart-job"):
		p.Kind, p.ContentType = Unknown, "text/upstart-job"
		p.Err = errors.New("upstart jobs are not supported by cloud-init on this image")
	case strings.HasPrefix(low, "<powershell>") || strings.HasPrefix(low, "<script>") || strings.HasPrefix(low, "<persist>") ||
		strings.Contains(low, "</powershell>") || (strings.HasPrefix(low, "version:") && strings.Contains(low, "tasks:")):
		p.Kind = Windows
		p.Err = errors.New("Windows user data (EC2Launch/EC2Config) is not run on Linux images")
	default:
		p.Kind = Unknown
		if mt == "" {
			p.ContentType = "text/x-not-multipart"
		}
	}
	return []Part{p}
}

func parseArchive(b []byte, depth int) []Part {
	_, body, _ := strings.Cut(string(b), "\n")
	var items []yaml.Node
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(body), &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.SequenceNode {
		return []Part{{Kind: Unknown, ContentType: "text/cloud-config-archive", Content: b, Err: fmt.Errorf("bad cloud-config-archive: not a YAML list")}}
	}
	items = append(items, derefAll(doc.Content[0].Content)...)
	var out []Part
	for _, it := range items {
		switch it.Kind {
		case yaml.ScalarNode:
			out = append(out, classify([]byte(it.Value), "", "", depth+1)...)
		case yaml.MappingNode:
			var m struct {
				Type     string `yaml:"type"`
				Content  string `yaml:"content"`
				Filename string `yaml:"filename"`
			}
			if err := it.Decode(&m); err != nil {
				out = append(out, Part{Kind: Unknown, Err: err})
				continue
			}
			if m.Type == "" {
				out = append(out, classify([]byte(m.Content), "", m.Filename, depth+1)...)
				continue
			}
			out = append(out, classify([]byte(m.Content), m.Type, m.Filename, depth+1)...)
		}
	}
	return out
}

func derefAll(ns []*yaml.Node) []yaml.Node {
	out := make([]yaml.Node, 0, len(ns))
	for _, n := range ns {
		if n != nil {
			out = append(out, *n)
		}
	}
	return out
}
