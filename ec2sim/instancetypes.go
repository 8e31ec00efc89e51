package ec2sim

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/devopsim/devopsim/apierr"
)

// InstanceTypeInfo describes an instance type.
type InstanceTypeInfo struct {
	InstanceType                  string        `json:"InstanceType"`
	CurrentGeneration             bool          `json:"CurrentGeneration"`
	FreeTierEligible              bool          `json:"FreeTierEligible"`
	SupportedUsageClasses         []string      `json:"SupportedUsageClasses"`
	SupportedRootDeviceTypes      []string      `json:"SupportedRootDeviceTypes"`
	SupportedVirtualizationTypes  []string      `json:"SupportedVirtualizationTypes"`
	BareMetal                     bool          `json:"BareMetal"`
	Hypervisor                    string        `json:"Hypervisor"`
	ProcessorInfo                 ProcessorInfo `json:"ProcessorInfo"`
	VCpuInfo                      VCpuInfo      `json:"VCpuInfo"`
	MemoryInfo                    MemoryInfo    `json:"MemoryInfo"`
	InstanceStorageSupported      bool          `json:"InstanceStorageSupported"`
	EbsInfo                       EbsInfo       `json:"EbsInfo"`
	NetworkInfo                   NetworkInfo   `json:"NetworkInfo"`
	BurstablePerformanceSupported bool          `json:"BurstablePerformanceSupported"`
}

// ProcessorInfo is an instance type's processor.
type ProcessorInfo struct {
	SupportedArchitectures   []string `json:"SupportedArchitectures"`
	SustainedClockSpeedInGhz float64  `json:"SustainedClockSpeedInGhz"`
}

// VCpuInfo is an instance type's vCPUs.
type VCpuInfo struct {
	DefaultVCpus          int32 `json:"DefaultVCpus"`
	DefaultCores          int32 `json:"DefaultCores"`
	DefaultThreadsPerCore int32 `json:"DefaultThreadsPerCore"`
}

// MemoryInfo is an instance type's memory.
type MemoryInfo struct {
	SizeInMiB int64 `json:"SizeInMiB"`
}

// EbsInfo is an instance type's EBS support.
type EbsInfo struct {
	EbsOptimizedSupport string `json:"EbsOptimizedSupport"`
	EncryptionSupport   string `json:"EncryptionSupport"`
}

// NetworkInfo is an instance type's networking.
type NetworkInfo struct {
	NetworkPerformance        string `json:"NetworkPerformance"`
	MaximumNetworkInterfaces  int32  `json:"MaximumNetworkInterfaces"`
	Ipv4AddressesPerInterface int32  `json:"Ipv4AddressesPerInterface"`
}

// DescribeInstanceTypesInput lists instance types.
type DescribeInstanceTypesInput struct {
	InstanceTypes []string `json:"InstanceTypes,omitempty" ec2:"InstanceType"`
	Filters       []Filter `json:"Filters,omitempty" ec2:"Filter"`
	MaxResults    int32    `json:"MaxResults,omitzero"`
	NextToken     string   `json:"NextToken,omitempty"`
	DryRun        bool     `json:"DryRun,omitzero"`
}

// DescribeInstanceTypesOutput lists instance types.
type DescribeInstanceTypesOutput struct {
	InstanceTypes []InstanceTypeInfo `json:"InstanceTypes" xml:"instanceTypeSet"`
	NextToken     string             `json:"NextToken,omitempty"`
}

