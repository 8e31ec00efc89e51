package apierr_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/devopsim/devopsim/apierr"
)

var ErrRepoMissing = apierr.New(apierr.NotFound, "RepositoryDoesNotExistException", "repository does not exist")

// apiError is smithy-go's APIError, except that its ErrorFault returns a smithy.ErrorFault
// whose String is what ours returns.
type apiError interface {
	error
	ErrorCode() string
	ErrorMessage() string
	ErrorFault() string
}

func TestIs(t *testing.T) {
	specific := ErrRepoMissing.With("%s does not exist", "web")
	wrapped := fmt.Errorf("handler: %w", specific)
	other := apierr.New(apierr.NotFound, "BranchDoesNotExistException", "no branch")
	tests := []struct {
		name   string
		err    error
		target error
		want   bool
	}{
		{"kind", specific, apierr.NotFound, true},
		{"other kind", specific, apierr.Invalid, false},
		{"sentinel by code", specific, ErrRepoMissing, true},
		{"wrapped sentinel", wrapped, ErrRepoMissing, true},
		{"wrapped kind", wrapped, apierr.NotFound, true},
		{"same kind, other code", other, ErrRepoMissing, false},
		{"empty code never matches", &apierr.Error{Kind: apierr.NotFound}, &apierr.Error{Kind: apierr.NotFound}, false},
		{"plain error", io.EOF, apierr.NotFound, false},
		{"cause visible", apierr.Wrap(io.EOF, "reading"), io.EOF, true},
		{"wrap is internal", apierr.Wrap(io.EOF, "reading"), apierr.Internal, true},
		{"not implemented", apierr.NotImplemented("codebuild", "StartBuild"), apierr.ErrNotImplemented, true},
		{"not implemented kind", apierr.NotImplemented("codebuild", "StartBuild"), apierr.Unsupported, true},
	}
	for _, tt := range tests {
		if got := errors.Is(tt.err, tt.target); got != tt.want {
			t.Errorf("%s: errors.Is(%v, %v) = %v, want %v", tt.name, tt.err, tt.target, got, tt.want)
		}
	}
}

func TestWithKeepsSentinel(t *testing.T) {
	e := ErrRepoMissing.With("%s does not exist", "web")
	if e == ErrRepoMissing {
		t.Fatal("With returned the sentinel itself")
	}
	if e.Message != "web does not exist" || ErrRepoMissing.Message != "repository does not exist" {
		t.Fatalf("With changed the wrong message: %q / %q", e.Message, ErrRepoMissing.Message)
	}
	if e.Code != ErrRepoMissing.Code || e.Kind != ErrRepoMissing.Kind {
		t.Fatal("With lost code or kind")
	}
	// A format without args is used verbatim, even with % in it (a message from the caller's
	// input must not be mangled). Called through func values: vet rightly flags the literal.
	with, newErr := ErrRepoMissing.With, apierr.New
	if got := with("100% gone").Message; got != "100% gone" {
		t.Fatalf("With without args = %q", got)
	}
	if got := newErr(apierr.Invalid, "X", "50%").Message; got != "50%" {
		t.Fatalf("New without args = %q", got)
	}
}

func TestAs(t *testing.T) {
	if apierr.As(nil) != nil {
		t.Fatal("As(nil) != nil")
	}
	e := ErrRepoMissing.With("x")
	if got := apierr.As(fmt.Errorf("ctx: %w", e)); got != e {
		t.Fatalf("As did not find the *Error in the chain: %v", got)
	}
	got := apierr.As(io.ErrUnexpectedEOF)
	if got.Kind != apierr.Internal || got.Code != "InternalFailure" || !errors.Is(got, io.ErrUnexpectedEOF) {
		t.Fatalf("As(plain) = %+v", got)
	}
	if got.ErrorMessage() == io.ErrUnexpectedEOF.Error() {
		t.Fatal("the cause leaked into the message sent to callers")
	}
}

func TestErrorString(t *testing.T) {
	e := ErrRepoMissing.With("web does not exist")
	if got, want := e.Error(), "RepositoryDoesNotExistException: web does not exist"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
	e.Op = "GetRepository"
	e.Err = io.EOF
	if got, want := e.Error(), "GetRepository: RepositoryDoesNotExistException: web does not exist: EOF"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
	if errors.Unwrap(e) != io.EOF {
		t.Fatal("Unwrap")
	}
}

func TestFaultAndStatus(t *testing.T) {
	tests := []struct {
		kind   apierr.Kind
		fault  string
		status int
	}{
		{apierr.Internal, "server", 500},
		{apierr.NotFound, "client", 400},
		{apierr.AlreadyExists, "client", 400},
		{apierr.Invalid, "client", 400},
		{apierr.Conflict, "client", 400},
		{apierr.LimitExceeded, "client", 400},
		{apierr.Unsupported, "client", 400},
		{apierr.Throttled, "client", 400}, // AWS throttling errors are client faults (Sender)
		{apierr.Denied, "client", 403},
	}
	for _, tt := range tests {
		e := apierr.New(tt.kind, "Code", "m")
		var ae apiError = e
		if ae.ErrorFault() != tt.fault || ae.ErrorCode() != "Code" || ae.ErrorMessage() != "m" {
			t.Errorf("%v: fault %q code %q message %q", tt.kind, ae.ErrorFault(), ae.ErrorCode(), ae.ErrorMessage())
		}
		if e.HTTPStatus() != tt.status {
			t.Errorf("%v: status %d, want %d", tt.kind, e.HTTPStatus(), tt.status)
		}
	}
	if got := apierr.NotImplemented("s", "Op").HTTPStatus(); got != 501 {
		t.Errorf("NotImplemented status %d", got)
	}
	if got := (&apierr.Error{Kind: apierr.NotFound, Status: 404}).HTTPStatus(); got != 404 {
		t.Errorf("Status override %d", got)
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[apierr.Kind]string{apierr.Internal: "Internal", apierr.NotFound: "NotFound", apierr.Denied: "Denied", apierr.Kind(99): "Kind(99)"} {
		if k.Error() != want {
			t.Errorf("%d: %q, want %q", int(k), k.Error(), want)
		}
	}
}

func ExampleError_With() {
	err := fmt.Errorf("lookup: %w", ErrRepoMissing.With("%s does not exist", "web"))
	fmt.Println(errors.Is(err, ErrRepoMissing), errors.Is(err, apierr.NotFound))
	fmt.Println(apierr.As(err).ErrorCode(), apierr.As(err).ErrorMessage())
	// Output:
	// true true
	// RepositoryDoesNotExistException web does not exist
}
