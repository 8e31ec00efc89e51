package cloudtrail

import (
	"context"
	"errors"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// MaxTrailsPerRegion is AWS's limit of trails per account and region.
const MaxTrailsPerRegion = 5

// trailRecord is a trail as stored.
type trailRecord struct {
	Name, ARN, Account, HomeRegion string
	S3BucketName, S3KeyPrefix      string
	SnsTopicName, SnsTopicARN      string
	LogGroupArn, LogsRoleArn       string
	KmsKeyID                       string
	IncludeGlobal, MultiRegion     bool
	Organization, Validation       bool
	OrgID                          string
	Basic                          []EventSelector
	Advanced                       []AdvancedEventSelector
	Custom                         bool
	Insights                       []InsightSelector
	Tags                           []Tag
	Logging                        bool
	StartLogging, StopLogging      time.Time
	LatestDelivery, LatestAttempt  time.Time
	LatestDigest, LatestLogs       time.Time
	DeliveryError, LogsError       string
	DigestError                    string
}

func trailKey(account, region, name string) string { return account + "/" + region + "/" + name }

func (t *trailRecord) key() string { return trailKey(t.Account, t.HomeRegion, t.Name) }

func (t *trailRecord) view() Trail {
	return Trail{
		CloudWatchLogsLogGroupArn: t.LogGroupArn, CloudWatchLogsRoleArn: t.LogsRoleArn,
		HasCustomEventSelectors: t.Custom, HasInsightSelectors: len(t.Insights) > 0,
		HomeRegion: t.HomeRegion, IncludeGlobalServiceEvents: t.IncludeGlobal,
		IsMultiRegionTrail: t.MultiRegion, IsOrganizationTrail: t.Organization, KmsKeyID: t.KmsKeyID,
		LogFileValidationEnabled: t.Validation, Name: t.Name, S3BucketName: t.S3BucketName,
		S3KeyPrefix: t.S3KeyPrefix, SnsTopicARN: t.SnsTopicARN, SnsTopicName: t.SnsTopicName, TrailARN: t.ARN,
	}
}

func (t *trailRecord) output() *TrailOutput {
	v := t.view()
	return &TrailOutput{
		CloudWatchLogsLogGroupArn: v.CloudWatchLogsLogGroupArn, CloudWatchLogsRoleArn: v.CloudWatchLogsRoleArn,
		IncludeGlobalServiceEvents: v.IncludeGlobalServiceEvents, IsMultiRegionTrail: v.IsMultiRegionTrail,
		IsOrganizationTrail: v.IsOrganizationTrail, KmsKeyID: v.KmsKeyID, LogFileValidationEnabled: v.LogFileValidationEnabled,
		Name: v.Name, S3BucketName: v.S3BucketName, S3KeyPrefix: v.S3KeyPrefix, SnsTopicARN: v.SnsTopicARN,
		SnsTopicName: v.SnsTopicName, TrailARN: v.TrailARN,
	}
}

func defaultSelectors() []EventSelector {
	t := true
	return []EventSelector{{ReadWriteType: "All", IncludeManagementEvents: &t, DataResources: []DataResource{}}}
}

// validTrailName checks AWS's trail-name rules.
func validTrailName(n string) bool {
	if len(n) < 3 || len(n) > 128 {
		return false
	}
	if net.ParseIP(n) != nil {
		return false
	}
	alnum := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }
	if !alnum(n[0]) || !alnum(n[len(n)-1]) {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if alnum(c) {
			continue
		}
		if c != '.' && c != '_' && c != '-' {
			return false
		}
		if !alnum(n[i-1]) {
			return false
		}
	}
	return true
}

