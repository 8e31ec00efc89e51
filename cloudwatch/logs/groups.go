package logs

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/internal/core"
)

// Errors the service returns (matched with errors.Is by code).
var (
	ErrResourceNotFound      = apierr.New(apierr.NotFound, "ResourceNotFoundException", "The specified resource does not exist.")
	ErrResourceAlreadyExists = apierr.New(apierr.AlreadyExists, "ResourceAlreadyExistsException", "The specified resource already exists.")
	ErrInvalidParameter      = apierr.New(apierr.Invalid, "InvalidParameterException", "invalid parameter")
	ErrLimitExceeded         = apierr.New(apierr.LimitExceeded, "LimitExceededException", "Resource limit exceeded.")
	ErrMalformedQuery        = apierr.New(apierr.Invalid, "MalformedQueryException", "malformed query")
	ErrOperationAborted      = apierr.New(apierr.Conflict, "OperationAbortedException", "operation aborted")
)

var (
	groupNameRe  = regexp.MustCompile(`^[\.\-_/#A-Za-z0-9]+$`)
	validDays    = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
	groupClasses = []string{"STANDARD", "INFREQUENT_ACCESS", "DELIVERY"}
)

type groupRecord struct {
	Scope           string            `json:"scope"`
	Name            string            `json:"name"`
	ARN             string            `json:"arn"`
	CreationTime    int64             `json:"creationTime"`
	RetentionInDays int               `json:"retentionInDays,omitempty"`
	KmsKeyID        string            `json:"kmsKeyId,omitempty"`
	Class           string            `json:"logGroupClass,omitempty"`
	Tags            map[string]string `json:"tags,omitempty"`
	DeletionProt    bool              `json:"deletionProtection,omitempty"`
}

func validateGroupName(n string) error {
	if n == "" || len(n) > 512 {
		return ErrInvalidParameter.With("1 validation error detected: Value '%s' at 'logGroupName' failed to satisfy constraint: Member must have length between 1 and 512", n)
	}
	if !groupNameRe.MatchString(n) {
		return ErrInvalidParameter.With("1 validation error detected: Value '%s' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+", n)
	}
	return nil
}

func validateDays(d int) error {
	if !slices.Contains(validDays, d) {
		vals := make([]string, len(validDays))
		for i, v := range validDays {
			vals[i] = strconv.Itoa(v)
		}
		return ErrInvalidParameter.With("1 validation error detected: Value '%d' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [%s]", d, strings.Join(vals, ", "))
	}
	return nil
}

func validateTags(tags map[string]string) error {
	if len(tags) > 50 {
		return ErrInvalidParameter.With("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50")
	}
	for k, v := range tags {
		if k == "" || len(k) > 128 || strings.HasPrefix(k, "aws:") {
			return ErrInvalidParameter.With("Invalid tag key: %q", k)
		}
		if len(v) > 256 {
			return ErrInvalidParameter.With("Invalid tag value for key %q", k)
		}
	}
	return nil
}

// LogGroup is a log group as DescribeLogGroups reports it.
type LogGroup struct {
	LogGroupName              string `json:"logGroupName"`
	CreationTime              int64  `json:"creationTime,omitzero"`
	RetentionInDays           int    `json:"retentionInDays,omitzero"`
	MetricFilterCount         int    `json:"metricFilterCount"`
	Arn                       string `json:"arn,omitempty"`
	LogGroupArn               string `json:"logGroupArn,omitempty"`
	StoredBytes               int64  `json:"storedBytes"`
	KmsKeyID                  string `json:"kmsKeyId,omitempty"`
	LogGroupClass             string `json:"logGroupClass,omitempty"`
	DeletionProtectionEnabled bool   `json:"deletionProtectionEnabled,omitzero"`
}

// CreateLogGroupInput is the input of CreateLogGroup.
type CreateLogGroupInput struct {
	LogGroupName              string            `json:"logGroupName"`
	KmsKeyID                  string            `json:"kmsKeyId,omitempty"`
	Tags                      map[string]string `json:"tags,omitempty"`
	LogGroupClass             string            `json:"logGroupClass,omitempty"`
	DeletionProtectionEnabled bool              `json:"deletionProtectionEnabled,omitzero"`
}

