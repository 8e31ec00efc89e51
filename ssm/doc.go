// Package ssm is AWS Systems Manager for devopsim: Run Command, which really runs shell scripts
// on ec2sim hosts, and Parameter Store, which builds, stacks and AMI lookups read.
//
// # Run Command
//
// SendCommand runs the AWS-RunShellScript document (parameters commands, workingDirectory,
// executionTimeout) on instances named by InstanceIds or by Targets (tag:<key>, tag-key,
// InstanceIds; several targets must all match). The script is the commands joined by
// newlines and runs as root in the host's shell (Options.Fleet gives the hosts), in the
// agent's orchestration directory /var/lib/amazon/ssm/<instance>/document/orchestration/
// <command>/awsrunShellScript/0.awsrunShellScript unless workingDirectory is set, with
// AWS_SSM_INSTANCE_ID and AWS_SSM_REGION_NAME in its environment. MaxConcurrency ("10" or
// "10%", default 50) bounds how many instances run at once; once more invocations than
// MaxErrors (default 0) failed, the rest are not sent (StatusDetails Terminated).
//
// Statuses follow AWS: a command is Pending, InProgress, then Success, Failed (StatusDetails
// Failed or Incomplete), TimedOut (ExecutionTimedOut or DeliveryTimedOut), Cancelling and
// Cancelled; Success with StatusDetails NoInstancesInTag when targets match nothing. An
// invocation is Pending, InProgress, then Success, Failed (ResponseCode = the exit status;
// "failed to run commands: exit status N" ends its error output), TimedOut
// (ExecutionTimedOut, exit 137, when executionTimeout runs out), or Cancelled. An instance
// that is stopped or pending when its turn comes is Delayed and retried every
// Options.DeliveryRetry until TimeoutSeconds (default 3600) after the request, then
// DeliveryTimedOut; a terminated instance is Undeliverable (Status Failed, ResponseCode -1).
// Undeliverable, DeliveryTimedOut and Terminated invocations do not count against MaxErrors.
//
// Output is capped as the agent caps it: GetCommandInvocation returns the first 24,000
// characters of standard output and 8,000 of standard error (ending "---Output truncated---"),
// ListCommandInvocations with Details the plugin Output (stdout, "----------ERROR-------",
// stderr) in 2,500. With OutputS3BucketName the full streams are written to
// <prefix>/<command>/<instance>/awsrunShellScript/0.awsrunShellScript/stdout and stderr in
// env.Objects; with CloudWatchOutputConfig they stream line by line to Options.Logs (group
// /aws/ssm/AWS-RunShellScript by default, streams <command>/<instance>/aws-runShellScript/
// stdout and stderr). GetCommandInvocation, ListCommands and ListCommandInvocations (filters
// Status, ExecutionStage, DocumentName, InvokedAfter/Before; pagination) read the results;
// CancelCommand stops a command on all or some instances. Status changes publish "EC2 Command
// Status-change Notification" and "EC2 Command Invocation Status-change Notification"
// (source aws.ssm).
//
// DescribeInstanceInformation lists every instance that is not terminated as a managed node
// (the agent is always installed): PingStatus Online while running, ConnectionLost otherwise;
// filters InstanceIds, PingStatus, PlatformTypes, ResourceType, AgentVersion, IamRole, tag:,
// tag-key in either filter shape.
//
// # Parameter Store
//
// PutParameter (String, StringList, SecureString with KeyId, Overwrite, Standard, Advanced
// and Intelligent-Tiering tiers, AllowedPattern, DataType text, aws:ec2:image and
// aws:ssm:integration, Policies, Tags), GetParameter and GetParameters (WithDecryption;
// "name:3" versions, "name:label" labels, parameter ARNs), GetParametersByPath (Recursive,
// Type/KeyId/Label/tag: filters, pagination), DeleteParameter(s), DescribeParameters (Filters
// or ParameterFilters: Name with Equals/BeginsWith/Contains, Path OneLevel/Recursive, Type,
// KeyId, Tier, DataType, tag:), GetParameterHistory, Label/UnlabelParameterVersion,
// Add/RemoveTagsFromResource and ListTagsForResource (ResourceType Parameter). AWS's limits
// apply with its errors: names of a-zA-Z0-9_.- and "/", not prefixed aws or ssm
// (ValidationException; "/aws/..." is AccessDeniedException), at most 15 levels
// (HierarchyLevelLimitExceededException) and 1,011 characters; values of 4 KB (Standard) or
// 8 KB (Advanced); 100 versions (the oldest is dropped unless labelled:
// ParameterMaxVersionLimitExceeded); 10 labels per version; 10,000 Standard and 100,000
// Advanced parameters per account and region (ParameterLimitExceeded); 50 tags. Changes
// publish "Parameter Store Change" events. Expiration policies delete the parameter when
// their time comes on the platform clock (checked on access).
//
// Public parameters (Options.PublicParameters, e.g. AMIParameters for ec2sim's base images)
// are read-only and global: /aws/service/ami-amazon-linux-latest/... and
// /aws/service/canonical/ubuntu/server/... work with GetParameter, GetParameters,
// GetParametersByPath and GetParameterHistory. Resolve and Lookup are the Go entry points
// other services use (CodeBuild PARAMETER_STORE variables, CloudFormation SSM parameter types
// and {{resolve:ssm:...}}); each is one audited GetParameter call.
//
// # Concurrency, time, errors
//
// The Service is safe for concurrent use. Commands run in the background on service-owned
// goroutines; executionTimeout, TimeoutSeconds and delivery retries run on the platform clock
// (env.Clock), so a manual clock or testing/synctest drives them. Wait and Settle wait for
// commands; Close cancels running scripts and waits for them. Every operation goes through the
// dispatcher (CloudTrail sees it). Errors are *apierr.Error with AWS's codes; the sentinels
// (ErrParameterNotFound, ErrInvalidInstanceID, ...) match with errors.Is. Bad input never
// panics (the parsers are fuzzed).
//
// # Deviations from AWS
//
// Only the AWS-RunShellScript document exists (others are InvalidDocument); resource-group
// targets, SSM documents, associations, sessions, automation and SNS notifications are not
// implemented (NotificationConfig is stored and echoed). SecureString values are not
// encrypted with KMS: the value read without WithDecryption is an opaque base64 blob derived
// from the key id, and any key id of the right form is accepted. AllowedPattern uses Go's
// RE2 syntax instead of Java's (no back-references or look-around) and must match the whole
// value. "/name" and "name" are the same parameter. Targets are resolved when the command is
// sent. Parameter policies are validated and Expiration is enforced; the notification
// policies emit nothing. The exit status of a stopped script is 137 as on the Linux agent.
// Commands in progress when the process stops are not resumed after a restart.
package ssm
