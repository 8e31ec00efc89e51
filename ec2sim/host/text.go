package host

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// toGoRegexp converts a POSIX basic (or extended) regular expression to Go syntax.
func toGoRegexp(pat string, extended, icase bool) (*regexp.Regexp, error) {
	var b strings.Builder
	if icase {
		b.WriteString("(?i)")
	}
	inBracket := false
	for i := 0; i < len(pat); i++ {
		ch := pat[i]
		if inBracket {
			b.WriteByte(ch)
			if ch == '[' && i+1 < len(pat) && (pat[i+1] == ':' || pat[i+1] == '.' || pat[i+1] == '=') {
				end := strings.Index(pat[i+2:], string(pat[i+1])+"]")
				if end >= 0 {
					b.WriteString(pat[i+1 : i+2+end+2])
					i += 1 + end + 2
				}
				continue
			}
			if ch == ']' {
				inBracket = false
			}
			continue
		}
		switch ch {
		case '[':
			inBracket = true
			b.WriteByte('[')
			if i+1 < len(pat) && pat[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(pat) && pat[i+1] == ']' {
				b.WriteString(`\]`)
				i++
			}
		case '\\':
			if i+1 >= len(pat) {
				b.WriteString(`\\`)
				continue
			}
			i++
			n := pat[i]
			switch {
			case n == '<' || n == '>':
				b.WriteString(`\b`)
			case !extended && strings.IndexByte("(){}+?|", n) >= 0:
				b.WriteByte(n)
			case n >= '1' && n <= '9':
				return nil, fmt.Errorf("back-references are not supported")
			case strings.IndexByte("wWsSbB", n) >= 0:
				b.WriteByte('\\')
				b.WriteByte(n)
			case n == 'n':
				b.WriteString(`\n`)
			case n == 't':
				b.WriteString(`\t`)
			default:
				b.WriteString(regexp.QuoteMeta(string(n)))
			}
		case '(', ')', '{', '}', '+', '?', '|':
			if extended {
				b.WriteByte(ch)
			} else {
				b.WriteByte('\\')
				b.WriteByte(ch)
			}
		case '*':
			if b.Len() == 0 || strings.HasSuffix(b.String(), "(?i)") || strings.HasSuffix(b.String(), "^") && i <= 1 {
				b.WriteString(`\*`)
			} else {
				b.WriteByte('*')
			}
		default:
			b.WriteByte(ch)
		}
	}
	return regexp.Compile(b.String())
}

func cmdGrep(ctx context.Context, c *Call) int {
	o, bad := parse(c.Args[1:], "e,f,m,A,B,C,regexp,file,max-count,include,exclude", false)
	if bad != "" {
		fmt.Fprintf(c.Stderr, "grep: %s\n", bad)
		return 2
	}
	name := path.Base(c.Args[0])
	extended := o.has("E", "extended-regexp") || name == "egrep"
	fixed := o.has("F", "fixed-strings") || name == "fgrep"
	icase := o.has("i", "ignore-case")
	var pats []string
	pats = append(pats, o.multi["e"]...)
	pats = append(pats, o.multi["regexp"]...)
	args := o.args
	if len(pats) == 0 {
		if len(args) == 0 {
			fmt.Fprintln(c.Stderr, "Usage: grep [OPTION]... PATTERNS [FILE]...")
			return 2
		}
		pats = strings.Split(args[0], "\n")
		args = args[1:]
	}
	var res []*regexp.Regexp
	for _, p := range pats {
		expr := p
		if fixed {
			expr = regexp.QuoteMeta(p)
			if icase {
				expr = "(?i)" + expr
			}
		}
		var re *regexp.Regexp
		var err error
		if fixed {
			re, err = regexp.Compile(expr)
		} else {
			re, err = toGoRegexp(p, extended, icase)
		}
		if err != nil {
			fmt.Fprintf(c.Stderr, "grep: %v\n", err)
			return 2
		}
		if o.has("w", "word-regexp") {
			re = regexp.MustCompile(`(?:^|\b)(?:` + re.String() + `)(?:\b|$)`)
		}
		if o.has("x", "line-regexp") {
			re = regexp.MustCompile(`^(?:` + re.String() + `)$`)
		}
		res = append(res, re)
	}
	match := func(line string) bool {
		m := false
		for _, re := range res {
			if re.MatchString(line) {
				m = true
				break
			}
		}
		return m != o.has("v", "invert-match")
	}
	recursive := o.has("r", "R", "recursive")
	if len(args) == 0 {
		if recursive {
			args = []string{"."}
		} else {
			args = []string{"-"}
		}
	}
	var files []string
	for _, a := range args {
		if recursive && a != "-" {
			fi, err := c.Host.fs.Stat(c.Path(a))
			if err == nil && fi.IsDir() {
				_ = c.Host.fs.Walk(c.Path(a), func(p string, fi fs.FileInfo) error {
					if fi.Mode().IsRegular() {
						rel := strings.TrimPrefix(p, c.Path(a))
						files = append(files, strings.TrimSuffix(a, "/")+rel)
					}
					return nil
				})
				continue
			}
		}
		files = append(files, a)
	}
	multi := len(files) > 1 || recursive
	if o.has("h", "no-filename") {
		multi = false
	}
	if o.has("H", "with-filename") {
		multi = true
	}
	quiet := o.has("q", "quiet", "silent")
	maxCount := -1
	if m, ok := o.get("m", "max-count"); ok {
		maxCount, _ = strconv.Atoi(m)
	}
	found := false
	errs := false
	for _, f := range files {
		data, err := c.readInput(f)
		if err != nil {
			if !o.has("s", "no-messages") {
				fmt.Fprintf(c.Stderr, "grep: %s: %s\n", f, errText(err))
			}
			errs = true
			continue
		}
		shown := f
		if f == "-" {
			shown = "(standard input)"
		}
		count := 0
		for i, line := range splitLines(string(data)) {
			if maxCount >= 0 && count >= maxCount {
				break
			}
			if !match(line) {
				continue
			}
			count++
			found = true
			if quiet {
				return 0
			}
			if o.has("l", "files-with-matches") || o.has("c", "count") {
				continue
			}
			prefix := ""
			if multi {
				prefix = shown + ":"
			}
			if o.has("n", "line-number") {
				prefix += strconv.Itoa(i+1) + ":"
			}
			if o.has("o", "only-matching") {
				for _, re := range res {
					for _, m := range re.FindAllString(line, -1) {
						fmt.Fprintln(c.Stdout, prefix+m)
					}
				}
				continue
			}
			fmt.Fprintln(c.Stdout, prefix+line)
		}
		if o.has("l", "files-with-matches") && count > 0 {
			fmt.Fprintln(c.Stdout, shown)
		} else if o.has("c", "count") {
			if multi {
				fmt.Fprintf(c.Stdout, "%s:%d\n", shown, count)
			} else {
				fmt.Fprintln(c.Stdout, count)
			}
		}
	}
	switch {
	case errs && !(found && quiet):
		return 2
	case found:
		return 0
	}
	return 1
}

// sed

type sedAddr struct {
	line int // > 0
	last bool
	re   *regexp.Regexp
}

type sedCmd struct {
	a1, a2  *sedAddr
	negate  bool
	name    byte
	re      *regexp.Regexp
	repl    string
	global  bool
	nth     int
	print   bool
	text    string
	from    []rune
	to      []rune
	inRange bool
}

func parseSed(script string, extended bool) ([]*sedCmd, error) {
	var cmds []*sedCmd
	s := script
	i := 0
	skipWS := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
	}
	readDelim := func(d byte) (string, error) {
		var b strings.Builder
		for i < len(s) {
			ch := s[i]
			if ch == '\\' && i+1 < len(s) {
				if s[i+1] == d {
					b.WriteByte(d)
				} else if s[i+1] == 'n' && d != 'n' {
					b.WriteString(`\n`)
				} else {
					b.WriteByte('\\')
					b.WriteByte(s[i+1])
				}
				i += 2
				continue
			}
			if ch == d {
				i++
				return b.String(), nil
			}
			b.WriteByte(ch)
			i++
		}
		return "", fmt.Errorf("unterminated `s' command")
	}
	readAddr := func() (*sedAddr, error) {
		skipWS()
		if i >= len(s) {
			return nil, nil
		}
		switch {
		case s[i] == '$':
			i++
			return &sedAddr{last: true}, nil
		case s[i] >= '0' && s[i] <= '9':
			j := i
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				i++
			}
			n, _ := strconv.Atoi(s[j:i])
			return &sedAddr{line: n}, nil
		case s[i] == '/' || s[i] == '\\':
			d := byte('/')
			if s[i] == '\\' {
				i++
				if i >= len(s) {
					return nil, fmt.Errorf("unexpected end")
				}
				d = s[i]
			}
			i++
			p, err := readDelim(d)
			if err != nil {
				return nil, fmt.Errorf("unterminated address regex")
			}
			icase := false
			if i < len(s) && s[i] == 'I' {
				icase = true
				i++
			}
			re, err := toGoRegexp(p, extended, icase)
			if err != nil {
				return nil, err
			}
			return &sedAddr{re: re}, nil
		}
		return nil, nil
	}
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == ';') {
			i++
		}
		if i >= len(s) {
			break
		}
		if s[i] == '#' {
			for i < len(s) && s[i] != '\n' {
				i++
			}
			continue
		}
		cmd := &sedCmd{}
		a1, err := readAddr()
		if err != nil {
			return nil, err
		}
		cmd.a1 = a1
		if a1 != nil && i < len(s) && s[i] == ',' {
			i++
			a2, err := readAddr()
			if err != nil {
				return nil, err
			}
			if a2 == nil {
				return nil, fmt.Errorf("unexpected `,'")
			}
			cmd.a2 = a2
		}
		skipWS()
		if i < len(s) && s[i] == '!' {
			cmd.negate = true
			i++
			skipWS()
		}
		if i >= len(s) {
			return nil, fmt.Errorf("missing command")
		}
		cmd.name = s[i]
		i++
		switch cmd.name {
		case 's':
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated `s' command")
			}
			d := s[i]
			i++
			pat, err := readDelim(d)
			if err != nil {
				return nil, err
			}
			repl, err := readDelim(d)
			if err != nil {
				return nil, err
			}
			icase := false
			for i < len(s) && s[i] != ';' && s[i] != '\n' && s[i] != '}' {
				switch f := s[i]; {
				case f == 'g':
					cmd.global = true
				case f == 'p':
					cmd.print = true
				case f == 'I' || f == 'i':
					icase = true
				case f >= '0' && f <= '9':
					cmd.nth = cmd.nth*10 + int(f-'0')
				case f == ' ' || f == '\t':
				default:
					return nil, fmt.Errorf("unknown option to `s'")
				}
				i++
			}
			re, err := toGoRegexp(pat, extended, icase)
			if err != nil {
				return nil, err
			}
			cmd.re, cmd.repl = re, repl
		case 'y':
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated `y' command")
			}
			d := s[i]
			i++
			from, err := readDelim(d)
			if err != nil {
				return nil, err
			}
			to, err := readDelim(d)
			if err != nil {
				return nil, err
			}
			cmd.from, cmd.to = []rune(from), []rune(to)
			if len(cmd.from) != len(cmd.to) {
				return nil, fmt.Errorf("strings for `y' command are different lengths")
			}
		case 'a', 'i', 'c':
			if i < len(s) && s[i] == '\\' {
				i++
				if i < len(s) && s[i] == '\n' {
					i++
				}
			}
			skipWS()
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				j = len(s) - i
			}
			cmd.text = strings.ReplaceAll(s[i:i+j], `\n`, "\n")
			i += j
		case 'd', 'p', 'q', 'Q', '=', 'n', 'N', 'h', 'g', 'x', 'G', 'H', '{', '}':
			if strings.IndexByte("{}hgxGHN", cmd.name) >= 0 && cmd.name != 'N' {
				return nil, fmt.Errorf("command `%c' is not supported on simulated hosts", cmd.name)
			}
		default:
			return nil, fmt.Errorf("unknown command: `%c'", cmd.name)
		}
		cmds = append(cmds, cmd)
	}
	return cmds, nil
}

