// Package cfnres registers CloudFormation resource providers for the platform's services:
// each provider maps a type's template properties (the AWS::X::Y schema names) onto the owning
// service's public Go operations, called with the stack caller's ctx, and returns the Ref value
// (Result.PhysicalID) and the Fn::GetAtt attributes AWS documents.
//
// Call Register(cf, Services{...}) once after building the services; a nil service's types
// are not registered.
//
// # Types (Ref; GetAtt)
//
//	AWS::EC2::SecurityGroup          group ID (group name without VpcId, as AWS); GroupId, VpcId
//	AWS::EC2::SecurityGroupIngress   security group rule ID (sgr-); Id
//	AWS::EC2::SecurityGroupEgress    security group rule ID (sgr-); Id
//	AWS::EC2::Instance               instance ID; AvailabilityZone, PrivateIp, PrivateDnsName, PublicIp, PublicDnsName, InstanceId, VpcId
//	AWS::EC2::LaunchTemplate         template ID; LaunchTemplateId, DefaultVersionNumber, LatestVersionNumber
//	AWS::EC2::VPC                    VPC ID; CidrBlock, DefaultSecurityGroup, Ipv6CidrBlocks, VpcId
//	AWS::EC2::Subnet                 subnet ID; AvailabilityZone, AvailabilityZoneId, CidrBlock, Ipv6CidrBlocks, SubnetId, VpcId
//	AWS::EC2::KeyPair                key name; KeyFingerprint, KeyPairId (private key in SSM /ec2/keypair/<id>)
//	AWS::EC2::InternetGateway        gateway ID; InternetGatewayId
//	AWS::EC2::VPCGatewayAttachment   "IGW|<vpc>"
//	AWS::EC2::RouteTable             route table ID; RouteTableId
//	AWS::EC2::Route                  "<table>|<destination>"; CidrBlock
//	AWS::EC2::SubnetRouteTableAssociation  association ID; Id
//	AWS::EC2::EIP                    public IP; AllocationId, PublicIp
//	AWS::EC2::EIPAssociation         association ID; Id
//	AWS::AutoScaling::AutoScalingGroup     group name
//	AWS::AutoScaling::LaunchConfiguration  name
//	AWS::AutoScaling::ScalingPolicy  policy ARN; Arn, PolicyName
//	AWS::AutoScaling::LifecycleHook  hook name
//	AWS::SNS::Topic                  topic ARN; TopicArn, TopicName
//	AWS::SNS::Subscription           subscription ARN; Arn
//	AWS::SNS::TopicPolicy            generated ID
//	AWS::Logs::LogGroup              name; Arn
//	AWS::Logs::LogStream             name
//	AWS::Logs::MetricFilter          name
//	AWS::Logs::SubscriptionFilter    name
//	AWS::Logs::QueryDefinition       query definition ID; QueryDefinitionId
//	AWS::CloudWatch::Alarm           name; Arn
//	AWS::CloudWatch::CompositeAlarm  name; Arn
//	AWS::Events::Rule                name ("bus|name" on a custom bus); Arn
//	AWS::Events::EventBus            name; Arn, Name, Policy
//	AWS::CloudTrail::Trail           name; Arn, SnsTopicArn
//	AWS::S3::BucketPolicy            bucket name
//	AWS::CodeCommit::Repository      repository ID; Arn, CloneUrlHttp, CloneUrlSsh, Name, KmsKeyId
//	AWS::CodeBuild::Project          name; Arn
//	AWS::CodeBuild::ReportGroup      ARN; Arn, Name
//	AWS::CodePipeline::Pipeline      name; Version
//	AWS::CodePipeline::CustomActionType  "Category|Provider|Version"; Id
//	AWS::IAM::User                   name; Arn
//	AWS::IAM::AccessKey              access key ID; SecretAccessKey
//	AWS::CodeDeploy::Application     name
//	AWS::CodeDeploy::DeploymentConfig name
//	AWS::CodeDeploy::DeploymentGroup name
//
// AWS::SSM::Parameter and AWS::S3::Bucket are built into package cloudformation; the IAM Role,
// InstanceProfile, Policy and ManagedPolicy and the ELBv2 types are listed in their files.
//
// # Updates, deletes, drift
//
// Properties AWS documents as "Replacement" are in each TypeSpec.ReplaceOn; other changes are
// applied in place (Auto Scaling groups, launch templates (a new default version), scaling
// policies, topics, subscriptions, log group retention, alarms, rules and their targets,
// repositories (name, description, triggers), projects, deployment groups, security group
// SecurityGroupIngress/SecurityGroupEgress (the rules that left the template are revoked, the
// new ones authorized; a template without SecurityGroupEgress gets EC2's allow-all egress
// rule back), VPC tags and EnableDnsSupport/EnableDnsHostnames, subnet tags and
// MapPublicIpOnLaunch, gateway attachments (detach/attach), routes (ReplaceRoute), subnet associations
// (ReplaceRouteTableAssociation), EIP InstanceId, lifecycle hooks, metric/subscription filters, query definitions, composite alarms,
// event bus Description, KmsKeyIdentifier, DeadLetterConfig (UpdateEventBus) and tags, trails (settings, selectors, IsLogging), pipelines (UpdatePipeline: a new
// Version; DisableInboundStageTransitions; RestartExecutionOnUpdate), access key Status, tags). Deletes
// treat the service's not-found errors as done. Types with a cheap describe implement Read
// for drift detection (instances, security groups, groups, topics, log groups, alarms, rules,
// repositories, projects, deployment groups) and report the properties the template set.
//
// # Auto Scaling policies
//
// UpdatePolicy AutoScalingRollingUpdate: when the launch configuration, launch template (or
// its version), MixedInstancesPolicy or subnets change, the group's obsolete instances are
// replaced in batches of MaxBatchSize, launching first when needed to keep
// MinInstancesInService in service (DesiredCapacity and MaxSize are raised for the batch and
// restored), then waiting for the new instances' cfn-signal (WaitOnResourceSignals, PauseTime
// as the timeout, MinSuccessfulInstancesPercent) or pausing PauseTime on the platform clock.
// SuspendProcesses are suspended for the update and resumed after it. A failed batch fails the
// update and the rollback rolls the previous configuration back out. The group's progress
// shows in its stack events with AWS's messages ("Rolling update initiated. …", "Terminating
// instance(s) […]", "New instance(s) added to autoscaling group - Waiting on N resource
// signal(s) …", "Successfully terminated instance(s) […] (Progress N%).", "Failed to receive N
// resource signal(s) for the current batch. …").
// AutoScalingReplacingUpdate WillReplace and CreationPolicy (ResourceSignal Count,
// AutoScalingCreationPolicy MinSuccessfulInstancesPercent) are honoured by the engine.
//
// # Errors, concurrency, time
//
// Bad properties are ValidationError (the engine's CREATE_FAILED reason); service errors pass
// through unchanged. Providers hold no state and are safe for concurrent use. An instance
// completes once it is running and its user data has finished (AWS completes at running);
// an Auto Scaling group once its instances have booted.
//
// # Deviations
//
// A standalone SecurityGroupIngress/Egress Description change revokes and re-authorizes the
// rule (ec2sim has no UpdateSecurityGroupRuleDescriptions), so its Ref (the rule ID) changes.
// VPCGatewayAttachment takes internet gateways only (no VpnGatewayId).
// The services refuse aws:* tag keys from callers, so only instances (ec2sim.WithInternal)
// get the aws:cloudformation:* tags; other types get the template's and the stack's tags. Instance
// changes to InstanceType, UserData, SecurityGroupIds and IamInstanceProfile replace the
// instance (AWS stops and restarts it). CodeCommit Code.S3 needs Services.Objects.
// AWS::CodeDeploy::DeploymentGroup's Deployment starts a deployment without waiting for it.
// AWS::IAM::Policy and ManagedPolicy attach to Roles only (no IAM users or groups); a
// ManagedPolicy's new PolicyDocument replaces the policy (one version is modelled). The
// ELBv2 TargetGroup, LoadBalancer and Listener are replaced on any property change, and
// TargetGroupAttributes/LoadBalancerAttributes are ignored.
// Subnet attributes other than MapPublicIpOnLaunch are accepted and recorded. An event bus's
// Policy is recorded, not enforced. An S3
// bucket policy is checked (JSON with Statement, bucket exists) and recorded with the stack,
// not enforced. A CodeBuild report group's ExportConfig or Tags change replaces it (no
// UpdateReportGroup). AWS::IAM::User refuses Groups, LoginProfile, Policies,
// ManagedPolicyArns and PermissionsBoundary (not modelled by iam) and replaces on Path or
// Tags (no UpdateUser, no user tags). A KeyPair given PublicKeyMaterial is imported (no SSM
// parameter, as AWS).
package cfnres
