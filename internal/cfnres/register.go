package cfnres

import (
	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/cloudwatch/events"
	"github.com/devopsim/devopsim/cloudwatch/logs"
	"github.com/devopsim/devopsim/cloudwatch/metrics"
	"github.com/devopsim/devopsim/codebuild"
	"github.com/devopsim/devopsim/codecommit"
	"github.com/devopsim/devopsim/codedeploy"
	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/ec2sim/autoscaling"
	"github.com/devopsim/devopsim/elbv2"
	"github.com/devopsim/devopsim/iam"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/sns"
	"github.com/devopsim/devopsim/ssm"
)

// Services are the platform's services whose resource types Register makes provisionable;
// a nil service's types are skipped.
type Services struct {
	CodeCommit  *codecommit.Service
	CodeBuild   *codebuild.Service
	Logs        *logs.Service
	Metrics     *metrics.Service
	SNS         *sns.Service
	Events      *events.Service
	EC2         *ec2sim.Service
	AutoScaling *autoscaling.Service
	CodeDeploy  *codedeploy.Service
	IAM         *iam.Service
	ELBv2       *elbv2.Service
	// SSM is accepted for completeness: AWS::SSM::Parameter is built into cloudformation
	// (its Options.SSM), so Register adds nothing for it.
	SSM *ssm.Service
	// Objects is the S3 store AWS::CodeCommit::Repository Code.S3 zips are read from (nil:
	// templates with Code fail).
	Objects core.Objects
}

// Register registers a provider for every resource type of the non-nil services.
func Register(cf *cloudformation.Service, s Services) {
	if s.EC2 != nil {
		registerEC2(cf, s.EC2)
	}
	if s.AutoScaling != nil {
		registerAutoScaling(cf, s.AutoScaling, s.EC2)
	}
	if s.SNS != nil {
		registerSNS(cf, s.SNS)
	}
	if s.Logs != nil {
		registerLogs(cf, s.Logs)
	}
	if s.Metrics != nil {
		registerMetrics(cf, s.Metrics)
	}
	if s.Events != nil {
		registerEvents(cf, s.Events)
	}
	if s.CodeCommit != nil {
		registerCodeCommit(cf, s.CodeCommit, s.Objects)
	}
	if s.CodeBuild != nil {
		registerCodeBuild(cf, s.CodeBuild)
	}
	if s.IAM != nil {
		registerIAM(cf, s.IAM)
	}
	if s.ELBv2 != nil {
		registerELBv2(cf, s.ELBv2)
	}
	if s.CodeDeploy != nil {
		registerCodeDeploy(cf, s.CodeDeploy)
	}
}
