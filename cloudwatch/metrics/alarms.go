package metrics

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/devopsim/devopsim/cloudwatch/metrics/alarmrule"
	"github.com/devopsim/devopsim/cloudwatch/metrics/tsdb"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// Alarm states.
const (
	StateOK               = "OK"
	StateAlarm            = "ALARM"
	StateInsufficientData = "INSUFFICIENT_DATA"
)

// AlarmState is what an action runner learns about the alarm whose action it runs.
type AlarmState struct {
	AlarmName     string
	AlarmARN      string
	Account       string
	Region        string
	State         string // new state
	PreviousState string
	Reason        string
	ReasonData    string
	Time          time.Time // the evaluation's time
	Description   string
	// The alarm's metric (a single-metric alarm, or the one metric a metric math alarm
	// returns; empty for composite alarms and expressions). EC2 actions act on the instance
	// named by its InstanceId dimension.
	Namespace  string
	MetricName string
	Dimensions []Dimension
}

// Dimension returns the value of the alarm metric's dimension name, or "".
func (a AlarmState) Dimension(name string) string {
	for _, d := range a.Dimensions {
		if d.Name == name {
			return d.Value
		}
	}
	return ""
}

// InstanceID is the EC2 instance an EC2 action acts on: the InstanceId dimension.
func (a AlarmState) InstanceID() string { return a.Dimension("InstanceId") }

// ActionRunner runs an alarm action ARN: an SNS topic, an Auto Scaling policy, or an EC2
// action (arn:aws:automate:REGION:ec2:stop|terminate|reboot|recover, see ParseEC2Action and
// AlarmState.InstanceID). The root wires it to the real services. It is called without locks
// held, once per state transition and action.
type ActionRunner interface {
	RunAlarmAction(ctx context.Context, actionARN string, alarm AlarmState) error
}

// ActionRunnerFunc adapts a function to ActionRunner.
type ActionRunnerFunc func(ctx context.Context, actionARN string, alarm AlarmState) error

// RunAlarmAction calls f.
func (f ActionRunnerFunc) RunAlarmAction(ctx context.Context, arn string, a AlarmState) error {
	return f(ctx, arn, a)
}

// EC2 alarm actions (ParseEC2Action).
const (
	EC2Stop      = "stop"
	EC2Terminate = "terminate"
	EC2Reboot    = "reboot"
	EC2Recover   = "recover"
)

// ParseEC2Action recognises an EC2 alarm action: arn:aws:automate:REGION:ec2:ACTION with
// ACTION stop, terminate, reboot or recover, or the older
// arn:aws:swf:REGION:ACCOUNT:action/actions/AWS_EC2.InstanceId.{Stop|Terminate|Reboot}/1.0.
// isEC2 reports that arn is in one of those namespaces; ok that it is a valid action.
func ParseEC2Action(arn string) (action, region string, isEC2, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") {
		return "", "", false, false
	}
	region = parts[3]
	switch parts[2] {
	case "automate":
		if parts[4] != "ec2" {
			return "", region, true, false
		}
		switch a := parts[5]; a {
		case EC2Stop, EC2Terminate, EC2Reboot, EC2Recover:
			return a, region, true, region != ""
		}
		return "", region, true, false
	case "swf":
		rest, found := strings.CutPrefix(parts[5], "action/actions/AWS_EC2.InstanceId.")
		if !found {
			return "", region, false, false
		}
		switch rest {
		case "Stop/1.0":
			return EC2Stop, region, true, region != ""
		case "Terminate/1.0":
			return EC2Terminate, region, true, region != ""
		case "Reboot/1.0":
			return EC2Reboot, region, true, region != ""
		}
		return "", region, true, false
	}
	return "", region, false, false
}

// alarmMetric is the metric an alarm watches, for EC2 actions: its own, or the one MetricStat
// query of a metric math alarm that returns data.
func alarmMetric(m *MetricAlarm) (ns, name string, dims []Dimension) {
	if m == nil {
		return "", "", nil
	}
	if len(m.Metrics) == 0 {
		return m.Namespace, m.MetricName, m.Dimensions
	}
	for _, q := range m.Metrics {
		if (q.ReturnData == nil || *q.ReturnData) && q.MetricStat != nil && q.MetricStat.Metric != nil {
			return q.MetricStat.Metric.Namespace, q.MetricStat.Metric.MetricName, q.MetricStat.Metric.Dimensions
		}
	}
	return "", "", nil
}

// checkEC2Actions applies AWS's rules to the EC2 actions of a metric alarm: a valid action in
// the alarm's region, on an alarm whose metric has an InstanceId dimension.
func checkEC2Actions(ctx context.Context, m *MetricAlarm, lists ...[]string) error {
	_, region := core.Scope(ctx)
	_, _, dims := alarmMetric(m)
	for _, list := range lists {
		for _, arn := range list {
			_, r, isEC2, ok := ParseEC2Action(arn)
			if !isEC2 {
				continue
			}
			if !ok {
				return ErrValidation.With("Invalid EC2 action %s. Valid actions are arn:aws:automate:%s:ec2:stop, terminate, reboot and recover.", arn, region)
			}
			if region != "" && r != region {
				return ErrValidation.With("Invalid region %s specified. Only %s is supported.", r, region)
			}
			if !slices.ContainsFunc(dims, func(d Dimension) bool { return d.Name == "InstanceId" && d.Value != "" }) {
				return ErrValidation.With("Invalid use of EC2 action. An EC2 action can only be used if the alarm is monitoring an EC2 instance.")
			}
		}
	}
	return nil
}

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// PutMetricAlarmInput is the input of PutMetricAlarm.
type PutMetricAlarmInput struct {
	AlarmName                        string            `json:"AlarmName"`
	AlarmDescription                 string            `json:"AlarmDescription,omitempty"`
	ActionsEnabled                   *bool             `json:"ActionsEnabled,omitempty"`
	OKActions                        []string          `json:"OKActions,omitempty"`
	AlarmActions                     []string          `json:"AlarmActions,omitempty"`
	InsufficientDataActions          []string          `json:"InsufficientDataActions,omitempty"`
	MetricName                       string            `json:"MetricName,omitempty"`
	Namespace                        string            `json:"Namespace,omitempty"`
	Statistic                        string            `json:"Statistic,omitempty"`
	ExtendedStatistic                string            `json:"ExtendedStatistic,omitempty"`
	Dimensions                       []Dimension       `json:"Dimensions,omitempty"`
	Period                           int32             `json:"Period,omitzero"`
	Unit                             string            `json:"Unit,omitempty"`
	EvaluationPeriods                int32             `json:"EvaluationPeriods,omitzero"`
	DatapointsToAlarm                *int32            `json:"DatapointsToAlarm,omitempty"`
	Threshold                        *float64          `json:"Threshold,omitempty"`
	ComparisonOperator               string            `json:"ComparisonOperator,omitempty"`
	TreatMissingData                 string            `json:"TreatMissingData,omitempty"`
	EvaluateLowSampleCountPercentile string            `json:"EvaluateLowSampleCountPercentile,omitempty"`
	Metrics                          []MetricDataQuery `json:"Metrics,omitempty"`
	ThresholdMetricId                string            `json:"ThresholdMetricId,omitempty"`
	Tags                             []Tag             `json:"Tags,omitempty"`
}

