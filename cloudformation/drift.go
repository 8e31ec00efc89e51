package cloudformation

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/cloudformation/template"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// Reader is the optional part of the provider contract drift detection uses: Read returns a
// resource's current properties (in the template's shape) or an error matching
// apierr.NotFound / store.ErrNotFound when the resource is gone. Providers that do not
// implement it (or return ErrNotReadable) are reported NOT_CHECKED.
type Reader interface {
	Read(ctx context.Context, req *Request) (map[string]any, error)
}

// ErrNotReadable is what a Read returns when it cannot report properties.
var ErrNotReadable = errors.New("cloudformation: provider cannot read properties")

// PropertyDifference is one difference drift detection found.
type PropertyDifference struct {
	PropertyPath   string `json:"PropertyPath"`
	ExpectedValue  string `json:"ExpectedValue"`
	ActualValue    string `json:"ActualValue"`
	DifferenceType string `json:"DifferenceType"`
}

// StackResourceDrift is one resource's drift result.
type StackResourceDrift struct {
	StackId                  string               `json:"StackId"`
	LogicalResourceId        string               `json:"LogicalResourceId"`
	PhysicalResourceId       string               `json:"PhysicalResourceId,omitempty"`
	ResourceType             string               `json:"ResourceType"`
	ExpectedProperties       string               `json:"ExpectedProperties,omitempty"`
	ActualProperties         string               `json:"ActualProperties,omitempty"`
	PropertyDifferences      []PropertyDifference `json:"PropertyDifferences,omitempty"`
	StackResourceDriftStatus string               `json:"StackResourceDriftStatus"`
	Timestamp                time.Time            `json:"Timestamp"`
}

type DetectStackDriftInput struct {
	StackName          string   `json:"StackName"`
	LogicalResourceIds []string `json:"LogicalResourceIds,omitempty"`
}
type DetectStackDriftOutput struct {
	StackDriftDetectionId string `json:"StackDriftDetectionId"`
}
type DescribeStackDriftDetectionStatusInput struct {
	StackDriftDetectionId string `json:"StackDriftDetectionId"`
}
type DescribeStackDriftDetectionStatusOutput struct {
	StackId                   string    `json:"StackId"`
	StackDriftDetectionId     string    `json:"StackDriftDetectionId"`
	StackDriftStatus          string    `json:"StackDriftStatus,omitempty"`
	DetectionStatus           string    `json:"DetectionStatus"`
	DetectionStatusReason     string    `json:"DetectionStatusReason,omitempty"`
	DriftedStackResourceCount *int32    `json:"DriftedStackResourceCount,omitempty"`
	Timestamp                 time.Time `json:"Timestamp"`
}
type DetectStackResourceDriftInput struct {
	StackName         string `json:"StackName"`
	LogicalResourceId string `json:"LogicalResourceId"`
}
type DetectStackResourceDriftOutput struct {
	StackResourceDrift *StackResourceDrift `json:"StackResourceDrift"`
}
type DescribeStackResourceDriftsInput struct {
	StackName                       string   `json:"StackName"`
	StackResourceDriftStatusFilters []string `json:"StackResourceDriftStatusFilters,omitempty"`
	NextToken                       string   `json:"NextToken,omitempty"`
	MaxResults                      *int32   `json:"MaxResults,omitempty"`
}
type DescribeStackResourceDriftsOutput struct {
	StackResourceDrifts []StackResourceDrift `json:"StackResourceDrifts"`
	NextToken           string               `json:"NextToken,omitempty"`
}

type driftRecord struct {
	ID      string    `json:"id"`
	StackID string    `json:"stackId"`
	Status  string    `json:"status"`
	Drift   string    `json:"drift,omitempty"`
	Reason  string    `json:"reason,omitempty"`
	Drifted int32     `json:"drifted"`
	Time    time.Time `json:"time"`
}

