package template_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/cloudformation/template"
)

// addCorpusSeeds seeds f with a sample of the committed corpus templates.
func addCorpusSeeds(f *testing.F, n int) {
	var files []string
	_ = filepath.WalkDir("testdata/corpus", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".yaml")) {
			files = append(files, p)
		}
		return nil
	})
	for i, p := range files {
		if i%max(1, len(files)/n) != 0 {
			continue
		}
		if b, err := os.ReadFile(p); err == nil && len(b) <= template.MaxBodySize {
			f.Add(b)
		}
	}
}

// errorsAreTemplateErrors fails when err is neither nil nor a *template.Error: bad input must
// get CloudFormation's error, never something else.
func errorsAreTemplateErrors(t *testing.T, err error) {
	t.Helper()
	var te *template.Error
	if err != nil && !errors.As(err, &te) {
		t.Fatalf("error is not a *template.Error: %T %v", err, err)
	}
}

// FuzzLoad parses and validates arbitrary JSON and YAML bodies.
func FuzzLoad(f *testing.F) {
	for _, s := range []string{
		`{"Resources":{"A":{"Type":"X::Y::Z","Properties":{"P":{"Fn::Sub":"${AWS::Region}-${B}"}}},"B":{"Type":"X::Y::Z","DependsOn":"A"}}}`,
		"Resources:\n  A:\n    Type: X::Y::Z\n    Properties:\n      P: !GetAtt B.Arn\n      Q: !Join [\",\", [!Ref B, !Select [0, !GetAZs \"\"]]]\n  B: {Type: X::Y::Z}\n",
		"Conditions:\n  C: !And [!Equals [a, !Ref AWS::Region], !Not [!Condition D]]\n  D: !Or [true, false]\nResources:\n  A: {Type: X::Y::Z, Condition: C}\n",
		"Transform: AWS::LanguageExtensions\nResources:\n  Fn::ForEach::L:\n    - X\n    - [a, b]\n    - R${X}: {Type: X::Y::Z}\n",
		"Resources:\n  A: {Type: X::Y::Z, Properties: {P: !Cidr [10.0.0.0/16, 4, 8], Q: !Base64 abc, R: !Split [\",\", \"a,b\"]}}\n",
		"Mappings:\n  M: {K: {V: [1, 2]}}\nResources:\n  A: {Type: X::Y::Z, Properties: {P: !FindInMap [M, K, V]}}\n",
		"Resources: &a\n  A: *a\n", "{\"Resources\": [", "--- !Ref\n", "Resources:\n  A: !If\n", "\xef\xbb\xbf{}",
	} {
		f.Add([]byte(s))
	}
	addCorpusSeeds(f, 24)
	f.Fuzz(func(t *testing.T, body []byte) {
		tm, err := template.Load(body)
		errorsAreTemplateErrors(t, err)
		if err != nil {
			return
		}
		errorsAreTemplateErrors(t, tm.Validate(template.ValidateOptions{}))
		_ = tm.Dependencies(nil, nil)
	})
}

