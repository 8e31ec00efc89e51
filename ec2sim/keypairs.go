package ec2sim

import (
	"context"
	"crypto/ed25519"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/store"
)

// Key pair errors.
var (
	ErrKeyPairNotFound  = apierr.New(apierr.NotFound, "InvalidKeyPair.NotFound", "")
	ErrKeyPairDuplicate = apierr.New(apierr.AlreadyExists, "InvalidKeyPair.Duplicate", "")
	ErrKeyPairFormat    = apierr.New(apierr.Invalid, "InvalidKeyPair.Format", "")
)

type keyPairRecord struct {
	KeyPairInfo
	// PublicKeyOpenSSH is the authorized_keys line put on instances.
	PublicKeyOpenSSH string `json:"publicKeyOpenSSH"`
}

// KeyPairInfo describes a key pair.
type KeyPairInfo struct {
	KeyPairID      string    `json:"KeyPairId"`
	KeyName        string    `json:"KeyName"`
	KeyFingerprint string    `json:"KeyFingerprint"`
	KeyType        string    `json:"KeyType"`
	PublicKey      string    `json:"PublicKey,omitempty"`
	CreateTime     time.Time `json:"CreateTime"`
	Tags           []Tag     `json:"Tags,omitempty" xml:"tagSet"`
}

// CreateKeyPairInput creates a key pair.
type CreateKeyPairInput struct {
	KeyName           string             `json:"KeyName"`
	KeyType           string             `json:"KeyType,omitempty"`
	KeyFormat         string             `json:"KeyFormat,omitempty"`
	TagSpecifications []TagSpecification `json:"TagSpecifications,omitempty" ec2:"TagSpecification"`
	DryRun            bool               `json:"DryRun,omitzero"`
}

// CreateKeyPairOutput carries the private key (the only time it is shown).
type CreateKeyPairOutput struct {
	KeyPairID      string `json:"KeyPairId"`
	KeyName        string `json:"KeyName"`
	KeyFingerprint string `json:"KeyFingerprint"`
	KeyMaterial    string `json:"KeyMaterial"`
	Tags           []Tag  `json:"Tags,omitempty" xml:"tagSet"`
}

// ImportKeyPairInput imports an OpenSSH public key (base64 of the key line on the wire).
type ImportKeyPairInput struct {
	KeyName           string             `json:"KeyName"`
	PublicKeyMaterial []byte             `json:"PublicKeyMaterial"`
	TagSpecifications []TagSpecification `json:"TagSpecifications,omitempty" ec2:"TagSpecification"`
	DryRun            bool               `json:"DryRun,omitzero"`
}

// ImportKeyPairOutput is the imported key pair.
type ImportKeyPairOutput struct {
	KeyPairID      string `json:"KeyPairId"`
	KeyName        string `json:"KeyName"`
	KeyFingerprint string `json:"KeyFingerprint"`
	Tags           []Tag  `json:"Tags,omitempty" xml:"tagSet"`
}

// DescribeKeyPairsInput lists key pairs.
type DescribeKeyPairsInput struct {
	KeyNames         []string `json:"KeyNames,omitempty" ec2:"KeyName"`
	KeyPairIDs       []string `json:"KeyPairIds,omitempty" ec2:"KeyPairId"`
	Filters          []Filter `json:"Filters,omitempty" ec2:"Filter"`
	IncludePublicKey bool     `json:"IncludePublicKey,omitzero"`
	DryRun           bool     `json:"DryRun,omitzero"`
}

// DescribeKeyPairsOutput lists key pairs.
type DescribeKeyPairsOutput struct {
	KeyPairs []KeyPairInfo `json:"KeyPairs" xml:"keySet"`
}

// DeleteKeyPairInput deletes a key pair by name or id.
type DeleteKeyPairInput struct {
	KeyName   string `json:"KeyName,omitempty"`
	KeyPairID string `json:"KeyPairId,omitempty"`
	DryRun    bool   `json:"DryRun,omitzero"`
}

