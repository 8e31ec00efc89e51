// Package cfnhost is the CloudFormation helper scripts (aws-cfn-bootstrap) for simulated
// hosts: host commands written in Go that call the cloudformation service as the instance.
//
//	cfn-init -v --stack S --resource R [--configsets a,b] [--region X]
//	cfn-signal -e CODE [--success true|false] [--reason R] [--id ID] --stack S --resource R [--region X]
//	cfn-signal -e CODE [--data D] [--id ID] [--reason R] 'WaitConditionHandle URL'
//	cfn-get-metadata --stack S --resource R [--key a.b]
//	cfn-hup [--no-daemon] [--config /etc/cfn]
//
// cfn-init reads the resource's Metadata (DescribeStackResource) and runs
// AWS::CloudFormation::Init: the configSets named by --configsets (default "default"; with no
// configSets key, the config named "config"), nested {"ConfigSet": name} entries included,
// each config's sections in AWS's order: packages (rpm, yum, apt, python, rubygems through
// the host's package manager commands), groups, users (non-interactive, /sbin/nologin),
// sources (zip, tar, tar.gz from S3 through Options.Objects or any URL through the host's
// curl), files (content as a string or a JSON object, source, encoding base64, mode with
// "120000" symlinks, owner, group, mustache context; a changed file keeps a .bak copy),
// commands (sorted by key; string or argv list, env replacing the environment, cwd, test,
// ignoreErrors) and services (sysvinit/systemd: enabled, ensureRunning, and restarts when a
// listed file, source, package or command changed). It logs to /var/log/cfn-init.log and
// /var/log/cfn-init-cmd.log, prints "Error occurred during build: ..." and exits 1 on a
// failure, so `cfn-signal -e $?` sends FAILURE.
//
// cfn-signal sends SignalResource (UniqueId: --id, default the instance ID; status FAILURE
// when -e is non-zero or --success is false) or signals a WaitConditionHandle URL directly
// (SignalWaitCondition). WaitConditionHandler serves the same signal to `curl -X PUT` on a
// host when the hosts' network routes the handle's host name (IsWaitConditionHost) to it.
//
// The calls are made as the instance: the account and region of its instance metadata
// (--region overrides the region) and, when it has an instance profile, the role's session
// (arn:aws:sts::ACCT:assumed-role/ROLE/i-...). The helper scripts need no credentials, so
// --access-key, --secret-key, --role and --credential-file are accepted and ignored.
//
// Packages provides aws-cfn-bootstrap (yum/apt install lays down /opt/aws/bin/cfn-* and the
// cfn-hup service); pip/pip3 (once python3-pip is installed) and easy_install (once
// python-setuptools is) install the aws-cfn-bootstrap tarball's scripts in /usr/local/bin or
// --script-dir, the way Ubuntu and RHEL templates do.
//
// # Wiring
//
// Hosts get their commands at launch and EC2 is built before CloudFormation, so: t :=
// New(opts); give t.Commands() and t.Packages() to ec2sim.Options; t.Attach(cf) once the
// cloudformation service exists. Until then the commands fail with a clear error.
//
// # Concurrency, time, errors
//
// Tools are safe for concurrent use (the service pointer is atomic); commands run on the
// calling script's goroutine and honour its context. Log timestamps come from the host's
// clock. Bad arguments exit 2 with optparse-style usage; service errors print
// "Code: message" and exit 1.
//
// # Deviations
//
// The cfn-hup command checks the hooks once per run (baseline on the first run, then post.add,
// post.update and post.remove actions) and returns, with or without --no-daemon; the cfn-hup
// service (systemctl start cfn-hup, or cfn-init's services section) is the daemon: it reads
// /etc/cfn once at start and checks every [main] interval minutes (default 15) of the platform
// clock until it stops. --region defaults to the instance's region
// (the real scripts default to us-east-1). Python and Ruby packages are recorded, not run.
// The aws-cfn-bootstrap tarball is recognised by name: pip3 installs it without downloading.
// Without an instance profile, calls are not restricted to the instance's own stack.
package cfnhost
