package cloudtrail

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/store"
)

// Event history is served from memory; with Options.DurableHistory every processed batch of
// events is also written to env.Store (one record per chunk of at most chunkSize events, never
// one per event) and replayed by New, so a platform on the durable store keeps its event history
// (and its event IDs) across restarts. This is the approach of CloudWatch Logs' durable events.
//
// A persisted chunk covers a range of positions [First, End); it holds the management and
// Insights events of the range (data events are never in event history, so they are not kept,
// only their positions, so that event IDs are never reused). Its key carries the range, so the
// chunks whose events were all evicted (retention or the cap) are deleted without reading them.

const (
	historyPrefix  = "cloudtrail/history/"
	historyMetaKey = "cloudtrail/meta/history"
	// loadPage is how many chunks New reads per store listing.
	loadPage = 16
	// maxPos bounds the positions of a stored chunk: event IDs carry 48 bits of position and
	// Insights shared IDs use bit 47.
	maxPos = 1 << 47
)

// historyMeta is what makes event IDs stable across restarts.
type historyMeta struct {
	IDPrefix string `json:"idPrefix"`
}

// persistedChunk is one stored chunk of history. Principals and sources are interned per chunk.
type persistedChunk struct {
	First      uint64            `json:"f"`
	End        uint64            `json:"e"`
	Principals []identity.Caller `json:"p,omitzero"`
	Sources    []string          `json:"s,omitzero"`
	Records    []persistedRecord `json:"r,omitzero"`
}

type persistedRecord struct {
	Pos        uint64              `json:"n"`
	Sec        int64               `json:"t"`
	Nsec       int64               `json:"tn,omitzero"`
	Src        int                 `json:"s"`
	Who        int                 `json:"w"`
	Name       string              `json:"e"`
	RequestID  string              `json:"q,omitzero"`
	Params     jsontext.Value      `json:"a,omitzero"`
	Response   jsontext.Value      `json:"o,omitzero"`
	Resources  []persistedResource `json:"r,omitzero"`
	ReadOnly   bool                `json:"ro,omitzero"`
	Cat        category            `json:"c,omitzero"`
	ErrCode    string              `json:"ec,omitzero"`
	ErrMsg     string              `json:"em,omitzero"`
	Additional jsontext.Value      `json:"ad,omitzero"`
	Insight    *persistedInsight   `json:"i,omitzero"`
}

type persistedResource struct {
	Type    string `json:"t,omitzero"`
	Name    string `json:"n,omitzero"`
	ARN     string `json:"a,omitzero"`
	Account string `json:"c,omitzero"`
}

type persistedInsight struct {
	State        string  `json:"s"`
	Type         string  `json:"t"`
	ErrorCode    string  `json:"ec,omitzero"`
	SharedID     string  `json:"id"`
	Baseline     float64 `json:"b"`
	Value        float64 `json:"v"`
	Duration     int     `json:"d"`
	BaselineMins int     `json:"bm"`
}

// persistedKey is a stored chunk New loaded or this service wrote, for pruning.
type persistedKey struct {
	key string
	end uint64
}

// persistJSON tolerates what the recorder stored as is.
var persistJSON = json.JoinOptions(jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))

func chunkKey(first, end uint64) string {
	return fmt.Sprintf("%s%016x-%016x", historyPrefix, first, end)
}

// persist writes the records just inserted (positions ascending, contiguous with what was
// persisted before) to the store, a chunk at a time. Called under procMu.
func (s *Service) persist(recs []*record) {
	if !s.opts.DurableHistory || len(recs) == 0 {
		return
	}
	for len(recs) > 0 {
		n := min(len(recs), chunkSize)
		s.persistChunk(recs[:n], recs[n-1].pos+1)
		recs = recs[n:]
	}
	s.prune()
}

// persistTail records the range of trailing data events no chunk covers yet, so their
// positions (event IDs in delivered files) are not reused after a restart. Called under procMu.
func (s *Service) persistTail() {
	if !s.opts.DurableHistory {
		return
	}
	s.hist.mu.RLock()
	next := s.hist.next
	s.hist.mu.RUnlock()
	if s.persistEnd < next {
		s.persistChunk(nil, next)
	}
}

