package codecommit_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cc "github.com/aws/aws-sdk-go-v2/service/codecommit"
	"github.com/aws/aws-sdk-go-v2/service/codecommit/types"

	"github.com/devopsim/devopsim/codecommit"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/awsapi/codecommitapi"
	"github.com/devopsim/devopsim/internal/awstest"
)

func as(arn string) context.Context {
	c := identity.Root("000000000000", "us-east-1")
	c.PrincipalARN = arn
	c.Type = "IAMUser"
	return identity.With(context.Background(), c)
}

type busEvents struct {
	mu  sync.Mutex
	evs []eventbus.Event
}

func (b *busEvents) details(detailType string) []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, e := range b.evs {
		if e.DetailType == detailType {
			var m map[string]any
			_ = json.Unmarshal(e.Detail, &m)
			out = append(out, m)
		}
	}
	return out
}

func TestPullRequestLifecycle(t *testing.T) {
	ctx := context.Background()
	env := awstest.Env(t)
	var bus busEvents
	cancel := awstest.Bus(env).Subscribe(func(_ context.Context, e eventbus.Event) {
		bus.mu.Lock()
		bus.evs = append(bus.evs, e)
		bus.mu.Unlock()
	})
	t.Cleanup(cancel)
	svc, err := codecommit.New(env, codecommit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := cc.NewFromConfig(awstest.Config(t, codecommitapi.Service(svc)))
	r := &sdkRepo{t: t, c: c, svc: svc, name: "pr"}
	if _, err := c.CreateRepository(ctx, &cc.CreateRepositoryInput{RepositoryName: aws.String("pr")}); err != nil {
		t.Fatal(err)
	}
	base := r.commit("main", map[string]string{"app.txt": baseText})
	r.branch("feature", base)
	r.commit("feature", map[string]string{"app.txt": strings.Replace(baseText, "four\n", "FOUR\n", 1)})

	// A template associated with the repository applies to pull requests into main.
	tmplContent := `{"Version": "2018-11-08", "DestinationReferences": ["refs/heads/main"], "Statements": [{"Type": "Approvers", "NumberOfApprovalsNeeded": 1, "ApprovalPoolMembers": ["CodeCommitApprovers:000000000000:Lead*"]}]}`
	ct, err := c.CreateApprovalRuleTemplate(ctx, &cc.CreateApprovalRuleTemplateInput{ApprovalRuleTemplateName: aws.String("leads"), ApprovalRuleTemplateContent: aws.String(tmplContent), ApprovalRuleTemplateDescription: aws.String("a lead approves")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AssociateApprovalRuleTemplateWithRepository(ctx, &cc.AssociateApprovalRuleTemplateWithRepositoryInput{ApprovalRuleTemplateName: aws.String("leads"), RepositoryName: aws.String("pr")}); err != nil {
		t.Fatal(err)
	}
	la, err := c.ListAssociatedApprovalRuleTemplatesForRepository(ctx, &cc.ListAssociatedApprovalRuleTemplatesForRepositoryInput{RepositoryName: aws.String("pr")})
	if err != nil || len(la.ApprovalRuleTemplateNames) != 1 {
		t.Fatalf("%+v %v", la, err)
	}
	if _, err := c.DeleteApprovalRuleTemplate(ctx, &cc.DeleteApprovalRuleTemplateInput{ApprovalRuleTemplateName: aws.String("leads")}); errorCode(err) != "ApprovalRuleTemplateInUseException" {
		t.Fatalf("delete in-use template: %v", err)
	}

	cp, err := c.CreatePullRequest(ctx, &cc.CreatePullRequestInput{Title: aws.String("Shout four"), Description: aws.String("d"),
		Targets: []types.Target{{RepositoryName: aws.String("pr"), SourceReference: aws.String("feature")}}, ClientRequestToken: aws.String("tok")})
	if err != nil {
		t.Fatal(err)
	}
	pr := cp.PullRequest
	id := aws.ToString(pr.PullRequestId)
	if id != "1" || pr.PullRequestStatus != types.PullRequestStatusEnumOpen || len(pr.ApprovalRules) != 1 ||
		aws.ToString(pr.ApprovalRules[0].OriginApprovalRuleTemplate.ApprovalRuleTemplateId) != aws.ToString(ct.ApprovalRuleTemplate.ApprovalRuleTemplateId) ||
		aws.ToString(pr.PullRequestTargets[0].DestinationReference) != "refs/heads/main" || aws.ToString(pr.PullRequestTargets[0].MergeBase) != base {
		t.Fatalf("%+v", pr)
	}
	// The same client request token answers the same pull request.
	again, err := c.CreatePullRequest(ctx, &cc.CreatePullRequestInput{Title: aws.String("Shout four"), Description: aws.String("d"),
		Targets: []types.Target{{RepositoryName: aws.String("pr"), SourceReference: aws.String("feature")}}, ClientRequestToken: aws.String("tok")})
	if err != nil || aws.ToString(again.PullRequest.PullRequestId) != id {
		t.Fatalf("%v %v", again, err)
	}
	rev := aws.ToString(pr.RevisionId)
	rule := `{"Version": "2018-11-08", "Statements": [{"Type": "Approvers", "NumberOfApprovalsNeeded": 2, "ApprovalPoolMembers": ["arn:aws:iam::000000000000:user/dev-*"]}]}`
	cr, err := c.CreatePullRequestApprovalRule(ctx, &cc.CreatePullRequestApprovalRuleInput{PullRequestId: aws.String(id), ApprovalRuleName: aws.String("two devs"), ApprovalRuleContent: aws.String(rule)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreatePullRequestApprovalRule(ctx, &cc.CreatePullRequestApprovalRuleInput{PullRequestId: aws.String(id), ApprovalRuleName: aws.String("bad"), ApprovalRuleContent: aws.String(`{"Version":"1999"}`)}); errorCode(err) != "InvalidApprovalRuleContentException" {
		t.Fatalf("bad content: %v", err)
	}
	if _, err := c.UpdatePullRequestApprovalRuleContent(ctx, &cc.UpdatePullRequestApprovalRuleContentInput{PullRequestId: aws.String(id), ApprovalRuleName: aws.String("leads"), NewRuleContent: aws.String(rule)}); errorCode(err) != "CannotModifyApprovalRuleFromTemplateException" {
		t.Fatalf("modify template rule: %v", err)
	}
	ev, err := c.EvaluatePullRequestApprovalRules(ctx, &cc.EvaluatePullRequestApprovalRulesInput{PullRequestId: aws.String(id), RevisionId: aws.String(rev)})
	if err != nil || ev.Evaluation.Approved || len(ev.Evaluation.ApprovalRulesNotSatisfied) != 2 {
		t.Fatalf("%+v %v", ev, err)
	}
	// Not approved: merging is refused.
	if _, err := c.MergePullRequestByThreeWay(ctx, &cc.MergePullRequestByThreeWayInput{PullRequestId: aws.String(id), RepositoryName: aws.String("pr")}); errorCode(err) != "PullRequestApprovalRulesNotSatisfiedException" {
		t.Fatalf("merge unapproved: %v", err)
	}
	// The author cannot approve; developers and a lead can.
	if _, err := svc.UpdatePullRequestApprovalState(ctx, &codecommit.UpdatePullRequestApprovalStateInput{PullRequestID: id, RevisionID: rev, ApprovalState: "APPROVE"}); errorCode(err) != "PullRequestCannotBeApprovedByAuthorException" {
		t.Fatalf("author approval: %v", err)
	}
	for _, who := range []string{"arn:aws:iam::000000000000:user/dev-ann", "arn:aws:iam::000000000000:user/dev-bob", "arn:aws:iam::000000000000:user/LeadCarol"} {
		if _, err := svc.UpdatePullRequestApprovalState(as(who), &codecommit.UpdatePullRequestApprovalStateInput{PullRequestID: id, RevisionID: rev, ApprovalState: "APPROVE"}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := c.GetPullRequestApprovalStates(ctx, &cc.GetPullRequestApprovalStatesInput{PullRequestId: aws.String(id), RevisionId: aws.String(rev)})
	if err != nil || len(st.Approvals) != 3 {
		t.Fatalf("%+v %v", st, err)
	}
	ev, _ = c.EvaluatePullRequestApprovalRules(ctx, &cc.EvaluatePullRequestApprovalRulesInput{PullRequestId: aws.String(id), RevisionId: aws.String(rev)})
	if !ev.Evaluation.Approved || len(ev.Evaluation.ApprovalRulesSatisfied) != 2 {
		t.Fatalf("%+v", ev.Evaluation)
	}
	// A push to the source makes a new revision: approvals reset.
	r.commit("feature", map[string]string{"extra.txt": "x\n"})
	gp, err := c.GetPullRequest(ctx, &cc.GetPullRequestInput{PullRequestId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	rev2 := aws.ToString(gp.PullRequest.RevisionId)
	if rev2 == rev || aws.ToString(gp.PullRequest.PullRequestTargets[0].SourceCommit) != r.tip("feature") {
		t.Fatalf("%+v", gp.PullRequest)
	}
	if _, err := c.EvaluatePullRequestApprovalRules(ctx, &cc.EvaluatePullRequestApprovalRulesInput{PullRequestId: aws.String(id), RevisionId: aws.String(rev)}); errorCode(err) != "RevisionNotCurrentException" {
		t.Fatalf("old revision: %v", err)
	}
	ev, _ = c.EvaluatePullRequestApprovalRules(ctx, &cc.EvaluatePullRequestApprovalRulesInput{PullRequestId: aws.String(id), RevisionId: aws.String(rev2)})
	if ev.Evaluation.Approved {
		t.Fatal("approvals survived a new revision")
	}
	// Override, then merge.
	if _, err := c.OverridePullRequestApprovalRules(ctx, &cc.OverridePullRequestApprovalRulesInput{PullRequestId: aws.String(id), RevisionId: aws.String(rev2), OverrideStatus: types.OverrideStatusOverride}); err != nil {
		t.Fatal(err)
	}
	os, err := c.GetPullRequestOverrideState(ctx, &cc.GetPullRequestOverrideStateInput{PullRequestId: aws.String(id), RevisionId: aws.String(rev2)})
	if err != nil || !os.Overridden || aws.ToString(os.Overrider) == "" {
		t.Fatalf("%+v %v", os, err)
	}
	if _, err := c.UpdatePullRequestTitle(ctx, &cc.UpdatePullRequestTitleInput{PullRequestId: aws.String(id), Title: aws.String("Shout FOUR")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdatePullRequestDescription(ctx, &cc.UpdatePullRequestDescriptionInput{PullRequestId: aws.String(id), Description: aws.String("new")}); err != nil {
		t.Fatal(err)
	}
	// Comments on the pull request, a reply, an edit and a deletion.
	pc, err := c.PostCommentForPullRequest(ctx, &cc.PostCommentForPullRequestInput{PullRequestId: aws.String(id), RepositoryName: aws.String("pr"),
		BeforeCommitId: aws.String(r.tip("main")), AfterCommitId: aws.String(r.tip("feature")), Content: aws.String("why shout?"),
		Location: &types.Location{FilePath: aws.String("app.txt"), FilePosition: aws.Int64(4), RelativeFileVersion: types.RelativeFileVersionEnumAfter}})
	if err != nil {
		t.Fatal(err)
	}
	if pc.AfterBlobId == nil || pc.BeforeBlobId == nil {
		t.Fatalf("%+v", pc)
	}
	cid := aws.ToString(pc.Comment.CommentId)
	rep, err := svc.PostCommentReply(as("arn:aws:iam::000000000000:user/dev-ann"), &codecommit.PostCommentReplyInput{InReplyTo: cid, Content: "because"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateComment(ctx, &cc.UpdateCommentInput{CommentId: aws.String(rep.Comment.CommentID), Content: aws.String("hijack")}); errorCode(err) != "CommentNotCreatedByCallerException" {
		t.Fatalf("update other's comment: %v", err)
	}
	if _, err := c.UpdateComment(ctx, &cc.UpdateCommentInput{CommentId: aws.String(cid), Content: aws.String("why shout, really?")}); err != nil {
		t.Fatal(err)
	}
	gcp, err := c.GetCommentsForPullRequest(ctx, &cc.GetCommentsForPullRequestInput{PullRequestId: aws.String(id)})
	if err != nil || len(gcp.CommentsForPullRequestData) != 1 || len(gcp.CommentsForPullRequestData[0].Comments) != 2 ||
		aws.ToString(gcp.CommentsForPullRequestData[0].Comments[0].Content) != "why shout, really?" {
		t.Fatalf("%+v %v", gcp, err)
	}
	if _, err := c.DeleteCommentContent(ctx, &cc.DeleteCommentContentInput{CommentId: aws.String(cid)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetComment(ctx, &cc.GetCommentInput{CommentId: aws.String(cid)}); errorCode(err) != "CommentDeletedException" {
		t.Fatalf("deleted comment: %v", err)
	}
	gc, err := c.GetComment(ctx, &cc.GetCommentInput{CommentId: aws.String(rep.Comment.CommentID)})
	if err != nil || aws.ToString(gc.Comment.InReplyTo) != cid {
		t.Fatalf("%+v %v", gc, err)
	}

	mp, err := c.MergePullRequestByThreeWay(ctx, &cc.MergePullRequestByThreeWayInput{PullRequestId: aws.String(id), RepositoryName: aws.String("pr"), SourceCommitId: aws.String(r.tip("feature"))})
	if err != nil {
		t.Fatal(err)
	}
	mm := mp.PullRequest.PullRequestTargets[0].MergeMetadata
	if mp.PullRequest.PullRequestStatus != types.PullRequestStatusEnumClosed || !mm.IsMerged || mm.MergeOption != types.MergeOptionTypeEnumThreeWayMerge || aws.ToString(mm.MergeCommitId) != r.tip("main") {
		t.Fatalf("%+v %+v", mp.PullRequest, mm)
	}
	if !strings.Contains(r.file("main", "app.txt"), "FOUR") {
		t.Fatal("merge did not land")
	}
	if _, err := c.UpdatePullRequestStatus(ctx, &cc.UpdatePullRequestStatusInput{PullRequestId: aws.String(id), PullRequestStatus: types.PullRequestStatusEnumOpen}); errorCode(err) != "InvalidPullRequestStatusUpdateException" {
		t.Fatalf("reopen: %v", err)
	}
	lp, err := c.ListPullRequests(ctx, &cc.ListPullRequestsInput{RepositoryName: aws.String("pr"), PullRequestStatus: types.PullRequestStatusEnumClosed})
	if err != nil || len(lp.PullRequestIds) != 1 {
		t.Fatalf("%+v %v", lp, err)
	}
	lp, _ = c.ListPullRequests(ctx, &cc.ListPullRequestsInput{RepositoryName: aws.String("pr"), PullRequestStatus: types.PullRequestStatusEnumOpen})
	if len(lp.PullRequestIds) != 0 {
		t.Fatal(lp.PullRequestIds)
	}
	de, err := c.DescribePullRequestEvents(ctx, &cc.DescribePullRequestEventsInput{PullRequestId: aws.String(id)})
	if err != nil || len(de.PullRequestEvents) < 8 || de.PullRequestEvents[0].PullRequestEventType != types.PullRequestEventTypePullRequestCreated {
		t.Fatalf("%+v %v", de, err)
	}
	if _, err := c.DeletePullRequestApprovalRule(ctx, &cc.DeletePullRequestApprovalRuleInput{PullRequestId: aws.String(id), ApprovalRuleName: aws.String("two devs")}); errorCode(err) != "PullRequestAlreadyClosedException" {
		t.Fatalf("delete rule of closed PR: %v", err)
	}
	_ = cr

	kinds := map[string]int{}
	for _, d := range bus.details("CodeCommit Pull Request State Change") {
		kinds[d["event"].(string)]++
		if d["pullRequestId"] != id || d["repositoryNames"].([]any)[0] != "pr" {
			t.Fatalf("%v", d)
		}
	}
	for _, k := range []string{"pullRequestCreated", "pullRequestSourceBranchUpdated", "pullRequestApprovalStateChanged", "pullRequestApprovalRuleCreated", "pullRequestApprovalRuleOverridden", "pullRequestMergeStatusUpdated"} {
		if kinds[k] == 0 {
			t.Errorf("no %s event: %v", k, kinds)
		}
	}
	if n := len(bus.details("CodeCommit Comment on Pull Request")); n != 3 {
		t.Errorf("%d comment events", n)
	}
}

func TestPullRequestMergedOutside(t *testing.T) {
	ctx := context.Background()
	r := newSDKRepo(t, "out")
	base := r.commit("main", map[string]string{"a": "a\n"})
	r.branch("f", base)
	r.commit("f", map[string]string{"b": "b\n"})
	cp, err := r.c.CreatePullRequest(ctx, &cc.CreatePullRequestInput{Title: aws.String("t"), Targets: []types.Target{{RepositoryName: aws.String("out"), SourceReference: aws.String("refs/heads/f"), DestinationReference: aws.String("main")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.c.MergeBranchesByFastForward(ctx, &cc.MergeBranchesByFastForwardInput{RepositoryName: aws.String("out"), SourceCommitSpecifier: aws.String("f"), DestinationCommitSpecifier: aws.String("main")}); err != nil {
		t.Fatal(err)
	}
	gp, _ := r.c.GetPullRequest(ctx, &cc.GetPullRequestInput{PullRequestId: cp.PullRequest.PullRequestId})
	if gp.PullRequest.PullRequestStatus != types.PullRequestStatusEnumClosed || !gp.PullRequest.PullRequestTargets[0].MergeMetadata.IsMerged {
		t.Fatalf("%+v", gp.PullRequest)
	}
	// Comments on compared commits and templates' batch association.
	pc, err := r.c.PostCommentForComparedCommit(ctx, &cc.PostCommentForComparedCommitInput{RepositoryName: aws.String("out"), BeforeCommitId: aws.String(base), AfterCommitId: aws.String(r.tip("main")), Content: aws.String("nice")})
	if err != nil {
		t.Fatal(err)
	}
	gc, err := r.c.GetCommentsForComparedCommit(ctx, &cc.GetCommentsForComparedCommitInput{RepositoryName: aws.String("out"), AfterCommitId: aws.String(r.tip("main"))})
	if err != nil || len(gc.CommentsForComparedCommitData) != 1 || aws.ToString(gc.CommentsForComparedCommitData[0].Comments[0].CommentId) != aws.ToString(pc.Comment.CommentId) {
		t.Fatalf("%+v %v", gc, err)
	}
	content := `{"Version": "2018-11-08", "Statements": [{"Type": "Approvers", "NumberOfApprovalsNeeded": 1}]}`
	if _, err := r.c.CreateApprovalRuleTemplate(ctx, &cc.CreateApprovalRuleTemplateInput{ApprovalRuleTemplateName: aws.String("any"), ApprovalRuleTemplateContent: aws.String(content)}); err != nil {
		t.Fatal(err)
	}
	ba, err := r.c.BatchAssociateApprovalRuleTemplateWithRepositories(ctx, &cc.BatchAssociateApprovalRuleTemplateWithRepositoriesInput{ApprovalRuleTemplateName: aws.String("any"), RepositoryNames: []string{"out", "nope"}})
	if err != nil || len(ba.AssociatedRepositoryNames) != 1 || len(ba.Errors) != 1 || aws.ToString(ba.Errors[0].ErrorCode) != "RepositoryDoesNotExistException" {
		t.Fatalf("%+v %v", ba, err)
	}
	lr, err := r.c.ListRepositoriesForApprovalRuleTemplate(ctx, &cc.ListRepositoriesForApprovalRuleTemplateInput{ApprovalRuleTemplateName: aws.String("any")})
	if err != nil || len(lr.RepositoryNames) != 1 {
		t.Fatalf("%+v %v", lr, err)
	}
	bd, err := r.c.BatchDisassociateApprovalRuleTemplateFromRepositories(ctx, &cc.BatchDisassociateApprovalRuleTemplateFromRepositoriesInput{ApprovalRuleTemplateName: aws.String("any"), RepositoryNames: []string{"out"}})
	if err != nil || len(bd.DisassociatedRepositoryNames) != 1 {
		t.Fatalf("%+v %v", bd, err)
	}
	if _, err := r.c.AssociateApprovalRuleTemplateWithRepository(ctx, &cc.AssociateApprovalRuleTemplateWithRepositoryInput{ApprovalRuleTemplateName: aws.String("any"), RepositoryName: aws.String("out")}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.c.DisassociateApprovalRuleTemplateFromRepository(ctx, &cc.DisassociateApprovalRuleTemplateFromRepositoryInput{ApprovalRuleTemplateName: aws.String("any"), RepositoryName: aws.String("out")}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.c.UpdateApprovalRuleTemplateName(ctx, &cc.UpdateApprovalRuleTemplateNameInput{OldApprovalRuleTemplateName: aws.String("any"), NewApprovalRuleTemplateName: aws.String("anyone")}); err != nil {
		t.Fatal(err)
	}
	ut, err := r.c.UpdateApprovalRuleTemplateContent(ctx, &cc.UpdateApprovalRuleTemplateContentInput{ApprovalRuleTemplateName: aws.String("anyone"), NewRuleContent: aws.String(strings.Replace(content, "1}", "2}", 1))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.c.UpdateApprovalRuleTemplateDescription(ctx, &cc.UpdateApprovalRuleTemplateDescriptionInput{ApprovalRuleTemplateName: aws.String("anyone"), ApprovalRuleTemplateDescription: aws.String("two")}); err != nil {
		t.Fatal(err)
	}
	gt, err := r.c.GetApprovalRuleTemplate(ctx, &cc.GetApprovalRuleTemplateInput{ApprovalRuleTemplateName: aws.String("anyone")})
	if err != nil || aws.ToString(gt.ApprovalRuleTemplate.RuleContentSha256) != aws.ToString(ut.ApprovalRuleTemplate.RuleContentSha256) || aws.ToString(gt.ApprovalRuleTemplate.ApprovalRuleTemplateDescription) != "two" {
		t.Fatalf("%+v %v", gt, err)
	}
	lt, err := r.c.ListApprovalRuleTemplates(ctx, &cc.ListApprovalRuleTemplatesInput{})
	if err != nil || len(lt.ApprovalRuleTemplateNames) != 1 {
		t.Fatalf("%+v %v", lt, err)
	}
	dt, err := r.c.DeleteApprovalRuleTemplate(ctx, &cc.DeleteApprovalRuleTemplateInput{ApprovalRuleTemplateName: aws.String("anyone")})
	if err != nil || aws.ToString(dt.ApprovalRuleTemplateId) == "" {
		t.Fatalf("%+v %v", dt, err)
	}
	// A PR rule can be updated and deleted; FF merge of a PR.
	r.branch("g", r.tip("main"))
	r.commit("g", map[string]string{"c": "c\n"})
	p2, err := r.c.CreatePullRequest(ctx, &cc.CreatePullRequestInput{Title: aws.String("g"), Targets: []types.Target{{RepositoryName: aws.String("out"), SourceReference: aws.String("g")}}})
	if err != nil {
		t.Fatal(err)
	}
	id := p2.PullRequest.PullRequestId
	if _, err := r.c.CreatePullRequestApprovalRule(ctx, &cc.CreatePullRequestApprovalRuleInput{PullRequestId: id, ApprovalRuleName: aws.String("r"), ApprovalRuleContent: aws.String(content)}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.c.UpdatePullRequestApprovalRuleContent(ctx, &cc.UpdatePullRequestApprovalRuleContentInput{PullRequestId: id, ApprovalRuleName: aws.String("r"), NewRuleContent: aws.String(strings.Replace(content, "1}", "3}", 1))}); err != nil {
		t.Fatal(err)
	}
	dr, err := r.c.DeletePullRequestApprovalRule(ctx, &cc.DeletePullRequestApprovalRuleInput{PullRequestId: id, ApprovalRuleName: aws.String("r")})
	if err != nil || aws.ToString(dr.ApprovalRuleId) == "" {
		t.Fatalf("%+v %v", dr, err)
	}
	if _, err := r.c.MergePullRequestByFastForward(ctx, &cc.MergePullRequestByFastForwardInput{PullRequestId: id, RepositoryName: aws.String("out"), SourceCommitId: aws.String(base)}); errorCode(err) != "TipOfSourceReferenceIsDifferentException" {
		t.Fatalf("stale source: %v", err)
	}
	if _, err := r.c.MergePullRequestBySquash(ctx, &cc.MergePullRequestBySquashInput{PullRequestId: id, RepositoryName: aws.String("out")}); err != nil {
		t.Fatal(err)
	}
	if r.file("main", "c") != "c\n" {
		t.Fatal("squash did not land")
	}
}

func TestApprovalPoolMembers(t *testing.T) {
	r := newSDKRepo(t, "pool")
	base := r.commit("main", map[string]string{"a": "a\n"})
	r.branch("f", base)
	r.commit("f", map[string]string{"b": "b\n"})
	cases := []struct {
		member   string
		approver string
		ok       bool
	}{
		{"arn:aws:sts::000000000000:assumed-role/Reviewers/*", "arn:aws:sts::000000000000:assumed-role/Reviewers/mary", true},
		{"arn:aws:iam::000000000000:role/Reviewers", "arn:aws:sts::000000000000:assumed-role/Reviewers/mary", true},
		{"arn:aws:iam::000000000000:role/Reviewers", "arn:aws:sts::000000000000:assumed-role/Others/mary", false},
		{"CodeCommitApprovers:000000000000:mary", "arn:aws:sts::000000000000:assumed-role/Any/mary", true},
		{"CodeCommitApprovers:000000000000:mary", "arn:aws:iam::000000000000:user/mary", true},
		{"CodeCommitApprovers:111111111111:mary", "arn:aws:iam::000000000000:user/mary", false},
		{"arn:aws:iam::000000000000:user/m?ry", "arn:aws:iam::000000000000:user/mary", true},
		{"arn:aws:iam::000000000000:user/bob", "arn:aws:iam::000000000000:user/mary", false},
	}
	for i, tc := range cases {
		ctx := context.Background()
		cp, err := r.svc.CreatePullRequest(ctx, &codecommit.CreatePullRequestInput{Title: "t", Targets: []codecommit.Target{{RepositoryName: "pool", SourceReference: "f"}}})
		if err != nil {
			t.Fatal(err)
		}
		id, rev := cp.PullRequest.PullRequestID, cp.PullRequest.RevisionID
		content := `{"Version": "2018-11-08", "Statements": [{"Type": "Approvers", "NumberOfApprovalsNeeded": 1, "ApprovalPoolMembers": ["` + tc.member + `"]}]}`
		if _, err := r.svc.CreatePullRequestApprovalRule(ctx, &codecommit.CreatePullRequestApprovalRuleInput{PullRequestID: id, ApprovalRuleName: "r", ApprovalRuleContent: content}); err != nil {
			t.Fatal(err)
		}
		if _, err := r.svc.UpdatePullRequestApprovalState(as(tc.approver), &codecommit.UpdatePullRequestApprovalStateInput{PullRequestID: id, RevisionID: rev, ApprovalState: "APPROVE"}); err != nil {
			t.Fatal(err)
		}
		ev, err := r.svc.EvaluatePullRequestApprovalRules(ctx, &codecommit.EvaluatePullRequestApprovalRulesInput{PullRequestID: id, RevisionID: rev})
		if err != nil {
			t.Fatal(err)
		}
		if ev.Evaluation.Approved != tc.ok {
			t.Errorf("case %d: %s approving for %s: approved=%v", i, tc.approver, tc.member, ev.Evaluation.Approved)
		}
		if _, err := r.svc.UpdatePullRequestStatus(ctx, &codecommit.UpdatePullRequestStatusInput{PullRequestID: id, PullRequestStatus: "CLOSED"}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPullRequestsFollowRepositoryRenameAndDelete(t *testing.T) {
	ctx := context.Background()
	r := newSDKRepo(t, "old")
	base := r.commit("main", map[string]string{"a": "a\n"})
	r.branch("f", base)
	r.commit("f", map[string]string{"b": "b\n"})
	cp, err := r.c.CreatePullRequest(ctx, &cc.CreatePullRequestInput{Title: aws.String("t"), Targets: []types.Target{{RepositoryName: aws.String("old"), SourceReference: aws.String("f")}}})
	if err != nil {
		t.Fatal(err)
	}
	content := `{"Version": "2018-11-08", "Statements": [{"Type": "Approvers", "NumberOfApprovalsNeeded": 1}]}`
	if _, err := r.c.CreateApprovalRuleTemplate(ctx, &cc.CreateApprovalRuleTemplateInput{ApprovalRuleTemplateName: aws.String("t"), ApprovalRuleTemplateContent: aws.String(content)}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.c.AssociateApprovalRuleTemplateWithRepository(ctx, &cc.AssociateApprovalRuleTemplateWithRepositoryInput{ApprovalRuleTemplateName: aws.String("t"), RepositoryName: aws.String("old")}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.c.UpdateRepositoryName(ctx, &cc.UpdateRepositoryNameInput{OldName: aws.String("old"), NewName: aws.String("new")}); err != nil {
		t.Fatal(err)
	}
	lp, err := r.c.ListPullRequests(ctx, &cc.ListPullRequestsInput{RepositoryName: aws.String("new")})
	if err != nil || len(lp.PullRequestIds) != 1 {
		t.Fatalf("%+v %v", lp, err)
	}
	lr, _ := r.c.ListRepositoriesForApprovalRuleTemplate(ctx, &cc.ListRepositoriesForApprovalRuleTemplateInput{ApprovalRuleTemplateName: aws.String("t")})
	if len(lr.RepositoryNames) != 1 || lr.RepositoryNames[0] != "new" {
		t.Fatal(lr.RepositoryNames)
	}
	if _, err := r.c.DeleteRepository(ctx, &cc.DeleteRepositoryInput{RepositoryName: aws.String("new")}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.c.GetPullRequest(ctx, &cc.GetPullRequestInput{PullRequestId: cp.PullRequest.PullRequestId}); errorCode(err) != "PullRequestDoesNotExistException" {
		t.Fatalf("PR of deleted repo: %v", err)
	}
	if _, err := r.c.DeleteApprovalRuleTemplate(ctx, &cc.DeleteApprovalRuleTemplateInput{ApprovalRuleTemplateName: aws.String("t")}); err != nil {
		t.Fatal(err)
	}
}

// TestApprovalAndReplyThroughSDK approves another user's pull request and replies to a
// comment through the SDK client (which calls as the account's root).
func TestApprovalAndReplyThroughSDK(t *testing.T) {
	ctx := context.Background()
	r := newSDKRepo(t, "sdkapp")
	base := r.commit("main", map[string]string{"a": "a\n"})
	r.branch("f", base)
	r.commit("f", map[string]string{"b": "b\n"})
	author := as("arn:aws:iam::000000000000:user/author")
	cp, err := r.svc.CreatePullRequest(author, &codecommit.CreatePullRequestInput{Title: "t", Targets: []codecommit.Target{{RepositoryName: "sdkapp", SourceReference: "f"}}})
	if err != nil {
		t.Fatal(err)
	}
	id, rev := cp.PullRequest.PullRequestID, cp.PullRequest.RevisionID
	content := `{"Version": "2018-11-08", "Statements": [{"Type": "Approvers", "NumberOfApprovalsNeeded": 1, "ApprovalPoolMembers": ["arn:aws:iam::000000000000:root"]}]}`
	if _, err := r.svc.CreatePullRequestApprovalRule(author, &codecommit.CreatePullRequestApprovalRuleInput{PullRequestID: id, ApprovalRuleName: "root", ApprovalRuleContent: content}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.c.UpdatePullRequestApprovalState(ctx, &cc.UpdatePullRequestApprovalStateInput{PullRequestId: aws.String(id), RevisionId: aws.String(rev), ApprovalState: types.ApprovalStateApprove}); err != nil {
		t.Fatal(err)
	}
	ev, err := r.c.EvaluatePullRequestApprovalRules(ctx, &cc.EvaluatePullRequestApprovalRulesInput{PullRequestId: aws.String(id), RevisionId: aws.String(rev)})
	if err != nil || !ev.Evaluation.Approved {
		t.Fatalf("%+v %v", ev, err)
	}
	if _, err := r.c.UpdatePullRequestApprovalState(ctx, &cc.UpdatePullRequestApprovalStateInput{PullRequestId: aws.String(id), RevisionId: aws.String(rev), ApprovalState: types.ApprovalStateRevoke}); err != nil {
		t.Fatal(err)
	}
	ev, _ = r.c.EvaluatePullRequestApprovalRules(ctx, &cc.EvaluatePullRequestApprovalRulesInput{PullRequestId: aws.String(id), RevisionId: aws.String(rev)})
	if ev.Evaluation.Approved {
		t.Fatal("still approved after REVOKE")
	}
	pc, err := r.svc.PostCommentForPullRequest(author, &codecommit.PostCommentForPullRequestInput{PullRequestID: id, RepositoryName: "sdkapp", BeforeCommitID: base, AfterCommitID: r.tip("f"), Content: "please review"})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := r.c.PostCommentReply(ctx, &cc.PostCommentReplyInput{InReplyTo: aws.String(pc.Comment.CommentID), Content: aws.String("on it"), ClientRequestToken: aws.String("reply-1")})
	if err != nil {
		t.Fatal(err)
	}
	again, err := r.c.PostCommentReply(ctx, &cc.PostCommentReplyInput{InReplyTo: aws.String(pc.Comment.CommentID), Content: aws.String("on it"), ClientRequestToken: aws.String("reply-1")})
	if err != nil || aws.ToString(again.Comment.CommentId) != aws.ToString(rep.Comment.CommentId) {
		t.Fatalf("idempotent reply: %+v %v", again, err)
	}
	if _, err := r.c.PostCommentReply(ctx, &cc.PostCommentReplyInput{InReplyTo: aws.String(pc.Comment.CommentID), Content: aws.String("different"), ClientRequestToken: aws.String("reply-1")}); errorCode(err) != "IdempotencyParameterMismatchException" {
		t.Fatalf("token reuse: %v", err)
	}
	gc, err := r.c.GetCommentsForPullRequest(ctx, &cc.GetCommentsForPullRequestInput{PullRequestId: aws.String(id), RepositoryName: aws.String("sdkapp")})
	if err != nil || len(gc.CommentsForPullRequestData) != 1 || len(gc.CommentsForPullRequestData[0].Comments) != 2 {
		t.Fatalf("%+v %v", gc, err)
	}
}
