package cfnres

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/devopsim/devopsim/ec2sim/autoscaling"
)

func TestParseRolling(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy map[string]any
		want   *rollingPolicy
		err    string
	}{
		{"absent", nil, nil, ""},
		{"other policy", map[string]any{"AutoScalingReplacingUpdate": map[string]any{"WillReplace": "true"}}, nil, ""},
		{"defaults", map[string]any{"AutoScalingRollingUpdate": map[string]any{}}, &rollingPolicy{maxBatch: 1, minSuccessPct: 100}, ""},
		{"signals default pause", map[string]any{"AutoScalingRollingUpdate": map[string]any{"WaitOnResourceSignals": true}},
			&rollingPolicy{maxBatch: 1, minSuccessPct: 100, waitSignals: true, pause: 5 * time.Minute}, ""},
		{"all set", map[string]any{"AutoScalingRollingUpdate": map[string]any{"MaxBatchSize": "2", "MinInstancesInService": float64(1),
			"MinSuccessfulInstancesPercent": "75", "PauseTime": "PT1M30S", "WaitOnResourceSignals": "true"}},
			&rollingPolicy{maxBatch: 2, minInService: 1, minSuccessPct: 75, waitSignals: true, pause: 90 * time.Second}, ""},
		{"suspend", map[string]any{"AutoScalingRollingUpdate": map[string]any{"SuspendProcesses": []any{"AlarmNotification", "AZRebalance"}}},
			&rollingPolicy{maxBatch: 1, minSuccessPct: 100, suspend: []string{"AlarmNotification", "AZRebalance"}}, ""},
		{"zero batch", map[string]any{"AutoScalingRollingUpdate": map[string]any{"MaxBatchSize": "0"}}, nil, "MaxBatchSize"},
		{"bad number", map[string]any{"AutoScalingRollingUpdate": map[string]any{"MinInstancesInService": "many"}}, nil, "MinInstancesInService"},
		{"percent over 100", map[string]any{"AutoScalingRollingUpdate": map[string]any{"MinSuccessfulInstancesPercent": "101"}}, nil, "between 0 and 100"},
		{"pause too long", map[string]any{"AutoScalingRollingUpdate": map[string]any{"PauseTime": "PT2H"}}, nil, "PauseTime"},
		{"pause not ISO", map[string]any{"AutoScalingRollingUpdate": map[string]any{"PauseTime": "5 minutes"}}, nil, "PauseTime"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseRolling(tc.policy)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (got == nil) != (tc.want == nil) || (got != nil && !reflect.DeepEqual(*got, *tc.want)) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestLaunchChangedAndCurrent(t *testing.T) {
	lt := func(v string) map[string]any { return map[string]any{"LaunchTemplateId": "lt-1", "Version": v} }
	if launchChanged(map[string]any{"LaunchTemplate": lt("1"), "MinSize": "1"}, map[string]any{"LaunchTemplate": lt("1"), "MinSize": "2"}) {
		t.Error("a size change made instances obsolete")
	}
	if !launchChanged(map[string]any{"LaunchTemplate": lt("1")}, map[string]any{"LaunchTemplate": lt("2")}) {
		t.Error("a new launch template version did not")
	}
	if !launchChanged(map[string]any{"VPCZoneIdentifier": []any{"a"}}, map[string]any{"VPCZoneIdentifier": []any{"b"}}) {
		t.Error("new subnets did not")
	}
	grp := &autoscaling.Group{LaunchTemplate: &autoscaling.LaunchTemplateSpecification{LaunchTemplateID: "lt-1", Version: "2"}}
	for _, tc := range []struct {
		in   autoscaling.Instance
		want bool
	}{
		{autoscaling.Instance{LaunchTemplate: &autoscaling.LaunchTemplateSpecification{LaunchTemplateID: "lt-1", Version: "2"}}, true},
		{autoscaling.Instance{LaunchTemplate: &autoscaling.LaunchTemplateSpecification{LaunchTemplateID: "lt-1", Version: "1"}}, false},
		{autoscaling.Instance{LaunchTemplate: &autoscaling.LaunchTemplateSpecification{LaunchTemplateID: "lt-2", Version: "2"}}, false},
		{autoscaling.Instance{LaunchConfigurationName: "lc"}, false},
	} {
		if got := current(grp, tc.in); got != tc.want {
			t.Errorf("current(%+v) = %v", tc.in.LaunchTemplate, got)
		}
	}
	lc := &autoscaling.Group{LaunchConfigurationName: "lc-2"}
	if current(lc, autoscaling.Instance{LaunchConfigurationName: "lc-1"}) || !current(lc, autoscaling.Instance{LaunchConfigurationName: "lc-2"}) {
		t.Error("launch configuration comparison")
	}
}

func FuzzParseRolling(f *testing.F) {
	f.Add("2", "1", "PT5M", "true", "50")
	f.Add("0", "x", "P1D", "", "200")
	f.Add("1", "0", "PT99999999999999999999H", "false", "0")
	f.Fuzz(func(t *testing.T, batch, min, pause, wait, pct string) {
		rp, err := parseRolling(map[string]any{"AutoScalingRollingUpdate": map[string]any{"MaxBatchSize": batch, "MinInstancesInService": min,
			"PauseTime": pause, "WaitOnResourceSignals": wait, "MinSuccessfulInstancesPercent": pct}})
		if err == nil && (rp.maxBatch < 1 || rp.minInService < 0 || rp.pause < 0 || rp.pause > time.Hour || rp.minSuccessPct > 100) {
			t.Fatalf("accepted %+v", rp)
		}
	})
}
