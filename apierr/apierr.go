// Package apierr is the error type every devopsim service returns.
//
// An *Error carries a Kind (what sort of failure: NotFound, Invalid, ...), the AWS error code
// (the exception name the real service answers with, such as RepositoryDoesNotExistException),
// a message for the caller, the operation that failed and an optional cause that is logged but
// never sent over the wire.
//
// Kinds are errors themselves, so callers can write errors.Is(err, apierr.NotFound). Services
// export sentinels made with New for the codes callers match on; errors.Is matches an *Error
// against a sentinel by code. The methods ErrorCode, ErrorMessage and ErrorFault match smithy-go's
// APIError, so code that handles the AWS SDK's errors handles ours the same way.
package apierr

import (
	"errors"
	"fmt"
)

// Kind classifies an error. It is an error, so errors.Is(err, apierr.NotFound) works.
type Kind int

// The kinds of error. Internal is the only server-side (fault) kind besides Throttled.
const (
	Internal Kind = iota
	NotFound
	AlreadyExists
	Invalid
	Conflict
	LimitExceeded
	Unsupported
	Throttled
	Denied
)

var kindNames = [...]string{"Internal", "NotFound", "AlreadyExists", "Invalid", "Conflict", "LimitExceeded", "Unsupported", "Throttled", "Denied"}

func (k Kind) Error() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// HTTPStatus is the status code AWS typically answers with for this kind.
func (k Kind) HTTPStatus() int {
	switch k {
	case NotFound:
		return 400
	case Denied:
		return 403
	case Throttled:
		return 400
	case Internal:
		return 500
	default:
		return 400
	}
}

// Error is a service error with an AWS error code.
type Error struct {
	Kind    Kind
	Code    string // AWS exception name, e.g. "RepositoryDoesNotExistException"
	Message string
	Op      string // operation, e.g. "CreateRepository"; set by the dispatcher when empty
	Status  int    // HTTP status override; 0 means Kind.HTTPStatus()
	Err     error  // cause, logged and never sent to the caller
}

// New returns an error of the given kind and code.
func New(kind Kind, code, format string, args ...any) *Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{Kind: kind, Code: code, Message: msg}
}

// Wrap returns an Internal error that keeps err as its cause.
func Wrap(err error, format string, args ...any) *Error {
	e := New(Internal, "InternalFailure", format, args...)
	e.Err = err
	return e
}

func (e *Error) Error() string {
	s := e.Code
	if e.Op != "" {
		s = e.Op + ": " + s
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is e's Kind, or an *Error with the same Code.
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case Kind:
		return e.Kind == t
	case *Error:
		return t.Code != "" && t.Code == e.Code
	}
	return false
}

// With returns a copy of e with a new message; use it to give a sentinel a specific message
// while keeping errors.Is(err, sentinel) true.
func (e *Error) With(format string, args ...any) *Error {
	c := *e
	c.Message = format
	if len(args) > 0 {
		c.Message = fmt.Sprintf(format, args...)
	}
	return &c
}

// ErrorCode is the AWS error code (smithy APIError).
func (e *Error) ErrorCode() string { return e.Code }

// ErrorMessage is the message (smithy APIError).
func (e *Error) ErrorMessage() string { return e.Message }

// ErrorFault is "server" for Internal and Throttled errors and "client" otherwise, as
// smithy.ErrorFault prints.
func (e *Error) ErrorFault() string {
	if e.Kind == Internal {
		return "server"
	}
	return "client"
}

// HTTPStatus is the status the wire answers with.
func (e *Error) HTTPStatus() int {
	if e.Status != 0 {
		return e.Status
	}
	return e.Kind.HTTPStatus()
}

// As converts any error to an *Error: an *Error in the chain is returned as is, anything else
// becomes InternalFailure with err as its cause.
func As(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Wrap(err, "An internal error occurred.")
}

// Common errors shared by every service.
var (
	ErrValidation     = New(Invalid, "ValidationException", "validation failed")
	ErrInvalidParam   = New(Invalid, "InvalidParameterValue", "invalid parameter")
	ErrMissingParam   = New(Invalid, "MissingParameter", "missing parameter")
	ErrNotImplemented = &Error{Kind: Unsupported, Code: "NotImplemented", Message: "not implemented", Status: 501}
	ErrAccessDenied   = New(Denied, "AccessDeniedException", "access denied")
)

// NotImplemented returns the error for an operation devopsim does not implement.
func NotImplemented(service, op string) *Error {
	return ErrNotImplemented.With("%s.%s is not implemented by devopsim", service, op)
}
