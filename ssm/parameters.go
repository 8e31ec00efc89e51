package ssm

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// Parameter types, tiers and data types.
const (
	TypeString       = "String"
	TypeStringList   = "StringList"
	TypeSecureString = "SecureString"

	TierStandard     = "Standard"
	TierAdvanced     = "Advanced"
	TierIntelligent  = "Intelligent-Tiering"
	defaultKeyID     = "alias/aws/ssm"
	maxStandardValue = 4096
	maxAdvancedValue = 8192
	maxTags          = 50
	maxLabels        = 10
)

type paramVersion struct {
	Version        int64                   `json:"v"`
	Value          string                  `json:"val"`
	Type           string                  `json:"t"`
	KeyID          string                  `json:"k,omitempty"`
	Description    string                  `json:"d,omitempty"`
	AllowedPattern string                  `json:"p,omitempty"`
	DataType       string                  `json:"dt"`
	Tier           string                  `json:"tier"`
	Policies       []ParameterInlinePolicy `json:"pol,omitempty"`
	Labels         []string                `json:"l,omitempty"`
	Modified       time.Time               `json:"m"`
	User           string                  `json:"u"`
}

// errGone tells putParameter that the parameter to overwrite does not exist (or expired).
var errGone = errors.New("ssm: parameter gone")

type paramRecord struct {
	Name     string         `json:"name"`
	Versions []paramVersion `json:"versions"` // oldest first
	Tags     []Tag          `json:"tags,omitempty"`
}

func (r *paramRecord) latest() *paramVersion { return &r.Versions[len(r.Versions)-1] }

func (r *paramRecord) version(v int64) *paramVersion {
	for i := range r.Versions {
		if r.Versions[i].Version == v {
			return &r.Versions[i]
		}
	}
	return nil
}

func (r *paramRecord) labelled(l string) *paramVersion {
	for i := range r.Versions {
		if slices.Contains(r.Versions[i].Labels, l) {
			return &r.Versions[i]
		}
	}
	return nil
}

// expired reports whether an Expiration policy of the latest version has passed.
func (r *paramRecord) expired(now time.Time) bool {
	for _, p := range r.latest().Policies {
		if p.PolicyType != "Expiration" {
			continue
		}
		var doc policyDoc
		if json.Unmarshal([]byte(p.PolicyText), &doc) == nil {
			if t, err := time.Parse(time.RFC3339, doc.Attributes["Timestamp"]); err == nil && !now.Before(t) {
				return true
			}
		}
	}
	return false
}

func paramKey(ctx context.Context, name string) string { return core.ScopeKey(ctx) + canonical(name) }

func (s *Service) now() time.Time { return s.clk.Now().UTC().Truncate(time.Millisecond) }

// PutParameter creates a parameter or, with Overwrite, a new version of it.
func (s *Service) PutParameter(ctx context.Context, in *PutParameterInput) (*PutParameterOutput, error) {
	return dispatch.Do(ctx, s.d, "PutParameter", in, s.putParameter)
}

type policyDoc struct {
	Type       string            `json:"Type"`
	Version    string            `json:"Version"`
	Attributes map[string]string `json:"Attributes"`
}

