package iam

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/identity"
	"github.com/devopsim/devopsim/internal/core"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// Errors, with IAM's codes.
var (
	ErrNoSuchEntity        = apierr.New(apierr.NotFound, "NoSuchEntity", "The request was rejected because it referenced a resource entity that does not exist.")
	ErrEntityAlreadyExists = apierr.New(apierr.AlreadyExists, "EntityAlreadyExists", "The request was rejected because it attempted to create a resource that already exists.")
	ErrDeleteConflict      = apierr.New(apierr.Conflict, "DeleteConflict", "The request was rejected because it attempted to delete a resource that has attached subordinate entities.")
	ErrLimitExceeded       = apierr.New(apierr.LimitExceeded, "LimitExceeded", "The request was rejected because it attempted to create resources beyond the current AWS account limits.")
	ErrInvalidInput        = apierr.New(apierr.Invalid, "InvalidInput", "The request was rejected because an invalid or out-of-range value was supplied for an input parameter.")
	ErrValidation          = apierr.New(apierr.Invalid, "ValidationError", "The request was rejected because a parameter failed validation.")
	ErrServiceNotSupported = apierr.New(apierr.Invalid, "NotSupportedService", "The specified service does not support service-specific credentials.")
	// ErrBadCredentials is what Check answers for an unknown user, a wrong password or an
	// inactive credential.
	ErrBadCredentials = apierr.New(apierr.Denied, "InvalidClientTokenId", "The service-specific credentials are not valid.")
)

// Services that accept service-specific credentials.
var supportedServices = map[string]bool{"codecommit.amazonaws.com": true, "cassandra.amazonaws.com": true}

const maxCredsPerUserService = 2

var (
	userNameRE = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	pathRE     = regexp.MustCompile(`^/([\x21-\x7E]*/)?$`)
	credIDRE   = regexp.MustCompile(`^[\w]{20,128}$`)
)

// Options configure a Service; the zero value is fine.
type Options struct{}

// Service is the IAM subset described in the package doc. It is safe for concurrent use.
type Service struct {
	env   *core.Env
	d     *dispatch.Dispatcher
	users *store.Table[User]
	creds *store.Table[credRecord]
	seq   atomic.Int64
	keys  *store.Table[accessKeyRecord]
	keyMu sync.Mutex // serialises CreateAccessKey's quota check

	roles    *store.Table[roleRecord]
	policies *store.Table[policyRecord]
	profiles *store.Table[profileRecord]
}

// New returns the IAM service in env.
func New(env *core.Env, _ Options) (*Service, error) {
	if env == nil {
		return nil, errors.New("iam: nil env")
	}
	return &Service{
		env:   env,
		d:     env.Dispatcher("iam", "iam.amazonaws.com"),
		users: store.NewTable[User](env.Store, "iam/user/"),
		creds: store.NewTable[credRecord](env.Store, "iam/ssc/"),
		keys:  store.NewTable[accessKeyRecord](env.Store, "iam/access-key/"),

		roles:    store.NewTable[roleRecord](env.Store, "iam/role/"),
		policies: store.NewTable[policyRecord](env.Store, "iam/policy/"),
		profiles: store.NewTable[profileRecord](env.Store, "iam/instance-profile/"),
	}, nil
}

// Close releases the service (IAM runs no background work).
func (s *Service) Close(context.Context) error { return nil }

// IAM is global: keys are per account only.
func account(ctx context.Context) string {
	c, _ := identity.From(ctx)
	return c.Account
}

func userKey(acct, name string) string { return acct + "/" + strings.ToLower(name) }

// User is an IAM user.
type User struct {
	Path       string    `json:"Path,omitempty"`
	UserName   string    `json:"UserName,omitempty"`
	UserID     string    `json:"UserId,omitempty"`
	Arn        string    `json:"Arn,omitempty"`
	CreateDate time.Time `json:"CreateDate,omitzero"`
}

// CreateUserInput is the input of CreateUser.
type CreateUserInput struct {
	Path     string `json:"Path,omitempty"`
	UserName string `json:"UserName,omitempty"`
}

// UserOutput answers one user.
type UserOutput struct {
	User *User `json:"User,omitempty"`
}

// CreateUserOutput is the output of CreateUser.
type CreateUserOutput = UserOutput

