package ec2sim

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/ec2sim/host"
	"github.com/devopsim/devopsim/ec2sim/hostfs"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/store"
)

// Owners of the built-in public images.
const (
	AmazonOwnerID    = "137112412989"
	CanonicalOwnerID = "099720109477"
)

// Built-in public images, available in every region.
const (
	AL2023AMI       = "ami-0a2023000000000a1"
	AmazonLinux2AMI = "ami-0a2000000000000a2"
	Ubuntu2404AMI   = "ami-0b2404000000000b1"
	Ubuntu2204AMI   = "ami-0b2204000000000b2"
)

type imageRecord struct {
	Image
	Region     string   `json:"region"`
	Distro     string   `json:"distro"`
	Launchable []string `json:"launchable,omitempty"` // account ids given launch permission
	SnapshotID string   `json:"snapshotId,omitempty"`
	Base       bool     `json:"base,omitempty"`
}

func baseImages(region string) []imageRecord {
	mk := func(id, name, desc, owner, alias, distro, created string) imageRecord {
		return imageRecord{Image: Image{ImageID: id, ImageLocation: alias + "/" + name, State: "available", OwnerID: owner, CreationDate: created,
			Public: true, Architecture: "x86_64", ImageType: "machine", PlatformDetails: "Linux/UNIX", UsageOperation: "RunInstances",
			Name: name, Description: desc, ImageOwnerAlias: alias, RootDeviceType: "ebs", RootDeviceName: "/dev/xvda",
			BlockDeviceMappings: []BlockDeviceMapping{{DeviceName: "/dev/xvda", Ebs: &EbsBlockDevice{DeleteOnTermination: true, VolumeSize: 8, VolumeType: "gp3", SnapshotID: "snap-0" + id[5:]}}},
			VirtualizationType:  "hvm", Hypervisor: "xen", EnaSupport: true, BootMode: "uefi-preferred"}, Region: region, Distro: distro, Base: true}
	}
	u24 := mk(Ubuntu2404AMI, "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20241004", "Canonical, Ubuntu, 24.04, amd64 noble image", CanonicalOwnerID, "", "ubuntu", "2024-10-04T00:00:00.000Z")
	u22 := mk(Ubuntu2204AMI, "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20241002", "Canonical, Ubuntu, 22.04 LTS, amd64 jammy image", CanonicalOwnerID, "", "ubuntu", "2024-10-02T00:00:00.000Z")
	u24.RootDeviceName, u22.RootDeviceName = "/dev/sda1", "/dev/sda1"
	u24.BlockDeviceMappings[0].DeviceName, u22.BlockDeviceMappings[0].DeviceName = "/dev/sda1", "/dev/sda1"
	u24.ImageLocation = "amazon/" + u24.Name
	u22.ImageLocation = "amazon/" + u22.Name
	return []imageRecord{
		mk(AL2023AMI, "al2023-ami-2023.6.20241010.0-kernel-6.1-x86_64", "Amazon Linux 2023 AMI 2023.6.20241010.0 x86_64 HVM kernel-6.1", AmazonOwnerID, "amazon", "al2023", "2024-10-10T00:00:00.000Z"),
		mk(AmazonLinux2AMI, "amzn2-ami-kernel-5.10-hvm-2.0.20241001.0-x86_64-gp2", "Amazon Linux 2 Kernel 5.10 AMI 2.0.20241001.0 x86_64 HVM gp2", AmazonOwnerID, "amazon", "amzn2", "2024-10-01T00:00:00.000Z"),
		u24, u22,
	}
}

func baseImage(region, id string) (imageRecord, bool) {
	for _, im := range baseImages(region) {
		if im.ImageID == id {
			return im, true
		}
	}
	return imageRecord{}, false
}

func imageKey(region, id string) string { return region + "/" + id }

// canLaunch reports whether account may see and launch the image.
func (r imageRecord) canLaunch(account string) bool {
	return r.Public || r.OwnerID == account || slices.Contains(r.Launchable, account)
}

