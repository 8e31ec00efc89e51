package reports_test

import (
	"testing"
	"time"

	"github.com/devopsim/devopsim/codebuild/reports"
)

var testSamples = map[string]struct {
	format string
	data   string
	want   []reports.TestCase
}{
	"junit": {"JUNITXML", `<?xml version="1.0"?>
<testsuites><testsuite name="pkg">
  <testcase classname="pkg.A" name="ok" time="0.5"/>
  <testcase classname="pkg.A" name="bad" time="1"><failure message="expected 1">trace</failure></testcase>
  <testcase classname="pkg.B" name="skip"><skipped/></testcase>
  <testsuite name="inner"><testcase classname="pkg.C" name="err"><error>boom</error></testcase></testsuite>
</testsuite></testsuites>`, []reports.TestCase{
		{Suite: "pkg", Prefix: "pkg.A", Name: "ok", Status: "SUCCEEDED", Duration: 500 * time.Millisecond},
		{Suite: "pkg", Prefix: "pkg.A", Name: "bad", Status: "FAILED", Duration: time.Second, Message: "expected 1"},
		{Suite: "pkg", Prefix: "pkg.B", Name: "skip", Status: "SKIPPED"},
		{Suite: "inner", Prefix: "pkg.C", Name: "err", Status: "ERROR", Message: "boom"},
	}},
	"testng": {"TESTNGXML", `<testng-results><suite name="S"><test name="T"><class name="com.X">
  <test-method name="setUp" status="PASS" is-config="true" duration-ms="1"/>
  <test-method name="works" status="PASS" duration-ms="12"/>
  <test-method name="fails" status="FAIL" duration-ms="3"><exception class="AssertionError"><message>nope</message></exception></test-method>
</class></test></suite></testng-results>`, []reports.TestCase{
		{Suite: "S", Prefix: "com.X", Name: "works", Status: "SUCCEEDED", Duration: 12 * time.Millisecond},
		{Suite: "S", Prefix: "com.X", Name: "fails", Status: "FAILED", Duration: 3 * time.Millisecond, Message: "nope"},
	}},
	"nunit3": {"NUNIT3XML", `<test-run><test-suite name="Asm"><test-suite name="Fixture">
  <test-case name="Adds" fullname="Calc.Tests.Adds" result="Passed" duration="0.25"/>
  <test-case name="Divides" fullname="Calc.Tests.Divides" result="Failed" duration="0.01"><failure><message>div by zero</message></failure></test-case>
</test-suite></test-suite></test-run>`, []reports.TestCase{
		{Suite: "Fixture", Prefix: "Calc.Tests", Name: "Adds", Status: "SUCCEEDED", Duration: 250 * time.Millisecond},
		{Suite: "Fixture", Prefix: "Calc.Tests", Name: "Divides", Status: "FAILED", Duration: 10 * time.Millisecond, Message: "div by zero"},
	}},
	"trx": {"VISUALSTUDIOTRX", `<TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010"><Results>
  <UnitTestResult testName="Ns.Class.Passes" outcome="Passed" duration="00:00:01.5000000"/>
  <UnitTestResult testName="Ns.Class.Fails" outcome="Failed" duration="00:00:00.1000000"><Output><ErrorInfo><Message>bad</Message></ErrorInfo></Output></UnitTestResult>
</Results></TestRun>`, []reports.TestCase{
		{Prefix: "Ns.Class", Name: "Passes", Status: "SUCCEEDED", Duration: 1500 * time.Millisecond},
		{Prefix: "Ns.Class", Name: "Fails", Status: "FAILED", Duration: 100 * time.Millisecond, Message: "bad"},
	}},
	"cucumber": {"CUCUMBERJSON", `[{"name":"Login","elements":[
  {"name":"good password","type":"scenario","steps":[{"result":{"status":"passed","duration":1000000}},{"result":{"status":"passed","duration":2000000}}]},
  {"name":"bad password","type":"scenario","steps":[{"result":{"status":"failed","duration":5,"error_message":"denied"}}]}]}]`, []reports.TestCase{
		{Suite: "Login", Prefix: "Login", Name: "good password", Status: "SUCCEEDED", Duration: 3 * time.Millisecond},
		{Suite: "Login", Prefix: "Login", Name: "bad password", Status: "FAILED", Duration: 5, Message: "denied"},
	}},
}

