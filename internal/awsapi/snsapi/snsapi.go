// Package snsapi describes SNS on the wire for the router in internal/awsproto.
package snsapi

import (
	"github.com/devopsim/devopsim/internal/awsproto"
	"github.com/devopsim/devopsim/sns"
)

// Service describes Amazon SNS on the wire (awsQuery, Version 2010-03-31).
func Service(s *sns.Service) awsproto.Service {
	return awsproto.Service{
		Name:         "sns",
		Protocols:    []awsproto.Protocol{awsproto.Query},
		Version:      "2010-03-31",
		XMLNamespace: "http://sns.amazonaws.com/doc/2010-03-31/",
		Ops: []awsproto.Op{
			awsproto.Handle("CreateTopic", s.CreateTopic),
			awsproto.Handle("DeleteTopic", s.DeleteTopic),
			awsproto.Handle("ListTopics", s.ListTopics),
			awsproto.Handle("Subscribe", s.Subscribe),
			awsproto.Handle("ConfirmSubscription", s.ConfirmSubscription),
			awsproto.Handle("Unsubscribe", s.Unsubscribe),
			awsproto.Handle("ListSubscriptions", s.ListSubscriptions),
			awsproto.Handle("ListSubscriptionsByTopic", s.ListSubscriptionsByTopic),
			awsproto.Handle("Publish", s.Publish),
			awsproto.Handle("GetTopicAttributes", s.GetTopicAttributes),
			awsproto.Handle("SetTopicAttributes", s.SetTopicAttributes),
			awsproto.Handle("GetSubscriptionAttributes", s.GetSubscriptionAttributes),
			awsproto.Handle("SetSubscriptionAttributes", s.SetSubscriptionAttributes),
			awsproto.Handle("TagResource", s.TagResource),
			awsproto.Handle("UntagResource", s.UntagResource),
			awsproto.Handle("ListTagsForResource", s.ListTagsForResource),
		},
	}
}
