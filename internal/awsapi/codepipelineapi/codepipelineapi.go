// Package codepipelineapi describes CodePipeline on the wire for the router in internal/awsproto.
package codepipelineapi

import (
	"github.com/devopsim/devopsim/codepipeline"
	"github.com/devopsim/devopsim/internal/awsproto"
)

// Service describes codepipeline on the wire (awsJson1_1, CodePipeline_20150709.Op).
func Service(s *codepipeline.Service) awsproto.Service {
	return awsproto.Service{
		Name:         "codepipeline",
		Protocols:    []awsproto.Protocol{awsproto.JSON11},
		TargetPrefix: "CodePipeline_20150709",
		Ops: []awsproto.Op{
			awsproto.Handle("CreatePipeline", s.CreatePipeline),
			awsproto.Handle("UpdatePipeline", s.UpdatePipeline),
			awsproto.Handle("GetPipeline", s.GetPipeline),
			awsproto.Handle("ListPipelines", s.ListPipelines),
			awsproto.Handle("DeletePipeline", s.DeletePipeline),
			awsproto.Handle("TagResource", s.TagResource),
			awsproto.Handle("UntagResource", s.UntagResource),
			awsproto.Handle("ListTagsForResource", s.ListTagsForResource),
			awsproto.Handle("StartPipelineExecution", s.StartPipelineExecution),
			awsproto.Handle("StopPipelineExecution", s.StopPipelineExecution),
			awsproto.Handle("GetPipelineExecution", s.GetPipelineExecution),
			awsproto.Handle("ListPipelineExecutions", s.ListPipelineExecutions),
			awsproto.Handle("GetPipelineState", s.GetPipelineState),
			awsproto.Handle("ListActionExecutions", s.ListActionExecutions),
			awsproto.Handle("RetryStageExecution", s.RetryStageExecution),
			awsproto.Handle("RollbackStage", s.RollbackStage),
			awsproto.Handle("DisableStageTransition", s.DisableStageTransition),
			awsproto.Handle("EnableStageTransition", s.EnableStageTransition),
			awsproto.Handle("PutApprovalResult", s.PutApprovalResult),
			awsproto.Handle("ListActionTypes", s.ListActionTypes),
			awsproto.Handle("CreateCustomActionType", s.CreateCustomActionType),
			awsproto.Handle("DeleteCustomActionType", s.DeleteCustomActionType),
			awsproto.Handle("PollForJobs", s.PollForJobs),
			awsproto.Handle("AcknowledgeJob", s.AcknowledgeJob),
			awsproto.Handle("GetJobDetails", s.GetJobDetails),
			awsproto.Handle("PutJobSuccessResult", s.PutJobSuccessResult),
			awsproto.Handle("PutJobFailureResult", s.PutJobFailureResult),
		},
	}
}