// DeleteKeyPairOutput reports the deletion.
type DeleteKeyPairOutput struct {
	Return    bool   `json:"Return,omitzero" xml:"return"`
	KeyPairID string `json:"KeyPairId,omitempty"`
}

func colonHex(b []byte) string {
	var sb strings.Builder
	for i, c := range b {
		if i > 0 {
			sb.WriteByte(':')
		}
		fmt.Fprintf(&sb, "%02x", c)
	}
	return sb.String()
}

func keyTags(specs []TagSpecification) ([]Tag, error) {
	var tags []Tag
	for _, ts := range specs {
		if ts.ResourceType != "key-pair" {
			return nil, ErrInvalidParameterValue.With("'%s' is not a valid taggable resource type for this operation.", ts.ResourceType)
		}
		tags = append(tags, ts.Tags...)
	}
	return tags, validateTags(tags, false)
}

func validKeyName(name string) error {
	if name == "" {
		return ErrMissingParameter.With("The request must contain the parameter KeyName")
	}
	if len(name) > 255 {
		return ErrInvalidParameterValue.With("Value (%s) for parameter keyName is invalid. Length exceeds maximum of 255.", name)
	}
	for _, c := range name {
		if c < 0x20 || c > 0x7e {
			return ErrInvalidParameterValue.With("Value (%s) for parameter keyName is invalid. Character sets beyond ASCII are not supported.", name)
		}
	}
	return nil
}

// ed25519Fingerprint is AWS's fingerprint of ED25519 keys: base64 of the SHA-256 of the
// public key in SSH wire format.
func ed25519Fingerprint(pub ssh.PublicKey) string {
	sum := sha256.Sum256(pub.Marshal())
	return base64.StdEncoding.EncodeToString(sum[:])
}

// CreateKeyPair creates a key pair and returns its private key (PEM) once.
func (s *Service) CreateKeyPair(ctx context.Context, in *CreateKeyPairInput) (*CreateKeyPairOutput, error) {
	return dispatchDo(ctx, s, "CreateKeyPair", in, s.createKeyPair)
}

func (s *Service) createKeyPair(ctx context.Context, in *CreateKeyPairInput) (*CreateKeyPairOutput, error) {
	if err := validKeyName(in.KeyName); err != nil {
		return nil, err
	}
	if in.KeyFormat != "" && in.KeyFormat != "pem" && in.KeyFormat != "ppk" {
		return nil, ErrInvalidParameterValue.With("Value (%s) for parameter keyFormat is invalid. Valid values: pem, ppk", in.KeyFormat)
	}
	if in.KeyFormat == "ppk" {
		return nil, apierr.New(apierr.Invalid, "UnsupportedOperation", "The ppk key format is not supported by devopsim.")
	}
	tags, err := keyTags(in.TagSpecifications)
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	kt := first(in.KeyType, "rsa")
	var material, fp string
	var pub ssh.PublicKey
	switch kt {
	case "rsa":
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			return nil, err
		}
		sum := sha1.Sum(der)
		fp = colonHex(sum[:])
		material = strings.TrimRight(string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})), "\n")
		if pub, err = ssh.NewPublicKey(&k.PublicKey); err != nil {
			return nil, err
		}
	case "ed25519":
		pk, sk, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		blk, err := ssh.MarshalPrivateKey(sk, "")
		if err != nil {
			return nil, err
		}
		material = strings.TrimRight(string(pem.EncodeToMemory(blk)), "\n")
		if pub, err = ssh.NewPublicKey(pk); err != nil {
			return nil, err
		}
		fp = ed25519Fingerprint(pub)
	default:
		return nil, ErrInvalidParameterValue.With("Value (%s) for parameter keyType is invalid. Valid values: rsa, ed25519", kt)
	}
	rec, err := s.putKeyPair(ctx, in.KeyName, kt, fp, pub, tags)
	if err != nil {
		return nil, err
	}
	return &CreateKeyPairOutput{KeyPairID: rec.KeyPairID, KeyName: rec.KeyName, KeyFingerprint: fp, KeyMaterial: material, Tags: tags}, nil
}

