// Package devopsim is a whole AWS DevOps platform in one process: CodeCommit, CodeBuild,
// CodePipeline, CodeDeploy, CloudFormation, CloudWatch (metrics, alarms, Logs, Events),
// CloudTrail and an EC2 simulator, where things really happen: pushes land in real git
// repositories, builds run, deployments run hooks on simulated hosts, stacks create resources.
//
// New builds a Platform. Use it three ways:
//
//   - From Go: call the services' methods (p.STS().GetCallerIdentity(ctx, ...)).
//   - From Go tests of AWS SDK code: point real aws-sdk-go-v2 clients at p.Handler() in memory
//     (package devopsimtest does this in one line).
//   - From anything else: `devopsim serve` exposes Handler on a port for the AWS CLI, boto3 and git.
//
// Time is the platform's Clock (Options.Clock): pass clock.NewManual to move it yourself.
// Accounts and regions: resources are scoped per account and region as in AWS. On the wire an
// access key id that is a 12-digit number selects that account, any other key acts as the
// default account's root; from Go, As(ctx, account, region) does the same.
//
// A Platform is safe for concurrent use. Close stops all background work and waits for it.
package devopsim