// PutMetricAlarmOutput is the (empty) output of PutMetricAlarm.
type PutMetricAlarmOutput struct{}

// PutCompositeAlarmInput is the input of PutCompositeAlarm.
type PutCompositeAlarmInput struct {
	AlarmName                        string   `json:"AlarmName"`
	AlarmRule                        string   `json:"AlarmRule"`
	AlarmDescription                 string   `json:"AlarmDescription,omitempty"`
	ActionsEnabled                   *bool    `json:"ActionsEnabled,omitempty"`
	OKActions                        []string `json:"OKActions,omitempty"`
	AlarmActions                     []string `json:"AlarmActions,omitempty"`
	InsufficientDataActions          []string `json:"InsufficientDataActions,omitempty"`
	ActionsSuppressor                string   `json:"ActionsSuppressor,omitempty"`
	ActionsSuppressorWaitPeriod      *int32   `json:"ActionsSuppressorWaitPeriod,omitempty"`
	ActionsSuppressorExtensionPeriod *int32   `json:"ActionsSuppressorExtensionPeriod,omitempty"`
	Tags                             []Tag    `json:"Tags,omitempty"`
}

// PutCompositeAlarmOutput is the (empty) output of PutCompositeAlarm.
type PutCompositeAlarmOutput struct{}

// MetricAlarm describes a metric alarm.
type MetricAlarm struct {
	AlarmName                          string            `json:"AlarmName,omitempty"`
	AlarmArn                           string            `json:"AlarmArn,omitempty"`
	AlarmDescription                   string            `json:"AlarmDescription,omitempty"`
	AlarmConfigurationUpdatedTimestamp time.Time         `json:"AlarmConfigurationUpdatedTimestamp,omitzero"`
	ActionsEnabled                     bool              `json:"ActionsEnabled"`
	OKActions                          []string          `json:"OKActions"`
	AlarmActions                       []string          `json:"AlarmActions"`
	InsufficientDataActions            []string          `json:"InsufficientDataActions"`
	StateValue                         string            `json:"StateValue,omitempty"`
	StateReason                        string            `json:"StateReason,omitempty"`
	StateReasonData                    string            `json:"StateReasonData,omitempty"`
	StateUpdatedTimestamp              time.Time         `json:"StateUpdatedTimestamp,omitzero"`
	StateTransitionedTimestamp         time.Time         `json:"StateTransitionedTimestamp,omitzero"`
	MetricName                         string            `json:"MetricName,omitempty"`
	Namespace                          string            `json:"Namespace,omitempty"`
	Statistic                          string            `json:"Statistic,omitempty"`
	ExtendedStatistic                  string            `json:"ExtendedStatistic,omitempty"`
	Dimensions                         []Dimension       `json:"Dimensions"`
	Period                             int32             `json:"Period,omitzero"`
	Unit                               string            `json:"Unit,omitempty"`
	EvaluationPeriods                  int32             `json:"EvaluationPeriods,omitzero"`
	DatapointsToAlarm                  *int32            `json:"DatapointsToAlarm,omitempty"`
	Threshold                          *float64          `json:"Threshold,omitempty"`
	ComparisonOperator                 string            `json:"ComparisonOperator,omitempty"`
	TreatMissingData                   string            `json:"TreatMissingData,omitempty"`
	EvaluateLowSampleCountPercentile   string            `json:"EvaluateLowSampleCountPercentile,omitempty"`
	Metrics                            []MetricDataQuery `json:"Metrics,omitempty"`
	ThresholdMetricId                  string            `json:"ThresholdMetricId,omitempty"`
}

// CompositeAlarm describes a composite alarm.
type CompositeAlarm struct {
	AlarmName                          string    `json:"AlarmName,omitempty"`
	AlarmArn                           string    `json:"AlarmArn,omitempty"`
	AlarmDescription                   string    `json:"AlarmDescription,omitempty"`
	AlarmRule                          string    `json:"AlarmRule,omitempty"`
	AlarmConfigurationUpdatedTimestamp time.Time `json:"AlarmConfigurationUpdatedTimestamp,omitzero"`
	ActionsEnabled                     bool      `json:"ActionsEnabled"`
	OKActions                          []string  `json:"OKActions"`
	AlarmActions                       []string  `json:"AlarmActions"`
	InsufficientDataActions            []string  `json:"InsufficientDataActions"`
	StateValue                         string    `json:"StateValue,omitempty"`
	StateReason                        string    `json:"StateReason,omitempty"`
	StateReasonData                    string    `json:"StateReasonData,omitempty"`
	StateUpdatedTimestamp              time.Time `json:"StateUpdatedTimestamp,omitzero"`
	StateTransitionedTimestamp         time.Time `json:"StateTransitionedTimestamp,omitzero"`
	ActionsSuppressor                  string    `json:"ActionsSuppressor,omitempty"`
	ActionsSuppressorWaitPeriod        *int32    `json:"ActionsSuppressorWaitPeriod,omitempty"`
	ActionsSuppressorExtensionPeriod   *int32    `json:"ActionsSuppressorExtensionPeriod,omitempty"`
}

