// Package deliverylog is the bounded, in-memory log of recent deliveries that services with
// asynchronous targets (EventBridge, SNS) keep so that Go code and tests can observe what was
// delivered: the last N entries, each numbered in order of recording.
//
// A Log is safe for concurrent use. It holds no clock and starts no goroutine; errors do not
// arise.
package deliverylog
