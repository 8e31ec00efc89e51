package codedeploy

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/devopsim/devopsim/codedeploy/appspec"
	"github.com/devopsim/devopsim/store"
)

// Bundle limits (a revision is unpacked once per deployment, then written to every host).
const (
	maxBundleFiles = 100_000
	maxBundleBytes = 1 << 30
)

type bundleFile struct {
	Name string // slash path relative to the bundle root, no leading "/"
	Data []byte
	Mode fs.FileMode // permission bits; directories have fs.ModeDir
}

// bundle is an unpacked revision.
type bundle struct {
	files       []bundleFile // sorted by name, directories before their contents
	spec        *appspec.AppSpec
	specPath    string // e.g. "appspec.yml"
	err         error  // the bundle could not be downloaded or unpacked
	specErr     error  // the appspec is missing or invalid
	specMissing bool
}

// getBundle downloads and unpacks the deployment's revision once.
func (r *run) getBundle(rev *RevisionLocation) *bundle {
	r.bundleMu.Lock()
	defer r.bundleMu.Unlock()
	if r.bundle != nil {
		return r.bundle
	}
	b := &bundle{}
	r.bundle = b
	loc := rev.S3Location
	if loc == nil {
		b.err = errors.New("the revision has no S3 location")
		return b
	}
	if r.s.env.Objects == nil {
		b.err = errors.New("no S3 object store is connected to CodeDeploy on this platform")
		return b
	}
	data, err := r.s.env.Objects.GetObject(context.WithoutCancel(r.ctx), loc.Bucket, loc.Key)
	if errors.Is(err, store.ErrNotFound) {
		b.err = fmt.Errorf("The specified key does not exist. (bucket %s, key %s)", loc.Bucket, loc.Key)
		return b
	}
	if err != nil {
		b.err = fmt.Errorf("could not download the revision from s3://%s/%s: %v", loc.Bucket, loc.Key, err)
		return b
	}
	if tag := strings.Trim(loc.ETag, `"`); tag != "" {
		sum := md5.Sum(data)
		if !strings.EqualFold(tag, hex.EncodeToString(sum[:])) {
			b.err = fmt.Errorf("The eTag %s of the revision does not match the object s3://%s/%s", loc.ETag, loc.Bucket, loc.Key)
			return b
		}
	}
	files, err := unpack(data, loc.BundleType)
	if err != nil {
		b.err = fmt.Errorf("could not unpack the %s bundle s3://%s/%s: %v", loc.BundleType, loc.Bucket, loc.Key, err)
		return b
	}
	b.files = files
	for _, name := range []string{"appspec.yml", "appspec.yaml", "appspec.json"} {
		for _, f := range files {
			if f.Name == name && !f.Mode.IsDir() {
				b.specPath = name
				b.spec, b.specErr = appspec.Parse(f.Data)
				return b
			}
		}
	}
	b.specMissing = true
	return b
}

// unpack reads a zip, tar or tgz bundle.
func unpack(data []byte, kind string) ([]bundleFile, error) {
	var files []bundleFile
	total := 0
	add := func(name string, mode fs.FileMode, r io.Reader) error {
		name = strings.TrimPrefix(path.Clean("/"+strings.ReplaceAll(name, "\\", "/")), "/")
		if name == "" || name == "." {
			return nil
		}
		if len(files) >= maxBundleFiles {
			return errors.New("too many files in the bundle")
		}
		f := bundleFile{Name: name, Mode: mode}
		if !mode.IsDir() {
			d, err := io.ReadAll(io.LimitReader(r, int64(maxBundleBytes-total)+1))
			if err != nil {
				return err
			}
			total += len(d)
			if total > maxBundleBytes {
				return errors.New("the bundle is larger than 1 GiB unpacked")
			}
			f.Data = d
		}
		files = append(files, f)
		return nil
	}
	switch kind {
	case "zip":
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return nil, err
		}
		for _, zf := range zr.File {
			mode := zf.Mode().Perm()
			if zf.Mode().Perm() == 0 {
				mode = 0o644
			}
			if strings.HasSuffix(zf.Name, "/") || zf.FileInfo().IsDir() {
				if err := add(zf.Name, fs.ModeDir|0o755, nil); err != nil {
					return nil, err
				}
				continue
			}
			rc, err := zf.Open()
			if err != nil {
				return nil, err
			}
			err = add(zf.Name, mode, rc)
			rc.Close()
			if err != nil {
				return nil, err
			}
		}
	case "tar", "tgz":
		var rd io.Reader = bytes.NewReader(data)
		if kind == "tgz" {
			gz, err := gzip.NewReader(rd)
			if err != nil {
				return nil, err
			}
			defer gz.Close()
			rd = gz
		}
		tr := tar.NewReader(rd)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			switch h.Typeflag {
			case tar.TypeDir:
				if err := add(h.Name, fs.ModeDir|0o755, nil); err != nil {
					return nil, err
				}
			case tar.TypeReg:
				mode := fs.FileMode(h.Mode).Perm()
				if mode == 0 {
					mode = 0o644
				}
				if err := add(h.Name, mode, tr); err != nil {
					return nil, err
				}
			}
		}
	default:
		return nil, fmt.Errorf("unsupported bundle type %q", kind)
	}
	// add implied directories and sort
	seen := map[string]bool{}
	for _, f := range files {
		seen[f.Name] = true
	}
	for _, f := range files {
		for d := path.Dir(f.Name); d != "." && d != "/" && !seen[d]; d = path.Dir(d) {
			seen[d] = true
			files = append(files, bundleFile{Name: d, Mode: fs.ModeDir | 0o755})
		}
	}
	sort.SliceStable(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}
