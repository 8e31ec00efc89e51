// Package codedeploy is AWS CodeDeploy for the EC2/On-premises (Server) compute platform:
// applications, revisions, deployment configurations, deployment groups and deployments that
// really run on simulated hosts.
//
// # What happens
//
// A deployment resolves its instances (the group's EC2 tag filters or tag set, and its Auto
// Scaling groups) through Fleet, downloads the S3 revision from the platform's object store
// once (zip, tar or tgz) and then, on each instance, does what the CodeDeploy agent does:
// ApplicationStop with the scripts of the revision last installed there by the group,
// DownloadBundle into /opt/codedeploy-agent/deployment-root/<group-id>/<deployment-id>/deployment-archive,
// BeforeInstall, Install (the files section copied per fileExistsBehavior, after removing
// what the group's previous deployment installed, then the permissions section), AfterInstall,
// ApplicationStart, ValidateService; with a load balancer also BeforeBlockTraffic,
// BlockTraffic, AfterBlockTraffic and BeforeAllowTraffic, AllowTraffic, AfterAllowTraffic.
// Hook scripts run in the host's shell as the appspec's runas user with the agent's
// environment (LIFECYCLE_EVENT, DEPLOYMENT_ID, APPLICATION_NAME, DEPLOYMENT_GROUP_NAME,
// DEPLOYMENT_GROUP_ID), a timeout on the platform clock (default 3600 s), and their output
// goes to the deployment's logs/scripts.log and the agent's deployment log on the host, and
// (last 4 KB, "[stdout]"/"[stderr]" prefixed as the agent does) to the lifecycle event's
// diagnostics with the agent's error codes and messages (ScriptMissing, ScriptFailed,
// ScriptTimedOut, ...). The appspec is parsed by package appspec with the agent's rules.
//
// Instances are taken as the deployment configuration allows, exactly as AWS documents it:
// the minimum healthy count is HOST_COUNT, or FLEET_PERCENT of the instances rounded up, and
// CodeDeployDefault.OneAtATime keeps all instances but one healthy (so a failure on the last
// instance still succeeds); at most N-minimum instances are out of service at once, and a
// failure that makes the minimum unreachable fails the deployment (HEALTH_CONSTRAINTS) and
// skips the rest. HalfAtATime on 5 instances therefore deploys 2, 2, 1 (at least 3 must stay
// healthy). Alarms of the alarm configuration are checked before each instance and every
// Options.AlarmPollInterval; one in ALARM stops the deployment (ALARM_ACTIVE). Automatic
// rollback (DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST, or
// StopDeployment's autoRollbackEnabled) creates a deployment of the group's last successful
// revision with creator codeDeployRollback, linked both ways by rollbackInfo.
//
// Blue/green: the replacement fleet is a copy of the group's Auto Scaling group
// (COPY_AUTO_SCALING_GROUP, through AutoScaling) or the instances named by the deployment's
// targetInstances (DISCOVER_EXISTING); the revision is installed there per the deployment
// configuration; with STOP_DEPLOYMENT the deployment is Ready until ContinueDeployment (or it
// stops after waitTimeInMinutes); traffic is then allowed to the replacement instances and
// blocked from the originals through LoadBalancer; the originals are kept (KEEP_ALIVE) or
// terminated after terminationWaitTimeInMinutes (ContinueDeployment TERMINATION_WAIT or
// SkipWaitTimeForInstanceTermination end the wait early). A failure after traffic moved
// routes it back. After a COPY_AUTO_SCALING_GROUP deployment the group uses the new Auto
// Scaling group.
//
// DeployToLaunchedInstance is the Auto Scaling launch hook: the root calls it for an instance
// launched into a group's Auto Scaling group, and the group's last successful revision is
// installed before the instance goes in service.
//
// Events: "CodeDeploy Deployment State-change Notification" (START, SUCCESS, FAILURE, STOP,
// READY) and "CodeDeploy Instance State-change Notification" (START, SUCCESS, FAILURE, READY)
// with source aws.codedeploy go to env.Events; trigger configurations publish to SNS through
// Notifier.
//
// # Operations
//
// CreateApplication, GetApplication, BatchGetApplications, ListApplications,
// UpdateApplication, DeleteApplication; RegisterApplicationRevision, GetApplicationRevision,
// ListApplicationRevisions, BatchGetApplicationRevisions; CreateDeploymentConfig,
// GetDeploymentConfig, ListDeploymentConfigs, DeleteDeploymentConfig; CreateDeploymentGroup,
// GetDeploymentGroup, BatchGetDeploymentGroups, ListDeploymentGroups, UpdateDeploymentGroup,
// DeleteDeploymentGroup; CreateDeployment, GetDeployment, BatchGetDeployments,
// ListDeployments, StopDeployment, ContinueDeployment, SkipWaitTimeForInstanceTermination,
// ListDeploymentInstances, BatchGetDeploymentInstances, GetDeploymentInstance,
// ListDeploymentTargets, BatchGetDeploymentTargets, GetDeploymentTarget; TagResource,
// UntagResource, ListTagsForResource. Errors are AWS's exceptions (exported sentinels such as
// ErrDeploymentGroupDoesNotExist, ErrDeploymentLimitExceeded for a second active deployment
// of a group).
//
// # Deviations from AWS
//
//   - Lambda and ECS applications and configurations are refused (InvalidComputePlatformException);
//     GitHub, String and AppSpecContent revisions are refused (InvalidRevisionException).
//   - On-premises instances (Register/DeregisterOnPremisesInstance, their tags) are not
//     implemented; onPremisesInstanceTagFilters are stored but match nothing.
//   - S3 object versions are not checked (the object store keeps one version); an eTag is
//     checked against the object's MD5.
//   - Only running and pending instances are deployed to (AWS also tries stopped ones and
//     counts them as failed). updateOutdatedInstancesOnly and outdatedInstancesStrategy are
//     stored but every matching instance is deployed to.
//   - The appspec is looked for only at the bundle root (appspec.yml, .yaml or .json); a
//     missing or invalid appspec fails DownloadBundle. Install copies from the unpacked bundle
//     as downloaded (a BeforeInstall hook that edits the archive is not seen by Install).
//   - ignoreApplicationStopFailures covers ApplicationStop, BeforeBlockTraffic and
//     AfterBlockTraffic; an ignored failure shows as Succeeded with the failure in the
//     diagnostics message.
//   - A blue/green rollback routes traffic back within the failed deployment (and deletes a
//     copied Auto Scaling group) instead of creating a separate rollback deployment; rollback
//     deployments do not watch alarms. Blue/green reroutes all replacement instances at once.
//   - Auto Scaling launch deployments bypass the one-active-deployment-per-group rule.
//   - Deployment ids are d- and nine random upper-case letters and digits, as AWS's look.
//
// # Concurrency and time
//
// A Service is safe for concurrent use. Each deployment runs on its own goroutines, started
// from context.WithoutCancel of the creating call; Close stops running deployments (status
// Stopped) and waits for them. Waits, hook timeouts and alarm polling use env.Clock, so a
// manual clock drives them. Durable state is in env.Store tables; a deployment that was
// running when the process stopped is not resumed.
//
// # Wiring
//
// New(env, Deps{Fleet, AutoScaling, LoadBalancer, Alarms, Notifier}, Options{}): Fleet lists
// the caller's EC2 instances and returns their hosts (*host.Host satisfies Host); AutoScaling
// copies and deletes groups (blue/green); LoadBalancer registers instances with target groups
// or Classic Load Balancers by name; Alarms is CloudWatch's AlarmStateOf; Notifier publishes to
// SNS. Any may be nil: a deployment that needs a missing one fails with a clear message
// (CreateDeployment needs Fleet).
package codedeploy
