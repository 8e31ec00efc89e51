package appspec

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// DefaultTimeout is a hook script's timeout in seconds when the appspec gives none.
const DefaultTimeout = 3600

// File exists behaviours.
const (
	Disallow  = "DISALLOW"
	Overwrite = "OVERWRITE"
	Retain    = "RETAIN"
)

// ValidationError is the agent's AppSpecValidationException.
type ValidationError struct{ Message string }

func (e *ValidationError) Error() string { return e.Message }

func verr(format string, args ...any) error {
	if len(args) == 0 {
		return &ValidationError{Message: format}
	}
	return &ValidationError{Message: fmt.Sprintf(format, args...)}
}

// AppSpec is a parsed appspec file.
type AppSpec struct {
	Version            string // "0.0"
	OS                 string // "linux" or "windows"
	FileExistsBehavior string // "" when absent, else DISALLOW, OVERWRITE or RETAIN
	Files              []File
	Permissions        []Permission
	// Hooks maps a lifecycle event name to its scripts, in file order. Empty hooks are kept
	// with no scripts.
	Hooks map[string][]Script
}

// File is one entry of the files section.
type File struct {
	Source      string
	Destination string
}

// Script is one hook script.
type Script struct {
	Location string
	RunAs    string // "" means the agent's user (root)
	Sudo     bool
	Timeout  int // seconds, > 0
}

// Permission is one entry of the permissions section (Linux only).
type Permission struct {
	Object  string
	Pattern string   // "**" when absent
	Except  []string // never nil
	Type    []string // "file", "directory"; both when absent
	Owner   string
	Group   string
	Mode    *Mode
	ACLs    *ACL
	Context *Context
}

// Mode is a permissions mode.
type Mode struct {
	Mode string // at least three octal digits, as written
	Bits fs.FileMode
}

// ACL is a list of access control entries.
type ACL struct{ ACEs []ACE }

// ACE is one access control entry: [default:][user|group|mask|other]:[name]:perms.
type ACE struct {
	Default              bool
	Type                 string // user, group, mask or other
	Name                 string
	Read, Write, Execute bool
}

// Context is an SELinux context.
type Context struct {
	User  string
	Type  string
	Range *Range
}

// Range is an SELinux range: s<low>[-s<high>][:categories].
type Range struct {
	Low, High  int
	Categories []int
}

const (
	msgEmpty        = "The deployment failed because the application specification file was empty. Make sure your AppSpec file defines at minimum the 'version' and 'os' properties."
	msgVersion      = "The deployment failed because an invalid version value (%s) was entered in the application specification file. Make sure your AppSpec file specifies \"0.0\" as the version, and then try again."
	msgOS           = "The deployment failed because the application specification file specifies an unsupported operating system (%s). Specify either \"linux\" or \"windows\" in the os section of the AppSpec file, and then try again."
	msgFEB          = "The deployment failed because an invalid file_exists_behavior value (%s) was entered in the application specification file. Make sure your AppSpec file specifies one of DISALLOW,OVERWRITE,RETAIN as the file_exists_behavior, and then try again."
	msgNoLocation   = "The deployment failed because the application specification file specifies a script with no location value. Specify the location in the hooks section of the AppSpec file, and then try again."
	msgTimeout      = "The deployment failed because an invalid timeout value was provided for a script in the application specification file. Make corrections in the hooks section of the AppSpec file, and then try again."
	msgNoSource     = "The deployment failed because the application specification file specifies a destination file, but no source file. Update the files section of the AppSpec file, and then try again."
	msgNoDest       = "The deployment failed because the application specification file specifies only a source file (%s). Add the name of the destination file to the files section of the AppSpec file, and then try again."
	msgNoObject     = "The deployment failed because a permission listed in the application specification file has no object value. Update the permissions section of the AppSpec file, and then try again."
	msgWindowsPerms = "The deployment failed because the application specification file specifiles file permissions, but the deployment is targeting one or more Windows Server instances. Permissions are supported only for Amazon Linux, Ubuntu Server, and Red Hat Enterprise Linux (RHEL) instances. Update the permissions section of the AppSpec file, and then try again."
	msgType         = "The deployment failed because the application specification file specifies a permission for an object type not supported for permissions (%s). Update the permissions section of the AppSpec file, and then try again."
	msgModeLen      = "The deployment failed because the length of a permissions mode (%s) in the application specification file is invalid. Permissions modes must be between one and four characters long. Update the permissions section of the AppSpec file, and then try again."
	msgModeChar     = "The deployment failed because the permissions mode (%s) in the application specification file contains an invalid character (%c). Update the permissions section of the AppSpec file, and then try again."
	msgACE          = "The deployment failed because of a problem with the acls permission settings in the application specification file. Invalid acl entry (%s)."
	msgACEBase      = "The deployment failed because of a problem with the acls permission settings in the application specification file. Use mode to set the base acl entry (%s). Update the permissions section of the AppSpec file, and then try again."
	msgACEChar      = "The deployment failed because the access control list (ACL) named %s in the application specification file contains an invalid character (%c). Correct the ACL in the hooks section of the AppSpec file, and then try again."
	msgContextType  = "The deployment failed because the application specification file specifies an invalid context type (%s). Update the permissions section of the AppSpec file, and then try again."
	msgRange        = "The deployment failed because of a problem with the SELinux range specified (%s) for the context parameter in the permissions section of the application specification file. Make corrections in the permissions section of the AppSpec file, and then try again."
	msgFilePattern  = "The deployment failed because the application specification file includes an object (%s) with an invalid pattern (%s), such as a pattern for a file applied to a directory. Correct the permissions section of the AppSpec file, and then try again."
	msgFileExcept   = "The deployment failed because the except parameter for a pattern in the permissions section (%s) for the object named %s contains an invalid format. Update the AppSpec file, and then try again."
	msgFileACL      = "The deployment failed because the -d parameter has been specified to apply an acl setting to a file. This parameter is supported for directories only. Update the AppSpec file, and then try again."
)

