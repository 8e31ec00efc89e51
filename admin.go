package devopsim

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/devopsim/devopsim/clock"
)

// adminHandler serves /_devopsim/: health, reset and the clock.
func (p *Platform) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_devopsim/health", func(w http.ResponseWriter, r *http.Request) {
		svcs := p.gen.Load().router.Services()
		slices.Sort(svcs)
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "services": svcs, "account": p.opts.Account, "region": p.opts.Region})
	})
	mux.HandleFunc("POST /_devopsim/reset", func(w http.ResponseWriter, r *http.Request) {
		if err := p.Reset(r.Context()); err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "reset"})
	})
	mux.HandleFunc("GET /_devopsim/clock", func(w http.ResponseWriter, r *http.Request) {
		_, manual := p.opts.Clock.(*clock.Manual)
		writeJSON(w, http.StatusOK, map[string]any{"now": p.opts.Clock.Now().UTC().Format(time.RFC3339Nano), "manual": manual})
	})
	mux.HandleFunc("POST /_devopsim/clock/advance", func(w http.ResponseWriter, r *http.Request) {
		m, ok := p.opts.Clock.(*clock.Manual)
		if !ok {
			writeJSON(w, http.StatusConflict, map[string]string{"error": "the platform runs on the real clock; start it with -clock manual to advance time"})
			return
		}
		var req struct {
			Duration string `json:"duration"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body must be JSON like {\"duration\":\"5m\"}"})
			return
		}
		d, err := time.ParseDuration(req.Duration)
		if err != nil || d < 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "duration must be a non-negative Go duration such as 90s or 5m"})
			return
		}
		m.Advance(d)
		writeJSON(w, http.StatusOK, map[string]any{"now": m.Now().UTC().Format(time.RFC3339Nano)})
	})
	mux.HandleFunc("/_devopsim/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown admin endpoint " + r.Method + " " + r.URL.Path})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
