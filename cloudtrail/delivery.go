package cloudtrail

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/devopsim/devopsim/eventbus"
	"github.com/devopsim/devopsim/internal/dispatch"
	"github.com/devopsim/devopsim/store"
)

// trailBuf holds a trail's events waiting for delivery, per file.
type trailBuf struct {
	files map[fileKey][]*record
}

type fileKey struct {
	account, region string
	insight         bool
}

// route buffers records for the trails that select them and returns the EventBridge events to
// publish. Called under procMu.
func (s *Service) route(snap *trailSnapshot, recs []*record) []*record {
	org := s.organization()
	var pub []*record
	s.dmu.Lock()
	for _, r := range recs {
		selected := false
		for _, t := range snap.trails {
			if !s.covers(t, org, r) || !t.selects(r) {
				continue
			}
			selected = true
			b := s.bufs[t.ARN]
			if b == nil {
				b = &trailBuf{files: map[fileKey][]*record{}}
				s.bufs[t.ARN] = b
			}
			k := fileKey{r.who.Account, r.who.Region, r.cat == catInsight}
			b.files[k] = append(b.files[k], r)
		}
		switch {
		case r.cat == catManagement && !r.readOnly:
			pub = append(pub, r)
		case r.cat == catData && selected:
			pub = append(pub, r)
		case r.cat == catInsight:
			pub = append(pub, r)
		}
	}
	s.dmu.Unlock()
	return pub
}

// publish sends mutating calls (and selected data events, and Insights) to EventBridge.
func (s *Service) publish(recs []*record) {
	if s.env.Events == nil {
		return
	}
	for _, r := range recs {
		dt := "AWS API Call via CloudTrail"
		src := r.src.ebSource
		if r.cat == catInsight {
			dt, src = "AWS Insight via CloudTrail", "aws.cloudtrail"
		}
		var res []string
		for _, x := range r.resources {
			if x.ARN != "" {
				res = append(res, x.ARN)
			}
		}
		if res == nil {
			res = []string{}
		}
		s.env.Events.Publish(context.Background(), eventbus.Event{
			Version: "0", ID: s.eventID(r.pos), DetailType: dt, Source: src,
			Account: r.who.Account, Time: r.t.UTC().Truncate(time.Second), Region: r.who.Region,
			Resources: res, Detail: s.appendRecord(nil, r),
		})
	}
}

// deliver writes the buffered events of every trail (or only of trail arn) to S3 and CloudWatch
// Logs; digests fall due every DigestInterval, or now when forceDigest.
func (s *Service) deliver(ctx context.Context, now time.Time, arn string, forceDigest bool) {
	s.dlvMu.Lock()
	defer s.dlvMu.Unlock()
	s.dmu.Lock()
	bufs := map[string]*trailBuf{}
	for k, b := range s.bufs {
		if arn == "" || k == arn {
			bufs[k] = b
			delete(s.bufs, k)
		}
	}
	s.dmu.Unlock()
	snap := s.snap.Load()
	for _, t := range snap.trails {
		if arn != "" && t.ARN != arn {
			continue
		}
		b := bufs[t.ARN]
		var delivered []logFileInfo
		var dErr, lErr string
		var logsAt time.Time
		if b != nil {
			keys := make([]fileKey, 0, len(b.files))
			for k := range b.files {
				keys = append(keys, k)
			}
			sort.Slice(keys, func(i, j int) bool {
				return keys[i].account+keys[i].region < keys[j].account+keys[j].region
			})
			for _, k := range keys {
				recs := b.files[k]
				info, err := s.putLogFile(ctx, t, k, recs, now)
				if err != nil {
					dErr = err.Error()
					s.log.Warn("cloudtrail: delivery failed", "trail", t.ARN, "err", err)
					continue
				}
				delivered = append(delivered, info)
				if t.LogGroupArn != "" && !k.insight {
					if err := s.putLogs(ctx, t, k, recs); err != nil {
						lErr = err.Error()
					} else {
						logsAt = now
					}
				}
			}
		}
		var digestAt time.Time
		var digestErr string
		if t.Validation {
			digestAt, digestErr = s.digest(ctx, t, delivered, now, forceDigest)
		}
		if b == nil && digestAt.IsZero() && digestErr == "" {
			continue
		}
		_, err := s.trails.Update(ctx, t.key(), func(r *trailRecord) error {
			if b != nil {
				r.LatestAttempt = now
				r.DeliveryError = dErr
				if len(delivered) > 0 {
					r.LatestDelivery = now
				}
				if !logsAt.IsZero() {
					r.LatestLogs = logsAt
				}
				if lErr != "" {
					r.LogsError = lErr
				}
			}
			if !digestAt.IsZero() {
				r.LatestDigest = digestAt
			}
			r.DigestError = digestErr
			return nil
		})
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.log.Warn("cloudtrail: status update failed", "trail", t.ARN, "err", err)
		}
	}
}