// alarmRecord is the stored alarm; Type is "MetricAlarm" or "CompositeAlarm".
type alarmRecord struct {
	Type      string          `json:"type"`
	Account   string          `json:"account"`
	Region    string          `json:"region"`
	Metric    *MetricAlarm    `json:"metric,omitempty"`
	Composite *CompositeAlarm `json:"composite,omitempty"`
	Tags      []Tag           `json:"tags,omitempty"`
}

func (r *alarmRecord) name() string {
	if r.Metric != nil {
		return r.Metric.AlarmName
	}
	return r.Composite.AlarmName
}

func (r *alarmRecord) arn() string {
	if r.Metric != nil {
		return r.Metric.AlarmArn
	}
	return r.Composite.AlarmArn
}

func (r *alarmRecord) state() string {
	if r.Metric != nil {
		return r.Metric.StateValue
	}
	return r.Composite.StateValue
}

// common returns pointers to the fields both kinds share.
func (r *alarmRecord) common() (state, reason, reasonData *string, updated, transitioned *time.Time, enabled *bool, ok, alarm, insuf []string, desc string) {
	if r.Metric != nil {
		m := r.Metric
		return &m.StateValue, &m.StateReason, &m.StateReasonData, &m.StateUpdatedTimestamp, &m.StateTransitionedTimestamp, &m.ActionsEnabled, m.OKActions, m.AlarmActions, m.InsufficientDataActions, m.AlarmDescription
	}
	c := r.Composite
	return &c.StateValue, &c.StateReason, &c.StateReasonData, &c.StateUpdatedTimestamp, &c.StateTransitionedTimestamp, &c.ActionsEnabled, c.OKActions, c.AlarmActions, c.InsufficientDataActions, c.AlarmDescription
}

var comparisonOps = map[string]bool{
	"GreaterThanOrEqualToThreshold": true, "GreaterThanThreshold": true, "LessThanThreshold": true,
	"LessThanOrEqualToThreshold": true, "LessThanLowerOrGreaterThanUpperThreshold": true,
	"LessThanLowerThreshold": true, "GreaterThanUpperThreshold": true,
}

func validName(name, param string) error {
	if name == "" {
		return missing(param)
	}
	if len([]rune(name)) > 255 {
		return invalid("The parameter %s must be shorter than 256 characters.", param)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return invalid("The parameter %s must not contain control characters.", param)
		}
	}
	return nil
}

func validActions(actions []string, param string) error {
	if len(actions) > 5 {
		return invalid("The collection %s must not have a size greater than 5.", param)
	}
	for i, a := range actions {
		if !strings.HasPrefix(a, "arn:") || len(strings.SplitN(a, ":", 6)) < 6 {
			return invalid("Invalid arn syntax: %s for parameter %s.member.%d", a, param, i+1)
		}
	}
	return nil
}

func (s *Service) alarmKey(ctx context.Context, name string) string { return s.scope(ctx) + name }

func (s *Service) alarmARN(ctx context.Context, name string) string {
	a, r := core.Scope(ctx)
	return fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", r, a, name)
}