// MaxSize is the largest appspec Parse reads.
const MaxSize = 1 << 20

// Parse parses and validates an appspec file (YAML or JSON).
func Parse(data []byte) (*AppSpec, error) {
	if len(data) > MaxSize {
		return nil, verr("The deployment failed because the application specification file is larger than %d bytes.", MaxSize)
	}
	if strings.TrimSpace(string(data)) == "" {
		return nil, verr(msgEmpty)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, verr("The deployment failed because the application specification file is not valid YAML or JSON: %v", err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, verr(msgEmpty)
	}
	root := resolve(doc.Content[0])
	if isNull(root) || (root.Kind == yaml.ScalarNode && root.Tag == "!!bool" && root.Value == "false") {
		return nil, verr(msgEmpty)
	}
	if root.Kind != yaml.MappingNode {
		return nil, verr("The deployment failed because the application specification file is not a map of sections. Make sure your AppSpec file defines at minimum the 'version' and 'os' properties.")
	}
	top := mapOf(root)
	a := &AppSpec{Hooks: map[string][]Script{}}

	v := top["version"]
	if !isZeroNumber(v) {
		return nil, verr(msgVersion, rubyString(v))
	}
	a.Version = "0.0"

	osn := top["os"]
	if osv := rubyString(osn); !isScalarString(osn) || (osv != "linux" && osv != "windows") {
		return nil, verr(msgOS, osv)
	} else {
		a.OS = osv
	}

	if n := top["file_exists_behavior"]; !isNull(n) {
		b := rubyString(n)
		if b != Disallow && b != Overwrite && b != Retain {
			return nil, verr(msgFEB, b)
		}
		a.FileExistsBehavior = b
	}

	if err := a.parseHooks(top["hooks"]); err != nil {
		return nil, err
	}
	if err := a.parseFiles(top["files"]); err != nil {
		return nil, err
	}
	if err := a.parsePermissions(top["permissions"]); err != nil {
		return nil, err
	}
	return a, nil
}

func (a *AppSpec) parseHooks(n *yaml.Node) error {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return verr("The deployment failed because the hooks section of the application specification file is not a map of lifecycle events to scripts. Update the hooks section of the AppSpec file, and then try again.")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		name := rubyString(resolve(n.Content[i]))
		list := resolve(n.Content[i+1])
		scripts := []Script{}
		if !isNull(list) {
			if list.Kind != yaml.SequenceNode {
				return verr("The deployment failed because the hook %s in the application specification file is not a list of scripts. Update the hooks section of the AppSpec file, and then try again.", name)
			}
			for _, sn := range list.Content {
				sn = resolve(sn)
				if sn.Kind != yaml.MappingNode {
					return verr(msgNoLocation)
				}
				m := mapOf(sn)
				loc := m["location"]
				if isNull(loc) {
					return verr(msgNoLocation)
				}
				s := Script{Location: strings.TrimSpace(rubyString(loc))}
				if s.Location == "" {
					return verr(msgNoLocation)
				}
				if r := m["runas"]; !isNull(r) {
					s.RunAs = strings.TrimSpace(rubyString(r))
				}
				if sd := m["sudo"]; !isNull(sd) {
					s.Sudo = !(sd.Kind == yaml.ScalarNode && sd.Tag == "!!bool" && sd.Value == "false")
				}
				s.Timeout = DefaultTimeout
				if t := m["timeout"]; !isNull(t) && !(t.Tag == "!!bool" && t.Value == "false") {
					s.Timeout = rubyToI(rubyString(t))
				}
				if s.Timeout <= 0 {
					return verr(msgTimeout)
				}
				scripts = append(scripts, s)
			}
		}
		a.Hooks[name] = scripts
	}
	return nil
}

