package ssm

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// A checked ParameterStringFilter.
type pfilter struct {
	key    string
	option string
	values []string
}

// checkFilters validates ParameterFilters: byPath restricts the keys to those
// GetParametersByPath accepts.
func checkFilters(in []ParameterStringFilter, byPath bool) ([]pfilter, error) {
	var out []pfilter
	seen := map[string]bool{}
	for _, f := range in {
		if f.Key == "" || len(f.Key) > 132 {
			return nil, validation("1 validation error detected: Value '%s' at 'parameterFilters.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType", f.Key)
		}
		isTag := strings.HasPrefix(f.Key, "tag:") && len(f.Key) > 4
		switch {
		case isTag:
		case byPath && (f.Key == "Type" || f.Key == "KeyId" || f.Key == "Label" || f.Key == "DataType"):
		case !byPath && (f.Key == "Name" || f.Key == "Type" || f.Key == "KeyId" || f.Key == "Path" || f.Key == "Tier" || f.Key == "DataType"):
		case byPath:
			return nil, ErrInvalidFilterKey.With("The following filter key is not valid: %s. Valid filter keys include: [Type, KeyId].", f.Key)
		default:
			return nil, ErrInvalidFilterKey.With("The following filter key is not valid: %s. Valid filter keys include: [Path, Name, Type, KeyId, Tier].", f.Key)
		}
		if seen[f.Key] {
			return nil, ErrInvalidFilterKey.With("The following filter is duplicated in the request: %s. A request can contain only one occurrence of a specific filter.", f.Key)
		}
		seen[f.Key] = true
		if len(f.Values) > 50 {
			return nil, validation("1 validation error detected: Value at 'parameterFilters.member.values' failed to satisfy constraint: Member must have length less than or equal to 50")
		}
		for _, v := range f.Values {
			if v == "" || len(v) > 1024 {
				return nil, validation("1 validation error detected: Value at 'parameterFilters.member.values' failed to satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1]")
			}
		}
		if len(f.Values) == 0 && !isTag {
			return nil, ErrInvalidFilterValue.With("The following filter values are missing : null for filter key %s.", f.Key)
		}
		opt := f.Option
		switch f.Key {
		case "Path":
			if opt == "" {
				opt = "OneLevel"
			}
			if opt != "OneLevel" && opt != "Recursive" {
				return nil, ErrInvalidFilterOption.With("The following filter option is not valid: %s. Valid options include: [Recursive, OneLevel].", opt)
			}
			for _, v := range f.Values {
				l := strings.ToLower(v)
				if strings.HasPrefix(l, "/aws") || strings.HasPrefix(l, "/ssm") {
					return nil, validation(`Filters for common parameters can't be prefixed with "aws" or "ssm" (case-insensitive). When using global parameters, please specify within a global namespace.`)
				}
				if err := checkPath(v); err != nil {
					return nil, validation(`The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "/". It can't be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.`)
				}
			}
		case "Label":
			if opt == "" {
				opt = "Equals"
			}
			if opt != "Equals" {
				return nil, ErrInvalidFilterOption.With("The following filter option is not valid: %s. Valid options include: [Equals].", opt)
			}
		case "Name":
			if opt == "" {
				opt = "Equals"
			}
			if opt != "Equals" && opt != "BeginsWith" && opt != "Contains" {
				return nil, ErrInvalidFilterOption.With("The following filter option is not valid: %s. Valid options include: [BeginsWith, Equals, Contains].", opt)
			}
		default:
			if opt == "" {
				opt = "Equals"
			}
			if opt != "Equals" && opt != "BeginsWith" {
				return nil, ErrInvalidFilterOption.With("The following filter option is not valid: %s. Valid options include: [BeginsWith, Equals].", opt)
			}
		}
		switch f.Key {
		case "Type":
			for _, v := range f.Values {
				if v != TypeString && v != TypeStringList && v != TypeSecureString {
					return nil, ErrInvalidFilterValue.With("The following filter value is not valid: %s. Valid values include: [String, StringList, SecureString].", v)
				}
			}
		case "Tier":
			for _, v := range f.Values {
				if v != TierStandard && v != TierAdvanced && v != TierIntelligent {
					return nil, ErrInvalidFilterValue.With("The following filter value is not valid: %s. Valid values include: [Standard, Advanced, Intelligent-Tiering].", v)
				}
			}
		}
		out = append(out, pfilter{key: f.Key, option: opt, values: f.Values})
	}
	return out, nil
}