func nilIfEmpty(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// PutMetricAlarm creates or updates a metric alarm.
func (s *Service) PutMetricAlarm(ctx context.Context, in *PutMetricAlarmInput) (*PutMetricAlarmOutput, error) {
	return dispatch.Do(ctx, s.d, "PutMetricAlarm", in, s.putMetricAlarm)
}

func (s *Service) putMetricAlarm(ctx context.Context, in *PutMetricAlarmInput) (*PutMetricAlarmOutput, error) {
	if err := validName(in.AlarmName, "AlarmName"); err != nil {
		return nil, err
	}
	if len(in.AlarmDescription) > 1024 {
		return nil, invalid("The parameter AlarmDescription must be shorter than 1025 characters.")
	}
	for _, a := range []struct {
		v []string
		p string
	}{{in.OKActions, "OKActions"}, {in.AlarmActions, "AlarmActions"}, {in.InsufficientDataActions, "InsufficientDataActions"}} {
		if err := validActions(a.v, a.p); err != nil {
			return nil, err
		}
	}
	if in.EvaluationPeriods == 0 {
		return nil, missing("EvaluationPeriods")
	}
	if in.EvaluationPeriods < 1 {
		return nil, invalid("The parameter EvaluationPeriods must be greater than or equal to 1.")
	}
	if in.ComparisonOperator == "" {
		return nil, missing("ComparisonOperator")
	}
	if !comparisonOps[in.ComparisonOperator] {
		return nil, invalid("The value %s for parameter ComparisonOperator is invalid.", in.ComparisonOperator)
	}
	if strings.Contains(in.ComparisonOperator, "Upper") || in.ThresholdMetricId != "" {
		return nil, ErrValidation.With("Anomaly detection alarms (ThresholdMetricId, %s) are not supported by devopsim.", in.ComparisonOperator)
	}
	if in.Threshold == nil {
		return nil, ErrValidation.With("Threshold must be specified for a static threshold alarm.")
	}
	if math.IsNaN(*in.Threshold) || math.IsInf(*in.Threshold, 0) {
		return nil, invalid("The value for parameter Threshold is invalid.")
	}
	switch in.TreatMissingData {
	case "", "missing", "ignore", "breaching", "notBreaching":
	default:
		return nil, invalid("The value %s for parameter TreatMissingData is invalid.", in.TreatMissingData)
	}
	switch in.EvaluateLowSampleCountPercentile {
	case "", "evaluate", "ignore":
	default:
		return nil, invalid("The value %s for parameter EvaluateLowSampleCountPercentile is invalid.", in.EvaluateLowSampleCountPercentile)
	}
	if in.DatapointsToAlarm != nil && (*in.DatapointsToAlarm < 1 || *in.DatapointsToAlarm > in.EvaluationPeriods) {
		return nil, ErrValidation.With("DatapointsToAlarm must be between 1 and EvaluationPeriods (%d).", in.EvaluationPeriods)
	}
	if in.Unit != "" && !validUnits[in.Unit] {
		return nil, invalid("The value %s for parameter Unit is invalid.", in.Unit)
	}
	if len(in.Metrics) > 0 {
		if in.MetricName != "" || in.Namespace != "" || in.Statistic != "" || in.ExtendedStatistic != "" || len(in.Dimensions) > 0 || in.Period != 0 || in.Unit != "" {
			return nil, combination("The parameters MetricName, Namespace, Statistic, ExtendedStatistic, Dimensions, Period and Unit cannot be used together with Metrics.")
		}
		if len(in.Metrics) > 10 {
			return nil, invalid("The collection Metrics must not have a size greater than 10.")
		}
		q, err := s.newQueryEval(s.scope(ctx), in.Metrics, time.Unix(0, 0), time.Unix(1, 0), "Metrics")
		if err != nil {
			return nil, err
		}
		returning := 0
		for _, m := range in.Metrics {
			if m.ReturnData == nil || *m.ReturnData {
				returning++
			}
		}
		if returning != 1 {
			return nil, ErrValidation.With("Exactly one element of the metrics list should return data.")
		}
		if q.alarmPeriod() == 0 {
			return nil, ErrValidation.With("The period of a metric math alarm must be set on its metrics or its expression.")
		}
		if _, err := q.results(time.UTC); err != nil {
			return nil, err
		}
	} else {
		if in.MetricName == "" {
			return nil, missing("MetricName")
		}
		if err := checkName(in.MetricName, "MetricName", 255); err != nil {
			return nil, err
		}
		if err := checkName(in.Namespace, "Namespace", 255); err != nil {
			return nil, err
		}
		if (in.Statistic == "") == (in.ExtendedStatistic == "") {
			return nil, combination("Exactly one of the parameters Statistic and ExtendedStatistic must be specified.")
		}
		if in.Statistic != "" && !simpleStats[in.Statistic] {
			return nil, invalid("The value %s for parameter Statistic is invalid.", in.Statistic)
		}
		if in.ExtendedStatistic != "" {
			if st, err := tsdb.ParseStat(in.ExtendedStatistic); err != nil || st.Simple() {
				return nil, invalid("The value %s for parameter ExtendedStatistic is invalid.", in.ExtendedStatistic)
			}
		}
		if in.Period == 0 {
			return nil, missing("Period")
		}
		if p := in.Period; p != 10 && p != 20 && p != 30 && (p < 60 || p%60 != 0) {
			return nil, invalid("The parameter Period must be 10, 20, 30 or a multiple of 60.")
		}
		if int64(in.Period)*int64(in.EvaluationPeriods) > 7*24*3600 {
			return nil, invalid("The evaluation period of the alarm (Period x EvaluationPeriods) must not exceed 7 days.")
		}
		if err := checkDims(in.Dimensions, "Dimensions"); err != nil {
			return nil, err
		}
	}
	if len(in.Tags) > 50 {
		return nil, invalid("The collection Tags must not have a size greater than 50.")
	}
	now := s.env.Clock.Now()
	m := &MetricAlarm{
		AlarmName: in.AlarmName, AlarmArn: s.alarmARN(ctx, in.AlarmName), AlarmDescription: in.AlarmDescription,
		AlarmConfigurationUpdatedTimestamp: now, ActionsEnabled: in.ActionsEnabled == nil || *in.ActionsEnabled,
		OKActions: nilIfEmpty(in.OKActions), AlarmActions: nilIfEmpty(in.AlarmActions), InsufficientDataActions: nilIfEmpty(in.InsufficientDataActions),
		MetricName: in.MetricName, Namespace: in.Namespace, Statistic: in.Statistic, ExtendedStatistic: in.ExtendedStatistic,
		Dimensions: in.Dimensions, Period: in.Period, Unit: in.Unit, EvaluationPeriods: in.EvaluationPeriods,
		DatapointsToAlarm: in.DatapointsToAlarm, Threshold: in.Threshold, ComparisonOperator: in.ComparisonOperator,
		TreatMissingData: in.TreatMissingData, EvaluateLowSampleCountPercentile: in.EvaluateLowSampleCountPercentile,
		Metrics:    in.Metrics,
		StateValue: StateInsufficientData, StateReason: "Unchecked: Initial alarm creation",
		StateUpdatedTimestamp: now, StateTransitionedTimestamp: now,
	}
	if m.Dimensions == nil {
		m.Dimensions = []Dimension{}
	}
	if err := checkEC2Actions(ctx, m, in.OKActions, in.AlarmActions, in.InsufficientDataActions); err != nil {
		return nil, err
	}
	return &PutMetricAlarmOutput{}, s.saveAlarm(ctx, &alarmRecord{Type: "MetricAlarm", Metric: m, Tags: in.Tags})
}

// saveAlarm creates or updates an alarm, keeping the state of an existing one of the same
// kind, and records a ConfigurationUpdate history item.
func (s *Service) saveAlarm(ctx context.Context, rec *alarmRecord) error {
	rec.Account, rec.Region = core.Scope(ctx)
	key := s.alarmKey(ctx, rec.name())
	action := "created"
	old, err := s.alarms.Get(ctx, key)
	switch {
	case err == nil:
		if old.Type != rec.Type {
			return ErrValidation.With("An alarm named %s of another type already exists.", rec.name())
		}
		action = "updated"
		st, rs, rd, up, tr, _, _, _, _, _ := rec.common()
		ost, ors, ord, oup, otr, _, _, _, _, _ := old.common()
		*st, *rs, *rd, *up, *tr = *ost, *ors, *ord, *oup, *otr
		if len(rec.Tags) == 0 {
			rec.Tags = old.Tags
		}
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	if err := s.alarms.Put(ctx, key, *rec); err != nil {
		return err
	}
	s.addHistory(ctx, rec, "ConfigurationUpdate", fmt.Sprintf("Alarm %q %s", rec.name(), action), map[string]any{"type": "Update", "version": "1.0"})
	return nil
}

func (q *queryEval) alarmPeriod() int64 {
	for _, m := range q.queries {
		if m.ReturnData == nil || *m.ReturnData {
			if m.MetricStat != nil {
				return int64(m.MetricStat.Period)
			}
			if m.Period != 0 {
				return int64(m.Period)
			}
		}
	}
	var p int64
	for _, m := range q.queries {
		if m.MetricStat != nil && (p == 0 || int64(m.MetricStat.Period) > p) {
			p = int64(m.MetricStat.Period)
		}
	}
	return p
}

// PutCompositeAlarm creates or updates a composite alarm.
func (s *Service) PutCompositeAlarm(ctx context.Context, in *PutCompositeAlarmInput) (*PutCompositeAlarmOutput, error) {
	return dispatch.Do(ctx, s.d, "PutCompositeAlarm", in, s.putCompositeAlarm)
}

func (s *Service) putCompositeAlarm(ctx context.Context, in *PutCompositeAlarmInput) (*PutCompositeAlarmOutput, error) {
	if err := validName(in.AlarmName, "AlarmName"); err != nil {
		return nil, err
	}
	if in.AlarmRule == "" {
		return nil, missing("AlarmRule")
	}
	rule, err := alarmrule.Parse(in.AlarmRule)
	if err != nil {
		return nil, ErrValidation.With("Error in AlarmRule: %v", err)
	}
	for _, a := range []struct {
		v []string
		p string
	}{{in.OKActions, "OKActions"}, {in.AlarmActions, "AlarmActions"}, {in.InsufficientDataActions, "InsufficientDataActions"}} {
		if err := validActions(a.v, a.p); err != nil {
			return nil, err
		}
		for _, arn := range a.v {
			if _, _, isEC2, _ := ParseEC2Action(arn); isEC2 || strings.Contains(arn, ":autoscaling:") {
				return nil, ErrValidation.With("Composite alarms cannot perform EC2 or Auto Scaling actions: %s", arn)
			}
		}
	}
	if (in.ActionsSuppressor != "") != (in.ActionsSuppressorWaitPeriod != nil && in.ActionsSuppressorExtensionPeriod != nil) && in.ActionsSuppressor != "" {
		return nil, ErrValidation.With("ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod are required with ActionsSuppressor.")
	}
	// Every referenced alarm must exist, and the rule must not make a cycle.
	var missingNames []string
	for _, ref := range rule.Alarms() {
		name := s.refName(ctx, ref)
		if name == in.AlarmName {
			return nil, ErrValidation.With("The alarm rule of %s refers to itself.", in.AlarmName)
		}
		rec, err := s.alarms.Get(ctx, s.alarmKey(ctx, name))
		if err != nil {
			missingNames = append(missingNames, ref)
			continue
		}
		if rec.Composite != nil && s.dependsOn(ctx, rec, in.AlarmName, 0) {
			return nil, ErrValidation.With("The alarm rule of %s creates a cycle through %s.", in.AlarmName, name)
		}
	}
	if len(missingNames) > 0 {
		return nil, ErrValidation.With("Could not save the composite alarm as alarms [%s] in the alarm rule do not exist", strings.Join(missingNames, ", "))
	}
	now := s.env.Clock.Now()
	c := &CompositeAlarm{
		AlarmName: in.AlarmName, AlarmArn: s.alarmARN(ctx, in.AlarmName), AlarmDescription: in.AlarmDescription,
		AlarmRule: in.AlarmRule, AlarmConfigurationUpdatedTimestamp: now, ActionsEnabled: in.ActionsEnabled == nil || *in.ActionsEnabled,
		OKActions: nilIfEmpty(in.OKActions), AlarmActions: nilIfEmpty(in.AlarmActions), InsufficientDataActions: nilIfEmpty(in.InsufficientDataActions),
		StateValue: StateInsufficientData, StateReason: "Unchecked: Initial alarm creation", StateUpdatedTimestamp: now, StateTransitionedTimestamp: now,
		ActionsSuppressor: in.ActionsSuppressor, ActionsSuppressorWaitPeriod: in.ActionsSuppressorWaitPeriod, ActionsSuppressorExtensionPeriod: in.ActionsSuppressorExtensionPeriod,
	}
	if err := s.saveAlarm(ctx, &alarmRecord{Type: "CompositeAlarm", Composite: c, Tags: in.Tags}); err != nil {
		return nil, err
	}
	s.evaluateComposites(ctx, s.scope(ctx), s.env.Clock.Now())
	return &PutCompositeAlarmOutput{}, nil
}

// refName turns a rule reference (name or ARN) into an alarm name.
func (s *Service) refName(ctx context.Context, ref string) string {
	if strings.HasPrefix(ref, "arn:") {
		parts := strings.SplitN(ref, ":", 7)
		if len(parts) == 7 && parts[5] == "alarm" {
			return parts[6]
		}
	}
	return ref
}

func (s *Service) dependsOn(ctx context.Context, rec alarmRecord, target string, depth int) bool {
	if depth > 50 || rec.Composite == nil {
		return depth > 50
	}
	rule, err := alarmrule.Parse(rec.Composite.AlarmRule)
	if err != nil {
		return false
	}
	for _, ref := range rule.Alarms() {
		name := s.refName(ctx, ref)
		if name == target {
			return true
		}
		if child, err := s.alarms.Get(ctx, s.alarmKey(ctx, name)); err == nil && s.dependsOn(ctx, child, target, depth+1) {
			return true
		}
	}
	return false
}

// DescribeAlarmsInput is the input of DescribeAlarms.
type DescribeAlarmsInput struct {
	AlarmNames          []string `json:"AlarmNames,omitempty"`
	AlarmNamePrefix     string   `json:"AlarmNamePrefix,omitempty"`
	AlarmTypes          []string `json:"AlarmTypes,omitempty"`
	ChildrenOfAlarmName string   `json:"ChildrenOfAlarmName,omitempty"`
	ParentsOfAlarmName  string   `json:"ParentsOfAlarmName,omitempty"`
	StateValue          string   `json:"StateValue,omitempty"`
	ActionPrefix        string   `json:"ActionPrefix,omitempty"`
	MaxRecords          int32    `json:"MaxRecords,omitzero"`
	NextToken           string   `json:"NextToken,omitempty"`
}

// DescribeAlarmsOutput is the output of DescribeAlarms.
type DescribeAlarmsOutput struct {
	MetricAlarms    []MetricAlarm    `json:"MetricAlarms"`
	CompositeAlarms []CompositeAlarm `json:"CompositeAlarms"`
	NextToken       string           `json:"NextToken,omitempty"`
}

// DescribeAlarms lists alarms with filters, in name order.
func (s *Service) DescribeAlarms(ctx context.Context, in *DescribeAlarmsInput) (*DescribeAlarmsOutput, error) {
	return dispatch.Do(ctx, s.d, "DescribeAlarms", in, s.describeAlarms)
}

func (s *Service) describeAlarms(ctx context.Context, in *DescribeAlarmsInput) (*DescribeAlarmsOutput, error) {
	if len(in.AlarmNames) > 100 {
		return nil, invalid("The collection AlarmNames must not have a size greater than 100.")
	}
	if len(in.AlarmNames) > 0 && in.AlarmNamePrefix != "" {
		return nil, combination("The parameters AlarmNames and AlarmNamePrefix are mutually exclusive.")
	}
	if in.ChildrenOfAlarmName != "" && in.ParentsOfAlarmName != "" {
		return nil, combination("The parameters ChildrenOfAlarmName and ParentsOfAlarmName are mutually exclusive.")
	}
	if (in.ChildrenOfAlarmName != "" || in.ParentsOfAlarmName != "") && (len(in.AlarmNames) > 0 || in.AlarmNamePrefix != "" || in.StateValue != "" || in.ActionPrefix != "") {
		return nil, combination("ChildrenOfAlarmName and ParentsOfAlarmName cannot be combined with other filters except AlarmTypes.")
	}
	switch in.StateValue {
	case "", StateOK, StateAlarm, StateInsufficientData:
	default:
		return nil, invalid("The value %s for parameter StateValue is invalid.", in.StateValue)
	}
	limit := 50
	if in.MaxRecords != 0 {
		if in.MaxRecords < 1 || in.MaxRecords > 100 {
			return nil, invalid("The parameter MaxRecords must be between 1 and 100.")
		}
		limit = int(in.MaxRecords)
	}
	types := map[string]bool{}
	for _, t := range in.AlarmTypes {
		if t != "MetricAlarm" && t != "CompositeAlarm" {
			return nil, invalid("The value %s for parameter AlarmTypes is invalid.", t)
		}
		types[t] = true
	}
	if len(types) == 0 {
		// AWS returns only metric alarms when AlarmTypes is omitted (except for the
		// children/parents queries, which are about composites).
		types["MetricAlarm"] = true
		if in.ChildrenOfAlarmName != "" || in.ParentsOfAlarmName != "" {
			types["CompositeAlarm"] = true
		}
	}
	after := ""
	if in.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		if err != nil || !strings.HasPrefix(string(b), "da:") {
			return nil, ErrInvalidNextToken.With("Invalid NextToken.")
		}
		after = string(b[3:])
	}
	scope := s.scope(ctx)
	all, err := s.alarms.All(ctx, scope)
	if err != nil {
		return nil, err
	}
	var filter func(*alarmRecord) bool
	switch {
	case in.ChildrenOfAlarmName != "":
		parent, err := s.alarms.Get(ctx, scope+in.ChildrenOfAlarmName)
		if err != nil || parent.Composite == nil {
			return nil, ErrResourceNotFound.With("Alarm %s does not exist or is not a composite alarm.", in.ChildrenOfAlarmName)
		}
		rule, _ := alarmrule.Parse(parent.Composite.AlarmRule)
		kids := map[string]bool{}
		if rule != nil {
			for _, r := range rule.Alarms() {
				kids[s.refName(ctx, r)] = true
			}
		}
		filter = func(r *alarmRecord) bool { return kids[r.name()] }
	case in.ParentsOfAlarmName != "":
		child := in.ParentsOfAlarmName
		filter = func(r *alarmRecord) bool {
			if r.Composite == nil {
				return false
			}
			rule, _ := alarmrule.Parse(r.Composite.AlarmRule)
			if rule == nil {
				return false
			}
			for _, ref := range rule.Alarms() {
				if s.refName(ctx, ref) == child {
					return true
				}
			}
			return false
		}
	}
	names := map[string]bool{}
	for _, n := range in.AlarmNames {
		names[n] = true
	}
	out := &DescribeAlarmsOutput{MetricAlarms: []MetricAlarm{}, CompositeAlarms: []CompositeAlarm{}}
	n, last := 0, ""
	for i := range all {
		r := &all[i]
		name := r.name()
		if after != "" && name <= after {
			continue
		}
		if !types[r.Type] || (len(names) > 0 && !names[name]) || !strings.HasPrefix(name, in.AlarmNamePrefix) ||
			(in.StateValue != "" && r.state() != in.StateValue) || (filter != nil && !filter(r)) {
			continue
		}
		if in.ActionPrefix != "" {
			_, _, _, _, _, _, ok, al, insuf, _ := r.common()
			found := false
			for _, a := range slices.Concat(ok, al, insuf) {
				if strings.HasPrefix(a, in.ActionPrefix) {
					found = true
				}
			}
			if !found {
				continue
			}
		}
		if n == limit {
			out.NextToken = base64.RawURLEncoding.EncodeToString([]byte("da:" + last))
			break
		}
		n++
		last = name
		if r.Metric != nil {
			out.MetricAlarms = append(out.MetricAlarms, *r.Metric)
		} else {
			out.CompositeAlarms = append(out.CompositeAlarms, *r.Composite)
		}
	}
	return out, nil
}

// DescribeAlarmsForMetricInput is the input of DescribeAlarmsForMetric.
type DescribeAlarmsForMetricInput struct {
	MetricName        string      `json:"MetricName"`
	Namespace         string      `json:"Namespace"`
	Statistic         string      `json:"Statistic,omitempty"`
	ExtendedStatistic string      `json:"ExtendedStatistic,omitempty"`
	Dimensions        []Dimension `json:"Dimensions,omitempty"`
	Period            int32       `json:"Period,omitzero"`
	Unit              string      `json:"Unit,omitempty"`
}

// DescribeAlarmsForMetricOutput is the output of DescribeAlarmsForMetric.
type DescribeAlarmsForMetricOutput struct {
	MetricAlarms []MetricAlarm `json:"MetricAlarms"`
}

// DescribeAlarmsForMetric lists the metric alarms watching a metric.
func (s *Service) DescribeAlarmsForMetric(ctx context.Context, in *DescribeAlarmsForMetricInput) (*DescribeAlarmsForMetricOutput, error) {
	return dispatch.Do(ctx, s.d, "DescribeAlarmsForMetric", in, s.describeAlarmsForMetric)
}

func sameDims(a, b []Dimension) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[Dimension]bool{}
	for _, d := range a {
		m[d] = true
	}
	for _, d := range b {
		if !m[d] {
			return false
		}
	}
	return true
}

