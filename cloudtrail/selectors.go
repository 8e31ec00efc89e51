package cloudtrail

import (
	"context"
	"strings"

	"github.com/devopsim/devopsim/internal/dispatch"
)

// Insight type bits.
const (
	insightCallRate = 1 << iota
	insightErrorRate
)

// trailSnapshot is the immutable view of all trails that recording matches events against.
type trailSnapshot struct {
	trails []*trailRecord
	// insight types enabled per account/region by logging trails ("" region: every region)
	insights map[scopeKey]int
}

func (sn *trailSnapshot) insightsOn(account, region string) int {
	if sn == nil || len(sn.insights) == 0 {
		return 0
	}
	return sn.insights[scopeKey{account, region}] | sn.insights[scopeKey{account, ""}]
}

func (s *Service) rebuildSnapshot(ctx context.Context) error {
	s.trMu.Lock()
	defer s.trMu.Unlock()
	return s.rebuildSnapshotLocked(ctx)
}

func (s *Service) rebuildSnapshotLocked(ctx context.Context) error {
	all, err := s.trails.All(ctx, "")
	if err != nil {
		return err
	}
	sn := &trailSnapshot{insights: map[scopeKey]int{}}
	org := s.organization()
	for i := range all {
		t := &all[i]
		sn.trails = append(sn.trails, t)
		if !t.Logging || len(t.Insights) == 0 {
			continue
		}
		bits := insightBits(t.Insights)
		region := t.HomeRegion
		if t.MultiRegion {
			region = ""
		}
		accounts := []string{t.Account}
		if t.Organization && org != nil && org.ID == t.OrgID {
			accounts = append(accounts, org.Members...)
		}
		for _, a := range accounts {
			sn.insights[scopeKey{a, region}] |= bits
		}
	}
	s.snap.Store(sn)
	return nil
}

func insightBits(sel []InsightSelector) int {
	b := 0
	for _, x := range sel {
		switch x.InsightType {
		case "ApiCallRateInsight":
			b |= insightCallRate
		case "ApiErrorRateInsight":
			b |= insightErrorRate
		}
	}
	return b
}

// covers reports whether trail t records events of account/region.
func (s *Service) covers(t *trailRecord, org *Organization, r *record) bool {
	if !t.Logging {
		return false
	}
	acct, region := r.who.Account, r.who.Region
	if t.Account != acct {
		if !t.Organization || org == nil || org.ID != t.OrgID || !org.has(acct) {
			return false
		}
	}
	if t.HomeRegion != region && !t.MultiRegion {
		return false
	}
	if r.src.global && !t.IncludeGlobal {
		return false
	}
	return true
}

// selects reports whether t's event selectors select r.
func (t *trailRecord) selects(r *record) bool {
	if r.cat == catInsight {
		switch r.insight().insightType {
		case "ApiCallRateInsight":
			return insightBits(t.Insights)&insightCallRate != 0
		case "ApiErrorRateInsight":
			return insightBits(t.Insights)&insightErrorRate != 0
		}
		return false
	}
	if len(t.Advanced) > 0 {
		for i := range t.Advanced {
			if advancedMatch(&t.Advanced[i], r) {
				return true
			}
		}
		return false
	}
	for _, sel := range t.Basic {
		if !rwMatch(sel.ReadWriteType, r.readOnly) {
			continue
		}
		if r.cat == catManagement {
			if sel.IncludeManagementEvents != nil && !*sel.IncludeManagementEvents {
				continue
			}
			excluded := false
			for _, x := range sel.ExcludeManagementEventSources {
				if x == r.src.eventSource {
					excluded = true
				}
			}
			if !excluded {
				return true
			}
			continue
		}
		for _, dr := range sel.DataResources {
			for _, res := range r.resources {
				if res.Type != dr.Type {
					continue
				}
				for _, v := range dr.Values {
					if dataValueMatch(dr.Type, v, res.ARN) {
						return true
					}
				}
			}
		}
	}
	return false
}

func rwMatch(rw string, readOnly bool) bool {
	switch rw {
	case "ReadOnly":
		return readOnly
	case "WriteOnly":
		return !readOnly
	}
	return true
}

// dataValueMatch applies a basic data resource value: "arn:aws:s3" (all objects), a bucket
// ("arn:aws:s3:::bucket/") or an object prefix.
func dataValueMatch(typ, v, arn string) bool {
	switch v {
	case "arn:aws:s3", "arn:aws:s3:::", "arn:aws:lambda", "arn:aws:dynamodb":
		return true
	}
	return strings.HasPrefix(arn, v)
}