func checkUserName(n string) error {
	if n == "" {
		return ErrValidation.With("1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must not be null")
	}
	if !userNameRE.MatchString(n) {
		return ErrValidation.With("The specified value for userName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-")
	}
	return nil
}

func randomID(prefix string, n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + string(b)
}

// CreateUser creates an IAM user (names are unique per account, case-insensitively).
func (s *Service) CreateUser(ctx context.Context, in *CreateUserInput) (*CreateUserOutput, error) {
	return dispatch.Do(ctx, s.d, "CreateUser", in, func(ctx context.Context, in *CreateUserInput) (*UserOutput, error) {
		if err := checkUserName(in.UserName); err != nil {
			return nil, err
		}
		p := in.Path
		if p == "" {
			p = "/"
		}
		if !pathRE.MatchString(p) || len(p) > 512 {
			return nil, ErrValidation.With("The specified value for path is invalid.")
		}
		acct := account(ctx)
		u := User{Path: p, UserName: in.UserName, UserID: randomID("AIDA", 17), Arn: "arn:aws:iam::" + acct + ":user" + p + in.UserName,
			CreateDate: s.env.Clock.Now().UTC().Truncate(time.Second)}
		if err := s.users.Create(ctx, userKey(acct, in.UserName), u); errors.Is(err, store.ErrExists) {
			return nil, ErrEntityAlreadyExists.With("User with name %s already exists.", in.UserName)
		} else if err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		return &UserOutput{User: &u}, nil
	})
}

// GetUserInput is the input of GetUser.
type GetUserInput struct {
	UserName string `json:"UserName,omitempty"`
}

// GetUserOutput is the output of GetUser.
type GetUserOutput = UserOutput

func (s *Service) getUser(ctx context.Context, name string) (User, error) {
	if err := checkUserName(name); err != nil {
		return User{}, err
	}
	u, err := s.users.Get(ctx, userKey(account(ctx), name))
	if errors.Is(err, store.ErrNotFound) {
		return u, ErrNoSuchEntity.With("The user with name %s cannot be found.", name)
	}
	if err != nil {
		return u, apierr.Wrap(err, "An internal error occurred.")
	}
	return u, nil
}

// callerUser is the user name a request without UserName acts on: the calling IAM user.
func callerUser(ctx context.Context) string {
	c, _ := identity.From(ctx)
	if _, res, ok := strings.Cut(c.PrincipalARN, ":user/"); ok {
		return res[strings.LastIndex(res, "/")+1:]
	}
	return ""
}

// GetUser describes a user (default: the calling user).
func (s *Service) GetUser(ctx context.Context, in *GetUserInput) (*GetUserOutput, error) {
	return dispatch.Do(ctx, s.d, "GetUser", in, func(ctx context.Context, in *GetUserInput) (*UserOutput, error) {
		name := in.UserName
		if name == "" {
			name = callerUser(ctx)
		}
		if name == "" {
			return nil, ErrValidation.With("Must specify userName when calling with non-User credentials")
		}
		u, err := s.getUser(ctx, name)
		if err != nil {
			return nil, err
		}
		return &UserOutput{User: &u}, nil
	})
}

// ListUsersInput is the input of ListUsers.
type ListUsersInput struct {
	PathPrefix string `json:"PathPrefix,omitempty"`
	Marker     string `json:"Marker,omitempty"`
	MaxItems   int32  `json:"MaxItems,omitzero"`
}

// ListUsersOutput is the output of ListUsers.
type ListUsersOutput struct {
	Users       []User `json:"Users"`
	IsTruncated bool   `json:"IsTruncated"`
	Marker      string `json:"Marker,omitempty"`
}

// ListUsers lists the account's users by name.
func (s *Service) ListUsers(ctx context.Context, in *ListUsersInput) (*ListUsersOutput, error) {
	return dispatch.Do(ctx, s.d, "ListUsers", in, func(ctx context.Context, in *ListUsersInput) (*ListUsersOutput, error) {
		all, err := s.users.All(ctx, account(ctx)+"/")
		if err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		var us []User
		for _, u := range all {
			if in.PathPrefix == "" || strings.HasPrefix(u.Path, in.PathPrefix) {
				us = append(us, u)
			}
		}
		page, marker, err := paginate(us, in.Marker, in.MaxItems)
		if err != nil {
			return nil, err
		}
		return &ListUsersOutput{Users: page, IsTruncated: marker != "", Marker: marker}, nil
	})
}