func validBucketName(b string) bool {
	if len(b) < 3 || len(b) > 63 {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return b[0] != '-' && b[0] != '.' && b[len(b)-1] != '-' && b[len(b)-1] != '.'
}

func validLogGroupArn(a string) bool {
	p := strings.SplitN(a, ":", 7)
	return len(p) >= 7 && p[0] == "arn" && p[2] == "logs" && p[5] == "log-group" && p[6] != ""
}

// logGroupName is the log group name of a log group ARN.
func logGroupName(a string) string {
	p := strings.SplitN(a, ":", 7)
	if len(p) < 7 {
		return ""
	}
	return strings.TrimSuffix(p[6], ":*")
}

func validRoleArn(a string) bool {
	return strings.HasPrefix(a, "arn:aws:iam::") && strings.Contains(a, ":role/")
}

// CreateTrail creates a trail. A new trail does not log until StartLogging.
func (s *Service) CreateTrail(ctx context.Context, in *CreateTrailInput) (*CreateTrailOutput, error) {
	return dispatch.Do(ctx, s.d, "CreateTrail", in, s.createTrail)
}

func (s *Service) createTrail(ctx context.Context, in *CreateTrailInput) (*CreateTrailOutput, error) {
	account, region := core.Scope(ctx)
	if !validTrailName(in.Name) {
		return nil, ErrInvalidTrailName.With("Trail name %s is not valid. Trail names must start with a letter or number, end with a letter or number, contain only ASCII letters, numbers, periods, underscores and dashes, be 3 to 128 characters long, have no adjacent punctuation and not be an IP address.", in.Name)
	}
	t := &trailRecord{
		Name: in.Name, Account: account, HomeRegion: region,
		ARN:           core.ARN(ctx, "cloudtrail", "trail/"+in.Name),
		IncludeGlobal: true, Basic: defaultSelectors(), Tags: in.TagsList,
	}
	u := UpdateTrailInput{
		S3BucketName: &in.S3BucketName, S3KeyPrefix: &in.S3KeyPrefix, SnsTopicName: &in.SnsTopicName,
		CloudWatchLogsLogGroupArn: &in.CloudWatchLogsLogGroupArn, CloudWatchLogsRoleArn: &in.CloudWatchLogsRoleArn,
		KmsKeyID: &in.KmsKeyID, EnableLogFileValidation: in.EnableLogFileValidation,
		IncludeGlobalServiceEvents: in.IncludeGlobalServiceEvents, IsMultiRegionTrail: in.IsMultiRegionTrail,
		IsOrganizationTrail: in.IsOrganizationTrail,
	}
	if err := s.applyUpdate(ctx, t, &u, true); err != nil {
		return nil, err
	}
	if err := validTags(in.TagsList); err != nil {
		return nil, err
	}
	s.trMu.Lock()
	defer s.trMu.Unlock()
	existing, err := s.trails.All(ctx, account+"/"+region+"/")
	if err != nil {
		return nil, err
	}
	if len(existing) >= MaxTrailsPerRegion {
		return nil, ErrMaxTrails.With("User: %s already has %d trails in %s.", account, MaxTrailsPerRegion, region)
	}
	if err := s.trails.Create(ctx, t.key(), *t); err != nil {
		if errors.Is(err, store.ErrExists) {
			return nil, ErrTrailAlreadyExists.With("Trail %s already exists for customer: %s", in.Name, account)
		}
		return nil, err
	}
	if err := s.rebuildSnapshotLocked(ctx); err != nil {
		return nil, err
	}
	return t.output(), nil
}

// applyUpdate validates u and applies it to t.
func (s *Service) applyUpdate(ctx context.Context, t *trailRecord, u *UpdateTrailInput, create bool) error {
	if u.S3BucketName != nil {
		if !validBucketName(*u.S3BucketName) {
			return ErrInvalidS3BucketName.With("Bucket name %q is not valid.", *u.S3BucketName)
		}
		t.S3BucketName = *u.S3BucketName
	}
	if u.S3KeyPrefix != nil {
		if len(*u.S3KeyPrefix) > 200 {
			return ErrInvalidS3Prefix.With("S3 key prefix must be at most 200 characters.")
		}
		t.S3KeyPrefix = *u.S3KeyPrefix
	}
	if u.SnsTopicName != nil {
		n := *u.SnsTopicName
		t.SnsTopicName, t.SnsTopicARN = n, ""
		if n != "" {
			if strings.HasPrefix(n, "arn:") {
				t.SnsTopicARN = n
			} else {
				t.SnsTopicARN = "arn:aws:sns:" + t.HomeRegion + ":" + t.Account + ":" + n
			}
		}
	}
	if u.CloudWatchLogsLogGroupArn != nil {
		t.LogGroupArn = *u.CloudWatchLogsLogGroupArn
	}
	if u.CloudWatchLogsRoleArn != nil {
		t.LogsRoleArn = *u.CloudWatchLogsRoleArn
	}
	if t.LogGroupArn != "" && !validLogGroupArn(t.LogGroupArn) {
		return ErrInvalidLogGroupArn.With("CloudWatch Logs log group ARN %s is not valid.", t.LogGroupArn)
	}
	if t.LogGroupArn != "" && t.LogsRoleArn == "" || t.LogGroupArn == "" && t.LogsRoleArn != "" {
		return ErrInvalidParamCombo.With("You must specify both a log group ARN and a role ARN.")
	}
	if t.LogsRoleArn != "" && !validRoleArn(t.LogsRoleArn) {
		return ErrInvalidLogsRoleArn.With("CloudWatch Logs role ARN %s is not valid.", t.LogsRoleArn)
	}
	if u.KmsKeyID != nil {
		k := *u.KmsKeyID
		switch {
		case k == "" || strings.HasPrefix(k, "arn:"):
		case strings.HasPrefix(k, "alias/"):
			k = "arn:aws:kms:" + t.HomeRegion + ":" + t.Account + ":" + k
		case len(k) == 36 && strings.Count(k, "-") == 4:
			k = "arn:aws:kms:" + t.HomeRegion + ":" + t.Account + ":key/" + k
		default:
			return ErrInvalidKmsKeyID.With("KMS key %s is not valid.", k)
		}
		t.KmsKeyID = k
	}
	if u.EnableLogFileValidation != nil {
		t.Validation = *u.EnableLogFileValidation
	}
	if u.IncludeGlobalServiceEvents != nil {
		t.IncludeGlobal = *u.IncludeGlobalServiceEvents
	}
	if u.IsMultiRegionTrail != nil {
		t.MultiRegion = *u.IsMultiRegionTrail
	}
	if t.MultiRegion && !t.IncludeGlobal {
		return ErrInvalidParamCombo.With("Multi-Region trail must include global service events.")
	}
	if u.IsOrganizationTrail != nil && *u.IsOrganizationTrail != t.Organization {
		if *u.IsOrganizationTrail {
			o := s.organization()
			if o == nil {
				return ErrOrgsNotInUse.With("This account is not a member of an organization.")
			}
			if o.ManagementAccount != t.Account {
				return ErrNotOrgManagement.With("The request was rejected because the current account is not the management account of the organization.")
			}
			t.Organization, t.OrgID = true, o.ID
		} else {
			t.Organization, t.OrgID = false, ""
		}
	}
	return nil
}

// UpdateTrail changes a trail's settings; it must be called in the trail's home region.
func (s *Service) UpdateTrail(ctx context.Context, in *UpdateTrailInput) (*UpdateTrailOutput, error) {
	return dispatch.Do(ctx, s.d, "UpdateTrail", in, s.updateTrail)
}

func (s *Service) updateTrail(ctx context.Context, in *UpdateTrailInput) (*UpdateTrailOutput, error) {
	var out *TrailOutput
	err := s.mutate(ctx, in.Name, func(t *trailRecord) error {
		if err := s.applyUpdate(ctx, t, in, false); err != nil {
			return err
		}
		out = t.output()
		return nil
	})
	return out, err
}

// DeleteTrail deletes a trail; it must be called in the trail's home region.
func (s *Service) DeleteTrail(ctx context.Context, in *DeleteTrailInput) (*Empty, error) {
	return dispatch.Do(ctx, s.d, "DeleteTrail", in, s.deleteTrail)
}

func (s *Service) deleteTrail(ctx context.Context, in *DeleteTrailInput) (*Empty, error) {
	s.trMu.Lock()
	defer s.trMu.Unlock()
	t, err := s.resolveForWrite(ctx, in.Name)
	if err != nil {
		return nil, err
	}
	if err := s.trails.Delete(ctx, t.key()); err != nil {
		return nil, err
	}
	s.dmu.Lock()
	delete(s.bufs, t.ARN)
	s.dmu.Unlock()
	return &Empty{}, s.rebuildSnapshotLocked(ctx)
}

// mutate applies fn to the trail named by nameOrARN, checking the caller may change it.
func (s *Service) mutate(ctx context.Context, nameOrARN string, fn func(*trailRecord) error) error {
	s.trMu.Lock()
	defer s.trMu.Unlock()
	t, err := s.resolveForWrite(ctx, nameOrARN)
	if err != nil {
		return err
	}
	if _, err := s.trails.Update(ctx, t.key(), func(r *trailRecord) error { return fn(r) }); err != nil {
		return err
	}
	return s.rebuildSnapshotLocked(ctx)
}

func (s *Service) resolveForWrite(ctx context.Context, nameOrARN string) (*trailRecord, error) {
	t, err := s.resolve(ctx, nameOrARN)
	if err != nil {
		return nil, err
	}
	account, region := core.Scope(ctx)
	if t.Account != account {
		return nil, ErrNotOrgManagement.With("The request was rejected because the current account is not the management account of the organization that owns trail %s.", t.ARN)
	}
	if t.HomeRegion != region {
		return nil, ErrInvalidHomeRegion.With("The home region of trail %s is %s; this request was made in %s.", t.Name, t.HomeRegion, region)
	}
	return t, nil
}

// resolve finds the trail named by a name or ARN as the caller sees it: its own trails in the
// current region, its multi-region trails (shadows) and its organization's trails.
func (s *Service) resolve(ctx context.Context, nameOrARN string) (*trailRecord, error) {
	account, region := core.Scope(ctx)
	notFound := func() error {
		arn := nameOrARN
		if !strings.HasPrefix(arn, "arn:") {
			arn = core.ARN(ctx, "cloudtrail", "trail/"+nameOrARN)
		}
		return ErrTrailNotFound.With("Unknown trail: %s for the user: %s", arn, account)
	}
	if nameOrARN == "" {
		return nil, ErrInvalidTrailName.With("Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).")
	}
	if strings.HasPrefix(nameOrARN, "arn:") {
		p := strings.SplitN(nameOrARN, ":", 6)
		if len(p) != 6 || p[2] != "cloudtrail" || !strings.HasPrefix(p[5], "trail/") {
			return nil, ErrARNInvalid.With("ARN %s is not a valid trail ARN.", nameOrARN)
		}
		for _, t := range s.snap.Load().trails {
			if t.ARN == nameOrARN && s.visible(t, account, region) {
				c := *t
				return &c, nil
			}
		}
		return nil, notFound()
	}
	if !validTrailName(nameOrARN) {
		return nil, ErrInvalidTrailName.With("Trail name %s is not valid.", nameOrARN)
	}
	var best *trailRecord
	for _, t := range s.snap.Load().trails {
		if t.Name != nameOrARN || !s.visible(t, account, region) {
			continue
		}
		if t.Account == account && t.HomeRegion == region {
			best = t
			break
		}
		if best == nil || t.Account == account {
			best = t
		}
	}
	if best == nil {
		return nil, notFound()
	}
	c := *best
	return &c, nil
}

// visible reports whether a caller in account/region sees t (own home trail or shadow).
func (s *Service) visible(t *trailRecord, account, region string) bool {
	if t.Account == account {
		return t.HomeRegion == region || t.MultiRegion
	}
	if t.Organization {
		o := s.organization()
		return o != nil && o.ID == t.OrgID && o.has(account) && (t.HomeRegion == region || t.MultiRegion)
	}
	return false
}

// DescribeTrails describes the trails the caller sees in the current region.
func (s *Service) DescribeTrails(ctx context.Context, in *DescribeTrailsInput) (*DescribeTrailsOutput, error) {
	return dispatch.Do(ctx, s.d, "DescribeTrails", in, s.describeTrails)
}

func (s *Service) describeTrails(ctx context.Context, in *DescribeTrailsInput) (*DescribeTrailsOutput, error) {
	account, region := core.Scope(ctx)
	shadows := in.IncludeShadowTrails == nil || *in.IncludeShadowTrails
	out := &DescribeTrailsOutput{TrailList: []Trail{}}
	want := map[string]bool{}
	for _, n := range in.TrailNameList {
		want[n] = true
	}
	for _, t := range s.snap.Load().trails {
		if !s.visible(t, account, region) {
			continue
		}
		home := t.Account == account && t.HomeRegion == region
		if !home && !shadows {
			continue
		}
		if len(want) > 0 && !want[t.Name] && !want[t.ARN] {
			continue
		}
		out.TrailList = append(out.TrailList, t.view())
	}
	return out, nil
}

// GetTrail returns one trail's settings.
func (s *Service) GetTrail(ctx context.Context, in *GetTrailInput) (*GetTrailOutput, error) {
	return dispatch.Do(ctx, s.d, "GetTrail", in, s.getTrail)
}

func (s *Service) getTrail(ctx context.Context, in *GetTrailInput) (*GetTrailOutput, error) {
	t, err := s.resolve(ctx, in.Name)
	if err != nil {
		return nil, err
	}
	v := t.view()
	return &GetTrailOutput{Trail: &v}, nil
}

// ListTrails lists the trails of the caller's account in every region, and its organization's.
func (s *Service) ListTrails(ctx context.Context, in *ListTrailsInput) (*ListTrailsOutput, error) {
	return dispatch.Do(ctx, s.d, "ListTrails", in, s.listTrails)
}

func (s *Service) listTrails(ctx context.Context, in *ListTrailsInput) (*ListTrailsOutput, error) {
	account, _ := core.Scope(ctx)
	var all []TrailInfo
	for _, t := range s.snap.Load().trails {
		if t.Account == account || s.visible(t, account, t.HomeRegion) {
			all = append(all, TrailInfo{HomeRegion: t.HomeRegion, Name: t.Name, TrailARN: t.ARN})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].TrailARN < all[j].TrailARN })
	start := 0
	if in.NextToken != "" {
		start = -1
		for i, t := range all {
			if t.TrailARN > in.NextToken {
				start = i
				break
			}
		}
		if start < 0 {
			start = len(all)
		}
	}
	const page = 50
	out := &ListTrailsOutput{Trails: all[start:]}
	if len(out.Trails) > page {
		out.Trails = out.Trails[:page]
		out.NextToken = out.Trails[page-1].TrailARN
	}
	if out.Trails == nil {
		out.Trails = []TrailInfo{}
	}
	return out, nil
}

