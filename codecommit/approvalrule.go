package codecommit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ruleContent is an approval rule's content (Version 2018-11-08):
//
//	{"Version": "2018-11-08",
//	 "DestinationReferences": ["refs/heads/main"],        (templates only)
//	 "Statements": [{"Type": "Approvers", "NumberOfApprovalsNeeded": 2,
//	                 "ApprovalPoolMembers": ["arn:aws:sts::123456789012:assumed-role/Reviewers/*",
//	                                         "CodeCommitApprovers:123456789012:Mary_Major"]}]}
type ruleContent struct {
	Version               string          `json:"Version"`
	DestinationReferences []string        `json:"DestinationReferences,omitempty"`
	Statements            []ruleStatement `json:"Statements"`
}

type ruleStatement struct {
	Type                    string   `json:"Type"`
	NumberOfApprovalsNeeded int      `json:"NumberOfApprovalsNeeded"`
	ApprovalPoolMembers     []string `json:"ApprovalPoolMembers,omitempty"`
}

const (
	ruleVersion        = "2018-11-08"
	maxRuleContent     = 3000
	maxApprovalsNeeded = 25
	maxPoolMembers     = 50
)

var errRuleContent = errors.New("invalid approval rule content")

// parseRuleContent parses and checks approval rule content.
func parseRuleContent(s string) (*ruleContent, error) {
	if len(s) > maxRuleContent || !utf8.ValidString(s) {
		return nil, fmt.Errorf("%w: longer than %d characters", errRuleContent, maxRuleContent)
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	var rc ruleContent
	if err := dec.Decode(&rc); err != nil {
		return nil, fmt.Errorf("%w: %v", errRuleContent, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data", errRuleContent)
	}
	if rc.Version != ruleVersion {
		return nil, fmt.Errorf("%w: Version must be %s", errRuleContent, ruleVersion)
	}
	if len(rc.Statements) == 0 {
		return nil, fmt.Errorf("%w: at least one statement is required", errRuleContent)
	}
	for _, st := range rc.Statements {
		if st.Type != "Approvers" {
			return nil, fmt.Errorf("%w: statement Type must be Approvers", errRuleContent)
		}
		if st.NumberOfApprovalsNeeded < 1 || st.NumberOfApprovalsNeeded > maxApprovalsNeeded {
			return nil, fmt.Errorf("%w: NumberOfApprovalsNeeded must be between 1 and %d", errRuleContent, maxApprovalsNeeded)
		}
		if len(st.ApprovalPoolMembers) > maxPoolMembers {
			return nil, fmt.Errorf("%w: too many approval pool members", errRuleContent)
		}
		for _, m := range st.ApprovalPoolMembers {
			if !validMember(m) {
				return nil, fmt.Errorf("%w: approval pool member %q is neither an ARN nor CodeCommitApprovers:<account>:<name>", errRuleContent, m)
			}
		}
	}
	for _, ref := range rc.DestinationReferences {
		if !strings.HasPrefix(ref, "refs/heads/") || len(ref) == len("refs/heads/") {
			return nil, fmt.Errorf("%w: destination reference %q is not refs/heads/<branch>", errRuleContent, ref)
		}
	}
	return &rc, nil
}

func validMember(m string) bool {
	if rest, ok := strings.CutPrefix(m, "CodeCommitApprovers:"); ok {
		acct, name, ok := strings.Cut(rest, ":")
		return ok && acct != "" && name != ""
	}
	parts := strings.SplitN(m, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[5] != ""
}

// contentSHA256 is the ruleContentSha256 AWS reports for content.
func contentSHA256(content string) string {
	sum := sha256.Sum256([]byte(content))
	return hex.EncodeToString(sum[:])
}

// glob matches s against p where '*' matches any run of bytes and '?' one byte, in linear
// time (backtracking only to the last star).
func glob(p, s string) bool {
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// principalName splits a caller ARN into its account and the names a pool member may
// name: an IAM user's name, an assumed role's session name.
func principalName(arn string) (account string, names []string) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return "", nil
	}
	account = parts[4]
	res := parts[5]
	switch {
	case strings.HasPrefix(res, "user/"):
		names = append(names, res[strings.LastIndex(res, "/")+1:])
	case strings.HasPrefix(res, "assumed-role/"):
		seg := strings.Split(res, "/")
		if len(seg) >= 3 {
			names = append(names, seg[len(seg)-1])
		}
	case res == "root":
		names = append(names, "root")
	}
	return account, names
}

// memberMatches says whether the approver's ARN is in pool member m.
func memberMatches(m, approver string) bool {
	if rest, ok := strings.CutPrefix(m, "CodeCommitApprovers:"); ok {
		acct, name, _ := strings.Cut(rest, ":")
		a, names := principalName(approver)
		if a != acct {
			return false
		}
		for _, n := range names {
			if glob(name, n) {
				return true
			}
		}
		return false
	}
	if glob(m, approver) {
		return true
	}
	// An IAM role ARN stands for the sessions of that role.
	if parts := strings.SplitN(m, ":", 6); len(parts) == 6 && parts[2] == "iam" && strings.HasPrefix(parts[5], "role/") {
		role := parts[5][len("role/"):]
		role = role[strings.LastIndex(role, "/")+1:]
		return glob("arn:"+parts[1]+":sts::"+parts[4]+":assumed-role/"+role+"/*", approver)
	}
	return false
}

// satisfied says whether approvers (the ARNs that approved the current revision) satisfy
// every statement of the rule.
func (rc *ruleContent) satisfied(approvers []string) bool {
	for _, st := range rc.Statements {
		n := 0
		for _, a := range approvers {
			if len(st.ApprovalPoolMembers) == 0 {
				n++
				continue
			}
			for _, m := range st.ApprovalPoolMembers {
				if memberMatches(m, a) {
					n++
					break
				}
			}
		}
		if n < st.NumberOfApprovalsNeeded {
			return false
		}
	}
	return true
}

// appliesTo says whether a template's rule applies to a pull request into destRef.
func (rc *ruleContent) appliesTo(destRef string) bool {
	if len(rc.DestinationReferences) == 0 {
		return true
	}
	for _, r := range rc.DestinationReferences {
		if r == destRef {
			return true
		}
	}
	return false
}

var _ = bytes.Equal
