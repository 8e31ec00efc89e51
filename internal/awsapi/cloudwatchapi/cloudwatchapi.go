// Package cloudwatchapi describes CloudWatch on the wire for the router in internal/awsproto.
package cloudwatchapi

import (
	"github.com/devopsim/devopsim/cloudwatch/metrics"
	"github.com/devopsim/devopsim/internal/awsproto"
)

// CloudWatch is the wire description of CloudWatch metrics and alarms ("monitoring"): rpcv2Cbor
// as the current Go SDK speaks it (query-compatible errors), awsQuery as the AWS CLI and boto3
// speak it, and awsJson1_0.
func Service(s *metrics.Service) awsproto.Service {
	return awsproto.Service{
		Name:            "monitoring",
		Protocols:       []awsproto.Protocol{awsproto.RPCv2CBOR, awsproto.Query, awsproto.JSON10},
		TargetPrefix:    "GraniteServiceVersion20100801",
		Version:         "2010-08-01",
		XMLNamespace:    "http://monitoring.amazonaws.com/doc/2010-08-01/",
		CBORName:        "GraniteServiceVersion20100801",
		QueryCompatible: true,
		QueryErrors: map[string]string{
			"InvalidParameterValueException":       "InvalidParameterValue",
			"InvalidParameterCombinationException": "InvalidParameterCombination",
			"MissingRequiredParameterException":    "MissingParameter",
			"ResourceNotFound":                     "ResourceNotFound",
			"InvalidNextToken":                     "InvalidNextToken",
			"InvalidFormatFault":                   "InvalidFormat",
			"LimitExceededFault":                   "LimitExceeded",
			"InternalServiceFault":                 "InternalServiceError",
			"ValidationException":                  "ValidationError",
		},
		Ops: []awsproto.Op{
			awsproto.Handle("PutMetricData", s.PutMetricData),
			awsproto.Handle("GetMetricStatistics", s.GetMetricStatistics),
			awsproto.Handle("GetMetricData", s.GetMetricData),
			awsproto.Handle("ListMetrics", s.ListMetrics),
			awsproto.Handle("PutMetricAlarm", s.PutMetricAlarm),
			awsproto.Handle("PutCompositeAlarm", s.PutCompositeAlarm),
			awsproto.Handle("DescribeAlarms", s.DescribeAlarms),
			awsproto.Handle("DescribeAlarmsForMetric", s.DescribeAlarmsForMetric),
			awsproto.Handle("DeleteAlarms", s.DeleteAlarms),
			awsproto.Handle("SetAlarmState", s.SetAlarmState),
			awsproto.Handle("EnableAlarmActions", s.EnableAlarmActions),
			awsproto.Handle("DisableAlarmActions", s.DisableAlarmActions),
			awsproto.Handle("DescribeAlarmHistory", s.DescribeAlarmHistory),
		},
	}
}