// image finds an image visible to the caller in the caller's region.
func (s *Service) image(ctx context.Context, id string) (imageRecord, error) {
	if !validID(id, "ami") {
		return imageRecord{}, ErrAMIMalformed.With("Invalid id: \"%s\" (expecting \"ami-...\")", id)
	}
	account, region := core.Scope(ctx)
	if b, ok := baseImage(region, id); ok {
		return b, nil
	}
	r, err := s.images.Get(ctx, imageKey(region, id))
	if errors.Is(err, store.ErrNotFound) || (err == nil && !r.canLaunch(account)) {
		return imageRecord{}, ErrAMINotFound.With("The image id '[%s]' does not exist", id)
	}
	return r, err
}

// imageFS returns the file system an instance launched from the image starts with.
func (s *Service) imageFSFor(r imageRecord) *hostfs.FS {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !r.Base {
		if f, ok := s.imageFS[r.ImageID]; ok {
			return f
		}
	}
	f, ok := s.baseFS[r.Distro]
	if !ok {
		f = host.BaseFS(r.Distro, nil)
		s.baseFS[r.Distro] = f
	}
	return f
}

// reserveName claims an AMI name for id in an account and region (AMI names are unique per
// account and region): an index of the names, so that creating an image does not read every
// image of the region.
func (s *Service) reserveName(ctx context.Context, region, account, name, id string) error {
	key := region + "/" + account + "/" + name
	err := s.amiNames.Create(ctx, key, id)
	if errors.Is(err, store.ErrExists) {
		old, _ := s.amiNames.Get(ctx, key)
		return ErrAMINameDuplicate.With("AMI name %s is already in use by AMI %s", name, old)
	}
	return err
}

// releaseName frees the name held by id.
func (s *Service) releaseName(ctx context.Context, region, account, name, id string) {
	key := region + "/" + account + "/" + name
	if held, err := s.amiNames.Get(ctx, key); err == nil && held == id {
		_ = s.amiNames.Delete(ctx, key)
	}
}

var amiName = regexp.MustCompile(`^[a-zA-Z0-9()\[\] ./\-'@_]{3,128}$`)

// CreateImage makes an AMI from an instance: a copy-on-write snapshot of its file system
// (cloud-init's per-instance data left out, so instances launched from it run their own user
// data). Unless NoReboot, the instance's services are restarted as by a reboot.
func (s *Service) CreateImage(ctx context.Context, in *CreateImageInput) (*CreateImageOutput, error) {
	return dispatchDo(ctx, s, "CreateImage", in, s.createImage)
}

func (s *Service) createImage(ctx context.Context, in *CreateImageInput) (*CreateImageOutput, error) {
	if in.InstanceID == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter instanceId")
	}
	if !amiName.MatchString(in.Name) {
		return nil, ErrInvalidParameterValue.With("AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'")
	}
	rec, err := s.instance(ctx, in.InstanceID)
	if err != nil {
		return nil, err
	}
	if rec.State.Name != "running" && rec.State.Name != "stopped" {
		return nil, ErrIncorrectInstanceState.With("Instance '%s' is not in a state from which it can be imaged.", in.InstanceID)
	}
	var tags []Tag
	for _, ts := range in.TagSpecifications {
		if ts.ResourceType == "image" {
			tags = append(tags, ts.Tags...)
		} else if ts.ResourceType != "snapshot" {
			return nil, ErrInvalidParameterValue.With("'%s' is not a valid taggable resource type for this operation.", ts.ResourceType)
		}
	}
	if err := validateTags(tags, false); err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	account, region := core.Scope(ctx)
	s.mu.Lock()
	h := s.hosts[in.InstanceID]
	s.mu.Unlock()
	if h == nil {
		return nil, ErrIncorrectInstanceState.With("Instance '%s' has no host.", in.InstanceID)
	}
	id := newID("ami")
	if err := s.reserveName(ctx, region, account, in.Name, id); err != nil {
		return nil, err
	}
	snap := h.FS().Snapshot()
	_ = snap.RemoveAll(hostfs.Cred{}, "/var/lib/cloud/instances/"+in.InstanceID)
	_ = snap.Remove(hostfs.Cred{}, "/var/lib/cloud/instance")
	if !in.NoReboot && rec.State.Name == "running" {
		h.StopAll()
		h.Boot()
	}
	snapID := newID("snap")
	now := s.clk.Now().UTC()
	src, _ := s.imageOrBase(ctx, rec.ImageID)
	im := imageRecord{Image: Image{ImageID: id, ImageLocation: account + "/" + in.Name, State: "pending", OwnerID: account,
		CreationDate: now.Format("2006-01-02T15:04:05.000Z"), Architecture: "x86_64", ImageType: "machine", PlatformDetails: "Linux/UNIX",
		UsageOperation: "RunInstances", Name: in.Name, Description: in.Description, RootDeviceType: "ebs", RootDeviceName: rec.RootDeviceName,
		BlockDeviceMappings: []BlockDeviceMapping{{DeviceName: rec.RootDeviceName, Ebs: &EbsBlockDevice{DeleteOnTermination: true, VolumeSize: 8, VolumeType: "gp3", SnapshotID: snapID}}},
		VirtualizationType:  "hvm", Hypervisor: "xen", EnaSupport: true, Tags: tags, SourceInstanceID: in.InstanceID},
		Region: region, Distro: src.Distro, SnapshotID: snapID}
	s.mu.Lock()
	s.imageFS[id] = snap
	s.imageFS[snapID] = snap
	s.snapOS[snapID] = im.Distro
	s.mu.Unlock()
	if err := s.images.Put(ctx, imageKey(region, id), im); err != nil {
		s.releaseName(ctx, region, account, in.Name, id)
		return nil, err
	}
	s.makeAvailable(region, id)
	return &CreateImageOutput{ImageID: id}, nil
}