func sedReplace(re *regexp.Regexp, line, repl string, global bool, nth int) (string, bool) {
	matches := re.FindAllStringSubmatchIndex(line, -1)
	if len(matches) == 0 {
		return line, false
	}
	var b strings.Builder
	last := 0
	done := false
	for k, m := range matches {
		if nth > 0 && k+1 < nth {
			continue
		}
		if done {
			break
		}
		b.WriteString(line[last:m[0]])
		for j := 0; j < len(repl); j++ {
			ch := repl[j]
			switch {
			case ch == '&':
				b.WriteString(line[m[0]:m[1]])
			case ch == '\\' && j+1 < len(repl):
				j++
				n := repl[j]
				switch {
				case n >= '0' && n <= '9':
					g := int(n - '0')
					if 2*g+1 < len(m) && m[2*g] >= 0 {
						b.WriteString(line[m[2*g]:m[2*g+1]])
					}
				case n == 'n':
					b.WriteByte('\n')
				case n == 't':
					b.WriteByte('\t')
				default:
					b.WriteByte(n)
				}
			default:
				b.WriteByte(ch)
			}
		}
		last = m[1]
		if !global {
			done = true
		}
	}
	b.WriteString(line[last:])
	return b.String(), true
}

func runSed(cmds []*sedCmd, input string, quiet bool) string {
	var out strings.Builder
	lines := splitLines(input)
	matchAddr := func(a *sedAddr, n int, line string) bool {
		switch {
		case a.last:
			return n == len(lines)
		case a.re != nil:
			return a.re.MatchString(line)
		}
		return a.line == n
	}
	for idx := 0; idx < len(lines); idx++ {
		line := lines[idx]
		n := idx + 1
		deleted := false
		var appendText []string
		quit := false
		for _, c := range cmds {
			sel := true
			if c.a1 != nil {
				if c.a2 == nil {
					sel = matchAddr(c.a1, n, line)
				} else if c.inRange {
					sel = true
					if matchAddr(c.a2, n, line) || (c.a2.line > 0 && n >= c.a2.line) {
						c.inRange = false
					}
				} else if matchAddr(c.a1, n, line) {
					sel = true
					c.inRange = !(c.a2.line > 0 && n >= c.a2.line)
				} else {
					sel = false
				}
			}
			if sel == c.negate {
				continue
			}
			switch c.name {
			case 's':
				if r, ok := sedReplace(c.re, line, c.repl, c.global, c.nth); ok {
					line = r
					if c.print {
						out.WriteString(line + "\n")
					}
				}
			case 'y':
				line = strings.Map(func(r rune) rune {
					for k, f := range c.from {
						if f == r {
							return c.to[k]
						}
					}
					return r
				}, line)
			case 'd':
				deleted = true
			case 'p':
				out.WriteString(line + "\n")
			case '=':
				out.WriteString(strconv.Itoa(n) + "\n")
			case 'a':
				appendText = append(appendText, c.text)
			case 'i':
				out.WriteString(c.text + "\n")
			case 'c':
				if c.a2 == nil || !c.inRange {
					out.WriteString(c.text + "\n")
				}
				deleted = true
			case 'q':
				quit = true
			case 'Q':
				return out.String()
			case 'n':
				if !quiet {
					out.WriteString(line + "\n")
				}
				if idx+1 < len(lines) {
					idx++
					line = lines[idx]
					n = idx + 1
				}
			case 'N':
				if idx+1 < len(lines) {
					idx++
					line += "\n" + lines[idx]
					n = idx + 1
				}
			}
			if deleted || quit {
				break
			}
		}
		if !deleted && !quiet {
			out.WriteString(line + "\n")
		}
		for _, t := range appendText {
			out.WriteString(t + "\n")
		}
		if quit {
			break
		}
	}
	return out.String()
}

