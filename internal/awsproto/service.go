package awsproto

import (
	"context"
	"net/http"
)

// Protocol is an AWS wire protocol.
type Protocol int

const (
	JSON10 Protocol = iota + 1
	JSON11
	Query
	EC2Query
	RPCv2CBOR
)

func (p Protocol) String() string {
	switch p {
	case JSON10:
		return "awsJson1_0"
	case JSON11:
		return "awsJson1_1"
	case Query:
		return "awsQuery"
	case EC2Query:
		return "ec2Query"
	case RPCv2CBOR:
		return "rpcv2Cbor"
	}
	return "unknown"
}

// Op is one operation of a service.
type Op struct {
	Name     string
	NewInput func() any
	Call     func(ctx context.Context, in any) (any, error)
}

// Handle makes an Op from a typed service method such as (*codecommit.Service).CreateRepository.
func Handle[In, Out any](name string, fn func(context.Context, *In) (*Out, error)) Op {
	return Op{
		Name:     name,
		NewInput: func() any { return new(In) },
		Call: func(ctx context.Context, in any) (any, error) {
			out, err := fn(ctx, in.(*In))
			if err != nil {
				return nil, err
			}
			if out == nil {
				return new(Out), nil
			}
			return out, nil
		},
	}
}

// Service describes one AWS service on the wire.
type Service struct {
	// Name is the SigV4 signing name, e.g. "codecommit", "monitoring", "logs".
	Name string
	// Protocols the service answers in; the first is its primary one.
	Protocols []Protocol
	// TargetPrefix is the X-Amz-Target prefix for JSON protocols, e.g. "CodeCommit_20150413".
	// AltTargetPrefixes are accepted too (older SDKs).
	TargetPrefix      string
	AltTargetPrefixes []string
	// Version is the query API version, e.g. "2010-05-15".
	Version string
	// XMLNamespace is the xmlns of query responses, e.g.
	// "http://cloudformation.amazonaws.com/doc/2010-05-15/".
	XMLNamespace string
	// CBORName is the service name in rpcv2Cbor paths, e.g. "GraniteServiceVersion20100801".
	CBORName string
	// QueryCompatible services answer JSON and CBOR errors with X-Amzn-Query-Error: Code;Fault
	// too, as AWS does for services that moved from awsQuery (CloudWatch, SQS).
	QueryCompatible bool
	// QueryErrors maps an error shape name (the __type of JSON and CBOR errors, e.g.
	// "InvalidParameterValueException") to its awsQuery code when they differ (AWS's
	// awsQueryError trait, e.g. "InvalidParameterValue"). An operation may return either name
	// as apierr.Error.Code: JSON and CBOR send the shape name in __type and the query code in
	// X-Amzn-Query-Error; awsQuery sends the query code.
	QueryErrors map[string]string
	Ops         []Op
}

// Mount is a plain HTTP handler served under a path prefix (git smart HTTP, S3, admin).
type Mount struct {
	Prefix  string
	Handler http.Handler
}