func (s *Service) imageOrBase(ctx context.Context, id string) (imageRecord, error) {
	_, region := core.Scope(ctx)
	if b, ok := baseImage(region, id); ok {
		return b, nil
	}
	r, err := s.images.Get(ctx, imageKey(region, id))
	if err != nil {
		return imageRecord{Distro: "al2023"}, err
	}
	return r, nil
}

func (s *Service) makeAvailable(region, id string) {
	s.after(s.opts.ImagePendingTime, func(ctx context.Context) {
		_, _ = s.images.Update(ctx, imageKey(region, id), func(r *imageRecord) error {
			if r.State == "pending" {
				r.State = "available"
			}
			return nil
		})
	})
}

// RegisterImage registers an AMI whose root device is a snapshot of an image made here
// (BlockDeviceMappings[].Ebs.SnapshotId).
func (s *Service) RegisterImage(ctx context.Context, in *RegisterImageInput) (*RegisterImageOutput, error) {
	return dispatchDo(ctx, s, "RegisterImage", in, s.registerImage)
}

func (s *Service) registerImage(ctx context.Context, in *RegisterImageInput) (*RegisterImageOutput, error) {
	if !amiName.MatchString(in.Name) {
		return nil, ErrInvalidParameterValue.With("AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'")
	}
	snapID := ""
	root := in.RootDeviceName
	for _, b := range in.BlockDeviceMappings {
		if b.Ebs != nil && b.Ebs.SnapshotID != "" && (root == "" || b.DeviceName == root) {
			snapID, root = b.Ebs.SnapshotID, b.DeviceName
		}
	}
	if snapID == "" {
		return nil, ErrInvalidParameterValue.With("A snapshot ID for the root device is required (BlockDeviceMapping.Ebs.SnapshotId)")
	}
	account, region := core.Scope(ctx)
	s.mu.Lock()
	fsys, ok := s.imageFS[snapID]
	distro, known := s.snapOS[snapID]
	s.mu.Unlock()
	if !known {
		distro = "al2023"
	}
	if !ok {
		for _, b := range baseImages(region) {
			if b.BlockDeviceMappings[0].Ebs.SnapshotID == snapID {
				ok, distro = true, b.Distro
				fsys = s.imageFSFor(b)
			}
		}
	}
	if !ok {
		return nil, apierr.New(apierr.NotFound, "InvalidSnapshot.NotFound", "The snapshot '%s' does not exist.", snapID)
	}
	id := newID("ami")
	if err := s.reserveName(ctx, region, account, in.Name, id); err != nil {
		return nil, err
	}
	var tags []Tag
	for _, ts := range in.TagSpecifications {
		if ts.ResourceType == "image" {
			tags = append(tags, ts.Tags...)
		}
	}
	arch := in.Architecture
	if arch == "" {
		arch = "x86_64"
	}
	im := imageRecord{Image: Image{ImageID: id, ImageLocation: account + "/" + in.Name, State: "pending", OwnerID: account,
		CreationDate: s.clk.Now().UTC().Format("2006-01-02T15:04:05.000Z"), Architecture: arch, ImageType: "machine", PlatformDetails: "Linux/UNIX",
		UsageOperation: "RunInstances", Name: in.Name, Description: in.Description, RootDeviceType: "ebs", RootDeviceName: root,
		BlockDeviceMappings: in.BlockDeviceMappings, VirtualizationType: "hvm", Hypervisor: "xen", EnaSupport: true, Tags: tags},
		Region: region, Distro: distro, SnapshotID: snapID}
	s.mu.Lock()
	s.imageFS[id] = fsys
	s.mu.Unlock()
	if err := s.images.Put(ctx, imageKey(region, id), im); err != nil {
		s.releaseName(ctx, region, account, in.Name, id)
		return nil, err
	}
	s.makeAvailable(region, id)
	return &RegisterImageOutput{ImageID: id}, nil
}

