package iam

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// maxAccessKeys is AWS's quota of access keys per user.
const maxAccessKeys = 2

// AccessKey is a new access key with its secret (answered only by CreateAccessKey).
type AccessKey struct {
	UserName        string    `json:"UserName,omitempty"`
	AccessKeyID     string    `json:"AccessKeyId,omitempty"`
	Status          string    `json:"Status,omitempty"`
	SecretAccessKey string    `json:"SecretAccessKey,omitempty"`
	CreateDate      time.Time `json:"CreateDate,omitzero"`
}

// AccessKeyMetadata is an access key as ListAccessKeys answers it (no secret).
type AccessKeyMetadata struct {
	UserName    string    `json:"UserName,omitempty"`
	AccessKeyID string    `json:"AccessKeyId,omitempty"`
	Status      string    `json:"Status,omitempty"`
	CreateDate  time.Time `json:"CreateDate,omitzero"`
}

// accessKeyRecord is a stored key: the secret is kept as a salted SHA-256 hash.
type accessKeyRecord struct {
	AccessKeyMetadata
	Salt string `json:"salt"`
	Hash string `json:"hash"`
	Seq  int64  `json:"seq"`
}

func keyKey(acct, id string) string { return acct + "/" + id }

// CreateAccessKeyInput is the input of CreateAccessKey.
type CreateAccessKeyInput struct {
	UserName string `json:"UserName,omitempty"`
}

// CreateAccessKeyOutput carries the key and its secret.
type CreateAccessKeyOutput struct {
	AccessKey *AccessKey `json:"AccessKey,omitempty"`
}

// ListAccessKeysInput is the input of ListAccessKeys.
type ListAccessKeysInput struct {
	UserName string `json:"UserName,omitempty"`
	Marker   string `json:"Marker,omitempty"`
	MaxItems int32  `json:"MaxItems,omitzero"`
}

// ListAccessKeysOutput is the output of ListAccessKeys.
type ListAccessKeysOutput struct {
	AccessKeyMetadata []AccessKeyMetadata `json:"AccessKeyMetadata"`
	IsTruncated       bool                `json:"IsTruncated"`
	Marker            string              `json:"Marker,omitempty"`
}

// UpdateAccessKeyInput is the input of UpdateAccessKey.
type UpdateAccessKeyInput struct {
	UserName    string `json:"UserName,omitempty"`
	AccessKeyID string `json:"AccessKeyId,omitempty"`
	Status      string `json:"Status,omitempty"`
}

// DeleteAccessKeyInput is the input of DeleteAccessKey.
type DeleteAccessKeyInput struct {
	UserName    string `json:"UserName,omitempty"`
	AccessKeyID string `json:"AccessKeyId,omitempty"`
}

// AccessKeyOutput is the empty output of UpdateAccessKey and DeleteAccessKey.
type AccessKeyOutput struct{}

// keyUser is the user an access key operation acts on (default: the calling user).
func (s *Service) keyUser(ctx context.Context, name string) (User, error) {
	if name == "" {
		name = callerUser(ctx)
	}
	if name == "" {
		return User{}, ErrValidation.With("Must specify userName when calling with non-User credentials")
	}
	return s.getUser(ctx, name)
}

