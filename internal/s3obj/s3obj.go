// Package s3obj is devopsim's S3: gofakes3 serving path-style S3 on the wire, and the same
// backend as a core.Objects store for services (artifacts, bundles, trail delivery).
package s3obj

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3bolt"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	bolt "go.etcd.io/bbolt"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/store"
)

// S3 is an object store with an S3 endpoint. Safe for concurrent use.
type S3 struct {
	backend gofakes3.Backend
	server  http.Handler
	closer  io.Closer
}

type timeSource struct{ c clock.Clock }

func (t timeSource) Now() time.Time                  { return t.c.Now() }
func (t timeSource) Since(x time.Time) time.Duration { return t.c.Now().Sub(x) }

// NewMemory returns an in-memory S3.
func NewMemory(c clock.Clock) *S3 {
	return newS3(s3mem.New(s3mem.WithTimeSource(timeSource{c})), c, nil)
}

// OpenFile returns an S3 kept in a bbolt file at path.
func OpenFile(path string, c clock.Clock) (*S3, error) {
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		return nil, err
	}
	return newS3(s3bolt.New(db, s3bolt.WithTimeSource(timeSource{c})), c, db), nil
}

func newS3(b gofakes3.Backend, c clock.Clock, closer io.Closer) *S3 {
	f := gofakes3.New(b, gofakes3.WithTimeSource(timeSource{c}), gofakes3.WithTimeSkewLimit(0), gofakes3.WithIntegrityCheck(true))
	return &S3{backend: b, server: f.Server(), closer: closer}
}

// Handler serves the S3 REST API, path-style.
func (s *S3) Handler() http.Handler { return s.server }

// Close releases a file-backed store.
func (s *S3) Close() error {
	if s.closer != nil {
		return s.closer.Close()
	}
	return nil
}

// CreateBucket creates bucket; an existing bucket is not an error.
func (s *S3) CreateBucket(ctx context.Context, bucket string) error {
	if ok, err := s.backend.BucketExists(bucket); err != nil || ok {
		return err
	}
	err := s.backend.CreateBucket(bucket)
	if gofakes3.HasErrorCode(err, gofakes3.ErrBucketAlreadyExists) {
		return nil
	}
	return err
}

// PutObject stores data at bucket/key, creating the bucket if needed.
func (s *S3) PutObject(ctx context.Context, bucket, key string, data []byte) error {
	if err := s.CreateBucket(ctx, bucket); err != nil {
		return err
	}
	_, err := s.backend.PutObject(bucket, key, map[string]string{}, bytes.NewReader(data), int64(len(data)), nil)
	return err
}

// GetObject returns the object at bucket/key; a missing bucket or key matches store.ErrNotFound.
func (s *S3) GetObject(ctx context.Context, bucket, key string) ([]byte, error) {
	obj, err := s.backend.GetObject(bucket, key, nil)
	if gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey) || gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchBucket) {
		return nil, errors.Join(store.ErrNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	defer obj.Contents.Close()
	return io.ReadAll(obj.Contents)
}

// Wipe deletes every bucket and object.
func (s *S3) Wipe(ctx context.Context) error {
	buckets, err := s.backend.ListBuckets()
	if err != nil {
		return err
	}
	var errs []error
	for _, b := range buckets {
		errs = append(errs, s.backend.ForceDeleteBucket(b.Name))
	}
	return errors.Join(errs...)
}

// DeleteBucket deletes an empty bucket.
func (s *S3) DeleteBucket(ctx context.Context, bucket string) error {
	err := s.backend.DeleteBucket(bucket)
	if gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchBucket) {
		return errors.Join(store.ErrNotFound, err)
	}
	return err
}
