package cfnhost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/ec2sim/host"
)

// flagSpec names an option's long and short spellings and whether it takes a value.
type flagSpec struct {
	long, short string
	value       bool
}

// parseFlags parses optparse-style arguments (--long value, --long=value, -s value, -svalue,
// flags without values); it returns the options by long name and the positional arguments.
func parseFlags(args []string, specs []flagSpec) (map[string]string, []string, error) {
	opts := map[string]string{}
	var pos []string
	find := func(a string) (flagSpec, string, bool, bool) {
		if v, ok := strings.CutPrefix(a, "--"); ok {
			name, val, hasVal := strings.Cut(v, "=")
			for _, s := range specs {
				if s.long == name {
					return s, val, hasVal, true
				}
			}
			return flagSpec{}, "", false, false
		}
		for _, s := range specs {
			if s.short != "" && strings.HasPrefix(a, "-"+s.short) {
				rest := a[1+len(s.short):]
				if rest == "" {
					return s, "", false, true
				}
				if s.value {
					return s, rest, true, true
				}
			}
		}
		return flagSpec{}, "", false, false
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		s, val, hasVal, ok := find(a)
		if !ok {
			return nil, nil, fmt.Errorf("no such option: %s", a)
		}
		if !s.value {
			opts[s.long] = "true"
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				return nil, nil, fmt.Errorf("%s option requires an argument", a)
			}
			i++
			val = args[i]
		}
		opts[s.long] = val
	}
	return opts, pos, nil
}

// credential options every helper script accepts (credentials are not needed: the host's
// identity is used).
var credFlags = []flagSpec{
	{"access-key", "", true}, {"secret-key", "", true}, {"role", "", true}, {"credential-file", "f", true},
	{"url", "u", true}, {"http-proxy", "", true}, {"https-proxy", "", true},
}

var signalFlags = append([]flagSpec{
	{"success", "s", true}, {"reason", "r", true}, {"data", "d", true}, {"id", "i", true}, {"exit-code", "e", true},
	{"stack", "", true}, {"resource", "", true}, {"region", "", true}, {"include-instance-id", "", true}, {"version", "", false},
}, credFlags...)

const signalUsage = `Usage: cfn-signal [options] [WaitConditionHandle URL]

Options:
  -s SUCCESS, --success=SUCCESS   If true, signal success to CloudFormation; if false, signal failure (default: true)
  -r REASON, --reason=REASON      The reason for success/failure
  -d DATA, --data=DATA            The data to send
  -i ID, --id=ID                  A unique ID to send (default: the instance ID)
  -e EXIT_CODE, --exit-code=EXIT_CODE  Derive success or failure from the specified exit code
  --stack=STACK                   A CloudFormation stack name or ID (with --resource)
  --resource=RESOURCE             A logical resource ID with a CreationPolicy
  --region=REGION                 The CloudFormation region
`

// cmdSignal is cfn-signal: it signals a resource with a CreationPolicy (SignalResource) or a
// WaitConditionHandle URL.
func (t *Tools) cmdSignal(ctx context.Context, c *host.Call) int {
	opts, pos, err := parseFlags(c.Args[1:], signalFlags)
	if err != nil {
		fmt.Fprintf(c.Stderr, "%s\ncfn-signal: error: %v\n", signalUsage, err)
		return 2
	}
	if _, ok := opts["version"]; ok {
		fmt.Fprintln(c.Stdout, "cfn-signal 2.0")
		return 0
	}
	status := "SUCCESS"
	if s, ok := opts["success"]; ok && !strings.EqualFold(s, "true") {
		status = "FAILURE"
	}
	if e, ok := opts["exit-code"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(e))
		if err != nil {
			fmt.Fprintf(c.Stderr, "cfn-signal: error: option -e: invalid integer value: '%s'\n", e)
			return 2
		}
		if n != 0 {
			status = "FAILURE"
		}
	}
	reason := opts["reason"]
	if reason == "" && status == "FAILURE" {
		reason = "Configuration failed"
	}
	id := opts["id"]
	if id == "" {
		id = c.Host.Metadata().InstanceID
	}
	cf, err := t.stacks()
	if err != nil {
		fmt.Fprintf(c.Stderr, "cfn-signal: %v\n", err)
		return 1
	}
	stack, resource := opts["stack"], opts["resource"]
	switch {
	case stack != "" || resource != "":
		if stack == "" || resource == "" {
			fmt.Fprintf(c.Stderr, "%s\ncfn-signal: error: --stack and --resource must be specified together\n", signalUsage)
			return 2
		}
		cctx := callerCtx(ctx, c.Host, opts["region"])
		_, err := cf.SignalResource(cctx, &cloudformation.SignalResourceInput{StackName: stack, LogicalResourceId: resource, UniqueId: id, Status: status})
		if err != nil {
			fmt.Fprintf(c.Stderr, "%s\n", apiMessage(err))
			return 1
		}
		return 0
	case len(pos) == 1:
		u := pos[0]
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			fmt.Fprintf(c.Stderr, "cfn-signal: error: invalid WaitConditionHandle URL: %s\n", u)
			return 1
		}
		if err := cf.SignalWaitCondition(ctx, u, status, reason, id, opts["data"]); err != nil {
			fmt.Fprintf(c.Stderr, "%s\n", apiMessage(err))
			return 1
		}
		return 0
	default:
		fmt.Fprintf(c.Stderr, "%s\ncfn-signal: error: Error: WaitConditionHandle URL or --stack and --resource are required\n", signalUsage)
		return 2
	}
}

