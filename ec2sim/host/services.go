package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/devopsim/devopsim/ec2sim/hostfs"
)

const pkgDB = "/var/lib/devopsim/packages"

// catalogue is the well-known packages of a distribution.
func catalogue(distro string) map[string]Package {
	nginxRoot := "/usr/share/nginx/html"
	if distro == "ubuntu" {
		nginxRoot = "/var/www/html"
	}
	web := func(title string) string {
		return "<!DOCTYPE html>\n<html><head><title>" + title + "</title></head><body><h1>" + title + "</h1></body></html>\n"
	}
	pk := map[string]Package{
		"nginx": {Name: "nginx", Users: []string{"nginx"},
			Files: map[string]string{
				"/etc/nginx/":                           "",
				"/etc/nginx/conf.d/":                    "",
				"/etc/nginx/nginx.conf":                 "user nginx;\nworker_processes auto;\nhttp {\n    server {\n        listen 80;\n        root " + nginxRoot + ";\n    }\n}\n",
				nginxRoot + "/index.html":               web("Welcome to nginx!"),
				"/var/log/nginx/":                       "",
				"/usr/sbin/nginx":                       "#!/bin/sh\nexit 0\n",
				"/usr/lib/systemd/system/nginx.service": "[Unit]\nDescription=The nginx HTTP and reverse proxy server\n[Service]\nExecStart=/usr/sbin/nginx\n",
			},
			Service: &ServiceDef{Name: "nginx", Port: 80, WebRoot: nginxRoot}},
		"httpd": {Name: "httpd", Users: []string{"apache"},
			Files: map[string]string{
				"/etc/httpd/conf/":                      "",
				"/etc/httpd/conf/httpd.conf":            "Listen 80\nDocumentRoot \"/var/www/html\"\n",
				"/etc/httpd/conf.d/":                    "",
				"/var/www/html/":                        "",
				"/var/www/cgi-bin/":                     "",
				"/var/log/httpd/":                       "",
				"/usr/sbin/httpd":                       "#!/bin/sh\nexit 0\n",
				"/usr/lib/systemd/system/httpd.service": "[Unit]\nDescription=The Apache HTTP Server\n[Service]\nExecStart=/usr/sbin/httpd\n",
			},
			Service: &ServiceDef{Name: "httpd", Port: 80, WebRoot: "/var/www/html"}},
		"apache2": {Name: "apache2", Users: []string{"www-data"},
			Files: map[string]string{
				"/etc/apache2/apache2.conf": "Listen 80\n",
				"/var/www/html/index.html":  web("Apache2 Ubuntu Default Page"),
				"/var/log/apache2/":         "",
			},
			Service: &ServiceDef{Name: "apache2", Port: 80, WebRoot: "/var/www/html"}},
		"mariadb-server":          {Name: "mariadb-server", Users: []string{"mysql"}, Files: map[string]string{"/etc/my.cnf": "[mysqld]\n", "/var/lib/mysql/": ""}, Service: &ServiceDef{Name: "mariadb", Port: 3306}},
		"mariadb105-server":       {Name: "mariadb105-server", Users: []string{"mysql"}, Files: map[string]string{"/etc/my.cnf": "[mysqld]\n", "/var/lib/mysql/": ""}, Service: &ServiceDef{Name: "mariadb", Port: 3306}},
		"docker":                  {Name: "docker", Files: map[string]string{"/etc/docker/": ""}, Service: &ServiceDef{Name: "docker"}},
		"codedeploy-agent":        {Name: "codedeploy-agent", Files: map[string]string{"/opt/codedeploy-agent/": "", "/etc/codedeploy-agent/conf/codedeployagent.yml": ":log_dir: '/var/log/aws/codedeploy-agent/'\n"}, Service: &ServiceDef{Name: "codedeploy-agent"}},
		"amazon-cloudwatch-agent": {Name: "amazon-cloudwatch-agent", Files: map[string]string{"/opt/aws/amazon-cloudwatch-agent/etc/": ""}, Service: &ServiceDef{Name: "amazon-cloudwatch-agent"}},
		"amazon-ssm-agent":        {Name: "amazon-ssm-agent", Service: &ServiceDef{Name: "amazon-ssm-agent"}},
		"tomcat":                  {Name: "tomcat", Users: []string{"tomcat"}, Files: map[string]string{"/var/lib/tomcat/webapps/": ""}, Service: &ServiceDef{Name: "tomcat", Port: 8080, WebRoot: "/var/lib/tomcat/webapps/ROOT"}},
	}
	if distro == "ubuntu" {
		pk["nginx"].Files["/etc/nginx/sites-enabled/"] = ""
	}
	return pk
}

