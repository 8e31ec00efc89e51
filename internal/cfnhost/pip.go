package cfnhost

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/devopsim/devopsim/ec2sim/host"
	"github.com/devopsim/devopsim/ec2sim/hostfs"
)

// isBootstrap recognises the aws-cfn-bootstrap distribution (the public tarball templates
// install with pip or easy_install).
func isBootstrap(arg string) bool {
	return strings.Contains(path.Base(arg), "aws-cfn-bootstrap")
}

// installBootstrap lays down the helper scripts (calling the built-ins) in binDir and the
// init scripts pip installs under /usr/local/init.
func installBootstrap(h *host.Host, binDir string) error {
	root := hostfs.Cred{}
	fsys := h.FS()
	if err := fsys.MkdirAll(root, binDir, 0o755); err != nil {
		return err
	}
	for _, s := range bootstrapScripts {
		if err := fsys.WriteFile(root, path.Join(binDir, s), []byte(wrapper(s)), 0o755); err != nil {
			return err
		}
	}
	for _, d := range []string{"/usr/local/init/ubuntu", "/usr/local/init/redhat"} {
		_ = fsys.MkdirAll(root, d, 0o755)
		_ = fsys.WriteFile(root, d+"/cfn-hup", []byte("#!/bin/sh\n# cfn-hup init script\n"+path.Join(binDir, "cfn-hup")+" \"$@\"\n"), 0o755)
	}
	return nil
}

const sitePackages = "/usr/local/lib/python3/site-packages"

// cmdPip is pip/pip3 install: the aws-cfn-bootstrap tarball installs the helper scripts in
// /usr/local/bin; other requirements are recorded as installed (devopsim has no Python).
// pip3 exists once python3-pip is installed (pip: python-pip or python2-pip), as on the
// distributions the templates target.
func (t *Tools) cmdPip(ctx context.Context, c *host.Call) int {
	name := path.Base(c.Args[0])
	pkgs := []string{"python3-pip"}
	if name == "pip" {
		pkgs = []string{"python-pip", "python2-pip", "python3-pip"}
	}
	available := false
	for _, p := range pkgs {
		available = available || c.Host.Installed(p)
	}
	if !available {
		fmt.Fprintf(c.Stderr, "%s: command not found\n", c.Args[0])
		return 127
	}
	if len(c.Args) < 2 {
		fmt.Fprintf(c.Stderr, "Usage:\n  %s <command> [options]\n", name)
		return 1
	}
	switch c.Args[1] {
	case "--version", "-V":
		fmt.Fprintf(c.Stdout, "pip 23.0.1 from %s/pip (python 3.9)\n", sitePackages)
		return 0
	case "list", "freeze":
		ents, _ := c.Host.FS().ReadDir(sitePackages)
		for _, e := range ents {
			fmt.Fprintln(c.Stdout, e.Name())
		}
		return 0
	case "install":
	default:
		fmt.Fprintf(c.Stderr, "ERROR: unknown command \"%s\"\n", c.Args[1])
		return 1
	}
	var reqs []string
	user := false
	for i := 2; i < len(c.Args); i++ {
		a := c.Args[i]
		switch {
		case a == "--user":
			user = true
		case a == "-r" || a == "--requirement" || a == "-i" || a == "--index-url" || a == "-t" || a == "--target":
			i++
		case strings.HasPrefix(a, "-"):
		default:
			reqs = append(reqs, a)
		}
	}
	if len(reqs) == 0 {
		fmt.Fprintln(c.Stderr, "ERROR: You must give at least one requirement to install (see \"pip help install\")")
		return 1
	}
	if c.User.UID != 0 && !user {
		fmt.Fprintln(c.Stderr, "ERROR: Could not install packages due to an OSError: [Errno 13] Permission denied: '"+sitePackages+"'\nConsider using the `--user` option or checking the permissions.")
		return 1
	}
	root := hostfs.Cred{}
	for _, r := range reqs {
		pkg := strings.ToLower(path.Base(r))
		pkg = strings.TrimSuffix(strings.TrimSuffix(pkg, ".tar.gz"), ".zip")
		if i := strings.IndexAny(pkg, "=<>!~["); i > 0 {
			pkg = pkg[:i]
		}
		if isBootstrap(r) {
			pkg = "aws-cfn-bootstrap"
			if err := installBootstrap(c.Host, "/usr/local/bin"); err != nil {
				fmt.Fprintf(c.Stderr, "ERROR: %v\n", err)
				return 1
			}
		}
		_ = c.Host.FS().MkdirAll(root, path.Join(sitePackages, pkg), 0o755)
		fmt.Fprintf(c.Stdout, "Successfully installed %s\n", pkg)
	}
	return 0
}

// cmdEasyInstall is easy_install (python-setuptools): like pip for the aws-cfn-bootstrap
// tarball, with --script-dir choosing where the helper scripts go. A local archive must exist.
func (t *Tools) cmdEasyInstall(ctx context.Context, c *host.Call) int {
	if !c.Host.Installed("python-setuptools") && !c.Host.Installed("python3-setuptools") {
		fmt.Fprintf(c.Stderr, "%s: command not found\n", c.Args[0])
		return 127
	}
	opts, pos, err := parseFlags(c.Args[1:], []flagSpec{{"script-dir", "s", true}, {"install-dir", "d", true}, {"upgrade", "U", false}})
	if err != nil || len(pos) == 0 {
		fmt.Fprintln(c.Stderr, "error: No urls, filenames, or requirements specified (see --help)")
		return 1
	}
	if c.User.UID != 0 {
		fmt.Fprintln(c.Stderr, "error: can't create or remove files in install directory")
		return 1
	}
	dir := opts["script-dir"]
	if dir == "" {
		dir = "/usr/bin"
	}
	for _, a := range pos {
		if !strings.Contains(a, "://") {
			if _, err := c.Host.FS().Stat(c.Path(a)); err != nil {
				fmt.Fprintf(c.Stderr, "error: Not a URL, existing file, or requirement spec: %q\n", a)
				return 1
			}
		}
		if isBootstrap(a) {
			if err := installBootstrap(c.Host, c.Path(dir)); err != nil {
				fmt.Fprintf(c.Stderr, "error: %v\n", err)
				return 1
			}
		}
		fmt.Fprintf(c.Stdout, "Finished processing dependencies for %s\n", path.Base(a))
	}
	return 0
}