// parsePolicies validates a Policies document (a JSON array of Expiration,
// ExpirationNotification and NoChangeNotification policies).
func parsePolicies(text string) ([]ParameterInlinePolicy, error) {
	if text == "" {
		return nil, nil
	}
	var docs []json.RawMessage
	if err := json.Unmarshal([]byte(text), &docs); err != nil {
		return nil, ErrInvalidPolicyType.With("The policy document is not valid JSON: a JSON array of policies is expected.")
	}
	if len(docs) > 10 {
		return nil, ErrPoliciesLimitExceeded
	}
	seen := map[string]bool{}
	var out []ParameterInlinePolicy
	for _, raw := range docs {
		var d policyDoc
		if err := json.Unmarshal(raw, &d); err != nil {
			return nil, ErrInvalidPolicyAttribute.With("A policy attribute or its value is invalid: %v", err)
		}
		switch d.Type {
		case "Expiration":
			if _, err := time.Parse(time.RFC3339, d.Attributes["Timestamp"]); err != nil {
				return nil, ErrInvalidPolicyAttribute.With("A policy attribute or its value is invalid. Expiration requires a Timestamp in ISO 8601 format.")
			}
		case "ExpirationNotification", "NoChangeNotification":
			key := "Before"
			if d.Type == "NoChangeNotification" {
				key = "After"
			}
			n, err := strconv.Atoi(d.Attributes[key])
			unit := d.Attributes["Unit"]
			if err != nil || n <= 0 || (unit != "Days" && unit != "Hours") {
				return nil, ErrInvalidPolicyAttribute.With("A policy attribute or its value is invalid. %s requires %s (a positive number) and Unit (Days or Hours).", d.Type, key)
			}
		default:
			return nil, ErrInvalidPolicyType.With("The policy type is not supported. Parameter Store supports the following policy types: Expiration, ExpirationNotification, and NoChangeNotification.")
		}
		if seen[d.Type] {
			return nil, ErrIncompatiblePolicy
		}
		seen[d.Type] = true
		compact, _ := json.Marshal(d)
		out = append(out, ParameterInlinePolicy{PolicyText: string(compact), PolicyType: d.Type, PolicyStatus: "Pending"})
	}
	return out, nil
}

var (
	keyIDPattern = regexp.MustCompile(`^([a-zA-Z0-9:/_-]+)$`)
	amiPattern   = regexp.MustCompile(`^ami-[0-9a-f]{8,17}$`)
)

func validTags(tags []Tag) error {
	if len(tags) > maxTags {
		return ErrTooManyTags
	}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 {
			return validation("1 validation error detected: Value '%s' at 'tags.member.key' failed to satisfy constraint: Member must have length between 1 and 128 (values up to 256)", t.Key)
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return ErrInvalidTag.With("Tag keys can't start with aws:.")
		}
	}
	return nil
}

func (s *Service) putParameter(ctx context.Context, in *PutParameterInput) (*PutParameterOutput, error) {
	if err := checkWriteName(in.Name); err != nil {
		return nil, err
	}
	if in.Value == "" {
		return nil, validation("1 validation error detected: Value '' at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1.")
	}
	switch in.Type {
	case "", TypeString, TypeStringList, TypeSecureString:
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]", in.Type)
	}
	switch in.Tier {
	case "", TierStandard, TierAdvanced, TierIntelligent:
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'tier' failed to satisfy constraint: Member must satisfy enum value set: [Advanced, Intelligent-Tiering, Standard]", in.Tier)
	}
	switch in.DataType {
	case "", "text", "aws:ssm:integration":
	case "aws:ec2:image":
		if !amiPattern.MatchString(in.Value) {
			return nil, validation("Parameter value %q is not a valid AMI ID for data type aws:ec2:image (expected ami- followed by 8 to 17 hexadecimal characters).", in.Value)
		}
	default:
		return nil, validation("The following data type is not supported: %s (Data type names are all lowercase.)", in.DataType)
	}
	if in.Overwrite && len(in.Tags) > 0 {
		return nil, validation("Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.")
	}
	if err := validTags(in.Tags); err != nil {
		return nil, err
	}
	if len(in.Description) > 1024 {
		return nil, validation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 1024")
	}
	if in.KeyID != "" {
		if in.Type != "" && in.Type != TypeSecureString {
			return nil, validation("KeyId is required for SecureString type parameter only.")
		}
		if len(in.KeyID) > 256 || !keyIDPattern.MatchString(in.KeyID) {
			return nil, ErrInvalidKeyID.With("Invalid keyId %s", in.KeyID)
		}
	}
	policies, err := parsePolicies(in.Policies)
	if err != nil {
		return nil, err
	}
	if in.AllowedPattern != "" {
		if _, err := compilePattern(in.AllowedPattern); err != nil {
			return nil, err
		}
	}
	caller, _ := identity.From(ctx)
	key := paramKey(ctx, in.Name)
	scope := core.ScopeKey(ctx)
	for {
		if in.Overwrite {
			// The common case (a new version of an existing parameter) reads the record once.
			out, err := s.overwriteParameter(ctx, in, key, scope, policies, caller.PrincipalARN)
			if !errors.Is(err, errGone) {
				return out, err
			}
		}
		rec, err := s.params.Get(ctx, key)
		if errors.Is(err, store.ErrNotFound) || err == nil && rec.expired(s.clk.Now()) {
			if err == nil { // expired: it is gone
				s.dropParam(ctx, key, rec)
			}
			out, err := s.createParameter(ctx, in, key, scope, policies, caller.PrincipalARN)
			if errors.Is(err, store.ErrExists) {
				continue
			}
			return out, err
		}
		if err != nil {
			return nil, err
		}
		if !in.Overwrite {
			return nil, ErrParameterAlreadyExists
		}
		return s.overwriteParameter(ctx, in, key, scope, policies, caller.PrincipalARN)
	}
}

