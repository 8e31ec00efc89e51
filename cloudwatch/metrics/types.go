package metrics

import (
	"time"

	"github.com/devopsim/devopsim/apierr"
)

// Errors the service returns, with the codes AWS's query protocol (and the SDK's ErrorCode)
// reports. Match them with errors.Is.
var (
	ErrInvalidParameterValue       = apierr.New(apierr.Invalid, "InvalidParameterValue", "invalid parameter value")
	ErrInvalidParameterCombination = apierr.New(apierr.Invalid, "InvalidParameterCombination", "invalid parameter combination")
	ErrMissingParameter            = apierr.New(apierr.Invalid, "MissingParameter", "missing parameter")
	ErrResourceNotFound            = apierr.New(apierr.NotFound, "ResourceNotFound", "resource not found")
	ErrLimitExceeded               = apierr.New(apierr.LimitExceeded, "LimitExceeded", "limit exceeded")
	ErrInvalidNextToken            = apierr.New(apierr.Invalid, "InvalidNextToken", "invalid next token")
	ErrInvalidFormat               = apierr.New(apierr.Invalid, "InvalidFormat", "invalid format")
	ErrValidation                  = apierr.New(apierr.Invalid, "ValidationError", "validation error")
	ErrRequestTooLarge             = &apierr.Error{Kind: apierr.LimitExceeded, Code: "RequestEntityTooLarge", Message: "Request size exceeded 1048576 bytes", Status: 413}
)

func invalid(format string, args ...any) error { return ErrInvalidParameterValue.With(format, args...) }
func missing(name string) error {
	return ErrMissingParameter.With("The parameter %s is required.", name)
}
func combination(format string, args ...any) error {
	return ErrInvalidParameterCombination.With(format, args...)
}

// Dimension is a name/value pair of a metric.
type Dimension struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// DimensionFilter selects metrics by a dimension name and, optionally, value.
type DimensionFilter struct {
	Name  string  `json:"Name"`
	Value *string `json:"Value,omitempty"`
}

// StatisticSet is a pre-aggregated set of samples.
type StatisticSet struct {
	SampleCount *float64 `json:"SampleCount,omitempty"`
	Sum         *float64 `json:"Sum,omitempty"`
	Minimum     *float64 `json:"Minimum,omitempty"`
	Maximum     *float64 `json:"Maximum,omitempty"`
}

// MetricDatum is one metric's data in PutMetricData.
type MetricDatum struct {
	MetricName        string        `json:"MetricName"`
	Dimensions        []Dimension   `json:"Dimensions,omitempty"`
	Timestamp         time.Time     `json:"Timestamp,omitzero"`
	Value             *float64      `json:"Value,omitempty"`
	StatisticValues   *StatisticSet `json:"StatisticValues,omitempty"`
	Values            []float64     `json:"Values,omitempty"`
	Counts            []float64     `json:"Counts,omitempty"`
	Unit              string        `json:"Unit,omitempty"`
	StorageResolution *int32        `json:"StorageResolution,omitempty"`
}

// Entity is the entity metrics relate to (recorded, not interpreted).
type Entity struct {
	KeyAttributes map[string]string `json:"KeyAttributes,omitempty"`
	Attributes    map[string]string `json:"Attributes,omitempty"`
}

// EntityMetricData is metric data with an entity.
type EntityMetricData struct {
	Entity     *Entity       `json:"Entity,omitempty"`
	MetricData []MetricDatum `json:"MetricData,omitempty"`
}

// PutMetricDataInput is the input of PutMetricData.
type PutMetricDataInput struct {
	Namespace              string             `json:"Namespace"`
	MetricData             []MetricDatum      `json:"MetricData,omitempty"`
	EntityMetricData       []EntityMetricData `json:"EntityMetricData,omitempty"`
	StrictEntityValidation *bool              `json:"StrictEntityValidation,omitempty"`
}

// PutMetricDataOutput is the (empty) output of PutMetricData.
type PutMetricDataOutput struct{}

// GetMetricStatisticsInput is the input of GetMetricStatistics.
type GetMetricStatisticsInput struct {
	Namespace          string      `json:"Namespace"`
	MetricName         string      `json:"MetricName"`
	Dimensions         []Dimension `json:"Dimensions,omitempty"`
	StartTime          time.Time   `json:"StartTime,omitzero"`
	EndTime            time.Time   `json:"EndTime,omitzero"`
	Period             int32       `json:"Period,omitzero"`
	Statistics         []string    `json:"Statistics,omitempty"`
	ExtendedStatistics []string    `json:"ExtendedStatistics,omitempty"`
	Unit               string      `json:"Unit,omitempty"`
}

// Datapoint is one period of GetMetricStatistics.
type Datapoint struct {
	Timestamp          time.Time          `json:"Timestamp,omitzero"`
	SampleCount        *float64           `json:"SampleCount,omitempty"`
	Average            *float64           `json:"Average,omitempty"`
	Sum                *float64           `json:"Sum,omitempty"`
	Minimum            *float64           `json:"Minimum,omitempty"`
	Maximum            *float64           `json:"Maximum,omitempty"`
	Unit               string             `json:"Unit,omitempty"`
	ExtendedStatistics map[string]float64 `json:"ExtendedStatistics,omitempty"`
}