// CreateLogGroupOutput is the output of CreateLogGroup.
type CreateLogGroupOutput struct{}

// CreateLogGroup creates a log group.
func (s *Service) CreateLogGroup(ctx context.Context, in *CreateLogGroupInput) (*CreateLogGroupOutput, error) {
	return do(ctx, s, "CreateLogGroup", in, s.createLogGroup)
}

func (s *Service) createLogGroup(ctx context.Context, in *CreateLogGroupInput) (*CreateLogGroupOutput, error) {
	if err := validateGroupName(in.LogGroupName); err != nil {
		return nil, err
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	class := in.LogGroupClass
	if class == "" {
		class = "STANDARD"
	}
	if !slices.Contains(groupClasses, class) {
		return nil, ErrInvalidParameter.With("1 validation error detected: Value '%s' at 'logGroupClass' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY]", class)
	}
	rec := groupRecord{
		Scope:        core.ScopeKey(ctx),
		Name:         in.LogGroupName,
		ARN:          core.ARN(ctx, "logs", "log-group:"+in.LogGroupName),
		CreationTime: s.nowMillis(),
		KmsKeyID:     in.KmsKeyID,
		Class:        class,
		Tags:         in.Tags,
		DeletionProt: in.DeletionProtectionEnabled,
	}
	key := rec.Scope + rec.Name
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.groups[key] != nil {
		return nil, ErrResourceAlreadyExists.With("The specified log group already exists")
	}
	if err := s.groupsT.Put(ctx, key, rec); err != nil {
		return nil, apierr.Wrap(err, "An internal error occurred.")
	}
	s.groups[key] = &group{rec: rec, streams: map[string]*stream{}, mfs: map[string]*metricFilter{}, subs: map[string]*subscription{}}
	return &CreateLogGroupOutput{}, nil
}

// DeleteLogGroupInput is the input of DeleteLogGroup.
type DeleteLogGroupInput struct {
	LogGroupName string `json:"logGroupName"`
}

// DeleteLogGroupOutput is the output of DeleteLogGroup.
type DeleteLogGroupOutput struct{}

// DeleteLogGroup deletes a log group with its streams, events and filters.
func (s *Service) DeleteLogGroup(ctx context.Context, in *DeleteLogGroupInput) (*DeleteLogGroupOutput, error) {
	return do(ctx, s, "DeleteLogGroup", in, s.deleteLogGroup)
}

func (s *Service) deleteLogGroup(ctx context.Context, in *DeleteLogGroupInput) (*DeleteLogGroupOutput, error) {
	if err := validateGroupName(in.LogGroupName); err != nil {
		return nil, err
	}
	key := s.groupKey(ctx, in.LogGroupName)
	s.mu.Lock()
	g := s.groups[key]
	if g == nil {
		s.mu.Unlock()
		return nil, ErrResourceNotFound.With("The specified log group does not exist.")
	}
	if g.rec.DeletionProt {
		s.mu.Unlock()
		return nil, ErrOperationAborted.With("Log group %s has deletion protection enabled.", in.LogGroupName)
	}
	delete(s.groups, key)
	s.mu.Unlock()
	var freed int64
	for name, st := range g.streams {
		freed += st.data.stats().bytes
		_ = s.streamsT.Delete(ctx, key+":"+name)
		s.dropPersisted(ctx, st.rec, 0, true)
	}
	for name := range g.mfs {
		_ = s.mfT.Delete(ctx, key+":"+name)
	}
	for name := range g.subs {
		_ = s.sfT.Delete(ctx, key+":"+name)
	}
	s.total.Add(-freed)
	if err := s.groupsT.Delete(ctx, key); err != nil && !isNotFound(err) {
		return nil, apierr.Wrap(err, "An internal error occurred.")
	}
	return &DeleteLogGroupOutput{}, nil
}

// DescribeLogGroupsInput is the input of DescribeLogGroups.
type DescribeLogGroupsInput struct {
	LogGroupNamePrefix    string   `json:"logGroupNamePrefix,omitempty"`
	LogGroupNamePattern   string   `json:"logGroupNamePattern,omitempty"`
	LogGroupClass         string   `json:"logGroupClass,omitempty"`
	LogGroupIdentifiers   []string `json:"logGroupIdentifiers,omitempty"`
	NextToken             string   `json:"nextToken,omitempty"`
	Limit                 int      `json:"limit,omitzero"`
	AccountIdentifiers    []string `json:"accountIdentifiers,omitempty"`
	IncludeLinkedAccounts bool     `json:"includeLinkedAccounts,omitzero"`
}

// DescribeLogGroupsOutput is the output of DescribeLogGroups.
type DescribeLogGroupsOutput struct {
	LogGroups []LogGroup `json:"logGroups"`
	NextToken string     `json:"nextToken,omitempty"`
}

// DescribeLogGroups lists log groups in name order.
func (s *Service) DescribeLogGroups(ctx context.Context, in *DescribeLogGroupsInput) (*DescribeLogGroupsOutput, error) {
	return do(ctx, s, "DescribeLogGroups", in, s.describeLogGroups)
}

func (s *Service) describeLogGroups(ctx context.Context, in *DescribeLogGroupsInput) (*DescribeLogGroupsOutput, error) {
	if in.LogGroupNamePrefix != "" && in.LogGroupNamePattern != "" {
		return nil, ErrInvalidParameter.With("LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters.")
	}
	limit, err := checkLimit(in.Limit, 50, 50)
	if err != nil {
		return nil, err
	}
	var ids map[string]bool
	if len(in.LogGroupIdentifiers) > 0 {
		ids = map[string]bool{}
		for _, id := range in.LogGroupIdentifiers {
			n, err := resolveGroupName("", id)
			if err != nil {
				return nil, err
			}
			ids[n] = true
		}
	}
	scope := core.ScopeKey(ctx)
	pat := strings.ToLower(in.LogGroupNamePattern)
	s.mu.RLock()
	var gs []*group
	for k, g := range s.groups {
		if !strings.HasPrefix(k, scope) {
			continue
		}
		n := g.rec.Name
		if in.LogGroupNamePrefix != "" && !strings.HasPrefix(n, in.LogGroupNamePrefix) {
			continue
		}
		if pat != "" && !strings.Contains(strings.ToLower(n), pat) {
			continue
		}
		if in.LogGroupClass != "" && g.rec.Class != in.LogGroupClass {
			continue
		}
		if ids != nil && !ids[n] {
			continue
		}
		if in.NextToken != "" && n <= in.NextToken {
			continue
		}
		gs = append(gs, g)
	}
	sort.Slice(gs, func(i, j int) bool { return gs[i].rec.Name < gs[j].rec.Name })
	out := &DescribeLogGroupsOutput{LogGroups: []LogGroup{}}
	for i, g := range gs {
		if i == limit {
			out.NextToken = gs[i-1].rec.Name
			break
		}
		out.LogGroups = append(out.LogGroups, s.groupView(g))
	}
	s.mu.RUnlock()
	return out, nil
}

// groupView renders g; callers hold s.mu.
func (s *Service) groupView(g *group) LogGroup {
	var bytes int64
	for _, st := range g.streams {
		bytes += st.data.stats().bytes
	}
	return LogGroup{
		LogGroupName:              g.rec.Name,
		CreationTime:              g.rec.CreationTime,
		RetentionInDays:           g.rec.RetentionInDays,
		MetricFilterCount:         len(g.mfs),
		Arn:                       g.rec.ARN + ":*",
		LogGroupArn:               g.rec.ARN,
		StoredBytes:               bytes,
		KmsKeyID:                  g.rec.KmsKeyID,
		LogGroupClass:             g.rec.Class,
		DeletionProtectionEnabled: g.rec.DeletionProt,
	}
}

func checkLimit(v, def, maxV int) (int, error) {
	if v == 0 {
		return def, nil
	}
	if v < 1 || v > maxV {
		return 0, ErrInvalidParameter.With("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and %d", v, maxV)
	}
	return v, nil
}

// updateGroup applies fn to the group's record under the lock and persists it.
func (s *Service) updateGroup(ctx context.Context, name string, fn func(*groupRecord) error) error {
	if err := validateGroupName(name); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.lookupGroupLocked(ctx, name)
	if err != nil {
		return err
	}
	rec := g.rec
	rec.Tags = cloneTags(rec.Tags)
	if err := fn(&rec); err != nil {
		return err
	}
	if err := s.groupsT.Put(ctx, rec.Scope+rec.Name, rec); err != nil {
		return apierr.Wrap(err, "An internal error occurred.")
	}
	g.rec = rec
	return nil
}

func cloneTags(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// PutRetentionPolicyInput is the input of PutRetentionPolicy.
type PutRetentionPolicyInput struct {
	LogGroupName    string `json:"logGroupName"`
	RetentionInDays int    `json:"retentionInDays"`
}

// PutRetentionPolicyOutput is the output of PutRetentionPolicy.
type PutRetentionPolicyOutput struct{}

// PutRetentionPolicy sets how long a group keeps its events.
func (s *Service) PutRetentionPolicy(ctx context.Context, in *PutRetentionPolicyInput) (*PutRetentionPolicyOutput, error) {
	return do(ctx, s, "PutRetentionPolicy", in, func(ctx context.Context, in *PutRetentionPolicyInput) (*PutRetentionPolicyOutput, error) {
		if err := validateDays(in.RetentionInDays); err != nil {
			return nil, err
		}
		return &PutRetentionPolicyOutput{}, s.updateGroup(ctx, in.LogGroupName, func(r *groupRecord) error {
			r.RetentionInDays = in.RetentionInDays
			return nil
		})
	})
}

// DeleteRetentionPolicyInput is the input of DeleteRetentionPolicy.
type DeleteRetentionPolicyInput struct {
	LogGroupName string `json:"logGroupName"`
}

// DeleteRetentionPolicyOutput is the output of DeleteRetentionPolicy.
type DeleteRetentionPolicyOutput struct{}

// DeleteRetentionPolicy makes a group keep its events forever.
func (s *Service) DeleteRetentionPolicy(ctx context.Context, in *DeleteRetentionPolicyInput) (*DeleteRetentionPolicyOutput, error) {
	return do(ctx, s, "DeleteRetentionPolicy", in, func(ctx context.Context, in *DeleteRetentionPolicyInput) (*DeleteRetentionPolicyOutput, error) {
		return &DeleteRetentionPolicyOutput{}, s.updateGroup(ctx, in.LogGroupName, func(r *groupRecord) error {
			r.RetentionInDays = 0
			return nil
		})
	})
}

// ---- tags ----

// TagResourceInput is the input of TagResource.
type TagResourceInput struct {
	ResourceArn string            `json:"resourceArn"`
	Tags        map[string]string `json:"tags"`
}

// TagResourceOutput is the output of TagResource.
type TagResourceOutput struct{}

// TagResource adds tags to a log group given its ARN.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
	return do(ctx, s, "TagResource", in, func(ctx context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
		name, err := s.groupFromARN(ctx, in.ResourceArn)
		if err != nil {
			return nil, err
		}
		return &TagResourceOutput{}, s.tag(ctx, name, in.Tags)
	})
}

func (s *Service) tag(ctx context.Context, name string, tags map[string]string) error {
	if err := validateTags(tags); err != nil {
		return err
	}
	return s.updateGroup(ctx, name, func(r *groupRecord) error {
		for k, v := range tags {
			r.Tags[k] = v
		}
		if len(r.Tags) > 50 {
			return ErrInvalidParameter.With("A resource can have at most 50 tags.")
		}
		return nil
	})
}

func (s *Service) untag(ctx context.Context, name string, keys []string) error {
	return s.updateGroup(ctx, name, func(r *groupRecord) error {
		for _, k := range keys {
			delete(r.Tags, k)
		}
		return nil
	})
}

func (s *Service) tagsOf(ctx context.Context, name string) (map[string]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, err := s.lookupGroupLocked(ctx, name)
	if err != nil {
		return nil, err
	}
	return cloneTags(g.rec.Tags), nil
}

func (s *Service) groupFromARN(ctx context.Context, arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) < 7 || parts[0] != "arn" || parts[2] != "logs" || parts[5] != "log-group" {
		return "", ErrInvalidParameter.With("Invalid resource ARN: %s", arn)
	}
	name := strings.TrimSuffix(parts[6], ":*")
	a, r := core.Scope(ctx)
	if parts[3] != r || parts[4] != a {
		return "", ErrResourceNotFound.With("The specified log group does not exist.")
	}
	return name, nil
}

