// Package ec2api describes EC2 on the wire for the router in internal/awsproto.
package ec2api

import (
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/internal/awsproto"
)

// Service describes Amazon EC2 on the wire (ec2Query, Version 2016-11-15).
func Service(s *ec2sim.Service) awsproto.Service {
	return awsproto.Service{
		Name:         "ec2",
		Protocols:    []awsproto.Protocol{awsproto.EC2Query},
		Version:      "2016-11-15",
		XMLNamespace: "http://ec2.amazonaws.com/doc/2016-11-15/",
		Ops: []awsproto.Op{
			awsproto.Handle("RunInstances", s.RunInstances),
			awsproto.Handle("DescribeInstances", s.DescribeInstances),
			awsproto.Handle("StartInstances", s.StartInstances),
			awsproto.Handle("StopInstances", s.StopInstances),
			awsproto.Handle("RebootInstances", s.RebootInstances),
			awsproto.Handle("TerminateInstances", s.TerminateInstances),
			awsproto.Handle("DescribeInstanceStatus", s.DescribeInstanceStatus),
			awsproto.Handle("GetConsoleOutput", s.GetConsoleOutput),
			awsproto.Handle("DescribeInstanceAttribute", s.DescribeInstanceAttribute),
			awsproto.Handle("ModifyInstanceAttribute", s.ModifyInstanceAttribute),
			awsproto.Handle("CreateTags", s.CreateTags),
			awsproto.Handle("DeleteTags", s.DeleteTags),
			awsproto.Handle("DescribeTags", s.DescribeTags),
			awsproto.Handle("CreateImage", s.CreateImage),
			awsproto.Handle("RegisterImage", s.RegisterImage),
			awsproto.Handle("CopyImage", s.CopyImage),
			awsproto.Handle("DescribeImages", s.DescribeImages),
			awsproto.Handle("DeregisterImage", s.DeregisterImage),
			awsproto.Handle("DescribeImageAttribute", s.DescribeImageAttribute),
			awsproto.Handle("ModifyImageAttribute", s.ModifyImageAttribute),
			awsproto.Handle("CreateLaunchTemplate", s.CreateLaunchTemplate),
			awsproto.Handle("CreateLaunchTemplateVersion", s.CreateLaunchTemplateVersion),
			awsproto.Handle("DescribeLaunchTemplates", s.DescribeLaunchTemplates),
			awsproto.Handle("DescribeLaunchTemplateVersions", s.DescribeLaunchTemplateVersions),
			awsproto.Handle("ModifyLaunchTemplate", s.ModifyLaunchTemplate),
			awsproto.Handle("DeleteLaunchTemplate", s.DeleteLaunchTemplate),
			awsproto.Handle("DeleteLaunchTemplateVersions", s.DeleteLaunchTemplateVersions),
			awsproto.Handle("DescribeVpcs", s.DescribeVpcs),
			awsproto.Handle("DescribeSubnets", s.DescribeSubnets),
			awsproto.Handle("DescribeSecurityGroups", s.DescribeSecurityGroups),
			awsproto.Handle("CreateSecurityGroup", s.CreateSecurityGroup),
			awsproto.Handle("DeleteSecurityGroup", s.DeleteSecurityGroup),
			awsproto.Handle("AuthorizeSecurityGroupIngress", s.AuthorizeSecurityGroupIngress),
			awsproto.Handle("DescribeAvailabilityZones", s.DescribeAvailabilityZones),
			awsproto.Handle("DescribeRegions", s.DescribeRegions),
			awsproto.Handle("CreateKeyPair", s.CreateKeyPair),
			awsproto.Handle("ImportKeyPair", s.ImportKeyPair),
			awsproto.Handle("DescribeKeyPairs", s.DescribeKeyPairs),
			awsproto.Handle("DeleteKeyPair", s.DeleteKeyPair),
			awsproto.Handle("CreateVpc", s.CreateVpc),
			awsproto.Handle("DeleteVpc", s.DeleteVpc),
			awsproto.Handle("CreateSubnet", s.CreateSubnet),
			awsproto.Handle("DeleteSubnet", s.DeleteSubnet),
			awsproto.Handle("DescribeInstanceTypes", s.DescribeInstanceTypes),
		},
	}
}