// newVersion builds and checks a version from the request, inheriting what the request
// leaves out from prev (nil for a new parameter).
func newVersion(in *PutParameterInput, prev *paramVersion, policies []ParameterInlinePolicy) (paramVersion, error) {
	v := paramVersion{Value: in.Value, Type: in.Type, KeyID: in.KeyID, Description: in.Description,
		AllowedPattern: in.AllowedPattern, DataType: in.DataType, Tier: in.Tier, Policies: policies}
	if prev != nil {
		if v.Type == "" {
			v.Type = prev.Type
		}
		if v.KeyID == "" && v.Type == TypeSecureString && prev.Type == TypeSecureString {
			v.KeyID = prev.KeyID
		}
		if v.Description == "" {
			v.Description = prev.Description
		}
		if v.AllowedPattern == "" {
			v.AllowedPattern = prev.AllowedPattern
		}
		if v.DataType == "" {
			v.DataType = prev.DataType
		}
		if in.Policies == "" {
			v.Policies = prev.Policies
		}
		if v.Tier == "" {
			v.Tier = prev.Tier
		}
	}
	if v.Type == "" {
		return v, validation("A parameter type is required when you create a parameter.")
	}
	if v.KeyID != "" && v.Type != TypeSecureString {
		return v, validation("KeyId is required for SecureString type parameter only.")
	}
	if v.Type == TypeSecureString && v.KeyID == "" {
		v.KeyID = defaultKeyID
	}
	if v.DataType == "" {
		v.DataType = "text"
	}
	if v.DataType == "aws:ec2:image" && !amiPattern.MatchString(v.Value) {
		return v, validation("Parameter value %q is not a valid AMI ID for data type aws:ec2:image.", v.Value)
	}
	switch v.Tier {
	case "", TierStandard:
		if prev != nil && prev.Tier == TierAdvanced && in.Tier == TierStandard {
			return v, validation("This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.")
		}
		if prev != nil && prev.Tier == TierAdvanced && in.Tier == "" {
			v.Tier = TierAdvanced
			break
		}
		v.Tier = TierStandard
		if len(v.Value) > maxStandardValue {
			return v, validation("Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html")
		}
		if len(v.Policies) > 0 {
			return v, validation("Parameter policies are supported only for advanced-tier parameters. Set the tier to Advanced or Intelligent-Tiering.")
		}
	case TierIntelligent:
		v.Tier = TierStandard
		if len(v.Value) > maxStandardValue || len(v.Policies) > 0 || prev != nil && prev.Tier == TierAdvanced {
			v.Tier = TierAdvanced
		}
	}
	if len(v.Value) > maxAdvancedValue {
		return v, validation("1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length less than or equal to 8192")
	}
	if err := checkPattern(v.AllowedPattern, v.Value); err != nil {
		return v, err
	}
	return v, nil
}