func (s *Service) putKeyPair(ctx context.Context, name, kt, fp string, pub ssh.PublicKey, tags []Tag) (keyPairRecord, error) {
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))) + " " + name
	rec := keyPairRecord{KeyPairInfo: KeyPairInfo{KeyPairID: newID("key"), KeyName: name, KeyFingerprint: fp, KeyType: kt,
		CreateTime: s.clk.Now().UTC().Truncate(time.Millisecond), Tags: tags}, PublicKeyOpenSSH: line}
	// Names are unique per account and region: the name is the key.
	if err := s.keyPairs.Create(ctx, scope(ctx)+name, rec); err != nil {
		if errors.Is(err, store.ErrExists) {
			return rec, ErrKeyPairDuplicate.With("The keypair '%s' already exists.", name)
		}
		return rec, err
	}
	return rec, nil
}

// ImportKeyPair imports an OpenSSH public key (ssh-rsa or ssh-ed25519).
func (s *Service) ImportKeyPair(ctx context.Context, in *ImportKeyPairInput) (*ImportKeyPairOutput, error) {
	return dispatchDo(ctx, s, "ImportKeyPair", in, s.importKeyPair)
}

func (s *Service) importKeyPair(ctx context.Context, in *ImportKeyPairInput) (*ImportKeyPairOutput, error) {
	if err := validKeyName(in.KeyName); err != nil {
		return nil, err
	}
	if len(in.PublicKeyMaterial) == 0 {
		return nil, ErrMissingParameter.With("The request must contain the parameter PublicKeyMaterial")
	}
	tags, err := keyTags(in.TagSpecifications)
	if err != nil {
		return nil, err
	}
	pub, err := ParsePublicKey(in.PublicKeyMaterial)
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	kt, fp, err := importedFingerprint(pub)
	if err != nil {
		return nil, err
	}
	rec, err := s.putKeyPair(ctx, in.KeyName, kt, fp, pub, tags)
	if err != nil {
		return nil, err
	}
	return &ImportKeyPairOutput{KeyPairID: rec.KeyPairID, KeyName: rec.KeyName, KeyFingerprint: fp, Tags: tags}, nil
}

// ParsePublicKey parses the public key material ImportKeyPair accepts: an OpenSSH
// authorized_keys line of an RSA (at least 1024 bits) or ED25519 key.
func ParsePublicKey(material []byte) (ssh.PublicKey, error) {
	pub, _, _, _, err := ssh.ParseAuthorizedKey(material)
	if err != nil {
		return nil, ErrKeyPairFormat.With("Key is not in valid OpenSSH public key format")
	}
	switch pub.Type() {
	case ssh.KeyAlgoRSA, ssh.KeyAlgoED25519:
	default:
		return nil, ErrKeyPairFormat.With("Key is not in valid OpenSSH public key format")
	}
	if _, _, err := importedFingerprint(pub); err != nil {
		return nil, err
	}
	return pub, nil
}

// importedFingerprint is AWS's fingerprint of an imported key: the MD5 of the DER public key
// (colon hex) for RSA, base64 SHA-256 for ED25519.
func importedFingerprint(pub ssh.PublicKey) (kt, fp string, err error) {
	cp, ok := pub.(ssh.CryptoPublicKey)
	if !ok {
		return "", "", ErrKeyPairFormat.With("Key is not in valid OpenSSH public key format")
	}
	switch k := cp.CryptoPublicKey().(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 1024 {
			return "", "", ErrKeyPairFormat.With("Key is not in valid OpenSSH public key format: RSA keys must be at least 1024 bits")
		}
		der, err := x509.MarshalPKIXPublicKey(k)
		if err != nil {
			return "", "", ErrKeyPairFormat.With("Key is not in valid OpenSSH public key format")
		}
		sum := md5.Sum(der)
		return "rsa", colonHex(sum[:]), nil
	case ed25519.PublicKey:
		return "ed25519", ed25519Fingerprint(pub), nil
	}
	return "", "", ErrKeyPairFormat.With("Key is not in valid OpenSSH public key format")
}

