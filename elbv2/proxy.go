package elbv2

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// ServeHTTP serves a request that arrived on the load balancer's loopback listener: it goes to
// the listener named by the Host header's port when the Host is the load balancer's DNS name
// with a port, else to the listener on port 80 (or the lowest port).
func (lb *lbRT) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	lb.s.serve(lb, hostPort(r.Host, lb.dns), w, r)
}

// hostPort returns the port of host when host is dns:port, else 0.
func hostPort(host, dns string) int {
	h, p, err := net.SplitHostPort(host)
	if err != nil || !strings.EqualFold(h, dns) {
		return 0
	}
	n, _ := strconv.Atoi(p)
	return n
}

func (s *Service) serve(lb *lbRT, port int, w http.ResponseWriter, r *http.Request) {
	pt := lb.ports.Load()
	l := pt.def
	if port != 0 {
		if x, ok := pt.byPort[port]; ok {
			l = x
		}
	}
	if l == nil {
		elbError(w, http.StatusServiceUnavailable)
		return
	}
	switch l.act.kind {
	case "fixed-response":
		fixed(w, l.act.fixed)
	case "redirect":
		redirect(w, r, l.port, l.act.redirect)
	case "forward":
		tg := l.act.pick()
		if tg == nil {
			elbError(w, http.StatusServiceUnavailable)
			return
		}
		t := tg.pick()
		if t == nil {
			elbError(w, http.StatusServiceUnavailable)
			return
		}
		s.forward(w, r, l.port, t)
	default:
		elbError(w, http.StatusServiceUnavailable)
	}
}

// forward hands the request to the target's service, in process, with the headers an
// Application Load Balancer adds. A target whose service does not answer gets 502.
func (s *Service) forward(w http.ResponseWriter, r *http.Request, port int, t *targetRT) {
	if s.deps.Targets == nil {
		elbError(w, http.StatusBadGateway)
		return
	}
	h, ok, err := s.deps.Targets.Handler(r.Context(), t.id, t.port)
	if err != nil || !ok || h == nil {
		elbError(w, http.StatusBadGateway)
		return
	}
	// The target sees a copy: the caller's request is left as it was.
	hd := make(http.Header, len(r.Header)+4)
	for k, v := range r.Header {
		hd[k] = v
	}
	r2 := new(http.Request)
	*r2 = *r
	r2.Header = hd
	r = r2
	client, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		client = r.RemoteAddr
	}
	if prior := hd.Get("X-Forwarded-For"); prior != "" {
		client = prior + ", " + client
	}
	hd.Set("X-Forwarded-For", client)
	hd.Set("X-Forwarded-Proto", "http")
	hd.Set("X-Forwarded-Port", strconv.Itoa(port))
	if hd.Get("X-Amzn-Trace-Id") == "" {
		hd.Set("X-Amzn-Trace-Id", s.traceID())
	}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Warn("elbv2: target handler panicked", "target", t.id, "panic", v)
			elbError(w, http.StatusBadGateway)
		}
	}()
	h.ServeHTTP(w, r)
}

func (s *Service) traceID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%s", s.env.Clock.Now().Unix(), hex.EncodeToString(b[:]))
}

// elbError answers as an Application Load Balancer does when it cannot reach a target.
func elbError(w http.ResponseWriter, code int) {
	text := http.StatusText(code)
	if code == http.StatusServiceUnavailable {
		text = "Service Temporarily Unavailable"
	}
	h := w.Header()
	h.Set("Server", "awselb/2.0")
	h.Set("Content-Type", "text/html")
	w.WriteHeader(code)
	fmt.Fprintf(w, "<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n</body>\r\n</html>\r\n", code, text, code, text)
}