func TestParseTests(t *testing.T) {
	for name, tt := range testSamples {
		got, err := reports.ParseTests(tt.format, []byte(tt.data))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(got) != len(tt.want) {
			t.Errorf("%s: got %d cases %+v, want %d", name, len(got), got, len(tt.want))
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s case %d:\n got %+v\nwant %+v", name, i, got[i], tt.want[i])
			}
		}
	}
}

func TestParseCoverage(t *testing.T) {
	tests := map[string]struct {
		format, data string
		want         []reports.FileCoverage
	}{
		"cobertura": {"COBERTURAXML", `<coverage><packages><package><classes>
  <class filename="a.py"><lines><line number="1" hits="1"/><line number="2" hits="0" branch="true" condition-coverage="50% (1/2)"/></lines></class>
</classes></package></packages></coverage>`, []reports.FileCoverage{{Path: "a.py", LinesCovered: 1, LinesMissed: 1, BranchesCovered: 1, BranchesMiss: 1}}},
		"jacoco": {"JACOCOXML", `<report name="r"><package name="com/x"><sourcefile name="A.java">
  <counter type="LINE" missed="2" covered="8"/><counter type="BRANCH" missed="1" covered="3"/></sourcefile></package></report>`, []reports.FileCoverage{{Path: "com/x/A.java", LinesCovered: 8, LinesMissed: 2, BranchesCovered: 3, BranchesMiss: 1}}},
		"clover": {"CLOVERXML", `<coverage><project><file name="a.php" path="/src/a.php">
  <line num="1" type="stmt" count="2"/><line num="2" type="stmt" count="0"/><line num="3" type="cond" truecount="1" falsecount="0"/></file></project></coverage>`, []reports.FileCoverage{{Path: "/src/a.php", LinesCovered: 1, LinesMissed: 1, BranchesCovered: 1, BranchesMiss: 1}}},
		"simplecov": {"SIMPLECOV", `{"RSpec":{"coverage":{"lib/a.rb":{"lines":[1,0,null,3]}},"timestamp":1}}`, []reports.FileCoverage{{Path: "lib/a.rb", LinesCovered: 2, LinesMissed: 1}}},
	}
	for name, tt := range tests {
		got, err := reports.ParseCoverage(tt.format, []byte(tt.data))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(got) != len(tt.want) || got[0] != tt.want[0] {
			t.Errorf("%s: got %+v, want %+v", name, got, tt.want)
		}
	}
	if p := (reports.FileCoverage{LinesCovered: 2, LinesMissed: 1}).LinePercent(); p != 66.67 {
		t.Errorf("line percent %v", p)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct{ format, data string }{
		{"JUNITXML", "not xml"}, {"JUNITXML", "<html/>"}, {"TESTNGXML", "<testsuite/>"}, {"CUCUMBERJSON", "{"},
		{"PDF", ""}, {"COBERTURAXML", "<report/>"}, {"SIMPLECOV", "[1]"},
	} {
		_, err1 := reports.ParseTests(tt.format, []byte(tt.data))
		_, err2 := reports.ParseCoverage(tt.format, []byte(tt.data))
		if err1 == nil && err2 == nil {
			t.Errorf("%s %q parsed", tt.format, tt.data)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, tt := range testSamples {
		f.Add(tt.format, []byte(tt.data))
	}
	f.Add("COBERTURAXML", []byte(`<coverage><packages><package><classes><class filename="a"><lines><line hits="1" branch="true" condition-coverage="50% (1/2)"/></lines></class></classes></package></packages></coverage>`))
	f.Add("SIMPLECOV", []byte(`{"coverage":{"a":[1,null,0]}}`))
	f.Fuzz(func(t *testing.T, format string, data []byte) {
		cases, _ := reports.ParseTests(format, data)
		for _, c := range cases {
			if c.Duration < 0 {
				t.Fatalf("negative duration %v", c.Duration)
			}
		}
		files, _ := reports.ParseCoverage(format, data)
		for _, fc := range files {
			if fc.LinesCovered < 0 || fc.LinesMissed < 0 || fc.BranchesMiss < 0 {
				t.Fatalf("negative counts %+v", fc)
			}
		}
	})
}