func (s *Service) userKeys(ctx context.Context, user string) ([]accessKeyRecord, error) {
	all, err := s.keys.All(ctx, account(ctx)+"/")
	if err != nil {
		return nil, apierr.Wrap(err, "An internal error occurred.")
	}
	var out []accessKeyRecord
	for _, k := range all {
		if strings.EqualFold(k.UserName, user) {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, nil
}

// CreateAccessKey creates an access key (AKIA..., 20 characters) and a 40-character secret
// for a user; a user has at most two keys (LimitExceeded).
func (s *Service) CreateAccessKey(ctx context.Context, in *CreateAccessKeyInput) (*CreateAccessKeyOutput, error) {
	return dispatch.Do(ctx, s.d, "CreateAccessKey", in, func(ctx context.Context, in *CreateAccessKeyInput) (*CreateAccessKeyOutput, error) {
		u, err := s.keyUser(ctx, in.UserName)
		if err != nil {
			return nil, err
		}
		s.keyMu.Lock()
		defer s.keyMu.Unlock()
		have, err := s.userKeys(ctx, u.UserName)
		if err != nil {
			return nil, err
		}
		if len(have) >= maxAccessKeys {
			return nil, ErrLimitExceeded.With("Cannot exceed quota for AccessKeysPerUser: %d", maxAccessKeys)
		}
		secret := make([]byte, 30)
		salt := make([]byte, 16)
		_, _ = rand.Read(secret)
		_, _ = rand.Read(salt)
		sec := base64.StdEncoding.EncodeToString(secret) // 40 characters
		sum := sha256.Sum256(append(append([]byte{}, salt...), sec...))
		rec := accessKeyRecord{AccessKeyMetadata: AccessKeyMetadata{UserName: u.UserName, AccessKeyID: randomID("AKIA", 16), Status: "Active",
			CreateDate: s.env.Clock.Now().UTC().Truncate(time.Second)}, Salt: hex.EncodeToString(salt), Hash: hex.EncodeToString(sum[:]), Seq: s.seq.Add(1)}
		if err := s.keys.Create(ctx, keyKey(account(ctx), rec.AccessKeyID), rec); err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		return &CreateAccessKeyOutput{AccessKey: &AccessKey{UserName: u.UserName, AccessKeyID: rec.AccessKeyID, Status: rec.Status,
			SecretAccessKey: sec, CreateDate: rec.CreateDate}}, nil
	})
}

// ListAccessKeys lists a user's access keys, oldest first.
func (s *Service) ListAccessKeys(ctx context.Context, in *ListAccessKeysInput) (*ListAccessKeysOutput, error) {
	return dispatch.Do(ctx, s.d, "ListAccessKeys", in, func(ctx context.Context, in *ListAccessKeysInput) (*ListAccessKeysOutput, error) {
		u, err := s.keyUser(ctx, in.UserName)
		if err != nil {
			return nil, err
		}
		have, err := s.userKeys(ctx, u.UserName)
		if err != nil {
			return nil, err
		}
		md := make([]AccessKeyMetadata, len(have))
		for i, k := range have {
			md[i] = k.AccessKeyMetadata
		}
		page, marker, err := paginate(md, in.Marker, in.MaxItems)
		if err != nil {
			return nil, err
		}
		return &ListAccessKeysOutput{AccessKeyMetadata: page, IsTruncated: marker != "", Marker: marker}, nil
	})
}

func (s *Service) userKey(ctx context.Context, user, id string) (User, accessKeyRecord, error) {
	u, err := s.keyUser(ctx, user)
	if err != nil {
		return u, accessKeyRecord{}, err
	}
	k, err := s.keys.Get(ctx, keyKey(account(ctx), id))
	if errors.Is(err, store.ErrNotFound) || err == nil && !strings.EqualFold(k.UserName, u.UserName) {
		return u, k, ErrNoSuchEntity.With("The Access Key with id %s cannot be found.", id)
	}
	if err != nil {
		return u, k, apierr.Wrap(err, "An internal error occurred.")
	}
	return u, k, nil
}

// UpdateAccessKey sets a key's status (Active or Inactive).
func (s *Service) UpdateAccessKey(ctx context.Context, in *UpdateAccessKeyInput) (*AccessKeyOutput, error) {
	return dispatch.Do(ctx, s.d, "UpdateAccessKey", in, func(ctx context.Context, in *UpdateAccessKeyInput) (*AccessKeyOutput, error) {
		if in.Status != "Active" && in.Status != "Inactive" {
			return nil, ErrValidation.With("1 validation error detected: Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]", in.Status)
		}
		if _, _, err := s.userKey(ctx, in.UserName, in.AccessKeyID); err != nil {
			return nil, err
		}
		_, err := s.keys.Update(ctx, keyKey(account(ctx), in.AccessKeyID), func(k *accessKeyRecord) error {
			k.Status = in.Status
			return nil
		})
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrNoSuchEntity.With("The Access Key with id %s cannot be found.", in.AccessKeyID)
		}
		if err != nil {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		return &AccessKeyOutput{}, nil
	})
}

// DeleteAccessKey deletes a key.
func (s *Service) DeleteAccessKey(ctx context.Context, in *DeleteAccessKeyInput) (*AccessKeyOutput, error) {
	return dispatch.Do(ctx, s.d, "DeleteAccessKey", in, func(ctx context.Context, in *DeleteAccessKeyInput) (*AccessKeyOutput, error) {
		if _, _, err := s.userKey(ctx, in.UserName, in.AccessKeyID); err != nil {
			return nil, err
		}
		if err := s.keys.Delete(ctx, keyKey(account(ctx), in.AccessKeyID)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		return &AccessKeyOutput{}, nil
	})
}