func stableForDrift(status string) bool {
	return strings.HasSuffix(status, "_COMPLETE") && status != "DELETE_COMPLETE" && status != "REVIEW_IN_PROGRESS" ||
		status == "UPDATE_FAILED" || status == "CREATE_FAILED"
}

// checkDrift reads one resource and compares it with its template properties.
func (s *Service) checkDrift(ctx context.Context, st stackRecord, r resourceRecord, now time.Time) StackResourceDrift {
	d := StackResourceDrift{StackId: st.ID, LogicalResourceId: r.LogicalID, PhysicalResourceId: r.PhysicalID, ResourceType: r.Type,
		StackResourceDriftStatus: "NOT_CHECKED", Timestamp: now}
	spec, ok := s.spec(r.Type)
	if !ok {
		return d
	}
	rd, ok := spec.Provider.(Reader)
	if !ok {
		return d
	}
	actual, err := rd.Read(ctx, &Request{StackID: st.ID, StackName: st.Name, LogicalID: r.LogicalID, Type: r.Type,
		PhysicalID: r.PhysicalID, Properties: r.Props, Attributes: r.Attrs})
	exp, _ := json.Marshal(nonNil(r.Props))
	d.ExpectedProperties = string(exp)
	switch {
	case errors.Is(err, ErrNotReadable):
		d.ExpectedProperties = ""
		return d
	case errors.Is(err, apierr.NotFound) || errors.Is(err, store.ErrNotFound):
		d.StackResourceDriftStatus = "DELETED"
		return d
	case err != nil:
		s.log.Warn("cloudformation: drift read", "resource", r.LogicalID, "err", err)
		d.ExpectedProperties = ""
		return d
	}
	act, _ := json.Marshal(nonNil(actual))
	d.ActualProperties = string(act)
	d.PropertyDifferences = diffProps("", r.Props, actual)
	d.StackResourceDriftStatus = "IN_SYNC"
	if len(d.PropertyDifferences) > 0 {
		d.StackResourceDriftStatus = "MODIFIED"
	}
	return d
}

func nonNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func jsonText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// diffProps lists the differences between the expected (template) and actual values. Only
// what the template sets is compared, as CloudFormation does; list elements are compared by
// position.
func diffProps(path string, expected, actual any) []PropertyDifference {
	switch e := expected.(type) {
	case map[string]any:
		a, ok := actual.(map[string]any)
		if !ok {
			if actual == nil {
				return []PropertyDifference{{PropertyPath: orRoot(path), ExpectedValue: jsonText(e), ActualValue: "null", DifferenceType: "REMOVE"}}
			}
			return []PropertyDifference{{PropertyPath: orRoot(path), ExpectedValue: jsonText(e), ActualValue: jsonText(actual), DifferenceType: "NOT_EQUAL"}}
		}
		var out []PropertyDifference
		for _, k := range template.SortedKeys(e) {
			p := path + "/" + k
			av, ok := a[k]
			if !ok {
				out = append(out, PropertyDifference{PropertyPath: p, ExpectedValue: jsonText(e[k]), ActualValue: "null", DifferenceType: "REMOVE"})
				continue
			}
			out = append(out, diffProps(p, e[k], av)...)
		}
		return out
	case []any:
		a, ok := actual.([]any)
		if !ok {
			return []PropertyDifference{{PropertyPath: orRoot(path), ExpectedValue: jsonText(e), ActualValue: jsonText(actual), DifferenceType: "NOT_EQUAL"}}
		}
		var out []PropertyDifference
		for i := range max(len(e), len(a)) {
			p := path + "/" + strconv.Itoa(i)
			switch {
			case i >= len(a):
				out = append(out, PropertyDifference{PropertyPath: p, ExpectedValue: jsonText(e[i]), ActualValue: "null", DifferenceType: "REMOVE"})
			case i >= len(e):
				out = append(out, PropertyDifference{PropertyPath: p, ExpectedValue: "null", ActualValue: jsonText(a[i]), DifferenceType: "ADD"})
			default:
				out = append(out, diffProps(p, e[i], a[i])...)
			}
		}
		return out
	}
	if template.String(expected) != template.String(actual) {
		return []PropertyDifference{{PropertyPath: orRoot(path), ExpectedValue: template.String(expected), ActualValue: template.String(actual), DifferenceType: "NOT_EQUAL"}}
	}
	return nil
}

func orRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func (s *Service) saveDrift(ctx context.Context, st stackRecord, d StackResourceDrift) {
	if err := s.drifts.Put(ctx, stackKey(&st)+"/"+d.LogicalResourceId, d); err != nil {
		s.log.Warn("cloudformation: drift", "err", err)
	}
}

// DetectStackDrift compares every resource whose provider can report its properties (or the
// listed ones) with the template. Detection completes before the call returns.
func (s *Service) DetectStackDrift(ctx context.Context, in *DetectStackDriftInput) (*DetectStackDriftOutput, error) {
	return dispatch.Do(ctx, s.d, "DetectStackDrift", in, func(ctx context.Context, in *DetectStackDriftInput) (*DetectStackDriftOutput, error) {
		st, err := s.findStack(ctx, in.StackName)
		if err != nil {
			return nil, err
		}
		if !stableForDrift(st.Status) || s.runningOp(st.ID) != nil {
			return nil, validation("Drift detection cannot be performed on stack [%s] in status %s", st.Name, st.Status)
		}
		recs, err := s.stackResources(ctx, st)
		if err != nil {
			return nil, err
		}
		only := map[string]bool{}
		for _, id := range in.LogicalResourceIds {
			only[id] = true
		}
		for id := range only {
			found := false
			for _, r := range recs {
				found = found || r.LogicalID == id
			}
			if !found {
				return nil, validation("Resource %s does not exist for stack %s", id, st.Name)
			}
		}
		now := s.now()
		rec := driftRecord{ID: uuid.NewString(), StackID: st.ID, Status: "DETECTION_COMPLETE", Drift: "IN_SYNC", Time: now}
		for _, r := range recs {
			if len(only) > 0 && !only[r.LogicalID] || strings.HasPrefix(r.Status, "DELETE") {
				continue
			}
			d := s.checkDrift(ctx, st, r, now)
			if d.StackResourceDriftStatus == "NOT_CHECKED" {
				continue
			}
			s.saveDrift(ctx, st, d)
			if d.StackResourceDriftStatus == "MODIFIED" || d.StackResourceDriftStatus == "DELETED" {
				rec.Drifted++
				rec.Drift = "DRIFTED"
			}
		}
		if _, err := s.updateStack(ctx, &st, func(r *stackRecord) { r.Drift, r.DriftTime = rec.Drift, now }); err != nil {
			return nil, err
		}
		if err := s.driftRuns.Put(ctx, core.ScopeKey(ctx)+rec.ID, rec); err != nil {
			return nil, err
		}
		return &DetectStackDriftOutput{StackDriftDetectionId: rec.ID}, nil
	})
}

// DescribeStackDriftDetectionStatus reports a drift detection's result.
func (s *Service) DescribeStackDriftDetectionStatus(ctx context.Context, in *DescribeStackDriftDetectionStatusInput) (*DescribeStackDriftDetectionStatusOutput, error) {
	return dispatch.Do(ctx, s.d, "DescribeStackDriftDetectionStatus", in, func(ctx context.Context, in *DescribeStackDriftDetectionStatusInput) (*DescribeStackDriftDetectionStatusOutput, error) {
		rec, err := s.driftRuns.Get(ctx, core.ScopeKey(ctx)+in.StackDriftDetectionId)
		if err != nil {
			return nil, validation("Drift detection with ID %s does not exist", in.StackDriftDetectionId)
		}
		n := rec.Drifted
		return &DescribeStackDriftDetectionStatusOutput{StackId: rec.StackID, StackDriftDetectionId: rec.ID, StackDriftStatus: rec.Drift,
			DetectionStatus: rec.Status, DetectionStatusReason: rec.Reason, DriftedStackResourceCount: &n, Timestamp: rec.Time}, nil
	})
}