// instanceTypes is the catalogue RunInstances accepts: vCPUs, memory (MiB), network.
var instanceTypes = func() []InstanceTypeInfo {
	type spec struct {
		name          string
		vcpus, thread int32
		mib           int64
		hv            string
		clock         float64
		net           string
		enis, ips     int32
		gen, free     bool
	}
	specs := []spec{
		{"c5.large", 2, 2, 4096, "nitro", 3.4, "Up to 10 Gigabit", 3, 10, true, false},
		{"c5.xlarge", 4, 2, 8192, "nitro", 3.4, "Up to 10 Gigabit", 4, 15, true, false},
		{"m1.small", 1, 1, 1740, "xen", 0, "Low", 2, 4, false, false},
		{"m4.large", 2, 2, 8192, "xen", 2.4, "Moderate", 2, 10, true, false},
		{"m4.xlarge", 4, 2, 16384, "xen", 2.4, "High", 4, 15, true, false},
		{"m4.2xlarge", 8, 2, 32768, "xen", 2.4, "High", 4, 15, true, false},
		{"m5.large", 2, 2, 8192, "nitro", 3.1, "Up to 10 Gigabit", 3, 10, true, false},
		{"m5.xlarge", 4, 2, 16384, "nitro", 3.1, "Up to 10 Gigabit", 4, 15, true, false},
		{"m5.2xlarge", 8, 2, 32768, "nitro", 3.1, "Up to 10 Gigabit", 4, 15, true, false},
		{"r5.large", 2, 2, 16384, "nitro", 3.1, "Up to 10 Gigabit", 3, 10, true, false},
		{"t1.micro", 1, 1, 627, "xen", 0, "Very Low", 2, 2, false, false},
		{"t2.nano", 1, 1, 512, "xen", 2.4, "Low to Moderate", 2, 2, true, false},
		{"t2.micro", 1, 1, 1024, "xen", 2.5, "Low to Moderate", 2, 2, true, true},
		{"t2.small", 1, 1, 2048, "xen", 2.5, "Low to Moderate", 3, 4, true, false},
		{"t2.medium", 2, 1, 4096, "xen", 2.3, "Low to Moderate", 3, 6, true, false},
		{"t2.large", 2, 1, 8192, "xen", 2.3, "Low to Moderate", 3, 12, true, false},
		{"t2.xlarge", 4, 1, 16384, "xen", 2.3, "Moderate", 3, 15, true, false},
	}
	for _, fam := range []struct {
		f     string
		clock float64
	}{{"t3", 2.5}, {"t3a", 2.2}} {
		for _, sz := range []struct {
			s         string
			vcpus     int32
			mib       int64
			enis, ips int32
		}{{"micro", 2, 1024, 2, 2}, {"small", 2, 2048, 3, 4}, {"medium", 2, 4096, 3, 6}, {"large", 2, 8192, 3, 12}, {"xlarge", 4, 16384, 4, 15}} {
			specs = append(specs, spec{fam.f + "." + sz.s, sz.vcpus, 2, sz.mib, "nitro", fam.clock, "Up to 5 Gigabit", sz.enis, sz.ips, true, fam.f == "t3" && sz.s == "micro"})
		}
	}
	out := make([]InstanceTypeInfo, 0, len(specs))
	for _, s := range specs {
		// t1.micro predates burstable performance (CPU credits) and runs PV and HVM images.
		burst := s.name[0] == 't' && s.name != "t1.micro"
		virt := []string{"hvm"}
		if s.hv == "xen" && !burst {
			virt = []string{"hvm", "paravirtual"}
		}
		arch := []string{"x86_64"}
		switch s.name {
		case "m1.small", "t1.micro", "t2.nano", "t2.micro", "t2.small":
			arch = []string{"i386", "x86_64"}
		}
		ebs := "default"
		switch {
		case s.name == "t1.micro" || strings.HasPrefix(s.name, "t2."):
			ebs = "unsupported"
		case s.hv == "xen":
			ebs = "supported"
		}
		out = append(out, InstanceTypeInfo{InstanceType: s.name, CurrentGeneration: s.gen, FreeTierEligible: s.free,
			SupportedUsageClasses: []string{"on-demand", "spot"}, SupportedRootDeviceTypes: []string{"ebs"}, SupportedVirtualizationTypes: virt,
			Hypervisor: s.hv, ProcessorInfo: ProcessorInfo{SupportedArchitectures: arch, SustainedClockSpeedInGhz: s.clock},
			VCpuInfo:   VCpuInfo{DefaultVCpus: s.vcpus, DefaultCores: max(1, s.vcpus/s.thread), DefaultThreadsPerCore: s.thread},
			MemoryInfo: MemoryInfo{SizeInMiB: s.mib}, EbsInfo: EbsInfo{EbsOptimizedSupport: ebs, EncryptionSupport: "supported"},
			NetworkInfo:                   NetworkInfo{NetworkPerformance: s.net, MaximumNetworkInterfaces: s.enis, Ipv4AddressesPerInterface: s.ips},
			BurstablePerformanceSupported: burst})
	}
	slices.SortFunc(out, func(a, b InstanceTypeInfo) int {
		if a.InstanceType < b.InstanceType {
			return -1
		}
		if a.InstanceType > b.InstanceType {
			return 1
		}
		return 0
	})
	return out
}()

