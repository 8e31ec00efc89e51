package codedeploy

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/store"
)

// The built-in deployment configurations for the Server platform.
const (
	OneAtATime  = "CodeDeployDefault.OneAtATime"
	HalfAtATime = "CodeDeployDefault.HalfAtATime"
	AllAtOnce   = "CodeDeployDefault.AllAtOnce"
)

var builtinNamespace = uuid.MustParse("6ba7b811-9dad-11d1-80b4-00c04fd430c8")

func builtinConfig(name string) (DeploymentConfigInfo, bool) {
	var m MinimumHealthyHosts
	switch name {
	case OneAtATime:
		m = MinimumHealthyHosts{Type: "MOST_CONCURRENCY", Value: 1}
	case HalfAtATime:
		m = MinimumHealthyHosts{Type: "FLEET_PERCENT", Value: 50}
	case AllAtOnce:
		m = MinimumHealthyHosts{Type: "HOST_COUNT", Value: 0}
	default:
		return DeploymentConfigInfo{}, false
	}
	return DeploymentConfigInfo{
		DeploymentConfigID:   uuid.NewSHA1(builtinNamespace, []byte(name)).String(),
		DeploymentConfigName: name,
		MinimumHealthyHosts:  &m,
		ComputePlatform:      "Server",
	}, true
}

func configKey(ctx context.Context, name string) string { return scopeKey(ctx) + name }

func (s *Service) getConfig(ctx context.Context, name string) (DeploymentConfigInfo, error) {
	if name == "" {
		return DeploymentConfigInfo{}, ErrDeploymentConfigNameReq
	}
	if c, ok := builtinConfig(name); ok {
		return c, nil
	}
	c, err := s.configs.Get(ctx, configKey(ctx, name))
	if errors.Is(err, store.ErrNotFound) {
		return c, ErrDeploymentConfigDoesNotExist.With("No deployment configuration found for name: %s", name)
	}
	return c, err
}

// CreateDeploymentConfig creates a custom deployment configuration.
func (s *Service) CreateDeploymentConfig(ctx context.Context, in *CreateDeploymentConfigInput) (*CreateDeploymentConfigOutput, error) {
	return dispatchDo(ctx, s, "CreateDeploymentConfig", in, func(ctx context.Context, in *CreateDeploymentConfigInput) (*CreateDeploymentConfigOutput, error) {
		if in.DeploymentConfigName == "" {
			return nil, ErrDeploymentConfigNameReq
		}
		if !validName(in.DeploymentConfigName, 100) || strings.HasPrefix(in.DeploymentConfigName, "CodeDeployDefault.") {
			if _, ok := builtinConfig(in.DeploymentConfigName); ok {
				return nil, ErrDeploymentConfigExists.With("Deployment Configuration already exists with name %s", in.DeploymentConfigName)
			}
			return nil, ErrInvalidDeploymentConfigName
		}
		if err := checkPlatform(in.ComputePlatform); err != nil {
			return nil, err
		}
		if in.TrafficRoutingConfig != nil {
			return nil, apierrInvalidInput("trafficRoutingConfig is only valid for AWS Lambda and Amazon ECS deployment configurations")
		}
		m := in.MinimumHealthyHosts
		if m == nil {
			return nil, ErrInvalidMinimumHealthyHosts.With("Minimum healthy hosts is required for Server deployment configurations")
		}
		switch m.Type {
		case "HOST_COUNT":
			if m.Value < 0 {
				return nil, ErrInvalidMinimumHealthyHosts.With("The minimum healthy hosts value must be a non-negative integer")
			}
		case "FLEET_PERCENT":
			if m.Value < 0 || m.Value > 99 {
				return nil, ErrInvalidMinimumHealthyHosts.With("The minimum healthy hosts percentage must be between 0 and 99")
			}
		default:
			return nil, ErrInvalidMinimumHealthyHosts.With("Invalid minimum healthy hosts type: %s. Valid values are HOST_COUNT and FLEET_PERCENT.", m.Type)
		}
		c := DeploymentConfigInfo{
			DeploymentConfigID: newID(), DeploymentConfigName: in.DeploymentConfigName,
			MinimumHealthyHosts: &MinimumHealthyHosts{Type: m.Type, Value: m.Value},
			CreateTime:          s.now(), ComputePlatform: "Server", ZonalConfig: in.ZonalConfig,
		}
		if err := s.configs.Create(ctx, configKey(ctx, c.DeploymentConfigName), c); errors.Is(err, store.ErrExists) {
			return nil, ErrDeploymentConfigExists.With("Deployment Configuration already exists with name %s", c.DeploymentConfigName)
		} else if err != nil {
			return nil, wrap(err)
		}
		return &CreateDeploymentConfigOutput{DeploymentConfigID: c.DeploymentConfigID}, nil
	})
}

