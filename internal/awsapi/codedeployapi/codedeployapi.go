// Package codedeployapi describes CodeDeploy on the wire for the router in internal/awsproto.
package codedeployapi

import (
	"github.com/devopsim/devopsim/codedeploy"
	"github.com/devopsim/devopsim/internal/awsproto"
)

// Service describes codedeploy on the wire.
func Service(s *codedeploy.Service) awsproto.Service {
	return awsproto.Service{
		Name:         "codedeploy",
		Protocols:    []awsproto.Protocol{awsproto.JSON11},
		TargetPrefix: "CodeDeploy_20141006",
		Ops: []awsproto.Op{
			awsproto.Handle("CreateApplication", s.CreateApplication),
			awsproto.Handle("GetApplication", s.GetApplication),
			awsproto.Handle("BatchGetApplications", s.BatchGetApplications),
			awsproto.Handle("ListApplications", s.ListApplications),
			awsproto.Handle("UpdateApplication", s.UpdateApplication),
			awsproto.Handle("DeleteApplication", s.DeleteApplication),
			awsproto.Handle("RegisterApplicationRevision", s.RegisterApplicationRevision),
			awsproto.Handle("GetApplicationRevision", s.GetApplicationRevision),
			awsproto.Handle("ListApplicationRevisions", s.ListApplicationRevisions),
			awsproto.Handle("BatchGetApplicationRevisions", s.BatchGetApplicationRevisions),
			awsproto.Handle("CreateDeploymentConfig", s.CreateDeploymentConfig),
			awsproto.Handle("GetDeploymentConfig", s.GetDeploymentConfig),
			awsproto.Handle("ListDeploymentConfigs", s.ListDeploymentConfigs),
			awsproto.Handle("DeleteDeploymentConfig", s.DeleteDeploymentConfig),
			awsproto.Handle("CreateDeploymentGroup", s.CreateDeploymentGroup),
			awsproto.Handle("GetDeploymentGroup", s.GetDeploymentGroup),
			awsproto.Handle("BatchGetDeploymentGroups", s.BatchGetDeploymentGroups),
			awsproto.Handle("ListDeploymentGroups", s.ListDeploymentGroups),
			awsproto.Handle("UpdateDeploymentGroup", s.UpdateDeploymentGroup),
			awsproto.Handle("DeleteDeploymentGroup", s.DeleteDeploymentGroup),
			awsproto.Handle("CreateDeployment", s.CreateDeployment),
			awsproto.Handle("GetDeployment", s.GetDeployment),
			awsproto.Handle("BatchGetDeployments", s.BatchGetDeployments),
			awsproto.Handle("ListDeployments", s.ListDeployments),
			awsproto.Handle("StopDeployment", s.StopDeployment),
			awsproto.Handle("ContinueDeployment", s.ContinueDeployment),
			awsproto.Handle("SkipWaitTimeForInstanceTermination", s.SkipWaitTimeForInstanceTermination),
			awsproto.Handle("ListDeploymentInstances", s.ListDeploymentInstances),
			awsproto.Handle("BatchGetDeploymentInstances", s.BatchGetDeploymentInstances),
			awsproto.Handle("GetDeploymentInstance", s.GetDeploymentInstance),
			awsproto.Handle("ListDeploymentTargets", s.ListDeploymentTargets),
			awsproto.Handle("BatchGetDeploymentTargets", s.BatchGetDeploymentTargets),
			awsproto.Handle("GetDeploymentTarget", s.GetDeploymentTarget),
			awsproto.Handle("TagResource", s.TagResource),
			awsproto.Handle("UntagResource", s.UntagResource),
			awsproto.Handle("ListTagsForResource", s.ListTagsForResource),
		},
	}
}
