// Package iamapi describes IAM on the wire for the router in internal/awsproto.
package iamapi

import (
	"github.com/devopsim/devopsim/iam"
	"github.com/devopsim/devopsim/internal/awsproto"
)

// Service describes iam on the wire (awsQuery, Version 2010-05-08).
func Service(s *iam.Service) awsproto.Service {
	return awsproto.Service{
		Name:         "iam",
		Protocols:    []awsproto.Protocol{awsproto.Query},
		Version:      "2010-05-08",
		XMLNamespace: "https://iam.amazonaws.com/doc/2010-05-08/",
		Ops: []awsproto.Op{
			awsproto.Handle("CreateUser", s.CreateUser),
			awsproto.Handle("GetUser", s.GetUser),
			awsproto.Handle("ListUsers", s.ListUsers),
			awsproto.Handle("DeleteUser", s.DeleteUser),
			awsproto.Handle("CreateAccessKey", s.CreateAccessKey),
			awsproto.Handle("ListAccessKeys", s.ListAccessKeys),
			awsproto.Handle("UpdateAccessKey", s.UpdateAccessKey),
			awsproto.Handle("DeleteAccessKey", s.DeleteAccessKey),
			awsproto.Handle("CreateServiceSpecificCredential", s.CreateServiceSpecificCredential),
			awsproto.Handle("ListServiceSpecificCredentials", s.ListServiceSpecificCredentials),
			awsproto.Handle("ResetServiceSpecificCredential", s.ResetServiceSpecificCredential),
			awsproto.Handle("UpdateServiceSpecificCredential", s.UpdateServiceSpecificCredential),
			awsproto.Handle("DeleteServiceSpecificCredential", s.DeleteServiceSpecificCredential),
			awsproto.Handle("CreateRole", s.CreateRole),
			awsproto.Handle("GetRole", s.GetRole),
			awsproto.Handle("ListRoles", s.ListRoles),
			awsproto.Handle("DeleteRole", s.DeleteRole),
			awsproto.Handle("UpdateAssumeRolePolicy", s.UpdateAssumeRolePolicy),
			awsproto.Handle("PutRolePolicy", s.PutRolePolicy),
			awsproto.Handle("GetRolePolicy", s.GetRolePolicy),
			awsproto.Handle("DeleteRolePolicy", s.DeleteRolePolicy),
			awsproto.Handle("ListRolePolicies", s.ListRolePolicies),
			awsproto.Handle("AttachRolePolicy", s.AttachRolePolicy),
			awsproto.Handle("DetachRolePolicy", s.DetachRolePolicy),
			awsproto.Handle("ListAttachedRolePolicies", s.ListAttachedRolePolicies),
			awsproto.Handle("CreatePolicy", s.CreatePolicy),
			awsproto.Handle("GetPolicy", s.GetPolicy),
			awsproto.Handle("GetPolicyVersion", s.GetPolicyVersion),
			awsproto.Handle("DeletePolicy", s.DeletePolicy),
			awsproto.Handle("CreateInstanceProfile", s.CreateInstanceProfile),
			awsproto.Handle("GetInstanceProfile", s.GetInstanceProfile),
			awsproto.Handle("DeleteInstanceProfile", s.DeleteInstanceProfile),
			awsproto.Handle("AddRoleToInstanceProfile", s.AddRoleToInstanceProfile),
			awsproto.Handle("RemoveRoleFromInstanceProfile", s.RemoveRoleFromInstanceProfile),
			awsproto.Handle("ListInstanceProfiles", s.ListInstanceProfiles),
		},
	}
}