func advancedMatch(sel *AdvancedEventSelector, r *record) bool {
	for i := range sel.FieldSelectors {
		f := &sel.FieldSelectors[i]
		var vals []string
		switch f.Field {
		case "eventCategory":
			switch r.cat {
			case catManagement:
				vals = []string{"Management"}
			case catData:
				vals = []string{"Data"}
			}
		case "readOnly":
			if r.readOnly {
				vals = []string{"true"}
			} else {
				vals = []string{"false"}
			}
		case "eventName":
			vals = []string{r.name}
		case "eventSource":
			vals = []string{r.src.eventSource}
		case "eventType":
			vals = []string{"AwsApiCall"}
		case "errorCode":
			vals = []string{r.errCode()}
		case "userIdentity.arn":
			vals = []string{r.who.PrincipalARN}
		case "resources.type":
			for _, res := range r.resources {
				vals = append(vals, res.Type)
			}
		case "resources.ARN":
			for _, res := range r.resources {
				vals = append(vals, res.ARN)
			}
		default:
			return false
		}
		ok := false
		for _, v := range vals {
			if fieldMatch(f, v) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// fieldMatch applies one field selector: any positive operator must match (when there are
// any), and no negative operator may.
func fieldMatch(f *AdvancedFieldSelector, v string) bool {
	pos := len(f.Equals)+len(f.StartsWith)+len(f.EndsWith) > 0
	hit := false
	for _, x := range f.Equals {
		hit = hit || v == x
	}
	for _, x := range f.StartsWith {
		hit = hit || strings.HasPrefix(v, x)
	}
	for _, x := range f.EndsWith {
		hit = hit || strings.HasSuffix(v, x)
	}
	if pos && !hit {
		return false
	}
	for _, x := range f.NotEquals {
		if v == x {
			return false
		}
	}
	for _, x := range f.NotStartsWith {
		if strings.HasPrefix(v, x) {
			return false
		}
	}
	for _, x := range f.NotEndsWith {
		if strings.HasSuffix(v, x) {
			return false
		}
	}
	return true
}

func advancedField(f string) bool {
	switch f {
	case "eventCategory", "readOnly", "eventName", "eventSource", "eventType", "errorCode", "userIdentity.arn",
		"resources.type", "resources.ARN":
		return true
	}
	return false
}

func dataResourceType(t string) bool {
	switch t {
	case "AWS::S3::Object", "AWS::Lambda::Function", "AWS::DynamoDB::Table":
		return true
	}
	return false
}

func validateSelectors(in *PutEventSelectorsInput) error {
	if len(in.EventSelectors) > 0 && len(in.AdvancedEventSelectors) > 0 {
		return ErrInvalidParamCombo.With("You cannot apply both event selectors and advanced event selectors to a trail.")
	}
	if len(in.EventSelectors) == 0 && len(in.AdvancedEventSelectors) == 0 {
		return ErrInvalidEventSelectors.With("You must specify at least one event selector or advanced event selector.")
	}
	if len(in.EventSelectors) > 5 {
		return ErrInvalidEventSelectors.With("You can specify at most 5 event selectors.")
	}
	values := 0
	for _, sel := range in.EventSelectors {
		switch sel.ReadWriteType {
		case "", "All", "ReadOnly", "WriteOnly":
		default:
			return ErrInvalidEventSelectors.With("Value %s for ReadWriteType is invalid.", sel.ReadWriteType)
		}
		for _, dr := range sel.DataResources {
			if !dataResourceType(dr.Type) {
				return ErrInvalidEventSelectors.With("Value %s for DataResources.Type is invalid.", dr.Type)
			}
			for _, v := range dr.Values {
				if !strings.HasPrefix(v, "arn:") {
					return ErrInvalidEventSelectors.With("Value %s for DataResources.Values is invalid.", v)
				}
			}
			values += len(dr.Values)
		}
	}
	if values > 250 {
		return ErrInvalidEventSelectors.With("You can specify at most 250 data resource values across all event selectors.")
	}
	conds := 0
	for _, sel := range in.AdvancedEventSelectors {
		if len(sel.FieldSelectors) == 0 {
			return ErrInvalidEventSelectors.With("Each advanced event selector needs at least one field selector.")
		}
		hasCat := false
		for _, f := range sel.FieldSelectors {
			if !advancedField(f.Field) {
				return ErrInvalidEventSelectors.With("Field %s is not a valid advanced event selector field.", f.Field)
			}
			n := len(f.Equals) + len(f.StartsWith) + len(f.EndsWith) + len(f.NotEquals) + len(f.NotStartsWith) + len(f.NotEndsWith)
			if n == 0 {
				return ErrInvalidEventSelectors.With("Field selector %s must have at least one operator.", f.Field)
			}
			conds += n
			if f.Field == "eventCategory" {
				hasCat = true
				for _, v := range f.Equals {
					if v != "Management" && v != "Data" {
						return ErrInvalidEventSelectors.With("Value %s for eventCategory is invalid.", v)
					}
				}
			}
		}
		if !hasCat {
			return ErrInvalidEventSelectors.With("Each advanced event selector must include the eventCategory field.")
		}
	}
	if conds > 500 {
		return ErrInvalidEventSelectors.With("You can specify at most 500 conditions across all advanced event selectors.")
	}
	return nil
}

// PutEventSelectors sets a trail's basic or advanced event selectors.
func (s *Service) PutEventSelectors(ctx context.Context, in *PutEventSelectorsInput) (*PutEventSelectorsOutput, error) {
	return dispatch.Do(ctx, s.d, "PutEventSelectors", in, s.putEventSelectors)
}

func (s *Service) putEventSelectors(ctx context.Context, in *PutEventSelectorsInput) (*PutEventSelectorsOutput, error) {
	if err := validateSelectors(in); err != nil {
		return nil, err
	}
	var out *PutEventSelectorsOutput
	err := s.mutate(ctx, in.TrailName, func(t *trailRecord) error {
		t.Basic, t.Advanced = nil, nil
		for _, sel := range in.EventSelectors {
			if sel.ReadWriteType == "" {
				sel.ReadWriteType = "All"
			}
			if sel.IncludeManagementEvents == nil {
				v := true
				sel.IncludeManagementEvents = &v
			}
			t.Basic = append(t.Basic, sel)
		}
		t.Advanced = in.AdvancedEventSelectors
		t.Custom = true
		out = &PutEventSelectorsOutput{EventSelectors: t.Basic, AdvancedEventSelectors: t.Advanced, TrailARN: t.ARN}
		return nil
	})
	return out, err
}

// GetEventSelectors returns a trail's event selectors.
func (s *Service) GetEventSelectors(ctx context.Context, in *GetEventSelectorsInput) (*GetEventSelectorsOutput, error) {
	return dispatch.Do(ctx, s.d, "GetEventSelectors", in, s.getEventSelectors)
}

func (s *Service) getEventSelectors(ctx context.Context, in *GetEventSelectorsInput) (*GetEventSelectorsOutput, error) {
	t, err := s.resolve(ctx, in.TrailName)
	if err != nil {
		return nil, err
	}
	return &GetEventSelectorsOutput{EventSelectors: t.Basic, AdvancedEventSelectors: t.Advanced, TrailARN: t.ARN}, nil
}

// PutInsightSelectors enables (or, with an empty list, disables) Insights on a trail.
func (s *Service) PutInsightSelectors(ctx context.Context, in *PutInsightSelectorsInput) (*PutInsightSelectorsOutput, error) {
	return dispatch.Do(ctx, s.d, "PutInsightSelectors", in, s.putInsightSelectors)
}

func (s *Service) putInsightSelectors(ctx context.Context, in *PutInsightSelectorsInput) (*PutInsightSelectorsOutput, error) {
	if in.EventDataStore != "" || in.InsightsDestination != "" {
		return nil, ErrUnsupportedOperation.With("Event data stores are not supported by devopsim.")
	}
	if in.TrailName == "" {
		return nil, ErrInvalidParamCombo.With("You must specify a TrailName.")
	}
	seen := map[string]bool{}
	for _, x := range in.InsightSelectors {
		if x.InsightType != "ApiCallRateInsight" && x.InsightType != "ApiErrorRateInsight" || seen[x.InsightType] {
			return nil, ErrInvalidInsightSelector.With("Insight selector %q is not valid.", x.InsightType)
		}
		for _, c := range x.EventCategories {
			if c != "Management" {
				return nil, ErrInvalidInsightSelector.With("Event category %s is not valid for trails.", c)
			}
		}
		seen[x.InsightType] = true
	}
	var out *PutInsightSelectorsOutput
	err := s.mutate(ctx, in.TrailName, func(t *trailRecord) error {
		t.Insights = in.InsightSelectors
		out = &PutInsightSelectorsOutput{InsightSelectors: t.Insights, TrailARN: t.ARN}
		return nil
	})
	return out, err
}

// GetInsightSelectors returns a trail's insight selectors.
func (s *Service) GetInsightSelectors(ctx context.Context, in *GetInsightSelectorsInput) (*GetInsightSelectorsOutput, error) {
	return dispatch.Do(ctx, s.d, "GetInsightSelectors", in, s.getInsightSelectors)
}

func (s *Service) getInsightSelectors(ctx context.Context, in *GetInsightSelectorsInput) (*GetInsightSelectorsOutput, error) {
	if in.EventDataStore != "" {
		return nil, ErrUnsupportedOperation.With("Event data stores are not supported by devopsim.")
	}
	t, err := s.resolve(ctx, in.TrailName)
	if err != nil {
		return nil, err
	}
	if len(t.Insights) == 0 {
		return nil, ErrInsightNotEnabled.With("Trail %s does not have Insights enabled.", t.ARN)
	}
	return &GetInsightSelectorsOutput{InsightSelectors: t.Insights, TrailARN: t.ARN}, nil
}

// MaxTags is AWS's limit of tags per trail.
const MaxTags = 50

func validTags(tags []Tag) error {
	if len(tags) > MaxTags {
		return ErrTagsLimitExceeded.With("The number of tags exceeds %d.", MaxTags)
	}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 || strings.HasPrefix(t.Key, "aws:") {
			return ErrInvalidTagParameter.With("Tag key %q or its value is not valid.", t.Key)
		}
	}
	return nil
}

// AddTags adds or overwrites tags on a trail.
func (s *Service) AddTags(ctx context.Context, in *AddTagsInput) (*Empty, error) {
	return dispatch.Do(ctx, s.d, "AddTags", in, s.addTags)
}

func (s *Service) addTags(ctx context.Context, in *AddTagsInput) (*Empty, error) {
	if err := validTags(in.TagsList); err != nil {
		return nil, err
	}
	err := s.mutateTags(ctx, in.ResourceID, func(t *trailRecord) error {
		for _, nt := range in.TagsList {
			found := false
			for i := range t.Tags {
				if t.Tags[i].Key == nt.Key {
					t.Tags[i].Value, found = nt.Value, true
				}
			}
			if !found {
				t.Tags = append(t.Tags, nt)
			}
		}
		if len(t.Tags) > MaxTags {
			return ErrTagsLimitExceeded.With("The number of tags exceeds %d.", MaxTags)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// RemoveTags removes tags from a trail.
func (s *Service) RemoveTags(ctx context.Context, in *RemoveTagsInput) (*Empty, error) {
	return dispatch.Do(ctx, s.d, "RemoveTags", in, s.removeTags)
}

func (s *Service) removeTags(ctx context.Context, in *RemoveTagsInput) (*Empty, error) {
	err := s.mutateTags(ctx, in.ResourceID, func(t *trailRecord) error {
		kept := t.Tags[:0]
		for _, old := range t.Tags {
			drop := false
			for _, x := range in.TagsList {
				if x.Key == old.Key && (x.Value == "" || x.Value == old.Value) {
					drop = true
				}
			}
			if !drop {
				kept = append(kept, old)
			}
		}
		t.Tags = kept
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

func (s *Service) mutateTags(ctx context.Context, arn string, fn func(*trailRecord) error) error {
	if !strings.HasPrefix(arn, "arn:") {
		return ErrARNInvalid.With("ResourceId %s is not a valid trail ARN.", arn)
	}
	return s.mutate(ctx, arn, fn)
}

// ListTags lists the tags of trails.
func (s *Service) ListTags(ctx context.Context, in *ListTagsInput) (*ListTagsOutput, error) {
	return dispatch.Do(ctx, s.d, "ListTags", in, s.listTags)
}

func (s *Service) listTags(ctx context.Context, in *ListTagsInput) (*ListTagsOutput, error) {
	if len(in.ResourceIDList) > 20 {
		return nil, ErrInvalidParameter.With("You can list the tags of at most 20 resources.")
	}
	out := &ListTagsOutput{ResourceTagList: []ResourceTag{}}
	for _, id := range in.ResourceIDList {
		if !strings.HasPrefix(id, "arn:") {
			return nil, ErrARNInvalid.With("ResourceId %s is not a valid trail ARN.", id)
		}
		t, err := s.resolve(ctx, id)
		if err != nil {
			return nil, ErrResourceNotFound.With("Resource %s not found.", id)
		}
		out.ResourceTagList = append(out.ResourceTagList, ResourceTag{ResourceID: t.ARN, TagsList: t.Tags})
	}
	return out, nil
}