func (s *Service) createParameter(ctx context.Context, in *PutParameterInput, key, scope string, policies []ParameterInlinePolicy, user string) (*PutParameterOutput, error) {
	v, err := newVersion(in, nil, policies)
	if err != nil {
		return nil, err
	}
	v.Version, v.Modified, v.User = 1, s.now(), user
	if err := s.reserve(ctx, scope, v.Tier); err != nil {
		return nil, err
	}
	rec := paramRecord{Name: in.Name, Versions: []paramVersion{v}, Tags: in.Tags}
	if err := s.params.Create(ctx, key, rec); err != nil {
		s.release(scope, v.Tier)
		return nil, err
	}
	s.paramEvent(ctx, "Create", rec.Name, v)
	return &PutParameterOutput{Version: 1, Tier: v.Tier}, nil
}

func (s *Service) overwriteParameter(ctx context.Context, in *PutParameterInput, key, scope string, policies []ParameterInlinePolicy, user string) (*PutParameterOutput, error) {
	var v paramVersion
	var oldTier string
	reserved := ""
	rec, err := s.params.Update(ctx, key, func(r *paramRecord) error {
		if r.expired(s.clk.Now()) {
			return errGone
		}
		prev := r.latest()
		nv, err := newVersion(in, prev, policies)
		if err != nil {
			return err
		}
		if nv.Tier != prev.Tier && reserved != nv.Tier {
			if err := s.reserve(ctx, scope, nv.Tier); err != nil {
				return err
			}
			reserved = nv.Tier
		}
		next := prev.Version + 1
		oldTier = prev.Tier
		if len(r.Versions) >= s.opts.MaxVersions {
			if len(r.Versions[0].Labels) > 0 {
				return ErrParameterMaxVersionLimit.With("You attempted to create a new version of %s by calling the PutParameter API with the overwrite flag. Version %d, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.", r.Name, r.Versions[0].Version)
			}
			r.Versions = slices.Delete(r.Versions, 0, 1)
		}
		nv.Version, nv.Modified, nv.User = next, s.now(), user
		r.Versions = append(r.Versions, nv)
		v = nv
		return nil
	})
	if err != nil {
		if reserved != "" {
			s.release(scope, reserved)
		}
		if errors.Is(err, store.ErrNotFound) {
			return nil, errGone
		}
		return nil, err
	}
	if reserved != "" && reserved != v.Tier {
		s.release(scope, reserved)
	}
	if v.Tier != oldTier {
		s.release(scope, oldTier)
	}
	s.paramEvent(ctx, "Update", rec.Name, v)
	return &PutParameterOutput{Version: v.Version, Tier: v.Tier}, nil
}

// reserve counts a new parameter of tier in scope, refusing past the account limits.
func (s *Service) reserve(ctx context.Context, scope, tier string) error {
	if err := s.loadCounts(ctx, scope); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.counts[scope]
	if tier == TierAdvanced {
		if c.advanced >= s.opts.MaxAdvancedParameters {
			return ErrParameterLimitExceeded
		}
		c.advanced++
		return nil
	}
	if c.standard >= s.opts.MaxStandardParameters {
		return ErrParameterLimitExceeded
	}
	c.standard++
	return nil
}

func (s *Service) release(scope, tier string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.counts[scope]
	if !ok {
		return
	}
	if tier == TierAdvanced {
		c.advanced--
	} else {
		c.standard--
	}
}

func (s *Service) loadCounts(ctx context.Context, scope string) error {
	s.mu.Lock()
	_, ok := s.counts[scope]
	s.mu.Unlock()
	if ok {
		return nil
	}
	var c tierCount
	after := ""
	for {
		recs, next, err := s.params.List(ctx, scope, after, 500)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if r.latest().Tier == TierAdvanced {
				c.advanced++
			} else {
				c.standard++
			}
		}
		if next == "" {
			break
		}
		after = next
	}
	s.mu.Lock()
	if _, ok := s.counts[scope]; !ok {
		s.counts[scope] = &c
	}
	s.mu.Unlock()
	return nil
}

func (s *Service) paramEvent(ctx context.Context, op, name string, v paramVersion) {
	account, region := core.Scope(ctx)
	detail, _ := json.Marshal(map[string]string{"operation": op, "name": name, "type": v.Type, "description": v.Description})
	s.env.Events.Publish(context.WithoutCancel(ctx), eventbus.Event{
		Version: "0", ID: uuid.NewString(), DetailType: "Parameter Store Change", Source: "aws.ssm",
		Account: account, Time: s.clk.Now().UTC(), Region: region,
		Resources: []string{parameterARN(region, account, name)}, Detail: detail,
	})
}

