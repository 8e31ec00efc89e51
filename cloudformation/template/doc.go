// Package template reads AWS CloudFormation templates: JSON and YAML (every short-form tag:
// !Ref, !Sub, !GetAtt, !Join, !Select, !Split, !FindInMap, !Base64, !Cidr, !GetAZs,
// !ImportValue, !If, !Equals, !And, !Or, !Not, !Condition), the sections
// AWSTemplateFormatVersion, Description, Metadata, Parameters, Rules, Mappings, Conditions,
// Transform, Resources and Outputs, and CloudFormation's checks on them.
//
// Load parses a body into a Template (raw tree plus typed views: Parameters, Resources,
// Outputs, Conditions...); Validate checks references, intrinsic function shapes, resource
// types and attributes (through ValidateOptions), and circular dependencies; Dependencies
// gives the graph the stack engine schedules from (Ref, Fn::GetAtt, Fn::Sub and DependsOn).
// Context.Eval evaluates intrinsic functions with AWS's rules (pseudo parameters, Fn::GetAZs,
// Fn::Cidr, Fn::FindInMap, Fn::Sub with its ${!Literal} escape, AWS::NoValue removal), and
// Context.Condition evaluates (and memoises) named conditions. Expand applies the
// AWS::LanguageExtensions transform (Fn::ForEach, Fn::Length, Fn::ToJsonString, Fn::FindInMap
// DefaultValue, intrinsic DeletionPolicy); other transforms are refused with AWS's message.
// Parameter.Check validates a value against its declaration (type, AllowedValues,
// AllowedPattern with Java-style regular expressions through regexp2, Min/MaxLength,
// Min/MaxValue, ConstraintDescription).
//
// Errors: every problem with a template is a *Error whose Message is CloudFormation's text
// ("Template format error: Unresolved resource dependencies [X] in the Resources block of the
// template", "Circular dependency between resources: [A, B]", ...); the parser enforces
// MaxBodySize (51,200 bytes) and MaxResources (500) and bounds nesting, so hostile input gets
// an error, never a panic or unbounded work (FuzzLoad, FuzzEval and FuzzParameter cover it).
//
// Concurrency: a loaded Template is read-only and may be shared by goroutines; a Context is
// not safe for concurrent use (it memoises conditions). The package reads no clock.
//
// Deviations: YAML anchors and merge keys are accepted (CloudFormation refuses anchors);
// ValidateTemplate-style checks do not know resource property schemas (cfn-lint's E3xxx
// rules), so a misspelt property is found only when the provider rejects it.
package template