// DeleteUserInput is the input of DeleteUser.
type DeleteUserInput struct {
	UserName string `json:"UserName,omitempty"`
}

// DeleteUserOutput is empty.
type DeleteUserOutput struct{}

// DeleteUser deletes a user that has no service-specific credentials left (DeleteConflict).
func (s *Service) DeleteUser(ctx context.Context, in *DeleteUserInput) (*DeleteUserOutput, error) {
	return dispatch.Do(ctx, s.d, "DeleteUser", in, func(ctx context.Context, in *DeleteUserInput) (*DeleteUserOutput, error) {
		u, err := s.getUser(ctx, in.UserName)
		if err != nil {
			return nil, err
		}
		creds, err := s.userCreds(ctx, u.UserName)
		if err != nil {
			return nil, err
		}
		if len(creds) > 0 {
			return nil, ErrDeleteConflict.With("Cannot delete entity, must remove service-specific credentials first.")
		}
		if keys, err := s.userKeys(ctx, u.UserName); err != nil {
			return nil, err
		} else if len(keys) > 0 {
			return nil, ErrDeleteConflict.With("Cannot delete entity, must delete access keys first.")
		}
		if err := s.users.Delete(ctx, userKey(account(ctx), u.UserName)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		return &DeleteUserOutput{}, nil
	})
}

func paginate[T any](items []T, marker string, maxItems int32) ([]T, string, error) {
	if maxItems < 0 || maxItems > 1000 {
		return nil, "", ErrValidation.With("MaxItems must be between 1 and 1000.")
	}
	limit := int(maxItems)
	if limit == 0 {
		limit = 100
	}
	start := 0
	if marker != "" {
		b, err := base64.RawURLEncoding.DecodeString(marker)
		if err != nil {
			return nil, "", ErrInvalidInput.With("Invalid Marker.")
		}
		var n int
		for _, c := range string(b) {
			if c < '0' || c > '9' || n > 1e9 {
				return nil, "", ErrInvalidInput.With("Invalid Marker.")
			}
			n = n*10 + int(c-'0')
		}
		if n > len(items) {
			return nil, "", ErrInvalidInput.With("Invalid Marker.")
		}
		start = n
	}
	end := min(start+limit, len(items))
	next := ""
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte(itoa(end)))
	}
	return append([]T{}, items[start:end]...), next, nil
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// ServiceSpecificCredential is a credential with its password (answered only when created
// or reset).
type ServiceSpecificCredential struct {
	CreateDate                  time.Time `json:"CreateDate,omitzero"`
	ServiceName                 string    `json:"ServiceName,omitempty"`
	ServiceUserName             string    `json:"ServiceUserName,omitempty"`
	ServicePassword             string    `json:"ServicePassword,omitempty"`
	ServiceSpecificCredentialID string    `json:"ServiceSpecificCredentialId,omitempty"`
	UserName                    string    `json:"UserName,omitempty"`
	Status                      string    `json:"Status,omitempty"`
}

// ServiceSpecificCredentialMetadata describes a credential without its password.
type ServiceSpecificCredentialMetadata struct {
	UserName                    string    `json:"UserName,omitempty"`
	Status                      string    `json:"Status,omitempty"`
	ServiceUserName             string    `json:"ServiceUserName,omitempty"`
	CreateDate                  time.Time `json:"CreateDate,omitzero"`
	ServiceSpecificCredentialID string    `json:"ServiceSpecificCredentialId,omitempty"`
	ServiceName                 string    `json:"ServiceName,omitempty"`
}

// credRecord is a stored credential: the password is kept only as a salted hash.
type credRecord struct {
	ServiceSpecificCredentialMetadata
	Account string `json:"account"`
	Salt    string `json:"salt"`
	Hash    string `json:"hash"`
	Seq     int64  `json:"seq"` // creation order within a second
}

func credKey(acct, id string) string { return acct + "/" + id }

func hashPassword(salt, pw string) string {
	sum := sha256.Sum256([]byte(salt + "\x00" + pw))
	return hex.EncodeToString(sum[:])
}

func newPassword() (salt, pw, hash string) {
	b := make([]byte, 33)
	_, _ = rand.Read(b)
	pw = base64.StdEncoding.EncodeToString(b) // 44 characters, as AWS's
	s := make([]byte, 16)
	_, _ = rand.Read(s)
	salt = hex.EncodeToString(s)
	return salt, pw, hashPassword(salt, pw)
}

