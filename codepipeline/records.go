package codepipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/core"
)

// artifactLoc is where an artifact of an execution is stored.
type artifactLoc struct {
	Bucket   string `json:"bucket"`
	Key      string `json:"key"`
	Revision string `json:"revision,omitempty"`
}

// stageRun is a stage's progress in one execution.
type stageRun struct {
	Status  string            `json:"status"`
	Actions map[string]string `json:"actions,omitempty"` // action -> status of its latest run in this execution
	Retries int               `json:"retries,omitempty"` // automatic retries done
}

// execRec is an execution's durable record.
type execRec struct {
	Exec            PipelineExecution            `json:"exec"`
	Account         string                       `json:"account"`
	Region          string                       `json:"region"`
	PipelineArn     string                       `json:"pipelineArn"`
	Decl            PipelineDeclaration          `json:"-"` // the pipeline version's declaration (kept in the versions table)
	StartTime       time.Time                    `json:"startTime"`
	LastUpdate      time.Time                    `json:"lastUpdate"`
	Seq             uint64                       `json:"seq"`
	StopTrigger     *StopExecutionTrigger        `json:"stopTrigger,omitempty"`
	SourceRevisions []SourceRevision             `json:"sourceRevisions,omitempty"`
	Artifacts       map[string]artifactLoc       `json:"artifacts,omitempty"`
	Vars            map[string]map[string]string `json:"vars,omitempty"`
	PipelineVars    map[string]string            `json:"pipelineVars,omitempty"`
	Overrides       []SourceRevisionOverride     `json:"overrides,omitempty"`
	Stages          map[string]*stageRun         `json:"stages,omitempty"`
	OnlyStage       string                       `json:"onlyStage,omitempty"` // rollback executions run one stage
	Attempt         int                          `json:"attempt"`
}

// actionRec is an action execution's durable record.
type actionRec struct {
	Detail ActionExecutionDetail `json:"detail"`
	Seq    uint64                `json:"seq"`
}

// stageStateRec is what GetPipelineState shows of one stage.
type stageStateRec struct {
	Latest    *StageExecution            `json:"latest,omitempty"`
	Retry     *RetryStageMetadata        `json:"retry,omitempty"`
	Actions   map[string]ActionExecution `json:"actions,omitempty"`
	Revisions map[string]ActionRevision  `json:"revisions,omitempty"`
}

// stateRec is a pipeline's state across executions.
type stateRec struct {
	Stages map[string]*stageStateRec `json:"stages,omitempty"`
}

func (st *stateRec) stage(name string) *stageStateRec {
	if st.Stages == nil {
		st.Stages = map[string]*stageStateRec{}
	}
	s := st.Stages[name]
	if s == nil {
		s = &stageStateRec{}
		st.Stages[name] = s
	}
	if s.Actions == nil {
		s.Actions = map[string]ActionExecution{}
	}
	return s
}

func execKey(scope, pipeline, id string) string { return scope + pipeline + "/" + id }

func actionKey(scope, pipeline, execID, aeID string) string {
	return scope + pipeline + "/" + execID + "/" + aeID
}

func (s *Service) nextSeq() uint64 { return atomic.AddUint64(&s.seq, 1) }

// randomSuffix is a 7-character artifact object name, as AWS uses.
func randomSuffix() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	u := uuid.New()
	b := make([]byte, 7)
	for i := range b {
		b[i] = alphabet[int(u[i])%len(alphabet)]
	}
	return string(b)
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// publish sends a CodePipeline event.
func (s *Service) publish(ctx context.Context, rec *execRec, detailType string, detail map[string]any) {
	if s.env.Events == nil {
		return
	}
	detail["pipeline"] = rec.Exec.PipelineName
	detail["execution-id"] = rec.Exec.PipelineExecutionID
	detail["version"] = rec.Exec.PipelineVersion
	detail["start-time"] = rec.StartTime.UTC().Format(time.RFC3339Nano)
	detail["pipeline-execution-attempt"] = rec.Attempt
	b, _ := json.Marshal(detail)
	s.env.Events.Publish(ctx, eventbus.Event{
		Version: "0", ID: uuid.NewString(), DetailType: detailType, Source: "aws.codepipeline",
		Account: rec.Account, Region: rec.Region, Time: s.env.Clock.Now().UTC(),
		Resources: []string{rec.PipelineArn}, Detail: b,
	})
}