// GetMetricStatisticsOutput is the output of GetMetricStatistics.
type GetMetricStatisticsOutput struct {
	Label      string      `json:"Label,omitempty"`
	Datapoints []Datapoint `json:"Datapoints"`
}

// Metric names a metric.
type Metric struct {
	Namespace  string      `json:"Namespace,omitempty"`
	MetricName string      `json:"MetricName,omitempty"`
	Dimensions []Dimension `json:"Dimensions,omitempty"`
}

// ListMetricsInput is the input of ListMetrics.
type ListMetricsInput struct {
	Namespace             string            `json:"Namespace,omitempty"`
	MetricName            string            `json:"MetricName,omitempty"`
	Dimensions            []DimensionFilter `json:"Dimensions,omitempty"`
	NextToken             string            `json:"NextToken,omitempty"`
	RecentlyActive        string            `json:"RecentlyActive,omitempty"`
	IncludeLinkedAccounts *bool             `json:"IncludeLinkedAccounts,omitempty"`
	OwningAccount         string            `json:"OwningAccount,omitempty"`
}

// ListMetricsOutput is the output of ListMetrics.
type ListMetricsOutput struct {
	Metrics        []Metric `json:"Metrics"`
	NextToken      string   `json:"NextToken,omitempty"`
	OwningAccounts []string `json:"OwningAccounts,omitempty"`
}

// MetricStat is a metric with the statistic, period and unit to read it with.
type MetricStat struct {
	Metric *Metric `json:"Metric,omitempty"`
	Period int32   `json:"Period,omitzero"`
	Stat   string  `json:"Stat,omitempty"`
	Unit   string  `json:"Unit,omitempty"`
}

// MetricDataQuery is one query of GetMetricData or of a metric math alarm.
type MetricDataQuery struct {
	Id         string      `json:"Id"`
	MetricStat *MetricStat `json:"MetricStat,omitempty"`
	Expression string      `json:"Expression,omitempty"`
	Label      string      `json:"Label,omitempty"`
	ReturnData *bool       `json:"ReturnData,omitempty"`
	Period     int32       `json:"Period,omitzero"`
	AccountId  string      `json:"AccountId,omitempty"`
}

// LabelOptions sets the time zone of dynamic labels.
type LabelOptions struct {
	Timezone string `json:"Timezone,omitempty"`
}

// GetMetricDataInput is the input of GetMetricData.
type GetMetricDataInput struct {
	MetricDataQueries []MetricDataQuery `json:"MetricDataQueries"`
	StartTime         time.Time         `json:"StartTime,omitzero"`
	EndTime           time.Time         `json:"EndTime,omitzero"`
	NextToken         string            `json:"NextToken,omitempty"`
	ScanBy            string            `json:"ScanBy,omitempty"`
	MaxDatapoints     *int32            `json:"MaxDatapoints,omitempty"`
	LabelOptions      *LabelOptions     `json:"LabelOptions,omitempty"`
}

// MessageData is an informational message about a result.
type MessageData struct {
	Code  string `json:"Code,omitempty"`
	Value string `json:"Value,omitempty"`
}

// MetricDataResult is one time series of GetMetricData.
type MetricDataResult struct {
	Id         string        `json:"Id,omitempty"`
	Label      string        `json:"Label,omitempty"`
	Timestamps []time.Time   `json:"Timestamps"`
	Values     []float64     `json:"Values"`
	StatusCode string        `json:"StatusCode,omitempty"`
	Messages   []MessageData `json:"Messages,omitempty"`
}

// GetMetricDataOutput is the output of GetMetricData.
type GetMetricDataOutput struct {
	MetricDataResults []MetricDataResult `json:"MetricDataResults"`
	NextToken         string             `json:"NextToken,omitempty"`
	Messages          []MessageData      `json:"Messages,omitempty"`
}

var validUnits = map[string]bool{
	"Seconds": true, "Microseconds": true, "Milliseconds": true, "Bytes": true, "Kilobytes": true,
	"Megabytes": true, "Gigabytes": true, "Terabytes": true, "Bits": true, "Kilobits": true,
	"Megabits": true, "Gigabits": true, "Terabits": true, "Percent": true, "Count": true,
	"Bytes/Second": true, "Kilobytes/Second": true, "Megabytes/Second": true,
	"Gigabytes/Second": true, "Terabytes/Second": true, "Bits/Second": true,
	"Kilobits/Second": true, "Megabits/Second": true, "Gigabits/Second": true,
	"Terabits/Second": true, "Count/Second": true, "None": true,
}

// ValidUnit reports whether u is one of CloudWatch's standard units.
func ValidUnit(u string) bool { return validUnits[u] }

var simpleStats = map[string]bool{"SampleCount": true, "Average": true, "Sum": true, "Minimum": true, "Maximum": true}
