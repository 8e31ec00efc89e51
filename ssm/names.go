package ssm

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits of parameter names, as AWS documents them.
const (
	maxNameLength   = 1011 // fully qualified name
	maxLevels       = 15   // path segments, the name included
	maxPatternChars = 1024
	maxLabelLength  = 100
)

const nameRule = `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_`

const pathRule = `Parameter path: can't be prefixed with "aws" or "ssm" (case-insensitive) except global parameter name path prefixed with "aws" (case-sensitive). It should always begin with / symbol.It consists of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_`

func nameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}

// validSegments reports whether s (without its leading slash) is sub-paths of name characters
// divided by single slashes, and returns how many there are.
func validSegments(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n, seg := 1, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '/' {
			if seg == 0 {
				return 0, false
			}
			n, seg = n+1, 0
			continue
		}
		if !nameChar(c) {
			return 0, false
		}
		seg++
	}
	return n, seg > 0
}

func reservedPrefix(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "aws") || strings.HasPrefix(l, "ssm")
}

// checkWriteName validates the name of a parameter being created or changed.
func checkWriteName(name string) error {
	if name == "" {
		return validation("1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if len(name) > 2048 {
		return validation("1 validation error detected: Value at 'name' failed to satisfy constraint: Member must have length less than or equal to 2048")
	}
	rest := strings.TrimPrefix(name, "/")
	if strings.HasPrefix(strings.ToLower(name), "/aws/") {
		return ErrAccessDenied.With("No access to reserved parameter name: %s.", name)
	}
	levels, ok := validSegments(rest)
	if !ok || reservedPrefix(rest) {
		return validation("%s", nameRule)
	}
	if !strings.HasPrefix(name, "/") && levels > 1 {
		return validation("Parameter name must be a fully qualified name.")
	}
	if levels > maxLevels {
		return ErrHierarchyLevelLimitExceeded
	}
	if len(name) > maxNameLength {
		return validation("Parameter name %s... is too long: a fully qualified parameter name can have at most %d characters.", name[:32], maxNameLength)
	}
	return nil
}

// canonical is the store key of a name: "/foo" and "foo" are the same top-level parameter.
func canonical(name string) string { return strings.TrimPrefix(name, "/") }

// selector is a parsed reference to a parameter: a name with an optional ":version" or
// ":label".
type selector struct {
	Name    string // without the selector
	Version int64  // > 0 when a version was asked for
	Label   string // when a label was asked for
}

// String is the selector suffix as AWS echoes it (":3", ":prod"), "" for none.
func (s selector) String() string {
	switch {
	case s.Version > 0:
		return ":" + strconv.FormatInt(s.Version, 10)
	case s.Label != "":
		return ":" + s.Label
	}
	return ""
}

// parseReference parses a name, an ARN (arn:aws:ssm:region:account:parameter/name) or either
// with a ":version" or ":label" selector. It does not check the name's characters (a read of
// a malformed name simply finds nothing).
func parseReference(ref string) (selector, error) {
	if ref == "" {
		return selector{}, validation("1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if len(ref) > 2048 {
		return selector{}, validation("1 validation error detected: Value at 'name' failed to satisfy constraint: Member must have length less than or equal to 2048")
	}
	s := ref
	if strings.HasPrefix(s, "arn:") {
		parts := strings.SplitN(s, ":", 6)
		if len(parts) != 6 || parts[2] != "ssm" || !strings.HasPrefix(parts[5], "parameter/") {
			return selector{}, validation("Invalid parameter ARN: %s", ref)
		}
		s = strings.TrimPrefix(parts[5], "parameter")
		if strings.Count(s, "/") == 1 {
			s = s[1:] // parameter/foo names "foo" (or "/foo": the same parameter)
		}
	}
	name, sel, found := strings.Cut(s, ":")
	out := selector{Name: name}
	if !found {
		return out, nil
	}
	if sel == "" || strings.Contains(sel, ":") {
		return selector{}, validation("Invalid parameter selector %q. Specify a version number or a label, for example: name:1 or name:label.", ref)
	}
	if sel[0] >= '0' && sel[0] <= '9' {
		v, err := strconv.ParseInt(sel, 10, 64)
		if err != nil || v <= 0 {
			return selector{}, validation("Invalid parameter version %q.", sel)
		}
		out.Version = v
		return out, nil
	}
	out.Label = sel
	return out, nil
}

// checkPath validates a GetParametersByPath path.
func checkPath(p string) error {
	if p == "" || len(p) > 2048 || !strings.HasPrefix(p, "/") {
		return validation("%s", pathRule)
	}
	if p == "/" {
		return nil
	}
	rest := strings.TrimSuffix(p[1:], "/")
	levels, ok := validSegments(rest)
	if !ok {
		return validation("%s", pathRule)
	}
	if reservedPrefix(rest) && !strings.HasPrefix(rest, "aws/") && rest != "aws" {
		return validation("%s", pathRule)
	}
	if levels > maxLevels {
		return ErrHierarchyLevelLimitExceeded
	}
	return nil
}

// checkLabel reports whether a label may be attached (else it is returned as invalid).
func checkLabel(l string) bool {
	if l == "" || utf8.RuneCountInString(l) > maxLabelLength || reservedPrefix(l) || l[0] >= '0' && l[0] <= '9' {
		return false
	}
	for i := 0; i < len(l); i++ {
		if !nameChar(l[i]) {
			return false
		}
	}
	return true
}

// compilePattern compiles an AllowedPattern. AWS uses Java regular expressions; devopsim
// uses Go's RE2 syntax, which covers what patterns in practice use (no back-references or
// look-around). The whole value must match.
func compilePattern(p string) (*regexp.Regexp, error) {
	if utf8.RuneCountInString(p) > maxPatternChars {
		return nil, validation("1 validation error detected: Value at 'allowedPattern' failed to satisfy constraint: Member must have length less than or equal to %d", maxPatternChars)
	}
	re, err := regexp.Compile(`^(?:` + p + `)$`)
	if err != nil {
		return nil, ErrInvalidAllowedPattern.With("The allowed pattern is not valid: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	return re, nil
}

// checkPattern checks value against an AllowedPattern.
func checkPattern(pattern, value string) error {
	if pattern == "" {
		return nil
	}
	re, err := compilePattern(pattern)
	if err != nil {
		return err
	}
	if !re.MatchString(value) {
		return ErrParameterPatternMismatch.With("Parameter value, cannot be validated against allowedPattern: %s", pattern)
	}
	return nil
}

// parameterARN is the ARN of a parameter in the caller's account and region.
func parameterARN(region, account, name string) string {
	return fmt.Sprintf("arn:aws:ssm:%s:%s:parameter/%s", region, account, canonical(name))
}