// logFileInfo is a delivered log file as a digest lists it.
type logFileInfo struct {
	Account, Region string
	Bucket          string    `json:"s3Bucket"`
	Key             string    `json:"s3Object"`
	Hash            string    `json:"hashValue"`
	Oldest, Newest  time.Time `json:"-"`
}

// prefixFor is the key prefix of a trail's files for an account: [prefix/]AWSLogs/[org/]account/.
func prefixFor(t *trailRecord, account string) string {
	p := ""
	if t.S3KeyPrefix != "" {
		p = strings.TrimSuffix(t.S3KeyPrefix, "/") + "/"
	}
	p += "AWSLogs/"
	if t.Organization && t.OrgID != "" {
		p += t.OrgID + "/"
	}
	return p + account + "/"
}

const uniqueAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func uniqueID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = uniqueAlphabet[int(b[i])%len(uniqueAlphabet)]
	}
	return string(b[:])
}

func (s *Service) putLogFile(ctx context.Context, t *trailRecord, k fileKey, recs []*record, now time.Time) (logFileInfo, error) {
	var raw []byte
	raw = append(raw, `{"Records":[`...)
	oldest, newest := recs[0].t, recs[0].t
	for i, r := range recs {
		if i > 0 {
			raw = append(raw, ',')
		}
		raw = s.appendRecord(raw, r)
		if r.t.Before(oldest) {
			oldest = r.t
		}
		if r.t.After(newest) {
			newest = r.t
		}
	}
	raw = append(raw, ']', '}')
	folder, kind := "CloudTrail", "CloudTrail"
	if k.insight {
		folder, kind = "CloudTrail-Insight", "CloudTrail-Insight"
	}
	u := now.UTC()
	key := fmt.Sprintf("%s%s/%s/%s/%s_%s_%s_%s_%s.json.gz", prefixFor(t, k.account), folder, k.region,
		u.Format("2006/01/02"), k.account, kind, k.region, u.Format("20060102T1504Z"), uniqueID())
	gz, err := gzipBytes(raw)
	if err != nil {
		return logFileInfo{}, err
	}
	if err := s.env.Objects.PutObject(ctx, t.S3BucketName, key, gz); err != nil {
		return logFileInfo{}, err
	}
	sum := sha256.Sum256(raw)
	return logFileInfo{Account: k.account, Region: k.region, Bucket: t.S3BucketName, Key: key,
		Hash: hex.EncodeToString(sum[:]), Oldest: oldest, Newest: newest}, nil
}

func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (s *Service) putLogs(ctx context.Context, t *trailRecord, k fileKey, recs []*record) error {
	if s.opts.Logs == nil {
		return errors.New("CloudWatch Logs delivery is not configured")
	}
	evs := make([]LogEvent, len(recs))
	for i, r := range recs {
		evs[i] = LogEvent{Time: r.t, Message: string(s.appendRecord(nil, r))}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Time.Before(evs[j].Time) })
	stream := k.account + "_CloudTrail_" + k.region
	if t.Organization && t.OrgID != "" {
		stream = t.OrgID + "_" + stream
	}
	return s.opts.Logs.PutTrailEvents(ctx, t.LogGroupArn, t.LogsRoleArn, stream, evs)
}