// GetTrailStatus reports whether a trail logs and when it last delivered.
func (s *Service) GetTrailStatus(ctx context.Context, in *GetTrailStatusInput) (*GetTrailStatusOutput, error) {
	return dispatch.Do(ctx, s.d, "GetTrailStatus", in, s.getTrailStatus)
}

func awsTimeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

func (s *Service) getTrailStatus(ctx context.Context, in *GetTrailStatusInput) (*GetTrailStatusOutput, error) {
	t, err := s.resolve(ctx, in.Name)
	if err != nil {
		return nil, err
	}
	cur, err := s.trails.Get(ctx, t.key())
	if err != nil {
		return nil, ErrTrailNotFound.With("Unknown trail: %s", t.ARN)
	}
	out := &GetTrailStatusOutput{
		IsLogging:                         cur.Logging,
		LatestDeliveryTime:                cur.LatestDelivery,
		LatestDeliveryError:               cur.DeliveryError,
		LatestDigestDeliveryTime:          cur.LatestDigest,
		LatestDigestDeliveryError:         cur.DigestError,
		LatestCloudWatchLogsDeliveryTime:  cur.LatestLogs,
		LatestCloudWatchLogsDeliveryError: cur.LogsError,
		StartLoggingTime:                  cur.StartLogging,
		StopLoggingTime:                   cur.StopLogging,
		TimeLoggingStarted:                awsTimeString(cur.StartLogging),
		TimeLoggingStopped:                awsTimeString(cur.StopLogging),
		LatestDeliveryAttemptTime:         awsTimeString(cur.LatestAttempt),
	}
	if !cur.LatestAttempt.IsZero() {
		out.LatestDeliveryAttemptSucceeded = awsTimeString(cur.LatestDelivery)
	}
	return out, nil
}

