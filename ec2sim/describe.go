package ec2sim

import (
	"cmp"
	"context"

	"encoding/base64"
	"fmt"
	"github.com/devopsim/devopsim/apierr"
	"slices"
	"strings"
)

func instanceFilter(cur **instanceRecord) func(name string) ([]string, bool) {
	var buf [1]string
	return func(name string) ([]string, bool) {
		r := *cur
		one := func(v string) []string { buf[0] = v; return buf[:1] }
		switch name {
		case "instance-id":
			return one(r.InstanceID), true
		case "instance-state-name":
			return one(r.State.Name), true
		case "instance-state-code":
			return one(fmt.Sprint(r.State.Code)), true
		case "image-id":
			return one(r.ImageID), true
		case "instance-type":
			return one(r.InstanceType), true
		case "vpc-id":
			return one(r.VpcID), true
		case "subnet-id":
			return one(r.SubnetID), true
		case "availability-zone":
			return one(r.Placement.AvailabilityZone), true
		case "private-ip-address", "network-interface.addresses.private-ip-address":
			return one(r.PrivateIpAddress), true
		case "ip-address":
			return one(r.PublicIpAddress), true
		case "private-dns-name":
			return one(r.PrivateDnsName), true
		case "dns-name":
			return one(r.PublicDnsName), true
		case "key-name":
			return one(r.KeyName), true
		case "reservation-id":
			return one(r.ReservationID), true
		case "owner-id":
			return one(r.Account), true
		case "architecture":
			return one(r.Architecture), true
		case "launch-index":
			return one(fmt.Sprint(r.AmiLaunchIndex)), true
		case "client-token":
			return one(r.ClientToken), true
		case "root-device-type":
			return one(r.RootDeviceType), true
		case "iam-instance-profile.arn":
			if r.IamInstanceProfile == nil {
				return nil, true
			}
			return one(r.IamInstanceProfile.Arn), true
		case "instance.group-id", "group-id":
			var out []string
			for _, g := range r.SecurityGroups {
				out = append(out, g.GroupID)
			}
			return out, true
		case "instance.group-name", "group-name":
			var out []string
			for _, g := range r.SecurityGroups {
				out = append(out, g.GroupName)
			}
			return out, true
		case "metadata-options.http-tokens":
			if r.MetadataOptions == nil {
				return nil, true
			}
			return one(r.MetadataOptions.HttpTokens), true
		}
		if k, ok := strings.CutPrefix(name, "tag:"); ok {
			for _, t := range r.Tags {
				if t.Key == k {
					return one(t.Value), true
				}
			}
			return nil, true
		}
		return tagFilter(name, r.Tags)
	}
}

// DescribeInstances lists instances, grouped by reservation, with EC2's filters
// (instance-state-name, instance-id, tag:<key>, tag-key, tag-value, image-id, instance-type,
// vpc-id, subnet-id, availability-zone, private-ip-address, ...) and pagination. The
// Instances returned may be shared with other calls' results: treat them as read-only.
func (s *Service) DescribeInstances(ctx context.Context, in *DescribeInstancesInput) (*DescribeInstancesOutput, error) {
	return dispatchDo(ctx, s, "DescribeInstances", in, s.describeInstances)
}

