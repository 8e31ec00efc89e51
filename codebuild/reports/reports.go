// Package reports parses the test and code coverage reports CodeBuild understands: JUnit XML,
// Cucumber JSON, TestNG XML, NUnit 2 and 3 XML and Visual Studio TRX test results, and
// Clover, Cobertura, JaCoCo and SimpleCov coverage.
package reports

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Test case statuses, as CodeBuild reports them.
const (
	Succeeded = "SUCCEEDED"
	Failed    = "FAILED"
	Error     = "ERROR"
	Skipped   = "SKIPPED"
	Unknown   = "UNKNOWN"
)

// TestCase is one test's result.
type TestCase struct {
	Suite    string // test suite name
	Prefix   string // class name or feature
	Name     string
	Status   string
	Duration time.Duration
	Message  string
}

// FileCoverage is the coverage of one source file.
type FileCoverage struct {
	Path                          string
	LinesCovered, LinesMissed     int
	BranchesCovered, BranchesMiss int
}

// LinePercent is the line coverage percentage.
func (f FileCoverage) LinePercent() float64 { return percent(f.LinesCovered, f.LinesMissed) }

// BranchPercent is the branch coverage percentage.
func (f FileCoverage) BranchPercent() float64 { return percent(f.BranchesCovered, f.BranchesMiss) }

func percent(covered, missed int) float64 {
	if covered+missed == 0 {
		return 0
	}
	return math.Round(float64(covered)*10000/float64(covered+missed)) / 100
}

// Test formats and coverage formats.
var (
	TestFormats     = map[string]bool{"JUNITXML": true, "CUCUMBERJSON": true, "TESTNGXML": true, "NUNITXML": true, "NUNIT3XML": true, "VISUALSTUDIOTRX": true}
	CoverageFormats = map[string]bool{"CLOVERXML": true, "COBERTURAXML": true, "JACOCOXML": true, "SIMPLECOV": true}
)

// MaxSize is the largest report file parsed.
const MaxSize = 64 << 20

// ParseTests parses a test report file.
func ParseTests(format string, data []byte) ([]TestCase, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("report file larger than %d bytes", MaxSize)
	}
	switch strings.ToUpper(format) {
	case "JUNITXML":
		return parseJUnit(data)
	case "TESTNGXML":
		return parseTestNG(data)
	case "NUNITXML", "NUNIT3XML":
		return parseNUnit(data)
	case "VISUALSTUDIOTRX":
		return parseTRX(data)
	case "CUCUMBERJSON":
		return parseCucumber(data)
	}
	return nil, fmt.Errorf("unknown test report format %q", format)
}

// ParseCoverage parses a code coverage report file.
func ParseCoverage(format string, data []byte) ([]FileCoverage, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("report file larger than %d bytes", MaxSize)
	}
	var files []FileCoverage
	var err error
	switch strings.ToUpper(format) {
	case "CLOVERXML":
		files, err = parseClover(data)
	case "COBERTURAXML":
		files, err = parseCobertura(data)
	case "JACOCOXML":
		files, err = parseJaCoCo(data)
	case "SIMPLECOV":
		files, err = parseSimpleCov(data)
	default:
		return nil, fmt.Errorf("unknown coverage report format %q", format)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, err
}

func decodeXML(data []byte, v any) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("invalid XML: %v", err)
	}
	return nil
}

func seconds(s string) time.Duration {
	f, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(s), ",", ""), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e9 {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}

// --- JUnit ---

type junitCase struct {
	Name      string  `xml:"name,attr"`
	Classname string  `xml:"classname,attr"`
	Time      string  `xml:"time,attr"`
	Failure   *junitM `xml:"failure"`
	Error     *junitM `xml:"error"`
	Skipped   *junitM `xml:"skipped"`
}

type junitM struct {
	Message string `xml:"message,attr"`
	Body    string `xml:",chardata"`
}

type junitSuite struct {
	Name   string       `xml:"name,attr"`
	Cases  []junitCase  `xml:"testcase"`
	Suites []junitSuite `xml:"testsuite"`
}

