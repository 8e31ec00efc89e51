package codebuild

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// fetchSecondarySources downloads each secondary source into its own directory, named in
// CODEBUILD_SRC_DIR_<sourceIdentifier>.
func (r *run) fetchSecondarySources() (PhaseContext, bool) {
	versions := map[string]string{}
	for _, v := range r.b.SecondarySourceVersions {
		versions[v.SourceIdentifier] = v.SourceVersion
	}
	for i, src := range r.b.SecondarySources {
		if !varNameRE.MatchString(src.SourceIdentifier) {
			return PhaseContext{StatusCode: "CLIENT_ERROR", Message: fmt.Sprintf("secondary source %d has an invalid sourceIdentifier %q", i, src.SourceIdentifier)}, false
		}
		dir := filepath.Join(r.workDir, "src_"+src.SourceIdentifier)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return PhaseContext{StatusCode: "CLIENT_ERROR", Message: err.Error()}, false
		}
		switch src.Type {
		case "CODECOMMIT":
			if r.s.deps.Sources == nil {
				return PhaseContext{StatusCode: "CLIENT_ERROR", Message: "CodeCommit sources are not available"}, false
			}
			data, _, err := r.s.deps.Sources.FetchCodeCommit(r.runCtx, src.Location, versions[src.SourceIdentifier])
			if err == nil {
				err = unzipInto(data, dir)
			}
			if err != nil {
				return PhaseContext{StatusCode: "CLIENT_ERROR", Message: "secondary source " + src.SourceIdentifier + ": " + err.Error()}, false
			}
		case "S3", "CODEPIPELINE":
			if err := r.fetchS3Into(src.Location, dir); err != nil {
				return PhaseContext{StatusCode: "CLIENT_ERROR", Message: "secondary source " + src.SourceIdentifier + ": " + err.Error()}, false
			}
		case "NO_SOURCE":
		default:
			return PhaseContext{StatusCode: "CLIENT_ERROR", Message: "unsupported secondary source type " + src.Type}, false
		}
		r.env = append(r.env, "CODEBUILD_SRC_DIR_"+src.SourceIdentifier+"="+dir)
	}
	return PhaseContext{}, true
}

// cacheKey is where the project's cache lives: an S3 location, or a local directory.
func (r *run) cacheLocation() (bucket, key, local string, ok bool) {
	c := r.b.Cache
	if c == nil || r.spec == nil || len(r.spec.Cache.Paths) == 0 {
		return "", "", "", false
	}
	switch c.Type {
	case "S3":
		loc := strings.TrimPrefix(c.Location, "arn:aws:s3:::")
		bucket, prefix, _ := strings.Cut(loc, "/")
		if bucket == "" {
			return "", "", "", false
		}
		return bucket, strings.TrimPrefix(path.Join(prefix, r.project.Name+"-cache.tgz"), "/"), "", true
	case "LOCAL":
		return "", "", filepath.Join(r.s.opts.WorkDir, "codebuild-cache", strings.Trim(r.scope, "/"), r.project.Name+".tgz"), true
	}
	return "", "", "", false
}

// restoreCache unpacks the cache into the source directory before INSTALL.
func (r *run) restoreCache() {
	bucket, key, local, ok := r.cacheLocation()
	if !ok {
		return
	}
	var data []byte
	var err error
	if local != "" {
		data, err = os.ReadFile(local)
	} else {
		data, err = r.s.env.Objects.GetObject(r.ctx, bucket, key)
	}
	if err != nil {
		r.containerLog("No cache to restore")
		return
	}
	if err := untarGz(data, r.srcDir); err != nil {
		r.containerLog("Could not restore the cache: %v", err)
		return
	}
	r.containerLog("Restored the cache")
}