// CopyImage copies an image from SourceRegion into the caller's region.
func (s *Service) CopyImage(ctx context.Context, in *CopyImageInput) (*CopyImageOutput, error) {
	return dispatchDo(ctx, s, "CopyImage", in, s.copyImage)
}

func (s *Service) copyImage(ctx context.Context, in *CopyImageInput) (*CopyImageOutput, error) {
	if in.SourceRegion == "" || in.SourceImageID == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameters SourceRegion and SourceImageId")
	}
	if !amiName.MatchString(in.Name) {
		return nil, ErrInvalidParameterValue.With("AMI names must be between 3 and 128 characters long")
	}
	if !validID(in.SourceImageID, "ami") {
		return nil, ErrAMIMalformed.With("Invalid id: \"%s\" (expecting \"ami-...\")", in.SourceImageID)
	}
	account, region := core.Scope(ctx)
	src, ok := baseImage(in.SourceRegion, in.SourceImageID)
	if !ok {
		r, err := s.images.Get(ctx, imageKey(in.SourceRegion, in.SourceImageID))
		if err != nil || !r.canLaunch(account) {
			return nil, ErrAMINotFound.With("The image id '[%s]' does not exist", in.SourceImageID)
		}
		src = r
	}
	if src.State != "available" {
		return nil, ErrAMIUnavailable.With("Image %s is not available", in.SourceImageID)
	}
	fsys := s.imageFSFor(src)
	id := newID("ami")
	if err := s.reserveName(ctx, region, account, in.Name, id); err != nil {
		return nil, err
	}
	im := src
	im.Base = false
	im.ImageID, im.Region, im.OwnerID, im.Public, im.Launchable, im.ImageOwnerAlias = id, region, account, false, nil, ""
	im.Name, im.Description, im.State = in.Name, in.Description, "pending"
	im.ImageLocation = account + "/" + in.Name
	im.CreationDate = s.clk.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	im.Tags = nil
	s.mu.Lock()
	s.imageFS[id] = fsys
	s.mu.Unlock()
	if err := s.images.Put(ctx, imageKey(region, id), im); err != nil {
		s.releaseName(ctx, region, account, in.Name, id)
		return nil, err
	}
	s.makeAvailable(region, id)
	return &CopyImageOutput{ImageID: id}, nil
}

// DescribeImages lists the images the caller can see (public, own and shared), filtered.
func (s *Service) DescribeImages(ctx context.Context, in *DescribeImagesInput) (*DescribeImagesOutput, error) {
	return dispatchDo(ctx, s, "DescribeImages", in, s.describeImages)
}

