// Package elbv2api describes ELBv2 on the wire for the router in internal/awsproto.
package elbv2api

import (
	"github.com/devopsim/devopsim/elbv2"
	"github.com/devopsim/devopsim/internal/awsproto"
)

// Service describes Elastic Load Balancing v2 on the wire (awsQuery, Version 2015-12-01).
func Service(s *elbv2.Service) awsproto.Service {
	return awsproto.Service{
		Name:         "elasticloadbalancing",
		Protocols:    []awsproto.Protocol{awsproto.Query},
		Version:      "2015-12-01",
		XMLNamespace: "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
		Ops: []awsproto.Op{
			awsproto.Handle("CreateLoadBalancer", s.CreateLoadBalancer),
			awsproto.Handle("DescribeLoadBalancers", s.DescribeLoadBalancers),
			awsproto.Handle("DeleteLoadBalancer", s.DeleteLoadBalancer),
			awsproto.Handle("CreateTargetGroup", s.CreateTargetGroup),
			awsproto.Handle("DescribeTargetGroups", s.DescribeTargetGroups),
			awsproto.Handle("ModifyTargetGroup", s.ModifyTargetGroup),
			awsproto.Handle("DeleteTargetGroup", s.DeleteTargetGroup),
			awsproto.Handle("DescribeTargetGroupAttributes", s.DescribeTargetGroupAttributes),
			awsproto.Handle("ModifyTargetGroupAttributes", s.ModifyTargetGroupAttributes),
			awsproto.Handle("RegisterTargets", s.RegisterTargets),
			awsproto.Handle("DeregisterTargets", s.DeregisterTargets),
			awsproto.Handle("DescribeTargetHealth", s.DescribeTargetHealth),
			awsproto.Handle("CreateListener", s.CreateListener),
			awsproto.Handle("DescribeListeners", s.DescribeListeners),
			awsproto.Handle("ModifyListener", s.ModifyListener),
			awsproto.Handle("DeleteListener", s.DeleteListener),
			awsproto.Handle("AddTags", s.AddTags),
			awsproto.Handle("RemoveTags", s.RemoveTags),
			awsproto.Handle("DescribeTags", s.DescribeTags),
		},
	}
}
