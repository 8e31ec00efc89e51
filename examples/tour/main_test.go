package main

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
)

func TestTour(t *testing.T) {
	for _, tool := range []string{"go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the tour needs %s on PATH", tool)
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"arn:aws:iam::000000000000:root", "git push (go-git client): main is at", "build SUCCEEDED", "BUILD=SUCCEEDED", "artifact: arn:aws:s3:::tour-artifacts/hello.zip", "to staging (OneAtATime): Succeeded, 2 succeeded", "hello from devopsim at"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("tour output lacks %q:\n%s", want, out.String())
		}
	}
}