func (s *Service) describeInstances(ctx context.Context, in *DescribeInstancesInput) (*DescribeInstancesOutput, error) {
	limit, err := pageLimit(in.MaxResults, 5, 1000)
	if err != nil {
		return nil, err
	}
	if limit > 0 && len(in.InstanceIDs) > 0 {
		return nil, ErrInvalidParameterCombo.With("The parameter instancesSet cannot be used with the parameter maxResults")
	}
	if err := validateFilters(in.Filters); err != nil {
		return nil, err
	}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	s.purge(ctx)
	if len(in.InstanceIDs) > 0 {
		if _, err := s.instancesByID(ctx, in.InstanceIDs); err != nil {
			return nil, err
		}
	}
	sc := scope(ctx)
	recs, indexed := s.tagCandidates(sc, in)
	start := 0
	if indexed && after != "" {
		// The candidates are a subset in launch order: resume after the token's instance.
		s.mu.Lock()
		sl, ok := s.slots[after]
		s.mu.Unlock()
		if !ok || sl.rec.Scope != sc {
			return nil, ErrInvalidNextToken.With("The token '%s' is invalid.", in.NextToken)
		}
		start = len(recs)
		for i, r := range recs {
			if s.seqOf(r) > sl.seq {
				start = i
				break
			}
		}
	} else if after != "" {
		start = -1
		for i, r := range recs {
			if r.InstanceID == after {
				start = i + 1
				break
			}
		}
		if start < 0 {
			return nil, ErrInvalidNextToken.With("The token '%s' is invalid.", in.NextToken)
		}
	}
	var ids map[string]bool
	if len(in.InstanceIDs) > 0 {
		ids = map[string]bool{}
		for _, id := range in.InstanceIDs {
			ids[id] = true
		}
	}
	match, err := compileInstanceFilters(in.Filters)
	if err != nil {
		return nil, err
	}
	// Select first, then build the reservations with their exact sizes.
	picked := make([]*instanceRecord, 0, 64)
	for i := start; i < len(recs); i++ {
		r := recs[i]
		if ids != nil && !ids[r.InstanceID] {
			continue
		}
		if !match(r) {
			continue
		}
		if limit > 0 && len(picked) == limit {
			out := s.buildReservations(picked)
			out.NextToken = encodeToken(picked[len(picked)-1].InstanceID)
			return out, nil
		}
		picked = append(picked, r)
	}
	return s.buildReservations(picked), nil
}

