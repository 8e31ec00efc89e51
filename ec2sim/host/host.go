package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"

	"github.com/devopsim/devopsim/clock"
	"github.com/devopsim/devopsim/ec2sim/hostfs"
	"github.com/devopsim/devopsim/runner"
)

// Command is a built-in command implemented in Go. It returns the exit status.
type Command func(ctx context.Context, c *Call) int

// Call is one invocation of a Command.
type Call struct {
	Host   *Host
	Args   []string // Args[0] is the command name as invoked
	Dir    string   // working directory (absolute)
	Env    []string // KEY=VALUE
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	User   User // who runs it
}

// Getenv returns the value of an environment variable.
func (c *Call) Getenv(k string) string {
	for i := len(c.Env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(c.Env[i], k+"="); ok {
			return v
		}
	}
	return ""
}

// Path makes p absolute against the call's directory.
func (c *Call) Path(p string) string {
	if strings.HasPrefix(p, "/") {
		return path.Clean(p)
	}
	return path.Join(c.Dir, p)
}

// Errorf writes "name: message" to stderr and returns 1.
func (c *Call) Errorf(format string, args ...any) int {
	fmt.Fprintf(c.Stderr, "%s: %s\n", path.Base(c.Args[0]), fmt.Sprintf(format, args...))
	return 1
}

// Cred is the caller's file-system credential.
func (c *Call) Cred() hostfs.Cred { return c.User.Cred() }

// FS is the host's file system.
func (c *Call) FS() *hostfs.FS { return c.Host.fs }

// Run runs a nested script on the same host as the same user, with the call's streams.
func (c *Call) Run(ctx context.Context, script string, args ...string) int {
	code, err := c.Host.run(ctx, c.User, &runner.Command{Script: script, Dir: c.Dir, Env: c.Env, Stdin: c.Stdin, Stdout: c.Stdout, Stderr: c.Stderr}, append([]string{"bash"}, args...))
	if err != nil {
		fmt.Fprintf(c.Stderr, "%s: %v\n", path.Base(c.Args[0]), err)
		if code == 0 {
			code = 2
		}
	}
	return code
}

// Metadata is what the instance metadata service (169.254.169.254) answers.
type Metadata struct {
	InstanceID       string
	ImageID          string
	InstanceType     string
	LocalIPv4        string
	PublicIPv4       string
	AvailabilityZone string
	Region           string
	AccountID        string
	Hostname         string
	MAC              string
	KeyName          string
	PublicKey        string // the key pair's authorized_keys line
	SecurityGroups   []string
	IAMRole          string // instance profile role name, empty for none
	UserData         []byte
	Tags             map[string]string
	TagsEnabled      bool // InstanceMetadataTags=enabled
	TokensRequired   bool // HttpTokens=required (IMDSv2 only)
	Disabled         bool // HttpEndpoint=disabled
}

// ServiceDef describes a service a package installs (or a caller registers).
type ServiceDef struct {
	Name string
	// Port is the TCP port it listens on inside the host (80 for web servers); 0 for none.
	Port int
	// WebRoot, when set, makes the service a static web server for that directory.
	WebRoot string
	// Handler, when set, serves HTTP instead of WebRoot; it is built when the service starts.
	Handler func(h *Host) http.Handler
	// Run, when set, is the service's daemon: it runs on its own goroutine from start until
	// ctx is cancelled (the service stops or the host shuts down). It should wait on the
	// host's Clock, so a manual clock drives it.
	Run func(ctx context.Context, h *Host)
}

// Package is an installable package: files it lays down and the service it brings.
type Package struct {
	Name    string
	Files   map[string]string // path -> contents (directories end in "/")
	Service *ServiceDef
	Users   []string // system users it creates
}

// ServiceStatus is one service's state.
type ServiceStatus struct {
	Name    string
	Active  bool
	Enabled bool
	Port    int
	Addr    string // real loopback address while active and listening
}

