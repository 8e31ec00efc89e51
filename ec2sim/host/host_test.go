package host_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/devopsim/devopsim/ec2sim/host"
	"github.com/devopsim/devopsim/runner"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newHost(t testing.TB, o host.Options) *host.Host {
	t.Helper()
	if o.ID == "" {
		o.ID = "i-0123456789abcdef0"
	}
	h := host.New(o)
	t.Cleanup(func() { h.Close() })
	return h
}

func TestScripts(t *testing.T) {
	tests := []struct {
		name, script string
		user         string
		distro       string
		code         int
		stdout       string // substring expected
		stderr       string // substring expected
	}{
		{name: "echo", script: "echo hello", stdout: "hello\n"},
		{name: "unknown", script: "frobnicate --x", code: 127, stderr: "frobnicate: command not found"},
		{name: "mkdir cat", script: "mkdir -p /a/b/c && echo hi > /a/b/c/f && cat /a/b/c/f", stdout: "hi\n"},
		{name: "heredoc", script: "cat > /tmp/x <<EOF\nline1\nline2\nEOF\nwc -l < /tmp/x", stdout: "2"},
		{name: "append", script: "echo a > /f; echo b >> /f; cat /f", stdout: "a\nb\n"},
		{name: "cp -r", script: "mkdir -p /s/d; echo x > /s/d/f; cp -r /s /t; cat /t/d/f", stdout: "x\n"},
		{name: "mv", script: "echo x > /a; mv /a /b; test -f /a || cat /b", stdout: "x\n"},
		{name: "rm -rf", script: "mkdir -p /d/e; touch /d/e/f; rm -rf /d; test -e /d; echo $?", stdout: "1\n"},
		{name: "rm dir without -r", script: "mkdir /d; rm /d", code: 1, stderr: "Is a directory"},
		{name: "chmod chown ls", script: "touch /f; chmod 640 /f; chown ec2-user:ec2-user /f; ls -l /f", stdout: "-rw-r----- 1 ec2-user ec2-user"},
		{name: "chmod symbolic", script: "touch /f; chmod u+x,g-r /f; stat -c %a /f", stdout: "704\n"},
		{name: "ln -s", script: "mkdir /real; echo z > /real/f; ln -s /real /link; cat /link/f; readlink /link", stdout: "z\n/real\n"},
		{name: "glob", script: "mkdir /g; touch /g/a.txt /g/b.txt /g/c.log; echo /g/*.txt", stdout: "/g/a.txt /g/b.txt\n"},
		{name: "test [", script: "[ -d /etc ] && [ ! -e /nope ] && echo ok", stdout: "ok\n"},
		{name: "grep", script: "printf 'a1\\nb2\\na3\\n' > /f; grep -c ^a /f; grep -v a /f; grep -q zz /f; echo $?", stdout: "2\nb2\n1\n"},
		{name: "grep -E -i", script: "echo Hello World | grep -Ei 'hello|bye'", stdout: "Hello World\n"},
		{name: "sed -i", script: "echo 'listen 80;' > /f; sed -i 's/80/8080/g' /f; cat /f", stdout: "listen 8080;\n"},
		{name: "sed groups", script: `echo 'key=value' | sed -E 's/(.*)=(.*)/\2=\1/'`, stdout: "value=key\n"},
		{name: "sed BRE groups", script: `echo 'abc' | sed 's/\(a\)\(b\)/\2\1/'`, stdout: "bac\n"},
		{name: "sed delete", script: "printf 'a\\n#c\\nb\\n' | sed '/^#/d'", stdout: "a\nb\n"},
		{name: "sed -n p", script: "printf 'a\\nb\\nc\\n' | sed -n '2p'", stdout: "b\n"},
		{name: "sed custom delim", script: `echo /usr/local | sed 's|/usr|/opt|'`, stdout: "/opt/local\n"},
		{name: "head tail", script: "seq 1 10 > /n; head -n 2 /n; tail -3 /n", stdout: "1\n2\n8\n9\n10\n"},
		{name: "wc", script: "printf 'a b\\nc\\n' | wc -w", stdout: "3"},
		{name: "cut tr sort uniq", script: "printf 'b:1\\na:2\\nb:3\\n' | cut -d: -f1 | sort | uniq | tr a-z A-Z", stdout: "A\nB\n"},
		{name: "awk", script: "echo 'a b c' | awk '{print $2}'", stdout: "b\n"},
		{name: "env id whoami", script: "whoami; id -u; id -un", stdout: "root\n0\nroot\n"},
		{name: "as ec2-user", user: "ec2-user", script: "whoami; id -u; echo $HOME", stdout: "ec2-user\n1000\n/home/ec2-user\n"},
		{name: "permission denied", user: "ec2-user", script: "echo x > /etc/passwd", code: 1, stderr: "permission denied"},
		{name: "non-root mkdir", user: "ec2-user", script: "mkdir /opt/app", code: 1, stderr: "Permission denied"},
		{name: "sudo", user: "ec2-user", script: "sudo whoami; sudo mkdir /opt/app && echo ok", stdout: "root\nok\n"},
		{name: "hostname", script: "hostname", stdout: "ip-10-0-0-5\n"},
		{name: "date", script: "date +%Y >/dev/null; echo $?", stdout: "0\n"},
		{name: "true false", script: "true && false || echo no", stdout: "no\n"},
		{name: "bash -c", script: "bash -c 'echo $1' x y", stdout: "y\n"},
		{name: "nested script", script: "printf '#!/bin/bash\\necho nested $1\\nexit 3\\n' > /s.sh; chmod +x /s.sh; /s.sh a; echo $?", stdout: "nested a\n3\n"},
		{name: "script no exec bit", script: "echo 'echo hi' > /s.sh; /s.sh", code: 126, stderr: "Permission denied"},
		{name: "sh script", script: "echo 'echo via sh' > /s.sh; sh /s.sh", stdout: "via sh\n"},
		{name: "useradd", script: "useradd -m deploy; id -u deploy; test -d /home/deploy && echo home", stdout: "1001\nhome\n"},
		{name: "useradd exists", script: "useradd ec2-user", code: 9, stderr: "already exists"},
		{name: "groupadd usermod", script: "groupadd web; usermod -a -G web ec2-user; id -Gn ec2-user", stdout: "web"},
		{name: "yum no -y", script: "yum install nginx", code: 1, stdout: "Operation aborted"},
		{name: "yum nginx", script: "yum install -y nginx; rpm -q nginx; test -f /usr/share/nginx/html/index.html && echo files", stdout: "nginx\nfiles\n"},
		{name: "apt on al2023", script: "apt-get install -y nginx", code: 127, stderr: "command not found"},
		{name: "apt on ubuntu", distro: "ubuntu", script: "apt-get update && apt-get install -y nginx && test -f /var/www/html/index.html && echo ok; whoami", stdout: "ok\nroot\n"},
		{name: "extras on amzn2", distro: "amzn2", script: "amazon-linux-extras install -y nginx1 && rpm -q nginx", stdout: "nginx\n"},
		{name: "systemctl unknown", script: "systemctl start nope", code: 5, stderr: "Unit nope.service not found"},
		{name: "systemctl", script: "yum install -y httpd >/dev/null; systemctl enable --now httpd 2>/dev/null; systemctl is-active httpd; systemctl is-enabled httpd; systemctl stop httpd; systemctl is-active httpd", code: 3, stdout: "active\nenabled\ninactive\n"},
		{name: "curl refused", script: "curl -s http://localhost/", code: 7},
		{name: "curl refused shows", script: "curl http://localhost/", code: 7, stderr: "Failed to connect"},
		{name: "curl unresolved", script: "curl -sS http://example.com/", code: 6, stderr: "Could not resolve host"},
		{name: "curl web", script: "yum install -y nginx >/dev/null; echo '<h1>v1</h1>' > /usr/share/nginx/html/index.html; systemctl start nginx; curl -s http://localhost/", stdout: "<h1>v1</h1>\n"},
		{name: "curl -f 404", script: "yum install -y httpd >/dev/null; service httpd start 2>/dev/null; curl -sf http://localhost/missing", code: 22},
		{name: "curl -w", script: "yum install -y httpd >/dev/null; echo ok > /var/www/html/index.html; systemctl start httpd; curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1/", stdout: "200"},
		{name: "wget", script: "yum install -y httpd >/dev/null; echo ok > /var/www/html/a.txt; systemctl start httpd; cd /tmp; wget -q http://localhost/a.txt; cat /tmp/a.txt", stdout: "ok\n"},
		{name: "imds v1", script: "curl -s http://169.254.169.254/latest/meta-data/instance-id", stdout: "i-0123456789abcdef0"},
		{name: "imds v2", script: `T=$(curl -s -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 21600"); curl -s -H "X-aws-ec2-metadata-token: $T" http://169.254.169.254/latest/meta-data/placement/availability-zone`, stdout: "us-east-1a"},
		{name: "imds listing", script: "curl -s http://169.254.169.254/latest/meta-data/", stdout: "instance-id\n"},
		{name: "tar roundtrip", script: "mkdir -p /src/a; echo 1 > /src/a/f; tar czf /t.tgz -C /src a; mkdir /dst; tar xzf /t.tgz -C /dst; cat /dst/a/f", stdout: "1\n"},
		{name: "find exec", script: "mkdir -p /w/d; touch /w/f1 /w/d/f2; find /w -type f -exec chmod 600 {} \\; ; stat -c %a /w/d/f2; find /w -type d | sort", stdout: "600\n/w\n/w/d\n"},
		{name: "xargs", script: "printf 'a\\nb\\n' | xargs -I{} touch /tmp/{}; ls /tmp", stdout: "a\nb\n"},
		{name: "command -v", script: "command -v curl; command -v nosuch || echo missing; which yum", stdout: "/usr/bin/curl\nmissing\n/usr/bin/yum\n"},
		{name: "proc subst refused", script: "cat <(echo x)", code: 2, stderr: "process substitution"},
		{name: "syntax error", script: "if then fi", code: 2, stderr: "bash:"},
		{name: "set -e", script: "set -e; false; echo never", code: 1},
		{name: "base64", script: "echo -n hi | base64; echo aGk= | base64 -d", stdout: "aGk=\nhi"},
		{name: "dev null", script: "echo gone > /dev/null; cat /dev/null; echo ok", stdout: "ok\n"},
		{name: "cd relative", script: "mkdir -p /srv/app; cd /srv/app; echo x > f; cat /srv/app/f; pwd", stdout: "x\n/srv/app\n"},
		{name: "install -m -o", script: "echo x > /src; install -m 0750 -o ec2-user /src /dst; stat -c '%a %U' /dst", stdout: "750 ec2-user\n"},
		{name: "su", script: "su - ec2-user -c 'whoami; pwd'", stdout: "ec2-user\n/home/ec2-user\n"},
		{name: "runuser", script: "runuser -u ec2-user -- whoami", stdout: "ec2-user\n"},
		{name: "env prefix", script: "env FOO=bar sh -c 'echo $FOO'", stdout: "bar\n"},
		{name: "uname", script: "uname -m", stdout: "x86_64\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHost(t, host.Options{Distro: tc.distro, Metadata: host.Metadata{InstanceID: "i-0123456789abcdef0", LocalIPv4: "10.0.0.5", AvailabilityZone: "us-east-1a"}})
			var o, e strings.Builder
			user := tc.user
			if user == "" {
				user = "root"
			}
			res, err := h.RunAs(context.Background(), user, &runner.Command{Script: tc.script, Stdout: &o, Stderr: &e})
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if res.ExitCode != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", res.ExitCode, tc.code, o.String(), e.String())
			}
			if !strings.Contains(o.String(), tc.stdout) {
				t.Errorf("stdout %q, want it to contain %q (stderr %q)", o.String(), tc.stdout, e.String())
			}
			if !strings.Contains(e.String(), tc.stderr) {
				t.Errorf("stderr %q, want it to contain %q", e.String(), tc.stderr)
			}
		})
	}
}

