package elbv2

import (
	"context"
	"slices"
	"strings"

	"github.com/devopsim/devopsim/internal/dispatch"
)

const maxTags = 50

func validateTags(tags []Tag) error {
	seen := map[string]bool{}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 {
			return validation("1 validation error detected: Value '%s' at 'tags.member.key' failed to satisfy constraint: Member must have length between 1 and 128", t.Key)
		}
		if len(t.Value) > 256 {
			return validation("1 validation error detected: Value at 'tags.member.value' failed to satisfy constraint: Member must have length less than or equal to 256")
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return validation("Tag keys starting with 'aws:' are reserved for internal use")
		}
		if seen[t.Key] {
			return ErrDuplicateTagKeys.With("Tag key '%s' was specified more than once", t.Key)
		}
		seen[t.Key] = true
	}
	if len(tags) > maxTags {
		return ErrTooManyTags.With("You've reached the limit on the number of tags for this resource (%d)", maxTags)
	}
	return nil
}

// editTags applies fn to the tags of the resource named by arn (a load balancer, target group
// or listener of the caller's scope).
func (s *Service) editTags(ctx context.Context, arn string, fn func([]Tag) ([]Tag, error)) error {
	_, _, res, ok := arnParts(arn)
	if !ok {
		return validation("'%s' is not a valid resource ARN", arn)
	}
	switch {
	case strings.HasPrefix(res, "loadbalancer/"):
		if _, err := s.getLB(ctx, arn); err != nil {
			return err
		}
		key, _ := lbKeyOf(arn)
		_, err := s.lbs.Update(ctx, key, func(r *lbRecord) (err error) { r.Tags, err = fn(r.Tags); return })
		return storeErr(err)
	case strings.HasPrefix(res, "targetgroup/"):
		_, key, err := s.getTG(ctx, arn)
		if err != nil {
			return err
		}
		_, err = s.tgs.Update(ctx, key, func(r *tgRecord) (err error) { r.Tags, err = fn(r.Tags); return })
		return storeErr(err)
	case strings.HasPrefix(res, "listener/"):
		_, key, err := s.getListener(ctx, arn)
		if err != nil {
			return err
		}
		_, err = s.listeners.Update(ctx, key, func(r *listenerRecord) (err error) { r.Tags, err = fn(r.Tags); return })
		return storeErr(err)
	}
	return validation("'%s' is not a valid resource ARN", arn)
}

func (s *Service) tagsOf(ctx context.Context, arn string) ([]Tag, error) {
	var out []Tag
	_, _, res, ok := arnParts(arn)
	if !ok {
		return nil, validation("'%s' is not a valid resource ARN", arn)
	}
	switch {
	case strings.HasPrefix(res, "loadbalancer/"):
		r, err := s.getLB(ctx, arn)
		out = r.Tags
		return out, err
	case strings.HasPrefix(res, "targetgroup/"):
		r, _, err := s.getTG(ctx, arn)
		return r.Tags, err
	case strings.HasPrefix(res, "listener/"):
		r, _, err := s.getListener(ctx, arn)
		return r.Tags, err
	}
	return nil, validation("'%s' is not a valid resource ARN", arn)
}

func checkArns(arns []string) error {
	if len(arns) == 0 {
		return validation("1 validation error detected: Value null at 'resourceArns' failed to satisfy constraint: Member must not be null")
	}
	if len(arns) > 20 {
		return validation("1 validation error detected: Value at 'resourceArns' failed to satisfy constraint: Member must have length less than or equal to 20")
	}
	return nil
}

// AddTags adds or overwrites tags of load balancers, target groups and listeners.
func (s *Service) AddTags(ctx context.Context, in *AddTagsInput) (*AddTagsOutput, error) {
	return dispatch.Do(ctx, s.d, "AddTags", in, s.addTags)
}

func (s *Service) addTags(ctx context.Context, in *AddTagsInput) (*AddTagsOutput, error) {
	if err := checkArns(in.ResourceArns); err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, validation("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null")
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	s.opMu.Lock()
	defer s.opMu.Unlock()
	for _, arn := range in.ResourceArns {
		err := s.editTags(ctx, arn, func(cur []Tag) ([]Tag, error) {
			for _, t := range in.Tags {
				if i := slices.IndexFunc(cur, func(c Tag) bool { return c.Key == t.Key }); i >= 0 {
					cur[i].Value = t.Value
				} else {
					cur = append(cur, t)
				}
			}
			if len(cur) > maxTags {
				return nil, ErrTooManyTags.With("You've reached the limit on the number of tags for this resource (%d)", maxTags)
			}
			return cur, nil
		})
		if err != nil {
			return nil, err
		}
	}
	return &AddTagsOutput{}, nil
}

// RemoveTags removes tags by key.
func (s *Service) RemoveTags(ctx context.Context, in *RemoveTagsInput) (*RemoveTagsOutput, error) {
	return dispatch.Do(ctx, s.d, "RemoveTags", in, s.removeTags)
}

func (s *Service) removeTags(ctx context.Context, in *RemoveTagsInput) (*RemoveTagsOutput, error) {
	if err := checkArns(in.ResourceArns); err != nil {
		return nil, err
	}
	if len(in.TagKeys) == 0 {
		return nil, validation("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")
	}
	s.opMu.Lock()
	defer s.opMu.Unlock()
	for _, arn := range in.ResourceArns {
		err := s.editTags(ctx, arn, func(cur []Tag) ([]Tag, error) {
			return slices.DeleteFunc(cur, func(t Tag) bool { return slices.Contains(in.TagKeys, t.Key) }), nil
		})
		if err != nil {
			return nil, err
		}
	}
	return &RemoveTagsOutput{}, nil
}

// DescribeTags lists the tags of up to 20 resources.
func (s *Service) DescribeTags(ctx context.Context, in *DescribeTagsInput) (*DescribeTagsOutput, error) {
	return dispatch.Do(ctx, s.d, "DescribeTags", in, s.describeTags)
}

func (s *Service) describeTags(ctx context.Context, in *DescribeTagsInput) (*DescribeTagsOutput, error) {
	if err := checkArns(in.ResourceArns); err != nil {
		return nil, err
	}
	out := &DescribeTagsOutput{TagDescriptions: []TagDescription{}}
	for _, arn := range in.ResourceArns {
		tags, err := s.tagsOf(ctx, arn)
		if err != nil {
			return nil, err
		}
		if tags == nil {
			tags = []Tag{}
		}
		out.TagDescriptions = append(out.TagDescriptions, TagDescription{ResourceArn: arn, Tags: tags})
	}
	return out, nil
}