// tagCandidates returns the instances of a scope in launch order: with a tag:<key> filter
// whose values are literal (and no instance ids), only those the tag index holds for it.
func (s *Service) tagCandidates(sc string, in *DescribeInstancesInput) ([]*instanceRecord, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(in.InstanceIDs) == 0 {
		for _, f := range in.Filters {
			key, ok := strings.CutPrefix(f.Name, "tag:")
			if !ok || len(f.Values) == 0 || slices.ContainsFunc(f.Values, func(v string) bool { return strings.ContainsAny(v, `*?\`) }) {
				continue
			}
			var slots []*slot
			for _, v := range f.Values {
				slots = append(slots, s.tagIdx[tagKey(sc, key, v)]...)
			}
			if len(f.Values) > 1 {
				slices.SortFunc(slots, func(a, b *slot) int { return cmp.Compare(a.seq, b.seq) })
				slots = slices.Compact(slots)
			}
			recs := make([]*instanceRecord, len(slots))
			for i, sl := range slots {
				recs[i] = sl.rec
			}
			return recs, true
		}
	}
	recs := make([]*instanceRecord, 0, len(s.order))
	for _, sl := range s.order {
		if r := sl.rec; r.Scope == sc {
			recs = append(recs, r)
		}
	}
	return recs, false
}

func (s *Service) seqOf(r *instanceRecord) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sl := s.slots[r.InstanceID]; sl != nil {
		return sl.seq
	}
	return 0
}

// resView is the Instances of a reservation as last built from recs (immutable records: the
// same pointers mean the same content).
type resView struct {
	recs  []*instanceRecord
	insts []Instance
}

// buildReservations groups instances by reservation, in order of first appearance. When each
// reservation's instances are contiguous (they are launched together), a reservation whose
// picked records are exactly those of its last built view reuses that view's Instances
// (read-only, capacity-limited): describing unchanged instances again copies nothing.
func (s *Service) buildReservations(picked []*instanceRecord) *DescribeInstancesOutput {
	out := &DescribeInstancesOutput{Reservations: []Reservation{}}
	if len(picked) == 0 {
		return out
	}
	if out, ok := s.buildViews(picked); ok {
		return out
	}
	byRes := make(map[string]int, 4)
	var counts []int
	for _, r := range picked {
		idx, ok := byRes[r.ReservationID]
		if !ok {
			idx = len(counts)
			byRes[r.ReservationID] = idx
			counts = append(counts, 0)
			out.Reservations = append(out.Reservations, Reservation{ReservationID: r.ReservationID, OwnerID: r.Account, Groups: []GroupIdentifier{}})
		}
		counts[idx]++
	}
	all := make([]Instance, len(picked)) // one backing array for every reservation
	off := 0
	for i := range out.Reservations {
		out.Reservations[i].Instances = all[off : off : off+counts[i]]
		off += counts[i]
	}
	for _, r := range picked {
		res := &out.Reservations[byRes[r.ReservationID]]
		res.Instances = append(res.Instances, r.Instance)
	}
	return out
}

// maxViews bounds the reservation views kept.
const maxViews = 4096

// buildViews builds the output from reservation views when every reservation's picked
// instances are contiguous in picked.
func (s *Service) buildViews(picked []*instanceRecord) (*DescribeInstancesOutput, bool) {
	type run struct{ lo, hi int }
	var runs []run
	for i, r := range picked {
		if i > 0 && r.ReservationID == picked[i-1].ReservationID {
			runs[len(runs)-1].hi = i + 1
			continue
		}
		runs = append(runs, run{i, i + 1})
	}
	if len(runs) > 1 {
		seen := make(map[string]bool, len(runs))
		for _, rn := range runs {
			id := picked[rn.lo].ReservationID
			if seen[id] {
				return nil, false
			}
			seen[id] = true
		}
	}
	out := &DescribeInstancesOutput{Reservations: make([]Reservation, len(runs))}
	for k, rn := range runs {
		group := picked[rn.lo:rn.hi]
		id := group[0].ReservationID
		s.viewMu.Lock()
		v := s.views[id]
		s.viewMu.Unlock()
		if v == nil || !slices.Equal(v.recs, group) {
			v = &resView{recs: slices.Clone(group), insts: make([]Instance, len(group))}
			for i, r := range group {
				v.insts[i] = r.Instance
			}
			s.viewMu.Lock()
			if len(s.views) >= maxViews {
				clear(s.views)
			}
			s.views[id] = v
			s.viewMu.Unlock()
		}
		out.Reservations[k] = Reservation{ReservationID: id, OwnerID: group[0].Account, Groups: []GroupIdentifier{}, Instances: v.insts[:len(v.insts):len(v.insts)]}
	}
	return out, true
}

// compileInstanceFilters turns DescribeInstances filters into one predicate: common names
// read the record's field directly, literal values compare without wildcard matching, and
// tag:<key> scans the tags once; other names go through instanceFilter. Unknown names are
// an error, as in EC2; a filter without values matches everything.
func compileInstanceFilters(filters []Filter) (func(*instanceRecord) bool, error) {
	var preds []func(*instanceRecord) bool
	probe := &instanceRecord{}
	for _, f := range filters {
		if _, ok := instanceFilter(&probe)(f.Name); !ok {
			return nil, ErrInvalidFilter.With("The filter '%s' is invalid", f.Name)
		}
		if len(f.Values) == 0 {
			continue
		}
		test := valueTest(f.Values)
		var field func(*instanceRecord) string
		switch f.Name {
		case "instance-id":
			field = func(r *instanceRecord) string { return r.InstanceID }
		case "instance-state-name":
			field = func(r *instanceRecord) string { return r.State.Name }
		case "image-id":
			field = func(r *instanceRecord) string { return r.ImageID }
		case "instance-type":
			field = func(r *instanceRecord) string { return r.InstanceType }
		case "vpc-id":
			field = func(r *instanceRecord) string { return r.VpcID }
		case "subnet-id":
			field = func(r *instanceRecord) string { return r.SubnetID }
		case "availability-zone":
			field = func(r *instanceRecord) string { return r.Placement.AvailabilityZone }
		case "private-ip-address":
			field = func(r *instanceRecord) string { return r.PrivateIpAddress }
		case "reservation-id":
			field = func(r *instanceRecord) string { return r.ReservationID }
		case "key-name":
			field = func(r *instanceRecord) string { return r.KeyName }
		}
		switch {
		case field != nil:
			preds = append(preds, func(r *instanceRecord) bool { return test(field(r)) })
		case strings.HasPrefix(f.Name, "tag:"):
			key := f.Name[4:]
			preds = append(preds, func(r *instanceRecord) bool {
				for i := range r.Tags {
					if r.Tags[i].Key == key {
						return test(r.Tags[i].Value)
					}
				}
				return false
			})
		default:
			var cur *instanceRecord
			get := instanceFilter(&cur)
			name := f.Name
			preds = append(preds, func(r *instanceRecord) bool {
				cur = r
				vals, _ := get(name)
				return slices.ContainsFunc(vals, test)
			})
		}
	}
	return func(r *instanceRecord) bool {
		for _, p := range preds {
			if !p(r) {
				return false
			}
		}
		return true
	}, nil
}

// valueTest matches a value against a filter's values: plain equality for literal values,
// EC2's * and ? wildcards otherwise.
func valueTest(values []string) func(string) bool {
	wild := slices.ContainsFunc(values, func(v string) bool { return strings.ContainsAny(v, `*?\`) })
	switch {
	case wild:
		return func(v string) bool {
			return slices.ContainsFunc(values, func(p string) bool { return glob(p, v) })
		}
	case len(values) == 1:
		want := values[0]
		return func(v string) bool { return v == want }
	case len(values) <= 8:
		return func(v string) bool { return slices.Contains(values, v) }
	}
	set := make(map[string]struct{}, len(values))
	for _, v := range values {
		set[v] = struct{}{}
	}
	return func(v string) bool { _, ok := set[v]; return ok }
}

// DescribeInstanceStatus reports status checks: "initializing" until the instance's boot
// (user data) finished, then "ok". Only running instances unless IncludeAllInstances.
func (s *Service) DescribeInstanceStatus(ctx context.Context, in *DescribeInstanceStatusInput) (*DescribeInstanceStatusOutput, error) {
	return dispatchDo(ctx, s, "DescribeInstanceStatus", in, func(ctx context.Context, in *DescribeInstanceStatusInput) (*DescribeInstanceStatusOutput, error) {
		limit, err := pageLimit(in.MaxResults, 5, 1000)
		if err != nil {
			return nil, err
		}
		if limit > 0 && len(in.InstanceIDs) > 0 {
			return nil, ErrInvalidParameterCombo.With("The parameter instancesSet cannot be used with the parameter maxResults")
		}
		after, err := decodeToken(in.NextToken)
		if err != nil {
			return nil, err
		}
		var recs []*instanceRecord
		if len(in.InstanceIDs) > 0 {
			if recs, err = s.instancesByID(ctx, in.InstanceIDs); err != nil {
				return nil, err
			}
		} else {
			sc := scope(ctx)
			s.mu.Lock()
			for _, sl := range s.order {
				if r := sl.rec; r.Scope == sc {
					recs = append(recs, r)
				}
			}
			s.mu.Unlock()
		}
		out := &DescribeInstanceStatusOutput{InstanceStatuses: []InstanceStatus{}}
		passed := after == ""
		for _, r := range recs {
			if !passed {
				passed = r.InstanceID == after
				continue
			}
			if r.State.Name != "running" && !in.IncludeAllInstances {
				continue
			}
			st := InstanceStatus{InstanceID: r.InstanceID, AvailabilityZone: r.Placement.AvailabilityZone, InstanceState: r.State}
			switch {
			case r.State.Name != "running":
				st.InstanceStatus = InstanceStatusSummary{Status: "not-applicable", Details: []InstanceStatusDetails{}}
				st.SystemStatus = InstanceStatusSummary{Status: "not-applicable", Details: []InstanceStatusDetails{}}
			case !r.Booted:
				st.InstanceStatus = InstanceStatusSummary{Status: "initializing", Details: []InstanceStatusDetails{{Name: "reachability", Status: "initializing"}}}
				st.SystemStatus = InstanceStatusSummary{Status: "initializing", Details: []InstanceStatusDetails{{Name: "reachability", Status: "initializing"}}}
			default:
				st.InstanceStatus = InstanceStatusSummary{Status: "ok", Details: []InstanceStatusDetails{{Name: "reachability", Status: "passed"}}}
				st.SystemStatus = InstanceStatusSummary{Status: "ok", Details: []InstanceStatusDetails{{Name: "reachability", Status: "passed"}}}
			}
			ok, err := matchFilters(in.Filters, func(name string) ([]string, bool) {
				switch name {
				case "instance-state-name":
					return []string{r.State.Name}, true
				case "instance-state-code":
					return []string{fmt.Sprint(r.State.Code)}, true
				case "availability-zone":
					return []string{r.Placement.AvailabilityZone}, true
				case "instance-status.status":
					return []string{st.InstanceStatus.Status}, true
				case "system-status.status":
					return []string{st.SystemStatus.Status}, true
				case "instance-status.reachability", "system-status.reachability":
					if len(st.InstanceStatus.Details) == 0 {
						return nil, true
					}
					return []string{st.InstanceStatus.Details[0].Status}, true
				}
				return nil, false
			})
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			if limit > 0 && len(out.InstanceStatuses) == limit {
				out.NextToken = encodeToken(out.InstanceStatuses[limit-1].InstanceID)
				break
			}
			out.InstanceStatuses = append(out.InstanceStatuses, st)
		}
		return out, nil
	})
}

// GetConsoleOutput returns the last 64 KiB of the instance's console (boot messages and
// cloud-init output, user-data output included), base64 encoded.
func (s *Service) GetConsoleOutput(ctx context.Context, in *GetConsoleOutputInput) (*GetConsoleOutputOutput, error) {
	return dispatchDo(ctx, s, "GetConsoleOutput", in, func(ctx context.Context, in *GetConsoleOutputInput) (*GetConsoleOutputOutput, error) {
		if in.InstanceID == "" {
			return nil, ErrMissingParameter.With("The request must contain the parameter InstanceId")
		}
		if _, err := s.instance(ctx, in.InstanceID); err != nil {
			return nil, err
		}
		s.mu.Lock()
		h := s.hosts[in.InstanceID]
		s.mu.Unlock()
		out := &GetConsoleOutputOutput{InstanceID: in.InstanceID, Timestamp: s.clk.Now().UTC()}
		if h != nil {
			if b := h.Console(); len(b) > 0 {
				out.Output = base64.StdEncoding.EncodeToString(b)
			}
		}
		return out, nil
	})
}

// DescribeInstanceAttribute answers instanceType, userData and disableApiTermination.
func (s *Service) DescribeInstanceAttribute(ctx context.Context, in *DescribeInstanceAttributeInput) (*DescribeInstanceAttributeOutput, error) {
	return dispatchDo(ctx, s, "DescribeInstanceAttribute", in, func(ctx context.Context, in *DescribeInstanceAttributeInput) (*DescribeInstanceAttributeOutput, error) {
		r, err := s.instance(ctx, in.InstanceID)
		if err != nil {
			return nil, err
		}
		out := &DescribeInstanceAttributeOutput{InstanceID: r.InstanceID}
		switch in.Attribute {
		case "instanceType":
			out.InstanceType = &AttributeValue{Value: r.InstanceType}
		case "userData":
			out.UserData = &AttributeValue{Value: r.UserData}
		case "disableApiTermination":
			out.DisableApiTermination = &AttributeBooleanValue{Value: r.DisableApiTermination}
		default:
			return nil, ErrInvalidParameterValue.With("Value (%s) for parameter attribute is invalid. Unknown attribute.", in.Attribute)
		}
		return out, nil
	})
}

// ModifyInstanceAttribute changes instanceType or userData (instance stopped) or
// disableApiTermination.
func (s *Service) ModifyInstanceAttribute(ctx context.Context, in *ModifyInstanceAttributeInput) (*ModifyInstanceAttributeOutput, error) {
	return dispatchDo(ctx, s, "ModifyInstanceAttribute", in, func(ctx context.Context, in *ModifyInstanceAttributeInput) (*ModifyInstanceAttributeOutput, error) {
		r, err := s.instance(ctx, in.InstanceID)
		if err != nil {
			return nil, err
		}
		switch in.Attribute {
		case "instanceType":
			in.InstanceType = &AttributeValue{Value: in.Value}
		case "userData":
			in.UserData = &BlobAttributeValue{Value: []byte(in.Value)}
		case "disableApiTermination":
			in.DisableApiTermination = &AttributeBooleanValue{Value: strings.EqualFold(in.Value, "true")}
		case "":
		default:
			return nil, ErrInvalidParameterValue.With("Value (%s) for parameter attribute is invalid. Unknown attribute.", in.Attribute)
		}
		if in.InstanceType == nil && in.UserData == nil && in.DisableApiTermination == nil {
			return nil, ErrMissingParameter.With("No attributes specified.")
		}
		if (in.InstanceType != nil || in.UserData != nil) && r.State.Name != "stopped" {
			return nil, ErrIncorrectInstanceState.With("The instance '%s' is not in the 'stopped' state.", r.InstanceID)
		}
		if in.InstanceType != nil && !knownInstanceType(in.InstanceType.Value) {
			return nil, ErrInvalidParameterValue.With("Invalid value '%s' for InstanceType.", in.InstanceType.Value)
		}
		if in.UserData != nil && len(in.UserData.Value) > MaxUserData {
			return nil, ErrInvalidParameterValue.With("User data is limited to 16384 bytes")
		}
		_, err = s.update(ctx, r.InstanceID, func(x *instanceRecord) error {
			if in.InstanceType != nil {
				x.InstanceType = in.InstanceType.Value
			}
			if in.UserData != nil {
				x.UserData = base64.StdEncoding.EncodeToString(in.UserData.Value)
			}
			if in.DisableApiTermination != nil {
				x.DisableApiTermination = in.DisableApiTermination.Value
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if h, ok := s.MachineOf(r.InstanceID); ok {
			nr, _ := s.rec(r.InstanceID)
			h.SetMetadata(metadataOf(nr))
		}
		return &ModifyInstanceAttributeOutput{}, nil
	})
}

// Tags

func resourceType(id string) string {
	switch {
	case strings.HasPrefix(id, "i-"):
		return "instance"
	case strings.HasPrefix(id, "ami-"):
		return "image"
	case strings.HasPrefix(id, "lt-"):
		return "launch-template"
	case strings.HasPrefix(id, "vpc-"):
		return "vpc"
	case strings.HasPrefix(id, "subnet-"):
		return "subnet"
	case strings.HasPrefix(id, "sg-"):
		return "security-group"
	case strings.HasPrefix(id, "igw-"):
		return "internet-gateway"
	case strings.HasPrefix(id, "rtb-"):
		return "route-table"
	case strings.HasPrefix(id, "eipalloc-"):
		return "elastic-ip"
	}
	return ""
}

// retag is an update applying fn to a record's tags.
func retag[R any](tags func(*R) *[]Tag, fn func([]Tag) ([]Tag, error)) func(*R) error {
	return func(x *R) error {
		p := tags(x)
		t, err := fn(*p)
		*p = t
		return err
	}
}

// editTags applies fn to the tags of each resource.
func (s *Service) editTags(ctx context.Context, ids []string, fn func([]Tag) ([]Tag, error)) error {
	if len(ids) == 0 {
		return ErrMissingParameter.With("The request must contain the parameter resourceIdSet")
	}
	sc := scope(ctx)
	_, region := scopeParts(ctx)
	// Validate every id first so a bad one changes nothing.
	for _, id := range ids {
		var err error
		switch resourceType(id) {
		case "instance":
			_, err = s.instance(ctx, id)
		case "image":
			_, err = s.ownImage(ctx, id)
		case "launch-template":
			_, err = s.template(ctx, id, "")
		case "vpc":
			if _, e := s.vpcs.Get(ctx, sc+id); e != nil {
				err = ErrVpcNotFound.With("The vpc ID '%s' does not exist", id)
			}
		case "subnet":
			_, err = s.subnet(ctx, id)
		case "security-group":
			_, err = s.groupByIDOrName(ctx, id, "")
		case "internet-gateway":
			_, err = s.igw(ctx, id)
		case "route-table":
			_, err = s.routeTable(ctx, id)
		case "elastic-ip":
			_, err = s.address(ctx, id, "")
		default:
			err = ErrInvalidID.With("The ID '%s' is not valid", id)
		}
		if err != nil {
			return err
		}
	}
	for _, id := range ids {
		var err error
		switch resourceType(id) {
		case "instance":
			var r *instanceRecord
			r, err = s.update(ctx, id, retag(func(x *instanceRecord) *[]Tag { return &x.Tags }, fn))
			if err == nil {
				if h, ok := s.MachineOf(id); ok {
					h.SetTags(tagsToMap(r.Tags))
				}
			}
		case "image":
			_, err = s.images.Update(ctx, imageKey(region, id), retag(func(x *imageRecord) *[]Tag { return &x.Tags }, fn))
		case "launch-template":
			_, err = s.templates.Update(ctx, sc+id, retag(func(x *templateRecord) *[]Tag { return &x.Tags }, fn))
		case "vpc":
			_, err = s.vpcs.Update(ctx, sc+id, retag(func(x *vpcRecord) *[]Tag { return &x.Tags }, fn))
		case "subnet":
			_, err = s.subnets.Update(ctx, sc+id, retag(func(x *subnetRecord) *[]Tag { return &x.Tags }, fn))
		case "security-group":
			_, err = s.groups.Update(ctx, sc+id, retag(func(x *groupRecord) *[]Tag { return &x.Tags }, fn))
		case "internet-gateway":
			_, err = s.igws.Update(ctx, sc+id, retag(func(x *igwRecord) *[]Tag { return &x.Tags }, fn))
		case "route-table":
			_, err = s.routeTables.Update(ctx, sc+id, retag(func(x *routeTableRecord) *[]Tag { return &x.Tags }, fn))
		case "elastic-ip":
			_, err = s.addresses.Update(ctx, sc+id, retag(func(x *addressRecord) *[]Tag { return &x.Tags }, fn))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// CreateTags adds or overwrites tags on instances, images, launch templates, VPCs, subnets
// and security groups.
func (s *Service) CreateTags(ctx context.Context, in *CreateTagsInput) (*CreateTagsOutput, error) {
	return dispatchDo(ctx, s, "CreateTags", in, s.createTags)
}

func (s *Service) createTags(ctx context.Context, in *CreateTagsInput) (*CreateTagsOutput, error) {
	if len(in.Tags) == 0 {
		return nil, ErrMissingParameter.With("The request must contain the parameter tagSet")
	}
	if err := validateTags(in.Tags, internalCaller(ctx)); err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	err := s.editTags(ctx, in.Resources, func(tags []Tag) ([]Tag, error) {
		m := tagsToMap(tags)
		for _, t := range in.Tags {
			m[t.Key] = t.Value
		}
		if len(m) > 50 {
			return nil, apierr.New(apierr.Invalid, "TagLimitExceeded", "The maximum number of tags per resource is 50")
		}
		return mapToTags(m), nil
	})
	if err != nil {
		return nil, err
	}
	return &CreateTagsOutput{}, nil
}

// DeleteTags removes tags; a tag given without a value is removed whatever its value, with a
// value only if it matches; no tags removes all.
func (s *Service) DeleteTags(ctx context.Context, in *DeleteTagsInput) (*DeleteTagsOutput, error) {
	return dispatchDo(ctx, s, "DeleteTags", in, func(ctx context.Context, in *DeleteTagsInput) (*DeleteTagsOutput, error) {
		if in.DryRun {
			return nil, ErrDryRun
		}
		err := s.editTags(ctx, in.Resources, func(tags []Tag) ([]Tag, error) {
			if len(in.Tags) == 0 {
				return nil, nil
			}
			return slices.DeleteFunc(slices.Clone(tags), func(t Tag) bool {
				for _, d := range in.Tags {
					if d.Key == t.Key && (d.Value == "" || d.Value == t.Value) {
						return true
					}
				}
				return false
			}), nil
		})
		if err != nil {
			return nil, err
		}
		return &DeleteTagsOutput{}, nil
	})
}

// DescribeTags lists tags of the caller's resources (filters resource-id, resource-type, key,
// value).
func (s *Service) DescribeTags(ctx context.Context, in *DescribeTagsInput) (*DescribeTagsOutput, error) {
	return dispatchDo(ctx, s, "DescribeTags", in, func(ctx context.Context, in *DescribeTagsInput) (*DescribeTagsOutput, error) {
		limit, after, err := pageParams(in.MaxResults, 5, 1000, nil, in.NextToken)
		if err != nil {
			return nil, err
		}
		sc := scope(ctx)
		account, region := scopeParts(ctx)
		var all []TagDescription
		add := func(id string, tags []Tag) {
			for _, t := range tags {
				all = append(all, TagDescription{ResourceID: id, ResourceType: resourceType(id), Key: t.Key, Value: t.Value})
			}
		}
		s.mu.Lock()
		for _, sl := range s.order {
			if r := sl.rec; r.Scope == sc {
				add(r.InstanceID, r.Tags)
			}
		}
		s.mu.Unlock()
		ims, _ := s.images.All(ctx, region+"/")
		for _, im := range ims {
			if im.OwnerID == account {
				add(im.ImageID, im.Tags)
			}
		}
		lts, _ := s.templates.All(ctx, sc)
		for _, t := range lts {
			add(t.LaunchTemplateID, t.Tags)
		}
		vs, _ := s.vpcs.All(ctx, sc)
		for _, v := range vs {
			add(v.VpcID, v.Tags)
		}
		ss, _ := s.subnets.All(ctx, sc)
		for _, v := range ss {
			add(v.SubnetID, v.Tags)
		}
		gs, _ := s.groups.All(ctx, sc)
		for _, v := range gs {
			add(v.GroupID, v.Tags)
		}
		igs, _ := s.igws.All(ctx, sc)
		for _, v := range igs {
			add(v.InternetGatewayID, v.Tags)
		}
		rts, _ := s.routeTables.All(ctx, sc)
		for _, v := range rts {
			add(v.RouteTableID, v.Tags)
		}
		eips, _ := s.addresses.All(ctx, sc)
		for _, v := range eips {
			add(v.AllocationID, v.Tags)
		}
		slices.SortFunc(all, func(a, b TagDescription) int {
			if c := strings.Compare(a.ResourceID, b.ResourceID); c != 0 {
				return c
			}
			return strings.Compare(a.Key, b.Key)
		})
		tags, next, err := selection[TagDescription, TagDescription]{
			filters: in.Filters, values: tagDescriptionFilter, view: func(t TagDescription) TagDescription { return t },
			limit: limit, after: after, key: func(t TagDescription) string { return t.ResourceID + "\x00" + t.Key },
		}.run(all)
		if err != nil {
			return nil, err
		}
		return &DescribeTagsOutput{Tags: tags, NextToken: next}, nil
	})
}

func tagDescriptionFilter(t TagDescription, name string) ([]string, bool) {
	switch name {
	case "resource-id":
		return []string{t.ResourceID}, true
	case "resource-type":
		return []string{t.ResourceType}, true
	case "key", "tag-key":
		return []string{t.Key}, true
	case "value", "tag-value":
		return []string{t.Value}, true
	}
	if k, ok := strings.CutPrefix(name, "tag:"); ok {
		if t.Key == k {
			return []string{t.Value}, true
		}
		return nil, true
	}
	return nil, false
}