func (s *Service) describeAlarmsForMetric(ctx context.Context, in *DescribeAlarmsForMetricInput) (*DescribeAlarmsForMetricOutput, error) {
	if err := checkName(in.MetricName, "MetricName", 255); err != nil {
		return nil, err
	}
	if err := checkName(in.Namespace, "Namespace", 255); err != nil {
		return nil, err
	}
	all, err := s.alarms.All(ctx, s.scope(ctx))
	if err != nil {
		return nil, err
	}
	out := &DescribeAlarmsForMetricOutput{MetricAlarms: []MetricAlarm{}}
	for _, r := range all {
		m := r.Metric
		if m == nil {
			continue
		}
		match := func(ns, name string, dims []Dimension, stat string, period int32, unit string) bool {
			return ns == in.Namespace && name == in.MetricName &&
				(in.Dimensions == nil || sameDims(dims, in.Dimensions)) &&
				(in.Statistic == "" || stat == in.Statistic) && (in.ExtendedStatistic == "" || stat == in.ExtendedStatistic) &&
				(in.Period == 0 || period == in.Period) && (in.Unit == "" || unit == in.Unit)
		}
		ok := false
		if len(m.Metrics) == 0 {
			ok = match(m.Namespace, m.MetricName, m.Dimensions, m.Statistic+m.ExtendedStatistic, m.Period, m.Unit)
		} else {
			for _, q := range m.Metrics {
				if q.MetricStat != nil && q.MetricStat.Metric != nil && match(q.MetricStat.Metric.Namespace, q.MetricStat.Metric.MetricName, q.MetricStat.Metric.Dimensions, q.MetricStat.Stat, q.MetricStat.Period, q.MetricStat.Unit) {
					ok = true
				}
			}
		}
		if ok {
			out.MetricAlarms = append(out.MetricAlarms, *m)
		}
	}
	return out, nil
}