func TestWebServerOutside(t *testing.T) {
	h := newHost(t, host.Options{})
	_, errOut, code, err := h.Exec(context.Background(), "yum install -y nginx && echo '<p>deployed</p>' > /usr/share/nginx/html/index.html && systemctl start nginx")
	if err != nil || code != 0 {
		t.Fatalf("code %d err %v: %s", code, err, errOut)
	}
	u := h.URL(80)
	if u == "" {
		t.Fatal("no endpoint on port 80")
	}
	resp, err := http.Get(u + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "<p>deployed</p>\n" {
		t.Fatalf("body %q", body)
	}
	if err := h.StopService("nginx"); err != nil {
		t.Fatal(err)
	}
	if h.URL(80) != "" {
		t.Fatal("still listening after stop")
	}
	if _, err := http.Get(u + "/"); err == nil {
		t.Fatal("connection succeeded after stop")
	}
}

func TestPortConflict(t *testing.T) {
	h := newHost(t, host.Options{})
	_, e, code, _ := h.Exec(context.Background(), "yum install -y nginx httpd >/dev/null; systemctl start nginx; systemctl start httpd")
	if code != 1 || !strings.Contains(e, "Address already in use") {
		t.Fatalf("code %d stderr %q", code, e)
	}
}

func TestRegisteredCommand(t *testing.T) {
	h := newHost(t, host.Options{Commands: map[string]host.Command{
		"greet": func(ctx context.Context, c *host.Call) int {
			io.WriteString(c.Stdout, "hi "+strings.Join(c.Args[1:], ",")+" from "+c.Host.ID()+"\n")
			return 4
		},
	}})
	out, _, code, _ := h.Exec(context.Background(), "greet a b")
	if code != 4 || out != "hi a,b from i-0123456789abcdef0\n" {
		t.Fatalf("%d %q", code, out)
	}
}

func TestIMDSv2Required(t *testing.T) {
	h := newHost(t, host.Options{Metadata: host.Metadata{InstanceID: "i-1", TokensRequired: true, Tags: map[string]string{"Name": "web"}, TagsEnabled: true}})
	_, _, code, _ := h.Exec(context.Background(), "curl -sf http://169.254.169.254/latest/meta-data/instance-id")
	if code != 22 {
		t.Fatalf("v1 with tokens required: exit %d", code)
	}
	out, _, code, _ := h.Exec(context.Background(), `T=$(curl -s -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" http://169.254.169.254/latest/api/token) && curl -sf -H "X-aws-ec2-metadata-token: $T" http://169.254.169.254/latest/meta-data/tags/instance/Name`)
	if code != 0 || out != "web" {
		t.Fatalf("%d %q", code, out)
	}
}

func TestSnapshotCarriesPackages(t *testing.T) {
	h := newHost(t, host.Options{})
	h.Exec(context.Background(), "yum install -y nginx && systemctl enable nginx && echo v2 > /usr/share/nginx/html/index.html")
	img := h.FS().Snapshot()
	h2 := newHost(t, host.Options{ID: "i-2", FS: img})
	if !h2.Installed("nginx") {
		t.Fatal("package not carried")
	}
	if errs := h2.Boot(); len(errs) > 0 {
		t.Fatal(errs)
	}
	if !h2.ServiceActive("nginx") {
		t.Fatal("enabled service not started at boot")
	}
	// Copy-on-write: changing the original does not change the copy.
	h.Exec(context.Background(), "echo v3 > /usr/share/nginx/html/index.html")
	b, _ := h2.ReadFile("/usr/share/nginx/html/index.html")
	if string(b) != "v2\n" {
		t.Fatalf("%q", b)
	}
}

func TestConcurrentHosts(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		h := newHost(t, host.Options{})
		for j := 0; j < 4; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, _, code, err := h.Exec(context.Background(), "mkdir -p /w && echo x >> /w/log && yum install -y httpd >/dev/null && grep -c x /w/log >/dev/null && echo done")
				if err != nil || code != 0 || out != "done\n" {
					t.Errorf("%d %v %q", code, err, out)
				}
			}()
		}
	}
	wg.Wait()
}

