// Package wiretest holds the round-trip tests of CloudTrail through the real aws-sdk-go-v2
// cloudtrail client and the awsJson1_1 router. They live apart from package cloudtrail's tests
// so that those do not depend on every service's wire table compiling.
package wiretest