// DeleteAlarmsInput is the input of DeleteAlarms.
type DeleteAlarmsInput struct {
	AlarmNames []string `json:"AlarmNames"`
}

// DeleteAlarmsOutput is the (empty) output of DeleteAlarms.
type DeleteAlarmsOutput struct{}

// DeleteAlarms deletes alarms. A composite alarm's children cannot be deleted while it
// refers to them.
func (s *Service) DeleteAlarms(ctx context.Context, in *DeleteAlarmsInput) (*DeleteAlarmsOutput, error) {
	return dispatch.Do(ctx, s.d, "DeleteAlarms", in, s.deleteAlarms)
}

func (s *Service) deleteAlarms(ctx context.Context, in *DeleteAlarmsInput) (*DeleteAlarmsOutput, error) {
	if len(in.AlarmNames) == 0 {
		return nil, missing("AlarmNames")
	}
	if len(in.AlarmNames) > 100 {
		return nil, invalid("The collection AlarmNames must not have a size greater than 100.")
	}
	scope := s.scope(ctx)
	var notFound []string
	for _, n := range in.AlarmNames {
		if _, err := s.alarms.Get(ctx, scope+n); err != nil {
			notFound = append(notFound, n)
		}
	}
	if len(notFound) > 0 {
		return nil, ErrResourceNotFound.With("%s", strings.Join(notFound, ", "))
	}
	deleting := map[string]bool{}
	for _, n := range in.AlarmNames {
		deleting[n] = true
	}
	all, err := s.alarms.All(ctx, scope)
	if err != nil {
		return nil, err
	}
	for _, r := range all {
		if r.Composite == nil || deleting[r.Composite.AlarmName] {
			continue
		}
		rule, _ := alarmrule.Parse(r.Composite.AlarmRule)
		if rule == nil {
			continue
		}
		for _, ref := range rule.Alarms() {
			if n := s.refName(ctx, ref); deleting[n] {
				return nil, ErrValidation.With("Alarm %s is referenced by the composite alarm %s and cannot be deleted.", n, r.Composite.AlarmName)
			}
		}
	}
	for _, n := range in.AlarmNames {
		rec, err := s.alarms.Get(ctx, scope+n)
		if err != nil {
			continue
		}
		if err := s.alarms.Delete(ctx, scope+n); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		s.addHistory(ctx, &rec, "ConfigurationUpdate", fmt.Sprintf("Alarm %q deleted", n), map[string]any{"type": "Delete", "version": "1.0"})
	}
	return &DeleteAlarmsOutput{}, nil
}