func BenchmarkHookScript(b *testing.B) {
	h := newHost(b, host.Options{})
	script := `#!/bin/bash
set -e
mkdir -p /var/www/html/app
echo "<h1>app</h1>" > /var/www/html/app/index.html
chmod 644 /var/www/html/app/index.html
chown -R root:root /var/www/html/app
if [ -f /var/www/html/app/index.html ]; then
  grep -q app /var/www/html/app/index.html
fi
sed -i 's/app/APP/g' /var/www/html/app/index.html
cat /var/www/html/app/index.html > /dev/null
`
	ctx := context.Background()
	for b.Loop() {
		if _, _, code, err := h.Exec(ctx, script); err != nil || code != 0 {
			b.Fatal(code, err)
		}
	}
}

func TestWebServerIndexHTML(t *testing.T) {
	h := newHost(t, host.Options{})
	_, errOut, code, err := h.Exec(context.Background(), "yum install -y nginx && mkdir -p /usr/share/nginx/html/app && echo app > /usr/share/nginx/html/app/index.html && echo root > /usr/share/nginx/html/index.html && systemctl start nginx")
	if err != nil || code != 0 {
		t.Fatalf("code %d err %v: %s", code, err, errOut)
	}
	hd, ok := h.Handler(80)
	if !ok {
		t.Fatal("no handler on port 80")
	}
	for _, tc := range []struct {
		path string
		code int
		body string
	}{{"/index.html", 200, "root\n"}, {"/app/index.html", 200, "app\n"}, {"/app/", 200, "app\n"}, {"/", 200, "root\n"}, {"/missing/index.html", 404, ""}} {
		rec := httptest.NewRecorder()
		hd.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
		if rec.Code != tc.code || tc.body != "" && rec.Body.String() != tc.body {
			t.Errorf("GET %s: %d %q, want %d %q", tc.path, rec.Code, rec.Body.String(), tc.code, tc.body)
		}
	}
	if u := h.URL(80); u != "" {
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Get(u + "/index.html")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("real socket: %d", resp.StatusCode)
		}
	}
}