// Options configure a host; the zero value is a fresh Amazon Linux 2023 host.
type Options struct {
	ID       string
	Hostname string
	Clock    clock.Clock // nil: real time
	Log      *slog.Logger
	// FS is the host's file system (e.g. a snapshot from an image); nil builds a base one.
	FS *hostfs.FS
	// Distro is "al2023" (default), "amzn2" or "ubuntu": the default user, package manager
	// and service layout.
	Distro   string
	Metadata Metadata
	// Commands adds or replaces built-in commands.
	Commands map[string]Command
	// Packages adds or replaces installable packages.
	Packages map[string]Package
	// Network resolves a host name or IP address (other than loopback and the metadata
	// address) to the handler of a web service on that port, or fails with ErrUnknownHost,
	// ErrRefused or ErrTimedOut (what curl reports); nil means no outside network.
	Network func(host string, port int) (http.Handler, error)
	// RealPrograms lists commands run as real programs on the machine running devopsim
	// (explicit opt-in; they see the real file system).
	RealPrograms []string
	// Catalog shares the built-in commands and package catalogues between hosts (nil: the
	// host builds its own). Hosts never modify it.
	Catalog *Catalog
}

// Catalog holds the built-in commands and the per-distribution package catalogues, built
// once and shared read-only by the hosts given it (a host copies before changing its own).
// It is safe for concurrent use.
type Catalog struct {
	mu       sync.Mutex
	commands map[string]Command
	packages map[string]map[string]Package
}

// NewCatalog returns an empty catalog; its parts are built on first use.
func NewCatalog() *Catalog { return &Catalog{packages: map[string]map[string]Package{}} }

func (c *Catalog) parts(distro string) (map[string]Command, map[string]Package) {
	if c == nil {
		return builtins(), catalogue(distro)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.commands == nil {
		c.commands = builtins()
	}
	pk, ok := c.packages[distro]
	if !ok {
		pk = catalogue(distro)
		c.packages[distro] = pk
	}
	return c.commands, pk
}

// Host is one simulated machine. It is safe for concurrent use.
type Host struct {
	id       string
	clk      clock.Clock
	log      *slog.Logger
	fs       *hostfs.FS
	distro   string
	commands map[string]Command
	packages map[string]Package
	network  func(string, int) (http.Handler, error)
	real     map[string]bool

	dbMu      sync.Mutex // serialises user and package database edits
	mu        sync.Mutex
	hostname  string
	meta      Metadata
	installed map[string]bool
	services  map[string]*service
	tags      map[string]string
	tokens    map[string]time.Time
	console   bytes.Buffer
	closed    bool
	wg        sync.WaitGroup
}

type service struct {
	def     ServiceDef
	active  bool
	enabled bool
	srv     *http.Server
	ln      net.Listener
	handler http.Handler
	stopRun context.CancelFunc // cancels the daemon (ServiceDef.Run) while active
}

// Errors of Options.Network: the name does not resolve (curl exit 6), nothing listens on the
// port (7), or a firewall drops the connection (28; security groups).
var (
	ErrUnknownHost = errors.New("could not resolve host")
	ErrRefused     = errors.New("connection refused")
	ErrTimedOut    = errors.New("connection timed out")
)

// New builds a host. Close it to stop its services.
func New(opts Options) *Host {
	clk := opts.Clock
	if clk == nil {
		clk = clock.Real()
	}
	lg := opts.Log
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	distro := opts.Distro
	if distro == "" {
		distro = "al2023"
	}
	h := &Host{
		id: opts.ID, clk: clk, log: lg, distro: distro, network: opts.Network,
		hostname: opts.Hostname, meta: opts.Metadata,
		installed: map[string]bool{}, services: map[string]*service{}, tags: map[string]string{},
		tokens: map[string]time.Time{}, real: map[string]bool{},
	}
	if h.hostname == "" {
		h.hostname = "localhost"
		if opts.Metadata.LocalIPv4 != "" {
			h.hostname = "ip-" + strings.ReplaceAll(opts.Metadata.LocalIPv4, ".", "-")
		}
	}
	h.commands, h.packages = opts.Catalog.parts(distro)
	if len(opts.Commands) > 0 {
		h.commands = maps.Clone(h.commands)
		maps.Copy(h.commands, opts.Commands)
	}
	if len(opts.Packages) > 0 {
		h.packages = maps.Clone(h.packages)
		maps.Copy(h.packages, opts.Packages)
	}
	for _, p := range opts.RealPrograms {
		h.real[p] = true
	}
	if opts.FS != nil {
		h.fs = opts.FS.WithClock(clk.Now)
		h.loadState()
	} else {
		h.fs = BaseFS(distro, clk.Now)
	}
	_ = h.fs.WriteFile(hostfs.Cred{}, "/etc/hostname", []byte(h.hostname+"\n"), 0o644)
	if k := opts.Metadata.PublicKey; k != "" {
		// cloud-init's ssh module: the key pair's public key for the default user.
		dir := "/home/" + DefaultUser(distro) + "/.ssh"
		_ = h.fs.MkdirAll(hostfs.Cred{}, dir, 0o700)
		_ = h.fs.Chown(hostfs.Cred{}, dir, 1000, 1000)
		_ = h.fs.WriteFile(hostfs.Cred{}, dir+"/authorized_keys", []byte(k+"\n"), 0o600)
		_ = h.fs.Chown(hostfs.Cred{}, dir+"/authorized_keys", 1000, 1000)
	}
	return h
}

// ID is the host's id (the instance id).
func (h *Host) ID() string { return h.id }

// FS is the host's private file system.
func (h *Host) FS() *hostfs.FS { return h.fs }

// Clock is the host's clock.
func (h *Host) Clock() clock.Clock { return h.clk }

// Distro is the host's distribution ("al2023", "amzn2", "ubuntu").
func (h *Host) Distro() string { return h.distro }

// Hostname is the host's name.
func (h *Host) Hostname() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hostname
}