func (s *Service) describeImages(ctx context.Context, in *DescribeImagesInput) (*DescribeImagesOutput, error) {
	limit, err := pageLimit(in.MaxResults, 5, 1000)
	if err != nil {
		return nil, err
	}
	if limit > 0 && len(in.ImageIDs) > 0 {
		return nil, ErrInvalidParameterCombo.With("The parameter imageIdsSet cannot be used with the parameter maxResults")
	}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	account, region := core.Scope(ctx)
	stored, err := s.images.All(ctx, region+"/")
	if err != nil {
		return nil, err
	}
	all := append(baseImages(region), stored...)
	for _, id := range in.ImageIDs {
		if !validID(id, "ami") {
			return nil, ErrAMIMalformed.With("Invalid id: \"%s\" (expecting \"ami-...\")", id)
		}
		found := false
		for _, im := range all {
			found = found || (im.ImageID == id && im.canLaunch(account))
		}
		if !found {
			return nil, ErrAMINotFound.With("The image id '[%s]' does not exist", id)
		}
	}
	slices.SortFunc(all, func(a, b imageRecord) int { return strings.Compare(a.ImageID, b.ImageID) })
	images, next, err := selection[imageRecord, Image]{
		ids: []byID[imageRecord]{{want: in.ImageIDs, of: func(im imageRecord) string { return im.ImageID }}},
		keep: func(im imageRecord) bool {
			return im.canLaunch(account) && im.State != "deregistered" &&
				(len(in.Owners) == 0 || slices.ContainsFunc(in.Owners, func(o string) bool {
					return o == im.OwnerID || o == "self" && im.OwnerID == account || o != "" && o == im.ImageOwnerAlias
				})) &&
				(len(in.ExecutableUsers) == 0 || slices.ContainsFunc(in.ExecutableUsers, func(u string) bool {
					switch u {
					case "all":
						return im.Public
					case "self":
						return im.OwnerID != account && im.canLaunch(account)
					}
					return slices.Contains(im.Launchable, u) || im.Public
				}))
		},
		filters: in.Filters, values: imageFilter,
		view: func(im imageRecord) Image {
			img := im.Image
			if im.OwnerID != account {
				img.Tags = nil // tags are the owner's
			}
			return img
		},
		limit: limit, after: after, key: func(im imageRecord) string { return im.ImageID },
	}.run(all)
	if err != nil {
		return nil, err
	}
	return &DescribeImagesOutput{Images: images, NextToken: next}, nil
}

func imageFilter(im imageRecord, name string) ([]string, bool) {
	switch name {
	case "name":
		return []string{im.Name}, true
	case "image-id":
		return []string{im.ImageID}, true
	case "state":
		return []string{im.State}, true
	case "owner-id":
		return []string{im.OwnerID}, true
	case "owner-alias":
		return []string{im.ImageOwnerAlias}, true
	case "architecture":
		return []string{im.Architecture}, true
	case "platform-details":
		return []string{im.PlatformDetails}, true
	case "is-public":
		return []string{fmt.Sprint(im.Public)}, true
	case "image-type":
		return []string{im.ImageType}, true
	case "root-device-type":
		return []string{im.RootDeviceType}, true
	case "root-device-name":
		return []string{im.RootDeviceName}, true
	case "virtualization-type":
		return []string{im.VirtualizationType}, true
	case "description":
		return []string{im.Description}, true
	case "hypervisor":
		return []string{im.Hypervisor}, true
	case "ena-support":
		return []string{fmt.Sprint(im.EnaSupport)}, true
	case "block-device-mapping.volume-type":
		return []string{"gp3"}, true
	}
	return tagFilter(name, im.Tags)
}

func (s *Service) ownImage(ctx context.Context, id string) (imageRecord, error) {
	if !validID(id, "ami") {
		return imageRecord{}, ErrAMIMalformed.With("Invalid id: \"%s\" (expecting \"ami-...\")", id)
	}
	account, region := core.Scope(ctx)
	if b, ok := baseImage(region, id); ok {
		return b, ErrAuthFailure.With("Not authorized for image:%s", id)
	}
	r, err := s.images.Get(ctx, imageKey(region, id))
	if errors.Is(err, store.ErrNotFound) || (err == nil && !r.canLaunch(account)) {
		return r, ErrAMINotFound.With("The image id '[%s]' does not exist", id)
	}
	if err != nil {
		return r, err
	}
	if r.OwnerID != account {
		return r, ErrAuthFailure.With("Not authorized for image:%s", id)
	}
	return r, nil
}

// DeregisterImage removes an image; instances launched from it keep running.
func (s *Service) DeregisterImage(ctx context.Context, in *DeregisterImageInput) (*DeregisterImageOutput, error) {
	return dispatchDo(ctx, s, "DeregisterImage", in, func(ctx context.Context, in *DeregisterImageInput) (*DeregisterImageOutput, error) {
		r, err := s.ownImage(ctx, in.ImageID)
		if err != nil {
			return nil, err
		}
		if err := s.images.Delete(ctx, imageKey(r.Region, r.ImageID)); err != nil {
			return nil, err
		}
		s.releaseName(ctx, r.Region, r.OwnerID, r.Name, r.ImageID)
		s.mu.Lock()
		delete(s.imageFS, r.ImageID)
		s.mu.Unlock()
		return &DeregisterImageOutput{Return: true}, nil
	})
}