func matchOpt(option, have string, values []string) bool {
	for _, v := range values {
		switch option {
		case "Equals":
			if have == v {
				return true
			}
		case "BeginsWith":
			if strings.HasPrefix(have, v) {
				return true
			}
		case "Contains":
			if strings.Contains(have, v) {
				return true
			}
		}
	}
	return false
}

// matchFilters picks the version of rec the filters select (the latest, or with a Label
// filter the labelled one); nil when the filters exclude the parameter.
func matchFilters(rec *paramRecord, fs []pfilter) *paramVersion {
	v := rec.latest()
	for _, f := range fs {
		switch {
		case f.key == "Label":
			var found *paramVersion
			for _, l := range f.values {
				if found = rec.labelled(l); found != nil {
					break
				}
			}
			if found == nil {
				return nil
			}
			v = found
		case f.key == "Type":
			if !matchOpt(f.option, v.Type, f.values) {
				return nil
			}
		case f.key == "KeyId":
			if v.KeyID == "" || !matchOpt(f.option, v.KeyID, f.values) {
				return nil
			}
		case f.key == "Tier":
			if !matchOpt(f.option, v.Tier, f.values) {
				return nil
			}
		case f.key == "DataType":
			if !matchOpt(f.option, v.DataType, f.values) {
				return nil
			}
		case f.key == "Name":
			name := "/" + canonical(rec.Name)
			vals := f.values
			if f.option != "Contains" {
				vals = make([]string, len(f.values))
				for i, x := range f.values {
					vals[i] = "/" + canonical(x)
				}
			}
			if !matchOpt(f.option, name, vals) {
				return nil
			}
		case f.key == "Path":
			name := "/" + canonical(rec.Name)
			ok := false
			for _, p := range f.values {
				p = strings.TrimSuffix(p, "/") + "/"
				if strings.HasPrefix(name, p) && (f.option == "Recursive" || !strings.Contains(name[len(p):], "/")) {
					ok = true
					break
				}
			}
			if !ok {
				return nil
			}
		case strings.HasPrefix(f.key, "tag:"):
			k := f.key[4:]
			i := slices.IndexFunc(rec.Tags, func(t Tag) bool { return t.Key == k })
			if i < 0 || len(f.values) > 0 && !matchOpt(f.option, rec.Tags[i].Value, f.values) {
				return nil
			}
		}
	}
	return v
}

// scan lists the scope's parameter records under prefix (relative to the scope) after the
// relative key after, keeping those keep accepts, until want are kept. next is the key to
// continue from, "" when done.
func (s *Service) scan(ctx context.Context, prefix, after string, want int, keep func(*paramRecord) bool) (kept []paramRecord, next string, err error) {
	scope := core.ScopeKey(ctx)
	cursor := ""
	if after != "" {
		cursor = scope + after
	}
	now := s.clk.Now()
	page := want + 1 // most listings keep what they read: decode no more than needed
	for {
		recs, n, err := s.params.List(ctx, scope+prefix, cursor, page)
		page = 100
		if err != nil {
			return nil, "", err
		}
		for i := range recs {
			r := &recs[i]
			if r.expired(now) {
				continue
			}
			if keep(r) {
				kept = append(kept, *r)
				if len(kept) == want {
					if i == len(recs)-1 && n == "" {
						return kept, "", nil
					}
					return kept, canonical(r.Name), nil
				}
			}
		}
		if n == "" {
			return kept, "", nil
		}
		cursor = n
	}
}

// GetParametersByPath lists the parameters under a path (one level, or every level with
// Recursive), 10 per page by default.
func (s *Service) GetParametersByPath(ctx context.Context, in *GetParametersByPathInput) (*GetParametersByPathOutput, error) {
	return dispatch.Do(ctx, s.d, "GetParametersByPath", in, s.getParametersByPath)
}