// saveCache packs the buildspec's cache paths (relative to the source directory; paths
// outside the build's directory are skipped, since builds run on this machine).
func (r *run) saveCache() {
	bucket, key, local, ok := r.cacheLocation()
	if !ok {
		return
	}
	var files []string
	for _, p := range r.spec.Cache.Paths {
		if path.IsAbs(p) {
			r.containerLog("Skipping cache path %s: only paths inside the source directory are cached", p)
			continue
		}
		matches, err := doublestar.Glob(os.DirFS(r.srcDir), strings.TrimPrefix(path.Clean(p), "./"), doublestar.WithFilesOnly())
		if err == nil {
			files = append(files, matches...)
		}
	}
	data, err := tarGz(r.srcDir, files)
	if err != nil {
		r.containerLog("Could not pack the cache: %v", err)
		return
	}
	if local != "" {
		if err = os.MkdirAll(filepath.Dir(local), 0o755); err == nil {
			err = os.WriteFile(local, data, 0o644)
		}
	} else {
		err = r.s.env.Objects.PutObject(r.ctx, bucket, key, data)
	}
	if err != nil {
		r.containerLog("Could not save the cache: %v", err)
	}
}

func tarGz(dir string, files []string) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, f := range files {
		full := filepath.Join(dir, filepath.FromSlash(f))
		info, err := os.Lstat(full)
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		if err := tw.WriteHeader(&tar.Header{Name: f, Mode: int64(info.Mode().Perm()), Size: info.Size(), ModTime: info.ModTime()}); err != nil {
			return nil, err
		}
		in, err := os.Open(full)
		if err != nil {
			return nil, err
		}
		_, err = io.Copy(tw, in)
		in.Close()
		if err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func untarGz(data []byte, dir string) error {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.FromSlash(path.Clean("/" + h.Name))[1:]
		if name == "" || h.Typeflag != tar.TypeReg {
			continue
		}
		dst := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, fs.FileMode(h.Mode&0o777)|0o200)
		if err != nil {
			return err
		}
		_, err = io.Copy(out, io.LimitReader(tr, h.Size))
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
}

// uploadS3Logs writes the whole build log, gzipped, to the project's S3 logs location.
func (r *run) uploadS3Logs() {
	if r.b.Logs == nil || r.b.Logs.S3Logs == nil || r.b.Logs.S3Logs.Status != "ENABLED" {
		return
	}
	loc := strings.TrimPrefix(r.b.Logs.S3Logs.Location, "arn:aws:s3:::")
	bucket, prefix, _ := strings.Cut(loc, "/")
	if bucket == "" {
		return
	}
	r.logMu.Lock()
	text := strings.Join(r.logBuf, "\n") + "\n"
	r.logMu.Unlock()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write([]byte(text))
	_ = zw.Close()
	key := strings.TrimPrefix(path.Join(prefix, strings.TrimPrefix(r.b.Id, r.b.ProjectName+":")+".gz"), "/")
	if err := r.s.env.Objects.PutObject(r.ctx, bucket, key, buf.Bytes()); err != nil {
		r.s.log.Warn("codebuild: uploading S3 logs", "err", err)
		return
	}
	r.b.Logs.S3LogsArn = "arn:aws:s3:::" + bucket + "/" + key
	r.b.Logs.S3DeepLink = "https://s3.console.aws.amazon.com/s3/object/" + bucket + "/" + key
}

// fetchS3Into unpacks a zip at "bucket/key" into dir.
func (r *run) fetchS3Into(location, dir string) error {
	loc := strings.TrimPrefix(location, "arn:aws:s3:::")
	bucket, key, ok := strings.Cut(loc, "/")
	if !ok || bucket == "" || key == "" {
		return fmt.Errorf("invalid S3 source location %q; expected bucket/key", location)
	}
	data, err := r.s.env.Objects.GetObject(r.ctx, bucket, key)
	if err != nil {
		return fmt.Errorf("could not get s3://%s/%s: %v", bucket, key, err)
	}
	return unzipInto(data, dir)
}