// StartLogging starts recording to the trail.
func (s *Service) StartLogging(ctx context.Context, in *StartLoggingInput) (*Empty, error) {
	return dispatch.Do(ctx, s.d, "StartLogging", in, s.startLogging)
}

func (s *Service) startLogging(ctx context.Context, in *StartLoggingInput) (*Empty, error) {
	now := s.env.Clock.Now()
	s.process() // events before this call are not the trail's
	err := s.mutate(ctx, in.Name, func(t *trailRecord) error {
		if !t.Logging {
			t.Logging, t.StartLogging = true, now
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// StopLogging stops recording to the trail and delivers what it has buffered.
func (s *Service) StopLogging(ctx context.Context, in *StopLoggingInput) (*Empty, error) {
	return dispatch.Do(ctx, s.d, "StopLogging", in, s.stopLogging)
}

func (s *Service) stopLogging(ctx context.Context, in *StopLoggingInput) (*Empty, error) {
	t, err := s.resolve(ctx, in.Name)
	if err != nil {
		return nil, err
	}
	s.process()
	now := s.env.Clock.Now()
	err = s.mutate(ctx, in.Name, func(t *trailRecord) error {
		if t.Logging {
			t.Logging, t.StopLogging = false, now
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.deliver(context.WithoutCancel(ctx), now, t.ARN, true)
	return &Empty{}, nil
}