// DescribeImageAttribute answers launchPermission and description.
func (s *Service) DescribeImageAttribute(ctx context.Context, in *DescribeImageAttributeInput) (*DescribeImageAttributeOutput, error) {
	return dispatchDo(ctx, s, "DescribeImageAttribute", in, func(ctx context.Context, in *DescribeImageAttributeInput) (*DescribeImageAttributeOutput, error) {
		r, err := s.ownImage(ctx, in.ImageID)
		if err != nil {
			return nil, err
		}
		out := &DescribeImageAttributeOutput{ImageID: r.ImageID}
		switch in.Attribute {
		case "launchPermission":
			out.LaunchPermissions = []LaunchPermission{}
			if r.Public {
				out.LaunchPermissions = append(out.LaunchPermissions, LaunchPermission{Group: "all"})
			}
			for _, a := range r.Launchable {
				out.LaunchPermissions = append(out.LaunchPermissions, LaunchPermission{UserID: a})
			}
		case "description":
			out.Description = &AttributeValue{Value: r.Description}
		default:
			return nil, ErrInvalidParameterValue.With("Value (%s) for parameter attribute is invalid. Unknown attribute.", in.Attribute)
		}
		return out, nil
	})
}

var accountID = regexp.MustCompile(`^\d{12}$`)

// ModifyImageAttribute adds or removes launch permissions (account ids, or group "all" to
// make the image public) or sets the description.
func (s *Service) ModifyImageAttribute(ctx context.Context, in *ModifyImageAttributeInput) (*ModifyImageAttributeOutput, error) {
	return dispatchDo(ctx, s, "ModifyImageAttribute", in, func(ctx context.Context, in *ModifyImageAttributeInput) (*ModifyImageAttributeOutput, error) {
		r, err := s.ownImage(ctx, in.ImageID)
		if err != nil {
			return nil, err
		}
		mods := LaunchPermissionModifications{}
		if in.LaunchPermission != nil {
			mods = *in.LaunchPermission
		}
		if in.OperationType != "" {
			var lp []LaunchPermission
			for _, u := range in.UserIDs {
				lp = append(lp, LaunchPermission{UserID: u})
			}
			for _, g := range in.UserGroups {
				lp = append(lp, LaunchPermission{Group: g})
			}
			switch in.OperationType {
			case "add":
				mods.Add = append(mods.Add, lp...)
			case "remove":
				mods.Remove = append(mods.Remove, lp...)
			default:
				return nil, ErrInvalidParameterValue.With("Value (%s) for parameter operationType is invalid.", in.OperationType)
			}
		}
		for _, p := range append(slices.Clone(mods.Add), mods.Remove...) {
			if p.Group != "" && p.Group != "all" {
				return nil, ErrInvalidParameterValue.With("Value (%s) for parameter group is invalid. Only 'all' is supported.", p.Group)
			}
			if p.UserID != "" && !accountID.MatchString(p.UserID) {
				return nil, ErrInvalidParameterValue.With("Invalid user id: %s", p.UserID)
			}
		}
		if in.Description == nil && len(mods.Add) == 0 && len(mods.Remove) == 0 {
			return nil, ErrMissingParameter.With("No attributes specified.")
		}
		_, err = s.images.Update(ctx, imageKey(r.Region, r.ImageID), func(im *imageRecord) error {
			for _, p := range mods.Add {
				if p.Group == "all" {
					im.Public = true
				} else if p.UserID != "" && !slices.Contains(im.Launchable, p.UserID) {
					im.Launchable = append(im.Launchable, p.UserID)
				}
			}
			for _, p := range mods.Remove {
				if p.Group == "all" {
					im.Public = false
				} else {
					im.Launchable = slices.DeleteFunc(im.Launchable, func(a string) bool { return a == p.UserID })
				}
			}
			if in.Description != nil {
				im.Description = in.Description.Value
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		return &ModifyImageAttributeOutput{}, nil
	})
}
