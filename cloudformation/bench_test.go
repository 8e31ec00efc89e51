package cloudformation_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/cloudformation/template"
)

func bigTemplate(n int) string {
	var b strings.Builder
	b.WriteString("Resources:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  R%d: {Type: Test::Thing, Properties: {Name: r%d", i, i)
		if i > 0 {
			fmt.Fprintf(&b, ", Dep: !Ref R%d", i/2)
		}
		b.WriteString("}}\n")
	}
	return b.String()
}

func BenchmarkParse500(b *testing.B) {
	body := []byte(bigTemplate(500))
	for b.Loop() {
		t, err := template.Load(body)
		if err != nil {
			b.Fatal(err)
		}
		if err := t.Validate(template.ValidateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCreateDelete500(b *testing.B) {
	ctx := context.Background()
	s, _ := newService(&testing.T{})
	body := bigTemplate(500)
	i := 0
	for b.Loop() {
		i++
		name := fmt.Sprintf("s%d", i)
		if _, err := s.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: name, TemplateBody: body}); err != nil {
			b.Fatal(err)
		}
		if st, _ := s.WaitStack(ctx, name); st != "CREATE_COMPLETE" {
			b.Fatal(st)
		}
		d, _ := s.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: name})
		if _, err := s.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: name}); err != nil {
			b.Fatal(err)
		}
		if st, _ := s.WaitStack(ctx, d.Stacks[0].StackId); st != "DELETE_COMPLETE" {
			b.Fatal(st)
		}
	}
}
