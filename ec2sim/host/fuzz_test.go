package host_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/devopsim/devopsim/ec2sim/host"
	"github.com/devopsim/devopsim/runner"
)

// FuzzBuiltins runs arbitrary scripts through the host shell and its built-ins: nothing may
// panic, escape to the real file system or hang past the timeout.
func FuzzBuiltins(f *testing.F) {
	for _, s := range []string{
		"echo hi > /f; sed -i 's/h/H/g' /f; cat /f",
		"mkdir -p /a/b && cp -r /a /c && rm -rf /c && ls -la /a",
		"printf 'a\\nb\\n' | grep -v a | wc -l",
		"sed -n '/x/,/y/p;$d;y/ab/cd/' /etc/passwd",
		"tar czf /t.tgz /etc && tar tzf /t.tgz | head -3",
		"awk -F: '{print $1, $NF}' /etc/passwd | sort -r | uniq -c",
		"chmod u=rwx,g-w,o= /etc/hosts; chown 1000:1000 /etc/hosts; stat -c '%a %U' /etc/hosts",
		"ln -s /x /x; cat /x",
		"curl -sf http://169.254.169.254/latest/meta-data/ ; wget -qO- http://localhost/",
		"yum install -y nginx && systemctl start nginx && curl -s localhost",
		"find / -name '*.conf' -type f | xargs -I{} basename {}",
		"cut -c2-4 /etc/hostname; tr -d 'a-z' < /etc/hostname; base64 /etc/hostname | base64 -d",
		"useradd -m -G wheel bob && su - bob -c 'id; sudo id'",
		"date +%s%N; sleep 0.1; seq 3 -1 1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script string) {
		h := host.New(host.Options{ID: "i-fuzz", Clock: newInstant()})
		defer h.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		var out strings.Builder
		_, _ = h.Run(ctx, &runner.Command{Script: script, Stdout: &out, Stderr: &out})
	})
}