// SetHostname changes the host's name.
func (h *Host) SetHostname(name string) {
	h.mu.Lock()
	h.hostname = name
	h.mu.Unlock()
	_ = h.fs.WriteFile(hostfs.Cred{}, "/etc/hostname", []byte(name+"\n"), 0o644)
}

// Tags returns a copy of the host's tags.
func (h *Host) Tags() map[string]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return maps.Clone(h.tags)
}

// SetTags replaces the host's tags (also what IMDS shows when tags are enabled).
func (h *Host) SetTags(tags map[string]string) {
	h.mu.Lock()
	h.tags = maps.Clone(tags)
	h.meta.Tags = maps.Clone(tags)
	h.mu.Unlock()
}

// Metadata returns the instance metadata.
func (h *Host) Metadata() Metadata {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.meta
}

// SetMetadata replaces the instance metadata.
func (h *Host) SetMetadata(m Metadata) {
	h.mu.Lock()
	h.meta = m
	h.mu.Unlock()
}

// RegisterCommand adds or replaces a built-in command.
func (h *Host) RegisterCommand(name string, c Command) {
	h.mu.Lock()
	h.commands = maps.Clone(h.commands)
	h.commands[name] = c
	h.mu.Unlock()
}

func (h *Host) command(name string) (Command, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c, ok := h.commands[name]
	return c, ok
}

// HasCommand reports whether name is a built-in or registered command.
func (h *Host) HasCommand(name string) bool { _, ok := h.command(name); return ok }

// Packages lists the installed packages, sorted.
func (h *Host) Packages() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Sorted(maps.Keys(h.installed))
}

// Console returns what the host wrote to its console (boot messages, user-data output).
func (h *Host) Console() []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return bytes.Clone(h.console.Bytes())
}

const maxConsole = 64 << 10

// ConsoleWriter returns a writer appending to the console (the last 64 KiB are kept, like
// GetConsoleOutput).
func (h *Host) ConsoleWriter() io.Writer { return consoleWriter{h} }

type consoleWriter struct{ h *Host }

func (w consoleWriter) Write(p []byte) (int, error) {
	w.h.mu.Lock()
	defer w.h.mu.Unlock()
	w.h.console.Write(p)
	if n := w.h.console.Len(); n > maxConsole {
		b := bytes.Clone(w.h.console.Bytes()[n-maxConsole:])
		w.h.console.Reset()
		w.h.console.Write(b)
	}
	return len(p), nil
}

// ReadFile reads a file of the host as root.
func (h *Host) ReadFile(name string) ([]byte, error) { return h.fs.ReadFile(name) }

// WriteFile writes a file on the host as root, creating parent directories.
func (h *Host) WriteFile(name string, data []byte, perm fs.FileMode) error {
	if err := h.fs.MkdirAll(hostfs.Cred{}, path.Dir(hostfs.Clean(name)), 0o755); err != nil {
		return err
	}
	return h.fs.WriteFile(hostfs.Cred{}, name, data, perm)
}

// Run runs cmd.Script as root (runner.Runner). A non-zero exit is in the Result.
func (h *Host) Run(ctx context.Context, cmd *runner.Command) (runner.Result, error) {
	return h.RunAs(ctx, "root", cmd)
}