// DetectStackResourceDrift checks one resource.
func (s *Service) DetectStackResourceDrift(ctx context.Context, in *DetectStackResourceDriftInput) (*DetectStackResourceDriftOutput, error) {
	return dispatch.Do(ctx, s.d, "DetectStackResourceDrift", in, func(ctx context.Context, in *DetectStackResourceDriftInput) (*DetectStackResourceDriftOutput, error) {
		st, err := s.findStack(ctx, in.StackName)
		if err != nil {
			return nil, err
		}
		if !stableForDrift(st.Status) || s.runningOp(st.ID) != nil {
			return nil, validation("Drift detection cannot be performed on stack [%s] in status %s", st.Name, st.Status)
		}
		r, ok := s.stackResource(ctx, st, in.LogicalResourceId)
		if !ok || strings.HasPrefix(r.Status, "DELETE") {
			return nil, validation("Resource %s does not exist for stack %s", in.LogicalResourceId, st.Name)
		}
		d := s.checkDrift(ctx, st, r, s.now())
		if d.StackResourceDriftStatus == "NOT_CHECKED" {
			return nil, validation("Drift detection is not supported for resource type %s", r.Type)
		}
		s.saveDrift(ctx, st, d)
		return &DetectStackResourceDriftOutput{StackResourceDrift: &d}, nil
	})
}

// DescribeStackResourceDrifts lists the last drift results of a stack's resources.
func (s *Service) DescribeStackResourceDrifts(ctx context.Context, in *DescribeStackResourceDriftsInput) (*DescribeStackResourceDriftsOutput, error) {
	return dispatch.Do(ctx, s.d, "DescribeStackResourceDrifts", in, func(ctx context.Context, in *DescribeStackResourceDriftsInput) (*DescribeStackResourceDriftsOutput, error) {
		st, err := s.findStack(ctx, in.StackName)
		if err != nil {
			return nil, err
		}
		filter := map[string]bool{}
		for _, f := range in.StackResourceDriftStatusFilters {
			switch f {
			case "IN_SYNC", "MODIFIED", "DELETED", "NOT_CHECKED", "UNKNOWN", "UNSUPPORTED":
			default:
				return nil, validation("1 validation error detected: Value '[%s]' at 'stackResourceDriftStatusFilters' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [IN_SYNC, MODIFIED, DELETED, NOT_CHECKED]]", f)
			}
			filter[f] = true
		}
		limit := 100
		if in.MaxResults != nil {
			if *in.MaxResults < 1 || *in.MaxResults > 100 {
				return nil, validation("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100", *in.MaxResults)
			}
			limit = int(*in.MaxResults)
		}
		all, err := s.drifts.All(ctx, stackKey(&st)+"/")
		if err != nil {
			return nil, err
		}
		sort.Slice(all, func(i, j int) bool { return all[i].LogicalResourceId < all[j].LogicalResourceId })
		out := &DescribeStackResourceDriftsOutput{StackResourceDrifts: []StackResourceDrift{}}
		for _, d := range all {
			if in.NextToken != "" && d.LogicalResourceId <= in.NextToken {
				continue
			}
			if len(filter) > 0 && !filter[d.StackResourceDriftStatus] {
				continue
			}
			if len(out.StackResourceDrifts) == limit {
				out.NextToken = out.StackResourceDrifts[limit-1].LogicalResourceId
				break
			}
			out.StackResourceDrifts = append(out.StackResourceDrifts, d)
		}
		return out, nil
	})
}

// Account limits and cost ---------------------------------------------------------------------

