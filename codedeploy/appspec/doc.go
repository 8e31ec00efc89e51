// Package appspec parses and validates CodeDeploy AppSpec files for the EC2/On-premises
// compute platform (version 0.0, os linux or windows), the way the CodeDeploy agent does.
//
// Parse accepts YAML and JSON (JSON is read as YAML, as the agent does). Validation follows the
// agent's ApplicationSpecification: the same checks in the same order with the same messages
// (a *ValidationError whose Message is the agent's AppSpecValidationException text), including
// the permissions section's mode, acls and SELinux context/range rules. Two checks the agent
// makes only when a permission is applied to a file (a pattern or except list on a file
// object, a default ACE on a file) are Permission.ValidateFilePermission and
// Permission.ValidateFileACL.
//
// Deviations from the agent: a mode is read from the YAML source text, so `mode: 0644` is mode
// 0644 (the agent's YAML 1.1 loader turns a leading-zero number into octal first, so it would
// read 420); malformed sections the agent would crash on (hooks that are not a map, a files
// entry that is not a map) get a ValidationError naming the section instead.
//
// Matching (MatchesPattern, MatchesExcept) follows the agent's simple globs: '*' only, never
// across '/'.
//
// Everything here is pure and safe for concurrent use.
package appspec
