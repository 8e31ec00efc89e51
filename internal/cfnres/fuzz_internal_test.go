package cfnres

import (
	"encoding/json"
	"testing"

	"github.com/devopsim/devopsim/ec2sim"
	"github.com/devopsim/devopsim/ec2sim/autoscaling"
)

// FuzzDecode feeds arbitrary property documents to the property decoder: it must return an
// error or a value, never panic.
func FuzzDecode(f *testing.F) {
	f.Add(`{"ImageId":"ami-1","InstanceType":"t3.micro","SecurityGroupIds":["sg-1"],"BlockDeviceMappings":[{"DeviceName":"/dev/xvda","Ebs":{"VolumeSize":"8"}}]}`)
	f.Add(`{"MinSize":"1","MaxSize":2,"DesiredCapacity":"x","Tags":[{"Key":"a","Value":1,"PropagateAtLaunch":"true"}]}`)
	f.Add(`{"SecurityGroups":"sg-1","EbsOptimized":"yes"}`)
	f.Add(`{"SecurityGroupIngress":[{"IpProtocol":"tcp","FromPort":"22","ToPort":[1],"CidrIp":{}}]}`)
	f.Add(`[1,2]`)
	f.Fuzz(func(t *testing.T, doc string) {
		var props map[string]any
		if json.Unmarshal([]byte(doc), &props) != nil {
			return
		}
		_ = decode(props, &ec2sim.RunInstancesInput{})
		_ = decode(props, &autoscaling.CreateAutoScalingGroupInput{})
		_, _, _ = groupRules(props)
		_, _, _ = num(props, "MinSize")
		_ = strs(props, "SecurityGroupIds")
	})
}
