// Package cloudformation is AWS CloudFormation: templates (see package template) stored in
// S3 or passed inline are instantiated as stacks whose resources are really created, updated
// and deleted through the owning services' Go APIs (providers registered with
// RegisterProvider), in dependency order, with AWS's statuses, events, rollback and cleanup.
//
// # Operations
//
// CreateStack (TemplateBody or TemplateURL, Parameters incl. SSM parameter types and
// AWS-specific types, Capabilities, OnFailure, DisableRollback, TimeoutInMinutes, Tags
// propagated to taggable resources, NotificationARNs, EnableTerminationProtection,
// ClientRequestToken), UpdateStack (UsePreviousTemplate, UsePreviousValue,
// StackPolicyDuringUpdateBody), DeleteStack (RetainResources), DescribeStacks, ListStacks,
// DescribeStackEvents, DescribeStackResource(s), ListStackResources, GetTemplate,
// GetTemplateSummary, ValidateTemplate, UpdateTerminationProtection, SetStackPolicy,
// GetStackPolicy, ListExports, ListImports, CancelUpdateStack, ContinueUpdateRollback,
// SignalResource, CreateChangeSet / DescribeChangeSet / ExecuteChangeSet / DeleteChangeSet /
// ListChangeSets, DetectStackDrift, DetectStackResourceDrift,
// DescribeStackDriftDetectionStatus, DescribeStackResourceDrifts, DescribeAccountLimits.
// EstimateTemplateCost answers NotImplemented (AWS answers with a pricing-calculator link).
// Stack sets, type registry, resource scans, generated templates and refactors are absent.
//
// Built-in resource types: AWS::CloudFormation::Stack (nested), WaitCondition,
// WaitConditionHandle (signalled with SignalWaitCondition, what cfn-signal does),
// CustomResource and Custom::* (RegisterCustomResource), AWS::S3::Bucket (env.Objects;
// deleted when the store has an optional DeleteBucket method) and, with Options.SSM,
// AWS::SSM::Parameter. Other types come from the services that own them.
//
// # The provider contract
//
// A Provider has Create, Update and Delete; Create returns the physical ID (what Ref gives)
// and the attributes (what Fn::GetAtt gives; TypeSpec.Attributes lists the names templates
// may use). TypeSpec.ReplaceOn names the properties whose change replaces the resource (an
// Update may also return a replacement error through ProviderFuncs with a nil UpdateFunc).
// The optional Reader interface (Read) reports current properties for drift detection;
// types without it are NOT_CHECKED. Request carries the evaluated UpdatePolicy and
// CreationPolicy; AutoScalingReplacingUpdate WillReplace (the new resource waits for its
// CreationPolicy signals before the old one is deleted) and CreationPolicy ResourceSignal
// (with AutoScalingCreationPolicy.MinSuccessfulInstancesPercent) are honoured by the engine,
// AutoScalingRollingUpdate by the provider, which waits for instances' signals with
// WaitResourceSignals, pauses on Clock and reports its batches with ResourceProgress (the
// events AWS shows inside one resource; SignalResource adds "Received SUCCESS signal with
// UniqueId …" the same way). TypeSpec.RollbackFailedUpdate makes an update
// rollback call Update again for a resource whose failed Update had changed it; while an
// update rolls back, resources show their previous Metadata (cfn-init reads the old one).
//
// # Concurrency and time
//
// A Service is safe for concurrent use. Stack operations run in the background (one at a
// time per stack, up to Options.Parallelism resources at once); Close cancels them and waits.
// WaitStack blocks until a stack's operation ends. Timeouts (TimeoutInMinutes, resource
// signals, wait conditions) run on env.Clock. Events and resource records are written behind
// (in chunks, at each stack status change and when the operation ends); readers see the
// running operation's state.
//
// # Errors
//
// AWS's codes and messages: ValidationError (ErrValidation) for bad input, missing stacks
// and template errors, AlreadyExistsException, InsufficientCapabilitiesException,
// ChangeSetNotFound, InvalidChangeSetStatus, TokenAlreadyExistsException,
// LimitExceededException; match them with errors.Is.
//
// # Deviations
//
// Drift detection completes before DetectStackDrift returns. Change sets compare properties
// statically (a property that depends on a resource being replaced shows Replacement
// Conditional). ChangeSetType IMPORT is refused. IAM resources require the capabilities but
// IAM policies are not enforced. SNS notifications are published with Options.Notifier, in
// CloudFormation's key='value' text format.
package cloudformation
