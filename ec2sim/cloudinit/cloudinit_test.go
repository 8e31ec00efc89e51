package cloudinit_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io/fs"
	"os"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/devopsim/devopsim/ec2sim/cloudinit"
	"github.com/devopsim/devopsim/ec2sim/host"
	"github.com/devopsim/devopsim/ec2sim/hostfs"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func boot(t *testing.T, distro string, ud []byte) (*host.Host, *cloudinit.Result) {
	t.Helper()
	h := host.New(host.Options{ID: "i-0abc", Distro: distro, Clock: newInstant(), Metadata: host.Metadata{InstanceID: "i-0abc", AvailabilityZone: "us-east-1a", LocalIPv4: "172.31.0.10"}})
	t.Cleanup(func() { h.Close() })
	res, err := cloudinit.Boot(context.Background(), h, "i-0abc", ud)
	if err != nil {
		t.Fatalf("boot: %v", err)
	}
	return h, res
}

func read(t *testing.T, h *host.Host, p string) string {
	t.Helper()
	b, err := h.ReadFile(p)
	if err != nil {
		t.Fatalf("read %s: %v", p, err)
	}
	return string(b)
}

func mode(t *testing.T, h *host.Host, p string) fs.FileMode {
	t.Helper()
	fi, err := h.FS().Stat(p)
	if err != nil {
		t.Fatalf("stat %s: %v", p, err)
	}
	return fi.Mode().Perm() | fi.Mode()&(fs.ModeSetgid|fs.ModeSetuid|fs.ModeSticky)
}

// Every corpus input parses, boots without a panic or error, is saved, and logs to the console.
func TestCorpusBoots(t *testing.T) {
	for name, b := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			if _, err := cloudinit.Parse(b); err != nil {
				t.Fatalf("parse: %v", err)
			}
			h, res := boot(t, "al2023", b)
			if got := read(t, h, "/var/lib/cloud/instances/i-0abc/user-data.txt"); got != string(b) {
				t.Error("user-data.txt differs from the user data")
			}
			if !strings.Contains(read(t, h, "/var/log/cloud-init-output.log"), "running 'init'") {
				t.Error("nothing in cloud-init-output.log")
			}
			if !bytes.Contains(h.Console(), []byte("Cloud-init v. ")) {
				t.Error("nothing on the console")
			}
			if strings.Contains(name, "windows") || strings.Contains(name, "Windows") || strings.Contains(name, "inline_windows") || strings.Contains(name, "DomainMember1") {
				if !strings.Contains(string(h.Console()), "cannot run on this Linux image") {
					t.Errorf("windows user data not refused clearly; ignored=%q", res.Ignored)
				}
			}
		})
	}
}

