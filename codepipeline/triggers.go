package codepipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/identity"
)

// codeCommitEvent is the detail of "CodeCommit Repository State Change".
type codeCommitEvent struct {
	Event          string `json:"event"`
	ReferenceType  string `json:"referenceType"`
	ReferenceName  string `json:"referenceName"`
	RepositoryName string `json:"repositoryName"`
	CommitID       string `json:"commitId"`
	OldCommitID    string `json:"oldCommitId"`
}

// HandleEvent reacts to platform events; the root subscribes it to the event bus. On a
// "CodeCommit Repository State Change" it starts, in the event's account and region:
//   - pipelines with a V2 git trigger on a CodeCommit source action of that repository whose
//     push filters (branches or tags, file paths) match, with that source action pinned to the
//     pushed commit (trigger type WebhookV2);
//   - pipelines whose CodeCommit source action on that repository and branch has no trigger
//     and PollForSourceChanges not "false" (AWS polls; devopsim reacts at once; trigger type
//     PollForSourceChanges).
//
// Source actions with PollForSourceChanges "false" start only through EventBridge rules
// targeting the pipeline (StartPipelineFromEvent), as on AWS.
func (s *Service) HandleEvent(ctx context.Context, ev eventbus.Event) {
	if ev.Source != "aws.codecommit" || ev.DetailType != "CodeCommit Repository State Change" {
		return
	}
	var d codeCommitEvent
	if err := json.Unmarshal(ev.Detail, &d); err != nil || d.RepositoryName == "" {
		return
	}
	if d.Event != "referenceCreated" && d.Event != "referenceUpdated" {
		return
	}
	account, region := ev.Account, ev.Region
	if account == "" {
		account = s.env.Account
	}
	if region == "" {
		region = s.env.Region
	}
	ctx = identity.InService(identity.With(context.WithoutCancel(ctx), identity.Root(account, region)), "events.amazonaws.com")
	recs, err := s.pipelines.All(ctx, scopeOf(account, region))
	if err != nil {
		return
	}
	var changed []string
	changedLoaded := false
	files := func() []string {
		if !changedLoaded && s.deps.CodeCommit != nil {
			changedLoaded = true
			changed, err = s.deps.CodeCommit.ChangedFiles(ctx, d.RepositoryName, d.OldCommitID, d.CommitID)
			if err != nil {
				s.log.Warn("codepipeline: could not list changed files", "repository", d.RepositoryName, "err", err)
			}
		}
		return changed
	}
	for _, rec := range recs {
		p := rec.Decl
		if len(p.Stages) == 0 {
			continue
		}
		triggered := map[string]bool{}
		for _, t := range p.Triggers {
			if t.GitConfiguration != nil {
				triggered[t.GitConfiguration.SourceActionName] = true
			}
		}
		for _, a := range p.Stages[0].Actions {
			if a.ActionTypeID == nil || a.ActionTypeID.Provider != "CodeCommit" || a.Configuration["RepositoryName"] != d.RepositoryName {
				continue
			}
			if triggered[a.Name] {
				for _, t := range p.Triggers {
					g := t.GitConfiguration
					if g == nil || g.SourceActionName != a.Name || !pushMatches(g.Push, d, files) {
						continue
					}
					spec := startSpec{trigger: ExecutionTrigger{TriggerType: "WebhookV2", TriggerDetail: fmt.Sprintf("arn:aws:codecommit:%s:%s:%s", region, account, d.RepositoryName)}}
					if d.CommitID != "" {
						spec.overrides = []SourceRevisionOverride{{ActionName: a.Name, RevisionType: "COMMIT_ID", RevisionValue: d.CommitID}}
					}
					s.startFromEvent(ctx, p.Name, spec)
					break
				}
				continue
			}
			if a.Configuration["PollForSourceChanges"] == "false" || d.ReferenceType != "branch" || d.ReferenceName != a.Configuration["BranchName"] {
				continue
			}
			s.startFromEvent(ctx, p.Name, startSpec{trigger: ExecutionTrigger{TriggerType: "PollForSourceChanges", TriggerDetail: a.Name}})
		}
	}
}

func (s *Service) startFromEvent(ctx context.Context, name string, spec startSpec) {
	_, err := dispatchDo(ctx, s, "StartPipelineExecution", &StartPipelineExecutionInput{Name: name, SourceRevisions: spec.overrides},
		func(ctx context.Context, in *StartPipelineExecutionInput) (*StartPipelineExecutionOutput, error) {
			id, err := s.startExecution(ctx, name, spec)
			return &StartPipelineExecutionOutput{PipelineExecutionID: id}, err
		})
	if err != nil {
		s.log.Warn("codepipeline: could not start pipeline on a source change", "pipeline", name, "err", err)
	}
}

// pushMatches reports whether a ref change matches any push filter.
func pushMatches(filters []GitPushFilter, d codeCommitEvent, files func() []string) bool {
	for _, f := range filters {
		switch {
		case f.Tags != nil:
			if d.ReferenceType == "tag" && criteriaMatch(f.Tags, d.ReferenceName) {
				return true
			}
		case f.Branches != nil:
			if d.ReferenceType != "branch" || !criteriaMatch(f.Branches, d.ReferenceName) {
				continue
			}
			if f.FilePaths == nil {
				return true
			}
			for _, p := range files() {
				if criteriaMatch(f.FilePaths, p) {
					return true
				}
			}
		}
	}
	return false
}

// criteriaMatch: s matches an include (or there are none) and no exclude.
func criteriaMatch(c *GitBranchFilterCriteria, s string) bool {
	for _, pat := range c.Excludes {
		if globMatch(pat, s) {
			return false
		}
	}
	if len(c.Includes) == 0 {
		return true
	}
	for _, pat := range c.Includes {
		if globMatch(pat, s) {
			return true
		}
	}
	return false
}

func globMatch(pat, s string) bool {
	re, err := globRegexp(pat)
	return err == nil && re.MatchString(s)
}

// globRegexp compiles a CodePipeline trigger glob: * (no slash), ** (any), ? (one char),
// [...] classes, {a,b} alternatives, \ escapes.
func globRegexp(pat string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	depth := 0
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch c {
		case '*':
			if i+1 < len(pat) && pat[i+1] == '*' {
				i++
				if i+1 < len(pat) && pat[i+1] == '/' {
					i++
					b.WriteString("(?:.*/)?")
				} else {
					b.WriteString(".*")
				}
			} else {
				b.WriteString("[^/]*")
			}
		case '?':
			b.WriteString("[^/]")
		case '[':
			j := strings.IndexByte(pat[i+1:], ']')
			if j < 0 {
				return nil, fmt.Errorf("unclosed [ in %q", pat)
			}
			class := pat[i+1 : i+1+j]
			if class == "" {
				return nil, fmt.Errorf("empty [] in %q", pat)
			}
			if class[0] == '!' {
				class = "^" + class[1:]
			}
			b.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
			i += j + 1
		case '{':
			depth++
			b.WriteString("(?:")
		case '}':
			if depth == 0 {
				return nil, fmt.Errorf("unbalanced } in %q", pat)
			}
			depth--
			b.WriteString(")")
		case ',':
			if depth > 0 {
				b.WriteString("|")
			} else {
				b.WriteString(",")
			}
		case '\\':
			if i+1 >= len(pat) {
				return nil, fmt.Errorf("trailing \\ in %q", pat)
			}
			i++
			b.WriteString(regexp.QuoteMeta(string(pat[i])))
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced { in %q", pat)
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}