// InstanceTypes returns the names of the instance types devopsim offers.
func InstanceTypes() []string {
	out := make([]string, len(instanceTypes))
	for i, t := range instanceTypes {
		out[i] = t.InstanceType
	}
	return out
}

func knownInstanceType(t string) bool {
	_, ok := slices.BinarySearchFunc(instanceTypes, t, func(e InstanceTypeInfo, t string) int {
		switch {
		case e.InstanceType < t:
			return -1
		case e.InstanceType > t:
			return 1
		}
		return 0
	})
	return ok
}

// DescribeInstanceTypes lists the instance types of the catalogue.
func (s *Service) DescribeInstanceTypes(ctx context.Context, in *DescribeInstanceTypesInput) (*DescribeInstanceTypesOutput, error) {
	return dispatchDo(ctx, s, "DescribeInstanceTypes", in, s.describeInstanceTypes)
}

func (s *Service) describeInstanceTypes(ctx context.Context, in *DescribeInstanceTypesInput) (*DescribeInstanceTypesOutput, error) {
	var missing []string
	for _, t := range in.InstanceTypes {
		if !knownInstanceType(t) {
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 {
		return nil, apierr.New(apierr.Invalid, "InvalidInstanceType", "The following supplied instance types do not exist: %v", missing)
	}
	limit, after, err := pageParams(in.MaxResults, 5, 100, nil, in.NextToken)
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, ErrDryRun
	}
	name := func(t InstanceTypeInfo) string { return t.InstanceType }
	types, next, err := selection[InstanceTypeInfo, InstanceTypeInfo]{
		ids:     []byID[InstanceTypeInfo]{{want: in.InstanceTypes, of: name}},
		filters: in.Filters, values: instanceTypeFilter, view: func(t InstanceTypeInfo) InstanceTypeInfo { return t },
		limit: limit, after: after, key: name,
	}.run(instanceTypes)
	if err != nil {
		return nil, err
	}
	return &DescribeInstanceTypesOutput{InstanceTypes: types, NextToken: next}, nil
}

func instanceTypeFilter(t InstanceTypeInfo, name string) ([]string, bool) {
	switch name {
	case "instance-type":
		return []string{t.InstanceType}, true
	case "current-generation":
		return []string{strconv.FormatBool(t.CurrentGeneration)}, true
	case "free-tier-eligible":
		return []string{strconv.FormatBool(t.FreeTierEligible)}, true
	case "burstable-performance-supported":
		return []string{strconv.FormatBool(t.BurstablePerformanceSupported)}, true
	case "hypervisor":
		return []string{t.Hypervisor}, true
	case "vcpu-info.default-vcpus":
		return []string{fmt.Sprint(t.VCpuInfo.DefaultVCpus)}, true
	case "vcpu-info.default-cores":
		return []string{fmt.Sprint(t.VCpuInfo.DefaultCores)}, true
	case "memory-info.size-in-mib":
		return []string{fmt.Sprint(t.MemoryInfo.SizeInMiB)}, true
	case "processor-info.supported-architecture":
		return t.ProcessorInfo.SupportedArchitectures, true
	case "network-info.network-performance":
		return []string{t.NetworkInfo.NetworkPerformance}, true
	}
	return nil, false
}
