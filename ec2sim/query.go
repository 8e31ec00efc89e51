package ec2sim

import (
	"context"
	"errors"
	"slices"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/store"
)

// byID is one list of identifiers a Describe call asks for (ids, names, public IPs): each
// must name a record, else the call fails with notFound(it) (nil: checked by the caller);
// when any are given, only the records they name are listed.
type byID[R any] struct {
	want     []string
	of       func(R) string
	notFound func(string) error
}

// selection is what a Describe call lists of a set of records, as views T.
type selection[R, T any] struct {
	ids     []byID[R]    // checked in order
	keep    func(R) bool // optional: records listed at all
	filters []Filter
	values  func(r R, name string) ([]string, bool) // a record's values for a filter name; false for an unknown one
	view    func(R) T
	// Paging: limit 0 lists all; records come ordered by key, the page token is the last key listed.
	limit int
	after string
	key   func(R) string
}

// run checks the requested ids and returns the page of matching views and the next token.
func (q selection[R, T]) run(all []R) ([]T, string, error) {
	for _, l := range q.ids {
		for _, id := range l.want {
			if l.notFound == nil {
				break
			}
			if !slices.ContainsFunc(all, func(r R) bool { return l.of(r) == id }) {
				return nil, "", l.notFound(id)
			}
		}
	}
	out := []T{}
	var last R
	for _, r := range all {
		if !q.selects(r) {
			continue
		}
		ok, err := matchFilters(q.filters, func(name string) ([]string, bool) { return q.values(r, name) })
		if err != nil {
			return nil, "", err
		}
		if !ok {
			continue
		}
		if q.limit > 0 && len(out) == q.limit {
			return out, encodeToken(q.key(last)), nil
		}
		out = append(out, q.view(r))
		last = r
	}
	return out, "", nil
}

func (q selection[R, T]) selects(r R) bool {
	if q.keep != nil && !q.keep(r) {
		return false
	}
	for _, l := range q.ids {
		if len(l.want) > 0 && !contains(l.want, l.of(r)) {
			return false
		}
	}
	return q.after == "" || q.key(r) > q.after
}

// pageParams validates a Describe call's MaxResults (min..max), filters and NextToken, in
// that order, and returns the page limit (0: all) and the key to list after.
func pageParams(maxResults int32, min, max int, filters []Filter, token string) (int, string, error) {
	limit, err := pageLimit(maxResults, min, max)
	if err != nil {
		return 0, "", err
	}
	if err := validateFilters(filters); err != nil {
		return 0, "", err
	}
	after, err := decodeToken(token)
	if err != nil {
		return 0, "", err
	}
	return limit, after, nil
}

// record gets the caller's record id of t: malformed when id lacks the prefix, notFound when
// there is none.
func record[R any](ctx context.Context, t *store.Table[R], id, prefix string, malformed, notFound error) (R, error) {
	if !validID(id, prefix) {
		var zero R
		return zero, malformed
	}
	r, err := t.Get(ctx, scope(ctx)+id)
	if errors.Is(err, store.ErrNotFound) {
		return r, notFound
	}
	return r, err
}

// deleteIdle deletes the record get loads, under the network lock, unless busy says why it
// cannot go.
func deleteIdle[R any](ctx context.Context, s *Service, t *store.Table[R], get func() (R, error), id func(R) string, busy func(R) error, dryRun bool) error {
	s.netMu.Lock()
	defer s.netMu.Unlock()
	r, err := get()
	if err != nil {
		return err
	}
	if err := busy(r); err != nil {
		return err
	}
	if dryRun {
		return ErrDryRun
	}
	if err := t.Delete(ctx, scope(ctx)+id(r)); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}

// scopedAll returns the caller's records of a network table (the default VPC made first).
func scopedAll[R any](ctx context.Context, s *Service, t *store.Table[R]) ([]R, error) {
	if err := s.ensureDefaults(ctx); err != nil {
		return nil, err
	}
	return t.All(ctx, scope(ctx))
}

// missing is a byID notFound: e with format's message for the id.
func missing(e *apierr.Error, format string) func(string) error {
	return func(id string) error { return e.With(format, id) }
}
