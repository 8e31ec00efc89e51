// Package cloudformationapi describes CloudFormation on the wire for the router in internal/awsproto.
package cloudformationapi

import (
	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/internal/awsproto"
)

// Service describes AWS CloudFormation on the wire (awsQuery, Version 2010-05-15).
func Service(s *cloudformation.Service) awsproto.Service {
	return awsproto.Service{
		Name:         "cloudformation",
		Protocols:    []awsproto.Protocol{awsproto.Query},
		Version:      "2010-05-15",
		XMLNamespace: "http://cloudformation.amazonaws.com/doc/2010-05-15/",
		Ops: []awsproto.Op{
			awsproto.Handle("CreateStack", s.CreateStack),
			awsproto.Handle("UpdateStack", s.UpdateStack),
			awsproto.Handle("DeleteStack", s.DeleteStack),
			awsproto.Handle("DescribeStacks", s.DescribeStacks),
			awsproto.Handle("ListStacks", s.ListStacks),
			awsproto.Handle("DescribeStackEvents", s.DescribeStackEvents),
			awsproto.Handle("DescribeStackResource", s.DescribeStackResource),
			awsproto.Handle("DescribeStackResources", s.DescribeStackResources),
			awsproto.Handle("ListStackResources", s.ListStackResources),
			awsproto.Handle("GetTemplate", s.GetTemplate),
			awsproto.Handle("GetTemplateSummary", s.GetTemplateSummary),
			awsproto.Handle("ValidateTemplate", s.ValidateTemplate),
			awsproto.Handle("UpdateTerminationProtection", s.UpdateTerminationProtection),
			awsproto.Handle("SetStackPolicy", s.SetStackPolicy),
			awsproto.Handle("GetStackPolicy", s.GetStackPolicy),
			awsproto.Handle("ListExports", s.ListExports),
			awsproto.Handle("ListImports", s.ListImports),
			awsproto.Handle("CancelUpdateStack", s.CancelUpdateStack),
			awsproto.Handle("ContinueUpdateRollback", s.ContinueUpdateRollback),
			awsproto.Handle("SignalResource", s.SignalResource),
			awsproto.Handle("CreateChangeSet", s.CreateChangeSet),
			awsproto.Handle("DescribeChangeSet", s.DescribeChangeSet),
			awsproto.Handle("ExecuteChangeSet", s.ExecuteChangeSet),
			awsproto.Handle("DeleteChangeSet", s.DeleteChangeSet),
			awsproto.Handle("ListChangeSets", s.ListChangeSets),
			awsproto.Handle("DetectStackDrift", s.DetectStackDrift),
			awsproto.Handle("DetectStackResourceDrift", s.DetectStackResourceDrift),
			awsproto.Handle("DescribeStackDriftDetectionStatus", s.DescribeStackDriftDetectionStatus),
			awsproto.Handle("DescribeStackResourceDrifts", s.DescribeStackResourceDrifts),
			awsproto.Handle("DescribeAccountLimits", s.DescribeAccountLimits),
			awsproto.Handle("EstimateTemplateCost", s.EstimateTemplateCost),
		},
	}
}