// installedSet reads the package database kept in the host's file system (so images carry it).
func (h *Host) installedSet() map[string]bool {
	out := map[string]bool{}
	data, _ := h.fs.ReadFile(pkgDB)
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out[l] = true
		}
	}
	return out
}

func (h *Host) loadState() {
	inst := h.installedSet()
	h.mu.Lock()
	h.installed = inst
	h.mu.Unlock()
}

// Installed reports whether a package is installed.
func (h *Host) Installed(name string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.installed[name]
}

// Install installs packages (recording them and laying down well-known packages' files,
// users and services).
func (h *Host) Install(names ...string) error {
	h.dbMu.Lock()
	defer h.dbMu.Unlock()
	root := hostfs.Cred{}
	for _, name := range names {
		h.mu.Lock()
		p, known := h.packages[name]
		already := h.installed[name]
		h.mu.Unlock()
		if already {
			continue
		}
		if known {
			for _, u := range p.Users {
				if _, err := h.LookupUser(u); err != nil {
					if err := h.AddUser(u, AddUserOptions{UID: -1, System: true, Home: "/var/lib/" + u, Shell: "/sbin/nologin"}); err != nil {
						return err
					}
				}
			}
			for _, f := range slices.Sorted(maps.Keys(p.Files)) {
				if strings.HasSuffix(f, "/") {
					if err := h.fs.MkdirAll(root, f, 0o755); err != nil {
						return err
					}
					continue
				}
				if err := h.fs.MkdirAll(root, dirOf(f), 0o755); err != nil {
					return err
				}
				mode := fs.FileMode(0o644)
				if strings.HasPrefix(p.Files[f], "#!") {
					mode = 0o755
				}
				if err := h.fs.WriteFile(root, f, []byte(p.Files[f]), mode); err != nil {
					return err
				}
			}
		}
		h.mu.Lock()
		h.installed[name] = true
		list := slices.Sorted(maps.Keys(h.installed))
		h.mu.Unlock()
		if err := h.fs.WriteFile(root, pkgDB, []byte(strings.Join(list, "\n")+"\n"), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Remove uninstalls packages, stopping their services.
func (h *Host) Remove(names ...string) error {
	for _, name := range names {
		h.mu.Lock()
		p, known := h.packages[name]
		h.mu.Unlock()
		if known && p.Service != nil {
			_ = h.StopService(p.Service.Name)
		}
		h.dbMu.Lock()
		h.mu.Lock()
		delete(h.installed, name)
		list := slices.Sorted(maps.Keys(h.installed))
		h.mu.Unlock()
		err := h.fs.WriteFile(hostfs.Cred{}, pkgDB, []byte(strings.Join(list, "\n")+"\n"), 0o644)
		h.dbMu.Unlock()
		if err != nil {
			return err
		}
	}
	return nil
}

// KnownPackage reports whether name is in the host's package catalogue.
func (h *Host) KnownPackage(name string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, ok := h.packages[name]
	return ok
}

// RegisterService makes a service known to systemctl (as a custom unit would).
func (h *Host) RegisterService(def ServiceDef) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s, ok := h.services[def.Name]; ok {
		s.def = def
		return
	}
	h.services[def.Name] = &service{def: def}
}

func dirOf(p string) string {
	i := strings.LastIndex(p, "/")
	if i <= 0 {
		return "/"
	}
	return p[:i]
}

// serviceDef finds a service: registered, brought by an installed package, or a unit file.
func (h *Host) serviceDefLocked(name string) (ServiceDef, bool) {
	name = strings.TrimSuffix(name, ".service")
	if s, ok := h.services[name]; ok {
		return s.def, true
	}
	for pn := range h.installed {
		if p, ok := h.packages[pn]; ok && p.Service != nil && p.Service.Name == name {
			return *p.Service, true
		}
	}
	for _, dir := range []string{"/etc/systemd/system/", "/usr/lib/systemd/system/", "/lib/systemd/system/", "/etc/init.d/"} {
		f := dir + name + ".service"
		if dir == "/etc/init.d/" {
			f = dir + name
		}
		if _, err := h.fs.Stat(f); err == nil {
			return ServiceDef{Name: name}, true
		}
	}
	return ServiceDef{}, false
}

func (h *Host) enabledLink(name string) string {
	return "/etc/systemd/system/multi-user.target.wants/" + name + ".service"
}

// ErrNoUnit is returned for an unknown service.
type ErrNoUnit struct{ Name string }

func (e ErrNoUnit) Error() string { return "Unit " + e.Name + ".service not found." }

// StartService starts a service; a web service begins listening on a real loopback port.
func (h *Host) StartService(name string) error {
	name = strings.TrimSuffix(name, ".service")
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return fmt.Errorf("host is shut down")
	}
	def, ok := h.serviceDefLocked(name)
	if !ok {
		h.mu.Unlock()
		return ErrNoUnit{name}
	}
	s := h.services[name]
	if s == nil {
		s = &service{def: def}
		h.services[name] = s
	}
	s.def = def
	if s.active {
		h.mu.Unlock()
		return nil
	}
	if def.Port > 0 {
		for _, o := range h.services {
			if o != s && o.active && o.def.Port == def.Port {
				h.mu.Unlock()
				return fmt.Errorf("%s: bind() to 0.0.0.0:%d failed (98: Address already in use: held by %s)", name, def.Port, o.def.Name)
			}
		}
	}
	s.active = true
	if def.Run != nil {
		ctx, cancel := context.WithCancel(context.Background())
		s.stopRun = cancel
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			def.Run(ctx, h)
		}()
	}
	h.mu.Unlock()

	var handler http.Handler
	switch {
	case def.Handler != nil:
		handler = def.Handler(h)
	case def.WebRoot != "":
		handler = webServer(h, def)
	}
	if handler == nil {
		return nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		h.mu.Lock()
		s.active = false
		if s.stopRun != nil {
			s.stopRun()
			s.stopRun = nil
		}
		h.mu.Unlock()
		return fmt.Errorf("%s: listen: %w", name, err)
	}
	srv := &http.Server{Handler: handler}
	h.mu.Lock()
	s.srv, s.ln, s.handler = srv, ln, handler
	h.wg.Add(1)
	h.mu.Unlock()
	go func() {
		defer h.wg.Done()
		_ = srv.Serve(ln)
	}()
	return nil
}

