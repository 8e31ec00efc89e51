package pattern_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/cloudwatch/events/pattern"
)

func TestCompileErrors(t *testing.T) {
	many := make([]string, 0, 120)
	for i := 0; i < 120; i++ {
		many = append(many, fmt.Sprintf(`{"wildcard":"*%d*x*"}`, i))
	}
	tests := []struct {
		pattern, reason string
	}{
		{`[]`, "Filter is not an object"},
		{`{}`, "Empty objects are not allowed"},
		{`{"a": {}}`, "Empty objects are not allowed"},
		{`{"a": "b"}`, `"a" must be an object or an array`},
		{`{"a": []}`, "Empty arrays are not allowed"},
		{`{"a": [[1]]}`, "Match value must be String, number, true, false, or null"},
		{`{"a": [{}]}`, "Match expression name not found"},
		{`{"a": [{"foo": 1}]}`, "Unrecognized match type foo"},
		{`{"a": [{"prefix": 1}]}`, "prefix match pattern must be a string"},
		{`{"a": [{"prefix": "x", "suffix": "y"}]}`, "Only one key allowed in match expression"},
		{`{"a": [{"prefix": {"foo": "x"}}]}`, "Unsupported prefix pattern: foo"},
		{`{"a": [{"suffix": {"equals-ignore-case": 1}}]}`, "equals-ignore-case match pattern must be a string"},
		{`{"a": [{"numeric": 5}]}`, "Value of numeric must be an array."},
		{`{"a": [{"numeric": [5]}]}`, "Invalid member in numeric match: 5"},
		{`{"a": [{"numeric": ["!", 5]}]}`, "Unrecognized numeric range operator: !"},
		{`{"a": [{"numeric": [">", "x"]}]}`, "Value of > must be numeric"},
		{`{"a": [{"numeric": [">", 5, "<", 1]}]}`, "Bottom must be less than top"},
		{`{"a": [{"numeric": [">", 5, ">", 10]}]}`, "Bad numeric range operator: >"},
		{`{"a": [{"numeric": [">", 0, "<", 5, 6]}]}`, "Too many terms in numeric range expression"},
		{`{"a": [{"numeric": ["=", 5, 6]}]}`, "Too many elements in numeric expression"},
		{`{"a": [{"numeric": ["=", 0.0000001]}]}`, "Only values upto 6 decimals are supported"},
		{`{"a": [{"numeric": ["<", 6e11]}]}`, "Value must be between -5.0E11 and 5.0E11, inclusive"},
		{`{"a": [{"anything-but": null}]}`, "Value of anything-but must be an array or single string/number value."},
		{`{"a": [{"anything-but": ["x", 1]}]}`, "Inside anything but list, either all values are number or string, mixed type is not supported"},
		{`{"a": [{"anything-but": [true]}]}`, "Inside anything but list, start|null|boolean is not supported."},
		{`{"a": [{"anything-but": {"foo": "x"}}]}`, "Unsupported anything-but pattern: foo"},
		{`{"a": [{"anything-but": {"prefix": ""}}]}`, "Null prefix/suffix not allowed"},
		{`{"a": [{"anything-but": {"equals-ignore-case": [1]}}]}`, "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."},
		{`{"a": [{"exists": "yes"}]}`, "exists match pattern must be either true or false."},
		{`{"a": [{"cidr": "10.0.0.0"}]}`, "Malformed CIDR, one '/' required"},
		{`{"a": [{"cidr": "10.0.0.0/x"}]}`, "Malformed CIDR, mask bits must be an integer"},
		{`{"a": [{"cidr": "10.0.0.0/32"}]}`, "IPv4 mask bits must be < 32"},
		{`{"a": [{"cidr": "::/128"}]}`, "IPv6 mask bits must be < 128"},
		{`{"a": [{"cidr": "foo/8"}]}`, "Nonstandard IP address: foo"},
		{`{"a": [{"wildcard": "a**b"}]}`, "Consecutive wildcard characters at pos 2"},
		{`{"a": [{"wildcard": "a\\b"}]}`, "Invalid escape character at pos 2"},
		{`{"$or": [{"a": ["1"]}, {"b": {"prefix": ["x"]}}]}`, "prefix is Ruler reserved fieldName which cannot be used inside $or."},
		{`{"$or": [{"numeric": 123}, {"prefix": "abc"}]}`, "Value of numeric must be an array."},
		{`{"a": [` + strings.Join(many, ",") + `]}`, pattern.ReasonTooComplex},
		{`{"a": ["x"`, "Unexpected end-of-input: expected close marker for Array"},
		{`{"a": [tru]}`, "Unrecognized token 'tru': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"},
	}
	for _, tt := range tests {
		_, err := pattern.Compile(tt.pattern)
		var pe *pattern.Error
		if !errors.As(err, &pe) {
			t.Errorf("%s: got %v, want an *Error", tt.pattern, err)
			continue
		}
		if pe.Reason != tt.reason {
			t.Errorf("%s: reason %q, want %q", tt.pattern, pe.Reason, tt.reason)
		}
		if !strings.HasPrefix(err.Error(), "Event pattern is not valid. Reason: ") {
			t.Errorf("%s: message %q", tt.pattern, err)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, event string
		want           bool
	}{
		{`{"source":["aws.ec2"]}`, `{"source":"aws.ec2"}`, true},
		{`{"source":["aws.ec2","aws.s3"]}`, `{"source":"aws.s3"}`, true},
		{`{"source":["aws.ec2"]}`, `{"source":"aws.s3"}`, false},
		{`{"a":[5]}`, `{"a":5.0}`, true},
		{`{"a":[5]}`, `{"a":"5"}`, false},
		{`{"a":[123456789012345]}`, `{"a":123456789012345}`, true},
		{`{"a":[null]}`, `{"a":null}`, true},
		{`{"a":[null]}`, `{}`, false},
		{`{"a":[""]}`, `{"a":""}`, true},
		{`{"a":[true]}`, `{"a":"true"}`, false},
		{`{"a":[{"prefix":"ab"}]}`, `{"a":"abc"}`, true},
		{`{"a":[{"prefix":{"equals-ignore-case":"AB"}}]}`, `{"a":"abc"}`, true},
		{`{"a":[{"suffix":".png"}]}`, `{"a":"x.PNG"}`, false},
		{`{"a":[{"suffix":{"equals-ignore-case":".png"}}]}`, `{"a":"x.PNG"}`, true},
		{`{"a":[{"equals-ignore-case":"ÄBC"}]}`, `{"a":"äbc"}`, true},
		{`{"a":[{"wildcard":"*.png"}]}`, `{"a":"dir/file.png"}`, true},
		{`{"a":[{"wildcard":"a\\*b"}]}`, `{"a":"a*b"}`, true},
		{`{"a":[{"wildcard":"a\\*b"}]}`, `{"a":"axb"}`, false},
		{`{"a":[{"numeric":[">",0,"<=",5]}]}`, `{"a":5}`, true},
		{`{"a":[{"numeric":[">",0,"<=",5]}]}`, `{"a":0}`, false},
		{`{"a":[{"numeric":["=",3.018e2]}]}`, `{"a":301.8}`, true},
		{`{"a":[{"anything-but":"x"}]}`, `{"a":"y"}`, true},
		{`{"a":[{"anything-but":"x"}]}`, `{}`, false},
		{`{"a":[{"anything-but":[1,2]}]}`, `{"a":"1"}`, true},
		{`{"a":[{"anything-but":[1,2]}]}`, `{"a":2.0}`, false},
		{`{"a":[{"exists":true}]}`, `{"a":null}`, true},
		{`{"a":[{"exists":false}]}`, `{"a":{"b":1}}`, true},
		{`{"a":[{"exists":false}]}`, `{"a":[]}`, true},
		{`{"a":[{"cidr":"10.0.0.0/8"}]}`, `{"a":"10.1.2.3"}`, true},
		{`{"a":[{"cidr":"2001:db8::/32"}]}`, `{"a":"2001:DB8::1"}`, true},
		{`{"a":["10.0.0.1"]}`, `{"a":"10.0.0.1"}`, true},
		{`{"a":["::0"]}`, `{"a":"::"}`, true},
		{`{"detail":{"state":["running"]}}`, `{"detail":{"state":"running"}}`, true},
		{`{"detail.state":["running"]}`, `{"detail":{"state":"running"}}`, true},
		{`{"$or":[{"a":["1"]},{"b":["2"]}]}`, `{"b":"2"}`, true},
		{`{"$or":[{"a":["1"]},{"b":["2"]}]}`, `{"c":"2"}`, false},
		{`{"d":{"a":["1"],"b":["2"]}}`, `{"d":[{"a":"1"},{"b":"2"}]}`, false},
		{`{"d":{"a":["1"],"b":["2"]}}`, `{"d":[{"a":"1","b":"2"}]}`, true},
		{`{"tags":["x"]}`, `{"tags":["y","x"]}`, true},
	}
	for _, tt := range tests {
		p, err := pattern.Compile(tt.pattern)
		if err != nil {
			t.Fatalf("%s: %v", tt.pattern, err)
		}
		got, err := p.Match([]byte(tt.event))
		if err != nil {
			t.Fatalf("%s: %v", tt.event, err)
		}
		if got != tt.want {
			t.Errorf("%s vs %s: got %v, want %v", tt.pattern, tt.event, got, tt.want)
		}
	}
}

func TestBadEvents(t *testing.T) {
	p := pattern.MustCompile(`{"a":["b"]}`)
	for _, ev := range []string{``, `[]`, `"x"`, `{"a":`, `{"a":"b"} x`, `{"a":"\u00"}`, `{"a":01}`} {
		if _, err := p.Match([]byte(ev)); err == nil {
			t.Errorf("%q: no error", ev)
		}
	}
}

func FuzzPattern(f *testing.F) {
	for _, tr := range loadCorpus(f) {
		f.Add(tr.Pattern, tr.Event)
	}
	f.Add(`{"a":[{"wildcard":"*a*b*c*"}]}`, `{"a":"xaybzc"}`)
	f.Fuzz(func(t *testing.T, pat, ev string) {
		p, err := pattern.Compile(pat)
		if err != nil {
			var pe *pattern.Error
			if !errors.As(err, &pe) {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		got, err := p.Match([]byte(ev))
		if err != nil {
			return
		}
		// the index must agree with the pattern
		e, _ := pattern.ParseEvent([]byte(ev))
		ix := pattern.NewIndex([]string{"r"}, []*pattern.Pattern{p})
		if m := ix.Match(e, nil); (len(m) == 1) != got {
			t.Fatalf("index %v, pattern %v", m, got)
		}
		// and so must an event restricted to the pattern's paths
		re := pattern.NewEvent()
		re.Restrict(ix)
		if err := re.Parse([]byte(ev)); err != nil {
			t.Fatalf("restricted parse fails where full parse did not: %v", err)
		}
		if m := ix.Match(re, nil); (len(m) == 1) != got {
			t.Fatalf("restricted event: index %v, pattern %v", m, got)
		}
	})
}

func ExamplePattern_Match() {
	p, err := pattern.Compile(`{
	  "source": ["aws.ec2"],
	  "detail-type": ["EC2 Instance State-change Notification"],
	  "detail": {"state": [{"anything-but": "pending"}]}
	}`)
	if err != nil {
		panic(err)
	}
	ok, _ := p.Match([]byte(`{"source":"aws.ec2","detail-type":"EC2 Instance State-change Notification","detail":{"state":"running"}}`))
	fmt.Println(ok)
	_, err = pattern.Compile(`{"detail":{"state":[{"numeric":5}]}}`)
	fmt.Println(err.(*pattern.Error).Reason)
	// Output:
	// true
	// Value of numeric must be an array.
}