func cmdSed(ctx context.Context, c *Call) int {
	args := c.Args[1:]
	var scripts []string
	var files []string
	inPlace := false
	suffix := ""
	quiet, extended := false, false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-e" || a == "--expression":
			if i+1 >= len(args) {
				return c.Errorf("option requires an argument -- 'e'")
			}
			i++
			scripts = append(scripts, args[i])
		case strings.HasPrefix(a, "--expression="):
			scripts = append(scripts, a[len("--expression="):])
		case a == "-f":
			if i+1 >= len(args) {
				return c.Errorf("option requires an argument -- 'f'")
			}
			i++
			data, err := c.readInput(args[i])
			if err != nil {
				return c.fail(args[i], err)
			}
			scripts = append(scripts, string(data))
		case strings.HasPrefix(a, "--in-place"):
			inPlace = true
			suffix = strings.TrimPrefix(strings.TrimPrefix(a, "--in-place"), "=")
		case a == "-n" || a == "--quiet" || a == "--silent":
			quiet = true
		case a == "-E" || a == "-r" || a == "--regexp-extended":
			extended = true
		case a == "--":
			files = append(files, args[i+1:]...)
			i = len(args)
		case len(a) > 1 && a[0] == '-' && a[1] != '-':
			for j := 1; j < len(a); j++ {
				switch a[j] {
				case 'i':
					inPlace = true
					suffix = a[j+1:]
					j = len(a)
				case 'n':
					quiet = true
				case 'E', 'r':
					extended = true
				case 'e':
					if j+1 < len(a) {
						scripts = append(scripts, a[j+1:])
					} else if i+1 < len(args) {
						i++
						scripts = append(scripts, args[i])
					}
					j = len(a)
				case 's', 'u', 'z':
				default:
					return c.Errorf("invalid option -- '%c'", a[j])
				}
			}
		default:
			if len(scripts) == 0 && !hasScriptFlag(args) {
				scripts = append(scripts, a)
			} else {
				files = append(files, a)
			}
		}
	}
	if len(scripts) == 0 {
		fmt.Fprintln(c.Stderr, "Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...")
		return 1
	}
	cmds, err := parseSed(strings.Join(scripts, "\n"), extended)
	if err != nil {
		fmt.Fprintf(c.Stderr, "sed: -e expression #1, char 0: %v\n", err)
		return 1
	}
	if inPlace {
		if len(files) == 0 {
			fmt.Fprintln(c.Stderr, "sed: no input files")
			return 1
		}
		code := 0
		for _, f := range files {
			p := c.Path(f)
			data, err := c.Host.fs.ReadFileAs(c.Cred(), p)
			if err != nil {
				fmt.Fprintf(c.Stderr, "sed: can't read %s: %s\n", f, errText(err))
				code = 2
				continue
			}
			for _, cm := range cmds {
				cm.inRange = false
			}
			out := runSed(cmds, string(data), quiet)
			if suffix != "" {
				fi, _ := c.Host.fs.Stat(p)
				_ = c.Host.fs.WriteFile(c.Cred(), p+suffix, data, fi.Mode().Perm())
			}
			if err := c.Host.fs.WriteFile(c.Cred(), p, []byte(out), 0o644); err != nil {
				fmt.Fprintf(c.Stderr, "sed: couldn't open file %s: %s\n", f, errText(err))
				code = 4
			}
		}
		return code
	}
	var input bytes.Buffer
	if len(files) == 0 {
		files = []string{"-"}
	}
	code := 0
	for _, f := range files {
		data, err := c.readInput(f)
		if err != nil {
			fmt.Fprintf(c.Stderr, "sed: can't read %s: %s\n", f, errText(err))
			code = 2
			continue
		}
		input.Write(data)
		if len(data) > 0 && data[len(data)-1] != '\n' {
			input.WriteByte('\n')
		}
	}
	fmt.Fprint(c.Stdout, runSed(cmds, input.String(), quiet))
	return code
}

