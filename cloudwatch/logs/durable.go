package logs

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/devopsim/devopsim/store"
)

// Events are kept in memory; with Options.DurableEvents each accepted PutLogEvents batch is
// also written to env.Store (one record per batch) and replayed by New, so a platform on the
// durable store keeps its log events across restarts.

const eventsPrefix = "logs/events/"

type persistedBatch struct {
	Ingest int64    `json:"i"`
	TS     []int64  `json:"t"`
	Msgs   []string `json:"m"`
}

func streamEventsPrefix(scope, group, stream string) string {
	return eventsPrefix + scope + group + ":" + stream + "/"
}

// batchKey orders a stream's batches by arrival; it carries the batch's newest timestamp so
// the retention sweep can drop whole batches.
func batchKey(prefix string, seq uint64, maxTs int64) string {
	return fmt.Sprintf("%s%016d-%020d", prefix, seq, uint64(maxTs-minTime))
}

func batchMaxTs(key string) (int64, bool) {
	i := strings.LastIndexByte(key, '-')
	if i < 0 {
		return 0, false
	}
	v, err := strconv.ParseUint(key[i+1:], 10, 64)
	if err != nil {
		return 0, false
	}
	return int64(v) + minTime, true
}

func (s *Service) persistBatch(ctx context.Context, st *stream, ts []int64, msgs []string, ingest int64) {
	if !s.opts.DurableEvents {
		return
	}
	b, err := json.Marshal(persistedBatch{Ingest: ingest, TS: ts, Msgs: msgs})
	if err != nil {
		return
	}
	seq := st.data.nextBatch()
	key := batchKey(streamEventsPrefix(st.rec.Scope, st.rec.Group, st.rec.Name), seq, ts[len(ts)-1])
	if _, err := s.env.Store.Put(context.WithoutCancel(ctx), key, b, store.AnyRev); err != nil {
		s.log.Warn("logs: persisting events failed", "stream", st.rec.Name, "err", err)
	}
}

// loadEvents replays the persisted batches of every stream.
func (s *Service) loadEvents(ctx context.Context) error {
	for _, g := range s.groups {
		for _, st := range g.streams {
			prefix := streamEventsPrefix(st.rec.Scope, st.rec.Group, st.rec.Name)
			after := ""
			for {
				items, next, err := s.env.Store.List(ctx, prefix, after, 500)
				if err != nil {
					return err
				}
				for _, it := range items {
					var b persistedBatch
					if json.Unmarshal(it.Value, &b) != nil || len(b.TS) != len(b.Msgs) {
						continue
					}
					s.total.Add(st.data.append(b.TS, b.Msgs, b.Ingest))
					st.data.nextBatch()
				}
				if next == "" {
					break
				}
				after = next
			}
		}
	}
	return nil
}

// dropPersisted deletes a stream's persisted batches (all, or those entirely before cutoff).
func (s *Service) dropPersisted(ctx context.Context, rec streamRecord, cutoff int64, all bool) {
	if !s.opts.DurableEvents {
		return
	}
	prefix := streamEventsPrefix(rec.Scope, rec.Group, rec.Name)
	if all {
		_ = store.DeletePrefix(ctx, s.env.Store, prefix)
		return
	}
	after := ""
	for {
		items, next, err := s.env.Store.List(ctx, prefix, after, 500)
		if err != nil {
			return
		}
		for _, it := range items {
			if ts, ok := batchMaxTs(it.Key); ok && ts < cutoff {
				_ = s.env.Store.Delete(ctx, it.Key, store.AnyRev)
			}
		}
		if next == "" {
			return
		}
		after = next
	}
}