func eventState(status string) string {
	switch status {
	case "InProgress":
		return "STARTED"
	case "Cancelled":
		return "CANCELED"
	}
	return strings.ToUpper(status)
}

func (s *Service) publishExec(ctx context.Context, rec *execRec, state string) {
	d := map[string]any{"state": state}
	if t := rec.Exec.Trigger; t != nil {
		d["execution-trigger"] = map[string]string{"trigger-type": t.TriggerType, "trigger-detail": t.TriggerDetail}
	}
	s.publish(ctx, rec, "CodePipeline Pipeline Execution State Change", d)
}

func (s *Service) publishStage(ctx context.Context, rec *execRec, stage, state string) {
	s.publish(ctx, rec, "CodePipeline Stage Execution State Change", map[string]any{"stage": stage, "state": state})
}

func (s *Service) publishAction(ctx context.Context, rec *execRec, d *ActionExecutionDetail, state string) {
	typ := map[string]string{}
	if d.Input != nil && d.Input.ActionTypeID != nil {
		t := d.Input.ActionTypeID
		typ = map[string]string{"owner": t.Owner, "category": t.Category, "provider": t.Provider, "version": t.Version}
	}
	detail := map[string]any{"stage": d.StageName, "action": d.ActionName, "state": state, "type": typ, "region": rec.Region,
		"action-execution-id": d.ActionExecutionID}
	if d.Input != nil && d.Input.Region != "" {
		detail["region"] = d.Input.Region
	}
	if d.Input != nil && len(d.Input.InputArtifacts) > 0 {
		detail["input-artifacts"] = artifactsDetail(d.Input.InputArtifacts)
	}
	if d.Output != nil {
		if len(d.Output.OutputArtifacts) > 0 {
			detail["output-artifacts"] = artifactsDetail(d.Output.OutputArtifacts)
		}
		if r := d.Output.ExecutionResult; r != nil {
			er := map[string]string{"external-execution-id": r.ExternalExecutionID, "external-execution-summary": r.ExternalExecutionSummary,
				"external-execution-url": r.ExternalExecutionURL}
			if r.ErrorDetails != nil {
				er["error-code"] = r.ErrorDetails.Code
			}
			detail["execution-result"] = er
		}
	}
	s.publish(ctx, rec, "CodePipeline Action Execution State Change", detail)
}

func artifactsDetail(as []ArtifactDetail) []map[string]any {
	out := make([]map[string]any, 0, len(as))
	for _, a := range as {
		m := map[string]any{"name": a.Name}
		if a.S3Location != nil {
			m["s3location"] = map[string]string{"bucket": a.S3Location.Bucket, "key": a.S3Location.Key}
		}
		out = append(out, m)
	}
	return out
}

func scopeOf(account, region string) string { return account + "/" + region + "/" }

// storeFor returns the artifact store an action in region uses.
func (rec *execRec) storeFor(region string) (ArtifactStore, error) {
	if rec.Decl.ArtifactStore != nil {
		return *rec.Decl.ArtifactStore, nil
	}
	if region == "" {
		region = rec.Region
	}
	st, ok := rec.Decl.ArtifactStores[region]
	if !ok {
		return ArtifactStore{}, fmt.Errorf("no artifact store for region %s", region)
	}
	return st, nil
}

func pipelineARN(account, region, name string) string {
	return fmt.Sprintf("arn:aws:codepipeline:%s:%s:%s", region, account, name)
}

var _ = core.ScopeKey
