package ssm

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func elapsed(d time.Duration) string {
	return "PT" + strconv.FormatFloat(d.Seconds(), 'f', 3, 64) + "S"
}

func checkCommandID(id string) error {
	if len(id) != 36 {
		return validation("1 validation error detected: Value '%s' at 'commandId' failed to satisfy constraint: Member must have length equal to 36", id)
	}
	return nil
}

func (s *Service) command(ctx context.Context, id string) (commandRecord, error) {
	rec, err := s.commands.Get(ctx, commandKey(ctx, id))
	if errors.Is(err, store.ErrNotFound) {
		return rec, ErrInvalidCommandID
	}
	return rec, err
}

// GetCommandInvocation returns a command's result on one instance: its status, exit code
// and the first 24,000 characters of its output (8,000 of its error output).
func (s *Service) GetCommandInvocation(ctx context.Context, in *GetCommandInvocationInput) (*GetCommandInvocationOutput, error) {
	return dispatch.Do(ctx, s.d, "GetCommandInvocation", in, s.getCommandInvocation)
}

func (s *Service) getCommandInvocation(ctx context.Context, in *GetCommandInvocationInput) (*GetCommandInvocationOutput, error) {
	if err := checkCommandID(in.CommandID); err != nil {
		return nil, err
	}
	if in.InstanceID == "" {
		return nil, validation("1 validation error detected: Value null at 'instanceId' failed to satisfy constraint: Member must not be null")
	}
	if in.PluginName != "" && in.PluginName != pluginName {
		return nil, ErrInvalidPluginName
	}
	rec, err := s.command(ctx, in.CommandID)
	if err != nil {
		return nil, err
	}
	inv, err := s.invocations.Get(ctx, invocationKey(ctx, in.CommandID, in.InstanceID))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrInvocationDoesNotExist
	}
	if err != nil {
		return nil, err
	}
	out := &GetCommandInvocationOutput{
		CloudWatchOutputConfig: cwConfig(rec.CloudWatchOutputConfig), CommandID: rec.CommandID, Comment: rec.Comment,
		DocumentName: rec.DocumentName, DocumentVersion: rec.DocumentVersion, InstanceID: inv.InstanceID, PluginName: pluginName,
		ResponseCode: inv.ResponseCode, StandardErrorContent: inv.Stderr, StandardOutputContent: inv.Stdout,
		StandardOutputURL: inv.StdoutURL, StandardErrorURL: inv.StderrURL, Status: inv.Status, StatusDetails: inv.Details,
		ExecutionStartDateTime: isoTime(inv.Start), ExecutionEndDateTime: isoTime(inv.End),
	}
	if !inv.Start.IsZero() && !inv.End.IsZero() {
		out.ExecutionElapsedTime = elapsed(inv.End.Sub(inv.Start))
	}
	return out, nil
}

func cwConfig(c *CloudWatchOutputConfig) *CloudWatchOutputConfig {
	if c == nil {
		return &CloudWatchOutputConfig{}
	}
	return c
}

// commandFilters checks ListCommands/ListCommandInvocations filters and returns a predicate
// on (command, invocation status, requested time).
func commandFilters(fs []CommandFilter) (func(doc, status string, t time.Time) bool, error) {
	type check func(doc, status string, t time.Time) bool
	var checks []check
	for _, f := range fs {
		v := f.Value
		switch f.Key {
		case "InvokedAfter", "InvokedBefore":
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return nil, ErrInvalidFilterValue.With("The filter value %s is not a valid timestamp (expected e.g. 2024-01-31T00:00:00Z).", v)
			}
			if f.Key == "InvokedAfter" {
				checks = append(checks, func(_, _ string, x time.Time) bool { return !x.Before(t) })
			} else {
				checks = append(checks, func(_, _ string, x time.Time) bool { return !x.After(t) })
			}
		case "Status":
			switch v {
			case StatusPending, StatusInProgress, StatusSuccess, StatusCancelled, StatusFailed, StatusTimedOut, StatusCancelling, StatusDelayed:
			default:
				return nil, ErrInvalidFilterValue.With("The filter value %s is not a valid status.", v)
			}
			checks = append(checks, func(_, st string, _ time.Time) bool { return st == v })
		case "ExecutionStage":
			if v != "Executing" && v != "Complete" {
				return nil, ErrInvalidFilterValue.With("The filter value %s is not valid for ExecutionStage: use Executing or Complete.", v)
			}
			checks = append(checks, func(_, st string, _ time.Time) bool { return terminal(st) == (v == "Complete") })
		case "DocumentName":
			checks = append(checks, func(doc, _ string, _ time.Time) bool { return doc == v })
		default:
			return nil, validation("1 validation error detected: Value '%s' at 'filters.member.key' failed to satisfy constraint: Member must satisfy enum value set: [Status, InvokedBefore, InvokedAfter, DocumentName, ExecutionStage]", f.Key)
		}
	}
	if len(fs) > 5 {
		return nil, validation("1 validation error detected: Value at 'filters' failed to satisfy constraint: Member must have length less than or equal to 5")
	}
	return func(doc, status string, t time.Time) bool {
		for _, c := range checks {
			if !c(doc, status, t) {
				return false
			}
		}
		return true
	}, nil
}