// UntagResourceInput is the input of UntagResource.
type UntagResourceInput struct {
	ResourceArn string   `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

// UntagResourceOutput is the output of UntagResource.
type UntagResourceOutput struct{}

// UntagResource removes tags from a log group given its ARN.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*UntagResourceOutput, error) {
	return do(ctx, s, "UntagResource", in, func(ctx context.Context, in *UntagResourceInput) (*UntagResourceOutput, error) {
		name, err := s.groupFromARN(ctx, in.ResourceArn)
		if err != nil {
			return nil, err
		}
		return &UntagResourceOutput{}, s.untag(ctx, name, in.TagKeys)
	})
}

// ListTagsForResourceInput is the input of ListTagsForResource.
type ListTagsForResourceInput struct {
	ResourceArn string `json:"resourceArn"`
}

// ListTagsForResourceOutput is the output of ListTagsForResource.
type ListTagsForResourceOutput struct {
	Tags map[string]string `json:"tags"`
}

// ListTagsForResource lists a log group's tags given its ARN.
func (s *Service) ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	return do(ctx, s, "ListTagsForResource", in, func(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
		name, err := s.groupFromARN(ctx, in.ResourceArn)
		if err != nil {
			return nil, err
		}
		t, err := s.tagsOf(ctx, name)
		if err != nil {
			return nil, err
		}
		return &ListTagsForResourceOutput{Tags: t}, nil
	})
}

// TagLogGroupInput is the input of TagLogGroup (the older form of TagResource).
type TagLogGroupInput struct {
	LogGroupName string            `json:"logGroupName"`
	Tags         map[string]string `json:"tags"`
}

// TagLogGroupOutput is the output of TagLogGroup.
type TagLogGroupOutput struct{}

// TagLogGroup adds tags to a log group.
func (s *Service) TagLogGroup(ctx context.Context, in *TagLogGroupInput) (*TagLogGroupOutput, error) {
	return do(ctx, s, "TagLogGroup", in, func(ctx context.Context, in *TagLogGroupInput) (*TagLogGroupOutput, error) {
		return &TagLogGroupOutput{}, s.tag(ctx, in.LogGroupName, in.Tags)
	})
}

// UntagLogGroupInput is the input of UntagLogGroup.
type UntagLogGroupInput struct {
	LogGroupName string   `json:"logGroupName"`
	Tags         []string `json:"tags"`
}

// UntagLogGroupOutput is the output of UntagLogGroup.
type UntagLogGroupOutput struct{}

// UntagLogGroup removes tags from a log group.
func (s *Service) UntagLogGroup(ctx context.Context, in *UntagLogGroupInput) (*UntagLogGroupOutput, error) {
	return do(ctx, s, "UntagLogGroup", in, func(ctx context.Context, in *UntagLogGroupInput) (*UntagLogGroupOutput, error) {
		return &UntagLogGroupOutput{}, s.untag(ctx, in.LogGroupName, in.Tags)
	})
}

// ListTagsLogGroupInput is the input of ListTagsLogGroup.
type ListTagsLogGroupInput struct {
	LogGroupName string `json:"logGroupName"`
}

// ListTagsLogGroupOutput is the output of ListTagsLogGroup.
type ListTagsLogGroupOutput struct {
	Tags map[string]string `json:"tags"`
}

// ListTagsLogGroup lists a log group's tags.
func (s *Service) ListTagsLogGroup(ctx context.Context, in *ListTagsLogGroupInput) (*ListTagsLogGroupOutput, error) {
	return do(ctx, s, "ListTagsLogGroup", in, func(ctx context.Context, in *ListTagsLogGroupInput) (*ListTagsLogGroupOutput, error) {
		if err := validateGroupName(in.LogGroupName); err != nil {
			return nil, err
		}
		t, err := s.tagsOf(ctx, in.LogGroupName)
		if err != nil {
			return nil, err
		}
		return &ListTagsLogGroupOutput{Tags: t}, nil
	})
}

var _ = fmt.Sprintf
