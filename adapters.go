package devopsim

import (
	"context"
	"fmt"
	"strings"

	"github.com/devopsim/devopsim/codecommit"
	"github.com/devopsim/devopsim/identity"
)

// codeCommitSources lets CodeBuild (and CodePipeline) read CodeCommit trees.
type codeCommitSources struct{ cc *codecommit.Service }

// repoName takes a CodeCommit clone URL (.../v1/repos/NAME), an ARN
// (arn:aws:codecommit:region:account:NAME) or a bare name.
func repoName(location string) (string, error) {
	switch {
	case strings.HasPrefix(location, "arn:"):
		parts := strings.SplitN(location, ":", 6)
		if len(parts) == 6 && parts[2] == "codecommit" {
			return parts[5], nil
		}
	case strings.Contains(location, "/v1/repos/"):
		_, name, _ := strings.Cut(location, "/v1/repos/")
		return strings.Trim(name, "/"), nil
	case location != "" && !strings.Contains(location, "/"):
		return location, nil
	}
	return "", fmt.Errorf("%q is not a CodeCommit repository URL or ARN", location)
}

func (s codeCommitSources) FetchCodeCommit(ctx context.Context, location, version string) ([]byte, string, error) {
	name, err := repoName(location)
	if err != nil {
		return nil, "", err
	}
	// refs/heads/x^{commitId} pins a commit on a branch: the commit wins.
	if i := strings.Index(version, "^{"); i >= 0 && strings.HasSuffix(version, "}") {
		version = version[i+2 : len(version)-1]
	}
	return s.cc.Archive(identity.InService(ctx, "codebuild.amazonaws.com"), name, version)
}