// RunAs runs cmd.Script as the named user (its home as the default directory).
func (h *Host) RunAs(ctx context.Context, user string, cmd *runner.Command) (runner.Result, error) {
	u, err := h.LookupUser(user)
	if err != nil {
		return runner.Result{}, err
	}
	start := h.clk.Now()
	if cmd.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		t := h.clk.AfterFunc(cmd.Timeout, cancel)
		defer t.Stop()
		defer cancel()
	}
	c := *cmd
	if c.Dir == "" {
		c.Dir = u.Home
		if _, err := h.fs.Stat(c.Dir); err != nil {
			c.Dir = "/"
		}
	}
	if c.Env == nil {
		c.Env = h.defaultEnv(u, c.Dir)
	}
	code, err := h.run(ctx, u, &c, nil)
	res := runner.Result{ExitCode: code, Duration: h.clk.Now().Sub(start)}
	if err != nil && cmd.Timeout > 0 && ctx.Err() != nil && res.Duration >= cmd.Timeout {
		res.TimedOut = true
		return res, nil
	}
	return res, err
}

// Exec is a convenience: it runs script as root and returns its output and exit status.
func (h *Host) Exec(ctx context.Context, script string) (stdout, stderr string, code int, err error) {
	var o, e bytes.Buffer
	res, err := h.Run(ctx, &runner.Command{Script: script, Stdout: &o, Stderr: &e})
	return o.String(), e.String(), res.ExitCode, err
}

func (h *Host) defaultEnv(u User, dir string) []string {
	return []string{
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=" + u.Home, "USER=" + u.Name, "LOGNAME=" + u.Name, "SHELL=/bin/bash",
		"HOSTNAME=" + h.Hostname(), "PWD=" + dir, "LANG=C.UTF-8",
	}
}

type sessionKey struct{}

type session struct {
	user User
}

// ErrProcessSubstitution is returned for scripts using <(...) or >(...), which would need
// real FIFOs.
var errProcSubst = errors.New("process substitution is not supported on simulated hosts")

// run parses and runs a script as u with argv as $0, $1... (nil means "bash" and no
// arguments). The error is non-nil when it could not run at all.
func (h *Host) run(ctx context.Context, u User, cmd *runner.Command, argv []string) (int, error) {
	name := "bash"
	var args []string
	if len(argv) > 0 {
		name, args = argv[0], argv[1:]
	}
	file, err := syntax.NewParser().Parse(strings.NewReader(cmd.Script), name)
	if err != nil {
		if cmd.Stderr != nil {
			fmt.Fprintf(cmd.Stderr, "%v\n", err)
		}
		return 2, nil
	}
	var bad bool
	syntax.Walk(file, func(n syntax.Node) bool {
		if _, ok := n.(*syntax.ProcSubst); ok {
			bad = true
		}
		return !bad
	})
	if bad {
		if cmd.Stderr != nil {
			fmt.Fprintf(cmd.Stderr, "%s: %v\n", name, errProcSubst)
		}
		return 2, nil
	}
	ctx = context.WithValue(ctx, sessionKey{}, &session{user: u})
	env := cmd.Env
	if env == nil {
		env = h.defaultEnv(u, cmd.Dir)
	}
	stdin := cmd.Stdin
	if _, ok := stdin.(emptyReader); ok {
		stdin = nil
	}
	params := []string{"--"}
	params = append(params, args...)
	dir := cmd.Dir
	if dir == "" {
		dir = "/"
	}
	r, err := interp.New(
		// The directory is the host's: set it directly (interp.Dir would stat the real file
		// system, and no Dir at all makes New ask the OS for its working directory).
		func(r *interp.Runner) error { r.Dir = hostfs.Clean(dir); return nil },
		interp.Env(expand.ListEnviron(env...)),
		interp.StdIO(stdin, orDiscard(cmd.Stdout), orDiscard(cmd.Stderr)),
		interp.OpenHandler(h.openHandler),
		interp.StatHandler(h.statHandler),
		interp.ReadDirHandler2(h.readDirHandler),
		interp.AccessHandler(h.accessHandler),
		interp.CallHandler(h.callHandler),
		interp.ExecHandlers(h.execMiddleware),
		interp.Params(params...),
	)
	if err != nil {
		return 0, err
	}
	r.Reset()
	err = r.Run(ctx, file)
	if err == nil {
		return 0, nil
	}
	if st, ok := interp.IsExitStatus(err); ok {
		return int(st), nil
	}
	if ctx.Err() != nil {
		return 130, ctx.Err()
	}
	return 1, err
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

func sessionOf(ctx context.Context) *session {
	if s, ok := ctx.Value(sessionKey{}).(*session); ok {
		return s
	}
	return &session{user: User{Name: "root", Home: "/root", Shell: "/bin/bash"}}
}

func (h *Host) openHandler(ctx context.Context, p string, flag int, perm os.FileMode) (io.ReadWriteCloser, error) {
	switch p {
	case "/dev/null":
		return devNull{}, nil
	case "/dev/stdout", "/dev/stderr":
		hc := interp.HandlerCtx(ctx)
		if p == "/dev/stdout" {
			return nopCloser{hc.Stdout}, nil
		}
		return nopCloser{hc.Stderr}, nil
	}
	if !path.IsAbs(p) {
		p = path.Join(interp.HandlerCtx(ctx).Dir, p)
	}
	return h.fs.OpenFile(sessionOf(ctx).user.Cred(), p, flag, perm)
}

// emptyReader is a stateless empty stdin (safe to share between nested runs).
type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, io.EOF }

