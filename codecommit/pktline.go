package codecommit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/pktline"
)

// maxPktLines bounds how many pkt-lines one request may carry (wants, haves, commands), so an
// endless request cannot exhaust memory.
const maxPktLines = 1 << 20

// uploadRequest is a decoded git-upload-pack request (protocol v0/v1, stateless RPC).
type uploadRequest struct {
	Wants    []plumbing.Hash
	Caps     map[string]string
	Shallows []plumbing.Hash
	Depth    int
	Haves    []plumbing.Hash
	Done     bool
	// Negotiate is set when anything followed the want section; a stateless client sends
	// wants alone first to read the shallow list.
	Negotiate bool
}

func (r *uploadRequest) has(c string) bool { _, ok := r.Caps[c]; return ok }

var errProtocol = errors.New("protocol error")

func protoErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errProtocol, fmt.Sprintf(format, args...))
}

func parseHash(s string) (plumbing.Hash, error) {
	if len(s) != 40 {
		return plumbing.ZeroHash, protoErr("bad object id %q", s)
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return plumbing.ZeroHash, protoErr("bad object id %q", s)
		}
	}
	return plumbing.NewHash(s), nil
}

func parseCaps(s string, into map[string]string) {
	for _, f := range strings.Fields(s) {
		k, v, _ := strings.Cut(f, "=")
		into[k] = v
	}
}

// parseUploadRequest decodes an upload-pack request body.
func parseUploadRequest(r io.Reader) (*uploadRequest, error) {
	sc := pktline.NewScanner(r)
	req := &uploadRequest{Caps: map[string]string{}}
	phase := 0 // 0: wants/shallows, 1: haves
	n := 0
	for sc.Scan() {
		if n++; n > maxPktLines {
			return nil, protoErr("too many lines")
		}
		line := sc.Bytes()
		if len(line) == 0 { // flush
			if phase == 1 {
				req.Negotiate = true
			}
			phase = 1
			continue
		}
		if phase == 1 {
			req.Negotiate = true
		}
		s := strings.TrimSuffix(string(line), "\n")
		cmd, arg, _ := strings.Cut(s, " ")
		switch {
		case cmd == "want" && phase == 0:
			hs, caps, _ := strings.Cut(arg, " ")
			h, err := parseHash(hs)
			if err != nil {
				return nil, err
			}
			if len(req.Wants) == 0 {
				parseCaps(caps, req.Caps)
			}
			req.Wants = append(req.Wants, h)
		case cmd == "shallow" && phase == 0:
			h, err := parseHash(arg)
			if err != nil {
				return nil, err
			}
			req.Shallows = append(req.Shallows, h)
		case cmd == "deepen" && phase == 0:
			d, err := strconv.Atoi(arg)
			if err != nil || d < 0 {
				return nil, protoErr("bad deepen %q", arg)
			}
			req.Depth = d
		case cmd == "have":
			h, err := parseHash(arg)
			if err != nil {
				return nil, err
			}
			req.Haves = append(req.Haves, h)
			phase = 1
		case cmd == "done":
			req.Done = true
			return req, nil
		default:
			return nil, protoErr("unexpected line %q", s)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, protoErr("%v", err)
	}
	return req, nil
}

// refCommand is one "old new ref" line of a receive-pack request.
type refCommand struct {
	Old, New plumbing.Hash
	Name     plumbing.ReferenceName
}

// receiveRequest is a decoded git-receive-pack request; Pack is what follows the commands.
type receiveRequest struct {
	Commands []refCommand
	Caps     map[string]string
	Pack     io.Reader
}

func (r *receiveRequest) has(c string) bool { _, ok := r.Caps[c]; return ok }

// parseReceiveRequest decodes the command list of a receive-pack request. The pack data
// that follows is left in Pack.
func parseReceiveRequest(r io.Reader) (*receiveRequest, error) {
	br := &pktReader{r: r}
	req := &receiveRequest{Caps: map[string]string{}}
	for n := 0; ; n++ {
		if n > maxPktLines {
			return nil, protoErr("too many commands")
		}
		line, flush, err := br.next()
		if err != nil {
			return nil, err
		}
		if flush {
			break
		}
		s := strings.TrimSuffix(string(line), "\n")
		if h, ok := strings.CutPrefix(s, "shallow "); ok {
			if _, err := parseHash(h); err != nil {
				return nil, err
			}
			continue
		}
		s, caps, hasCaps := strings.Cut(s, "\x00")
		if hasCaps && len(req.Commands) == 0 {
			parseCaps(caps, req.Caps)
		}
		f := strings.Split(s, " ")
		if len(f) != 3 {
			return nil, protoErr("bad command %q", s)
		}
		old, err := parseHash(f[0])
		if err != nil {
			return nil, err
		}
		nw, err := parseHash(f[1])
		if err != nil {
			return nil, err
		}
		if f[2] == "" {
			return nil, protoErr("empty ref name")
		}
		req.Commands = append(req.Commands, refCommand{Old: old, New: nw, Name: plumbing.ReferenceName(f[2])})
	}
	req.Pack = r
	return req, nil
}

// pktReader reads pkt-lines one at a time without buffering past the flush, so the pack that
// follows can be read from the same reader.
type pktReader struct {
	r   io.Reader
	hdr [4]byte
	buf []byte
}

func (p *pktReader) next() (line []byte, flush bool, err error) {
	if _, err := io.ReadFull(p.r, p.hdr[:]); err != nil {
		return nil, false, protoErr("reading pkt-line: %v", err)
	}
	n, err := strconv.ParseUint(string(p.hdr[:]), 16, 16)
	if err != nil {
		return nil, false, protoErr("bad pkt-line length %q", p.hdr[:])
	}
	switch {
	case n == 0:
		return nil, true, nil
	case n < 4 || n > 65520:
		return nil, false, protoErr("bad pkt-line length %d", n)
	}
	if cap(p.buf) < int(n)-4 {
		p.buf = make([]byte, n-4)
	}
	p.buf = p.buf[:n-4]
	if _, err := io.ReadFull(p.r, p.buf); err != nil {
		return nil, false, protoErr("reading pkt-line: %v", err)
	}
	return p.buf, false, nil
}

// pktWriter writes pkt-lines.
type pktWriter struct {
	w   io.Writer
	err error
}

func (p *pktWriter) line(format string, args ...any) {
	if p.err != nil {
		return
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, format, args...)
	_, p.err = fmt.Fprintf(p.w, "%04x", b.Len()+4)
	if p.err == nil {
		_, p.err = p.w.Write(b.Bytes())
	}
}

func (p *pktWriter) flush() {
	if p.err == nil {
		_, p.err = io.WriteString(p.w, "0000")
	}
}
