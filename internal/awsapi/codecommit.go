package awsapi

import (
	"github.com/devopsim/devopsim/codecommit"
	"github.com/devopsim/devopsim/internal/awsproto"
)

// CodeCommit describes codecommit on the wire (awsJson1_1, CodeCommit_20150413.Op).
func CodeCommit(s *codecommit.Service) awsproto.Service {
	return awsproto.Service{
		Name:         "codecommit",
		Protocols:    []awsproto.Protocol{awsproto.JSON11},
		TargetPrefix: "CodeCommit_20150413",
		Ops: []awsproto.Op{
			awsproto.Handle("CreateRepository", s.CreateRepository),
			awsproto.Handle("GetRepository", s.GetRepository),
			awsproto.Handle("BatchGetRepositories", s.BatchGetRepositories),
			awsproto.Handle("ListRepositories", s.ListRepositories),
			awsproto.Handle("DeleteRepository", s.DeleteRepository),
			awsproto.Handle("UpdateRepositoryName", s.UpdateRepositoryName),
			awsproto.Handle("UpdateRepositoryDescription", s.UpdateRepositoryDescription),
			awsproto.Handle("UpdateRepositoryEncryptionKey", s.UpdateRepositoryEncryptionKey),
			awsproto.Handle("TagResource", s.TagResource),
			awsproto.Handle("UntagResource", s.UntagResource),
			awsproto.Handle("ListTagsForResource", s.ListTagsForResource),
			awsproto.Handle("CreateBranch", s.CreateBranch),
			awsproto.Handle("GetBranch", s.GetBranch),
			awsproto.Handle("ListBranches", s.ListBranches),
			awsproto.Handle("DeleteBranch", s.DeleteBranch),
			awsproto.Handle("UpdateDefaultBranch", s.UpdateDefaultBranch),
			awsproto.Handle("GetCommit", s.GetCommit),
			awsproto.Handle("BatchGetCommits", s.BatchGetCommits),
			awsproto.Handle("CreateCommit", s.CreateCommit),
			awsproto.Handle("PutFile", s.PutFile),
			awsproto.Handle("DeleteFile", s.DeleteFile),
			awsproto.Handle("GetFile", s.GetFile),
			awsproto.Handle("GetFolder", s.GetFolder),
			awsproto.Handle("GetBlob", s.GetBlob),
			awsproto.Handle("GetDifferences", s.GetDifferences),
			awsproto.Handle("PutRepositoryTriggers", s.PutRepositoryTriggers),
			awsproto.Handle("GetRepositoryTriggers", s.GetRepositoryTriggers),
			awsproto.Handle("TestRepositoryTriggers", s.TestRepositoryTriggers),
			awsproto.Handle("MergeBranchesByFastForward", s.MergeBranchesByFastForward),
			awsproto.Handle("MergeBranchesBySquash", s.MergeBranchesBySquash),
			awsproto.Handle("MergeBranchesByThreeWay", s.MergeBranchesByThreeWay),
			awsproto.Handle("CreateUnreferencedMergeCommit", s.CreateUnreferencedMergeCommit),
			awsproto.Handle("GetMergeOptions", s.GetMergeOptions),
			awsproto.Handle("GetMergeCommit", s.GetMergeCommit),
			awsproto.Handle("GetMergeConflicts", s.GetMergeConflicts),
			awsproto.Handle("DescribeMergeConflicts", s.DescribeMergeConflicts),
			awsproto.Handle("BatchDescribeMergeConflicts", s.BatchDescribeMergeConflicts),
		},
	}
}

// CodeCommitGit is the git smart HTTP mount of codecommit.
func CodeCommitGit(s *codecommit.Service) awsproto.Mount {
	return awsproto.Mount{Prefix: "/v1/repos/", Handler: s.GitHandler()}
}