// FuzzEval evaluates every resource's properties and every condition of arbitrary templates,
// with resources resolving to fixed values.
func FuzzEval(f *testing.F) {
	for _, s := range []string{
		"Parameters:\n  P: {Type: CommaDelimitedList, Default: \"a,b\"}\nResources:\n  A:\n    Type: X::Y::Z\n    Properties:\n      V: !Select [1, !Ref P]\n      W: !Sub [\"${x}-${AWS::StackName}\", {x: !Join [\"\", !Ref P]}]\n",
		"Conditions:\n  C: !Equals [!Ref AWS::Region, us-east-1]\nResources:\n  A: {Type: X::Y::Z, Properties: {V: !If [C, !Ref AWS::NoValue, [1, !GetAtt B.Arn]]}}\n  B: {Type: X::Y::Z}\n",
		"Transform: AWS::LanguageExtensions\nResources:\n  A: {Type: X::Y::Z, Properties: {N: {\"Fn::Length\": [1, 2]}, J: {\"Fn::ToJsonString\": {a: [1]}}}}\n",
		"Resources:\n  A: {Type: X::Y::Z, Properties: {C: !Cidr [!Select [0, [192.168.0.0/24]], 6, 5], I: !ImportValue e, Z: !GetAZs us-west-2}}\n",
		"Conditions:\n  A: !Condition B\n  B: !Condition A\nResources:\n  R: {Type: X::Y::Z, Condition: A}\n",
		"Resources:\n  A: {Type: X::Y::Z, Properties: {S: !Sub \"${!Literal}${A.Arn}${AWS::AccountId}\", B: !Select [\"-1\", [a]]}}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		tm, err := template.Load(body)
		if err != nil {
			return
		}
		params := map[string]any{}
		for name, p := range tm.Parameters {
			v := "a,b"
			if p.Default != nil {
				v = *p.Default
			}
			params[name] = template.ParamValue(p.Type, v)
		}
		c := &template.Context{Template: tm, Params: params, AccountID: "123456789012", Region: "us-east-1", StackName: "s", StackID: "arn:s",
			Extensions: tm.HasTransform(template.LanguageExtensions),
			Ref:        func(id string) (any, error) { return "phys-" + id, nil },
			GetAtt:     func(id, attr string) (any, error) { return id + "." + attr, nil },
			Import:     func(name string) (string, error) { return "imported-" + name, nil },
		}
		for _, name := range template.SortedKeys(tm.Conditions) {
			_, err := c.Condition(name)
			errorsAreTemplateErrors(t, err)
		}
		for _, id := range tm.ResourceOrder {
			v, err := c.Eval(tm.Resources[id].Properties)
			errorsAreTemplateErrors(t, err)
			if err == nil && strings.Contains(fmt.Sprint(v), "{}") && v == template.NoValue {
				t.Fatal("NoValue escaped Eval")
			}
		}
		for _, name := range tm.OutputOrder {
			_, err := c.Eval(tm.Outputs[name].Value)
			errorsAreTemplateErrors(t, err)
		}
	})
}

// FuzzParameter checks arbitrary values against arbitrary parameter declarations.
func FuzzParameter(f *testing.F) {
	seeds := []struct{ typ, constraints, value string }{
		{"String", `AllowedPattern: "^[a-z]+$"`, "abc"},
		{"String", `AllowedPattern: "(?<=a)b(?!c)"`, "ab"},
		{"String", "MinLength: 2\n    MaxLength: 3", "abcd"},
		{"Number", "MinValue: 1\n    MaxValue: 10", "11"},
		{"Number", "", "1e3"},
		{"List<Number>", "", "1, 2,x"},
		{"CommaDelimitedList", "AllowedValues: [a, b]", "a,c"},
		{"AWS::EC2::VPC::Id", "", "vpc-123"},
		{"List<AWS::EC2::Subnet::Id>", "", "subnet-1,subnet-2"},
		{"AWS::SSM::Parameter::Value<String>", "", "/a/b"},
		{"String", `AllowedPattern: "(a+)+$"`, strings.Repeat("a", 40) + "!"},
	}
	for _, s := range seeds {
		f.Add(s.typ, s.constraints, s.value)
	}
	f.Fuzz(func(t *testing.T, typ, constraints, value string) {
		body := fmt.Sprintf("Parameters:\n  P:\n    Type: %q\n    %s\nResources:\n  A: {Type: X::Y::Z}\n", typ, constraints)
		tm, err := template.Load([]byte(body))
		if err != nil {
			errorsAreTemplateErrors(t, err)
			return
		}
		p := tm.Parameters["P"]
		if p == nil {
			t.Fatal("parameter P lost")
		}
		errorsAreTemplateErrors(t, p.Check(value))
		_ = template.ParamValue(p.Type, value)
	})
}
