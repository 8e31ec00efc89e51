package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestTour(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"GetCallerIdentity", "arn:aws:iam::000000000000:root"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("tour output lacks %q:\n%s", want, out.String())
		}
	}
}