func TestCorpusOutcomes(t *testing.T) {
	c := corpus(t)
	tests := []struct {
		file   string
		distro string
		failed []string
		check  func(t *testing.T, h *host.Host)
	}{
		{file: "awsdocs__amazon-ec2-user-guide/user-data__block0.sh", distro: "amzn2", check: func(t *testing.T, h *host.Host) {
			if !h.ServiceActive("httpd") || !h.ServiceEnabled("httpd") {
				t.Error("httpd not started and enabled")
			}
			if got := read(t, h, "/var/www/html/phpinfo.php"); got != "<?php phpinfo(); ?>\n" {
				t.Errorf("phpinfo.php = %q", got)
			}
			if m := mode(t, h, "/var/www"); m != 0o775|fs.ModeSetgid {
				t.Errorf("/var/www mode %v", m)
			}
			// find ... -exec chmod 0664 ran before the file was written.
			if m := mode(t, h, "/var/www/html/phpinfo.php"); m != 0o644 {
				t.Errorf("phpinfo.php mode %v", m)
			}
			fi, _ := h.FS().Stat("/var/www/html")
			if uid, _ := hostfs.OwnerOf(fi); uid != 1000 {
				t.Errorf("/var/www/html owner %d", uid)
			}
			u, _ := h.LookupUser("ec2-user")
			g, _ := h.LookupGroup("apache")
			found := false
			for _, x := range u.Groups {
				found = found || x == g.GID
			}
			if !found {
				t.Error("ec2-user not in apache")
			}
		}},
		{file: "awsdocs__amazon-ec2-user-guide/user-data__block8.sh", failed: []string{"part-001 [5]"}},
		{file: "awsdocs__amazon-ec2-user-guide/user-data__block19.mime.txt", failed: []string{"runcmd [1]"}, check: func(t *testing.T, h *host.Host) {
			if got := read(t, h, "/test-cloudinit/cloud-init.txt"); got != "Created by cloud-init" {
				t.Errorf("%q", got)
			}
			if got := read(t, h, "/test-userscript/userscript.txt"); got != "Created by bash shell script\n" {
				t.Errorf("%q", got)
			}
			if !strings.Contains(string(h.Console()), "mkdir: cannot create directory '/test-cloudinit': File exists") {
				t.Error("runcmd failure not on console")
			}
		}},
		{file: "canonical__cloud-init/user-script.txt", check: func(t *testing.T, h *host.Host) {
			if !strings.Contains(string(h.Console()), "My name is /var/lib/cloud/instances/i-0abc/scripts/part-001") {
				t.Errorf("console: %s", h.Console())
			}
		}},
		{file: "canonical__cloud-init/cc_runcmd__example1.yaml", check: func(t *testing.T, h *host.Host) {
			if !strings.Contains(string(h.Console()), "hello world!") || !strings.Contains(string(h.Console()), "=========hello world'=========") {
				t.Errorf("console: %s", h.Console())
			}
		}},
		{file: "canonical__cloud-init/boothook.txt", check: func(t *testing.T, h *host.Host) {
			if got := read(t, h, "/etc/hosts"); got != "192.168.1.130 us.archive.ubuntu.com\n" {
				t.Errorf("%q", got)
			}
		}},
		{file: "canonical__cloud-init/cc_write_files__example2.yaml", check: func(t *testing.T, h *host.Host) {
			if got := read(t, h, "/etc/crontab"); got != "15 * * * * root ship_logs\n" {
				t.Errorf("%q", got)
			}
		}},
		{file: "canonical__cloud-init/cloud-config-write-files.txt", check: func(t *testing.T, h *host.Host) {
			if got := read(t, h, "/usr/bin/hello"); got != "#!/bin/sh\necho hello world\n" {
				t.Errorf("gzip content %q", got)
			}
			if m := mode(t, h, "/bin/arch"); m != 0o555 {
				t.Errorf("mode %v", m)
			}
		}},
		{file: "canonical__cloud-init/tests__user_data.1.txt", check: func(t *testing.T, h *host.Host) {
			if m := mode(t, h, "/etc/blah.ini"); m != 0o755 {
				t.Errorf("mode %v", m)
			}
		}},
		{file: "canonical__cloud-init/cloud-config-user-groups.txt", check: func(t *testing.T, h *host.Host) {
			for _, u := range []string{"foobar", "barfoo", "testuser", "cloudy", "fizzbuzz"} {
				if _, err := h.LookupUser(u); err != nil {
					t.Error(err)
				}
			}
			if u, _ := h.LookupUser("testuser"); u.Home != "/local/testdir" {
				t.Errorf("home %q", u.Home)
			}
			if !strings.Contains(read(t, h, "/etc/sudoers.d/90-cloud-init-users"), "barfoo ALL=(ALL) NOPASSWD:ALL") {
				t.Error("sudo rule missing")
			}
			if !strings.Contains(read(t, h, "/home/barfoo/.ssh/authorized_keys"), "csmith@fringe") {
				t.Error("ssh key missing")
			}
			if _, err := h.LookupGroup("admingroup"); err != nil {
				t.Error(err)
			}
		}},
		{file: "canonical__cloud-init/cloud-config-install-packages.txt", distro: "ubuntu", check: func(t *testing.T, h *host.Host) {
			if len(h.Packages()) == 0 {
				t.Error("no packages installed")
			}
		}},
		{file: "awslabs__aws-deployment-framework/install-codedeploy.sh", failed: []string{"part-001 [2]"}, check: func(t *testing.T, h *host.Host) {
			if !strings.Contains(string(h.Console()), "process substitution is not supported") {
				t.Error("no clear message")
			}
		}},
		{file: "awslabs__aws-cloudformation-templates/extracted-from-cfn/AutoScalingMultiAZWithNotifications__LaunchConfig.userdata.txt", failed: []string{"part-001 [127]"}, check: func(t *testing.T, h *host.Host) {
			if !strings.Contains(string(h.Console()), "/opt/aws/bin/cfn-init: No such file or directory") {
				t.Error("no clear message")
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			b, ok := c[tc.file]
			if !ok {
				t.Fatalf("missing corpus file")
			}
			distro := tc.distro
			if distro == "" {
				distro = "al2023"
			}
			h, res := boot(t, distro, b)
			if strings.Join(res.Failed, "|") != strings.Join(tc.failed, "|") {
				t.Errorf("failed = %q, want %q\nconsole:\n%s", res.Failed, tc.failed, h.Console())
			}
			if tc.check != nil {
				tc.check(t, h)
			}
		})
	}
}

func TestOncePerInstance(t *testing.T) {
	ud := []byte("#cloud-config\nbootcmd:\n - echo boot >> /var/log/boots\nruncmd:\n - echo run >> /var/log/runs\n")
	h, _ := boot(t, "", ud)
	if _, err := cloudinit.Boot(context.Background(), h, "i-0abc", ud); err != nil {
		t.Fatal(err)
	}
	if got := read(t, h, "/var/log/boots"); got != "boot\nboot\n" {
		t.Errorf("bootcmd runs every boot: %q", got)
	}
	if got := read(t, h, "/var/log/runs"); got != "run\n" {
		t.Errorf("runcmd runs once: %q", got)
	}
	// A new instance id (an instance launched from an image of this one) runs it again.
	h2 := host.New(host.Options{ID: "i-new", FS: h.FS().Snapshot(), Clock: newInstant()})
	defer h2.Close()
	if _, err := cloudinit.Boot(context.Background(), h2, "i-new", ud); err != nil {
		t.Fatal(err)
	}
	if got := read(t, h2, "/var/log/runs"); got != "run\nrun\n" {
		t.Errorf("runcmd on new instance: %q", got)
	}
}

func TestGzipAndScriptRunsAsRootWithoutStdin(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("#!/bin/bash\nid -un > /root/who\nread x; echo \"[$x]\" > /root/stdin\n"))
	zw.Close()
	h, res := boot(t, "", buf.Bytes())
	if !res.OK() {
		t.Fatalf("failed %q: %s", res.Failed, h.Console())
	}
	if got := read(t, h, "/root/who"); got != "root\n" {
		t.Errorf("%q", got)
	}
	if got := read(t, h, "/root/stdin"); got != "[]\n" {
		t.Errorf("%q", got)
	}
}