// DescribeKeyPairs lists key pairs.
func (s *Service) DescribeKeyPairs(ctx context.Context, in *DescribeKeyPairsInput) (*DescribeKeyPairsOutput, error) {
	return dispatchDo(ctx, s, "DescribeKeyPairs", in, s.describeKeyPairs)
}

func (s *Service) describeKeyPairs(ctx context.Context, in *DescribeKeyPairsInput) (*DescribeKeyPairsOutput, error) {
	all, err := s.keyPairs.All(ctx, scope(ctx))
	if err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b keyPairRecord) int { return strings.Compare(a.KeyName, b.KeyName) })
	keys, _, err := selection[keyPairRecord, KeyPairInfo]{
		ids: []byID[keyPairRecord]{
			{in.KeyNames, func(k keyPairRecord) string { return k.KeyName }, missing(ErrKeyPairNotFound, "The key pair '%s' does not exist")},
			{in.KeyPairIDs, func(k keyPairRecord) string { return k.KeyPairID }, missing(ErrKeyPairNotFound, "The key pair '%s' does not exist")},
		},
		filters: in.Filters, values: keyPairFilter,
		view: func(k keyPairRecord) KeyPairInfo {
			info := k.KeyPairInfo
			if in.IncludePublicKey {
				info.PublicKey = k.PublicKeyOpenSSH
			}
			return info
		},
	}.run(all)
	if err != nil {
		return nil, err
	}
	return &DescribeKeyPairsOutput{KeyPairs: keys}, nil
}

func keyPairFilter(k keyPairRecord, name string) ([]string, bool) {
	switch name {
	case "key-name":
		return []string{k.KeyName}, true
	case "key-pair-id":
		return []string{k.KeyPairID}, true
	case "fingerprint":
		return []string{k.KeyFingerprint}, true
	case "key-type":
		return []string{k.KeyType}, true
	}
	return tagFilter(name, k.Tags)
}

// DeleteKeyPair deletes a key pair (deleting an unknown name succeeds, as in AWS; an unknown
// id fails). Running instances keep their key.
func (s *Service) DeleteKeyPair(ctx context.Context, in *DeleteKeyPairInput) (*DeleteKeyPairOutput, error) {
	return dispatchDo(ctx, s, "DeleteKeyPair", in, s.deleteKeyPair)
}

func (s *Service) deleteKeyPair(ctx context.Context, in *DeleteKeyPairInput) (*DeleteKeyPairOutput, error) {
	if in.KeyName == "" && in.KeyPairID == "" {
		return nil, ErrMissingParameter.With("The request must contain the parameter KeyName or KeyPairId")
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	name := in.KeyName
	if in.KeyPairID != "" {
		all, err := s.keyPairs.All(ctx, scope(ctx))
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(all, func(k keyPairRecord) bool { return k.KeyPairID == in.KeyPairID })
		if i < 0 {
			return nil, ErrKeyPairNotFound.With("The key pair '%s' does not exist", in.KeyPairID)
		}
		name = all[i].KeyName
	}
	rec, err := s.keyPairs.Get(ctx, scope(ctx)+name)
	if errors.Is(err, store.ErrNotFound) {
		return &DeleteKeyPairOutput{Return: true}, nil
	}
	if err != nil {
		return nil, err
	}
	if err := s.keyPairs.Delete(ctx, scope(ctx)+name); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return &DeleteKeyPairOutput{Return: true, KeyPairID: rec.KeyPairID}, nil
}

// keyPairPublic returns the authorized_keys line of a key pair, or InvalidKeyPair.NotFound.
func (s *Service) keyPairPublic(ctx context.Context, name string) (string, error) {
	rec, err := s.keyPairs.Get(ctx, scope(ctx)+name)
	if errors.Is(err, store.ErrNotFound) {
		return "", ErrKeyPairNotFound.With("The key pair '%s' does not exist", name)
	}
	return rec.PublicKeyOpenSSH, err
}
