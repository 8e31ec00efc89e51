// Package ec2sim is the compute layer of devopsim: Amazon EC2 instances that run on
// simulated hosts (package host), so that what is deployed to them really lands and runs.
//
// # Hosts
//
// Every instance has a Host: a private in-memory file system, a bash-syntax shell with
// built-in commands written in Go, users, packages, services (web servers that answer real
// HTTP on a loopback port) and the instance metadata service. User data runs at first boot
// through package cloudinit, exactly once per instance id, as root, with no stdin; its
// output lands in /var/log/cloud-init-output.log and in GetConsoleOutput. Host(id) and
// MachineOf(id) give callers (CodeDeploy, tests) the machine; hosts reach each other by
// private or public IP or DNS name (curl http://172.31.x.y/) when the security groups allow
// it: the target's inbound rules and the source's outbound rules must both allow TCP to the
// port, by group reference (private addresses, same VPC) or CIDR (the source's private
// address, or its public one when the target is addressed publicly). A dropped connection
// fails at once with curl's "Connection timed out" (exit 28; no connect timeout is waited out),
// a port nobody listens on with "Couldn't connect to server" (7).
//
// # Operations
//
// Instances: RunInstances (ImageId, InstanceType, MinCount/MaxCount, KeyName,
// SecurityGroupIds/SecurityGroups, SubnetId, Placement, NetworkInterfaces[0], UserData,
// TagSpecifications, LaunchTemplate with version, IamInstanceProfile, MetadataOptions,
// ClientToken, DisableApiTermination, DryRun), DescribeInstances (filters instance-id,
// instance-state-name/code, tag:<k>, tag-key, tag-value, image-id, instance-type, vpc-id,
// subnet-id, availability-zone, private-ip-address, ip-address, dns names, key-name,
// reservation-id, group-id/name, ... with * and ? wildcards; MaxResults/NextToken),
// DescribeInstanceStatus, Start/Stop/Reboot/TerminateInstances, GetConsoleOutput,
// Describe/ModifyInstanceAttribute (instanceType, userData, disableApiTermination),
// Monitor/UnmonitorInstances (and Monitoring.Enabled in RunInstances and launch templates).
// Tags: CreateTags, DeleteTags, DescribeTags (instances, images, launch templates, VPCs,
// subnets, security groups, internet gateways, route tables, Elastic IPs). Images: CreateImage (a copy-on-write snapshot of the host file
// system, pending → available on the clock), RegisterImage (from a snapshot made here),
// CopyImage (across regions), DescribeImages (Owners self/amazon/<account>, ExecutableUsers,
// ImageIds, filters), DeregisterImage, Describe/ModifyImageAttribute (launchPermission,
// description) with cross-account sharing. Built-in public images: Amazon Linux 2023,
// Amazon Linux 2 and Ubuntu 24.04/22.04 (AL2023AMI, AmazonLinux2AMI, Ubuntu2404AMI,
// Ubuntu2204AMI). Launch templates: Create/Describe/Delete LaunchTemplate,
// Create/Describe/DeleteLaunchTemplateVersions, ModifyLaunchTemplate, $Latest/$Default.
// Key pairs: CreateKeyPair (rsa or ed25519, pem; real private keys), ImportKeyPair (OpenSSH
// rsa/ed25519 public keys), DescribeKeyPairs (KeyNames, KeyPairIds, filters key-name,
// key-pair-id, fingerprint, key-type, tag), DeleteKeyPair. Fingerprints as AWS computes them:
// SHA-1 of the PKCS#8 private key for created RSA keys, MD5 of the DER public key for imported
// RSA keys (colon hex), base64 SHA-256 for ED25519. An instance's key goes to the default
// user's ~/.ssh/authorized_keys and IMDS public-keys/0/openssh-key.
// Network: a default VPC (172.31.0.0/16) with a default subnet per zone and a default
// security group, created on first use per account and region; Create/Describe/DeleteVpc
// (/16../28 IPv4 CIDR, InvalidVpc.Range; DependencyViolation while subnets or non-default
// groups exist), Create/Describe/DeleteSubnet (inside the VPC's CIDR, InvalidSubnet.Range;
// no overlap, InvalidSubnet.Conflict; DependencyViolation while instances use it), Create/Describe/DeleteSecurityGroup (dependency checks),
// security group rules stored one per protocol, port range and peer (IPv4/IPv6 CIDR, prefix
// list id or group) with sgr- ids: Authorize/RevokeSecurityGroupIngress and
// Authorize/RevokeSecurityGroupEgress (by IpPermissions or SecurityGroupRuleIds;
// InvalidPermission.Duplicate, InvalidPermission.NotFound outside the default VPC, where
// unknown rules are returned in UnknownIpPermissions instead; 60 rules per direction),
// DescribeSecurityGroupRules (group-id, security-group-rule-id and tag filters, pages),
// UpdateSecurityGroupRuleDescriptionsIngress/Egress (by permission or rule ID) and
// ModifySecurityGroupRules (a rule replaced in place, keeping its ID), a new
// group's default egress rule (all traffic to 0.0.0.0/0), DescribeSecurityGroups'
// ip-permission.* and egress.ip-permission.* filters; Modify/DescribeVpcAttribute
// (enableDnsSupport, enableDnsHostnames: public DNS names of new and running instances follow it,
// enableNetworkAddressUsageMetrics),
// ModifySubnetAttribute (MapPublicIpOnLaunch: instances launched there get a public IP;
// the IPv6, DNS64 and customer-owned attributes only false), DescribeAvailabilityZones, DescribeRegions,
// Create/Attach/Detach/Delete/DescribeInternetGateways (one gateway per VPC;
// DependencyViolation deleting an attached gateway or detaching one with mapped Elastic IPs;
// filters attachment.vpc-id, attachment.state, internet-gateway-id, tags), route tables
// (CreateRouteTable with the VPC's local route, DeleteRouteTable refused while associated or
// main, Create/Replace/DeleteRoute to an internet gateway of the VPC, an instance or its
// interface, or a NAT gateway/transit gateway/peering id, routes to a detached gateway
// become blackhole; Associate/Disassociate/ReplaceRouteTableAssociation; DescribeRouteTables
// with vpc-id, route-table-id, association.*, route.* and tag filters; every VPC has a main
// route table, the default VPC's sends 0.0.0.0/0 to its internet gateway), Elastic IPs
// (AllocateAddress from 198.51.100.0/24 and 203.0.113.0/24, five per region by default;
// AssociateAddress by InstanceId or NetworkInterfaceId — the instance's public IP becomes
// the address, also in IMDS, and stays while it is stopped; DisassociateAddress,
// ReleaseAddress refused while associated, DescribeAddresses; terminating an instance
// disassociates its address), DeleteVpc refusing an attached gateway or non-main route
// tables,
// DescribeInstanceTypes (t1.micro, t2.nano..xlarge, t3/t3a micro..xlarge, m4/m5
// large..2xlarge, c5 large/xlarge, r5.large and m1.small, the default; filters on vCPUs,
// memory, generation, ...).
//
// # Metrics
//
// SetCPU(id, percent) sets the CPU utilisation an instance reports (0 by default; CPU reads
// it): Auto Scaling target tracking reads it, and with Options.Metrics (the root wires
// CloudWatch's Publish) the service publishes AWS/EC2 CPUUtilization (Percent) for running
// instances on the platform clock: every minute for instances with detailed monitoring, at
// every fifth minute otherwise, with dimension InstanceId, plus the average per
// AutoScalingGroupName for group members (over the instances published at that minute).
// PublishMetrics(t) publishes one minute's points now. Only CPUUtilization is published.
//
// # Time, events, concurrency
//
// The state machine (pending → running, stopping → stopped, shutting-down → terminated)
// runs on the platform clock with the delays in Options (zero by default: the next state
// is scheduled at once, asynchronously). Terminated instances stay visible for an hour.
// Every change publishes an "EC2 Instance State-change Notification" (source aws.ec2).
// Settle waits until no transition is running or due; WaitBooted until instances' user data
// finished. DescribeInstances reuses a reservation's Instances while none of the selected
// instances changed, so results may share memory: treat them as read-only. The Service is
// safe for concurrent use; Close stops timers, waits for boots and
// shuts the hosts down.
//
// # Errors and deviations
//
// Errors carry EC2's codes and messages (InvalidAMIID.NotFound/Malformed/Unavailable,
// InvalidInstanceID.NotFound/Malformed, IncorrectInstanceState, InvalidParameterValue,
// InvalidLaunchTemplateName.NotFoundException, OperationNotPermitted, DryRunOperation, ...);
// the sentinels are exported for errors.Is. Deviations: the ppk key format is refused;
// each instance has one network interface whose id is derived from the instance id
// (eni-<instance id hex>), not listed in the Instance shape; MonitorInstances answers
// "pending" and the instance describes "enabled" at once (UnmonitorInstances: "disabling",
// "disabled"); AMI names are unique per account and region for CreateImage, RegisterImage
// and CopyImage alike; NAT gateways, transit gateways
// and peering connections are not modelled, routes to them are checked for id format only;
// IPv6 and prefix-list routes are refused (UnsupportedOperation);
// security group rules guard host-to-host connections (not load balancer traffic to targets;
// prefix-list and IPv6 peers never match), and a port-0 rule's FromPort/ToPort
// are omitted in IpPermissions (DescribeSecurityGroupRules shows them); enableDnsSupport is
// recorded (names resolve regardless); AMI ids of the base images are the
// same in every region; RunInstances and launch templates accept only the DescribeInstanceTypes catalogue;
// hosts and image file systems live in memory (after a restart with a durable store,
// instance records survive but their hosts do not); AL2023 instances default to
// HttpTokens=required as the real images do.
package ec2sim