func (a *AppSpec) parseFiles(n *yaml.Node) error {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return verr("The deployment failed because the files section of the application specification file is not a list. Update the files section of the AppSpec file, and then try again.")
	}
	for _, fn := range n.Content {
		fn = resolve(fn)
		if fn.Kind != yaml.MappingNode {
			return verr(msgNoSource)
		}
		m := mapOf(fn)
		src, dst := m["source"], m["destination"]
		if isNull(src) {
			return verr(msgNoSource)
		}
		if isNull(dst) {
			return verr(msgNoDest, rubyString(src))
		}
		a.Files = append(a.Files, File{Source: rubyString(src), Destination: rubyString(dst)})
	}
	return nil
}

func (a *AppSpec) parsePermissions(n *yaml.Node) error {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return verr("The deployment failed because the permissions section of the application specification file is not a list. Update the permissions section of the AppSpec file, and then try again.")
	}
	for _, pn := range n.Content {
		pn = resolve(pn)
		if pn.Kind != yaml.MappingNode {
			return verr(msgNoObject)
		}
		m := mapOf(pn)
		if isNull(m["object"]) {
			return verr(msgNoObject)
		}
		if a.OS != "linux" {
			return verr(msgWindowsPerms)
		}
		p := Permission{Object: strings.TrimSpace(rubyString(m["object"])), Pattern: "**", Except: []string{}}
		if p.Object == "" {
			return verr(msgNoObject)
		}
		if pat := m["pattern"]; !isNull(pat) {
			p.Pattern = rubyString(pat)
		}
		if ex := m["except"]; !isNull(ex) {
			l, err := stringList(ex, "except")
			if err != nil {
				return err
			}
			p.Except = l
		}
		p.Type = []string{"file", "directory"}
		if tn := m["type"]; !isNull(tn) {
			l, err := stringList(tn, "type")
			if err != nil {
				return err
			}
			for _, t := range l {
				if t != "file" && t != "directory" {
					return verr(msgType, t)
				}
			}
			p.Type = l
		}
		if o := m["owner"]; !isNull(o) {
			p.Owner = rubyString(o)
		}
		if g := m["group"]; !isNull(g) {
			p.Group = rubyString(g)
		}
		if mn := m["mode"]; !isNull(mn) {
			md, err := ParseMode(rubyString(mn))
			if err != nil {
				return err
			}
			p.Mode = md
		}
		if an := m["acls"]; !isNull(an) {
			l, err := stringList(an, "acls")
			if err != nil {
				return err
			}
			acl := &ACL{ACEs: []ACE{}}
			for _, s := range l {
				ace, err := ParseACE(s)
				if err != nil {
					return err
				}
				acl.ACEs = append(acl.ACEs, ace)
			}
			p.ACLs = acl
		}
		if cn := m["context"]; !isNull(cn) {
			c, err := parseContext(cn)
			if err != nil {
				return err
			}
			p.Context = c
		}
		a.Permissions = append(a.Permissions, p)
	}
	return nil
}

