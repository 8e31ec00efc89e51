package codebuild

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/devopsim/devopsim/codebuild/buildspec"
	"github.com/devopsim/devopsim/codebuild/reports"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// ReportExportConfig says where raw report files are exported.
type ReportExportConfig struct {
	ExportConfigType string             `json:"exportConfigType,omitempty"` // NO_EXPORT, S3
	S3Destination    *S3ReportExportCfg `json:"s3Destination,omitempty"`
}

// S3ReportExportCfg is an S3 export destination.
type S3ReportExportCfg struct {
	Bucket             string `json:"bucket,omitempty"`
	Path               string `json:"path,omitempty"`
	Packaging          string `json:"packaging,omitempty"`
	EncryptionDisabled bool   `json:"encryptionDisabled,omitzero"`
}

// ReportGroup groups the reports of one kind.
type ReportGroup struct {
	Arn          string              `json:"arn,omitempty"`
	Name         string              `json:"name,omitempty"`
	Type         string              `json:"type,omitempty"` // TEST, CODE_COVERAGE
	ExportConfig *ReportExportConfig `json:"exportConfig,omitempty"`
	Created      time.Time           `json:"created,omitzero"`
	LastModified time.Time           `json:"lastModified,omitzero"`
	Tags         []Tag               `json:"tags,omitempty"`
	Status       string              `json:"status,omitempty"`
}

// TestReportSummary counts a test report's cases.
type TestReportSummary struct {
	Total                 int32            `json:"total"`
	StatusCounts          map[string]int32 `json:"statusCounts"`
	DurationInNanoSeconds int64            `json:"durationInNanoSeconds"`
}

// CodeCoverageReportSummary totals a coverage report.
type CodeCoverageReportSummary struct {
	LineCoveragePercentage   float64 `json:"lineCoveragePercentage"`
	LinesCovered             int32   `json:"linesCovered"`
	LinesMissed              int32   `json:"linesMissed"`
	BranchCoveragePercentage float64 `json:"branchCoveragePercentage"`
	BranchesCovered          int32   `json:"branchesCovered"`
	BranchesMissed           int32   `json:"branchesMissed"`
}

// Report is one build's report for one report group.
type Report struct {
	Arn                 string                     `json:"arn,omitempty"`
	Type                string                     `json:"type,omitempty"`
	Name                string                     `json:"name,omitempty"`
	ReportGroupArn      string                     `json:"reportGroupArn,omitempty"`
	ExecutionId         string                     `json:"executionId,omitempty"`
	Status              string                     `json:"status,omitempty"` // SUCCEEDED, FAILED, INCOMPLETE...
	Created             time.Time                  `json:"created,omitzero"`
	Expired             time.Time                  `json:"expired,omitzero"`
	ExportConfig        *ReportExportConfig        `json:"exportConfig,omitempty"`
	Truncated           bool                       `json:"truncated,omitzero"`
	TestSummary         *TestReportSummary         `json:"testSummary,omitempty"`
	CodeCoverageSummary *CodeCoverageReportSummary `json:"codeCoverageSummary,omitempty"`
}

// TestCase is one test's result in a report.
type TestCase struct {
	ReportArn             string    `json:"reportArn,omitempty"`
	TestRawDataPath       string    `json:"testRawDataPath,omitempty"`
	Prefix                string    `json:"prefix,omitempty"`
	Name                  string    `json:"name,omitempty"`
	Status                string    `json:"status,omitempty"`
	DurationInNanoSeconds int64     `json:"durationInNanoSeconds"`
	Message               string    `json:"message,omitempty"`
	Expired               time.Time `json:"expired,omitzero"`
	TestSuiteName         string    `json:"testSuiteName,omitempty"`
}