// pageOf cuts items[start:] to limit and returns the next token.
func pageStart(token string, n int) (int, error) {
	if token == "" {
		return 0, nil
	}
	t, err := decodeToken(token)
	if err != nil {
		return 0, err
	}
	i, err := strconv.Atoi(t)
	if err != nil || i < 0 || i > n {
		return 0, ErrInvalidNextToken
	}
	return i, nil
}

// commandsFor lists the scope's commands, newest first, restricted to one command or to the
// commands sent to one instance.
func (s *Service) commandsFor(ctx context.Context, commandID, instanceID string) ([]commandRecord, error) {
	if commandID != "" {
		if err := checkCommandID(commandID); err != nil {
			return nil, err
		}
		rec, err := s.command(ctx, commandID)
		if err != nil {
			return nil, err
		}
		if instanceID != "" && !slices.Contains(rec.Order, instanceID) {
			return nil, nil
		}
		return []commandRecord{rec}, nil
	}
	all, err := s.commands.All(ctx, core.ScopeKey(ctx))
	if err != nil {
		return nil, err
	}
	if instanceID != "" {
		all = slices.DeleteFunc(all, func(r commandRecord) bool { return !slices.Contains(r.Order, instanceID) })
	}
	slices.SortStableFunc(all, func(a, b commandRecord) int {
		if c := b.RequestedDateTime.Compare(a.RequestedDateTime); c != 0 {
			return c
		}
		return strings.Compare(a.CommandID, b.CommandID)
	})
	return all, nil
}

// ListCommands lists commands, newest first.
func (s *Service) ListCommands(ctx context.Context, in *ListCommandsInput) (*ListCommandsOutput, error) {
	return dispatch.Do(ctx, s.d, "ListCommands", in, s.listCommands)
}

func (s *Service) listCommands(ctx context.Context, in *ListCommandsInput) (*ListCommandsOutput, error) {
	limit, err := maxResults(in.MaxResults, 50, 50)
	if err != nil {
		return nil, err
	}
	keep, err := commandFilters(in.Filters)
	if err != nil {
		return nil, err
	}
	recs, err := s.commandsFor(ctx, in.CommandID, in.InstanceID)
	if err != nil {
		return nil, err
	}
	recs = slices.DeleteFunc(recs, func(r commandRecord) bool { return !keep(r.DocumentName, r.Status, r.RequestedDateTime) })
	start, err := pageStart(in.NextToken, len(recs))
	if err != nil {
		return nil, err
	}
	out := &ListCommandsOutput{Commands: []Command{}}
	end := min(start+limit, len(recs))
	for _, r := range recs[start:end] {
		out.Commands = append(out.Commands, r.Command)
	}
	if end < len(recs) {
		out.NextToken = encodeToken(strconv.Itoa(end))
	}
	return out, nil
}

// ListCommandInvocations lists invocations (one per instance a command went to); with Details,
// each carries its plugin's output (the first 2,500 characters).
func (s *Service) ListCommandInvocations(ctx context.Context, in *ListCommandInvocationsInput) (*ListCommandInvocationsOutput, error) {
	return dispatch.Do(ctx, s.d, "ListCommandInvocations", in, s.listCommandInvocations)
}