func webServer(h *Host, def ServiceDef) http.Handler {
	fsys := h.fs.IOFS(def.WebRoot)
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", def.Name)
		// Go's file server answers .../index.html with a 301 to ./; nginx and httpd serve it.
		if strings.HasSuffix(r.URL.Path, "/index.html") && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
			if data, err := fs.ReadFile(fsys, name); err == nil {
				var mod time.Time
				if st, err := fs.Stat(fsys, name); err == nil {
					mod = st.ModTime()
				}
				http.ServeContent(w, r, name, mod, bytes.NewReader(data))
				return
			} else if errors.Is(err, fs.ErrNotExist) {
				http.NotFound(w, r)
				return
			}
		}
		files.ServeHTTP(w, r)
	})
}

// StopService stops a service and closes its listener.
func (h *Host) StopService(name string) error {
	name = strings.TrimSuffix(name, ".service")
	h.mu.Lock()
	s := h.services[name]
	if s == nil {
		_, ok := h.serviceDefLocked(name)
		h.mu.Unlock()
		if !ok {
			return ErrNoUnit{name}
		}
		return nil
	}
	srv, stopRun := s.srv, s.stopRun
	s.active, s.srv, s.ln, s.handler, s.stopRun = false, nil, nil, nil, nil
	h.mu.Unlock()
	if stopRun != nil {
		stopRun() // not waited for: the daemon may be the one stopping itself (a restart)
	}
	if srv != nil {
		_ = srv.Shutdown(context.Background())
	}
	return nil
}

