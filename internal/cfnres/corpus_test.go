package cfnres_test

import (
	"context"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/devopsim/devopsim/cloudformation"
	"github.com/devopsim/devopsim/ec2sim"
)

// amiID matches the AMI IDs real templates hard-code (in mappings): the simulator has only
// its own images, so the corpus test points them at Amazon Linux 2023.
var amiID = regexp.MustCompile(`ami-[0-9a-f]{8,17}(example)?\b`)

// createsBucket matches a template declaring an AWS::S3::Bucket resource.
var createsBucket = regexp.MustCompile(`(?m)AWS::S3::Bucket['"]?,?\s*$`)

// corpusParams fills the parameters a template leaves without a default.
func corpusParams(p *platform, t *testing.T, body string) []cloudformation.Parameter {
	sum, err := p.cf.GetTemplateSummary(context.Background(), &cloudformation.GetTemplateSummaryInput{TemplateBody: body})
	if err != nil {
		return nil
	}
	var out []cloudformation.Parameter
	for _, pd := range sum.Parameters {
		if pd.DefaultValue != "" {
			continue
		}
		v := "x"
		var allowed []string
		if pd.ParameterConstraints != nil {
			allowed = pd.ParameterConstraints.AllowedValues
		}
		switch {
		case len(allowed) > 0:
			v = allowed[0]
		case strings.Contains(pd.ParameterKey, "Bucket") || strings.Contains(pd.ParameterKey, "S3Location"):
			// A bucket the template creates, or (when it creates none) one that exists.
			v = fmt.Sprintf("corpus-bucket-%08x", crc32.ChecksumIEEE([]byte(body)))
			if !createsBucket.MatchString(body) {
				_ = p.Objects.CreateBucket(context.Background(), v)
			}
		case strings.Contains(strings.ToUpper(pd.ParameterKey), "CIDR"):
			v = "10.99.0.0/16"
		case strings.Contains(strings.ToLower(pd.ParameterKey), "accountid") || strings.Contains(pd.ParameterKey, "OwnerId"):
			v = "123456789012"
		case strings.Contains(pd.ParameterType, "KeyPair") || strings.Contains(pd.ParameterKey, "KeyName"):
			v = "test-key"
		case strings.Contains(pd.ParameterType, "Subnet::Id"):
			v = p.defaultSubnets(t)
		case strings.Contains(pd.ParameterType, "VPC::Id"):
			v = p.defaultVPC(t)
		case strings.Contains(pd.ParameterType, "SecurityGroup::Id"):
			v = p.defaultGroup(t)
		case strings.Contains(pd.ParameterKey, "RouteTable"):
			v = p.mainRouteTable(t)
		case strings.Contains(pd.ParameterKey, "PeeringConnection"):
			v = "pcx-0123456789abcdef0" // routes to peering connections are checked for format only
		case strings.Contains(pd.ParameterType, "Image::Id"):
			v = ec2sim.AL2023AMI
		case pd.ParameterType == "Number":
			v = "1"
		case strings.Contains(pd.ParameterKey, "Email"):
			v = "ops@example.com"
		case strings.Contains(pd.ParameterKey, "Password"):
			v = "Passw0rdPassw0rd"
		case strings.Contains(pd.ParameterType, "List"):
			v = "a,b"
		}
		out = append(out, cloudformation.Parameter{ParameterKey: pd.ParameterKey, ParameterValue: v})
	}
	return out
}

// TestCorpus deploys the real-world templates of testdata/corpus (those using only supported
// resource types, see testdata/MANIFEST.tsv) end to end and deletes them.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob("testdata/corpus/*")
	p := newPlatform(t)
	// Templates take a KeyName parameter; ec2sim checks the key pair exists.
	if _, err := p.EC2.CreateKeyPair(context.Background(), &ec2sim.CreateKeyPairInput{KeyName: "test-key"}); err != nil {
		t.Fatal(err)
	}
	ok := 0
	var failed []string
	for i, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		body := amiID.ReplaceAllStringFunc(string(b), func(id string) string {
			if strings.HasPrefix(id, "ami-0a2023") || strings.HasPrefix(id, "ami-0a2000") || strings.HasPrefix(id, "ami-0b2") {
				return id
			}
			return ec2sim.AL2023AMI
		})
		name := "corpus" + strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
				return r
			}
			return '-'
		}, strings.TrimSuffix(filepath.Base(f), filepath.Ext(f)))
		name = strings.Trim(name[:min(len(name), 100)], "-")
		if _, err := p.cf.CreateStack(context.Background(), &cloudformation.CreateStackInput{StackName: name, TemplateBody: body,
			Parameters: corpusParams(p, t, body), Capabilities: []string{"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"}}); err != nil {
			failed = append(failed, filepath.Base(f)+": "+err.Error())
			continue
		}
		if !p.waitSettled(t, name) {
			failed = append(failed, filepath.Base(f)+": still "+func() string { s, _ := p.stack(t, name); return s }()+" with every host booted (waiting for resource signals: no instance ran cfn-signal)")
			continue
		}
		status, _ := p.stack(t, name)
		if status != "CREATE_COMPLETE" {
			failed = append(failed, filepath.Base(f)+": "+status+": "+strings.TrimSpace(p.failures(t, name)))
			continue
		}
		ok++
		p.deleteStack(t, name)
		_ = i
	}
	t.Logf("corpus: %d of %d templates deploy end to end", ok, len(files))
	for _, f := range failed {
		t.Log("  " + f)
	}
	if ok < minCorpus {
		t.Fatalf("only %d corpus templates deploy (want at least %d)", ok, minCorpus)
	}
}