func hasScriptFlag(args []string) bool {
	for _, a := range args {
		if a == "-e" || a == "-f" || strings.HasPrefix(a, "--expression") {
			return true
		}
		if len(a) > 1 && a[0] == '-' && a[1] != '-' && strings.Contains(a[1:], "e") && !strings.Contains(a[1:], "i") {
			return true
		}
	}
	return false
}

func headTailArgs(c *Call) (n int, bytesMode bool, follow bool, files []string, err string) {
	n = 10
	args := c.Args[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-n" || a == "-c" || a == "--lines" || a == "--bytes":
			if i+1 >= len(args) {
				return 0, false, false, nil, "option requires an argument -- 'n'"
			}
			i++
			v := strings.TrimPrefix(args[i], "+")
			nn, e := strconv.Atoi(v)
			if e != nil {
				return 0, false, false, nil, "invalid number of lines: '" + args[i] + "'"
			}
			n = nn
			bytesMode = a == "-c" || a == "--bytes"
		case strings.HasPrefix(a, "-n") || strings.HasPrefix(a, "-c"):
			nn, e := strconv.Atoi(strings.TrimPrefix(a[2:], "+"))
			if e != nil {
				return 0, false, false, nil, "invalid number of lines: '" + a[2:] + "'"
			}
			n = nn
			bytesMode = a[1] == 'c'
		case a == "-f" || a == "-F" || a == "--follow":
			follow = true
		case a == "-q" || a == "-s":
		case len(a) > 1 && a[0] == '-' && a[1] >= '0' && a[1] <= '9':
			n, _ = strconv.Atoi(a[1:])
		default:
			files = append(files, a)
		}
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	return n, bytesMode, follow, files, ""
}

