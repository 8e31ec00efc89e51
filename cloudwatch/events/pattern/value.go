package pattern

import (
	"errors"
	"net/netip"
	"strings"
)

// Numbers are compared the way EventBridge compares them: as decimals with at most six digits
// after the point, between -5e11 and 5e11 inclusive, exactly (no floating point). A number
// outside that domain only matches by its literal text.

const (
	maxMicro = 500_000_000_000 * 1_000_000 // 5e11 scaled by 1e6
)

var (
	errSixDecimals = errors.New("Only values upto 6 decimals are supported")
	errNumRange    = errors.New("Value must be between -5.0E11 and 5.0E11, inclusive")
)

// toMicro converts a JSON number literal to millionths, exactly, or reports why it cannot.
func toMicro(lit string) (int64, error) {
	i := 0
	neg := false
	if i < len(lit) && (lit[i] == '-' || lit[i] == '+') {
		neg = lit[i] == '-'
		i++
	}
	// collect significant digits and the decimal exponent
	var digits [40]byte
	nd := 0
	exp := 0
	sawDot := false
	leading := true
	overflowDigits := 0
	for ; i < len(lit); i++ {
		c := lit[i]
		if c == '.' {
			if sawDot {
				return 0, errors.New("bad number")
			}
			sawDot = true
			continue
		}
		if c < '0' || c > '9' {
			break
		}
		if leading && c == '0' {
			if sawDot {
				exp--
			}
			continue
		}
		leading = false
		if nd < len(digits) {
			digits[nd] = c
			nd++
			if sawDot {
				exp--
			}
		} else {
			// too many significant digits: keep track of magnitude only
			if !sawDot {
				overflowDigits++
			}
			if c != '0' && sawDot {
				return 0, errSixDecimals
			}
		}
	}
	exp += overflowDigits
	if i < len(lit) && (lit[i] == 'e' || lit[i] == 'E') {
		i++
		eneg := false
		if i < len(lit) && (lit[i] == '-' || lit[i] == '+') {
			eneg = lit[i] == '-'
			i++
		}
		e := 0
		for ; i < len(lit) && lit[i] >= '0' && lit[i] <= '9'; i++ {
			if e < 100000 {
				e = e*10 + int(lit[i]-'0')
			}
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	if i != len(lit) {
		return 0, errors.New("bad number")
	}
	// strip trailing zeros
	for nd > 0 && digits[nd-1] == '0' {
		nd--
		exp++
	}
	if nd == 0 {
		return 0, nil
	}
	if exp < -6 {
		return 0, errSixDecimals
	}
	// value = digits * 10^exp; micro = digits * 10^(exp+6)
	if nd+exp+6 > 19 {
		return 0, errNumRange
	}
	var v int64
	for k := 0; k < nd; k++ {
		v = v*10 + int64(digits[k]-'0')
	}
	for k := 0; k < exp+6; k++ {
		v *= 10
	}
	if v > maxMicro {
		return 0, errNumRange
	}
	if neg {
		v = -v
	}
	return v, nil
}

// parseIP parses an IPv4 or IPv6 literal the way EventBridge recognises one; IPv4-mapped IPv6
// addresses count as IPv4.
func parseIP(s string) (netip.Addr, bool) {
	if len(s) < 2 || len(s) > 45 {
		return netip.Addr{}, false
	}
	if strings.IndexByte(s, '%') >= 0 {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// ipRange is an inclusive range of addresses of one family.
type ipRange struct {
	lo, hi [16]byte
	v4     bool
}

func (r *ipRange) contains(a netip.Addr) bool {
	if a.Is4() != r.v4 {
		return false
	}
	var b [16]byte
	if r.v4 {
		b4 := a.As4()
		copy(b[:], b4[:])
	} else {
		b = a.As16()
	}
	return string(b[:]) >= string(r.lo[:]) && string(b[:]) <= string(r.hi[:])
}

func singleIP(a netip.Addr) *ipRange {
	r := &ipRange{v4: a.Is4()}
	if r.v4 {
		b := a.As4()
		copy(r.lo[:], b[:])
	} else {
		r.lo = a.As16()
	}
	r.hi = r.lo
	return r
}

// parseCIDR follows EventBridge: the range runs from the address as written (not masked) to
// the address with every host bit set; IPv4 masks must be < 32 and IPv6 masks < 128.
func parseCIDR(s string) (*ipRange, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 2 {
		return nil, errors.New("Malformed CIDR, one '/' required")
	}
	bits := 0
	if parts[1] == "" || len(parts[1]) > 9 {
		return nil, errors.New("Malformed CIDR, mask bits must be an integer")
	}
	p := parts[1]
	neg := false
	if p[0] == '-' || p[0] == '+' {
		neg = p[0] == '-'
		p = p[1:]
		if p == "" {
			return nil, errors.New("Malformed CIDR, mask bits must be an integer")
		}
	}
	for _, c := range []byte(p) {
		if c < '0' || c > '9' {
			return nil, errors.New("Malformed CIDR, mask bits must be an integer")
		}
		bits = bits*10 + int(c-'0')
	}
	if neg && bits != 0 {
		return nil, errors.New("Malformed CIDR, mask bits must not be negative")
	}
	a, ok := parseIP(parts[0])
	if !ok {
		return nil, errors.New("Nonstandard IP address: " + parts[0])
	}
	r := singleIP(a)
	n := 16
	if r.v4 {
		n = 4
		if bits > 31 {
			return nil, errors.New("IPv4 mask bits must be < 32")
		}
	} else if bits > 127 {
		return nil, errors.New("IPv6 mask bits must be < 128")
	}
	host := n*8 - bits
	for i := n - 1; i >= 0 && host > 0; i-- {
		if host >= 8 {
			r.lo[i], r.hi[i] = 0, 0xff
		} else {
			r.lo[i] &^= byte(1<<host - 1)
			r.hi[i] |= byte(1<<host - 1)
		}
		host -= 8
	}
	return r, nil
}
