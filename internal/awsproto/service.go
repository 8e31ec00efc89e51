// Package awsproto is the wire layer: one http.Handler that finds the service, protocol and
// operation of an AWS request, decodes it into the operation's Go input, runs it, and encodes
// the output or error the way the protocol wants.
//
// Services never see wire formats. Their input and output types name each member as AWS's model
// does in a `json` struct tag; every codec reads those names:
//
//   - awsJson 1.0/1.1 and rpcv2Cbor: the tag name is the member name on the wire.
//   - awsQuery: the tag name is the query key and the XML element name; lists are
//     Name.member.N in requests and <Name><member>..</member></Name> in responses; maps are
//     Name.entry.N.key / .value.
//   - ec2Query: the request key is the `ec2` tag if present, else the tag name with its first
//     letter upper-cased; lists are Key.N. The response element is the `xml` tag if present,
//     else the tag name with its first letter lower-cased; list items are <item>.
//
// time.Time is epoch seconds in JSON, ISO-8601 in XML and a CBOR tag-1 epoch in CBOR; []byte is
// base64 in JSON and XML. Use `omitempty` for strings, slices, maps and pointers and `omitzero`
// for numbers, bools, time.Time and structs (JSON encoding follows encoding/json/v2 semantics).
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
	// QueryCompatible services answer JSON and CBOR errors with X-Amzn-Query-Error too; the map
	// gives each error code's query code when it differs (AWS's awsQueryError trait).
	QueryCompatible bool
	Ops             []Op
}

// Mount is a plain HTTP handler served under a path prefix (git smart HTTP, S3, admin).
type Mount struct {
	Prefix  string
	Handler http.Handler
}