type devNull struct{}

func (devNull) Read([]byte) (int, error)    { return 0, io.EOF }
func (devNull) Write(p []byte) (int, error) { return len(p), nil }
func (devNull) Close() error                { return nil }

type nopCloser struct{ io.Writer }

func (nopCloser) Read([]byte) (int, error) { return 0, io.EOF }
func (nopCloser) Close() error             { return nil }

func (h *Host) statHandler(ctx context.Context, name string, follow bool) (fs.FileInfo, error) {
	if !path.IsAbs(name) {
		name = path.Join(interp.HandlerCtx(ctx).Dir, name)
	}
	if name == "/dev/null" {
		return devNullInfo{}, nil
	}
	if follow {
		return h.fs.Stat(name)
	}
	return h.fs.Lstat(name)
}

type devNullInfo struct{}

func (devNullInfo) Name() string       { return "null" }
func (devNullInfo) Size() int64        { return 0 }
func (devNullInfo) Mode() fs.FileMode  { return fs.ModeDevice | fs.ModeCharDevice | 0o666 }
func (devNullInfo) ModTime() time.Time { return time.Time{} }
func (devNullInfo) IsDir() bool        { return false }
func (devNullInfo) Sys() any           { return nil }

func (h *Host) readDirHandler(ctx context.Context, name string) ([]fs.DirEntry, error) {
	if !path.IsAbs(name) {
		name = path.Join(interp.HandlerCtx(ctx).Dir, name)
	}
	return h.fs.ReadDir(name)
}

func (h *Host) accessHandler(ctx context.Context, name string, mode interp.AccessMode) error {
	return h.fs.Access(sessionOf(ctx).user.Cred(), name, fs.FileMode(mode))
}

// callHandler keeps the interpreter's own PATH lookups (type, command -v, hash) off the real
// file system by routing them to host built-ins.
func (h *Host) callHandler(ctx context.Context, args []string) ([]string, error) {
	switch args[0] {
	case "type", "hash":
		return append([]string{"__host_which", "-type"}, args[1:]...), nil
	case "command":
		if len(args) > 1 && (args[1] == "-v" || args[1] == "-V") {
			return append([]string{"__host_which", args[1]}, args[2:]...), nil
		}
	}
	return args, nil
}

func (h *Host) execMiddleware(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
	return func(ctx context.Context, args []string) error {
		hc := interp.HandlerCtx(ctx)
		code := h.exec(ctx, hc, args, next)
		if code == 0 {
			return nil
		}
		return interp.ExitStatus(uint8(code))
	}
}

func (h *Host) exec(ctx context.Context, hc interp.HandlerContext, args []string, next interp.ExecHandlerFunc) int {
	if err := ctx.Err(); err != nil {
		return 130
	}
	var env []string
	hc.Env.Each(func(name string, vr expand.Variable) bool {
		if vr.Exported && vr.IsSet() {
			env = append(env, name+"="+vr.String())
		}
		return true
	})
	call := &Call{Host: h, Args: args, Dir: hc.Dir, Env: env, Stdin: hc.Stdin, Stdout: hc.Stdout, Stderr: hc.Stderr, User: sessionOf(ctx).user}
	if call.Stdin == nil {
		call.Stdin = emptyReader{}
	}
	name := args[0]
	if strings.Contains(name, "/") {
		return h.execPath(ctx, call, call.Path(name))
	}
	if h.real[name] {
		if err := next(ctx, args); err != nil {
			if st, ok := interp.IsExitStatus(err); ok {
				return int(st)
			}
			fmt.Fprintf(call.Stderr, "%s: %v\n", name, err)
			return 126
		}
		return 0
	}
	if c, ok := h.command(name); ok {
		return c(ctx, call)
	}
	// Scripts installed in PATH on the host.
	for _, dir := range strings.Split(call.Getenv("PATH"), ":") {
		if dir == "" {
			continue
		}
		p := path.Join(dir, name)
		if fi, err := h.fs.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return h.execPath(ctx, call, p)
		}
	}
	fmt.Fprintf(call.Stderr, "%s: command not found\n", name)
	return 127
}

