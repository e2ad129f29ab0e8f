package rules

import (
	"fmt"
	"regexp"
)

// checkTemplate reports the first reference in a replace template that
// regexp.Expand would not resolve to a group of re: $n and ${n} beyond the
// number of groups, unknown ${name}s, and the classic mistake $1x, which
// Expand reads as the group named "1x" (write ${1}x). A '$' that starts no
// reference must be written $$.
func checkTemplate(tmpl string, re *regexp.Regexp) error {
	names := re.SubexpNames()
	for i := 0; i < len(tmpl); i++ {
		if tmpl[i] != '$' {
			continue
		}
		start := i
		i++
		if i < len(tmpl) && tmpl[i] == '$' {
			continue
		}
		name, braces, n := templateRef(tmpl[i:])
		if n == 0 {
			return fmt.Errorf("'$' at offset %d does not start a group reference ($1, ${1}, ${name}); write $$ for a literal '$'", start)
		}
		i += n - 1
		if num, ok := groupNumber(name); ok {
			if num >= len(names) {
				return fmt.Errorf("%s refers to group %d, but the expression has %d group(s)", tmpl[start:i+1], num, len(names)-1)
			}
			continue
		}
		found := false
		for _, gn := range names[1:] {
			if gn == name {
				found = true
				break
			}
		}
		if found {
			continue
		}
		if !braces && name[0] >= '0' && name[0] <= '9' {
			d := 0
			for d < len(name) && name[d] >= '0' && name[d] <= '9' {
				d++
			}
			return fmt.Errorf("%s is read as the group named %q, which does not exist; write ${%s}%s", tmpl[start:i+1], name, name[:d], name[d:])
		}
		return fmt.Errorf("%s refers to the group named %q, which the expression does not have", tmpl[start:i+1], name)
	}
	return nil
}

// templateRef reads a reference after '$' the way regexp.Expand does: a
// name in braces, or the longest run of letters, digits and '_'. It returns
// the name and the number of bytes read, 0 when there is no reference.
func templateRef(s string) (name string, braces bool, n int) {
	if len(s) > 0 && s[0] == '{' {
		end := 1
		for end < len(s) && isNameByte(s[end]) {
			end++
		}
		if end == 1 || end >= len(s) || s[end] != '}' {
			return "", true, 0
		}
		return s[1:end], true, end + 1
	}
	end := 0
	for end < len(s) && isNameByte(s[end]) {
		end++
	}
	return s[:end], false, end
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// groupNumber parses a group number the way regexp.Expand does: decimal,
// no leading zero, below 1e8.
func groupNumber(name string) (int, bool) {
	if name == "" || len(name) > 8 || (name[0] == '0' && len(name) > 1) {
		return 0, false
	}
	n := 0
	for i := 0; i < len(name); i++ {
		if name[i] < '0' || name[i] > '9' {
			return 0, false
		}
		n = n*10 + int(name[i]-'0')
	}
	return n, true
}