func (s *Service) getParametersByPath(ctx context.Context, in *GetParametersByPathInput) (*GetParametersByPathOutput, error) {
	if err := checkPath(in.Path); err != nil {
		return nil, err
	}
	limit, err := maxResults(in.MaxResults, 10, 10)
	if err != nil {
		return nil, err
	}
	fs, err := checkFilters(in.ParameterFilters, true)
	if err != nil {
		return nil, err
	}
	after := ""
	if in.NextToken != "" {
		if after, err = decodeToken(in.NextToken); err != nil {
			return nil, err
		}
	}
	out := &GetParametersByPathOutput{Parameters: []Parameter{}}
	if isPublic(in.Path) || in.Path == "/aws" {
		return s.publicByPath(ctx, in, fs, after, limit)
	}
	rel := canonical(strings.TrimSuffix(in.Path, "/"))
	prefix := ""
	if rel != "" {
		prefix = rel + "/"
	}
	picked := map[string]*paramVersion{}
	recs, next, err := s.scan(ctx, prefix, after, limit, func(r *paramRecord) bool {
		rest := canonical(r.Name)[len(prefix):]
		if !in.Recursive && strings.Contains(rest, "/") {
			return false
		}
		v := matchFilters(r, fs)
		if v != nil {
			picked[r.Name] = v
		}
		return v != nil
	})
	if err != nil {
		return nil, err
	}
	for i := range recs {
		out.Parameters = append(out.Parameters, s.toParameter(ctx, &recs[i], picked[recs[i].Name], in.WithDecryption))
	}
	if next != "" {
		out.NextToken = encodeToken(next)
	}
	return out, nil
}

func (s *Service) publicByPath(ctx context.Context, in *GetParametersByPathInput, fs []pfilter, after string, limit int) (*GetParametersByPathOutput, error) {
	_, region := core.Scope(ctx)
	prefix := strings.TrimSuffix(in.Path, "/") + "/"
	out := &GetParametersByPathOutput{Parameters: []Parameter{}}
	names := s.public.sorted
	i, _ := slices.BinarySearch(names, prefix)
	if after != "" {
		i, _ = slices.BinarySearch(names, after)
		if i < len(names) && names[i] == after {
			i++
		}
	}
	for ; i < len(names) && strings.HasPrefix(names[i], prefix); i++ {
		n := names[i]
		if !in.Recursive && strings.Contains(n[len(prefix):], "/") {
			continue
		}
		p := s.public.byName[n]
		rec := paramRecord{Name: n, Versions: []paramVersion{{Version: 1, Value: p.Value, Type: TypeString, DataType: "text", Tier: TierStandard}}}
		if matchFilters(&rec, fs) == nil {
			continue
		}
		if len(out.Parameters) == limit {
			out.NextToken = encodeToken(out.Parameters[limit-1].Name)
			break
		}
		out.Parameters = append(out.Parameters, p.parameter(region))
	}
	return out, nil
}

// DescribeParameters lists parameter metadata (no values), 50 per page by default.
func (s *Service) DescribeParameters(ctx context.Context, in *DescribeParametersInput) (*DescribeParametersOutput, error) {
	return dispatch.Do(ctx, s.d, "DescribeParameters", in, s.describeParameters)
}

func (s *Service) describeParameters(ctx context.Context, in *DescribeParametersInput) (*DescribeParametersOutput, error) {
	if len(in.Filters) > 0 && len(in.ParameterFilters) > 0 {
		return nil, validation("You can use either Filters or ParameterFilters in a single request.")
	}
	limit, err := maxResults(in.MaxResults, 50, 50)
	if err != nil {
		return nil, err
	}
	var fs []pfilter
	for _, f := range in.Filters {
		switch f.Key {
		case "Name", "Type", "KeyId":
		default:
			return nil, validation("1 validation error detected: Value '%s' at 'filters.member.key' failed to satisfy constraint: Member must satisfy enum value set: [Name, Type, KeyId]", f.Key)
		}
		if len(f.Values) == 0 {
			return nil, ErrInvalidFilterValue.With("The following filter values are missing : null for filter key %s.", f.Key)
		}
		opt := "Equals"
		if f.Key == "Name" {
			opt = "BeginsWith"
		}
		fs = append(fs, pfilter{key: f.Key, option: opt, values: f.Values})
	}
	if len(in.ParameterFilters) > 0 {
		if fs, err = checkFilters(in.ParameterFilters, false); err != nil {
			return nil, err
		}
	}
	after := ""
	if in.NextToken != "" {
		if after, err = decodeToken(in.NextToken); err != nil {
			return nil, err
		}
	}
	recs, next, err := s.scan(ctx, "", after, limit, func(r *paramRecord) bool { return matchFilters(r, fs) != nil })
	if err != nil {
		return nil, err
	}
	account, region := core.Scope(ctx)
	out := &DescribeParametersOutput{Parameters: []ParameterMetadata{}}
	for _, r := range recs {
		v := r.latest()
		out.Parameters = append(out.Parameters, ParameterMetadata{ARN: parameterARN(region, account, r.Name), AllowedPattern: v.AllowedPattern,
			DataType: v.DataType, Description: v.Description, KeyID: v.KeyID, LastModifiedDate: v.Modified, LastModifiedUser: v.User,
			Name: r.Name, Policies: v.Policies, Tier: v.Tier, Type: v.Type, Version: v.Version})
	}
	if next != "" {
		out.NextToken = encodeToken(next)
	}
	return out, nil
}