// digestState is the hash chain of one trail's digests for one account and region.
type digestState struct {
	Trail, Account, Region string
	Last                   time.Time // end of the last digest
	PrevBucket, PrevKey    string
	PrevHash, PrevSig      string
	Pending                []pendingFile
}

type pendingFile struct {
	Bucket, Key, Hash string
	Oldest, Newest    time.Time
}

// sigRecord is a digest file's signature (what AWS keeps in the object's metadata).
type sigRecord struct {
	Signature, Algorithm string
}

// DigestSignature returns the hex signature of a digest file and its algorithm, which AWS keeps
// in the object's x-amz-meta-signature and x-amz-meta-signature-algorithm metadata.
func (s *Service) DigestSignature(ctx context.Context, bucket, key string) (signature, algorithm string, err error) {
	r, err := s.sigs.Get(ctx, bucket+"/"+key)
	if err != nil {
		return "", "", err
	}
	return r.Signature, r.Algorithm, nil
}

// digest records delivered files and, when the interval is due (or force), writes and signs a
// digest per account and region.
func (s *Service) digest(ctx context.Context, t *trailRecord, delivered []logFileInfo, now time.Time, force bool) (time.Time, string) {
	groups := map[string][]logFileInfo{}
	for _, f := range delivered {
		groups[f.Account+"/"+f.Region] = append(groups[f.Account+"/"+f.Region], f)
	}
	states, err := s.digests.All(ctx, t.ARN+"/")
	if err != nil {
		return time.Time{}, err.Error()
	}
	have := map[string]bool{}
	for _, st := range states {
		have[st.Account+"/"+st.Region] = true
	}
	for k, fs := range groups {
		if !have[k] {
			a, r, _ := strings.Cut(k, "/")
			states = append(states, digestState{Trail: t.ARN, Account: a, Region: r, Last: fs[0].Oldest})
		}
	}
	var at time.Time
	var errMsg string
	for i := range states {
		st := &states[i]
		for _, f := range groups[st.Account+"/"+st.Region] {
			st.Pending = append(st.Pending, pendingFile{f.Bucket, f.Key, f.Hash, f.Oldest, f.Newest})
		}
		if force || now.Sub(st.Last) >= s.opts.DigestInterval {
			if err := s.writeDigest(ctx, t, st, now); err != nil {
				errMsg = err.Error()
				continue
			}
			at = now
		}
		if err := s.digests.Put(ctx, t.ARN+"/"+st.Account+"/"+st.Region, *st); err != nil {
			errMsg = err.Error()
		}
	}
	return at, errMsg
}

// digestFile is AWS's digest file.
type digestFile struct {
	AWSAccountID       string          `json:"awsAccountId"`
	DigestStartTime    string          `json:"digestStartTime"`
	DigestEndTime      string          `json:"digestEndTime"`
	DigestS3Bucket     string          `json:"digestS3Bucket"`
	DigestS3Object     string          `json:"digestS3Object"`
	Fingerprint        string          `json:"digestPublicKeyFingerprint"`
	SignatureAlgorithm string          `json:"digestSignatureAlgorithm"`
	NewestEventTime    *string         `json:"newestEventTime"`
	OldestEventTime    *string         `json:"oldestEventTime"`
	PrevBucket         *string         `json:"previousDigestS3Bucket"`
	PrevObject         *string         `json:"previousDigestS3Object"`
	PrevHash           *string         `json:"previousDigestHashValue"`
	PrevHashAlgorithm  *string         `json:"previousDigestHashAlgorithm"`
	PrevSignature      *string         `json:"previousDigestSignature"`
	LogFiles           []digestLogFile `json:"logFiles"`
}

type digestLogFile struct {
	S3Bucket        string `json:"s3Bucket"`
	S3Object        string `json:"s3Object"`
	HashValue       string `json:"hashValue"`
	HashAlgorithm   string `json:"hashAlgorithm"`
	NewestEventTime string `json:"newestEventTime"`
	OldestEventTime string `json:"oldestEventTime"`
}

