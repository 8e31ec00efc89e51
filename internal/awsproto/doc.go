// Package awsproto is the wire layer: one http.Handler (Router) that finds the service,
// protocol and operation of an AWS request, decodes it into the operation's Go input, runs it,
// and encodes the output or error the way the protocol wants.
//
// # Routing
//
// A request is matched, in order, by: a Mount prefix (git, admin); the "s3" SigV4 signing name
// (to the Fallback); the rpcv2 path /service/{CBORName}/operation/{Op} (rpcv2Cbor); the
// X-Amz-Target header "{TargetPrefix}.{Op}" (awsJson 1.0/1.1, chosen by Content-Type
// application/x-amz-json-1.0 or -1.1, else the service's JSON protocol); a form body
// (application/x-www-form-urlencoded) or GET query with Action and Version (awsQuery, or
// ec2Query for services listing EC2Query), the service being the one the SigV4 signing name
// selects, else the one registered for Version. Anything else goes to the Fallback (S3), or
// gets an UnknownOperationException.
//
// # Struct tags
//
// Services never see wire formats. Their input and output types name each member as AWS's model
// does in a `json` struct tag; every codec reads those names:
//
//   - awsJson 1.0/1.1 and rpcv2Cbor: the tag name is the member name on the wire.
//   - awsQuery: the tag name is the query key and the XML element name; lists are
//     Name.member.N in requests (flattened Name.N and custom Name.Item.N are accepted too) and
//     <Name><member>..</member></Name> in responses; maps are Name.entry.N.key / .value in
//     requests (Key/Value and Name/Value entry names and flattened maps accepted) and
//     <Name><entry><key/><value/></entry></Name> in responses.
//   - ec2Query: the request key is the `ec2` tag if present, else the tag name with its first
//     letter upper-cased (AWS's ec2QueryName rule); lists are always flat, Key.N. The response
//     element is the `xml` tag if present, else the tag name with its first letter lower-cased;
//     list items are <item>.
//
// time.Time is epoch seconds in JSON (a number with milliseconds; ISO-8601 strings are
// accepted on input), ISO-8601 in query XML (and in query parameters), and a CBOR tag-1 epoch
// (integer, or float with a fraction) in CBOR; decoded times are UTC. []byte is base64 in JSON
// and query, a CBOR byte string in CBOR. Use `omitempty` for strings, slices, maps and pointers
// and `omitzero` for numbers, bools, time.Time and structs (JSON encoding follows
// encoding/json/v2 semantics; CBOR uses the same tags through fxamacker/cbor).
//
// # Errors
//
// An operation's error becomes the protocol's envelope once, here: awsJson
// {"__type": code, "message": msg} with X-Amzn-ErrorType; awsQuery
// <ErrorResponse><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/></ErrorResponse>;
// ec2Query <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>;
// rpcv2Cbor a CBOR map {"__type", "message"}. QueryCompatible services add
// X-Amzn-Query-Error: Code;Sender|Receiver to JSON and CBOR errors, translating codes through
// Service.QueryErrors. Errors that are not *apierr.Error become InternalFailure (500) and are
// logged; causes are never sent. Every response carries x-amzn-RequestId.
//
// Bad input gets the protocol's client error (400) with a message that says what is wrong:
// SerializationException for JSON and CBOR, MalformedQueryString / InvalidParameterValue /
// MissingAction / MissingParameter / InvalidAction for the query protocols; an unknown operation
// names the operation (UnknownOperationException, or InvalidAction for query); bodies past
// RouterOptions.MaxBody get 413 RequestEntityTooLarge. Content-Encoding: gzip bodies are
// decompressed (the limit applies after decompression). A panic in an operation is recovered,
// logged and answered with 500 InternalFailure; the router keeps serving.
//
// # Authentication
//
// RouterOptions.Authenticate turns the request's SigV4 credential (ParseCredential) into an
// identity.Caller. The default, AccessKeyAuth, accepts any key as the default account's root,
// except that a 12-digit access key id selects that account. StrictSigV4 verifies signatures
// (header or presigned URL) with the AWS SDK's own v4 signer.
//
// # Concurrency and time
//
// Register, Mount and Fallback must be called before serving; ServeHTTP is safe for concurrent
// use. The router itself reads no clock (StrictSigV4 takes one for expiry checks).
package awsproto
