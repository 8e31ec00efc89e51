package awsapi

import (
	"github.com/devopsim/devopsim/iam"
	"github.com/devopsim/devopsim/internal/awsproto"
)

// IAM describes iam on the wire (awsQuery, Version 2010-05-08).
func IAM(s *iam.Service) awsproto.Service {
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
			awsproto.Handle("CreateServiceSpecificCredential", s.CreateServiceSpecificCredential),
			awsproto.Handle("ListServiceSpecificCredentials", s.ListServiceSpecificCredentials),
			awsproto.Handle("ResetServiceSpecificCredential", s.ResetServiceSpecificCredential),
			awsproto.Handle("UpdateServiceSpecificCredential", s.UpdateServiceSpecificCredential),
			awsproto.Handle("DeleteServiceSpecificCredential", s.DeleteServiceSpecificCredential),
		},
	}
}
