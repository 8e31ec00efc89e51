package devopsim_test

import (
	"context"
	"testing"

	"github.com/devopsim/devopsim"
)

// TestDataDirSurvivesRestart checks that state written with DataDir is there after a restart.
func TestDataDirSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	p, err := devopsim.New(devopsim.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.S3().PutObject(ctx, "bucket", "key", []byte("kept")); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	p, err = devopsim.New(devopsim.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(ctx)
	got, err := p.S3().GetObject(ctx, "bucket", "key")
	if err != nil || string(got) != "kept" {
		t.Fatalf("after restart: %q, %v", got, err)
	}
}
