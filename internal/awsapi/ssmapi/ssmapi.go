// Package ssmapi describes SSM on the wire for the router in internal/awsproto.
package ssmapi

import (
	"github.com/devopsim/devopsim/internal/awsproto"
	"github.com/devopsim/devopsim/ssm"
)

// Service describes Systems Manager (Run Command, Parameter Store) on the wire.
func Service(s *ssm.Service) awsproto.Service {
	return awsproto.Service{
		Name:         "ssm",
		Protocols:    []awsproto.Protocol{awsproto.JSON11},
		TargetPrefix: "AmazonSSM",
		Ops: []awsproto.Op{
			awsproto.Handle("SendCommand", s.SendCommand),
			awsproto.Handle("GetCommandInvocation", s.GetCommandInvocation),
			awsproto.Handle("ListCommands", s.ListCommands),
			awsproto.Handle("ListCommandInvocations", s.ListCommandInvocations),
			awsproto.Handle("CancelCommand", s.CancelCommand),
			awsproto.Handle("DescribeInstanceInformation", s.DescribeInstanceInformation),
			awsproto.Handle("PutParameter", s.PutParameter),
			awsproto.Handle("GetParameter", s.GetParameter),
			awsproto.Handle("GetParameters", s.GetParameters),
			awsproto.Handle("GetParametersByPath", s.GetParametersByPath),
			awsproto.Handle("DeleteParameter", s.DeleteParameter),
			awsproto.Handle("DeleteParameters", s.DeleteParameters),
			awsproto.Handle("DescribeParameters", s.DescribeParameters),
			awsproto.Handle("GetParameterHistory", s.GetParameterHistory),
			awsproto.Handle("LabelParameterVersion", s.LabelParameterVersion),
			awsproto.Handle("UnlabelParameterVersion", s.UnlabelParameterVersion),
			awsproto.Handle("AddTagsToResource", s.AddTagsToResource),
			awsproto.Handle("RemoveTagsFromResource", s.RemoveTagsFromResource),
			awsproto.Handle("ListTagsForResource", s.ListTagsForResource),
		},
	}
}