// encrypt stands in for KMS: the value as a SecureString reads without WithDecryption. It is
// an obfuscation keyed by the key id, not security (the store holds the plain value).
func encrypt(keyID, value string) string {
	k := sha256.Sum256([]byte("devopsim/ssm/" + keyID))
	iv := sha256.Sum256([]byte(value))
	block, _ := aes.NewCipher(k[:])
	out := make([]byte, 5+16+len(value))
	copy(out, []byte{1, 2, 2, 0, 0x78})
	copy(out[5:], iv[:16])
	cipher.NewCTR(block, iv[:16]).XORKeyStream(out[21:], []byte(value))
	return base64.StdEncoding.EncodeToString(out)
}

func (s *Service) toParameter(ctx context.Context, rec *paramRecord, v *paramVersion, decrypt bool) Parameter {
	account, region := core.Scope(ctx)
	val := v.Value
	if v.Type == TypeSecureString && !decrypt {
		val = encrypt(v.KeyID, v.Value)
	}
	return Parameter{ARN: parameterARN(region, account, rec.Name), DataType: v.DataType, LastModifiedDate: v.Modified,
		Name: rec.Name, Type: v.Type, Value: val, Version: v.Version}
}

// lookup finds the version a reference selects.
func (s *Service) lookup(ctx context.Context, sel selector, decrypt bool) (Parameter, error) {
	if isPublic(sel.Name) {
		p, ok := s.public.byName[sel.Name]
		if !ok || sel.Label != "" {
			return Parameter{}, ErrParameterNotFound.With("")
		}
		if sel.Version > 1 {
			return Parameter{}, ErrParameterVersionNotFound.With("Systems Manager could not find version %d of %s. Verify the version and try again.", sel.Version, sel.Name)
		}
		_, region := core.Scope(ctx)
		out := p.parameter(region)
		out.Selector = sel.String()
		return out, nil
	}
	rec, err := s.params.Get(ctx, paramKey(ctx, sel.Name))
	if errors.Is(err, store.ErrNotFound) || err == nil && rec.expired(s.clk.Now()) {
		return Parameter{}, ErrParameterNotFound.With("")
	}
	if err != nil {
		return Parameter{}, err
	}
	v := rec.latest()
	switch {
	case sel.Version > 0:
		if v = rec.version(sel.Version); v == nil {
			return Parameter{}, ErrParameterVersionNotFound.With("Systems Manager could not find version %d of %s. Verify the version and try again.", sel.Version, rec.Name)
		}
	case sel.Label != "":
		if v = rec.labelled(sel.Label); v == nil {
			return Parameter{}, ErrParameterNotFound.With("")
		}
	}
	out := s.toParameter(ctx, &rec, v, decrypt)
	out.Selector = sel.String()
	return out, nil
}

// GetParameter returns a parameter's value: the latest version, or the one a ":version" or
// ":label" selector names.
func (s *Service) GetParameter(ctx context.Context, in *GetParameterInput) (*GetParameterOutput, error) {
	return dispatch.Do(ctx, s.d, "GetParameter", in, s.getParameter)
}

func (s *Service) getParameter(ctx context.Context, in *GetParameterInput) (*GetParameterOutput, error) {
	sel, err := parseReference(in.Name)
	if err != nil {
		return nil, err
	}
	p, err := s.lookup(ctx, sel, in.WithDecryption)
	if err != nil {
		return nil, err
	}
	return &GetParameterOutput{Parameter: &p}, nil
}

// Resolve returns the value of a parameter (a name, ARN, "name:version" or "name:label"),
// decrypted when decrypt is set; a StringList is its comma-separated value. It is one audited
// GetParameter call in the caller's account and region; other services (CodeBuild's
// PARAMETER_STORE variables, CloudFormation's SSM parameter types) use it.
func (s *Service) Resolve(ctx context.Context, name string, decrypt bool) (string, error) {
	p, err := s.Lookup(ctx, name, decrypt)
	if err != nil {
		return "", err
	}
	return p.Value, nil
}

