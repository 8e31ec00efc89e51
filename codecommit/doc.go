// Package codecommit is AWS CodeCommit: git repositories that really hold commits, served to
// the real git client over smart HTTP and through the CodeCommit API.
//
// # Repositories
//
// Each repository is a go-git repository: in memory by default, on disk under
// Options.Dir/<repositoryId>.git when Dir is set. Metadata (name, description, default branch,
// tags, triggers, KMS key) lives in the platform store, so it survives a restart with a durable
// store; git data survives only on disk. A repository's storage is guarded by a
// reader/writer lock: clones, fetches and reads share it, pushes and API commits hold it
// alone for the short time they write objects and move refs (on disk every access is
// exclusive, because go-git's filesystem storage caches packfiles lazily).
//
// # Git smart HTTP
//
// GitHandler serves /v1/repos/<name>/info/refs, git-upload-pack and git-receive-pack
// (protocol v0, stateless RPC, as git's HTTP transport speaks it; a v2 request is answered in
// v0, which git accepts). Upload-pack advertises multi_ack_detailed, no-done, side-band-64k,
// side-band, ofs-delta, shallow, include-tag, no-progress and symref: clone, fetch with
// have/ACK negotiation, shallow clone with --depth and deepening by --depth work; deepen-since,
// deepen-not, deepen-relative (git fetch --deepen), filter and protocol v2 are not advertised.
// Receive-pack advertises report-status, delete-refs, ofs-delta and atomic, not side-band-64k:
// new branches, fast-forwards, forced updates (git refuses non-fast-forwards client-side
// unless forced), deletes, lightweight and annotated tags, several refs in one push, and thin
// packs (deltas against objects the server has) all work. Every ref update is a
// compare-and-set against the old value the client sent, so of two racing pushers one wins
// and the other gets "ng <ref> failed to lock" and git reports it as rejected. Deleting the
// default branch while others exist is refused, as the DeleteBranch API refuses it.
//
// The account and region of a git request: Options.GitAuth decides when set (it checks HTTP
// basic credentials); otherwise a user name ending in "-at-<12 digits>" (the shape of IAM
// service-specific git credentials) selects that account, the Host
// git-codecommit.<region>.amazonaws.com selects the region, and everything else acts in the
// platform's default account and region. Git requests run through the operation dispatcher
// as GitPull and GitPush, the event names CloudTrail records for them.
//
// # API
//
// Repositories: CreateRepository, GetRepository, BatchGetRepositories, ListRepositories
// (sortBy, order, 1,000 a page), DeleteRepository, UpdateRepositoryName,
// UpdateRepositoryDescription, UpdateRepositoryEncryptionKey (recorded only), TagResource,
// UntagResource, ListTagsForResource. Branches: CreateBranch, GetBranch, ListBranches,
// DeleteBranch, UpdateDefaultBranch. Commits and files: GetCommit, BatchGetCommits,
// CreateCommit (putFiles with content or sourceFile and isMove, deleteFiles, setFileModes,
// keepEmptyFolders writes .gitkeep), PutFile, DeleteFile, GetFile, GetFolder, GetBlob,
// GetDifferences (before/after specifiers, paths, pagination). Triggers:
// PutRepositoryTriggers, GetRepositoryTriggers, TestRepositoryTriggers; triggers fire on pushes
// and API commits, to Go handlers registered with HandleTrigger (destination "go:<name>") or
// to Options.Triggers for SNS and Lambda ARNs.
//
// Not implemented (they answer as unknown operations on the wire): merges, merge conflicts,
// pull requests, comments, approval rules and templates, ListFileCommitHistory,
// GetBlobDifferences, comment reactions.
//
// For other services: Archive zips a commit's tree (recorded as UploadArchive) and
// ResolveCommit turns a branch, tag or commit ID into a commit ID.
//
// # Events
//
// Every ref change, by push or by API, publishes "CodeCommit Repository State Change" from
// aws.codecommit with event referenceCreated, referenceUpdated or referenceDeleted,
// repositoryName, repositoryId, referenceType (branch, tag), referenceName,
// referenceFullName, commitId, oldCommitId and callerUserArn. Events and triggers are sent
// after the repository lock is released.
//
// # Errors and limits
//
// Errors carry AWS's exception names (RepositoryDoesNotExistException,
// BranchNameExistsException, ParentCommitIdOutdatedException, SameFileContentException,
// FileContentSizeLimitExceededException at 6 MB per file and 7 MB per commit,
// MaximumFileEntriesExceededException above 100 entries, ...); the exported Err* sentinels
// match them with errors.Is.
//
// # Time
//
// Commit and event times come from the platform clock; nothing runs in the background, and
// Close has nothing to wait for.
//
// # Deviations from AWS
//
// Author names default to the caller's principal name. A push's pack is held in memory
// (bounded at 1 GiB). Served packs are not delta-compressed (zlib only): on a local link that
// is faster than go-git's delta search. Abbreviated commit IDs are not accepted as commit
// specifiers. No KMS encryption happens.
package codecommit
