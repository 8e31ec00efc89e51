package awsapi

import (
	"github.com/devopsim/devopsim/codebuild"
	"github.com/devopsim/devopsim/internal/awsproto"
)

// CodeBuild describes codebuild on the wire.
func CodeBuild(s *codebuild.Service) awsproto.Service {
	return awsproto.Service{
		Name:         "codebuild",
		Protocols:    []awsproto.Protocol{awsproto.JSON11},
		TargetPrefix: "CodeBuild_20161006",
		Ops: []awsproto.Op{
			awsproto.Handle("CreateProject", s.CreateProject),
			awsproto.Handle("UpdateProject", s.UpdateProject),
			awsproto.Handle("DeleteProject", s.DeleteProject),
			awsproto.Handle("BatchGetProjects", s.BatchGetProjects),
			awsproto.Handle("ListProjects", s.ListProjects),
			awsproto.Handle("StartBuild", s.StartBuild),
			awsproto.Handle("StopBuild", s.StopBuild),
			awsproto.Handle("RetryBuild", s.RetryBuild),
			awsproto.Handle("BatchGetBuilds", s.BatchGetBuilds),
			awsproto.Handle("ListBuilds", s.ListBuilds),
			awsproto.Handle("ListBuildsForProject", s.ListBuildsForProject),
			awsproto.Handle("BatchDeleteBuilds", s.BatchDeleteBuilds),
		},
	}
}