// Lookup is Resolve returning the whole parameter (its type, version and ARN too).
func (s *Service) Lookup(ctx context.Context, name string, decrypt bool) (*Parameter, error) {
	out, err := dispatch.Do(ctx, s.d, "GetParameter", &GetParameterInput{Name: name, WithDecryption: decrypt}, s.getParameter)
	if err != nil {
		if errors.Is(err, ErrParameterNotFound) {
			e := apierr.As(err)
			c := *e
			c.Message = "Parameter " + name + " not found."
			return nil, &c
		}
		return nil, err
	}
	return out.Parameter, nil
}

// GetParameters returns up to 10 parameters; the ones that do not exist are listed in
// InvalidParameters.
func (s *Service) GetParameters(ctx context.Context, in *GetParametersInput) (*GetParametersOutput, error) {
	return dispatch.Do(ctx, s.d, "GetParameters", in, s.getParameters)
}

func (s *Service) getParameters(ctx context.Context, in *GetParametersInput) (*GetParametersOutput, error) {
	if len(in.Names) == 0 || len(in.Names) > 10 {
		return nil, validation("1 validation error detected: Value '[%s]' at 'names' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1", strings.Join(in.Names, ", "))
	}
	out := &GetParametersOutput{InvalidParameters: []string{}, Parameters: []Parameter{}}
	seen := map[string]bool{}
	for _, n := range in.Names {
		if seen[n] {
			continue
		}
		seen[n] = true
		sel, err := parseReference(n)
		if err != nil {
			out.InvalidParameters = append(out.InvalidParameters, n)
			continue
		}
		p, err := s.lookup(ctx, sel, in.WithDecryption)
		if errors.Is(err, apierr.NotFound) {
			out.InvalidParameters = append(out.InvalidParameters, n)
			continue
		}
		if err != nil {
			return nil, err
		}
		out.Parameters = append(out.Parameters, p)
	}
	return out, nil
}

// DeleteParameter deletes a parameter and all its versions.
func (s *Service) DeleteParameter(ctx context.Context, in *DeleteParameterInput) (*DeleteParameterOutput, error) {
	return dispatch.Do(ctx, s.d, "DeleteParameter", in, s.deleteParameter)
}

func (s *Service) deleteParameter(ctx context.Context, in *DeleteParameterInput) (*DeleteParameterOutput, error) {
	if in.Name == "" {
		return nil, validation("1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if isPublic(in.Name) {
		return nil, ErrAccessDenied.With("No access to reserved parameter name: %s.", in.Name)
	}
	key := paramKey(ctx, in.Name)
	rec, err := s.params.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrParameterNotFound.With("")
	}
	if err != nil {
		return nil, err
	}
	if err := s.params.Delete(ctx, key); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrParameterNotFound.With("")
		}
		return nil, err
	}
	s.release(core.ScopeKey(ctx), rec.latest().Tier)
	s.paramEvent(ctx, "Delete", rec.Name, *rec.latest())
	return &DeleteParameterOutput{}, nil
}

// dropParam removes an expired parameter.
func (s *Service) dropParam(ctx context.Context, key string, rec paramRecord) {
	if err := s.params.Delete(ctx, key); err == nil {
		s.release(core.ScopeKey(ctx), rec.latest().Tier)
		s.paramEvent(ctx, "Delete", rec.Name, *rec.latest())
	}
}

// DeleteParameters deletes up to 10 parameters.
func (s *Service) DeleteParameters(ctx context.Context, in *DeleteParametersInput) (*DeleteParametersOutput, error) {
	return dispatch.Do(ctx, s.d, "DeleteParameters", in, s.deleteParameters)
}