// AccountLimit is one CloudFormation quota.
type AccountLimit struct {
	Name  string `json:"Name"`
	Value *int32 `json:"Value"`
}
type DescribeAccountLimitsInput struct {
	NextToken string `json:"NextToken,omitempty"`
}
type DescribeAccountLimitsOutput struct {
	AccountLimits []AccountLimit `json:"AccountLimits"`
	NextToken     string         `json:"NextToken,omitempty"`
}

// StackLimit is the number of stacks an account may have per region (AWS's default quota).
const StackLimit = 2000

// DescribeAccountLimits returns AWS's default quotas (StackLimit, StackOutputsLimit,
// ConcurrentResourcesLimit).
func (s *Service) DescribeAccountLimits(ctx context.Context, in *DescribeAccountLimitsInput) (*DescribeAccountLimitsOutput, error) {
	return dispatch.Do(ctx, s.d, "DescribeAccountLimits", in, func(ctx context.Context, in *DescribeAccountLimitsInput) (*DescribeAccountLimitsOutput, error) {
		v := func(n int32) *int32 { return &n }
		return &DescribeAccountLimitsOutput{AccountLimits: []AccountLimit{
			{Name: "StackLimit", Value: v(StackLimit)}, {Name: "StackOutputsLimit", Value: v(200)}, {Name: "ConcurrentResourcesLimit", Value: v(2500)},
		}}, nil
	})
}

type EstimateTemplateCostInput struct {
	TemplateBody string      `json:"TemplateBody,omitempty"`
	TemplateURL  string      `json:"TemplateURL,omitempty"`
	Parameters   []Parameter `json:"Parameters,omitempty"`
}
type EstimateTemplateCostOutput struct {
	Url string `json:"Url,omitempty"`
}

// EstimateTemplateCost is refused: AWS answers with a link to its pricing calculator, which
// has no local equivalent. The template is still checked, so a bad template gets its error.
func (s *Service) EstimateTemplateCost(ctx context.Context, in *EstimateTemplateCostInput) (*EstimateTemplateCostOutput, error) {
	return dispatch.Do(ctx, s.d, "EstimateTemplateCost", in, func(ctx context.Context, in *EstimateTemplateCostInput) (*EstimateTemplateCostOutput, error) {
		body, err := s.templateBody(ctx, in.TemplateBody, in.TemplateURL)
		if err != nil {
			return nil, err
		}
		if _, err := s.load(body); err != nil {
			return nil, err
		}
		return nil, apierr.ErrNotImplemented.With("EstimateTemplateCost is not supported by devopsim: AWS answers with an AWS Pricing Calculator link, which has no local equivalent")
	})
}

// driftMap returns the last drift result of each of a stack's resources.
func (s *Service) driftMap(ctx context.Context, st stackRecord) map[string]StackResourceDrift {
	all, err := s.drifts.All(ctx, stackKey(&st)+"/")
	if err != nil || len(all) == 0 {
		return nil
	}
	out := make(map[string]StackResourceDrift, len(all))
	for _, d := range all {
		out[d.LogicalResourceId] = d
	}
	return out
}

func driftInfo(r resourceRecord, drifts map[string]StackResourceDrift) *StackResourceDriftInformation {
	if d, ok := drifts[r.LogicalID]; ok && d.PhysicalResourceId == r.PhysicalID {
		t := d.Timestamp
		return &StackResourceDriftInformation{StackResourceDriftStatus: d.StackResourceDriftStatus, LastCheckTimestamp: &t}
	}
	return &StackResourceDriftInformation{StackResourceDriftStatus: "NOT_CHECKED"}
}

func stackDriftInfo(st stackRecord) *StackDriftInformation {
	if st.Drift == "" {
		return &StackDriftInformation{StackDriftStatus: "NOT_CHECKED"}
	}
	t := st.DriftTime
	return &StackDriftInformation{StackDriftStatus: st.Drift, LastCheckTimestamp: &t}
}