// apiMessage renders a service error as the helper scripts print it ("Code: message").
func apiMessage(err error) string {
	var e *apierr.Error
	if errors.As(err, &e) && e.Code != "" {
		return e.Code + ": " + e.Message
	}
	return err.Error()
}

// waitSignal is the JSON document a wait condition handle accepts.
type waitSignal struct {
	Status   string `json:"Status"`
	Reason   string `json:"Reason"`
	UniqueID string `json:"UniqueId"`
	Data     string `json:"Data"`
}

func (t *Tools) serveWaitCondition(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPut {
		http.Error(w, "<Error><Code>MethodNotAllowed</Code><Message>The specified method is not allowed against this resource.</Message></Error>", http.StatusMethodNotAllowed)
		return
	}
	cf, err := t.stacks()
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var sig waitSignal
	if err := json.Unmarshal(body, &sig); err != nil {
		http.Error(w, "<Error><Code>MalformedJSON</Code><Message>The signal is not a JSON document with Status, Reason, UniqueId and Data</Message></Error>", http.StatusBadRequest)
		return
	}
	u := "https://" + r.Host + r.URL.EscapedPath()
	if err := cf.SignalWaitCondition(r.Context(), u, sig.Status, sig.Reason, sig.UniqueID, sig.Data); err != nil {
		http.Error(w, "<Error><Code>InvalidArgument</Code><Message>"+err.Error()+"</Message></Error>", http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusOK)
}

var metadataFlags = append([]flagSpec{
	{"stack", "s", true}, {"resource", "r", true}, {"region", "", true}, {"key", "k", true},
}, credFlags...)

// cmdGetMetadata is cfn-get-metadata: it prints a resource's metadata (or one key of it) as
// JSON.
func (t *Tools) cmdGetMetadata(ctx context.Context, c *host.Call) int {
	opts, _, err := parseFlags(c.Args[1:], metadataFlags)
	if err != nil {
		fmt.Fprintf(c.Stderr, "cfn-get-metadata: error: %v\n", err)
		return 2
	}
	if opts["stack"] == "" || opts["resource"] == "" {
		fmt.Fprintln(c.Stderr, "cfn-get-metadata: error: --stack and --resource are required")
		return 2
	}
	md, err := t.metadata(ctx, c.Host, opts["stack"], opts["resource"], opts["region"])
	if err != nil {
		fmt.Fprintln(c.Stderr, err)
		return 1
	}
	var v any
	if err := json.Unmarshal(md, &v); err != nil {
		v = map[string]any{}
	}
	if k := opts["key"]; k != "" {
		for _, part := range strings.Split(k, ".") {
			m, ok := v.(map[string]any)
			if !ok {
				fmt.Fprintf(c.Stderr, "Error: %s is not present in the metadata\n", k)
				return 1
			}
			if v, ok = m[part]; !ok {
				fmt.Fprintf(c.Stderr, "Error: %s is not present in the metadata\n", k)
				return 1
			}
		}
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	fmt.Fprintln(c.Stdout, string(b))
	return 0
}

// metadata fetches a resource's Metadata (JSON; "{}" when it has none) as the host.
func (t *Tools) metadata(ctx context.Context, h *host.Host, stack, resource, region string) ([]byte, error) {
	cf, err := t.stacks()
	if err != nil {
		return nil, err
	}
	out, err := cf.DescribeStackResource(callerCtx(ctx, h, region), &cloudformation.DescribeStackResourceInput{StackName: stack, LogicalResourceId: resource})
	if err != nil {
		return nil, fmt.Errorf("%s", apiMessage(err))
	}
	if out.StackResourceDetail == nil || out.StackResourceDetail.Metadata == "" {
		return []byte("{}"), nil
	}
	return []byte(out.StackResourceDetail.Metadata), nil
}