// waitSettled waits until the stack's operation ends and reports whether it did. A stack that
// makes no progress for 3 s while every instance has finished booting waits for a signal no host
// will send (its hosts' user data could not run here); it is given up on then, not after the
// CreationPolicy's timeout.
func (p *platform) waitSettled(t *testing.T, name string) bool {
	t.Helper()
	ctx := context.Background()
	latest := "" // the newest stack event's ID after the previous round
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); {
		wctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		_, err := p.cf.WaitStack(wctx, name)
		cancel()
		if err == nil {
			return true
		}
		insts, err := p.EC2.DescribeInstances(ctx, &ec2sim.DescribeInstancesInput{Filters: []ec2sim.Filter{{Name: "instance-state-name", Values: []string{"pending", "running"}}}})
		if err != nil {
			t.Fatal(err)
		}
		bctx, cancel := context.WithTimeout(ctx, time.Minute)
		for _, r := range insts.Reservations {
			for _, i := range r.Instances {
				_ = p.EC2.WaitBooted(bctx, i.InstanceID) // one at a time: an instance stopped meanwhile fails alone
			}
		}
		cancel()
		ev, err := p.cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: name})
		if err != nil {
			t.Fatal(err)
		}
		if len(ev.StackEvents) > 0 && ev.StackEvents[0].EventId == latest {
			return false
		}
		if len(ev.StackEvents) > 0 {
			latest = ev.StackEvents[0].EventId
		}
	}
	return false
}

// minCorpus is how many of the 79 corpus templates deploy end to end today.
const minCorpus = 52

func (p *platform) defaultSubnets(t *testing.T) string {
	out, err := p.EC2.DescribeSubnets(context.Background(), &ec2sim.DescribeSubnetsInput{})
	if err != nil || len(out.Subnets) == 0 {
		t.Fatalf("DescribeSubnets: %v", err)
	}
	var ids []string
	for _, s := range out.Subnets {
		ids = append(ids, s.SubnetID)
	}
	return strings.Join(ids[:min(2, len(ids))], ",")
}

func (p *platform) defaultVPC(t *testing.T) string {
	out, err := p.EC2.DescribeVpcs(context.Background(), &ec2sim.DescribeVpcsInput{Filters: []ec2sim.Filter{{Name: "is-default", Values: []string{"true"}}}})
	if err != nil || len(out.Vpcs) == 0 {
		t.Fatalf("DescribeVpcs: %v", err)
	}
	return out.Vpcs[0].VpcID
}

func (p *platform) defaultGroup(t *testing.T) string {
	out, err := p.EC2.DescribeSecurityGroups(context.Background(), &ec2sim.DescribeSecurityGroupsInput{Filters: []ec2sim.Filter{
		{Name: "vpc-id", Values: []string{p.defaultVPC(t)}}, {Name: "group-name", Values: []string{"default"}}}})
	if err != nil || len(out.SecurityGroups) == 0 {
		t.Fatalf("DescribeSecurityGroups: %v", err)
	}
	return out.SecurityGroups[0].GroupID
}

func (p *platform) mainRouteTable(t *testing.T) string {
	out, err := p.EC2.DescribeRouteTables(context.Background(), &ec2sim.DescribeRouteTablesInput{Filters: []ec2sim.Filter{
		{Name: "vpc-id", Values: []string{p.defaultVPC(t)}}, {Name: "association.main", Values: []string{"true"}}}})
	if err != nil || len(out.RouteTables) == 0 {
		t.Fatalf("DescribeRouteTables: %v", err)
	}
	return out.RouteTables[0].RouteTableID
}