func cmdHead(ctx context.Context, c *Call) int {
	n, bytesMode, _, files, bad := headTailArgs(c)
	if bad != "" {
		return c.Errorf("%s", bad)
	}
	code := 0
	for i, f := range files {
		data, err := c.readInput(f)
		if err != nil {
			code = c.fail(f, err)
			continue
		}
		if len(files) > 1 {
			if i > 0 {
				fmt.Fprintln(c.Stdout)
			}
			fmt.Fprintf(c.Stdout, "==> %s <==\n", f)
		}
		if bytesMode {
			c.Stdout.Write(data[:min(n, len(data))])
			continue
		}
		lines := splitLines(string(data))
		if n < 0 {
			n = max(0, len(lines)+n)
		}
		for _, l := range lines[:min(n, len(lines))] {
			fmt.Fprintln(c.Stdout, l)
		}
	}
	return code
}

func cmdTail(ctx context.Context, c *Call) int {
	n, bytesMode, _, files, bad := headTailArgs(c)
	if bad != "" {
		return c.Errorf("%s", bad)
	}
	fromStart := false
	for _, a := range c.Args[1:] {
		if strings.HasPrefix(a, "+") || strings.HasPrefix(a, "-n+") {
			fromStart = true
		}
	}
	for i, a := range c.Args[1:] {
		if (a == "-n" || a == "-c") && i+2 < len(c.Args) && strings.HasPrefix(c.Args[i+2], "+") {
			fromStart = true
		}
	}
	code := 0
	for _, f := range files {
		data, err := c.readInput(f)
		if err != nil {
			code = c.fail(f, err)
			continue
		}
		if bytesMode {
			if fromStart {
				c.Stdout.Write(data[min(max(n-1, 0), len(data)):])
			} else {
				c.Stdout.Write(data[max(0, len(data)-n):])
			}
			continue
		}
		lines := splitLines(string(data))
		var sel []string
		if fromStart {
			sel = lines[min(max(n-1, 0), len(lines)):]
		} else {
			sel = lines[max(0, len(lines)-n):]
		}
		for _, l := range sel {
			fmt.Fprintln(c.Stdout, l)
		}
	}
	return code
}