// EnableService makes a service start at boot (a symlink under multi-user.target.wants).
func (h *Host) EnableService(name string, enable bool) error {
	name = strings.TrimSuffix(name, ".service")
	h.mu.Lock()
	_, ok := h.serviceDefLocked(name)
	h.mu.Unlock()
	if !ok {
		return ErrNoUnit{name}
	}
	link := h.enabledLink(name)
	root := hostfs.Cred{}
	if !enable {
		_ = h.fs.Remove(root, link)
		return nil
	}
	_ = h.fs.MkdirAll(root, dirOf(link), 0o755)
	if _, err := h.fs.Lstat(link); err == nil {
		return nil
	}
	return h.fs.Symlink(root, "/usr/lib/systemd/system/"+name+".service", link)
}

// ServiceEnabled reports whether a service starts at boot.
func (h *Host) ServiceEnabled(name string) bool {
	_, err := h.fs.Lstat(h.enabledLink(strings.TrimSuffix(name, ".service")))
	return err == nil
}

// ServiceActive reports whether a service is running.
func (h *Host) ServiceActive(name string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.services[strings.TrimSuffix(name, ".service")]
	return s != nil && s.active
}

// Services lists the services known to the host with their state.
func (h *Host) Services() []ServiceStatus {
	h.mu.Lock()
	names := map[string]bool{}
	for n := range h.services {
		names[n] = true
	}
	for pn := range h.installed {
		if p, ok := h.packages[pn]; ok && p.Service != nil {
			names[p.Service.Name] = true
		}
	}
	h.mu.Unlock()
	var out []ServiceStatus
	for _, n := range slices.Sorted(maps.Keys(names)) {
		h.mu.Lock()
		st := ServiceStatus{Name: n}
		if def, ok := h.serviceDefLocked(n); ok {
			st.Port = def.Port
		}
		if s := h.services[n]; s != nil {
			st.Active = s.active
			if s.ln != nil {
				st.Addr = s.ln.Addr().String()
			}
		}
		h.mu.Unlock()
		st.Enabled = h.ServiceEnabled(n)
		out = append(out, st)
	}
	return out
}

// Endpoint returns the real loopback address ("127.0.0.1:NNNNN") of the active service
// listening on the host's port, such as 80.
func (h *Host) Endpoint(port int) (string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range h.services {
		if s.active && s.def.Port == port && s.ln != nil {
			return s.ln.Addr().String(), true
		}
	}
	return "", false
}

// URL is "http://" + Endpoint(port), or "" when nothing listens there.
func (h *Host) URL(port int) string {
	if a, ok := h.Endpoint(port); ok {
		return "http://" + a
	}
	return ""
}

// Handler returns the HTTP handler of the active service on port (what curl inside the host
// and other hosts reach, without a socket).
func (h *Host) Handler(port int) (http.Handler, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range h.services {
		if s.active && s.def.Port == port && s.handler != nil {
			return s.handler, true
		}
	}
	return nil, false
}

// Boot starts the services enabled at boot, as systemd would.
func (h *Host) Boot() []error {
	h.mu.Lock()
	var names []string
	for pn := range h.installed {
		if p, ok := h.packages[pn]; ok && p.Service != nil {
			names = append(names, p.Service.Name)
		}
	}
	for n := range h.services {
		names = append(names, n)
	}
	h.mu.Unlock()
	if ents, err := h.fs.ReadDir("/etc/systemd/system/multi-user.target.wants"); err == nil {
		for _, e := range ents {
			names = append(names, strings.TrimSuffix(e.Name(), ".service"))
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	var errs []error
	for _, n := range names {
		if h.ServiceEnabled(n) {
			if err := h.StartService(n); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errs
}

// StopAll stops every running service (shutdown).
func (h *Host) StopAll() {
	h.mu.Lock()
	var names []string
	for n, s := range h.services {
		if s.active {
			names = append(names, n)
		}
	}
	h.mu.Unlock()
	for _, n := range names {
		_ = h.StopService(n)
	}
}

// Reopen allows a closed host to start services again (instance start after stop).
func (h *Host) Reopen() {
	h.mu.Lock()
	h.closed = false
	h.mu.Unlock()
}
