// Package identity carries who is calling, from where, in which account and region, through a
// context. The wire layer fills it from the request's SigV4 credentials; Go callers set it with
// With (or leave it out to act as the platform's default account root).
package identity

import (
	"context"
	"fmt"
)

// Caller is the identity of a request.
type Caller struct {
	Account      string // 12 digits
	Region       string
	PrincipalARN string // e.g. arn:aws:iam::000000000000:root
	UserID       string // principal id as GetCallerIdentity reports it
	Type         string // Root, IAMUser, AssumedRole, AWSService
	AccessKeyID  string
	SourceIP     string
	UserAgent    string
	// InvokedBy is set when a service calls another on the caller's behalf, e.g.
	// "codepipeline.amazonaws.com".
	InvokedBy string
	RequestID string
}

type key struct{}

// With returns ctx carrying c.
func With(ctx context.Context, c Caller) context.Context { return context.WithValue(ctx, key{}, c) }

// From returns the caller in ctx; ok is false when none was set.
func From(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(key{}).(Caller)
	return c, ok
}

// Root returns the root identity of account in region.
func Root(account, region string) Caller {
	return Caller{
		Account:      account,
		Region:       region,
		PrincipalARN: fmt.Sprintf("arn:aws:iam::%s:root", account),
		UserID:       account,
		Type:         "Root",
	}
}

// InService returns ctx with the caller marked as invoked by service (a service principal such
// as "codepipeline.amazonaws.com") and with a fresh request ID, for service-to-service calls.
func InService(ctx context.Context, service string) context.Context {
	c, _ := From(ctx)
	c.InvokedBy = service
	c.SourceIP = service
	c.UserAgent = service
	c.RequestID = ""
	return With(ctx, c)
}