func cmdWc(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "", false)
	files := o.args
	stdin := len(files) == 0
	if stdin {
		files = []string{"-"}
	}
	all := !o.has("l", "w", "c", "m", "lines", "words", "bytes", "chars")
	var tl, tw, tc int
	code := 0
	for _, f := range files {
		data, err := c.readInput(f)
		if err != nil {
			code = c.fail(f, err)
			continue
		}
		l, w, ch := bytes.Count(data, []byte("\n")), len(bytes.Fields(data)), len(data)
		tl, tw, tc = tl+l, tw+w, tc+ch
		var parts []string
		if all || o.has("l", "lines") {
			parts = append(parts, strconv.Itoa(l))
		}
		if all || o.has("w", "words") {
			parts = append(parts, strconv.Itoa(w))
		}
		if all || o.has("c", "m", "bytes", "chars") {
			parts = append(parts, strconv.Itoa(ch))
		}
		if !stdin {
			parts = append(parts, f)
		}
		if all {
			fmt.Fprintf(c.Stdout, "%7s\n", strings.Join(parts, " "))
		} else {
			fmt.Fprintln(c.Stdout, strings.Join(parts, " "))
		}
	}
	if len(files) > 1 {
		fmt.Fprintf(c.Stdout, "%d %d %d total\n", tl, tw, tc)
	}
	return code
}

func cmdCut(ctx context.Context, c *Call) int {
	o, bad := parse(c.Args[1:], "d,f,c,delimiter,fields,characters", false)
	if bad != "" {
		return c.Errorf("%s", bad)
	}
	delim := "\t"
	if d, ok := o.get("d", "delimiter"); ok {
		delim = d
	}
	spec, byChar := o.get("f", "fields")
	if !byChar {
		spec, byChar = o.get("c", "characters")
		if !byChar {
			return c.Errorf("you must specify a list of bytes, characters, or fields")
		}
		byChar = true
	} else {
		byChar = false
	}
	sel := func(i int) bool {
		for _, r := range strings.Split(spec, ",") {
			a, b, isRange := strings.Cut(r, "-")
			lo, _ := strconv.Atoi(a)
			hi := lo
			if isRange {
				if a == "" {
					lo = 1
				}
				if b == "" {
					hi = 1 << 30
				} else {
					hi, _ = strconv.Atoi(b)
				}
			}
			if i >= lo && i <= hi {
				return true
			}
		}
		return false
	}
	files := o.args
	if len(files) == 0 {
		files = []string{"-"}
	}
	for _, f := range files {
		data, err := c.readInput(f)
		if err != nil {
			return c.fail(f, err)
		}
		for _, line := range splitLines(string(data)) {
			if byChar {
				var b strings.Builder
				for i, r := range []rune(line) {
					if sel(i + 1) {
						b.WriteRune(r)
					}
				}
				fmt.Fprintln(c.Stdout, b.String())
				continue
			}
			if !strings.Contains(line, delim) {
				if !o.has("s") {
					fmt.Fprintln(c.Stdout, line)
				}
				continue
			}
			var out []string
			for i, p := range strings.Split(line, delim) {
				if sel(i + 1) {
					out = append(out, p)
				}
			}
			fmt.Fprintln(c.Stdout, strings.Join(out, delim))
		}
	}
	return 0
}

func expandTrSet(s string) []rune {
	classes := map[string]string{"[:upper:]": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "[:lower:]": "abcdefghijklmnopqrstuvwxyz",
		"[:digit:]": "0123456789", "[:space:]": " \t\n\r\v\f", "[:blank:]": " \t", "[:punct:]": "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"}
	classes["[:alpha:]"] = classes["[:upper:]"] + classes["[:lower:]"]
	classes["[:alnum:]"] = classes["[:alpha:]"] + classes["[:digit:]"]
	var out []rune
	r := []rune(s)
	for i := 0; i < len(r); i++ {
		if r[i] == '[' {
			if j := strings.Index(string(r[i:]), ":]"); j > 0 {
				if cl, ok := classes[string(r[i:i+j+2])]; ok {
					out = append(out, []rune(cl)...)
					i += j + 1
					continue
				}
			}
		}
		if r[i] == '\\' && i+1 < len(r) {
			i++
			switch r[i] {
			case 'n':
				out = append(out, '\n')
			case 't':
				out = append(out, '\t')
			case 'r':
				out = append(out, '\r')
			default:
				out = append(out, r[i])
			}
			continue
		}
		if i+2 < len(r) && r[i+1] == '-' {
			for ch := r[i]; ch <= r[i+2]; ch++ {
				out = append(out, ch)
			}
			i += 2
			continue
		}
		out = append(out, r[i])
	}
	return out
}

func cmdTr(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "", true)
	if len(o.args) == 0 {
		return c.Errorf("missing operand")
	}
	set1 := expandTrSet(o.args[0])
	var set2 []rune
	if len(o.args) > 1 {
		set2 = expandTrSet(o.args[1])
	}
	in := func(r rune, set []rune) int {
		for i, s := range set {
			if s == r {
				return i
			}
		}
		return -1
	}
	data, _ := readAllFrom(c)
	var b strings.Builder
	var last rune = -1
	for _, r := range string(data) {
		idx := in(r, set1)
		member := idx >= 0
		if o.has("c") {
			member = !member
		}
		if o.has("d") {
			if member {
				continue
			}
			b.WriteRune(r)
			continue
		}
		out := r
		if member && len(set2) > 0 && !o.has("c") {
			out = set2[min(idx, len(set2)-1)]
		} else if member && len(set2) > 0 {
			out = set2[len(set2)-1]
		}
		if o.has("s") && member && out == last {
			continue
		}
		b.WriteRune(out)
		last = out
	}
	fmt.Fprint(c.Stdout, b.String())
	return 0
}

