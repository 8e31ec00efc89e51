package elbv2_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/devopsim/devopsim/elbv2"
)

func benchRig(b *testing.B, opts elbv2.Options) (*rig, elbv2.LoadBalancer) {
	r := newRig(b, opts)
	ids := []string{i1, i2, i3, i4}
	for _, id := range ids {
		r.fleet.add(b, r.clk, id, "nginx", "page "+id)
	}
	lb := r.lb("bench")
	tg := r.tg("bench", nil)
	r.listener(lb.LoadBalancerArn, 80, forward(tg.TargetGroupArn))
	r.register(tg.TargetGroupArn, ids...)
	return r, lb
}

// Proxied requests through the load balancer's handler, in process, to nginx on 4 hosts.
func BenchmarkProxyInProcess(b *testing.B) {
	r, lb := benchRig(b, elbv2.Options{NoLoopback: true})
	h, _ := r.svc.Resolve(lb.DNSName, 80)
	req := httptest.NewRequest(http.MethodGet, "http://"+lb.DNSName+"/", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// The same from many goroutines.
func BenchmarkProxyInProcessParallel(b *testing.B) {
	r, lb := benchRig(b, elbv2.Options{NoLoopback: true})
	h, _ := r.svc.Resolve(lb.DNSName, 80)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest(http.MethodGet, "http://"+lb.DNSName+"/", nil)
		for pb.Next() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Error(rec.Code)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// Real HTTP over the load balancer's loopback port (keep-alive client).
func BenchmarkProxyLoopback(b *testing.B) {
	r, _ := benchRig(b, elbv2.Options{})
	url := r.svc.URL("bench") + "/"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	defer client.CloseIdleConnections()
	b.ReportAllocs()
	for b.Loop() {
		res, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatal(res.StatusCode)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