func (s *Service) deleteParameters(ctx context.Context, in *DeleteParametersInput) (*DeleteParametersOutput, error) {
	if len(in.Names) == 0 || len(in.Names) > 10 {
		return nil, validation("1 validation error detected: Value '[%s]' at 'names' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1", strings.Join(in.Names, ", "))
	}
	out := &DeleteParametersOutput{DeletedParameters: []string{}, InvalidParameters: []string{}}
	for _, n := range in.Names {
		if _, err := s.deleteParameter(ctx, &DeleteParameterInput{Name: n}); err != nil {
			if errors.Is(err, ErrParameterNotFound) || errors.Is(err, apierr.Invalid) || errors.Is(err, apierr.Denied) {
				out.InvalidParameters = append(out.InvalidParameters, n)
				continue
			}
			return nil, err
		}
		out.DeletedParameters = append(out.DeletedParameters, n)
	}
	return out, nil
}

// GetParameterHistory lists a parameter's versions, oldest first.
func (s *Service) GetParameterHistory(ctx context.Context, in *GetParameterHistoryInput) (*GetParameterHistoryOutput, error) {
	return dispatch.Do(ctx, s.d, "GetParameterHistory", in, s.getParameterHistory)
}

func (s *Service) getParameterHistory(ctx context.Context, in *GetParameterHistoryInput) (*GetParameterHistoryOutput, error) {
	limit, err := maxResults(in.MaxResults, 50, 50)
	if err != nil {
		return nil, err
	}
	sel, err := parseReference(in.Name)
	if err != nil {
		return nil, err
	}
	var rec paramRecord
	if isPublic(sel.Name) {
		p, ok := s.public.byName[sel.Name]
		if !ok {
			return nil, ErrParameterNotFound.With("")
		}
		rec = paramRecord{Name: p.Name, Versions: []paramVersion{{Version: 1, Value: p.Value, Type: TypeString, DataType: "text", Tier: TierStandard, Modified: publicModified()}}}
	} else {
		rec, err = s.params.Get(ctx, paramKey(ctx, sel.Name))
		if errors.Is(err, store.ErrNotFound) || err == nil && rec.expired(s.clk.Now()) {
			return nil, ErrParameterNotFound.With("")
		}
		if err != nil {
			return nil, err
		}
	}
	start := 0
	if in.NextToken != "" {
		t, err := decodeToken(in.NextToken)
		if err != nil {
			return nil, err
		}
		if start, err = strconv.Atoi(t); err != nil || start < 0 || start > len(rec.Versions) {
			return nil, ErrInvalidNextToken
		}
	}
	out := &GetParameterHistoryOutput{Parameters: []ParameterHistory{}}
	end := min(start+limit, len(rec.Versions))
	for i := start; i < end; i++ {
		v := rec.Versions[i]
		val := v.Value
		if v.Type == TypeSecureString && !in.WithDecryption {
			val = encrypt(v.KeyID, v.Value)
		}
		out.Parameters = append(out.Parameters, ParameterHistory{AllowedPattern: v.AllowedPattern, DataType: v.DataType,
			Description: v.Description, KeyID: v.KeyID, Labels: slices.Clone(v.Labels), LastModifiedDate: v.Modified,
			LastModifiedUser: v.User, Name: rec.Name, Policies: v.Policies, Tier: v.Tier, Type: v.Type, Value: val, Version: v.Version})
	}
	if end < len(rec.Versions) {
		out.NextToken = encodeToken(strconv.Itoa(end))
	}
	return out, nil
}

func maxResults(n int32, def, max int) (int, error) {
	if n == 0 {
		return def, nil
	}
	if n < 1 || int(n) > max {
		return 0, validation("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to %d and greater than or equal to 1", n, max)
	}
	return int(n), nil
}

// LabelParameterVersion attaches labels to a version (the latest by default), moving them
// from other versions.
func (s *Service) LabelParameterVersion(ctx context.Context, in *LabelParameterVersionInput) (*LabelParameterVersionOutput, error) {
	return dispatch.Do(ctx, s.d, "LabelParameterVersion", in, s.labelParameterVersion)
}