// CodeCoverage is one file's coverage in a report.
type CodeCoverage struct {
	Id                       string    `json:"id,omitempty"`
	ReportARN                string    `json:"reportARN,omitempty"`
	FilePath                 string    `json:"filePath,omitempty"`
	LineCoveragePercentage   float64   `json:"lineCoveragePercentage"`
	LinesCovered             int32     `json:"linesCovered"`
	LinesMissed              int32     `json:"linesMissed"`
	BranchCoveragePercentage float64   `json:"branchCoveragePercentage"`
	BranchesCovered          int32     `json:"branchesCovered"`
	BranchesMissed           int32     `json:"branchesMissed"`
	Expired                  time.Time `json:"expired,omitzero"`
}

type reportData struct {
	Report    Report         `json:"report"`
	Cases     []TestCase     `json:"cases,omitempty"`
	Coverages []CodeCoverage `json:"coverages,omitempty"`
}

// CreateReportGroupInput creates a report group.
type CreateReportGroupInput struct {
	Name         string              `json:"name,omitempty"`
	Type         string              `json:"type,omitempty"`
	ExportConfig *ReportExportConfig `json:"exportConfig,omitempty"`
	Tags         []Tag               `json:"tags,omitempty"`
}

// CreateReportGroupOutput is the new group.
type CreateReportGroupOutput struct {
	ReportGroup *ReportGroup `json:"reportGroup,omitempty"`
}

// DeleteReportGroupInput deletes a report group.
type DeleteReportGroupInput struct {
	Arn           string `json:"arn,omitempty"`
	DeleteReports bool   `json:"deleteReports,omitzero"`
}

// DeleteReportGroupOutput is empty.
type DeleteReportGroupOutput struct{}

// BatchGetReportGroupsInput lists group ARNs.
type BatchGetReportGroupsInput struct {
	ReportGroupArns []string `json:"reportGroupArns,omitempty"`
}

// BatchGetReportGroupsOutput has the groups found.
type BatchGetReportGroupsOutput struct {
	ReportGroups         []ReportGroup `json:"reportGroups"`
	ReportGroupsNotFound []string      `json:"reportGroupsNotFound"`
}

// ListReportGroupsInput pages through group ARNs.
type ListReportGroupsInput struct {
	SortOrder  string `json:"sortOrder,omitempty"`
	SortBy     string `json:"sortBy,omitempty"`
	NextToken  string `json:"nextToken,omitempty"`
	MaxResults int32  `json:"maxResults,omitzero"`
}

// ListReportGroupsOutput is one page.
type ListReportGroupsOutput struct {
	ReportGroups []string `json:"reportGroups"`
	NextToken    string   `json:"nextToken,omitempty"`
}

// ListReportsInput pages through report ARNs.
type ListReportsInput struct {
	SortOrder  string `json:"sortOrder,omitempty"`
	NextToken  string `json:"nextToken,omitempty"`
	MaxResults int32  `json:"maxResults,omitzero"`
}

// ListReportsOutput is one page.
type ListReportsOutput struct {
	Reports   []string `json:"reports"`
	NextToken string   `json:"nextToken,omitempty"`
}

// ListReportsForReportGroupInput pages through one group's reports.
type ListReportsForReportGroupInput struct {
	ReportGroupArn string `json:"reportGroupArn,omitempty"`
	SortOrder      string `json:"sortOrder,omitempty"`
	NextToken      string `json:"nextToken,omitempty"`
	MaxResults     int32  `json:"maxResults,omitzero"`
}

// BatchGetReportsInput lists report ARNs.
type BatchGetReportsInput struct {
	ReportArns []string `json:"reportArns,omitempty"`
}

// BatchGetReportsOutput has the reports found.
type BatchGetReportsOutput struct {
	Reports         []Report `json:"reports"`
	ReportsNotFound []string `json:"reportsNotFound"`
}

// DeleteReportInput deletes a report.
type DeleteReportInput struct {
	Arn string `json:"arn,omitempty"`
}

// DeleteReportOutput is empty.
type DeleteReportOutput struct{}

// TestCaseFilter filters test cases.
type TestCaseFilter struct {
	Status  string `json:"status,omitempty"`
	Keyword string `json:"keyword,omitempty"`
}

