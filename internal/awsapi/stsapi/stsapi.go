// Package awsapi holds each service's wire description: protocol, selectors and operation table.
// Package stsapi describes STS on the wire for the router in internal/awsproto.
package stsapi

import (
	"github.com/devopsim/devopsim/internal/awsproto"
	"github.com/devopsim/devopsim/sts"
)

// Service describes sts on the wire.
func Service(s *sts.Service) awsproto.Service {
	return awsproto.Service{
		Name:         "sts",
		Protocols:    []awsproto.Protocol{awsproto.Query},
		Version:      "2011-06-15",
		XMLNamespace: "https://sts.amazonaws.com/doc/2011-06-15/",
		Ops: []awsproto.Op{
			awsproto.Handle("GetCallerIdentity", s.GetCallerIdentity),
		},
	}
}