func strp(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// DigestSigningString is the string a digest's signature covers, as AWS defines it:
// end time, bucket/key, hex SHA-256 of the uncompressed digest, previous signature ("null" first).
func DigestSigningString(endTime, bucket, key string, digest []byte, prevSignature string) string {
	sum := sha256.Sum256(digest)
	if prevSignature == "" {
		prevSignature = "null"
	}
	return endTime + "\n" + bucket + "/" + key + "\n" + hex.EncodeToString(sum[:]) + "\n" + prevSignature
}

func (s *Service) writeDigest(ctx context.Context, t *trailRecord, st *digestState, now time.Time) error {
	signer, fp, alg, err := s.signingKey(ctx)
	if err != nil {
		return err
	}
	u := now.UTC()
	end := u.Format("2006-01-02T15:04:05Z")
	key := fmt.Sprintf("%sCloudTrail-Digest/%s/%s/%s_CloudTrail-Digest_%s_%s_%s_%s.json.gz", prefixFor(t, st.Account), st.Region,
		u.Format("2006/01/02"), st.Account, st.Region, t.Name, t.HomeRegion, u.Format("20060102T150405Z"))
	d := digestFile{
		AWSAccountID: st.Account, DigestStartTime: st.Last.UTC().Format("2006-01-02T15:04:05Z"), DigestEndTime: end,
		DigestS3Bucket: t.S3BucketName, DigestS3Object: key, Fingerprint: fp, SignatureAlgorithm: alg,
		PrevBucket: strp(st.PrevBucket), PrevObject: strp(st.PrevKey), PrevHash: strp(st.PrevHash),
		PrevSignature: strp(st.PrevSig), LogFiles: []digestLogFile{},
	}
	if st.PrevHash != "" {
		d.PrevHashAlgorithm = strp("SHA-256")
	}
	var oldest, newest time.Time
	for _, f := range st.Pending {
		d.LogFiles = append(d.LogFiles, digestLogFile{S3Bucket: f.Bucket, S3Object: f.Key, HashValue: f.Hash, HashAlgorithm: "SHA-256",
			NewestEventTime: f.Newest.UTC().Format("2006-01-02T15:04:05Z"), OldestEventTime: f.Oldest.UTC().Format("2006-01-02T15:04:05Z")})
		if oldest.IsZero() || f.Oldest.Before(oldest) {
			oldest = f.Oldest
		}
		if f.Newest.After(newest) {
			newest = f.Newest
		}
	}
	if !oldest.IsZero() {
		d.OldestEventTime = strp(oldest.UTC().Format("2006-01-02T15:04:05Z"))
		d.NewestEventTime = strp(newest.UTC().Format("2006-01-02T15:04:05Z"))
	}
	raw, err := json.Marshal(d)
	if err != nil {
		return err
	}
	h := sha256.Sum256([]byte(DigestSigningString(end, t.S3BucketName, key, raw, st.PrevSig)))
	sig, err := signer.Sign(rand.Reader, h[:], crypto.SHA256)
	if err != nil {
		return err
	}
	gz, err := gzipBytes(raw)
	if err != nil {
		return err
	}
	sigHex := hex.EncodeToString(sig)
	if mo, ok := s.env.Objects.(metadataObjects); ok {
		err = mo.PutObjectWithMetadata(ctx, t.S3BucketName, key, gz, map[string]string{"signature": sigHex, "signature-algorithm": alg})
	} else {
		err = s.env.Objects.PutObject(ctx, t.S3BucketName, key, gz)
	}
	if err != nil {
		return err
	}
	if err := s.sigs.Put(ctx, t.S3BucketName+"/"+key, sigRecord{Signature: sigHex, Algorithm: alg}); err != nil {
		return err
	}
	sum := sha256.Sum256(raw)
	st.PrevBucket, st.PrevKey, st.PrevHash, st.PrevSig = t.S3BucketName, key, hex.EncodeToString(sum[:]), sigHex
	st.Last, st.Pending = now, nil
	return nil
}

// metadataObjects is implemented by object stores that keep user metadata; digests then carry
// their signature as x-amz-meta-signature, as on AWS.
type metadataObjects interface {
	PutObjectWithMetadata(ctx context.Context, bucket, key string, data []byte, meta map[string]string) error
}

// keyRecord is the stored signing key.
type keyRecord struct {
	PKCS8   []byte
	Created time.Time
}

// signingKey returns the digest signer, its public key fingerprint and algorithm name.
func (s *Service) signingKey(ctx context.Context) (crypto.Signer, string, string, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.signer == nil {
		kr, err := s.keys.Get(ctx, "digest")
		switch {
		case err == nil:
			k, perr := x509.ParsePKCS8PrivateKey(kr.PKCS8)
			if perr != nil {
				return nil, "", "", perr
			}
			signer, ok := k.(crypto.Signer)
			if !ok {
				return nil, "", "", errors.New("cloudtrail: stored key is not a signer")
			}
			s.signer, s.keyAt = signer, kr.Created
		case errors.Is(err, store.ErrNotFound):
			k, gerr := rsa.GenerateKey(rand.Reader, 2048)
			if gerr != nil {
				return nil, "", "", gerr
			}
			der, merr := x509.MarshalPKCS8PrivateKey(k)
			if merr != nil {
				return nil, "", "", merr
			}
			now := s.env.Clock.Now()
			if perr := s.keys.Put(ctx, "digest", keyRecord{PKCS8: der, Created: now}); perr != nil {
				return nil, "", "", perr
			}
			s.signer, s.keyAt = k, now
		default:
			return nil, "", "", err
		}
	}
	if s.keyAt.IsZero() {
		s.keyAt = s.env.Clock.Now()
	}
	der, alg := publicDER(s.signer.Public())
	fp := md5.Sum(der)
	return s.signer, hex.EncodeToString(fp[:]), alg, nil
}

// publicDER encodes a public key as ListPublicKeys does (PKCS#1 for RSA, PKIX otherwise).
func publicDER(pub crypto.PublicKey) ([]byte, string) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return x509.MarshalPKCS1PublicKey(k), "SHA256withRSA"
	case *ecdsa.PublicKey:
		der, _ := x509.MarshalPKIXPublicKey(k)
		return der, "SHA256withECDSA"
	}
	der, _ := x509.MarshalPKIXPublicKey(pub)
	return der, "SHA256"
}

