// Package eventsapi describes Events on the wire for the router in internal/awsproto.
package eventsapi

import (
	"github.com/devopsim/devopsim/cloudwatch/events"
	"github.com/devopsim/devopsim/internal/awsproto"
)

// Service describes EventBridge on the wire (awsJson1_1, AWSEvents.Op). The eventbridge and
// the older cloudwatchevents SDK clients both speak it; the signing name is "events".
func Service(s *events.Service) awsproto.Service {
	return awsproto.Service{
		Name:         "events",
		Protocols:    []awsproto.Protocol{awsproto.JSON11},
		TargetPrefix: "AWSEvents",
		Ops: []awsproto.Op{
			awsproto.Handle("CreateEventBus", s.CreateEventBus),
			awsproto.Handle("DescribeEventBus", s.DescribeEventBus),
			awsproto.Handle("UpdateEventBus", s.UpdateEventBus),
			awsproto.Handle("DeleteEventBus", s.DeleteEventBus),
			awsproto.Handle("ListEventBuses", s.ListEventBuses),
			awsproto.Handle("PutEvents", s.PutEvents),
			awsproto.Handle("PutRule", s.PutRule),
			awsproto.Handle("DescribeRule", s.DescribeRule),
			awsproto.Handle("ListRules", s.ListRules),
			awsproto.Handle("DeleteRule", s.DeleteRule),
			awsproto.Handle("EnableRule", s.EnableRule),
			awsproto.Handle("DisableRule", s.DisableRule),
			awsproto.Handle("PutTargets", s.PutTargets),
			awsproto.Handle("RemoveTargets", s.RemoveTargets),
			awsproto.Handle("ListTargetsByRule", s.ListTargetsByRule),
			awsproto.Handle("ListRuleNamesByTarget", s.ListRuleNamesByTarget),
			awsproto.Handle("TestEventPattern", s.TestEventPattern),
			awsproto.Handle("TagResource", s.TagResource),
			awsproto.Handle("UntagResource", s.UntagResource),
			awsproto.Handle("ListTagsForResource", s.ListTagsForResource),
		},
	}
}