// TestServiceDaemon: a service's Run starts with the service, is cancelled when it stops
// (systemctl), starts again on restart, and the host's Close waits for it.
func TestServiceDaemon(t *testing.T) {
	var mu sync.Mutex
	starts, stops := 0, 0
	running := make(chan bool, 8)
	h := host.New(host.Options{ID: "i-0123456789abcdef0"})
	h.RegisterService(host.ServiceDef{Name: "ticker", Run: func(ctx context.Context, h *host.Host) {
		mu.Lock()
		starts++
		mu.Unlock()
		running <- true
		<-ctx.Done()
		mu.Lock()
		stops++
		mu.Unlock()
		running <- false
	}})
	ctx := context.Background()
	for i, step := range []struct {
		script string
		want   []bool // what the daemons report (true: started, false: stopped)
	}{
		{"systemctl start ticker; systemctl start ticker", []bool{true}}, // starting twice runs one daemon
		{"systemctl restart ticker", []bool{false, true}},
		{"systemctl stop ticker", []bool{false}},
	} {
		if _, e, code, err := h.Exec(ctx, step.script); code != 0 || err != nil {
			t.Fatalf("step %d: %d %q %v", i, code, e, err)
		}
		// A restart's old and new daemons report in either order.
		up := 0
		for _, want := range step.want {
			if <-running {
				up++
			}
			if want {
				up--
			}
		}
		if up != 0 {
			t.Fatalf("step %d: daemons started and stopped other than %v", i, step.want)
		}
	}
	if _, _, _, err := h.Exec(ctx, "systemctl start ticker"); err != nil {
		t.Fatal(err)
	}
	<-running
	h.Close() // stops the daemon and waits for it
	mu.Lock()
	defer mu.Unlock()
	if starts != 3 || stops != 3 {
		t.Fatalf("%d starts, %d stops after Close, want 3 and 3", starts, stops)
	}
}
