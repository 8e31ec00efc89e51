package template

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dlclark/regexp2"
)

var patternCache sync.Map // pattern -> *regexp2.Regexp

// compilePattern compiles an AllowedPattern with Java-like semantics (lookarounds allowed),
// anchored to the whole value as CloudFormation matches it.
func compilePattern(p string) (*regexp2.Regexp, error) {
	if re, ok := patternCache.Load(p); ok {
		return re.(*regexp2.Regexp), nil
	}
	re, err := regexp2.Compile(`^(?:`+p+`)$`, regexp2.None)
	if err != nil {
		return nil, err
	}
	re.MatchTimeout = 100 * time.Millisecond
	patternCache.Store(p, re)
	return re, nil
}

// Check validates one value (the parameter's text) against the declared type and constraints
// and returns AWS's message when it does not satisfy them.
func (p *Parameter) Check(value string) error {
	fail := func(format string, args ...any) error {
		if p.ConstraintDescription != "" {
			return &Error{Message: fmt.Sprintf("Parameter '%s' failed to satisfy constraint: %s", p.Name, p.ConstraintDescription)}
		}
		return &Error{Message: fmt.Sprintf(format, args...)}
	}
	items := []string{value}
	if IsListType(p.Type) {
		items = nil
		if value != "" {
			for _, s := range strings.Split(value, ",") {
				items = append(items, strings.TrimSpace(s))
			}
		}
	}
	typ := strings.ReplaceAll(p.Type, " ", "")
	for _, v := range items {
		if typ == "Number" || typ == "List<Number>" {
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				return &Error{Message: fmt.Sprintf("Parameter '%s' must be a number.", p.Name)}
			}
		}
	}
	check := func(v string) error {
		if len(p.AllowedValues) > 0 {
			ok := false
			for _, a := range p.AllowedValues {
				if a == v {
					ok = true
					break
				}
			}
			if !ok {
				return fail("Parameter '%s' must be one of AllowedValues", p.Name)
			}
		}
		if p.AllowedPattern != "" {
			re, err := compilePattern(p.AllowedPattern)
			if err == nil {
				if ok, _ := re.MatchString(v); !ok {
					return fail("Parameter '%s' must match pattern %s", p.Name, p.AllowedPattern)
				}
			}
		}
		if p.MinLength != nil && len(v) < *p.MinLength {
			return fail("Parameter '%s' must contain at least %d characters", p.Name, *p.MinLength)
		}
		if p.MaxLength != nil && len(v) > *p.MaxLength {
			return fail("Parameter '%s' must contain at most %d characters", p.Name, *p.MaxLength)
		}
		if p.MinValue != nil || p.MaxValue != nil {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return &Error{Message: fmt.Sprintf("Parameter '%s' must be a number.", p.Name)}
			}
			if p.MinValue != nil && f < *p.MinValue {
				return fail("Parameter '%s' must be a number not less than %s", p.Name, strconv.FormatFloat(*p.MinValue, 'f', -1, 64))
			}
			if p.MaxValue != nil && f > *p.MaxValue {
				return fail("Parameter '%s' must be a number not greater than %s", p.Name, strconv.FormatFloat(*p.MaxValue, 'f', -1, 64))
			}
		}
		return nil
	}
	if IsListType(p.Type) {
		for _, v := range items {
			if err := check(v); err != nil {
				return err
			}
		}
		return nil
	}
	return check(value)
}
