package ec2sim

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/ec2sim/host"
	"github.com/devopsim/devopsim/ec2sim/hostfs"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/core"
)

// Instance state codes.
var stateCodes = map[string]int32{"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80}

func state(name string) InstanceState { return InstanceState{Code: stateCodes[name], Name: name} }

type instanceRecord struct {
	Instance
	Scope                 string    `json:"scope"`
	Account               string    `json:"account"`
	Region                string    `json:"region"`
	UserData              string    `json:"userData,omitempty"`
	DisableApiTermination bool      `json:"disableApiTermination,omitempty"`
	Distro                string    `json:"distro"`
	StateChangedAt        time.Time `json:"stateChangedAt"`
	Booted                bool      `json:"booted,omitempty"`
	IAMRole               string    `json:"iamRole,omitempty"`
	ReservationID         string    `json:"reservationId"`
	PublicKey             string    `json:"publicKey,omitempty"`
	ElasticIP             string    `json:"elasticIp,omitempty"`
}

// MaxUserData is EC2's limit on raw (decoded) user data.
const MaxUserData = 16384

func (s *Service) instance(ctx context.Context, id string) (*instanceRecord, error) {
	if !validID(id, "i") {
		return nil, ErrInstanceIDMalformed.With("Invalid id: \"%s\"", id)
	}
	s.mu.Lock()
	r, ok := s.inst[id]
	s.mu.Unlock()
	if !ok || r.Scope != scope(ctx) {
		return nil, ErrInstanceNotFound.With("The instance ID '%s' does not exist", id)
	}
	return r, nil
}

func (s *Service) instancesByID(ctx context.Context, ids []string) ([]*instanceRecord, error) {
	if len(ids) == 0 {
		return nil, ErrMissingParameter.With("The request must contain the parameter InstanceId")
	}
	var missing []string
	var out []*instanceRecord
	for _, id := range ids {
		if !validID(id, "i") {
			return nil, ErrInstanceIDMalformed.With("Invalid id: \"%s\"", id)
		}
		r, err := s.instance(ctx, id)
		if err != nil {
			missing = append(missing, id)
			continue
		}
		out = append(out, r)
	}
	switch len(missing) {
	case 0:
		return out, nil
	case 1:
		return nil, ErrInstanceNotFound.With("The instance ID '%s' does not exist", missing[0])
	}
	return nil, ErrInstanceNotFound.With("The instance IDs '%s' do not exist", strings.Join(missing, ", "))
}

// update replaces an instance's record (records are immutable once published) and stores it.
func (s *Service) update(ctx context.Context, id string, fn func(r *instanceRecord) error) (*instanceRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.inst[id]
	if !ok {
		return nil, ErrInstanceNotFound.With("The instance ID '%s' does not exist", id)
	}
	c := *old
	c.Tags = slices.Clone(old.Tags)
	if err := fn(&c); err != nil {
		return nil, err
	}
	if err := s.instances.Put(ctx, c.Scope+id, c); err != nil {
		return nil, err
	}
	s.inst[id] = &c
	if sl := s.slots[id]; sl != nil {
		s.indexTags(sl, sl.rec, &c)
		sl.rec = &c
	}
	if c.State.Name == "terminated" {
		if due := c.StateChangedAt.Add(s.opts.TerminatedVisibleFor); s.nextPurge.IsZero() || due.Before(s.nextPurge) {
			s.nextPurge = due
		}
	}
	return &c, nil
}

func (s *Service) publishState(ctx context.Context, r *instanceRecord) {
	detail, _ := json.Marshal(map[string]string{"instance-id": r.InstanceID, "state": r.State.Name})
	s.env.Events.Publish(ctx, eventbus.Event{Version: "0", ID: uuid.NewString(), DetailType: "EC2 Instance State-change Notification",
		Source: "aws.ec2", Account: r.Account, Time: s.clk.Now().UTC(), Region: r.Region,
		Resources: []string{fmt.Sprintf("arn:aws:ec2:%s:%s:instance/%s", r.Region, r.Account, r.InstanceID)}, Detail: detail})
}

func privateDNS(ip, region string) string {
	if ip == "" {
		return ""
	}
	return "ip-" + strings.ReplaceAll(ip, ".", "-") + "." + regionDomain(region)
}

func regionDomain(region string) string {
	if region == "us-east-1" {
		return "ec2.internal"
	}
	return region + ".compute.internal"
}

// RunInstances launches instances: each gets a host whose file system is the image's, boots
// (pending → running on the platform clock) and runs its user data.
func (s *Service) RunInstances(ctx context.Context, in *RunInstancesInput) (*Reservation, error) {
	return dispatchDo(ctx, s, "RunInstances", in, s.runInstances)
}

func (s *Service) runInstances(ctx context.Context, in *RunInstancesInput) (*Reservation, error) {
	account, region := core.Scope(ctx)
	sc := scope(ctx)
	// Launch template first, explicit parameters over it.
	var lt LaunchTemplateData
	if in.LaunchTemplate != nil {
		t, err := s.template(ctx, in.LaunchTemplate.LaunchTemplateID, in.LaunchTemplate.LaunchTemplateName)
		if err != nil {
			return nil, err
		}
		v, err := s.templateVersion(ctx, t, in.LaunchTemplate.Version)
		if err != nil {
			return nil, err
		}
		lt = v.LaunchTemplateData
	}
	imageID := first(in.ImageID, lt.ImageID)
	itype := first(in.InstanceType, lt.InstanceType, "m1.small")
	keyName := first(in.KeyName, lt.KeyName)
	userData := first(in.UserData, lt.UserData)
	if imageID == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter ImageId")
	}
	if in.MinCount < 1 {
		return nil, ErrInvalidParameterValue.With("Value (%d) for parameter minCount is invalid. Expected a positive integer.", in.MinCount)
	}
	if in.MaxCount < in.MinCount {
		return nil, ErrInvalidParameterValue.With("Value (%d) for parameter maxCount is invalid. Expected a value greater than or equal to minCount (%d).", in.MaxCount, in.MinCount)
	}
	img, err := s.image(ctx, imageID)
	if err != nil {
		return nil, err
	}
	if img.State != "available" {
		return nil, ErrAMIUnavailable.With("Image %s is not available (state %s)", imageID, img.State)
	}
	if !knownInstanceType(itype) {
		return nil, ErrInvalidParameterValue.With("Invalid value '%s' for InstanceType.", itype)
	}
	var publicKey string
	if keyName != "" {
		if publicKey, err = s.keyPairPublic(ctx, keyName); err != nil {
			return nil, err
		}
	}
	raw, err := base64.StdEncoding.DecodeString(userData)
	if err != nil {
		return nil, ErrInvalidParameterValue.With("Invalid BASE64 encoding of user data.")
	}
	if len(raw) > MaxUserData {
		return nil, ErrInvalidParameterValue.With("User data is limited to 16384 bytes")
	}
	var tags []Tag
	specs := slices.Clone(in.TagSpecifications)
	if len(specs) == 0 {
		for _, ts := range lt.TagSpecifications {
			specs = append(specs, TagSpecification{ResourceType: ts.ResourceType, Tags: ts.Tags})
		}
	} else {
		// Template tags apply too; explicit ones win on key clashes.
		for _, ts := range lt.TagSpecifications {
			if ts.ResourceType == "instance" {
				specs = append([]TagSpecification{{ResourceType: "instance", Tags: ts.Tags}}, specs...)
			}
		}
	}
	tagMap := map[string]string{}
	var keys []string
	for _, ts := range specs {
		switch ts.ResourceType {
		case "instance":
			for _, t := range ts.Tags {
				if _, ok := tagMap[t.Key]; !ok {
					keys = append(keys, t.Key)
				}
				tagMap[t.Key] = t.Value
			}
		case "volume", "network-interface", "spot-instances-request", "elastic-gpu":
		default:
			return nil, ErrInvalidParameterValue.With("'%s' is not a valid taggable resource type for this operation.", ts.ResourceType)
		}
	}
	for _, k := range keys {
		tags = append(tags, Tag{Key: k, Value: tagMap[k]})
	}
	if err := validateTags(tags, internalCaller(ctx)); err != nil {
		return nil, err
	}
	if err := s.ensureDefaults(ctx); err != nil {
		return nil, err
	}
	// Network placement.
	subnetID := in.SubnetID
	var nicGroups []string
	if len(in.NetworkInterfaces) > 0 {
		subnetID = first(subnetID, in.NetworkInterfaces[0].SubnetID)
		nicGroups = in.NetworkInterfaces[0].Groups
	} else if len(lt.NetworkInterfaces) > 0 {
		subnetID = first(subnetID, lt.NetworkInterfaces[0].SubnetID)
		nicGroups = lt.NetworkInterfaces[0].Groups
	}
	zone := ""
	if in.Placement != nil {
		zone = in.Placement.AvailabilityZone
	} else if lt.Placement != nil {
		zone = lt.Placement.AvailabilityZone
	}
	var sub subnetRecord
	if subnetID != "" {
		if sub, err = s.subnet(ctx, subnetID); err != nil {
			return nil, err
		}
		if zone != "" && zone != sub.AvailabilityZone {
			return nil, ErrInvalidParameterValue.With("Subnet %s is in %s, not %s", subnetID, sub.AvailabilityZone, zone)
		}
	} else if sub, err = s.defaultSubnet(ctx, zone); err != nil {
		return nil, err
	}
	groupIDs := slices.Concat(in.SecurityGroupIDs, nicGroups)
	if len(groupIDs) == 0 && len(in.SecurityGroups) == 0 {
		groupIDs = slices.Clone(lt.SecurityGroupIDs)
	}
	groupNames := in.SecurityGroups
	if len(groupNames) == 0 && len(in.SecurityGroupIDs) == 0 {
		groupNames = lt.SecurityGroups
	}
	var groups []GroupIdentifier
	for _, id := range groupIDs {
		g, err := s.groups.Get(ctx, sc+id)
		if err != nil {
			return nil, ErrGroupNotFound.With("The security group '%s' does not exist", id)
		}
		if g.VpcID != sub.VpcID {
			return nil, ErrInvalidParameterValue.With("Security group %s and subnet %s belong to different networks.", id, sub.SubnetID)
		}
		groups = append(groups, GroupIdentifier{GroupID: g.GroupID, GroupName: g.GroupName})
	}
	for _, n := range groupNames {
		g, err := s.groupByIDOrName(ctx, "", n)
		if err != nil {
			return nil, err
		}
		groups = append(groups, GroupIdentifier{GroupID: g.GroupID, GroupName: g.GroupName})
	}
	if len(groups) == 0 {
		g, err := s.defaultGroup(ctx, sub.VpcID)
		if err != nil {
			return nil, err
		}
		groups = []GroupIdentifier{{GroupID: g.GroupID, GroupName: g.GroupName}}
	}
	// Instance profile and metadata options.
	var profile *IamInstanceProfile
	role := ""
	prof := in.IamInstanceProfile
	if prof == nil {
		prof = lt.IamInstanceProfile
	}
	if prof != nil && (prof.Arn != "" || prof.Name != "") {
		arn := prof.Arn
		name := prof.Name
		if arn == "" {
			arn = fmt.Sprintf("arn:aws:iam::%s:instance-profile/%s", account, name)
		}
		if name == "" {
			name = arn[strings.LastIndex(arn, "/")+1:]
		}
		profile = &IamInstanceProfile{Arn: arn, ID: "AIPA" + strings.ToUpper(strings.ReplaceAll(uuid.NewString(), "-", ""))[:17]}
		role = name
	}
	md := MetadataOptions{HttpTokens: "optional", HttpEndpoint: "enabled", HttpPutResponseHopLimit: 1, InstanceMetadataTags: "disabled", State: "applied"}
	if img.Distro == "al2023" {
		md.HttpTokens, md.HttpPutResponseHopLimit = "required", 2 // AL2023 images are IMDSv2-only
	}
	mo := in.MetadataOptions
	if mo == nil {
		mo = lt.MetadataOptions
	}
	if mo != nil {
		if mo.HttpTokens != "" {
			if mo.HttpTokens != "optional" && mo.HttpTokens != "required" {
				return nil, ErrInvalidParameterValue.With("Invalid value '%s' for HttpTokens.", mo.HttpTokens)
			}
			md.HttpTokens = mo.HttpTokens
		}
		if mo.HttpEndpoint != "" {
			md.HttpEndpoint = mo.HttpEndpoint
		}
		if mo.InstanceMetadataTags != "" {
			md.InstanceMetadataTags = mo.InstanceMetadataTags
		}
		if mo.HttpPutResponseHopLimit != 0 {
			md.HttpPutResponseHopLimit = mo.HttpPutResponseHopLimit
		}
	}
	disableTerm := lt.DisableApiTermination
	if in.DisableApiTermination != nil {
		disableTerm = *in.DisableApiTermination
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	// Idempotency.
	s.mu.Lock()
	active := 0
	var same []*instanceRecord
	for _, sl := range s.order {
		r := sl.rec
		if r.Scope != sc {
			continue
		}
		if in.ClientToken != "" && r.ClientToken == in.ClientToken {
			same = append(same, r)
		}
		if r.State.Name != "terminated" {
			active++
		}
	}
	s.mu.Unlock()
	if len(same) > 0 {
		res := &Reservation{ReservationID: same[0].ReservationID, OwnerID: account, Groups: []GroupIdentifier{}}
		for _, r := range same {
			res.Instances = append(res.Instances, r.Instance)
		}
		return res, nil
	}
	n := int(in.MaxCount)
	if room := s.opts.MaxInstances - active; n > room {
		n = room
	}
	if n < int(in.MinCount) {
		return nil, ErrInstanceLimitExceeded.With("You have requested more instances (%d) than your current instance limit of %d allows for the specified instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.", in.MinCount, s.opts.MaxInstances)
	}
	resID := newID("r")
	now := s.clk.Now().UTC().Truncate(time.Second)
	res := &Reservation{ReservationID: resID, OwnerID: account, Groups: []GroupIdentifier{}}
	fsys := s.imageFSFor(img)
	var bdm []InstanceBlockDeviceMapping
	for _, b := range img.BlockDeviceMappings {
		bdm = append(bdm, InstanceBlockDeviceMapping{DeviceName: b.DeviceName, Ebs: &EbsInstanceBlock{Status: "attached", AttachTime: now, DeleteOnTermination: true}})
	}
	monitoring := "disabled"
	if m := cmp.Or(in.Monitoring, lt.Monitoring); m != nil && m.Enabled {
		monitoring = "enabled"
	}
	var recs []*instanceRecord
	for i := 0; i < n; i++ {
		ip := in.PrivateIpAddress
		if ip == "" || i > 0 {
			if ip, err = s.allocIP(ctx, sub.SubnetID); err != nil {
				if i >= int(in.MinCount) {
					break
				}
				return nil, err
			}
		}
		id := newID("i")
		devs := slices.Clone(bdm)
		for j := range devs {
			e := *devs[j].Ebs
			e.VolumeID = newID("vol")
			devs[j].Ebs = &e
		}
		r := &instanceRecord{Instance: Instance{InstanceID: id, ImageID: img.ImageID, State: state("pending"), PrivateDnsName: privateDNS(ip, region),
			KeyName: keyName, AmiLaunchIndex: int32(i), InstanceType: itype, LaunchTime: now,
			Placement: Placement{AvailabilityZone: sub.AvailabilityZone, Tenancy: "default"}, Monitoring: Monitoring{State: monitoring},
			SubnetID: sub.SubnetID, VpcID: sub.VpcID, PrivateIpAddress: ip, SecurityGroups: groups, Architecture: img.Architecture,
			RootDeviceType: "ebs", RootDeviceName: img.RootDeviceName, BlockDeviceMappings: devs, VirtualizationType: "hvm", Hypervisor: "xen",
			ClientToken: in.ClientToken, Tags: slices.Clone(tags), IamInstanceProfile: profile, MetadataOptions: &md,
			EbsOptimized: in.EbsOptimized || lt.EbsOptimized, EnaSupport: true, SourceDestCheck: true, PlatformDetails: "Linux/UNIX", UsageOperation: "RunInstances",
			StateReason: &StateReason{Code: "pending", Message: "pending"}},
			Scope: sc, Account: account, Region: region, UserData: userData, DisableApiTermination: disableTerm, Distro: img.Distro,
			StateChangedAt: now, IAMRole: role, PublicKey: publicKey}
		r.ReservationID = resID
		h := s.newHost(r, fsys)
		if err := s.instances.Put(ctx, sc+id, *r); err != nil {
			h.Close()
			return nil, err
		}
		s.mu.Lock()
		s.inst[id] = r
		s.addSlot(r)
		s.hosts[id] = h
		s.booted[id] = make(chan struct{})
		s.mu.Unlock()
		recs = append(recs, r)
		res.Instances = append(res.Instances, r.Instance)
	}
	for _, r := range recs {
		s.publishState(ctx, r)
		id := r.InstanceID
		s.after(s.opts.PendingTime, func(ctx context.Context) { s.toRunning(ctx, id) })
	}
	return res, nil
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// internalCaller reports whether the call comes from another service of the platform (which
// may set aws: tags, as Auto Scaling and CloudFormation do).
func internalCaller(ctx context.Context) bool {
	v, _ := ctx.Value(internalKey{}).(bool)
	return v
}

type internalKey struct{}

// WithInternal marks ctx as a platform-internal caller (Auto Scaling, CloudFormation), which
// may set tags starting with "aws:".
func WithInternal(ctx context.Context) context.Context {
	return context.WithValue(ctx, internalKey{}, true)
}

func (s *Service) newHost(r *instanceRecord, fsys *hostfs.FS) *host.Host {
	return host.New(host.Options{ID: r.InstanceID, Clock: s.clk, Log: s.log, FS: fsys, Distro: r.Distro,
		Metadata: metadataOf(r), Commands: s.opts.Commands, Packages: s.opts.Packages, RealPrograms: s.opts.RealPrograms, Catalog: s.catalog,
		Network: func(hostname string, port int) (http.Handler, error) { return s.connect(r.InstanceID, hostname, port) }})
}

func metadataOf(r *instanceRecord) host.Metadata {
	raw, _ := base64.StdEncoding.DecodeString(r.UserData)
	m := host.Metadata{InstanceID: r.InstanceID, ImageID: r.ImageID, InstanceType: r.InstanceType, LocalIPv4: r.PrivateIpAddress,
		PublicIPv4: r.PublicIpAddress, AvailabilityZone: r.Placement.AvailabilityZone, Region: r.Region, AccountID: r.Account,
		Hostname: r.PrivateDnsName, MAC: macOf(r.PrivateIpAddress), KeyName: r.KeyName, PublicKey: r.PublicKey, IAMRole: r.IAMRole, UserData: raw, Tags: tagsToMap(r.Tags)}
	for _, g := range r.SecurityGroups {
		m.SecurityGroups = append(m.SecurityGroups, g.GroupName)
	}
	if r.MetadataOptions != nil {
		m.TokensRequired = r.MetadataOptions.HttpTokens == "required"
		m.Disabled = r.MetadataOptions.HttpEndpoint == "disabled"
		m.TagsEnabled = r.MetadataOptions.InstanceMetadataTags == "enabled"
	}
	return m
}

func macOf(ip string) string {
	var b [4]byte
	fmt.Sscanf(ip, "%d.%d.%d.%d", &b[0], &b[1], &b[2], &b[3])
	return fmt.Sprintf("0e:%02x:%02x:%02x:%02x:01", b[0], b[1], b[2], b[3])
}