func (s *Service) listCommandInvocations(ctx context.Context, in *ListCommandInvocationsInput) (*ListCommandInvocationsOutput, error) {
	limit, err := maxResults(in.MaxResults, 50, 50)
	if err != nil {
		return nil, err
	}
	keep, err := commandFilters(in.Filters)
	if err != nil {
		return nil, err
	}
	recs, err := s.commandsFor(ctx, in.CommandID, in.InstanceID)
	if err != nil {
		return nil, err
	}
	var all []CommandInvocation
	for i := range recs {
		rec := &recs[i]
		invs, err := s.invocations.All(ctx, core.ScopeKey(ctx)+rec.CommandID+"/")
		if err != nil {
			return nil, err
		}
		byID := map[string]invocationRecord{}
		for _, inv := range invs {
			byID[inv.InstanceID] = inv
		}
		for _, id := range rec.Order {
			inv, ok := byID[id]
			if !ok || in.InstanceID != "" && id != in.InstanceID || !keep(rec.DocumentName, inv.Status, rec.RequestedDateTime) {
				continue
			}
			all = append(all, s.invocationOf(rec, &inv, in.Details))
		}
	}
	start, err := pageStart(in.NextToken, len(all))
	if err != nil {
		return nil, err
	}
	end := min(start+limit, len(all))
	out := &ListCommandInvocationsOutput{CommandInvocations: slices.Clip(all[start:end])}
	if out.CommandInvocations == nil {
		out.CommandInvocations = []CommandInvocation{}
	}
	if end < len(all) {
		out.NextToken = encodeToken(strconv.Itoa(end))
	}
	return out, nil
}

func (s *Service) invocationOf(rec *commandRecord, inv *invocationRecord, details bool) CommandInvocation {
	ci := CommandInvocation{
		CloudWatchOutputConfig: cwConfig(rec.CloudWatchOutputConfig), CommandID: rec.CommandID, Comment: rec.Comment,
		DocumentName: rec.DocumentName, DocumentVersion: rec.DocumentVersion, InstanceID: inv.InstanceID,
		InstanceName: inv.InstanceName, NotificationConfig: rec.NotificationConfig, RequestedDateTime: inv.Requested,
		ServiceRole: rec.ServiceRole, StandardErrorURL: inv.StderrURL, StandardOutputURL: inv.StdoutURL,
		Status: inv.Status, StatusDetails: inv.Details,
	}
	if details {
		p := CommandPlugin{
			Name: pluginName, Output: combinedOutput(inv.Stdout, inv.Stderr, maxPluginOutput), ResponseCode: inv.ResponseCode,
			ResponseStartDateTime: inv.Start, ResponseFinishDateTime: inv.End, StandardErrorURL: inv.StderrURL,
			StandardOutputURL: inv.StdoutURL, Status: inv.Status, StatusDetails: inv.Details,
			OutputS3BucketName: rec.OutputS3BucketName, OutputS3Region: rec.OutputS3Region,
		}
		if rec.OutputS3BucketName != "" {
			p.OutputS3KeyPrefix = strings.TrimPrefix(strings.TrimSuffix(rec.OutputS3KeyPrefix, "/")+"/"+rec.CommandID+"/"+inv.InstanceID+"/awsrunShellScript", "/")
		}
		ci.CommandPlugins = []CommandPlugin{p}
	}
	return ci
}

// DescribeInstanceInformation lists the managed instances: every ec2sim instance that is not
// terminated (the agent is always installed), Online while running, ConnectionLost otherwise.
func (s *Service) DescribeInstanceInformation(ctx context.Context, in *DescribeInstanceInformationInput) (*DescribeInstanceInformationOutput, error) {
	return dispatch.Do(ctx, s.d, "DescribeInstanceInformation", in, s.describeInstanceInformation)
}

func platformOf(distro string) (name, version string) {
	switch distro {
	case "amzn2":
		return "Amazon Linux", "2"
	case "ubuntu":
		return "Ubuntu", "24.04"
	case "ubuntu2204":
		return "Ubuntu", "22.04"
	}
	return "Amazon Linux", "2023"
}

