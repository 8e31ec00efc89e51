package codecommit

import "testing"

func FuzzParseRuleContent(f *testing.F) {
	f.Add(`{"Version": "2018-11-08", "Statements": [{"Type": "Approvers", "NumberOfApprovalsNeeded": 2, "ApprovalPoolMembers": ["arn:aws:sts::123456789012:assumed-role/CodeCommitReview/*", "CodeCommitApprovers:123456789012:Mary_Major"]}]}`, "arn:aws:iam::123456789012:user/Mary_Major")
	f.Add(`{"Version": "2018-11-08", "DestinationReferences": ["refs/heads/main"], "Statements": [{"Type": "Approvers", "NumberOfApprovalsNeeded": 1}]}`, "arn:aws:sts::123456789012:assumed-role/CodeCommitReview/x")
	f.Add(`{"Version": "2018-11-08", "Statements": []}`, "")
	f.Add(`{"Version": 1}`, "arn")
	f.Add(`[`, "*")
	f.Fuzz(func(t *testing.T, content, approver string) {
		rc, err := parseRuleContent(content)
		if err != nil {
			return
		}
		if len(rc.Statements) == 0 || rc.Version != ruleVersion {
			t.Fatalf("accepted %q", content)
		}
		// Evaluation never panics, and more approvers never un-satisfy a rule.
		one := rc.satisfied([]string{approver})
		if one && !rc.satisfied([]string{approver, "arn:aws:iam::000000000000:user/other"}) {
			t.Fatal("adding an approver un-satisfied the rule")
		}
		_ = rc.appliesTo("refs/heads/main")
	})
}
