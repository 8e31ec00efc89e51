// Package codebuildapi describes CodeBuild on the wire for the router in internal/awsproto.
package codebuildapi

import (
	"github.com/devopsim/devopsim/codebuild"
	"github.com/devopsim/devopsim/internal/awsproto"
)

// Service describes codebuild on the wire.
func Service(s *codebuild.Service) awsproto.Service {
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
			awsproto.Handle("CreateReportGroup", s.CreateReportGroup),
			awsproto.Handle("DeleteReportGroup", s.DeleteReportGroup),
			awsproto.Handle("BatchGetReportGroups", s.BatchGetReportGroups),
			awsproto.Handle("ListReportGroups", s.ListReportGroups),
			awsproto.Handle("ListReports", s.ListReports),
			awsproto.Handle("ListReportsForReportGroup", s.ListReportsForReportGroup),
			awsproto.Handle("BatchGetReports", s.BatchGetReports),
			awsproto.Handle("DeleteReport", s.DeleteReport),
			awsproto.Handle("DescribeTestCases", s.DescribeTestCases),
			awsproto.Handle("DescribeCodeCoverages", s.DescribeCodeCoverages),
		},
	}
}
