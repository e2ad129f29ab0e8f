package rules

import (
	"reflect"
	"regexp"
	"regexp/syntax"
	"testing"
)

// fastPatterns are expressions of both kinds: those the fast matcher
// takes, and those it must leave to the regexp (want false).
var fastPatterns = []struct {
	match string
	fast  bool
}{
	{`\+4420\d{6}`, true},
	{`0044(\d+)`, true},
	{`5\d{3}`, true},
	{`(.+)@tenant123\.example\.com`, true},
	{`.*@example\.com`, true},
	{`(?i)room-.*`, true},
	{`(?i)(room)-(\d{2,4})`, true},
	{`(?P<user>[^@]+)@(?P<dom>gw\.example\.com)`, true},
	{`^abc$`, true},
	{`(?i)\x{212A}elvin`, true},
	{`a(b)c`, true},
	{`(a)(?:b*)(c)`, true},
	{`x?yz`, true},
	{`()abc`, true},
	{`(?s).+`, true},
	{`[^a-z]{3}`, true},
	{`(?i)[a-c]{2}X`, true},
	{`(?m)^a$`, true},
	{`(\d+)-(\d+)`, false},
	{`a|b`, true},
	{`ab|cd`, false},
	{`(ab)+`, false},
	{`(?i)é.*`, false},
	{`\bab`, false},
	{`a$b`, false},
	{`.*a.*`, false},
}

func TestFastMatcherShapes(t *testing.T) {
	for _, p := range fastPatterns {
		tree, err := syntax.Parse(p.match, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		if got := newFastMatcher(tree) != nil; got != p.fast {
			t.Errorf("newFastMatcher(%q) != nil is %v, want %v", p.match, got, p.fast)
		}
	}
}

func TestFastMatcherAgreesWithRegexp(t *testing.T) {
	subjects := []string{"", "a", "abc", "ABC", "Xabc", "+44201234567", "+4420123456", "+4420abcdef",
		"00441", "0044", "5123", "51234", "alice@tenant123.example.com", "@tenant123.example.com",
		"bob@example.com", "room-1", "ROOM-", "Room-12", "room-12345", "kelvin", "KELVIN", "x@gw.example.com",
		"yz", "xyz", "xxyz", "abbbc", "ac", "1-2", "!!!", "abX", "CAx", "a", "12-34"}
	for _, p := range fastPatterns {
		tree, _ := syntax.Parse(p.match, syntax.Perl)
		m := newFastMatcher(tree)
		if m == nil {
			continue
		}
		re := regexp.MustCompile(`^(?:` + p.match + `)$`)
		for _, s := range subjects {
			checkFast(t, p.match, m, re, s)
		}
	}
}

func checkFast(t *testing.T, pattern string, m *fastMatcher, re *regexp.Regexp, s string) {
	t.Helper()
	want := re.FindStringSubmatchIndex(s)
	caps := make([]int, 2*len(m.spans))
	ok := m.match(s, caps)
	if ok != (want != nil) || ok != m.match(s, nil) {
		t.Fatalf("%q on %q: fast %v, regexp %v", pattern, s, ok, want != nil)
	}
	if ok && !reflect.DeepEqual(caps, want) {
		t.Fatalf("%q on %q: fast groups %v, regexp %v", pattern, s, caps, want)
	}
}

func FuzzFastMatcher(f *testing.F) {
	for i, s := range []string{"+44201234567", "alice@tenant123.example.com", "Room-12", "abc", "", "x@gw.example.com"} {
		f.Add(uint8(i), s)
	}
	type compiled struct {
		m  *fastMatcher
		re *regexp.Regexp
	}
	var all []compiled
	for _, p := range fastPatterns {
		tree, _ := syntax.Parse(p.match, syntax.Perl)
		if m := newFastMatcher(tree); m != nil {
			all = append(all, compiled{m, regexp.MustCompile(`^(?:` + p.match + `)$`)})
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, s string) {
		if !isASCII(s) {
			return
		}
		c := all[int(which)%len(all)]
		checkFast(t, c.re.String(), c.m, c.re, s)
	})
}
