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
// Merges: MergeBranchesByFastForward, MergeBranchesBySquash, MergeBranchesByThreeWay,
// CreateUnreferencedMergeCommit, GetMergeOptions, GetMergeCommit, GetMergeConflicts,
// DescribeMergeConflicts, BatchDescribeMergeConflicts. Trees merge path by path; a file
// both sides changed conflicts at FILE_LEVEL, and at LINE_LEVEL (or with AUTOMERGE) text
// files merge line by line with diff3 semantics (Myers diffs from github.com/sergi/go-diff;
// changes to the same or adjacent lines conflict, as with git; clean merges agree with
// git merge-file, which a test checks). Binary files (a NUL in the first 8,000 bytes),
// delete/modify, mode and file/folder conflicts are reported with AWS's ConflictMetadata;
// merge hunks are 1-based line ranges of the regions either side changed. ACCEPT_SOURCE and
// ACCEPT_DESTINATION keep clean line merges and take that side's lines (or whole path)
// where both changed; conflictResolution (replaceContents KEEP_BASE/KEEP_SOURCE/
// KEEP_DESTINATION/USE_NEW_CONTENT, deleteFiles, setFileModes) settles the rest; anything
// unresolved is ManualMergeRequiredException. A merge holds the repository's write lock from
// reading the branches to moving the target, so ConcurrentReferenceUpdateException only
// answers a second simultaneous merge of the same pull request.
//
// Pull requests: CreatePullRequest (one target; clientRequestToken idempotency),
// GetPullRequest, ListPullRequests (author, status; newest first), UpdatePullRequestTitle,
// UpdatePullRequestDescription, UpdatePullRequestStatus, MergePullRequestByFastForward,
// MergePullRequestBySquash, MergePullRequestByThreeWay, DescribePullRequestEvents (the last
// 1,000). A push to the source branch makes a new revision (approvals and override reset);
// a source merged into the destination by other means closes the pull request as merged.
// Approval rules: CreatePullRequestApprovalRule, UpdatePullRequestApprovalRuleContent,
// DeletePullRequestApprovalRule, UpdatePullRequestApprovalState (the author cannot approve),
// GetPullRequestApprovalStates, EvaluatePullRequestApprovalRules, GetPullRequestOverrideState,
// OverridePullRequestApprovalRules; templates: Create/Get/Delete/ListApprovalRuleTemplates,
// UpdateApprovalRuleTemplateContent/Name/Description, (Batch)Associate/Disassociate,
// ListAssociatedApprovalRuleTemplatesForRepository, ListRepositoriesForApprovalRuleTemplate.
// Rule content (Version 2018-11-08) is parsed strictly and evaluated: each Approvers
// statement needs NumberOfApprovalsNeeded approvals of the current revision from
// ApprovalPoolMembers (ARNs with * and ? wildcards; an IAM role ARN stands for its
// assumed-role sessions; CodeCommitApprovers:<account>:<name> matches an IAM user or role
// session name), or from anyone when the pool is empty; a template's DestinationReferences
// choose the pull requests it applies to. Merging needs every rule satisfied or an override.
// Comments: PostCommentForPullRequest, PostCommentForComparedCommit, PostCommentReply,
// GetComment, UpdateComment (author only), DeleteCommentContent, GetCommentsForPullRequest,
// GetCommentsForComparedCommit (grouped by commits and location, replies with their root).
//
// History and line diffs: ListFileCommitHistory (the commits that changed a file, with git's
// history simplification at merges and revisionChildren links; renames are not followed),
// GetBlobDifferences (unified-diff hunks with 0-20 context lines, optionally ignoring
// whitespace; binary blobs answer isBinary).
//
// Not implemented (they answer as unknown operations on the wire): comment reactions
// (PutCommentReaction, GetCommentReactions).
//
// For other services: Archive zips a commit's tree (recorded as UploadArchive) and
// ResolveCommit turns a branch, tag or commit ID into a commit ID.
//
// # Events
//
// Every ref change, by push or by API, publishes "CodeCommit Repository State Change" from
// aws.codecommit with event referenceCreated, referenceUpdated or referenceDeleted,
// repositoryName, repositoryId, referenceType (branch, tag), referenceName,
// referenceFullName, commitId, oldCommitId and callerUserArn. Pull requests publish
// "CodeCommit Pull Request State Change" (event pullRequestCreated,
// pullRequestSourceBranchUpdated, pullRequestStatusChanged, pullRequestMergeStatusUpdated,
// pullRequestApprovalRuleCreated/Updated/Deleted/Overridden, pullRequestApprovalStateChanged;
// author, title, description, repositoryNames, source and destination references and
// commits, revisionId, isMerged, pullRequestStatus, notificationBody), and comments publish
// "CodeCommit Comment on Pull Request" and "CodeCommit Comment on Commit" (event
// commentOn...Created/Updated, commentId, inReplyTo, before/afterCommitId, repositoryName,
// repositoryId, pullRequestId). Events and triggers are sent after the repository lock is
// released.
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
// (bounded at 1 GiB). Served packs are not delta-compressed: objects are deflated at zlib's
// fastest level on all cores (on a local link that beats go-git's delta search), and the
// pack of a full clone is cached per repository (up to 256 MiB) until the refs change. Pull
// request IDs count per account and region. Event dates in PR event details use the format
// of AWS's examples; approval rule content may hold 3,000 characters and 25 approvals. Abbreviated commit IDs are not accepted as commit
// specifiers. No KMS encryption happens.
package codecommit