func (s *Service) userCreds(ctx context.Context, user string) ([]credRecord, error) {
	all, err := s.creds.All(ctx, account(ctx)+"/")
	if err != nil {
		return nil, apierr.Wrap(err, "An internal error occurred.")
	}
	var out []credRecord
	for _, c := range all {
		if user == "" || strings.EqualFold(c.UserName, user) {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreateDate.Equal(out[j].CreateDate) {
			return out[i].CreateDate.Before(out[j].CreateDate)
		}
		return out[i].Seq < out[j].Seq
	})
	return out, nil
}

// CreateServiceSpecificCredentialInput is the input of CreateServiceSpecificCredential.
type CreateServiceSpecificCredentialInput struct {
	UserName    string `json:"UserName,omitempty"`
	ServiceName string `json:"ServiceName,omitempty"`
}

// ServiceSpecificCredentialOutput answers a credential with its password.
type ServiceSpecificCredentialOutput struct {
	ServiceSpecificCredential *ServiceSpecificCredential `json:"ServiceSpecificCredential,omitempty"`
}

// CreateServiceSpecificCredentialOutput is the output of CreateServiceSpecificCredential.
type CreateServiceSpecificCredentialOutput = ServiceSpecificCredentialOutput

// CreateServiceSpecificCredential creates a credential for a user and a service
// (codecommit.amazonaws.com: HTTPS git credentials): the user name is
// "<user>-at-<account>", the password is generated and answered only now. A user may have
// two per service.
func (s *Service) CreateServiceSpecificCredential(ctx context.Context, in *CreateServiceSpecificCredentialInput) (*CreateServiceSpecificCredentialOutput, error) {
	return dispatch.Do(ctx, s.d, "CreateServiceSpecificCredential", in, func(ctx context.Context, in *CreateServiceSpecificCredentialInput) (*ServiceSpecificCredentialOutput, error) {
		if in.ServiceName == "" {
			return nil, ErrValidation.With("1 validation error detected: Value at 'serviceName' failed to satisfy constraint: Member must not be null")
		}
		if !supportedServices[in.ServiceName] {
			return nil, ErrServiceNotSupported.With("Service %s is not supported for service-specific credentials.", in.ServiceName)
		}
		u, err := s.getUser(ctx, in.UserName)
		if err != nil {
			return nil, err
		}
		existing, err := s.userCreds(ctx, u.UserName)
		if err != nil {
			return nil, err
		}
		n := 0
		for _, c := range existing {
			if c.ServiceName == in.ServiceName {
				n++
			}
		}
		if n >= maxCredsPerUserService {
			return nil, ErrLimitExceeded.With("Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: %d", maxCredsPerUserService)
		}
		acct := account(ctx)
		salt, pw, hash := newPassword()
		rec := credRecord{
			ServiceSpecificCredentialMetadata: ServiceSpecificCredentialMetadata{
				UserName: u.UserName, Status: "Active", ServiceUserName: u.UserName + "-at-" + acct,
				CreateDate: s.env.Clock.Now().UTC().Truncate(time.Second), ServiceSpecificCredentialID: randomID("ACCA", 17), ServiceName: in.ServiceName,
			},
			Account: acct, Salt: salt, Hash: hash, Seq: s.seq.Add(1),
		}
		if n > 0 {
			// A second credential needs a distinct user name, as AWS makes it.
			rec.ServiceUserName = u.UserName + "+1-at-" + acct
			for _, c := range existing {
				if c.ServiceUserName == rec.ServiceUserName {
					rec.ServiceUserName = u.UserName + "-at-" + acct
				}
			}
		}
		if err := s.creds.Create(ctx, credKey(acct, rec.ServiceSpecificCredentialID), rec); err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		return &ServiceSpecificCredentialOutput{ServiceSpecificCredential: withPassword(rec, pw)}, nil
	})
}

func withPassword(c credRecord, pw string) *ServiceSpecificCredential {
	m := c.ServiceSpecificCredentialMetadata
	return &ServiceSpecificCredential{CreateDate: m.CreateDate, ServiceName: m.ServiceName, ServiceUserName: m.ServiceUserName, ServicePassword: pw,
		ServiceSpecificCredentialID: m.ServiceSpecificCredentialID, UserName: m.UserName, Status: m.Status}
}