// execPath runs an executable file on the host: a shell script, or a built-in by its path.
func (h *Host) execPath(ctx context.Context, c *Call, p string) int {
	fi, err := h.fs.Stat(p)
	if err != nil {
		// Amazon Linux images come with aws-cfn-bootstrap in /opt/aws/bin.
		if dir := path.Dir(p); isBinDir(dir) || dir == "/opt/aws/bin" && h.distro != "ubuntu" {
			if cmd, ok := h.command(path.Base(p)); ok {
				return cmd(ctx, c)
			}
		}
		fmt.Fprintf(c.Stderr, "bash: %s: No such file or directory\n", c.Args[0])
		return 127
	}
	if fi.IsDir() {
		fmt.Fprintf(c.Stderr, "bash: %s: Is a directory\n", c.Args[0])
		return 126
	}
	if err := h.fs.Access(c.Cred(), p, 1); err != nil {
		fmt.Fprintf(c.Stderr, "bash: %s: Permission denied\n", c.Args[0])
		return 126
	}
	if err := h.fs.Access(c.Cred(), p, 4); err != nil {
		fmt.Fprintf(c.Stderr, "bash: %s: Permission denied\n", c.Args[0])
		return 126
	}
	data, err := h.fs.ReadFile(p)
	if err != nil {
		fmt.Fprintf(c.Stderr, "bash: %s: %v\n", c.Args[0], err)
		return 126
	}
	interpreter := ""
	if bytes.HasPrefix(data, []byte("#!")) {
		line, _, _ := strings.Cut(string(data[2:]), "\n")
		f := strings.Fields(line)
		if len(f) > 0 {
			interpreter = path.Base(f[0])
			if interpreter == "env" && len(f) > 1 {
				interpreter = f[1]
			}
		}
	}
	switch interpreter {
	case "", "sh", "bash", "dash", "ash", "zsh", "ksh":
	default:
		if cmd, ok := h.command(interpreter); ok && interpreter != "" {
			c2 := *c
			c2.Args = append([]string{interpreter, p}, c.Args[1:]...)
			return cmd(ctx, &c2)
		}
		fmt.Fprintf(c.Stderr, "bash: %s: %s: bad interpreter: not available on this simulated host\n", c.Args[0], interpreter)
		return 126
	}
	code, err := h.run(ctx, c.User, &runner.Command{Script: string(data), Dir: c.Dir, Env: c.Env, Stdin: c.Stdin, Stdout: c.Stdout, Stderr: c.Stderr}, c.Args)
	if err != nil {
		fmt.Fprintf(c.Stderr, "%s: %v\n", c.Args[0], err)
	}
	return code
}

func isBinDir(d string) bool {
	switch d {
	case "/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin":
		return true
	}
	return false
}

// Close stops the host's services and waits for their listeners.
func (h *Host) Close() error {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	h.StopAll()
	h.wg.Wait()
	return nil
}

// RunFile executes the file at p on the host as user (a script with a shell shebang, or a
// built-in by its path), like typing its path at a shell, without an extra shell around it.
func (h *Host) RunFile(ctx context.Context, user, p string, cmd *runner.Command) (runner.Result, error) {
	u, err := h.LookupUser(user)
	if err != nil {
		return runner.Result{}, err
	}
	start := h.clk.Now()
	c := &Call{Host: h, Args: []string{p}, Dir: cmd.Dir, Env: cmd.Env, Stdin: cmd.Stdin, Stdout: orDiscard(cmd.Stdout), Stderr: orDiscard(cmd.Stderr), User: u}
	if c.Dir == "" {
		c.Dir = "/"
	}
	if c.Env == nil {
		c.Env = h.defaultEnv(u, c.Dir)
	}
	if c.Stdin == nil {
		c.Stdin = emptyReader{}
	}
	code := h.execPath(ctx, c, hostfs.Clean(p))
	return runner.Result{ExitCode: code, Duration: h.clk.Now().Sub(start)}, ctx.Err()
}