// DescribeTestCasesInput pages through a report's test cases.
type DescribeTestCasesInput struct {
	ReportArn  string          `json:"reportArn,omitempty"`
	Filter     *TestCaseFilter `json:"filter,omitempty"`
	NextToken  string          `json:"nextToken,omitempty"`
	MaxResults int32           `json:"maxResults,omitzero"`
}

// DescribeTestCasesOutput is one page.
type DescribeTestCasesOutput struct {
	TestCases []TestCase `json:"testCases"`
	NextToken string     `json:"nextToken,omitempty"`
}

// DescribeCodeCoveragesInput pages through a report's file coverages.
type DescribeCodeCoveragesInput struct {
	ReportArn          string  `json:"reportArn,omitempty"`
	SortOrder          string  `json:"sortOrder,omitempty"`
	SortBy             string  `json:"sortBy,omitempty"` // LINE_COVERAGE_PERCENTAGE, FILE_PATH
	MinLineCoveragePct float64 `json:"minLineCoveragePercentage,omitzero"`
	MaxLineCoveragePct float64 `json:"maxLineCoveragePercentage,omitzero"`
	NextToken          string  `json:"nextToken,omitempty"`
	MaxResults         int32   `json:"maxResults,omitzero"`
}

// DescribeCodeCoveragesOutput is one page.
type DescribeCodeCoveragesOutput struct {
	CodeCoverages []CodeCoverage `json:"codeCoverages"`
	NextToken     string         `json:"nextToken,omitempty"`
}

var reportGroupNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9\-_]{1,127}$`)

func (s *Service) groupTable() *store.Table[ReportGroup] {
	return store.NewTable[ReportGroup](s.env.Store, "codebuild/reportgroup/")
}

func (s *Service) reportTable() *store.Table[reportData] {
	return store.NewTable[reportData](s.env.Store, "codebuild/report/")
}

// arnName returns the part of an ARN after "kind/".
func arnName(ref, kind string) string {
	if i := strings.Index(ref, ":"+kind+"/"); i >= 0 {
		return ref[i+len(kind)+2:]
	}
	return ref
}

// CreateReportGroup creates a report group.
func (s *Service) CreateReportGroup(ctx context.Context, in *CreateReportGroupInput) (*CreateReportGroupOutput, error) {
	return dispatch.Do(ctx, s.d, "CreateReportGroup", in, func(ctx context.Context, in *CreateReportGroupInput) (*CreateReportGroupOutput, error) {
		if !reportGroupNameRE.MatchString(in.Name) {
			return nil, ErrInvalidInput.With("Invalid report group name: %q", in.Name)
		}
		if in.Type != "TEST" && in.Type != "CODE_COVERAGE" {
			return nil, ErrInvalidInput.With("Invalid report group type: %q; must be TEST or CODE_COVERAGE", in.Type)
		}
		if in.ExportConfig == nil {
			return nil, ErrInvalidInput.With("exportConfig is required")
		}
		g, err := s.createGroup(ctx, in)
		if err != nil {
			return nil, err
		}
		return &CreateReportGroupOutput{ReportGroup: &g}, nil
	})
}

func (s *Service) createGroup(ctx context.Context, in *CreateReportGroupInput) (ReportGroup, error) {
	now := s.env.Clock.Now()
	g := ReportGroup{Arn: core.ARN(ctx, "codebuild", "report-group/"+in.Name), Name: in.Name, Type: in.Type,
		ExportConfig: in.ExportConfig, Created: now, LastModified: now, Tags: in.Tags, Status: "ACTIVE"}
	if err := s.groupTable().Create(ctx, core.ScopeKey(ctx)+in.Name, g); err == store.ErrExists {
		return g, ErrResourceAlreadyExists.With("Report group %s already exists", in.Name)
	} else if err != nil {
		return g, err
	}
	return g, nil
}

// DeleteReportGroup deletes a report group (and its reports when asked).
func (s *Service) DeleteReportGroup(ctx context.Context, in *DeleteReportGroupInput) (*DeleteReportGroupOutput, error) {
	return dispatch.Do(ctx, s.d, "DeleteReportGroup", in, func(ctx context.Context, in *DeleteReportGroupInput) (*DeleteReportGroupOutput, error) {
		name := arnName(in.Arn, "report-group")
		reps, err := s.reportTable().All(ctx, core.ScopeKey(ctx)+name+":")
		if err != nil {
			return nil, err
		}
		if len(reps) > 0 && !in.DeleteReports {
			return nil, ErrInvalidInput.With("Report group %s has reports; set deleteReports to delete them too", name)
		}
		for _, r := range reps {
			_ = s.reportTable().Delete(ctx, core.ScopeKey(ctx)+arnName(r.Report.Arn, "report"))
		}
		if err := s.groupTable().Delete(ctx, core.ScopeKey(ctx)+name); err != nil && err != store.ErrNotFound {
			return nil, err
		}
		return &DeleteReportGroupOutput{}, nil
	})
}

// BatchGetReportGroups returns report groups by ARN.
func (s *Service) BatchGetReportGroups(ctx context.Context, in *BatchGetReportGroupsInput) (*BatchGetReportGroupsOutput, error) {
	return dispatch.Do(ctx, s.d, "BatchGetReportGroups", in, func(ctx context.Context, in *BatchGetReportGroupsInput) (*BatchGetReportGroupsOutput, error) {
		if len(in.ReportGroupArns) == 0 || len(in.ReportGroupArns) > 100 {
			return nil, ErrInvalidInput.With("reportGroupArns must list between 1 and 100 report groups")
		}
		out := &BatchGetReportGroupsOutput{ReportGroups: []ReportGroup{}, ReportGroupsNotFound: []string{}}
		for _, a := range in.ReportGroupArns {
			g, err := s.groupTable().Get(ctx, core.ScopeKey(ctx)+arnName(a, "report-group"))
			if err != nil {
				out.ReportGroupsNotFound = append(out.ReportGroupsNotFound, a)
				continue
			}
			out.ReportGroups = append(out.ReportGroups, g)
		}
		return out, nil
	})
}

// ListReportGroups lists report group ARNs.
func (s *Service) ListReportGroups(ctx context.Context, in *ListReportGroupsInput) (*ListReportGroupsOutput, error) {
	return dispatch.Do(ctx, s.d, "ListReportGroups", in, func(ctx context.Context, in *ListReportGroupsInput) (*ListReportGroupsOutput, error) {
		groups, err := s.groupTable().All(ctx, core.ScopeKey(ctx))
		if err != nil {
			return nil, err
		}
		switch in.SortBy {
		case "", "NAME":
		case "CREATED_TIME":
			slices.SortStableFunc(groups, func(a, b ReportGroup) int { return a.Created.Compare(b.Created) })
		case "LAST_MODIFIED_TIME":
			slices.SortStableFunc(groups, func(a, b ReportGroup) int { return a.LastModified.Compare(b.LastModified) })
		default:
			return nil, ErrInvalidInput.With("Invalid sortBy: %q", in.SortBy)
		}
		arns := make([]string, len(groups))
		for i, g := range groups {
			arns[i] = g.Arn
		}
		if in.SortOrder == "DESCENDING" {
			slices.Reverse(arns)
		}
		page, next, err := paginate(arns, in.NextToken, pageSize(in.MaxResults))
		if err != nil {
			return nil, err
		}
		return &ListReportGroupsOutput{ReportGroups: page, NextToken: next}, nil
	})
}

func pageSize(n int32) int {
	if n <= 0 || n > 100 {
		return 100
	}
	return int(n)
}

func (s *Service) reportArns(ctx context.Context, prefix, order string) ([]string, error) {
	reps, err := s.reportTable().All(ctx, core.ScopeKey(ctx)+prefix)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(reps, func(a, b reportData) int { return b.Report.Created.Compare(a.Report.Created) })
	arns := make([]string, len(reps))
	for i, r := range reps {
		arns[i] = r.Report.Arn
	}
	if order == "ASCENDING" {
		slices.Reverse(arns)
	}
	return arns, nil
}

// ListReports lists report ARNs, newest first.
func (s *Service) ListReports(ctx context.Context, in *ListReportsInput) (*ListReportsOutput, error) {
	return dispatch.Do(ctx, s.d, "ListReports", in, func(ctx context.Context, in *ListReportsInput) (*ListReportsOutput, error) {
		arns, err := s.reportArns(ctx, "", in.SortOrder)
		if err != nil {
			return nil, err
		}
		page, next, err := paginate(arns, in.NextToken, pageSize(in.MaxResults))
		if err != nil {
			return nil, err
		}
		return &ListReportsOutput{Reports: page, NextToken: next}, nil
	})
}

// ListReportsForReportGroup lists one group's report ARNs.
func (s *Service) ListReportsForReportGroup(ctx context.Context, in *ListReportsForReportGroupInput) (*ListReportsOutput, error) {
	return dispatch.Do(ctx, s.d, "ListReportsForReportGroup", in, func(ctx context.Context, in *ListReportsForReportGroupInput) (*ListReportsOutput, error) {
		name := arnName(in.ReportGroupArn, "report-group")
		if _, err := s.groupTable().Get(ctx, core.ScopeKey(ctx)+name); err != nil {
			return nil, ErrResourceNotFound.With("Report group %s does not exist", in.ReportGroupArn)
		}
		arns, err := s.reportArns(ctx, name+":", in.SortOrder)
		if err != nil {
			return nil, err
		}
		page, next, err := paginate(arns, in.NextToken, pageSize(in.MaxResults))
		if err != nil {
			return nil, err
		}
		return &ListReportsOutput{Reports: page, NextToken: next}, nil
	})
}

// BatchGetReports returns reports by ARN.
func (s *Service) BatchGetReports(ctx context.Context, in *BatchGetReportsInput) (*BatchGetReportsOutput, error) {
	return dispatch.Do(ctx, s.d, "BatchGetReports", in, func(ctx context.Context, in *BatchGetReportsInput) (*BatchGetReportsOutput, error) {
		if len(in.ReportArns) == 0 || len(in.ReportArns) > 100 {
			return nil, ErrInvalidInput.With("reportArns must list between 1 and 100 reports")
		}
		out := &BatchGetReportsOutput{Reports: []Report{}, ReportsNotFound: []string{}}
		for _, a := range in.ReportArns {
			r, err := s.reportTable().Get(ctx, core.ScopeKey(ctx)+arnName(a, "report"))
			if err != nil {
				out.ReportsNotFound = append(out.ReportsNotFound, a)
				continue
			}
			out.Reports = append(out.Reports, r.Report)
		}
		return out, nil
	})
}

// DeleteReport deletes a report.
func (s *Service) DeleteReport(ctx context.Context, in *DeleteReportInput) (*DeleteReportOutput, error) {
	return dispatch.Do(ctx, s.d, "DeleteReport", in, func(ctx context.Context, in *DeleteReportInput) (*DeleteReportOutput, error) {
		if err := s.reportTable().Delete(ctx, core.ScopeKey(ctx)+arnName(in.Arn, "report")); err != nil && err != store.ErrNotFound {
			return nil, err
		}
		return &DeleteReportOutput{}, nil
	})
}

func (s *Service) getReport(ctx context.Context, arn string) (reportData, error) {
	r, err := s.reportTable().Get(ctx, core.ScopeKey(ctx)+arnName(arn, "report"))
	if err == store.ErrNotFound {
		return r, ErrResourceNotFound.With("Report %s does not exist", arn)
	}
	return r, err
}

// DescribeTestCases pages through a test report's cases.
func (s *Service) DescribeTestCases(ctx context.Context, in *DescribeTestCasesInput) (*DescribeTestCasesOutput, error) {
	return dispatch.Do(ctx, s.d, "DescribeTestCases", in, func(ctx context.Context, in *DescribeTestCasesInput) (*DescribeTestCasesOutput, error) {
		r, err := s.getReport(ctx, in.ReportArn)
		if err != nil {
			return nil, err
		}
		var cases []TestCase
		for _, c := range r.Cases {
			if in.Filter != nil && in.Filter.Status != "" && c.Status != in.Filter.Status {
				continue
			}
			if in.Filter != nil && in.Filter.Keyword != "" && !strings.Contains(c.Name+" "+c.Prefix, in.Filter.Keyword) {
				continue
			}
			cases = append(cases, c)
		}
		page, next, err := paginate(cases, in.NextToken, pageSize(in.MaxResults))
		if err != nil {
			return nil, err
		}
		out := &DescribeTestCasesOutput{TestCases: append([]TestCase{}, page...), NextToken: next}
		return out, nil
	})
}

// DescribeCodeCoverages pages through a coverage report's files.
func (s *Service) DescribeCodeCoverages(ctx context.Context, in *DescribeCodeCoveragesInput) (*DescribeCodeCoveragesOutput, error) {
	return dispatch.Do(ctx, s.d, "DescribeCodeCoverages", in, func(ctx context.Context, in *DescribeCodeCoveragesInput) (*DescribeCodeCoveragesOutput, error) {
		r, err := s.getReport(ctx, in.ReportArn)
		if err != nil {
			return nil, err
		}
		var covs []CodeCoverage
		for _, c := range r.Coverages {
			if in.MinLineCoveragePct != 0 && c.LineCoveragePercentage < in.MinLineCoveragePct {
				continue
			}
			if in.MaxLineCoveragePct != 0 && c.LineCoveragePercentage > in.MaxLineCoveragePct {
				continue
			}
			covs = append(covs, c)
		}
		switch in.SortBy {
		case "", "LINE_COVERAGE_PERCENTAGE":
			sort.SliceStable(covs, func(i, j int) bool { return covs[i].LineCoveragePercentage < covs[j].LineCoveragePercentage })
		case "FILE_PATH":
			sort.SliceStable(covs, func(i, j int) bool { return covs[i].FilePath < covs[j].FilePath })
		default:
			return nil, ErrInvalidInput.With("Invalid sortBy: %q", in.SortBy)
		}
		if in.SortOrder == "DESCENDING" {
			slices.Reverse(covs)
		}
		page, next, err := paginate(covs, in.NextToken, pageSize(in.MaxResults))
		if err != nil {
			return nil, err
		}
		out := &DescribeCodeCoveragesOutput{CodeCoverages: append([]CodeCoverage{}, page...), NextToken: next}
		return out, nil
	})
}

// processReports parses the buildspec's report files after the build phases and records a
// report per group. Report groups named in the buildspec (not by ARN) are created as
// "<project>-<name>" when missing, as CodeBuild does.
func (r *run) processReports() {
	if r.spec == nil || len(r.spec.Reports) == 0 {
		return
	}
	for _, name := range r.spec.ReportOrder {
		rs := r.spec.Reports[name]
		groupName := r.project.Name + "-" + name
		if strings.HasPrefix(name, "arn:") {
			groupName = arnName(name, "report-group")
		}
		typ := "TEST"
		if reports.CoverageFormats[rs.FileFormat] {
			typ = "CODE_COVERAGE"
		}
		group, err := r.s.groupTable().Get(r.ctx, r.scope+groupName)
		if err == store.ErrNotFound {
			group, err = r.s.createGroup(r.ctx, &CreateReportGroupInput{Name: groupName, Type: typ, ExportConfig: &ReportExportConfig{ExportConfigType: "NO_EXPORT"}})
		}
		if err != nil && err != store.ErrExists {
			r.containerLog("Error in UPLOAD_ARTIFACTS: report group %s: %v", groupName, err)
			continue
		}
		r.recordReport(group, rs)
	}
}

func (r *run) recordReport(group ReportGroup, rs buildspec.Report) {
	uuid := strings.TrimPrefix(r.b.Id, r.b.ProjectName+":")
	id := group.Name + ":" + uuid
	now := r.now()
	rep := reportData{Report: Report{
		Arn: core.ARN(r.ctx, "codebuild", "report/"+id), Type: group.Type, Name: id,
		ReportGroupArn: group.Arn, ExecutionId: r.b.Arn, Status: "SUCCEEDED", Created: now,
		Expired: now.Add(30 * 24 * time.Hour), ExportConfig: group.ExportConfig,
	}}
	base := r.srcDir
	if rs.BaseDirectory != "" {
		base = filepath.Join(r.srcDir, filepath.FromSlash(rs.BaseDirectory))
	}
	var files []string
	for _, pattern := range rs.Files {
		matches, err := doublestar.Glob(os.DirFS(base), strings.TrimPrefix(path.Clean(pattern), "./"), doublestar.WithFilesOnly())
		if err == nil {
			files = append(files, matches...)
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		rep.Report.Status = "FAILED"
		r.containerLog("Error in UPLOAD_ARTIFACTS: no report files found for report group %s", group.Name)
	}
	var summary TestReportSummary
	summary.StatusCounts = map[string]int32{}
	var cov CodeCoverageReportSummary
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(base, filepath.FromSlash(f)))
		if err != nil {
			rep.Report.Status = "INCOMPLETE"
			continue
		}
		if group.Type == "TEST" {
			cases, err := reports.ParseTests(rs.FileFormat, data)
			if err != nil {
				rep.Report.Status = "INCOMPLETE"
				r.containerLog("Error parsing report file %s: %v", f, err)
				continue
			}
			for _, c := range cases {
				rep.Cases = append(rep.Cases, TestCase{ReportArn: rep.Report.Arn, TestRawDataPath: f, Prefix: c.Prefix, Name: c.Name,
					Status: c.Status, DurationInNanoSeconds: int64(c.Duration), Message: c.Message, Expired: rep.Report.Expired, TestSuiteName: c.Suite})
				summary.Total++
				summary.StatusCounts[c.Status]++
				summary.DurationInNanoSeconds += int64(c.Duration)
			}
			continue
		}
		covs, err := reports.ParseCoverage(rs.FileFormat, data)
		if err != nil {
			rep.Report.Status = "INCOMPLETE"
			r.containerLog("Error parsing report file %s: %v", f, err)
			continue
		}
		for _, c := range covs {
			rep.Coverages = append(rep.Coverages, CodeCoverage{Id: fmt.Sprintf("%s-%d", uuid, len(rep.Coverages)), ReportARN: rep.Report.Arn, FilePath: c.Path,
				LineCoveragePercentage: c.LinePercent(), LinesCovered: int32(c.LinesCovered), LinesMissed: int32(c.LinesMissed),
				BranchCoveragePercentage: c.BranchPercent(), BranchesCovered: int32(c.BranchesCovered), BranchesMissed: int32(c.BranchesMiss), Expired: rep.Report.Expired})
			cov.LinesCovered += int32(c.LinesCovered)
			cov.LinesMissed += int32(c.LinesMissed)
			cov.BranchesCovered += int32(c.BranchesCovered)
			cov.BranchesMissed += int32(c.BranchesMiss)
		}
	}
	if group.Type == "TEST" {
		rep.Report.TestSummary = &summary
		if summary.StatusCounts[reports.Failed]+summary.StatusCounts[reports.Error] > 0 {
			rep.Report.Status = "FAILED"
		}
	} else {
		cov.LineCoveragePercentage = reports.FileCoverage{LinesCovered: int(cov.LinesCovered), LinesMissed: int(cov.LinesMissed)}.LinePercent()
		cov.BranchCoveragePercentage = reports.FileCoverage{BranchesCovered: int(cov.BranchesCovered), BranchesMiss: int(cov.BranchesMissed)}.BranchPercent()
		rep.Report.CodeCoverageSummary = &cov
	}
	if err := r.s.reportTable().Put(r.ctx, r.scope+id, rep); err != nil {
		r.s.log.Warn("codebuild: saving report", "id", id, "err", err)
		return
	}
	r.b.ReportArns = append(r.b.ReportArns, rep.Report.Arn)
}