// ListServiceSpecificCredentialsInput is the input of ListServiceSpecificCredentials.
type ListServiceSpecificCredentialsInput struct {
	UserName    string `json:"UserName,omitempty"`
	ServiceName string `json:"ServiceName,omitempty"`
	AllUsers    bool   `json:"AllUsers,omitzero"`
	Marker      string `json:"Marker,omitempty"`
	MaxItems    int32  `json:"MaxItems,omitzero"`
}

// ListServiceSpecificCredentialsOutput is the output of ListServiceSpecificCredentials.
type ListServiceSpecificCredentialsOutput struct {
	ServiceSpecificCredentials []ServiceSpecificCredentialMetadata `json:"ServiceSpecificCredentials"`
	Marker                     string                              `json:"Marker,omitempty"`
	IsTruncated                bool                                `json:"IsTruncated"`
}

// ListServiceSpecificCredentials lists a user's credentials (default: the calling user; all
// users with AllUsers or when the caller is not an IAM user), optionally for one service.
func (s *Service) ListServiceSpecificCredentials(ctx context.Context, in *ListServiceSpecificCredentialsInput) (*ListServiceSpecificCredentialsOutput, error) {
	return dispatch.Do(ctx, s.d, "ListServiceSpecificCredentials", in, func(ctx context.Context, in *ListServiceSpecificCredentialsInput) (*ListServiceSpecificCredentialsOutput, error) {
		user := in.UserName
		if user != "" {
			if _, err := s.getUser(ctx, user); err != nil {
				return nil, err
			}
		} else if !in.AllUsers {
			user = callerUser(ctx)
		}
		cs, err := s.userCreds(ctx, user)
		if err != nil {
			return nil, err
		}
		var ms []ServiceSpecificCredentialMetadata
		for _, c := range cs {
			if in.ServiceName == "" || c.ServiceName == in.ServiceName {
				ms = append(ms, c.ServiceSpecificCredentialMetadata)
			}
		}
		page, marker, err := paginate(ms, in.Marker, in.MaxItems)
		if err != nil {
			return nil, err
		}
		return &ListServiceSpecificCredentialsOutput{ServiceSpecificCredentials: page, Marker: marker, IsTruncated: marker != ""}, nil
	})
}

// credential finds a credential by ID, checking it belongs to userName when one is given.
func (s *Service) credential(ctx context.Context, userName, id string) (credRecord, error) {
	if !credIDRE.MatchString(id) {
		return credRecord{}, ErrValidation.With("The specified value for serviceSpecificCredentialId is invalid.")
	}
	if userName == "" {
		userName = callerUser(ctx)
	}
	if userName != "" {
		if _, err := s.getUser(ctx, userName); err != nil {
			return credRecord{}, err
		}
	}
	c, err := s.creds.Get(ctx, credKey(account(ctx), id))
	if errors.Is(err, store.ErrNotFound) || err == nil && userName != "" && !strings.EqualFold(c.UserName, userName) {
		return c, ErrNoSuchEntity.With("No such credential %s.", id)
	}
	if err != nil {
		return c, apierr.Wrap(err, "An internal error occurred.")
	}
	return c, nil
}

// ResetServiceSpecificCredentialInput is the input of ResetServiceSpecificCredential.
type ResetServiceSpecificCredentialInput struct {
	UserName                    string `json:"UserName,omitempty"`
	ServiceSpecificCredentialID string `json:"ServiceSpecificCredentialId,omitempty"`
}

// ResetServiceSpecificCredentialOutput is the output of ResetServiceSpecificCredential.
type ResetServiceSpecificCredentialOutput = ServiceSpecificCredentialOutput

// ResetServiceSpecificCredential generates a new password for a credential (the old one
// stops working).
func (s *Service) ResetServiceSpecificCredential(ctx context.Context, in *ResetServiceSpecificCredentialInput) (*ResetServiceSpecificCredentialOutput, error) {
	return dispatch.Do(ctx, s.d, "ResetServiceSpecificCredential", in, func(ctx context.Context, in *ResetServiceSpecificCredentialInput) (*ServiceSpecificCredentialOutput, error) {
		c, err := s.credential(ctx, in.UserName, in.ServiceSpecificCredentialID)
		if err != nil {
			return nil, err
		}
		salt, pw, hash := newPassword()
		c, err = s.creds.Update(ctx, credKey(c.Account, c.ServiceSpecificCredentialID), func(r *credRecord) error {
			r.Salt, r.Hash = salt, hash
			return nil
		})
		if err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		return &ServiceSpecificCredentialOutput{ServiceSpecificCredential: withPassword(c, pw)}, nil
	})
}

