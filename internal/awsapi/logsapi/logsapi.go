// Package logsapi describes Logs on the wire for the router in internal/awsproto.
package logsapi

import (
	"github.com/devopsim/devopsim/cloudwatch/logs"
	"github.com/devopsim/devopsim/internal/awsproto"
)

// Service describes CloudWatch Logs on the wire (awsJson1_1, X-Amz-Target Logs_20140328.Op).
func Service(s *logs.Service) awsproto.Service {
	return awsproto.Service{
		Name:         "logs",
		Protocols:    []awsproto.Protocol{awsproto.JSON11},
		TargetPrefix: "Logs_20140328",
		Ops: []awsproto.Op{
			awsproto.Handle("CreateLogGroup", s.CreateLogGroup),
			awsproto.Handle("DeleteLogGroup", s.DeleteLogGroup),
			awsproto.Handle("DescribeLogGroups", s.DescribeLogGroups),
			awsproto.Handle("PutRetentionPolicy", s.PutRetentionPolicy),
			awsproto.Handle("DeleteRetentionPolicy", s.DeleteRetentionPolicy),
			awsproto.Handle("TagResource", s.TagResource),
			awsproto.Handle("UntagResource", s.UntagResource),
			awsproto.Handle("ListTagsForResource", s.ListTagsForResource),
			awsproto.Handle("TagLogGroup", s.TagLogGroup),
			awsproto.Handle("UntagLogGroup", s.UntagLogGroup),
			awsproto.Handle("ListTagsLogGroup", s.ListTagsLogGroup),
			awsproto.Handle("CreateLogStream", s.CreateLogStream),
			awsproto.Handle("DeleteLogStream", s.DeleteLogStream),
			awsproto.Handle("DescribeLogStreams", s.DescribeLogStreams),
			awsproto.Handle("PutLogEvents", s.PutLogEvents),
			awsproto.Handle("GetLogEvents", s.GetLogEvents),
			awsproto.Handle("FilterLogEvents", s.FilterLogEvents),
			awsproto.Handle("PutMetricFilter", s.PutMetricFilter),
			awsproto.Handle("DescribeMetricFilters", s.DescribeMetricFilters),
			awsproto.Handle("DeleteMetricFilter", s.DeleteMetricFilter),
			awsproto.Handle("TestMetricFilter", s.TestMetricFilter),
			awsproto.Handle("PutSubscriptionFilter", s.PutSubscriptionFilter),
			awsproto.Handle("DescribeSubscriptionFilters", s.DescribeSubscriptionFilters),
			awsproto.Handle("DeleteSubscriptionFilter", s.DeleteSubscriptionFilter),
			awsproto.Handle("StartQuery", s.StartQuery),
			awsproto.Handle("GetQueryResults", s.GetQueryResults),
			awsproto.Handle("StopQuery", s.StopQuery),
			awsproto.Handle("DescribeQueries", s.DescribeQueries),
			awsproto.Handle("PutQueryDefinition", s.PutQueryDefinition),
			awsproto.Handle("DescribeQueryDefinitions", s.DescribeQueryDefinitions),
			awsproto.Handle("DeleteQueryDefinition", s.DeleteQueryDefinition),
			awsproto.Handle("GetLogRecord", s.GetLogRecord),
		},
	}
}
