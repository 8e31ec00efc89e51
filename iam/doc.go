// Package iam is the small part of AWS Identity and Access Management that git credentials
// need: IAM users (CreateUser, GetUser, ListUsers, DeleteUser) and their service-specific
// credentials (CreateServiceSpecificCredential, ListServiceSpecificCredentials,
// ResetServiceSpecificCredential, UpdateServiceSpecificCredential,
// DeleteServiceSpecificCredential), access keys (CreateAccessKey: AKIA... id and a
// 40-character secret answered once and stored as a salted hash, at most two per user;
// ListAccessKeys, UpdateAccessKey Active/Inactive, DeleteAccessKey; DeleteUser refuses a user
// with keys: DeleteConflict), on the awsQuery protocol (Version 2010-05-08), and roles:
// CreateRole, GetRole, ListRoles, DeleteRole, UpdateAssumeRolePolicy, inline role policies
// (Put/Get/Delete/ListRolePolicies), managed policies (CreatePolicy, GetPolicy,
// GetPolicyVersion, DeletePolicy, Attach/Detach/ListAttachedRolePolicies; AWS managed ARNs
// arn:aws:iam::aws:policy/... are accepted without being modelled) and instance profiles
// (Create/Get/Delete/ListInstanceProfiles, Add/RemoveRoleFromInstanceProfile). Policy
// documents are checked (JSON object, Version 2012-10-17 or 2008-10-17, Statement entries
// with Effect Allow or Deny: MalformedPolicyDocument) and answered URL-encoded, as AWS does.
//
// A codecommit.amazonaws.com credential is the pair git sends over HTTPS basic auth:
// ServiceUserName "<user>-at-<account>" and a generated 44-character ServicePassword that
// is answered only when the credential is created or reset (it is stored as a salted SHA-256
// hash). Check verifies such a pair and answers the account; it has the shape of
// codecommit.Options.GitAuth, so the platform wires one into the other.
//
// # Concurrency, time and errors
//
// A Service is safe for concurrent use; state lives in the platform store, per account (IAM is
// global, so regions share it). Creation dates come from the platform clock; nothing runs in
// the background. Errors carry IAM's codes (NoSuchEntity, EntityAlreadyExists,
// DeleteConflict, LimitExceeded, NotSupportedService, ValidationError).
//
// # Deviations from AWS
//
// No groups, user policies or authorization (access keys are not accepted as request credentials): policies are stored and answered,
// never evaluated. Managed policies have one version (v1). Inline policies are limited by
// count (100 per role), not by AWS's total size. Service-specific credentials never expire (CredentialAgeDays is ignored), and
// only codecommit.amazonaws.com and cassandra.amazonaws.com are accepted services. A user's
// second credential for a service gets the user name "<user>+1-at-<account>".
package iam
