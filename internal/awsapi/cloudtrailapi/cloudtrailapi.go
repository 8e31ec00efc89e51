// Package cloudtrailapi describes CloudTrail on the wire for the router in internal/awsproto.
package cloudtrailapi

import (
	"github.com/devopsim/devopsim/cloudtrail"
	"github.com/devopsim/devopsim/internal/awsproto"
)

// Service describes cloudtrail on the wire (awsJson1_1, CloudTrail_20131101).
func Service(s *cloudtrail.Service) awsproto.Service {
	return awsproto.Service{
		Name:              "cloudtrail",
		Protocols:         []awsproto.Protocol{awsproto.JSON11},
		TargetPrefix:      "CloudTrail_20131101",
		AltTargetPrefixes: []string{"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"},
		Ops: []awsproto.Op{
			awsproto.Handle("LookupEvents", s.LookupEvents),
			awsproto.Handle("CreateTrail", s.CreateTrail),
			awsproto.Handle("UpdateTrail", s.UpdateTrail),
			awsproto.Handle("DeleteTrail", s.DeleteTrail),
			awsproto.Handle("DescribeTrails", s.DescribeTrails),
			awsproto.Handle("GetTrail", s.GetTrail),
			awsproto.Handle("ListTrails", s.ListTrails),
			awsproto.Handle("GetTrailStatus", s.GetTrailStatus),
			awsproto.Handle("StartLogging", s.StartLogging),
			awsproto.Handle("StopLogging", s.StopLogging),
			awsproto.Handle("PutEventSelectors", s.PutEventSelectors),
			awsproto.Handle("GetEventSelectors", s.GetEventSelectors),
			awsproto.Handle("PutInsightSelectors", s.PutInsightSelectors),
			awsproto.Handle("GetInsightSelectors", s.GetInsightSelectors),
			awsproto.Handle("AddTags", s.AddTags),
			awsproto.Handle("RemoveTags", s.RemoveTags),
			awsproto.Handle("ListTags", s.ListTags),
			awsproto.Handle("ListPublicKeys", s.ListPublicKeys),
		},
	}
}