// ParseMode parses a permissions mode of one to four octal digits.
func ParseMode(mode string) (*Mode, error) {
	for len(mode) < 3 {
		mode = "0" + mode
	}
	if len(mode) > 4 {
		return nil, verr(msgModeLen, mode)
	}
	for _, c := range mode {
		if c < '0' || c > '7' {
			return nil, verr(msgModeChar, mode, c)
		}
	}
	v, _ := strconv.ParseUint(mode, 8, 32)
	bits := fs.FileMode(v & 0o777)
	if v&0o4000 != 0 {
		bits |= fs.ModeSetuid
	}
	if v&0o2000 != 0 {
		bits |= fs.ModeSetgid
	}
	if v&0o1000 != 0 {
		bits |= fs.ModeSticky
	}
	return &Mode{Mode: mode, Bits: bits}, nil
}

// ParseACE parses one access control entry as the agent does.
func ParseACE(ace string) (ACE, error) {
	var e ACE
	p := strings.Split(ace, ":")
	slices.Reverse(p)
	if len(p) < 2 || len(p) > 4 {
		return e, verr(msgACE, ace)
	}
	if len(p) == 4 {
		if p[3] != "d" && p[3] != "default" {
			return e, verr(msgACE, ace)
		}
		e.Default = true
	}
	if len(p) >= 3 {
		switch p[2] {
		case "d", "default":
			if e.Default {
				return e, verr(msgACE, ace)
			}
			e.Default = true
		case "m", "mask":
			e.Type = "mask"
		case "o", "other":
			e.Type = "other"
		case "g", "group":
			e.Type = "group"
		case "u", "user":
			e.Type = "user"
		default:
			return e, verr(msgACE, ace)
		}
	}
	switch p[1] {
	case "m", "mask":
		if e.Type == "" {
			e.Type = "mask"
		} else {
			e.Name = "mask"
		}
	case "o", "other":
		if e.Type == "" {
			e.Type = "other"
		} else {
			e.Name = "other"
		}
	default:
		if e.Type == "" {
			e.Type = "user"
		}
		e.Name = p[1]
	}
	if (e.Type == "mask" || e.Type == "other") && e.Name != "" {
		return e, verr(msgACE, ace)
	}
	if !e.Default && e.Type != "mask" && e.Name == "" {
		return e, verr(msgACEBase, ace)
	}
	perm := p[0]
	if len(perm) == 1 && perm[0] >= '0' && perm[0] <= '7' {
		b := perm[0] - '0'
		e.Read, e.Write, e.Execute = b&4 != 0, b&2 != 0, b&1 != 0
		return e, nil
	}
	for _, c := range perm {
		switch c {
		case 'r':
			e.Read = true
		case 'w':
			e.Write = true
		case 'x':
			e.Execute = true
		case '-':
		default:
			return e, verr(msgACEChar, ace, c)
		}
	}
	return e, nil
}