func (s *Service) labelParameterVersion(ctx context.Context, in *LabelParameterVersionInput) (*LabelParameterVersionOutput, error) {
	if len(in.Labels) == 0 || len(in.Labels) > maxLabels {
		return nil, validation("1 validation error detected: Value at 'labels' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1")
	}
	if in.ParameterVersion < 0 {
		return nil, validation("1 validation error detected: Value '%d' at 'parameterVersion' failed to satisfy constraint: Member must have value greater than or equal to 1", in.ParameterVersion)
	}
	if isPublic(in.Name) {
		return nil, ErrAccessDenied.With("No access to reserved parameter name: %s.", in.Name)
	}
	if in.Name == "" {
		return nil, validation("1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	out := &LabelParameterVersionOutput{InvalidLabels: []string{}}
	var valid []string
	for _, l := range in.Labels {
		if checkLabel(l) {
			valid = append(valid, l)
		} else {
			out.InvalidLabels = append(out.InvalidLabels, l)
		}
	}
	var latest paramVersion
	rec, err := s.params.Update(ctx, paramKey(ctx, in.Name), func(r *paramRecord) error {
		ver := in.ParameterVersion
		if ver == 0 {
			ver = r.latest().Version
		}
		target := r.version(ver)
		if target == nil {
			return ErrParameterVersionNotFound.With("Systems Manager could not find version %d of %s. Verify the version and try again.", ver, r.Name)
		}
		labels := slices.Clone(target.Labels)
		for _, l := range valid {
			if !slices.Contains(labels, l) {
				labels = append(labels, l)
			}
		}
		if len(labels) > maxLabels {
			return ErrParameterVersionLabelLimit
		}
		for i := range r.Versions {
			if r.Versions[i].Version != ver {
				r.Versions[i].Labels = slices.DeleteFunc(r.Versions[i].Labels, func(l string) bool { return slices.Contains(valid, l) })
				if len(r.Versions[i].Labels) == 0 {
					r.Versions[i].Labels = nil
				}
			}
		}
		r.version(ver).Labels = labels
		out.ParameterVersion = ver
		latest = *r.latest()
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrParameterNotFound.With("")
	}
	if err != nil {
		return nil, err
	}
	s.paramEvent(ctx, "LabelParameterVersion", rec.Name, latest)
	return out, nil
}

// UnlabelParameterVersion removes labels from a version.
func (s *Service) UnlabelParameterVersion(ctx context.Context, in *UnlabelParameterVersionInput) (*UnlabelParameterVersionOutput, error) {
	return dispatch.Do(ctx, s.d, "UnlabelParameterVersion", in, s.unlabelParameterVersion)
}

func (s *Service) unlabelParameterVersion(ctx context.Context, in *UnlabelParameterVersionInput) (*UnlabelParameterVersionOutput, error) {
	if len(in.Labels) == 0 || len(in.Labels) > maxLabels {
		return nil, validation("1 validation error detected: Value at 'labels' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1")
	}
	if in.ParameterVersion < 1 {
		return nil, validation("1 validation error detected: Value '%d' at 'parameterVersion' failed to satisfy constraint: Member must have value greater than or equal to 1", in.ParameterVersion)
	}
	if in.Name == "" || isPublic(in.Name) {
		return nil, ErrParameterNotFound.With("")
	}
	out := &UnlabelParameterVersionOutput{InvalidLabels: []string{}, RemovedLabels: []string{}}
	_, err := s.params.Update(ctx, paramKey(ctx, in.Name), func(r *paramRecord) error {
		out.InvalidLabels, out.RemovedLabels = []string{}, []string{}
		v := r.version(in.ParameterVersion)
		if v == nil {
			return ErrParameterVersionNotFound.With("Systems Manager could not find version %d of %s. Verify the version and try again.", in.ParameterVersion, r.Name)
		}
		for _, l := range in.Labels {
			if i := slices.Index(v.Labels, l); i >= 0 {
				v.Labels = slices.Delete(v.Labels, i, i+1)
				out.RemovedLabels = append(out.RemovedLabels, l)
			} else {
				out.InvalidLabels = append(out.InvalidLabels, l)
			}
		}
		if len(v.Labels) == 0 {
			v.Labels = nil
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrParameterNotFound.With("")
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}
