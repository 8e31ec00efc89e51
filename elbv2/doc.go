// Package elbv2 is Elastic Load Balancing v2 with Application Load Balancers that really
// balance: each load balancer answers real HTTP, health-checks its targets' services on the
// platform clock and forwards requests to healthy targets, so a blue/green switch made by
// CodeDeploy (or by hand) is visible to an HTTP client.
//
// # Data plane
//
// A load balancer is reached three ways: its own loopback listener (net.Listen on
// 127.0.0.1:0, owned by the service, closed by DeleteLoadBalancer and Close; Endpoint and URL
// give the address), Handler(name or DNS name) in process, and Resolve(dnsName, port), whose
// signature matches ec2sim's Options.Network so hosts can curl a load balancer by DNS name and
// the platform handler can serve requests whose Host is a DNS name. A request goes to the
// listener its port names (the DNS name with a port in Host; else the port-80 listener, else
// the lowest port), then to one of the listener's target groups by smooth weighted round robin,
// then to a routable target round robin: the healthy ones, or, when none is healthy, every
// unhealthy one (AWS's fail-open). Initial, draining and unused targets get no new requests.
// The target's service is reached through Deps.Targets in process (no socket): the target
// sees the Host header unchanged plus X-Forwarded-For, X-Forwarded-Proto, X-Forwarded-Port
// and X-Amzn-Trace-Id. No routable target answers 503, a target whose service does not answer
// 502, as awselb/2.0 pages. fixed-response and redirect actions (with #{protocol}, #{host},
// #{port}, #{path}, #{query}) work too.
//
// # Health checks
//
// A target group forwarded to by a listener checks its targets every
// HealthCheckIntervalSeconds of the platform clock (one timer per group, re-armed after the
// round, so a manual clock's Advance returns with the round applied): GET HealthCheckPath on
// the health check port through Deps.Targets, matched against Matcher ("200", "200,202",
// "200-299"). New registrations (and targets of a group that comes into use) are checked at
// once, during the call. States and reasons are AWS's: initial (Elb.RegistrationInProgress,
// then Elb.InitialHealthChecking), healthy after one passing check, unhealthy after
// UnhealthyThresholdCount consecutive failures (Target.FailedHealthChecks when nothing
// answers, Target.ResponseCodeMismatch "Health checks failed with these codes: [404]",
// Target.Timeout when the answer took longer than HealthCheckTimeoutSeconds of platform time),
// healthy again after HealthyThresholdCount consecutive passes; unused Target.NotInUse (no
// listener forwards to the group), Target.NotRegistered, Target.InvalidState (instance not
// running); draining Target.DeregistrationInProgress for deregistration_delay.timeout_seconds
// (300 by default; the target group attribute takes effect). An instance that no longer
// exists is deregistered, as AWS does for terminated instances. Health is runtime state: a
// service reopened over a durable store checks every target again at start.
//
// # Operations
//
// CreateLoadBalancer, DescribeLoadBalancers, DeleteLoadBalancer, CreateTargetGroup,
// DescribeTargetGroups, ModifyTargetGroup, DeleteTargetGroup, DescribeTargetGroupAttributes,
// ModifyTargetGroupAttributes, RegisterTargets, DeregisterTargets, DescribeTargetHealth,
// CreateListener, DescribeListeners, ModifyListener, DeleteListener, AddTags, RemoveTags,
// DescribeTags; awsQuery on the wire (internal/awsapi.ELBv2). RegisterInstances and
// DeregisterInstances (by target group name) are what CodeDeploy's LoadBalancer needs; they go
// through RegisterTargets and DeregisterTargets so they are audited like any call.
//
// # Errors
//
// AWS's codes, exported as sentinels for errors.Is: LoadBalancerNotFound,
// TargetGroupNotFound, ListenerNotFound, DuplicateLoadBalancerName, DuplicateTargetGroupName,
// DuplicateListener, InvalidTarget ("The following targets are not in a running state and
// cannot be registered: 'i-…'"), ResourceInUse, TargetGroupAssociationLimit,
// InvalidLoadBalancerAction, IncompatibleProtocols, UnsupportedProtocol, SubnetNotFound,
// DuplicateTagKeys, TooManyTags/Targets/Listeners and ValidationError (name rules: at most 32
// alphanumerics and hyphens, no leading or trailing hyphen, load balancers not starting with
// "internal-"; health check ranges; at least two subnets in different zones). Creating a load
// balancer or target group that exists with the same settings returns it; deleting one that
// does not exist succeeds.
//
// # Deviations from AWS
//
// Only Application Load Balancers with HTTP listeners and HTTP instance target groups:
// network/gateway load balancers, HTTPS listeners and certificates, ip/lambda/alb targets,
// listener rules (CreateRule...), stickiness, slow start, authenticate actions and access logs
// are refused with a clear error or absent. A load balancer is active at once (no
// provisioning). Zones come from Deps.Subnets when wired, else the region's zones in order; the
// VPC of instance targets is not checked. Targets drain for the whole deregistration delay
// even when idle. A health check that never returns stalls only its own target.
//
// # Concurrency and time
//
// A Service is safe for concurrent use. Mutations are serialised; the data plane reads
// lock-free snapshots (routable targets, listener tables) and never holds a lock while calling
// a target. Time is the injected clock only; Close stops timers, closes listeners and waits for
// every goroutine the service started.
package elbv2
