package codebuild

import (
	"archive/zip"
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/devopsim/devopsim/codebuild/buildspec"
)

var varNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// fetchS3Source unpacks a zip from "bucket/key" (or an S3 ARN) into the source directory.
func (r *run) fetchS3Source(location string) error { return r.fetchS3Into(location, r.srcDir) }

// unzipInto extracts a zip archive into dir, refusing paths that escape it.
func unzipInto(data []byte, dir string) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("source is not a zip archive: %v", err)
	}
	for _, f := range zr.File {
		name := filepath.FromSlash(path.Clean("/" + f.Name))[1:]
		if name == "" {
			continue
		}
		dst := filepath.Join(dir, name)
		if f.FileInfo().IsDir() {
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		mode := f.Mode().Perm()
		if mode == 0 {
			mode = 0o644
		}
		out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode|0o200)
		if err != nil {
			rc.Close()
			return err
		}
		_, err = io.Copy(out, rc)
		rc.Close()
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Known images and their runtimes (the versions CodeBuild lists for them).
var imageRuntimes = map[string]map[string][]string{
	"aws/codebuild/standard:7.0": {
		"golang": {"1.21", "1.22", "1.23"}, "nodejs": {"18", "20", "22"}, "python": {"3.9", "3.10", "3.11", "3.12", "3.13"},
		"java": {"corretto8", "corretto11", "corretto17", "corretto21"}, "ruby": {"3.1", "3.2", "3.3"}, "php": {"8.2", "8.3"},
		"dotnet": {"6.0", "8.0"},
	},
	"aws/codebuild/standard:6.0": {
		"golang": {"1.20"}, "nodejs": {"16"}, "python": {"3.10"}, "java": {"corretto11", "corretto17"}, "ruby": {"3.1"}, "php": {"8.1"}, "dotnet": {"6.0"},
	},
	"aws/codebuild/amazonlinux2-x86_64-standard:5.0": {
		"golang": {"1.20", "1.21", "1.22", "1.23"}, "nodejs": {"18", "20", "22"}, "python": {"3.11", "3.12", "3.13"},
		"java": {"corretto8", "corretto11", "corretto17", "corretto21"}, "ruby": {"3.1", "3.2", "3.3"}, "php": {"8.2", "8.3"}, "dotnet": {"6.0", "8.0"},
	},
	"aws/codebuild/amazonlinux2-x86_64-standard:4.0": {
		"golang": {"1.18", "1.20"}, "nodejs": {"16", "18"}, "python": {"3.9", "3.11"}, "java": {"corretto8", "corretto11", "corretto17"}, "ruby": {"3.1", "3.2"}, "php": {"8.1", "8.2"}, "dotnet": {"6.0"},
	},
	"aws/codebuild/amazonlinux2-aarch64-standard:3.0": {
		"golang": {"1.20", "1.21"}, "nodejs": {"18", "20"}, "python": {"3.11", "3.12"}, "java": {"corretto11", "corretto17", "corretto21"}, "ruby": {"3.2"}, "php": {"8.2"}, "dotnet": {"8.0"},
	},
}

// runtimeCommand is the local program that stands for a runtime.
var runtimeCommand = map[string]string{
	"golang": "go", "nodejs": "node", "python": "python3", "java": "java", "ruby": "ruby", "php": "php", "dotnet": "dotnet",
}

// checkRuntimes validates install.runtime-versions against the image and maps each runtime
// onto the local toolchain.
func (r *run) checkRuntimes(rts []buildspec.Var) (PhaseContext, bool) {
	image := ""
	if r.b.Environment != nil {
		image = r.b.Environment.Image
	}
	known := imageRuntimes[image]
	for _, rt := range rts {
		if known != nil {
			versions, ok := known[rt.Name]
			if !ok {
				return PhaseContext{StatusCode: "YAML_FILE_ERROR", Message: fmt.Sprintf("Unknown runtime named '%s'. This build image has the following runtimes: %s", rt.Name, strings.Join(sortedKeys(known), ", "))}, false
			}
			if !versionMatches(rt.Value, versions) {
				return PhaseContext{StatusCode: "YAML_FILE_ERROR", Message: fmt.Sprintf("Unknown runtime version named '%s' of %s. This build image has the following versions: %s", rt.Value, rt.Name, strings.Join(versions, ", "))}, false
			}
		}
		if cmd, ok := runtimeCommand[rt.Name]; ok && r.s.opts.checkLocalRuntimes() {
			if _, err := exec.LookPath(cmd); err != nil {
				return PhaseContext{StatusCode: "COMMAND_EXECUTION_ERROR", Message: fmt.Sprintf("runtime %s %s is mapped onto the local program %q, which is not installed on this machine", rt.Name, rt.Value, cmd)}, false
			}
		}
		r.containerLog("Running command echo \"Installing %s version %s ...\"", rt.Name, rt.Value)
	}
	return PhaseContext{}, true
}

func (o Options) checkLocalRuntimes() bool { return o.NewShell == nil && !o.SkipRuntimeCheck }

func versionMatches(want string, versions []string) bool {
	want = strings.TrimSpace(want)
	if want == "latest" || want == "" {
		return true
	}
	for _, v := range versions {
		if v == want || strings.HasSuffix(want, ".x") && strings.HasPrefix(v, strings.TrimSuffix(want, "x")) ||
			strings.HasSuffix(want, ".x") && v == strings.TrimSuffix(want, ".x") || strings.TrimSuffix(want, ".x") == v {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// uploadArtifacts packages the buildspec's artifacts to S3 as the project says.
func (r *run) uploadArtifacts() (PhaseContext, bool) {
	pa := r.project.Artifacts
	if r.in.ArtifactsOverride != nil {
		pa = r.in.ArtifactsOverride
	}
	if pa == nil || pa.Type == "NO_ARTIFACTS" || r.spec == nil || r.spec.Artifacts == nil {
		return PhaseContext{}, true
	}
	r.containerLog("Entering phase UPLOAD_ARTIFACTS")
	ba, err := r.upload(*pa, r.spec.Artifacts)
	if err != nil {
		return PhaseContext{StatusCode: "CLIENT_ERROR", Message: err.Error()}, false
	}
	r.b.Artifacts = ba
	secondary := r.project.SecondaryArtifacts
	if r.in.SecondaryArtifactsOverride != nil {
		secondary = r.in.SecondaryArtifactsOverride
	}
	for _, sa := range secondary {
		spec := r.spec.Artifacts.Secondary[sa.ArtifactIdentifier]
		if spec == nil {
			return PhaseContext{StatusCode: "CLIENT_ERROR", Message: "no matching artifact paths found for secondary artifact " + sa.ArtifactIdentifier}, false
		}
		out, err := r.upload(sa, spec)
		if err != nil {
			return PhaseContext{StatusCode: "CLIENT_ERROR", Message: err.Error()}, false
		}
		out.ArtifactIdentifier = sa.ArtifactIdentifier
		r.b.SecondaryArtifacts = append(r.b.SecondaryArtifacts, *out)
	}
	return PhaseContext{}, true
}

func (r *run) upload(pa ProjectArtifacts, spec *buildspec.Artifacts) (*BuildArtifacts, error) {
	files, err := collect(r.srcDir, spec)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no matching artifact paths found")
	}
	if pa.Type != "S3" && pa.Type != "CODEPIPELINE" {
		return nil, fmt.Errorf("unsupported artifacts type %s", pa.Type)
	}
	name := firstNonEmpty(pa.Name, r.project.Name)
	if pa.OverrideArtifactName && spec.Name != "" {
		name = r.expand(spec.Name)
	}
	parts := []string{}
	if pa.Path != "" {
		parts = append(parts, strings.Trim(pa.Path, "/"))
	}
	if pa.NamespaceType == "BUILD_ID" {
		parts = append(parts, strings.TrimPrefix(r.b.Id, r.b.ProjectName+":"))
	}
	prefix := strings.Join(append(parts, name), "/")
	bucket := pa.Location
	if pa.Packaging == "ZIP" || pa.Type == "CODEPIPELINE" {
		data, err := zipFiles(files)
		if err != nil {
			return nil, err
		}
		if err := r.s.env.Objects.PutObject(r.ctx, bucket, prefix, data); err != nil {
			return nil, fmt.Errorf("uploading s3://%s/%s: %v", bucket, prefix, err)
		}
		md := md5.Sum(data)
		sh := sha256.Sum256(data)
		return &BuildArtifacts{Location: "arn:aws:s3:::" + bucket + "/" + prefix, Md5sum: hex.EncodeToString(md[:]), Sha256sum: hex.EncodeToString(sh[:]), OverrideArtifactName: pa.OverrideArtifactName}, nil
	}
	for _, f := range files {
		data, err := os.ReadFile(f.abs)
		if err != nil {
			return nil, err
		}
		if err := r.s.env.Objects.PutObject(r.ctx, bucket, prefix+"/"+f.rel, data); err != nil {
			return nil, fmt.Errorf("uploading s3://%s/%s/%s: %v", bucket, prefix, f.rel, err)
		}
	}
	return &BuildArtifacts{Location: "arn:aws:s3:::" + bucket + "/" + prefix, OverrideArtifactName: pa.OverrideArtifactName}, nil
}

// expand replaces $VAR and ${VAR} in s with the build's environment.
func (r *run) expand(s string) string {
	return os.Expand(s, func(k string) string {
		for i := len(r.env) - 1; i >= 0; i-- {
			if name, val, _ := strings.Cut(r.env[i], "="); name == k {
				return val
			}
		}
		return ""
	})
}

type artifactFile struct{ abs, rel string }

// collect finds the files an artifacts section selects, with their paths in the artifact.
func collect(srcDir string, spec *buildspec.Artifacts) ([]artifactFile, error) {
	base := srcDir
	if spec.BaseDirectory != "" {
		base = filepath.Join(srcDir, filepath.FromSlash(spec.BaseDirectory))
	}
	fsys := os.DirFS(base)
	seen := map[string]bool{}
	var out []artifactFile
	for _, pattern := range spec.Files {
		pattern = strings.TrimPrefix(path.Clean(pattern), "./")
		if !doublestar.ValidatePattern(pattern) {
			return nil, fmt.Errorf("invalid artifact pattern %q", pattern)
		}
		matches, err := doublestar.Glob(fsys, pattern, doublestar.WithFilesOnly(), doublestar.WithNoFollow())
		if err != nil {
			return nil, err
		}
		for _, m := range matches {
			if excluded(m, spec.ExcludePaths) || seen[m] {
				continue
			}
			seen[m] = true
			rel := m
			if spec.DiscardPaths {
				rel = path.Base(m)
			}
			out = append(out, artifactFile{abs: filepath.Join(base, filepath.FromSlash(m)), rel: rel})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rel < out[j].rel })
	return out, nil
}

func excluded(p string, patterns []string) bool {
	for _, x := range patterns {
		if ok, _ := doublestar.Match(strings.TrimPrefix(x, "./"), p); ok {
			return true
		}
	}
	return false
}

func zipFiles(files []artifactFile) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		info, err := os.Lstat(f.abs)
		if err != nil {
			return nil, err
		}
		if !info.Mode().IsRegular() {
			continue
		}
		h, err := zip.FileInfoHeader(info)
		if err != nil {
			return nil, err
		}
		h.Name = f.rel
		h.Method = zip.Deflate
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		in, err := os.Open(f.abs)
		if err != nil {
			return nil, err
		}
		_, err = io.Copy(w, in)
		in.Close()
		if err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
