package cfnhost

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"strings"
	"sync/atomic"

	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/ec2sim/host"
	"github.com/devopsim/devopsim/ec2sim/hostfs"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/core"
)

// Options configure the tools; the zero value is usable.
type Options struct {
	// Objects is the S3 store files and sources with S3 URLs are read from (nil: S3 URLs
	// are fetched through the host's network like any other URL).
	Objects core.Objects
}

// Tools are the CloudFormation helper scripts for simulated hosts. Build them before EC2
// (hosts get their commands at launch) and Attach the CloudFormation service once it exists.
// Tools are safe for concurrent use.
type Tools struct {
	cf   atomic.Pointer[cloudformation.Service]
	opts Options
}

// New returns the tools without a CloudFormation service: commands fail with a clear error
// until Attach.
func New(opts Options) *Tools { return &Tools{opts: opts} }

// Attach gives the tools the CloudFormation service they call.
func (t *Tools) Attach(cf *cloudformation.Service) { t.cf.Store(cf) }

// Commands is a convenience for tests and embedders that already have the service:
// New(opts), Attach(cf) and the commands.
func Commands(cf *cloudformation.Service, opts Options) map[string]host.Command {
	t := New(opts)
	t.Attach(cf)
	return t.Commands()
}

// Commands returns the host commands: cfn-init, cfn-signal, cfn-get-metadata, cfn-hup, and
// pip/pip3/easy_install able to install the aws-cfn-bootstrap tarball (the way Ubuntu and
// RHEL templates install the helper scripts).
func (t *Tools) Commands() map[string]host.Command {
	return map[string]host.Command{
		"cfn-init":         t.cmdInit,
		"cfn-signal":       t.cmdSignal,
		"cfn-get-metadata": t.cmdGetMetadata,
		"cfn-hup":          t.cmdHup,
		"pip":              t.cmdPip,
		"pip3":             t.cmdPip,
		"easy_install":     t.cmdEasyInstall,
	}
}

// bootstrapScripts are the helper scripts the aws-cfn-bootstrap package installs.
var bootstrapScripts = []string{"cfn-init", "cfn-signal", "cfn-get-metadata", "cfn-hup"}

// Packages returns the host packages: aws-cfn-bootstrap (yum/apt) lays down
// /opt/aws/bin/cfn-* (scripts calling the built-ins) and the cfn-hup service.
func (t *Tools) Packages() map[string]host.Package {
	files := map[string]string{
		"/opt/aws/bin/":       "",
		"/etc/cfn/":           "",
		"/etc/init.d/cfn-hup": "#!/bin/sh\n# cfn-hup: CloudFormation helper daemon\n/opt/aws/bin/cfn-hup \"$@\"\n",
	}
	for _, s := range bootstrapScripts {
		files["/opt/aws/bin/"+s] = wrapper(s)
	}
	return map[string]host.Package{
		"aws-cfn-bootstrap": {Name: "aws-cfn-bootstrap", Files: files, Service: &host.ServiceDef{Name: "cfn-hup", Run: t.hupDaemon}},
	}
}

func wrapper(name string) string { return "#!/bin/bash\n" + name + " \"$@\"\n" }

// ErrNotAttached is what the commands print before Attach.
const errNotAttached = "the CloudFormation endpoint is not reachable from this host (no CloudFormation service attached)"

func (t *Tools) stacks() (*cloudformation.Service, error) {
	cf := t.cf.Load()
	if cf == nil {
		return nil, fmt.Errorf("%s", errNotAttached)
	}
	return cf, nil
}

// callerCtx is the identity the helper scripts call CloudFormation with: the instance
// profile's role session when the instance has one, else the instance itself (cfn-init and
// cfn-signal need no credentials; CloudFormation then scopes the call to the instance's
// stack). region overrides the instance's region (--region).
func callerCtx(ctx context.Context, h *host.Host, region string) context.Context {
	m := h.Metadata()
	acct := m.AccountID
	if region == "" {
		region = m.Region
	}
	if region == "" && len(m.AvailabilityZone) > 1 {
		region = m.AvailabilityZone[:len(m.AvailabilityZone)-1]
	}
	c := identity.Caller{Account: acct, Region: region, SourceIP: m.LocalIPv4, UserAgent: "CloudFormation Tools"}
	if m.IAMRole != "" {
		c.Type = "AssumedRole"
		c.PrincipalARN = "arn:aws:sts::" + acct + ":assumed-role/" + m.IAMRole + "/" + m.InstanceID
		c.UserID = "AROA" + strings.ToUpper(strings.ReplaceAll(m.InstanceID, "-", "")) + ":" + m.InstanceID
	} else {
		c.Type = "AssumedRole"
		c.PrincipalARN = "arn:aws:sts::" + acct + ":assumed-role/ec2-instance/" + m.InstanceID
		c.UserID = m.InstanceID
	}
	if acct == "" {
		if base, ok := identity.From(ctx); ok {
			c.Account = base.Account
		}
	}
	return identity.With(ctx, c)
}

// logger appends cfn-init style lines to a log file on the host.
type logger struct {
	h    *host.Host
	file string
	pid  int
	echo io.Writer // verbose output (nil: none)
}

func (l *logger) printf(level, format string, args ...any) {
	now := l.h.Clock().Now().UTC()
	msg := fmt.Sprintf(format, args...)
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(msg, "\n"), "\n") {
		fmt.Fprintf(&b, "%s,%03d P%d [%s] %s\n", now.Format("2006-01-02 15:04:05"), now.Nanosecond()/1e6, l.pid, level, line)
	}
	appendFile(l.h, l.file, b.String())
	if l.echo != nil {
		fmt.Fprint(l.echo, b.String())
	}
}

func appendFile(h *host.Host, p, s string) {
	fsys := h.FS()
	_ = fsys.MkdirAll(hostfs.Cred{}, path.Dir(p), 0o755)
	f, err := fsys.OpenFile(hostfs.Cred{}, p, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return
	}
	_, _ = io.WriteString(f, s)
	_ = f.Close()
}

// pidOf gives each run a stable-looking process id.
var pidSeq atomic.Int64

func nextPID() int { return int(2000 + pidSeq.Add(1)%30000) }

// WaitConditionHandler serves PUTs to WaitConditionHandle URLs (what `curl -T file URL` or
// `curl -X PUT --data-binary '{"Status":...}' URL` on a host sends): give it to the hosts'
// network for the cloudformation-waitcondition-<region>.s3.amazonaws.com names (see
// IsWaitConditionHost).
func (t *Tools) WaitConditionHandler() http.Handler {
	return http.HandlerFunc(t.serveWaitCondition)
}

// IsWaitConditionHost reports whether a host name is a wait condition handle endpoint.
func IsWaitConditionHost(hostname string) bool {
	return strings.HasPrefix(hostname, "cloudformation-waitcondition-") && strings.HasSuffix(hostname, ".amazonaws.com")
}
