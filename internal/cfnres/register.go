package cfnres

import (
	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/cloudtrail"
	"github.com/devopsim/devopsim/cloudwatch/events"
	"github.com/devopsim/devopsim/cloudwatch/logs"
	"github.com/devopsim/devopsim/cloudwatch/metrics"
	"github.com/devopsim/devopsim/codebuild"
	"github.com/devopsim/devopsim/codecommit"
	"github.com/devopsim/devopsim/codedeploy"
	"github.com/devopsim/devopsim/codepipeline"
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
	// CodePipeline backs AWS::CodePipeline::Pipeline and CustomActionType.
	CodePipeline *codepipeline.Service
	// CloudTrail backs AWS::CloudTrail::Trail.
	CloudTrail *cloudtrail.Service
	// SSM receives AWS::EC2::KeyPair private keys (/ec2/keypair/<id>, as AWS); AWS::SSM::Parameter
	// itself is built into cloudformation (its Options.SSM).
	SSM *ssm.Service
	// Objects is the S3 store AWS::CodeCommit::Repository Code.S3 zips are read from (nil:
	// templates with Code fail) and AWS::S3::BucketPolicy checks buckets in (nil: the type
	// is not registered).
	Objects core.Objects
}

// Register registers a provider for every resource type of the non-nil services.
func Register(cf *cloudformation.Service, s Services) {
	if s.EC2 != nil {
		registerEC2(cf, s.EC2)
		registerNetwork(cf, s.EC2, s.SSM)
		registerGateways(cf, s.EC2)
	}
	if s.AutoScaling != nil {
		registerAutoScaling(cf, s.AutoScaling, s.EC2)
		registerLifecycleHooks(cf, s.AutoScaling)
	}
	if s.SNS != nil {
		registerSNS(cf, s.SNS)
	}
	if s.Logs != nil {
		registerLogs(cf, s.Logs)
		registerLogsMore(cf, s.Logs)
	}
	if s.Metrics != nil {
		registerMetrics(cf, s.Metrics)
		registerCompositeAlarms(cf, s.Metrics)
	}
	if s.Events != nil {
		registerEvents(cf, s.Events)
		registerEventBuses(cf, s.Events)
	}
	if s.CodeCommit != nil {
		registerCodeCommit(cf, s.CodeCommit, s.Objects)
	}
	if s.CodeBuild != nil {
		registerCodeBuild(cf, s.CodeBuild)
		registerReportGroups(cf, s.CodeBuild)
	}
	if s.IAM != nil {
		registerIAM(cf, s.IAM)
		registerIAMUsers(cf, s.IAM)
	}
	if s.ELBv2 != nil {
		registerELBv2(cf, s.ELBv2)
	}
	if s.CodePipeline != nil {
		registerCodePipeline(cf, s.CodePipeline)
	}
	if s.CloudTrail != nil {
		registerCloudTrail(cf, s.CloudTrail)
	}
	if s.Objects != nil {
		registerBucketPolicies(cf, s.Objects)
	}
	if s.CodeDeploy != nil {
		registerCodeDeploy(cf, s.CodeDeploy)
	}
}