func parseJUnit(data []byte) ([]TestCase, error) {
	var root struct {
		XMLName xml.Name
		junitSuite
	}
	if err := decodeXML(data, &root); err != nil {
		return nil, err
	}
	if root.XMLName.Local != "testsuites" && root.XMLName.Local != "testsuite" {
		return nil, fmt.Errorf("not a JUnit report: root element <%s>", root.XMLName.Local)
	}
	var out []TestCase
	var walk func(s junitSuite)
	walk = func(s junitSuite) {
		for _, c := range s.Cases {
			tc := TestCase{Suite: s.Name, Prefix: c.Classname, Name: c.Name, Duration: seconds(c.Time), Status: Succeeded}
			switch {
			case c.Failure != nil:
				tc.Status, tc.Message = Failed, firstNonEmpty(c.Failure.Message, strings.TrimSpace(c.Failure.Body))
			case c.Error != nil:
				tc.Status, tc.Message = Error, firstNonEmpty(c.Error.Message, strings.TrimSpace(c.Error.Body))
			case c.Skipped != nil:
				tc.Status, tc.Message = Skipped, c.Skipped.Message
			}
			out = append(out, tc)
		}
		for _, sub := range s.Suites {
			walk(sub)
		}
	}
	walk(root.junitSuite)
	return out, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// --- TestNG ---

func parseTestNG(data []byte) ([]TestCase, error) {
	var root struct {
		XMLName xml.Name
		Suites  []struct {
			Name  string `xml:"name,attr"`
			Tests []struct {
				Classes []struct {
					Name    string `xml:"name,attr"`
					Methods []struct {
						Name     string `xml:"name,attr"`
						Status   string `xml:"status,attr"`
						Duration string `xml:"duration-ms,attr"`
						Config   bool   `xml:"is-config,attr"`
						Message  string `xml:"exception>message"`
					} `xml:"test-method"`
				} `xml:"class"`
			} `xml:"test"`
		} `xml:"suite"`
	}
	if err := decodeXML(data, &root); err != nil {
		return nil, err
	}
	if root.XMLName.Local != "testng-results" {
		return nil, fmt.Errorf("not a TestNG report: root element <%s>", root.XMLName.Local)
	}
	var out []TestCase
	for _, s := range root.Suites {
		for _, t := range s.Tests {
			for _, c := range t.Classes {
				for _, m := range c.Methods {
					if m.Config {
						continue
					}
					ms, _ := strconv.ParseInt(m.Duration, 10, 64)
					st := map[string]string{"PASS": Succeeded, "FAIL": Failed, "SKIP": Skipped}[strings.ToUpper(m.Status)]
					out = append(out, TestCase{Suite: s.Name, Prefix: c.Name, Name: m.Name, Status: firstNonEmpty(st, Unknown), Duration: time.Duration(max(ms, 0)) * time.Millisecond, Message: strings.TrimSpace(m.Message)})
				}
			}
		}
	}
	return out, nil
}

// --- NUnit 2 and 3 ---

type nunitCase struct {
	Name     string `xml:"name,attr"`
	FullName string `xml:"fullname,attr"`
	Result   string `xml:"result,attr"`
	Executed string `xml:"executed,attr"`
	Success  string `xml:"success,attr"`
	Time     string `xml:"time,attr"`
	Duration string `xml:"duration,attr"`
	Message  string `xml:"failure>message"`
}

type nunitSuite struct {
	Name   string       `xml:"name,attr"`
	Cases  []nunitCase  `xml:"test-case"`
	Suites []nunitSuite `xml:"test-suite"`
	Inner  []nunitSuite `xml:"results>test-suite"`
	ICases []nunitCase  `xml:"results>test-case"`
}

func parseNUnit(data []byte) ([]TestCase, error) {
	var root struct {
		XMLName xml.Name
		nunitSuite
	}
	if err := decodeXML(data, &root); err != nil {
		return nil, err
	}
	if root.XMLName.Local != "test-run" && root.XMLName.Local != "test-results" {
		return nil, fmt.Errorf("not an NUnit report: root element <%s>", root.XMLName.Local)
	}
	var out []TestCase
	var walk func(s nunitSuite)
	walk = func(s nunitSuite) {
		for _, c := range append(s.Cases, s.ICases...) {
			st := Unknown
			switch strings.ToLower(c.Result) {
			case "passed", "success":
				st = Succeeded
			case "failed", "failure":
				st = Failed
			case "error":
				st = Error
			case "skipped", "ignored", "notrunnable", "inconclusive":
				st = Skipped
			}
			prefix := strings.TrimSuffix(c.FullName, "."+c.Name)
			out = append(out, TestCase{Suite: s.Name, Prefix: prefix, Name: c.Name, Status: st, Duration: seconds(firstNonEmpty(c.Duration, c.Time)), Message: strings.TrimSpace(c.Message)})
		}
		for _, sub := range append(s.Suites, s.Inner...) {
			walk(sub)
		}
	}
	walk(root.nunitSuite)
	return out, nil
}

// --- Visual Studio TRX ---

func parseTRX(data []byte) ([]TestCase, error) {
	var root struct {
		XMLName xml.Name
		Results []struct {
			Name     string `xml:"testName,attr"`
			Outcome  string `xml:"outcome,attr"`
			Duration string `xml:"duration,attr"`
			Message  string `xml:"Output>ErrorInfo>Message"`
		} `xml:"Results>UnitTestResult"`
	}
	if err := decodeXML(data, &root); err != nil {
		return nil, err
	}
	if root.XMLName.Local != "TestRun" {
		return nil, fmt.Errorf("not a TRX report: root element <%s>", root.XMLName.Local)
	}
	var out []TestCase
	for _, r := range root.Results {
		st := map[string]string{"passed": Succeeded, "failed": Failed, "error": Error, "notexecuted": Skipped}[strings.ToLower(r.Outcome)]
		prefix, name := "", r.Name
		if i := strings.LastIndexByte(r.Name, '.'); i > 0 {
			prefix, name = r.Name[:i], r.Name[i+1:]
		}
		out = append(out, TestCase{Prefix: prefix, Name: name, Status: firstNonEmpty(st, Unknown), Duration: trxDuration(r.Duration), Message: strings.TrimSpace(r.Message)})
	}
	return out, nil
}

// trxDuration parses hh:mm:ss.fffffff.
func trxDuration(s string) time.Duration {
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return 0
	}
	h, _ := strconv.Atoi(parts[0])
	m, _ := strconv.Atoi(parts[1])
	if h < 0 || m < 0 || h > 1e5 {
		return 0
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + seconds(parts[2])
}

// --- Cucumber JSON ---

func parseCucumber(data []byte) ([]TestCase, error) {
	var features []struct {
		Name     string `json:"name"`
		Elements []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Steps []struct {
				Result struct {
					Status   string  `json:"status"`
					Duration float64 `json:"duration"`
					Error    string  `json:"error_message"`
				} `json:"result"`
			} `json:"steps"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(data, &features); err != nil {
		return nil, fmt.Errorf("invalid Cucumber JSON: %v", err)
	}
	var out []TestCase
	for _, f := range features {
		for _, e := range f.Elements {
			if e.Type == "background" {
				continue
			}
			tc := TestCase{Suite: f.Name, Prefix: f.Name, Name: e.Name, Status: Succeeded}
			for _, st := range e.Steps {
				if d := st.Result.Duration; d > 0 && d < 1e18 {
					tc.Duration += time.Duration(d)
				}
				switch st.Result.Status {
				case "failed":
					tc.Status, tc.Message = Failed, st.Result.Error
				case "skipped", "pending", "undefined":
					if tc.Status == Succeeded {
						tc.Status = Skipped
					}
				}
			}
			out = append(out, tc)
		}
	}
	return out, nil
}

// --- coverage ---

func parseClover(data []byte) ([]FileCoverage, error) {
	var root struct {
		XMLName xml.Name
		Files   []cloverFile `xml:"project>file"`
		PFiles  []cloverFile `xml:"project>package>file"`
	}
	if err := decodeXML(data, &root); err != nil {
		return nil, err
	}
	if root.XMLName.Local != "coverage" {
		return nil, fmt.Errorf("not a Clover report: root element <%s>", root.XMLName.Local)
	}
	var out []FileCoverage
	for _, f := range append(root.Files, root.PFiles...) {
		fc := FileCoverage{Path: firstNonEmpty(f.Path, f.Name)}
		for _, l := range f.Lines {
			switch l.Type {
			case "stmt":
				if l.Count > 0 {
					fc.LinesCovered++
				} else {
					fc.LinesMissed++
				}
			case "cond":
				fc.BranchesCovered += l.TrueCount + l.FalseCount
				fc.BranchesMiss += 2 - min(2, max(0, l.TrueCount)+max(0, l.FalseCount))
			}
		}
		out = append(out, fc)
	}
	return out, nil
}

type cloverFile struct {
	Name  string `xml:"name,attr"`
	Path  string `xml:"path,attr"`
	Lines []struct {
		Type       string `xml:"type,attr"`
		Count      int    `xml:"count,attr"`
		TrueCount  int    `xml:"truecount,attr"`
		FalseCount int    `xml:"falsecount,attr"`
	} `xml:"line"`
}

func parseCobertura(data []byte) ([]FileCoverage, error) {
	var root struct {
		XMLName xml.Name
		Classes []struct {
			Filename string `xml:"filename,attr"`
			Lines    []struct {
				Hits     int    `xml:"hits,attr"`
				Branch   bool   `xml:"branch,attr"`
				Coverage string `xml:"condition-coverage,attr"`
			} `xml:"lines>line"`
		} `xml:"packages>package>classes>class"`
	}
	if err := decodeXML(data, &root); err != nil {
		return nil, err
	}
	if root.XMLName.Local != "coverage" {
		return nil, fmt.Errorf("not a Cobertura report: root element <%s>", root.XMLName.Local)
	}
	byFile := map[string]*FileCoverage{}
	var order []string
	for _, c := range root.Classes {
		fc := byFile[c.Filename]
		if fc == nil {
			fc = &FileCoverage{Path: c.Filename}
			byFile[c.Filename] = fc
			order = append(order, c.Filename)
		}
		for _, l := range c.Lines {
			if l.Hits > 0 {
				fc.LinesCovered++
			} else {
				fc.LinesMissed++
			}
			// condition-coverage="50% (1/2)"
			if l.Branch {
				if _, frac, ok := strings.Cut(l.Coverage, "("); ok {
					var got, total int
					if _, err := fmt.Sscanf(frac, "%d/%d)", &got, &total); err == nil && got >= 0 && total >= got {
						fc.BranchesCovered += got
						fc.BranchesMiss += total - got
					}
				}
			}
		}
	}
	out := make([]FileCoverage, 0, len(order))
	for _, f := range order {
		out = append(out, *byFile[f])
	}
	return out, nil
}

func parseJaCoCo(data []byte) ([]FileCoverage, error) {
	var root struct {
		XMLName  xml.Name
		Packages []struct {
			Name    string `xml:"name,attr"`
			Sources []struct {
				Name     string `xml:"name,attr"`
				Counters []struct {
					Type    string `xml:"type,attr"`
					Missed  int    `xml:"missed,attr"`
					Covered int    `xml:"covered,attr"`
				} `xml:"counter"`
			} `xml:"sourcefile"`
		} `xml:"package"`
	}
	if err := decodeXML(data, &root); err != nil {
		return nil, err
	}
	if root.XMLName.Local != "report" {
		return nil, fmt.Errorf("not a JaCoCo report: root element <%s>", root.XMLName.Local)
	}
	var out []FileCoverage
	for _, p := range root.Packages {
		for _, s := range p.Sources {
			fc := FileCoverage{Path: strings.TrimPrefix(p.Name+"/"+s.Name, "/")}
			for _, c := range s.Counters {
				switch c.Type {
				case "LINE":
					fc.LinesCovered, fc.LinesMissed = max(c.Covered, 0), max(c.Missed, 0)
				case "BRANCH":
					fc.BranchesCovered, fc.BranchesMiss = max(c.Covered, 0), max(c.Missed, 0)
				}
			}
			out = append(out, fc)
		}
	}
	return out, nil
}

// parseSimpleCov reads SimpleCov's .resultset.json ({"RSpec": {"coverage": {file: {"lines": [...]}}}})
// or coverage.json ({"coverage": {...}}).
func parseSimpleCov(data []byte) ([]FileCoverage, error) {
	type fileCov struct {
		Lines    []*int `json:"lines"`
		Branches map[string]map[string]int
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("invalid SimpleCov JSON: %v", err)
	}
	coverage := map[string]json.RawMessage{}
	if c, ok := raw["coverage"]; ok {
		if err := json.Unmarshal(c, &coverage); err != nil {
			return nil, fmt.Errorf("invalid SimpleCov coverage: %v", err)
		}
	} else {
		for _, v := range raw {
			var suite struct {
				Coverage map[string]json.RawMessage `json:"coverage"`
			}
			if json.Unmarshal(v, &suite) == nil {
				for k, c := range suite.Coverage {
					coverage[k] = c
				}
			}
		}
	}
	var out []FileCoverage
	for path, c := range coverage {
		var fc fileCov
		if err := json.Unmarshal(c, &fc); err != nil {
			var lines []*int // old format: file -> [counts]
			if err2 := json.Unmarshal(c, &lines); err2 != nil {
				return nil, fmt.Errorf("invalid SimpleCov entry for %s: %v", path, err)
			}
			fc.Lines = lines
		}
		f := FileCoverage{Path: path}
		for _, l := range fc.Lines {
			if l == nil {
				continue
			}
			if *l > 0 {
				f.LinesCovered++
			} else {
				f.LinesMissed++
			}
		}
		out = append(out, f)
	}
	return out, nil
}
