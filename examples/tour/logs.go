package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// agentSetup writes an application log on the staging servers and starts the CloudWatch agent
// shipping it to the log group /tour/app.
const agentSetup = `mkdir -p /var/log/app /opt/aws/amazon-cloudwatch-agent/etc
for i in 1 2 3 4 5; do echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) GET /orders/$i 200" >> /var/log/app/app.log; done
cat > /opt/aws/amazon-cloudwatch-agent/etc/config.json <<'CONFIG'
{"logs": {"logs_collected": {"files": {"collect_list": [
  {"file_path": "/var/log/app/app.log", "log_group_name": "/tour/app", "log_stream_name": "{instance_id}"}
]}}}}
CONFIG
amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -c file:/opt/aws/amazon-cloudwatch-agent/etc/config.json -s`

// logsInsights has the CloudWatch agent on the staging servers ship an application log, then
// asks Logs Insights how many requests came per minute.
func (t *tour) logsInsights() error {
	out, err := ssm.NewFromConfig(t.cfg).SendCommand(t.ctx, &ssm.SendCommandInput{
		DocumentName: aws.String("AWS-RunShellScript"),
		Targets:      []ssmtypes.Target{{Key: aws.String("tag:Env"), Values: []string{"staging"}}},
		Parameters:   map[string][]string{"commands": {agentSetup}},
	})
	if err != nil {
		return err
	}
	if err := t.p.SSM().Wait(t.ctx, aws.ToString(out.Command.CommandId)); err != nil {
		return err
	}
	logs := cloudwatchlogs.NewFromConfig(t.cfg)
	// The agent ships every few seconds: wait for both servers' lines.
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := logs.FilterLogEvents(t.ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/tour/app"), FilterPattern: aws.String(`"GET /orders"`)})
		if err == nil && len(got.Events) >= 10 {
			t.step("cloudwatch agent on the staging servers shipped %d lines of /var/log/app/app.log to /tour/app", len(got.Events))
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the agent did not ship the log: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	now := time.Now()
	q, err := logs.StartQuery(t.ctx, &cloudwatchlogs.StartQueryInput{
		LogGroupName: aws.String("/tour/app"), QueryString: aws.String(`filter @message like /GET/ | stats count(*) by bin(1m)`),
		StartTime: aws.Int64(now.Add(-time.Hour).Unix()), EndTime: aws.Int64(now.Add(time.Minute).Unix()),
	})
	if err != nil {
		return err
	}
	if err := t.p.Logs().WaitQuery(t.ctx, aws.ToString(q.QueryId)); err != nil {
		return err
	}
	res, err := logs.GetQueryResults(t.ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: q.QueryId})
	if err != nil {
		return err
	}
	for _, row := range res.Results {
		var cells []string
		for _, f := range row {
			cells = append(cells, aws.ToString(f.Field)+"="+aws.ToString(f.Value))
		}
		t.step("logs insights `stats count(*) by bin(1m)`: %s", strings.Join(cells, " "))
	}
	if len(res.Results) == 0 {
		return fmt.Errorf("the Insights query returned nothing (%s)", res.Status)
	}
	return nil
}