// PublicKey returns the public half of the key that signs digest files (generating the key if
// none exists yet).
func (s *Service) PublicKey(ctx context.Context) (crypto.PublicKey, error) {
	signer, _, _, err := s.signingKey(ctx)
	if err != nil {
		return nil, err
	}
	return signer.Public(), nil
}

// ListPublicKeys returns the digest signing key.
func (s *Service) ListPublicKeys(ctx context.Context, in *ListPublicKeysInput) (*ListPublicKeysOutput, error) {
	return dispatch.Do(ctx, s.d, "ListPublicKeys", in, s.listPublicKeys)
}

func (s *Service) listPublicKeys(ctx context.Context, in *ListPublicKeysInput) (*ListPublicKeysOutput, error) {
	if in.StartTime != nil && in.EndTime != nil && in.StartTime.After(*in.EndTime) {
		return nil, ErrInvalidTimeRange.With("Start time must be before end time.")
	}
	if in.NextToken != "" {
		return nil, ErrInvalidNextToken.With("Invalid NextToken.")
	}
	signer, fp, _, err := s.signingKey(ctx)
	if err != nil {
		return nil, err
	}
	der, _ := publicDER(signer.Public())
	s.keyMu.Lock()
	at := s.keyAt
	s.keyMu.Unlock()
	return &ListPublicKeysOutput{PublicKeyList: []PublicKey{{
		Fingerprint: fp, Value: der, ValidityStartTime: at.UTC().Truncate(time.Second),
		ValidityEndTime: at.Add(365 * 24 * time.Hour).UTC().Truncate(time.Second),
	}}}, nil
}
