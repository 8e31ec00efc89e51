// Package sts is the part of AWS Security Token Service that SDKs and CLIs need first:
// GetCallerIdentity answers with the caller's account, ARN and user id, as the request's
// credentials select them (see the root package for how access keys map to accounts).
//
// A Service is safe for concurrent use. Other STS operations are not implemented and answer
// with InvalidAction on the wire.
package sts

import (
	"context"

	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
)

// Service is STS.
type Service struct{ d *dispatch.Dispatcher }

// New returns the STS service.
func New(env *core.Env) *Service {
	return &Service{d: env.Dispatcher("sts", "sts.amazonaws.com")}
}

// GetCallerIdentityInput is empty.
type GetCallerIdentityInput struct{}

// GetCallerIdentityOutput says who the caller is.
type GetCallerIdentityOutput struct {
	Account string `json:"Account"`
	Arn     string `json:"Arn"`
	UserId  string `json:"UserId"`
}

// GetCallerIdentity returns the identity of the caller in ctx.
func (s *Service) GetCallerIdentity(ctx context.Context, in *GetCallerIdentityInput) (*GetCallerIdentityOutput, error) {
	return dispatch.Do(ctx, s.d, "GetCallerIdentity", in, func(ctx context.Context, _ *GetCallerIdentityInput) (*GetCallerIdentityOutput, error) {
		c, _ := identity.From(ctx)
		return &GetCallerIdentityOutput{Account: c.Account, Arn: c.PrincipalARN, UserId: c.UserID}, nil
	})
}
