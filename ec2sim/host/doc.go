// Package host is a simulated machine that deployments and user data act on: a private
// in-memory file system (hostfs), a bash-syntax shell (mvdan.cc/sh) whose file, stat,
// readdir, access and exec handlers are pointed at that file system, built-in commands written
// in Go, users and groups (/etc/passwd, /etc/group), packages, services and the instance
// metadata service.
//
// Nothing a script does touches the real machine: `echo x > /etc/motd` writes the host's
// /etc/motd. The built-ins cover what deploy scripts and user data use (see Builtins): file
// utilities (cat, mkdir, cp, mv, rm, touch, chmod, chown, ln, ls, find, install, stat, tee,
// mktemp...), text tools (grep, sed with s///, d, p, a/i/c and -i, head, tail, wc, cut, tr,
// sort, uniq, xargs, a one-line awk), archives (tar with gzip, unzip, gzip), identity (id,
// whoami, sudo, su, runuser, useradd, groupadd, usermod), system tools (yum, dnf, apt-get,
// rpm, amazon-linux-extras, systemctl, service, chkconfig, hostname, date, sleep, uname) and
// HTTP clients (curl, wget) that reach the host's own services on loopback, the metadata
// service at 169.254.169.254 (IMDSv1 and the IMDSv2 token flow, HttpTokens=required), and
// other hosts through Options.Network. echo, printf, test/[, true/false, cd, read, export
// and the rest of bash's builtins come from the interpreter. An unknown command exits 127
// with "<cmd>: command not found". Options.Commands and RegisterCommand add commands written
// in Go; real programs run only when listed in Options.RealPrograms.
//
// Packages are recorded in /var/lib/devopsim/packages (so an image made from the file system
// carries them). Well-known packages lay down their files, users and service: nginx, httpd
// and apache2 are static web servers for their web root. A started web service listens on a
// real loopback port (127.0.0.1:0) owned by the host (Endpoint, URL), and curl inside the
// host reaches the same handler in process. Stopping the service or closing the host closes
// the listener. Two services cannot hold the same port. A service with a Run function
// (ServiceDef.Run) is a daemon: it runs from start until the service stops, waiting on the
// host's clock (the cfn-hup service polls this way).
//
// File modes and owners are enforced for non-root users (a non-root user cannot write root's
// files, sudo needs wheel/sudo or a sudoers entry). sleep and date use the injected clock.
// Process substitution (<(...)) is refused because it would need real FIFOs.
//
// Concurrency: a Host is safe for concurrent use; scripts may run on it from many goroutines.
// Close stops its services and waits for their listeners and daemons.
package host