// persistChunk writes the events of recs as the chunk [s.persistEnd, end). A chunk of data
// events only is not written: the next chunk's range covers their positions. The chunk is
// encoded by hand (the JSON persistedChunk decodes), into a buffer reused under procMu.
func (s *Service) persistChunk(recs []*record, end uint64) {
	first := s.persistEnd
	var who map[*principal]int
	var src map[*source]int
	var whos []*principal
	var srcs []*source
	b := s.perBuf[:0]
	b = append(b, `{"r":[`...)
	n := 0
	for _, r := range recs {
		if r.cat == catData {
			continue
		}
		if who == nil {
			who, src = map[*principal]int{}, map[*source]int{}
		}
		w, ok := who[r.who]
		if !ok {
			w = len(whos)
			who[r.who] = w
			whos = append(whos, r.who)
		}
		sr, ok := src[r.src]
		if !ok {
			sr = len(srcs)
			src[r.src] = sr
			srcs = append(srcs, r.src)
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = appendRecordState(b, r, w, sr)
	}
	if n == 0 && recs != nil {
		return // data events only: covered by the next chunk
	}
	b = append(b, `],"s":[`...)
	for i, sr := range srcs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendStr(b, sr.eventSource)
	}
	b = append(b, `],"p":[`...)
	for i, p := range whos {
		if i > 0 {
			b = append(b, ',')
		}
		pb, err := json.Marshal(p.Caller, persistJSON)
		if err != nil {
			s.log.Warn("cloudtrail: encoding event history failed", "err", err)
			return
		}
		b = append(b, pb...)
	}
	b = append(b, `],"f":`...)
	b = strconv.AppendUint(b, first, 10)
	b = append(b, `,"e":`...)
	b = strconv.AppendUint(b, end, 10)
	b = append(b, '}')
	s.perBuf = b
	key := chunkKey(first, end)
	if _, err := s.env.Store.Put(context.Background(), key, b, store.AnyRev); err != nil {
		s.log.Warn("cloudtrail: persisting event history failed", "err", err)
		return
	}
	if cap(s.perBuf) > 1<<24 {
		s.perBuf = nil // do not keep a huge buffer
	}
	s.persistEnd = end
	s.perMu.Lock()
	s.persisted = append(s.persisted, persistedKey{key: key, end: end})
	s.perMu.Unlock()
}