func fixed(w http.ResponseWriter, c *FixedResponseActionConfig) {
	code, _ := strconv.Atoi(c.StatusCode)
	h := w.Header()
	h.Set("Server", "awselb/2.0")
	ct := c.ContentType
	if ct == "" {
		ct = "text/plain"
	}
	h.Set("Content-Type", ct+"; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(c.MessageBody))
}

func redirect(w http.ResponseWriter, r *http.Request, port int, c *RedirectActionConfig) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	sub := strings.NewReplacer("#{protocol}", "http", "#{host}", host, "#{port}", strconv.Itoa(port),
		"#{path}", strings.TrimPrefix(r.URL.Path, "/"), "#{query}", r.URL.RawQuery)
	or := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	proto := strings.ToLower(sub.Replace(or(c.Protocol, "#{protocol}")))
	p := sub.Replace(or(c.Port, "#{port}"))
	loc := proto + "://" + sub.Replace(or(c.Host, "#{host}"))
	if !(proto == "http" && p == "80") && !(proto == "https" && p == "443") {
		loc += ":" + p
	}
	path := sub.Replace(or(c.Path, "/#{path}"))
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	loc += path
	if q := sub.Replace(or(c.Query, "#{query}")); q != "" {
		loc += "?" + q
	}
	code := http.StatusMovedPermanently
	if c.StatusCode == "HTTP_302" {
		code = http.StatusFound
	}
	w.Header().Set("Server", "awselb/2.0")
	w.Header().Set("Location", loc)
	w.WriteHeader(code)
}

// ---- finding load balancers

// lookup finds a load balancer by DNS name, else by name in the platform's default account
// and region.
func (s *Service) lookup(nameOrDNS string) *lbRT {
	s.rt.mu.RLock()
	defer s.rt.mu.RUnlock()
	if lb := s.rt.byDNS[strings.ToLower(nameOrDNS)]; lb != nil {
		return lb
	}
	return s.rt.byName[scopeKey(s.env.Account, s.env.Region, nameOrDNS)]
}

// Handler returns the data plane of the load balancer named nameOrDNS (its name in the
// platform's default account and region, or its DNS name): each request goes to the listener
// its Host port names (the DNS name with a port), else to the port-80 (or lowest-port)
// listener, and from there to a healthy target chosen round robin, weighted across target
// groups as the listener says. The load balancer is looked up per request, so the handler may
// be made before the load balancer exists (503 until then).
func (s *Service) Handler(nameOrDNS string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lb := s.lookup(nameOrDNS)
		if lb == nil {
			elbError(w, http.StatusServiceUnavailable)
			return
		}
		lb.ServeHTTP(w, r)
	})
}

// Resolve returns the handler of the listener on port of the load balancer whose DNS name is
// hostname (case-insensitive; port 0 means the default listener). Its signature matches
// ec2sim's Options.Network, so hosts can curl a load balancer by its DNS name, and the
// platform's handler can serve requests whose Host is a load balancer's DNS name.
func (s *Service) Resolve(hostname string, port int) (http.Handler, bool) {
	s.rt.mu.RLock()
	lb := s.rt.byDNS[strings.ToLower(hostname)]
	s.rt.mu.RUnlock()
	if lb == nil {
		return nil, false
	}
	pt := lb.ports.Load()
	if port != 0 {
		if _, ok := pt.byPort[port]; !ok {
			return nil, false
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serve(lb, port, w, r) }), true
}

// Endpoint returns the real loopback address ("127.0.0.1:NNNNN") of a load balancer (by name or
// DNS name); false when it does not exist or Options.NoLoopback is set.
func (s *Service) Endpoint(nameOrDNS string) (string, bool) {
	lb := s.lookup(nameOrDNS)
	if lb == nil || lb.ln == nil {
		return "", false
	}
	return lb.ln.Addr().String(), true
}

// URL is "http://" + Endpoint(nameOrDNS), or "" when there is none.
func (s *Service) URL(nameOrDNS string) string {
	if a, ok := s.Endpoint(nameOrDNS); ok {
		return "http://" + a
	}
	return ""
}
