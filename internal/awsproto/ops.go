package awsproto

import "sort"

// ServiceInfo describes a registered service for documentation.
type ServiceInfo struct {
	Name       string
	Protocols  []Protocol
	Operations []string // sorted
}

// Describe lists the registered services and their operations, sorted by name.
func (rt *Router) Describe() []ServiceInfo {
	out := make([]ServiceInfo, 0, len(rt.services))
	for name, e := range rt.services {
		info := ServiceInfo{Name: name, Protocols: e.svc.Protocols}
		for op := range e.ops {
			info.Operations = append(info.Operations, op)
		}
		sort.Strings(info.Operations)
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