// Tags ----------------------------------------------------------------------------------------

func (s *Service) taggable(ctx context.Context, typ, id string) (string, error) {
	switch typ {
	case "Parameter":
	case "Document", "ManagedInstance", "MaintenanceWindow", "PatchBaseline", "OpsItem", "OpsMetadata", "Automation", "Association":
		return "", ErrInvalidResourceID
	default:
		return "", ErrInvalidResourceType
	}
	if id == "" {
		return "", ErrInvalidResourceID
	}
	sel, err := parseReference(id)
	if err != nil || sel.Version > 0 || sel.Label != "" {
		return "", ErrInvalidResourceID
	}
	return paramKey(ctx, sel.Name), nil
}

// AddTagsToResource adds or replaces tags of a parameter.
func (s *Service) AddTagsToResource(ctx context.Context, in *AddTagsToResourceInput) (*AddTagsToResourceOutput, error) {
	return dispatch.Do(ctx, s.d, "AddTagsToResource", in, s.addTags)
}

func (s *Service) addTags(ctx context.Context, in *AddTagsToResourceInput) (*AddTagsToResourceOutput, error) {
	key, err := s.taggable(ctx, in.ResourceType, in.ResourceID)
	if err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, validation("1 validation error detected: Value '[]' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if err := validTags(in.Tags); err != nil {
		return nil, err
	}
	_, err = s.params.Update(ctx, key, func(r *paramRecord) error {
		for _, t := range in.Tags {
			if i := slices.IndexFunc(r.Tags, func(x Tag) bool { return x.Key == t.Key }); i >= 0 {
				r.Tags[i].Value = t.Value
			} else {
				r.Tags = append(r.Tags, t)
			}
		}
		if len(r.Tags) > maxTags {
			return ErrTooManyTags
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrInvalidResourceID
	}
	if err != nil {
		return nil, err
	}
	return &AddTagsToResourceOutput{}, nil
}

// RemoveTagsFromResource removes tags from a parameter.
func (s *Service) RemoveTagsFromResource(ctx context.Context, in *RemoveTagsFromResourceInput) (*RemoveTagsFromResourceOutput, error) {
	return dispatch.Do(ctx, s.d, "RemoveTagsFromResource", in, s.removeTags)
}

func (s *Service) removeTags(ctx context.Context, in *RemoveTagsFromResourceInput) (*RemoveTagsFromResourceOutput, error) {
	key, err := s.taggable(ctx, in.ResourceType, in.ResourceID)
	if err != nil {
		return nil, err
	}
	_, err = s.params.Update(ctx, key, func(r *paramRecord) error {
		r.Tags = slices.DeleteFunc(r.Tags, func(t Tag) bool { return slices.Contains(in.TagKeys, t.Key) })
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrInvalidResourceID
	}
	if err != nil {
		return nil, err
	}
	return &RemoveTagsFromResourceOutput{}, nil
}

// ListTagsForResource lists a parameter's tags.
func (s *Service) ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	return dispatch.Do(ctx, s.d, "ListTagsForResource", in, s.listTags)
}

func (s *Service) listTags(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	key, err := s.taggable(ctx, in.ResourceType, in.ResourceID)
	if err != nil {
		return nil, err
	}
	rec, err := s.params.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrInvalidResourceID
	}
	if err != nil {
		return nil, err
	}
	tags := slices.Clone(rec.Tags)
	if tags == nil {
		tags = []Tag{}
	}
	return &ListTagsForResourceOutput{TagList: tags}, nil
}