// UpdateServiceSpecificCredentialInput is the input of UpdateServiceSpecificCredential.
type UpdateServiceSpecificCredentialInput struct {
	UserName                    string `json:"UserName,omitempty"`
	ServiceSpecificCredentialID string `json:"ServiceSpecificCredentialId,omitempty"`
	Status                      string `json:"Status,omitempty"`
}

// UpdateServiceSpecificCredentialOutput is empty.
type UpdateServiceSpecificCredentialOutput struct{}

// UpdateServiceSpecificCredential activates or deactivates a credential.
func (s *Service) UpdateServiceSpecificCredential(ctx context.Context, in *UpdateServiceSpecificCredentialInput) (*UpdateServiceSpecificCredentialOutput, error) {
	return dispatch.Do(ctx, s.d, "UpdateServiceSpecificCredential", in, func(ctx context.Context, in *UpdateServiceSpecificCredentialInput) (*UpdateServiceSpecificCredentialOutput, error) {
		if in.Status != "Active" && in.Status != "Inactive" && in.Status != "Expired" {
			return nil, ErrValidation.With("Value at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]")
		}
		c, err := s.credential(ctx, in.UserName, in.ServiceSpecificCredentialID)
		if err != nil {
			return nil, err
		}
		if _, err := s.creds.Update(ctx, credKey(c.Account, c.ServiceSpecificCredentialID), func(r *credRecord) error {
			r.Status = in.Status
			return nil
		}); err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		return &UpdateServiceSpecificCredentialOutput{}, nil
	})
}

// DeleteServiceSpecificCredentialInput is the input of DeleteServiceSpecificCredential.
type DeleteServiceSpecificCredentialInput struct {
	UserName                    string `json:"UserName,omitempty"`
	ServiceSpecificCredentialID string `json:"ServiceSpecificCredentialId,omitempty"`
}

// DeleteServiceSpecificCredentialOutput is empty.
type DeleteServiceSpecificCredentialOutput struct{}

// DeleteServiceSpecificCredential deletes a credential.
func (s *Service) DeleteServiceSpecificCredential(ctx context.Context, in *DeleteServiceSpecificCredentialInput) (*DeleteServiceSpecificCredentialOutput, error) {
	return dispatch.Do(ctx, s.d, "DeleteServiceSpecificCredential", in, func(ctx context.Context, in *DeleteServiceSpecificCredentialInput) (*DeleteServiceSpecificCredentialOutput, error) {
		c, err := s.credential(ctx, in.UserName, in.ServiceSpecificCredentialID)
		if err != nil {
			return nil, err
		}
		if err := s.creds.Delete(ctx, credKey(c.Account, c.ServiceSpecificCredentialID)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		return &DeleteServiceSpecificCredentialOutput{}, nil
	})
}

// Check verifies git HTTPS credentials (a codecommit.amazonaws.com service-specific
// credential's user name and password) and says which account they act in. region is
// always "" (IAM is global; the git endpoint's host decides the region). It is the shape of
// codecommit.Options.GitAuth. Unknown users, wrong passwords and inactive credentials all
// answer ErrBadCredentials. Check is not an API call: it is not audited.
func (s *Service) Check(ctx context.Context, username, password string) (acct, region string, err error) {
	i := strings.LastIndex(username, "-at-")
	if i <= 0 || password == "" {
		return "", "", ErrBadCredentials
	}
	acct = username[i+len("-at-"):]
	if len(acct) != 12 || strings.Trim(acct, "0123456789") != "" {
		return "", "", ErrBadCredentials
	}
	all, err := s.creds.All(ctx, acct+"/")
	if err != nil {
		return "", "", apierr.Wrap(err, "An internal error occurred.")
	}
	ok := false
	for _, c := range all {
		if c.ServiceName != "codecommit.amazonaws.com" || c.ServiceUserName != username {
			continue
		}
		match := subtle.ConstantTimeCompare([]byte(hashPassword(c.Salt, password)), []byte(c.Hash)) == 1
		if match && c.Status == "Active" {
			ok = true
		}
	}
	if !ok {
		return "", "", ErrBadCredentials
	}
	return acct, "", nil
}