func TestParseKinds(t *testing.T) {
	tests := []struct {
		in    string
		kinds []cloudinit.Kind
	}{
		{"#!/bin/sh\necho", []cloudinit.Kind{cloudinit.Script}},
		{"#cloud-config\nruncmd: [ls]", []cloudinit.Kind{cloudinit.CloudConfig}},
		{"<powershell>\nWrite-Host hi\n</powershell>", []cloudinit.Kind{cloudinit.Windows}},
		{"<script>echo hi</script>", []cloudinit.Kind{cloudinit.Windows}},
		{"just text", []cloudinit.Kind{cloudinit.Unknown}},
		{"", nil},
		{"Content-Type: multipart/mixed; boundary=\"B\"\nMIME-Version: 1.0\n\n--B\nContent-Type: text/x-shellscript\nContent-Transfer-Encoding: base64\n\nIyEvYmluL3NoCmVjaG8gaGkK\n--B\nContent-Type: text/cloud-config\n\nruncmd: [ls]\n--B--\n",
			[]cloudinit.Kind{cloudinit.Script, cloudinit.CloudConfig}},
	}
	for _, tc := range tests {
		ud, err := cloudinit.Parse([]byte(tc.in))
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		var got []cloudinit.Kind
		for _, p := range ud.Parts {
			got = append(got, p.Kind)
		}
		if len(got) != len(tc.kinds) {
			t.Errorf("%q: kinds %v, want %v", tc.in, got, tc.kinds)
			continue
		}
		for i := range got {
			if got[i] != tc.kinds[i] {
				t.Errorf("%q: kinds %v, want %v", tc.in, got, tc.kinds)
			}
		}
	}
	ud, _ := cloudinit.Parse([]byte(tests[6].in))
	if string(ud.Parts[0].Content) != "#!/bin/sh\necho hi\n" {
		t.Errorf("base64 part %q", ud.Parts[0].Content)
	}
}

func FuzzParse(f *testing.F) {
	entries, _ := os.ReadDir("testdata/userdata/canonical__cloud-init")
	for _, e := range entries {
		if b, err := os.ReadFile("testdata/userdata/canonical__cloud-init/" + e.Name()); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("#!/bin/sh\necho hi"))
	f.Add([]byte("<powershell>x</powershell>"))
	f.Add([]byte{0x1f, 0x8b, 0x08, 0x00})
	f.Add([]byte("Content-Type: multipart/mixed; boundary=X\n\n--X\nContent-Type: multipart/mixed; boundary=Y\n\n--Y\n\n#!/bin/sh\n--Y--\n--X--\n"))
	f.Add([]byte("#cloud-config-archive\n- type: text/cloud-config\n  content: '#cloud-config\\nruncmd: [ls]'\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ud, err := cloudinit.Parse(b)
		if err != nil {
			return
		}
		for _, p := range ud.Parts {
			if p.Kind == "" {
				t.Fatal("part without kind")
			}
		}
	})
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("#cloud-config\npackages: [nginx, [ruby, 3]]\nruncmd:\n - ls\n - [echo, hi]\nwrite_files:\n - path: /x\n   content: !!binary aGk=\n   permissions: 0644\nusers: [default, {name: bob, groups: [a, b]}]\ngroups: [{g: [bob]}, h]\n"))
	f.Add([]byte("users: bob, alice"))
	f.Add([]byte("[1, 2]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = cloudinit.ParseConfig(b)
	})
}

func BenchmarkBootUserData(b *testing.B) {
	ud := []byte("#!/bin/bash\nyum install -y httpd\nsystemctl enable --now httpd\necho '<h1>hello</h1>' > /var/www/html/index.html\n")
	ctx := context.Background()
	for b.Loop() {
		h := host.New(host.Options{ID: "i-1", Clock: newInstant()})
		res, err := cloudinit.Boot(ctx, h, "i-1", ud)
		if err != nil || !res.OK() {
			b.Fatal(err, res.Failed)
		}
		h.Close()
	}
}