func (s *Service) describeInstanceInformation(ctx context.Context, in *DescribeInstanceInformationInput) (*DescribeInstanceInformationOutput, error) {
	if len(in.Filters) > 0 && len(in.InstanceInformationFilterList) > 0 {
		return nil, validation("You can specify either Filters or InstanceInformationFilterList, but not both.")
	}
	limit := 50
	if in.MaxResults != 0 {
		if in.MaxResults < 5 || in.MaxResults > 50 {
			return nil, validation("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50 and greater than or equal to 5", in.MaxResults)
		}
		limit = int(in.MaxResults)
	}
	var fs []infoFilter
	for _, f := range in.InstanceInformationFilterList {
		if len(f.ValueSet) == 0 {
			return nil, ErrInvalidInstanceInfoFilter.With("The filter %s has no values.", f.Key)
		}
		fs = append(fs, infoFilter{f.Key, f.ValueSet})
	}
	for _, f := range in.Filters {
		if len(f.Values) == 0 {
			return nil, ErrInvalidInstanceInfoFilter.With("The filter %s has no values.", f.Key)
		}
		fs = append(fs, infoFilter{f.Key, f.Values})
	}
	for _, f := range fs {
		switch {
		case f.key == "InstanceIds", f.key == "AgentVersion", f.key == "PingStatus", f.key == "PlatformTypes",
			f.key == "ResourceType", f.key == "IamRole", f.key == "ActivationIds", f.key == "AssociationStatus",
			f.key == "tag-key", strings.HasPrefix(f.key, "tag:") && len(f.key) > 4:
		default:
			return nil, ErrInvalidInstanceInfoFilter.With("The filter key %s is not valid.", f.key)
		}
	}
	var insts []Instance
	if s.opts.Fleet != nil {
		var err error
		if insts, err = s.opts.Fleet.Instances(ctx); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(insts, func(a, b Instance) int { return strings.Compare(a.ID, b.ID) })
	now := s.now()
	var infos []InstanceInformation
	for _, inst := range insts {
		if inst.State == "terminated" || inst.State == "shutting-down" {
			continue
		}
		name, version := platformOf(inst.Distro)
		info := InstanceInformation{
			AgentVersion: agentVersion, ComputerName: inst.PrivateDNS, IPAddress: inst.PrivateIP, IamRole: roleOf(inst.IamInstanceProfile),
			InstanceID: inst.ID, IsLatestVersion: true, PingStatus: "Online", LastPingDateTime: now, PlatformName: name,
			PlatformType: "Linux", PlatformVersion: version, ResourceType: "EC2Instance", SourceID: inst.ID, SourceType: "AWS::EC2::Instance",
		}
		if inst.State != "running" {
			info.PingStatus, info.LastPingDateTime = "ConnectionLost", inst.LaunchTime
		}
		if matchInfo(info, inst.Tags, fs) {
			infos = append(infos, info)
		}
	}
	start, err := pageStart(in.NextToken, len(infos))
	if err != nil {
		return nil, err
	}
	end := min(start+limit, len(infos))
	out := &DescribeInstanceInformationOutput{InstanceInformationList: slices.Clip(infos[start:end])}
	if out.InstanceInformationList == nil {
		out.InstanceInformationList = []InstanceInformation{}
	}
	if end < len(infos) {
		out.NextToken = encodeToken(strconv.Itoa(end))
	}
	return out, nil
}

func roleOf(profileARN string) string {
	if i := strings.LastIndex(profileARN, "/"); i >= 0 {
		return profileARN[i+1:]
	}
	return profileARN
}

type infoFilter struct {
	key    string
	values []string
}

func matchInfo(info InstanceInformation, tags map[string]string, fs []infoFilter) bool {
	for _, f := range fs {
		var have []string
		switch {
		case f.key == "InstanceIds":
			have = []string{info.InstanceID}
		case f.key == "AgentVersion":
			have = []string{info.AgentVersion}
		case f.key == "PingStatus":
			have = []string{info.PingStatus}
		case f.key == "PlatformTypes":
			have = []string{info.PlatformType}
		case f.key == "ResourceType":
			have = []string{info.ResourceType}
		case f.key == "IamRole":
			have = []string{info.IamRole}
		case f.key == "AssociationStatus", f.key == "ActivationIds":
			have = nil
		case f.key == "tag-key":
			for k := range tags {
				have = append(have, k)
			}
		default:
			if v, ok := tags[f.key[4:]]; ok {
				have = []string{v}
			}
		}
		if !slices.ContainsFunc(f.values, func(v string) bool { return slices.Contains(have, v) }) {
			return false
		}
	}
	return true
}