func readAllFrom(c *Call) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(c.Stdin)
	return b.Bytes(), err
}

func cmdUniq(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "", false)
	src := "-"
	if len(o.args) > 0 {
		src = o.args[0]
	}
	data, err := c.readInput(src)
	if err != nil {
		return c.fail(src, err)
	}
	lines := splitLines(string(data))
	for i := 0; i < len(lines); {
		j := i
		for j < len(lines) && lines[j] == lines[i] {
			j++
		}
		n := j - i
		switch {
		case o.has("d") && n < 2, o.has("u") && n > 1:
		case o.has("c"):
			fmt.Fprintf(c.Stdout, "%7d %s\n", n, lines[i])
		default:
			fmt.Fprintln(c.Stdout, lines[i])
		}
		i = j
	}
	return 0
}

func cmdSeq(ctx context.Context, c *Call) int {
	var nums []int
	for _, a := range c.Args[1:] {
		n, err := strconv.Atoi(a)
		if err != nil {
			return c.Errorf("invalid floating point argument: '%s'", a)
		}
		nums = append(nums, n)
	}
	first, step, last := 1, 1, 0
	switch len(nums) {
	case 1:
		last = nums[0]
	case 2:
		first, last = nums[0], nums[1]
	case 3:
		first, step, last = nums[0], nums[1], nums[2]
	default:
		return c.Errorf("missing operand")
	}
	if step == 0 {
		return c.Errorf("invalid Zero increment value: '0'")
	}
	for i, k := first, 0; (step > 0 && i <= last || step < 0 && i >= last) && k < 1000000; i, k = i+step, k+1 {
		fmt.Fprintln(c.Stdout, i)
	}
	return 0
}

func cmdXargs(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "I,n,d,L,P", true)
	data, _ := readAllFrom(c)
	var items []string
	if d, ok := o.get("d"); ok {
		if d == `\n` {
			d = "\n"
		}
		items = strings.Split(strings.TrimSuffix(string(data), "\n"), d)
	} else if o.has("0") {
		items = strings.Split(strings.TrimSuffix(string(data), "\x00"), "\x00")
	} else if _, ok := o.get("I"); ok {
		items = splitLines(string(data))
	} else {
		items = strings.Fields(string(data))
	}
	cmd := o.args
	if len(cmd) == 0 {
		cmd = []string{"echo"}
	}
	if len(items) == 0 && o.has("r", "no-run-if-empty") {
		return 0
	}
	code := 0
	run := func(argv []string) {
		if st := c.Run(ctx, shellJoin(argv)); st != 0 {
			code = 123
		}
	}
	if rep, ok := o.get("I"); ok {
		for _, it := range items {
			argv := make([]string, len(cmd))
			for i, a := range cmd {
				argv[i] = strings.ReplaceAll(a, rep, it)
			}
			run(argv)
		}
		return code
	}
	per := len(items)
	if n, ok := o.get("n", "L"); ok {
		per, _ = strconv.Atoi(n)
		if per <= 0 {
			per = 1
		}
	}
	if per == 0 {
		run(cmd)
		return code
	}
	for i := 0; i < len(items); i += per {
		run(append(append([]string{}, cmd...), items[i:min(i+per, len(items))]...))
	}
	return code
}