// GetDeploymentConfig describes a deployment configuration.
func (s *Service) GetDeploymentConfig(ctx context.Context, in *GetDeploymentConfigInput) (*GetDeploymentConfigOutput, error) {
	return dispatchDo(ctx, s, "GetDeploymentConfig", in, func(ctx context.Context, in *GetDeploymentConfigInput) (*GetDeploymentConfigOutput, error) {
		c, err := s.getConfig(ctx, in.DeploymentConfigName)
		if err != nil {
			return nil, wrap(err)
		}
		return &GetDeploymentConfigOutput{DeploymentConfigInfo: &c}, nil
	})
}

// ListDeploymentConfigs lists the built-in and custom deployment configurations.
func (s *Service) ListDeploymentConfigs(ctx context.Context, in *ListDeploymentConfigsInput) (*ListDeploymentConfigsOutput, error) {
	return dispatchDo(ctx, s, "ListDeploymentConfigs", in, func(ctx context.Context, in *ListDeploymentConfigsInput) (*ListDeploymentConfigsOutput, error) {
		start := 0
		if in.NextToken != "" {
			t, err := decodeToken(in.NextToken)
			if err != nil {
				return nil, err
			}
			if _, err := scanInt(t, &start); err != nil {
				return nil, err
			}
		}
		names := []string{AllAtOnce, HalfAtATime, OneAtATime}
		custom, err := s.configs.All(ctx, scopeKey(ctx))
		if err != nil {
			return nil, wrap(err)
		}
		for _, c := range custom {
			names = append(names, c.DeploymentConfigName)
		}
		slices.Sort(names)
		start = min(start, len(names))
		end := min(start+100, len(names))
		out := &ListDeploymentConfigsOutput{DeploymentConfigsList: names[start:end]}
		if end < len(names) {
			out.NextToken = encodeToken(itoa(end))
		}
		return out, nil
	})
}

// DeleteDeploymentConfig deletes a custom deployment configuration that no group uses.
func (s *Service) DeleteDeploymentConfig(ctx context.Context, in *DeleteDeploymentConfigInput) (*DeleteDeploymentConfigOutput, error) {
	return dispatchDo(ctx, s, "DeleteDeploymentConfig", in, func(ctx context.Context, in *DeleteDeploymentConfigInput) (*DeleteDeploymentConfigOutput, error) {
		if in.DeploymentConfigName == "" {
			return nil, ErrDeploymentConfigNameReq
		}
		if _, ok := builtinConfig(in.DeploymentConfigName); ok || strings.HasPrefix(in.DeploymentConfigName, "CodeDeployDefault.") {
			return nil, ErrInvalidOperation.With("The default deployment configurations cannot be deleted")
		}
		groups, err := s.groups.All(ctx, scopeKey(ctx))
		if err != nil {
			return nil, wrap(err)
		}
		for _, g := range groups {
			if g.Info.DeploymentConfigName == in.DeploymentConfigName {
				return nil, ErrDeploymentConfigInUse.With("Deployment configuration %s is in use by deployment group %s", in.DeploymentConfigName, g.Info.DeploymentGroupName)
			}
		}
		if err := s.configs.Delete(ctx, configKey(ctx, in.DeploymentConfigName)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, wrap(err)
		}
		return &DeleteDeploymentConfigOutput{}, nil
	})
}

// healthPlan is how many of n instances may be out of service at once and how many must be
// healthy at the end, per AWS's rules.
type healthPlan struct {
	N          int
	MinHealthy int
	Batch      int // instances deployed at once (at most)
}

// planFor applies a deployment configuration to n instances.
func planFor(c DeploymentConfigInfo, n int) healthPlan {
	p := healthPlan{N: n}
	m := c.MinimumHealthyHosts
	switch {
	case m == nil || m.Type == "MOST_CONCURRENCY":
		// OneAtATime: all instances but one are kept healthy.
		p.MinHealthy = max(n-1, 0)
	case m.Type == "HOST_COUNT":
		p.MinHealthy = int(m.Value)
	case m.Type == "FLEET_PERCENT":
		p.MinHealthy = int(math.Ceil(float64(n) * float64(m.Value) / 100))
	}
	p.Batch = n - p.MinHealthy
	return p
}