// String is the entry in getfacl form: [default:]type:name:rwx.
func (e ACE) String() string {
	var b strings.Builder
	if e.Default {
		b.WriteString("default:")
	}
	b.WriteString(e.Type + ":" + e.Name + ":")
	for _, x := range []struct {
		on bool
		c  byte
	}{{e.Read, 'r'}, {e.Write, 'w'}, {e.Execute, 'x'}} {
		if x.on {
			b.WriteByte(x.c)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// DefaultACE returns the first default entry, if any.
func (a *ACL) DefaultACE() (ACE, bool) {
	for _, e := range a.ACEs {
		if e.Default {
			return e, true
		}
	}
	return ACE{}, false
}

func parseContext(n *yaml.Node) (*Context, error) {
	if n.Kind != yaml.MappingNode {
		return nil, verr(msgContextType, rubyInspect(n))
	}
	m := mapOf(n)
	if isNull(m["type"]) {
		return nil, verr(msgContextType, rubyInspect(n))
	}
	c := &Context{Type: rubyString(m["type"])}
	if u := m["name"]; !isNull(u) {
		c.User = rubyString(u)
	}
	if r := m["range"]; !isNull(r) {
		rg, err := ParseRange(rubyString(r))
		if err != nil {
			return nil, err
		}
		c.Range = rg
	}
	return c, nil
}

// ParseRange parses an SELinux range s#[-s#][:c#[.c#](,c#[.c#])*].
func ParseRange(s string) (*Range, error) {
	parts, err := ensureParts(s, ":")
	if err != nil {
		return nil, err
	}
	sp, err := ensureParts(parts[0], "-")
	if err != nil {
		return nil, err
	}
	r := &Range{}
	if r.Low, err = sensitivity(sp[0]); err != nil {
		return nil, err
	}
	r.High = r.Low
	if len(sp) == 2 {
		if r.High, err = sensitivity(sp[1]); err != nil {
			return nil, err
		}
		if r.High < r.Low {
			return nil, verr(msgRange, s)
		}
	}
	if len(parts) == 2 {
		cats := strings.Split(parts[1], ",")
		for len(cats) > 0 && cats[len(cats)-1] == "" { // Ruby's split drops trailing empty fields
			cats = cats[:len(cats)-1]
		}
		var all []int
		for _, c := range cats {
			if strings.Contains(c, ".") {
				rp, err := ensureParts(c, ".")
				if err != nil {
					return nil, err
				}
				lo, err := category(rp[0])
				if err != nil {
					return nil, err
				}
				hi, err := category(rp[1])
				if err != nil {
					return nil, err
				}
				if hi < lo {
					return nil, verr("invalid category range %s.%s", rp[0], rp[1])
				}
				for i := lo; i <= hi; i++ {
					all = append(all, i)
				}
			} else {
				n, err := category(c)
				if err != nil {
					return nil, err
				}
				all = append(all, n)
			}
		}
		slices.Sort(all)
		if len(slices.Compact(slices.Clone(all))) != len(all) {
			return nil, verr("duplicate categories")
		}
		if all == nil {
			all = []int{}
		}
		r.Categories = all
	}
	return r, nil
}

func ensureParts(in, sep string) ([]string, error) {
	want := 1
	if strings.Contains(in, sep) {
		want = 2
	}
	var parts []string
	if in != "" {
		parts = strings.SplitN(in, sep, 2)
	}
	if len(parts) != want {
		return nil, verr("invalid range part %s", in)
	}
	for _, p := range parts {
		if p == "" {
			return nil, verr("invalid range part %s", in)
		}
	}
	return parts, nil
}

func levelNumber(s string, prefix byte, what string, max int) (int, error) {
	if len(s) < 2 || s[0] != prefix {
		return 0, verr("invalid %s %s", what, s)
	}
	n := 0
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return 0, verr("invalid %s %s", what, s)
		}
		if n <= 1<<20 {
			n = n*10 + int(c-'0')
		}
	}
	if max >= 0 && n > max {
		return 0, verr("invalid %s %s", what, s)
	}
	return n, nil
}

func sensitivity(s string) (int, error) { return levelNumber(s, 's', "sensitivity", -1) }
func category(s string) (int, error)    { return levelNumber(s, 'c', "category", 1023) }

// ValidateFilePermission is the check the agent makes when the permission's object is a
// file: a file object takes neither a pattern nor an except list.
func (p *Permission) ValidateFilePermission() error {
	if slices.Contains(p.Type, "file") {
		if p.Pattern != "**" {
			return verr(msgFilePattern, p.Object, p.Pattern)
		}
		if len(p.Except) > 0 {
			return verr(msgFileExcept, rubyList(p.Except), p.Object)
		}
	}
	return nil
}

// ValidateFileACL is the check the agent makes when applying ACLs to a file: no default
// entries.
func (p *Permission) ValidateFileACL() error {
	if p.ACLs != nil {
		if _, ok := p.ACLs.DefaultACE(); ok {
			return verr(msgFileACL)
		}
	}
	return nil
}

// MatchesPattern reports whether name (an absolute path) is under the object and matches the
// pattern.
func (p *Permission) MatchesPattern(name string) bool {
	rel, ok := p.relative(name)
	if !ok {
		return false
	}
	if p.Pattern == "**" {
		return true
	}
	return simpleGlob(rel, p.Pattern)
}

// MatchesExcept reports whether name is under the object and matches an except glob.
func (p *Permission) MatchesExcept(name string) bool {
	rel, ok := p.relative(name)
	if !ok {
		return false
	}
	for _, e := range p.Except {
		if simpleGlob(rel, e) {
			return true
		}
	}
	return false
}

// AppliesTo reports whether the permission applies to name, of the given kind ("file" or
// "directory"): the object itself when it is a file, or anything under the object matching
// the pattern and no except glob.
func (p *Permission) AppliesTo(name string, isDir bool) bool {
	kind := "file"
	if isDir {
		kind = "directory"
	}
	if !slices.Contains(p.Type, kind) {
		return false
	}
	if path.Clean(name) == path.Clean("/"+p.Object) && !isDir {
		return true
	}
	return p.MatchesPattern(name) && !p.MatchesExcept(name)
}

func (p *Permission) relative(name string) (string, bool) {
	name = strings.TrimSuffix(name, "/")
	base := path.Clean("/" + p.Object)
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	if !strings.HasPrefix(name, base) {
		return "", false
	}
	return name[len(base):], true
}

// simpleGlob matches name against pattern where '*' matches any run of characters; a name
// containing '/' never matches.
func simpleGlob(name, pattern string) bool {
	if strings.Contains(name, "/") {
		return false
	}
	m, _ := path.Match(escapeGlob(pattern), name)
	return m
}

// escapeGlob keeps '*' and escapes every other path.Match metacharacter.
func escapeGlob(p string) string {
	var b strings.Builder
	for _, c := range p {
		switch c {
		case '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// --- YAML helpers: the agent works on Ruby values, so scalars are turned into Ruby strings.

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	n = resolve(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

func isScalarString(n *yaml.Node) bool {
	n = resolve(n)
	return n != nil && n.Kind == yaml.ScalarNode && n.Tag == "!!str"
}

func mapOf(n *yaml.Node) map[string]*yaml.Node {
	m := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := resolve(n.Content[i])
		if k.Kind != yaml.ScalarNode {
			continue
		}
		m[k.Value] = resolve(n.Content[i+1]) // the last key wins, as in Ruby's YAML
	}
	return m
}

func isZeroNumber(n *yaml.Node) bool {
	n = resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return false
	}
	switch n.Tag {
	case "!!float":
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		return err == nil && f == 0
	case "!!int":
		var i int
		if err := n.Decode(&i); err == nil {
			return i == 0
		}
	}
	return false
}

// rubyString is to_s of the node's value ("" for nil).
func rubyString(n *yaml.Node) string {
	n = resolve(n)
	if isNull(n) {
		return ""
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Value
	default:
		return rubyInspect(n)
	}
}

// rubyInspect renders a node the way the agent's messages show it (Ruby's inspect, with
// quotes escaped as the agent's tests have them).
func rubyInspect(n *yaml.Node) string {
	n = resolve(n)
	switch {
	case n == nil || isNull(n):
		return "nil"
	case n.Kind == yaml.MappingNode:
		var parts []string
		for i := 0; i+1 < len(n.Content); i += 2 {
			parts = append(parts, rubyInspect(n.Content[i])+"=>"+rubyInspect(n.Content[i+1]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case n.Kind == yaml.SequenceNode:
		var parts []string
		for _, c := range n.Content {
			parts = append(parts, rubyInspect(c))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case n.Tag == "!!str":
		return `\"` + n.Value + `\"`
	}
	return n.Value
}

func rubyList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func stringList(n *yaml.Node, section string) ([]string, error) {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, verr("The deployment failed because the %s value of a permission in the application specification file is not a list. Update the permissions section of the AppSpec file, and then try again.", section)
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		out = append(out, rubyString(c))
	}
	return out, nil
}

// rubyToI is Ruby's String#to_i: optional leading space and sign, then the leading digits.
func rubyToI(s string) int {
	s = strings.TrimLeft(s, " \t\n\r\f\v")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' && i > 0 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
			continue
		}
		if c < '0' || c > '9' {
			break
		}
		if n < 1<<40 {
			n = n*10 + int(c-'0')
		}
	}
	if neg {
		return -n
	}
	return n
}