// cmdAwk supports the one-liners deploy scripts use: [-F sep] '[/re/|NR==n|$N=="x"] { print a, b }'.
func cmdAwk(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "F,v", true)
	if len(o.args) == 0 {
		fmt.Fprintln(c.Stderr, "usage: awk [-F fs][-v var=value][prog | -f progfile][file ...]")
		return 2
	}
	prog := strings.TrimSpace(o.args[0])
	sep, hasSep := o.get("F")
	if sep == `\t` {
		sep = "\t"
	}
	cond, action := "", prog
	if i := strings.Index(prog, "{"); i >= 0 && strings.HasSuffix(prog, "}") {
		cond, action = strings.TrimSpace(prog[:i]), strings.TrimSpace(prog[i+1:len(prog)-1])
	} else if !strings.HasPrefix(prog, "{") {
		cond, action = prog, "print"
	}
	action = strings.TrimSuffix(strings.TrimSpace(action), ";")
	if action == "" {
		action = "print"
	}
	if !strings.HasPrefix(action, "print") || strings.ContainsAny(action, ";{}") {
		fmt.Fprintf(c.Stderr, "awk: program not supported on simulated hosts: %s\n", prog)
		return 2
	}
	exprs := splitAwkArgs(strings.TrimSpace(strings.TrimPrefix(action, "print")))
	var test func(fields []string, line string, nr int) bool
	switch {
	case cond == "":
		test = func([]string, string, int) bool { return true }
	case strings.HasPrefix(cond, "/") && strings.HasSuffix(cond, "/") && len(cond) > 1:
		re, err := toGoRegexp(cond[1:len(cond)-1], true, false)
		if err != nil {
			fmt.Fprintf(c.Stderr, "awk: %v\n", err)
			return 2
		}
		test = func(_ []string, line string, _ int) bool { return re.MatchString(line) }
	case strings.Contains(cond, "=="):
		l, r, _ := strings.Cut(cond, "==")
		l, r = strings.TrimSpace(l), strings.Trim(strings.TrimSpace(r), `"`)
		test = func(f []string, line string, nr int) bool { return awkValue(l, f, line, nr) == r }
	default:
		fmt.Fprintf(c.Stderr, "awk: program not supported on simulated hosts: %s\n", prog)
		return 2
	}
	files := o.args[1:]
	if len(files) == 0 {
		files = []string{"-"}
	}
	nr := 0
	for _, f := range files {
		data, err := c.readInput(f)
		if err != nil {
			fmt.Fprintf(c.Stderr, "awk: cannot open \"%s\" (%s)\n", f, errText(err))
			return 2
		}
		for _, line := range splitLines(string(data)) {
			nr++
			var fields []string
			if hasSep && sep != " " {
				fields = strings.Split(line, sep)
			} else {
				fields = strings.Fields(line)
			}
			if !test(fields, line, nr) {
				continue
			}
			if len(exprs) == 0 {
				fmt.Fprintln(c.Stdout, line)
				continue
			}
			var parts []string
			for _, e := range exprs {
				parts = append(parts, awkValue(e, fields, line, nr))
			}
			fmt.Fprintln(c.Stdout, strings.Join(parts, " "))
		}
	}
	return 0
}

func splitAwkArgs(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(s, ",") {
		out = append(out, strings.TrimSpace(p))
	}
	return out
}

func awkValue(e string, f []string, line string, nr int) string {
	switch {
	case e == "$0":
		return line
	case e == "NF":
		return strconv.Itoa(len(f))
	case e == "NR":
		return strconv.Itoa(nr)
	case e == "$NF":
		if len(f) == 0 {
			return ""
		}
		return f[len(f)-1]
	case strings.HasPrefix(e, "$"):
		n, err := strconv.Atoi(e[1:])
		if err != nil || n < 1 || n > len(f) {
			return ""
		}
		return f[n-1]
	case strings.HasPrefix(e, `"`) && strings.HasSuffix(e, `"`) && len(e) >= 2:
		return e[1 : len(e)-1]
	}
	fields := strings.Fields(e)
	if len(fields) <= 1 {
		return "" // an unset awk variable
	}
	var parts []string
	for _, p := range fields {
		parts = append(parts, awkValue(p, f, line, nr))
	}
	return strings.Join(parts, "")
}

func cmdBase64(ctx context.Context, c *Call) int {
	o, _ := parse(c.Args[1:], "w", false)
	src := "-"
	if len(o.args) > 0 {
		src = o.args[0]
	}
	data, err := c.readInput(src)
	if err != nil {
		return c.fail(src, err)
	}
	if o.has("d", "decode") {
		out, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(data)), ""))
		if err != nil {
			fmt.Fprintln(c.Stderr, "base64: invalid input")
			return 1
		}
		c.Stdout.Write(out)
		return 0
	}
	enc := base64.StdEncoding.EncodeToString(data)
	if w, _ := o.get("w"); w == "0" {
		fmt.Fprintln(c.Stdout, enc)
		return 0
	}
	for len(enc) > 76 {
		fmt.Fprintln(c.Stdout, enc[:76])
		enc = enc[76:]
	}
	fmt.Fprintln(c.Stdout, enc)
	return 0
}

func cmdSum(ctx context.Context, c *Call) int {
	var h func() hash.Hash
	switch path.Base(c.Args[0]) {
	case "md5sum":
		h = md5.New
	case "sha1sum":
		h = sha1.New
	default:
		h = sha256.New
	}
	files := c.Args[1:]
	if len(files) == 0 {
		files = []string{"-"}
	}
	code := 0
	for _, f := range files {
		if strings.HasPrefix(f, "-") && f != "-" {
			continue
		}
		data, err := c.readInput(f)
		if err != nil {
			code = c.fail(f, err)
			continue
		}
		s := h()
		s.Write(data)
		fmt.Fprintf(c.Stdout, "%s  %s\n", hex.EncodeToString(s.Sum(nil)), f)
	}
	return code
}