// appendRecordState appends r as a persistedRecord (who and src are its indexes in the chunk).
func appendRecordState(b []byte, r *record, who, src int) []byte {
	b = append(b, `{"n":`...)
	b = strconv.AppendUint(b, r.pos, 10)
	b = append(b, `,"t":`...)
	b = strconv.AppendInt(b, r.t.Unix(), 10)
	if ns := r.t.Nanosecond(); ns != 0 {
		b = append(b, `,"tn":`...)
		b = strconv.AppendInt(b, int64(ns), 10)
	}
	b = append(b, `,"s":`...)
	b = strconv.AppendInt(b, int64(src), 10)
	b = append(b, `,"w":`...)
	b = strconv.AppendInt(b, int64(who), 10)
	b = append(b, `,"e":`...)
	b = appendStr(b, r.name)
	if r.requestID != "" {
		b = append(b, `,"q":`...)
		b = appendStr(b, r.requestID)
	}
	if len(r.params) > 0 {
		b = append(b, `,"a":`...)
		b = append(b, r.params...)
	}
	if len(r.response) > 0 {
		b = append(b, `,"o":`...)
		b = append(b, r.response...)
	}
	if len(r.resources) > 0 {
		b = append(b, `,"r":[`...)
		for i, res := range r.resources {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"t":`...)
			b = appendStr(b, res.Type)
			b = append(b, `,"n":`...)
			b = appendStr(b, res.Name)
			b = append(b, `,"a":`...)
			b = appendStr(b, res.ARN)
			b = append(b, `,"c":`...)
			b = appendStr(b, res.Account)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if r.readOnly {
		b = append(b, `,"ro":true`...)
	}
	if r.cat != 0 {
		b = append(b, `,"c":`...)
		b = strconv.AppendInt(b, int64(r.cat), 10)
	}
	if x := r.x; x != nil {
		if x.errCode != "" {
			b = append(b, `,"ec":`...)
			b = appendStr(b, x.errCode)
		}
		if x.errMsg != "" {
			b = append(b, `,"em":`...)
			b = appendStr(b, x.errMsg)
		}
		if len(x.additional) > 0 {
			b = append(b, `,"ad":`...)
			b = append(b, x.additional...)
		}
		if d := x.insight; d != nil {
			b = append(b, `,"i":{"s":`...)
			b = appendStr(b, d.state)
			b = append(b, `,"t":`...)
			b = appendStr(b, d.insightType)
			if d.errorCode != "" {
				b = append(b, `,"ec":`...)
				b = appendStr(b, d.errorCode)
			}
			b = append(b, `,"id":`...)
			b = appendStr(b, d.sharedID)
			b = append(b, `,"b":`...)
			b = appendFloat(b, d.baseline)
			b = append(b, `,"v":`...)
			b = appendFloat(b, d.value)
			b = append(b, `,"d":`...)
			b = strconv.AppendInt(b, int64(d.duration), 10)
			b = append(b, `,"bm":`...)
			b = strconv.AppendInt(b, int64(d.baselineMins), 10)
			b = append(b, '}')
		}
	}
	return append(b, '}')
}

func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, '0')
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

// prune deletes the stored chunks whose events have all left history.
func (s *Service) prune() {
	if !s.opts.DurableHistory {
		return
	}
	s.hist.mu.RLock()
	first := s.hist.first
	s.hist.mu.RUnlock()
	s.perMu.Lock()
	var drop []string
	for len(s.persisted) > 0 && s.persisted[0].end <= first {
		drop = append(drop, s.persisted[0].key)
		s.persisted = s.persisted[1:]
	}
	s.perMu.Unlock()
	for _, k := range drop {
		if err := s.env.Store.Delete(context.Background(), k, store.AnyRev); err != nil && !errors.Is(err, store.ErrNotFound) {
			s.log.Warn("cloudtrail: pruning event history failed", "err", err)
		}
	}
}

// loadHistory restores the ID prefix and the persisted history, applies retention and the cap,
// prunes what they evicted and rebuilds the Insights baselines. Called by New before anything
// else touches the service.
func (s *Service) loadHistory(ctx context.Context) error {
	it, err := s.env.Store.Get(ctx, historyMetaKey)
	switch {
	case err == nil:
		var m historyMeta
		if err := json.Unmarshal(it.Value, &m); err != nil || len(m.IDPrefix) != len(s.idPrefix) {
			return fmt.Errorf("cloudtrail: bad %s: %q", historyMetaKey, it.Value)
		}
		s.idPrefix = m.IDPrefix
	case errors.Is(err, store.ErrNotFound):
		b, err := json.Marshal(historyMeta{IDPrefix: s.idPrefix})
		if err != nil {
			return err
		}
		if _, err := s.env.Store.Put(ctx, historyMetaKey, b, store.NoRev); err != nil {
			return err
		}
	default:
		return err
	}
	h := s.hist
	after := ""
	for {
		items, next, err := s.env.Store.List(ctx, historyPrefix, after, loadPage)
		if err != nil {
			return err
		}
		for _, it := range items {
			var c persistedChunk
			if err := json.Unmarshal(it.Value, &c, persistJSON); err != nil || c.End < c.First || c.End > maxPos {
				s.log.Warn("cloudtrail: skipping a bad event history chunk", "key", it.Key, "err", err)
				continue
			}
			h.restore(c.First, c.End, s.decodeChunk(&c))
			s.persisted = append(s.persisted, persistedKey{key: it.Key, end: c.End})
		}
		if next == "" {
			break
		}
		after = next
	}
	s.persistEnd = h.next
	h.evict(s.env.Clock.Now())
	s.prune()
	s.replayInsights()
	return nil
}

// decodeChunk turns a stored chunk back into records, interning what the recorder interns.
func (s *Service) decodeChunk(c *persistedChunk) []record {
	who := make([]*principal, len(c.Principals))
	for i, p := range c.Principals {
		who[i] = s.interns.principal(p)
	}
	src := make([]*source, len(c.Sources))
	for i, e := range c.Sources {
		src[i] = s.interns.source(e)
	}
	recs := make([]record, 0, len(c.Records))
	for i := range c.Records {
		p := &c.Records[i]
		if p.Who < 0 || p.Who >= len(who) || p.Src < 0 || p.Src >= len(src) || p.Pos < c.First || p.Pos >= c.End ||
			p.Cat > catInsight || (p.Cat == catInsight) != (p.Insight != nil) {
			continue
		}
		r := record{pos: p.Pos, t: time.Unix(p.Sec, p.Nsec).UTC(), src: src[p.Src], who: who[p.Who], name: p.Name,
			requestID: p.RequestID, params: s.interns.blob(p.Params), response: s.interns.blob(p.Response),
			readOnly: p.ReadOnly, cat: p.Cat}
		if len(p.Resources) > 0 {
			rs := make([]resourceRef, len(p.Resources))
			for j, res := range p.Resources {
				rs[j] = resourceRef(res)
			}
			r.resources = s.interns.resources(rs)
		}
		if p.ErrCode != "" || p.ErrMsg != "" || len(p.Additional) > 0 {
			r.ext().errCode, r.ext().errMsg, r.ext().additional = p.ErrCode, p.ErrMsg, p.Additional
		}
		if d := p.Insight; d != nil {
			r.ext().insight = &insightDetail{state: d.State, insightType: d.Type, errorCode: d.ErrorCode, sharedID: d.SharedID,
				baseline: d.Baseline, value: d.Value, duration: d.Duration, baselineMins: d.BaselineMins}
		}
		recs = append(recs, r)
	}
	return recs
}

// restore appends the stored range [first, end) holding recs (positions ascending) to history;
// positions without a record (data events) get an empty placeholder no index refers to.
func (h *history) restore(first, end uint64, recs []record) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.first == h.next {
		h.reset(first)
	}
	for i := range recs {
		if recs[i].pos < h.next {
			continue // overlaps what was restored already
		}
		h.fill(recs[i].pos)
		r := h.slot()
		*r = recs[i]
		h.index(r)
	}
	h.fill(end)
}

// slot returns the record at h.next, allocating its chunk, and advances h.next.
func (h *history) slot() *record {
	off := h.next - h.base
	if int(off>>chunkBits) == len(h.chunks) {
		h.chunks = append(h.chunks, make([]record, chunkSize))
	}
	r := &h.chunks[off>>chunkBits][off&(chunkSize-1)]
	r.pos = h.next
	h.next++
	return r
}

// reset empties history and makes pos its next position.
func (h *history) reset(pos uint64) {
	h.chunks = nil
	clear(h.scopes)
	h.base = pos &^ (chunkSize - 1)
	h.first, h.next = pos, pos
}

// fill puts placeholders up to (excluding) pos. A gap longer than the cap (the chunks of a
// stretch of data events, or a damaged store) would evict everything before it: it resets.
func (h *history) fill(pos uint64) {
	if pos > h.next && pos-h.next >= uint64(h.max) {
		h.reset(pos)
		return
	}
	for h.next < pos {
		r := h.slot()
		*r = record{pos: r.pos, cat: catData}
	}
}

// replayInsights rebuilds the Insights counters from the restored write management events, and
// the open Insights from the restored Insights events, so an Insight open before the restart
// ends with its own shared event ID and baselines are not lost.
func (s *Service) replayInsights() {
	snap := s.snap.Load()
	in := s.ins
	h := s.hist
	var discard []record
	var seq uint64
	for pos := h.first; pos < h.next; pos++ {
		r := h.get(pos)
		switch r.cat {
		case catManagement:
			if !r.readOnly && snap.insightsOn(r.who.Account, r.who.Region) != 0 {
				discard = in.observe(r, discard[:0])
			}
		case catInsight:
			d := r.insight()
			if d == nil {
				continue
			}
			if p, ok := s.posOf(d.sharedID); ok && p&^(1<<47) > seq && p&(1<<47) != 0 {
				seq = p &^ (1 << 47)
			}
			k := insightKey{r.who.Account, r.who.Region, r.src.eventSource, r.name}
			c := in.counters[k]
			if c == nil {
				continue
			}
			i := 0
			if d.insightType == "ApiErrorRateInsight" {
				i = 1
			}
			if d.state == "End" {
				c.active[i] = nil
				continue
			}
			c.active[i] = &activeInsight{shared: d.sharedID, start: minuteOf(r.t), peak: d.value, baseline: d.baseline, errCode: d.errorCode}
		}
	}
	in.seq = max(in.seq, seq)
	// the Insights the replay found but the history does not hold (their start was not
	// persisted) keep the shared ID the replay gave them
}