// AlarmNamesInput is the input of EnableAlarmActions and DisableAlarmActions.
type AlarmNamesInput struct {
	AlarmNames []string `json:"AlarmNames"`
}

// EnableAlarmActionsOutput is the (empty) output of EnableAlarmActions.
type EnableAlarmActionsOutput struct{}

// DisableAlarmActionsOutput is the (empty) output of DisableAlarmActions.
type DisableAlarmActionsOutput struct{}

// EnableAlarmActions turns the actions of alarms on.
func (s *Service) EnableAlarmActions(ctx context.Context, in *AlarmNamesInput) (*EnableAlarmActionsOutput, error) {
	return dispatch.Do(ctx, s.d, "EnableAlarmActions", in, func(ctx context.Context, in *AlarmNamesInput) (*EnableAlarmActionsOutput, error) {
		return &EnableAlarmActionsOutput{}, s.setActionsEnabled(ctx, in.AlarmNames, true)
	})
}

// DisableAlarmActions turns the actions of alarms off.
func (s *Service) DisableAlarmActions(ctx context.Context, in *AlarmNamesInput) (*DisableAlarmActionsOutput, error) {
	return dispatch.Do(ctx, s.d, "DisableAlarmActions", in, func(ctx context.Context, in *AlarmNamesInput) (*DisableAlarmActionsOutput, error) {
		return &DisableAlarmActionsOutput{}, s.setActionsEnabled(ctx, in.AlarmNames, false)
	})
}

