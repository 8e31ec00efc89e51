// Package iam is the small part of AWS Identity and Access Management that git credentials
// need: IAM users (CreateUser, GetUser, ListUsers, DeleteUser) and their service-specific
// credentials (CreateServiceSpecificCredential, ListServiceSpecificCredentials,
// ResetServiceSpecificCredential, UpdateServiceSpecificCredential,
// DeleteServiceSpecificCredential), on the awsQuery protocol (Version 2010-05-08).
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
// No policies, groups, roles, access keys or authorization: users exist only to own
// credentials. Service-specific credentials never expire (CredentialAgeDays is ignored), and
// only codecommit.amazonaws.com and cassandra.amazonaws.com are accepted services. A user's
// second credential for a service gets the user name "<user>+1-at-<account>".
package iam
