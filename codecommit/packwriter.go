package codecommit

import (
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"hash"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing"
)

// This file writes upload-pack responses: packs of whole objects compressed in parallel at
// zlib's fastest level (go-git's encoder compresses one object at a time at the default
// level, which made a 50 MB clone CPU-bound on deflate), framed in side-band-64k packets
// that respect pkt-line's 65,520-byte limit (go-git's sideband.Muxer sends 65,520-byte
// payloads, one more than pkt-line allows, so large writes through it fail; that broke the
// first clone pack cache with "bad pack header").

// maxSidebandData is the data of one side-band-64k packet: 65,520 bytes less the 4-byte
// length and the channel byte.
const (
	maxSidebandData  = 65520 - 4 - 1
	maxSidebandSmall = 1000 - 4 - 1
)

// sidebandWriter frames pack data on channel 1 (nil ch: raw, no side band).
type sidebandWriter struct {
	w    io.Writer
	max  int
	hdr  [5]byte
	raw  bool
	fail error
}

func newSidebandWriter(w io.Writer, mode string) *sidebandWriter {
	switch mode {
	case "side-band-64k":
		return &sidebandWriter{w: w, max: maxSidebandData}
	case "side-band":
		return &sidebandWriter{w: w, max: maxSidebandSmall}
	}
	return &sidebandWriter{w: w, raw: true}
}

func (s *sidebandWriter) Write(p []byte) (int, error) {
	if s.fail != nil {
		return 0, s.fail
	}
	if s.raw {
		n, err := s.w.Write(p)
		s.fail = err
		return n, err
	}
	return s.channel(1, p)
}

func (s *sidebandWriter) channel(ch byte, p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		k := min(len(p), s.max)
		copy(s.hdr[:4], fmt.Sprintf("%04x", k+5))
		s.hdr[4] = ch
		if _, err := s.w.Write(s.hdr[:]); err != nil {
			s.fail = err
			return n, err
		}
		if _, err := s.w.Write(p[:k]); err != nil {
			s.fail = err
			return n, err
		}
		n += k
		p = p[k:]
	}
	return n, nil
}

// errorMessage sends a message on the error channel (3) when there is a side band.
func (s *sidebandWriter) errorMessage(msg string) {
	if !s.raw && s.fail == nil {
		_, _ = s.channel(3, []byte(msg))
	}
}

// packEntry is one object's compressed pack entry (or why it could not be made).
type packEntry struct {
	b   []byte
	err error
}

// writePackTo writes a pack of objs (whole objects, no deltas) to w and returns the pack's
// checksum. Objects are read and compressed by up to workers goroutines and written in
// order; every goroutine has returned when writePackTo returns. Caller holds the
// repository's read lock (which must make concurrent reads safe when workers > 1).
func (r *gitRepo) writePackTo(w io.Writer, objs []plumbing.Hash, workers int) (plumbing.Hash, error) {
	sum := sha1.New()
	out := io.MultiWriter(w, sum)
	var head [12]byte
	copy(head[:], "PACK")
	binary.BigEndian.PutUint32(head[4:], 2)
	binary.BigEndian.PutUint32(head[8:], uint32(len(objs)))
	if _, err := out.Write(head[:]); err != nil {
		return plumbing.ZeroHash, err
	}
	if workers < 1 {
		workers = 1
	}
	workers = min(workers, runtime.GOMAXPROCS(0), max(1, len(objs)))
	type job struct {
		h   plumbing.Hash
		res chan packEntry
	}
	const window = 256
	jobs := make(chan job)
	order := make(chan chan packEntry, window)
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // producer: hands out jobs in order
		defer wg.Done()
		defer close(jobs)
		defer close(order)
		for _, h := range objs {
			res := make(chan packEntry, 1)
			order <- res
			jobs <- job{h, res}
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var zw *zlib.Writer
			for j := range jobs {
				if stop.Load() {
					j.res <- packEntry{err: io.ErrClosedPipe}
					continue
				}
				b, err := r.packEntry(j.h, &zw)
				j.res <- packEntry{b, err}
			}
		}()
	}
	var werr error
	for res := range order {
		e := <-res
		if werr != nil {
			continue
		}
		if e.err != nil {
			werr = e.err
		} else if _, err := out.Write(e.b); err != nil {
			werr = err
		}
		if werr != nil {
			stop.Store(true)
		}
	}
	wg.Wait()
	if werr != nil {
		return plumbing.ZeroHash, werr
	}
	var h plumbing.Hash
	copy(h[:], sum.Sum(nil))
	if _, err := w.Write(h[:]); err != nil {
		return plumbing.ZeroHash, err
	}
	return h, nil
}

// packEntry reads object h and returns its pack entry: the type-and-size header and the
// zlib stream of its content at the fastest level.
func (r *gitRepo) packEntry(h plumbing.Hash, zw **zlib.Writer) ([]byte, error) {
	o, err := r.st.EncodedObject(plumbing.AnyObject, h)
	if err != nil {
		return nil, err
	}
	rd, err := o.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	size := o.Size()
	var buf bytes.Buffer
	buf.Grow(int(size/2) + 64)
	// Header: type in bits 4-6 of the first byte, the size 4 bits then 7 bits a byte.
	c := byte(o.Type())<<4 | byte(size&0x0f)
	size >>= 4
	for size > 0 {
		buf.WriteByte(c | 0x80)
		c = byte(size & 0x7f)
		size >>= 7
	}
	buf.WriteByte(c)
	if *zw == nil {
		if *zw, err = zlib.NewWriterLevel(&buf, zlib.BestSpeed); err != nil {
			return nil, err
		}
	} else {
		(*zw).Reset(&buf)
	}
	if _, err := io.Copy(*zw, rd); err != nil {
		return nil, err
	}
	if err := (*zw).Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var _ hash.Hash = sha1.New()
