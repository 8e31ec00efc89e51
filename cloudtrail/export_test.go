package cloudtrail

import (
	"context"

	"github.com/devopsim/devopsim/internal/dispatch"
)

// PauseWorker stops the background processor until resume is called, so a benchmark can
// measure the recording hook alone.
func PauseWorker(s *Service) (resume func()) {
	r := flushReq{done: make(chan struct{}), hold: make(chan struct{})}
	s.flush <- r
	<-r.done
	return func() { close(r.hold) }
}

// Process processes pending calls on the caller's goroutine.
func Process(s *Service) { s.process() }

// Audit is the dispatcher hook.
func Audit(s *Service) func(context.Context, *dispatch.Call) { return s.audit }