func (s *Service) setActionsEnabled(ctx context.Context, names []string, on bool) error {
	if len(names) == 0 {
		return missing("AlarmNames")
	}
	if len(names) > 100 {
		return invalid("The collection AlarmNames must not have a size greater than 100.")
	}
	for _, n := range names {
		rec, err := s.alarms.Update(ctx, s.alarmKey(ctx, n), func(r *alarmRecord) error {
			_, _, _, _, _, en, _, _, _, _ := r.common()
			*en = on
			return nil
		})
		if errors.Is(err, store.ErrNotFound) {
			continue // AWS ignores unknown names here
		}
		if err != nil {
			return err
		}
		s.addHistory(ctx, &rec, "ConfigurationUpdate", fmt.Sprintf("Alarm actions %s for %q", map[bool]string{true: "enabled", false: "disabled"}[on], n), map[string]any{"type": "Update", "version": "1.0", "actionsEnabled": on})
	}
	return nil
}

// SetAlarmStateInput is the input of SetAlarmState.
type SetAlarmStateInput struct {
	AlarmName       string `json:"AlarmName"`
	StateValue      string `json:"StateValue"`
	StateReason     string `json:"StateReason"`
	StateReasonData string `json:"StateReasonData,omitempty"`
}

// SetAlarmStateOutput is the (empty) output of SetAlarmState.
type SetAlarmStateOutput struct{}

// SetAlarmState sets an alarm's state until its next evaluation, running its actions.
func (s *Service) SetAlarmState(ctx context.Context, in *SetAlarmStateInput) (*SetAlarmStateOutput, error) {
	return dispatch.Do(ctx, s.d, "SetAlarmState", in, s.setAlarmState)
}

func (s *Service) setAlarmState(ctx context.Context, in *SetAlarmStateInput) (*SetAlarmStateOutput, error) {
	if err := validName(in.AlarmName, "AlarmName"); err != nil {
		return nil, err
	}
	switch in.StateValue {
	case "":
		return nil, missing("StateValue")
	case StateOK, StateAlarm, StateInsufficientData:
	default:
		return nil, invalid("The value %s for parameter StateValue is invalid.", in.StateValue)
	}
	if in.StateReason == "" {
		return nil, missing("StateReason")
	}
	if len(in.StateReason) > 1023 {
		return nil, invalid("The parameter StateReason must be shorter than 1024 characters.")
	}
	if in.StateReasonData != "" && !jsonValid(in.StateReasonData) {
		return nil, ErrInvalidFormat.With("StateReasonData is not valid JSON.")
	}
	if _, err := s.alarms.Get(ctx, s.alarmKey(ctx, in.AlarmName)); err != nil {
		return nil, ErrResourceNotFound.With("Alarm %s not found", in.AlarmName)
	}
	now := s.env.Clock.Now()
	s.transition(ctx, s.scope(ctx), in.AlarmName, in.StateValue, in.StateReason, in.StateReasonData, false, now)
	s.evaluateComposites(ctx, s.scope(ctx), now)
	return &SetAlarmStateOutput{}, nil
}

// AlarmStateOf returns the state of an alarm in ctx's account and region (CodeDeploy stops
// deployments on alarms); it is not an API call. The error matches ErrResourceNotFound.
func (s *Service) AlarmStateOf(ctx context.Context, name string) (string, error) {
	rec, err := s.alarms.Get(ctx, s.scope(ctx)+name)
	if err != nil {
		return "", ErrResourceNotFound.With("Alarm %s not found", name)
	}
	return rec.state(), nil
}
