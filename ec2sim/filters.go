package ec2sim

import (
	"context"
	"slices"
	"strings"

	"github.com/devopsim/devopsim/internal/dispatch"
)

func dispatchDo[In, Out any](ctx context.Context, s *Service, op string, in *In, fn func(context.Context, *In) (*Out, error)) (*Out, error) {
	return dispatch.Do(ctx, s.d, op, in, fn)
}

func contains(list []string, v string) bool { return slices.Contains(list, v) }

// glob matches EC2 filter wildcards: * any run, ? one character; \ escapes.
func glob(pat, s string) bool {
	if !strings.ContainsAny(pat, `*?\`) {
		return pat == s
	}
	return globMatch([]rune(pat), []rune(s))
}

func globMatch(p, s []rune) bool {
	for len(p) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			if len(p) == 0 {
				return true
			}
			for i := 0; i <= len(s); i++ {
				if globMatch(p, s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if len(s) == 0 {
				return false
			}
			p, s = p[1:], s[1:]
		case '\\':
			if len(p) > 1 {
				p = p[1:]
			}
			fallthrough
		default:
			if len(s) == 0 || s[0] != p[0] {
				return false
			}
			p, s = p[1:], s[1:]
		}
	}
	return len(s) == 0
}

// matchFilters reports whether a resource passes every filter: for each filter, one of the
// resource's values for that name matches one of the filter's values. get returns false for
// an unknown filter name, which is an error as in EC2.
func matchFilters(filters []Filter, get func(name string) ([]string, bool)) (bool, error) {
	for _, f := range filters {
		vals, ok := get(f.Name)
		if !ok {
			return false, ErrInvalidFilter.With("The filter '%s' is invalid", f.Name)
		}
		if len(f.Values) == 0 {
			continue
		}
		hit := false
		for _, v := range vals {
			for _, want := range f.Values {
				if glob(want, v) {
					hit = true
					break
				}
			}
			if hit {
				break
			}
		}
		if !hit {
			return false, nil
		}
	}
	return true, nil
}

// tagFilter answers tag:<key>, tag-key and tag-value.
func tagFilter(name string, tags []Tag) ([]string, bool) {
	switch {
	case strings.HasPrefix(name, "tag:"):
		k := name[4:]
		for _, t := range tags {
			if t.Key == k {
				return []string{t.Value}, true
			}
		}
		return nil, true
	case name == "tag-key":
		out := make([]string, len(tags))
		for i, t := range tags {
			out[i] = t.Key
		}
		return out, true
	case name == "tag-value":
		out := make([]string, len(tags))
		for i, t := range tags {
			out[i] = t.Value
		}
		return out, true
	}
	return nil, false
}

func validateFilters(filters []Filter) error {
	for _, f := range filters {
		if f.Name == "" {
			return ErrInvalidFilter.With("The filter 'null' is invalid")
		}
	}
	return nil
}
