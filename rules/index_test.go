package rules

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"

	"github.com/switchyard/switchyard/call"
)

func TestPlanIndex(t *testing.T) {
	tests := []struct {
		match string
		kind  indexKind
		lits  string // space-separated, sorted
	}{
		{`\+4420\d{6}`, indexPrefix, "+4420"},
		{`1234`, indexPrefix, "1234"},
		{`0044(\d+)`, indexPrefix, "0044"},
		{`5\d{3}`, indexPrefix, "5"},
		{`(1234)`, indexPrefix, "1234"},
		{`^abc$`, indexPrefix, "abc"},
		{`ab?c`, indexPrefix, "abc ac"},
		{`(?:1234|5678)\d*`, indexPrefix, "1234 5678"},
		{`[Aa]lice`, indexPrefix, "Alice alice"},
		{`(?i)ab`, indexPrefix, "AB Ab aB ab"},
		{`(?i)k`, indexPrefix, "K k \u212a"},
		{`(.+)@tenant123\.example\.com`, indexSuffix, "@tenant123.example.com"},
		{`.*@example\.com`, indexSuffix, "@example.com"},
		{`\d+#`, indexSuffix, "#"},
		{`.*(?:\.com|\.net)`, indexSuffix, ".com .net"},
		{`.*conf.*`, indexContains, "conf"},
		{`\d*-vmr-\d+`, indexContains, "-vmr-"},
		{`(?i).*room.*`, indexContainsFold, "room"},
		{`.*`, indexAlways, ""},
		{`\d{4}`, indexAlways, ""},
		{`[a-z]+`, indexAlways, ""},
		{`(?i).*ſtraße.*`, indexAlways, ""},
		{`a*`, indexAlways, ""},
		{`\+.*sales.*`, indexContains, "sales"},
		{strings.Repeat("x", 40) + `\d`, indexPrefix, strings.Repeat("x", maxLitLen)},
		{`.*` + strings.Repeat("y", 40), indexSuffix, strings.Repeat("y", maxLitLen)},
	}
	for _, tc := range tests {
		tree, err := syntax.Parse(tc.match, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		kind, lits := planIndex(tree)
		slices.Sort(lits)
		if kind != tc.kind || strings.Join(lits, " ") != tc.lits {
			t.Errorf("planIndex(%q) = %d %q, want %d %q", tc.match, kind, lits, tc.kind, tc.lits)
		}
	}
}

// linearRoute is the reference: every rule, in order, no index.
func linearRoute(e *Engine, req *Request) []string {
	dialed, err := cleanInput(req.Dialed)
	if err != nil {
		return nil
	}
	stripped := StripAlias(dialed)
	var out []string
	src := req.Source.Unmap()
	for _, r := range e.rules {
		subj := stripped
		if r.fullURI {
			subj = dialed
		}
		if r.screen(req, src) != verdictMatch || !r.re.MatchString(subj) {
			continue
		}
		out = append(out, r.name)
		if r.onFailure != OnFailureContinue {
			break
		}
	}
	return out
}

// TestIndexIsSound builds plans of random rules of every shape and checks
// that the indexed Route picks exactly the rules a linear scan picks.
func TestIndexIsSound(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := []func(i int) string{
		func(i int) string { return fmt.Sprintf(`\+44%d\d{%d}`, rng.IntN(100), rng.IntN(4)) },
		func(i int) string { return fmt.Sprintf(`00%d(\d+)`, rng.IntN(50)) },
		func(i int) string { return fmt.Sprintf(`%d\d{%d}`, rng.IntN(10), rng.IntN(3)) },
		func(i int) string { return fmt.Sprintf(`(.+)@t%d\.example\.com`, rng.IntN(20)) },
		func(i int) string { return fmt.Sprintf(`(?i)room-%d.*`, rng.IntN(20)) },
		func(i int) string { return fmt.Sprintf(`(?i).*conf%d.*`, rng.IntN(5)) },
		func(i int) string { return fmt.Sprintf(`.*-vmr-%d`, rng.IntN(5)) },
		func(i int) string { return `[a-c]\d+` },
		func(i int) string { return fmt.Sprintf(`(?:%d|%d)\d`, rng.IntN(10), rng.IntN(10)) },
		func(i int) string { return `(?i)k.*` },
		func(i int) string { return `\d{2,3}` },
	}
	var b strings.Builder
	b.WriteString("dialplan:\n  rules:\n")
	for i := 0; i < 600; i++ {
		m := shapes[rng.IntN(len(shapes))](i)
		extra := ""
		switch rng.IntN(6) {
		case 0:
			extra = ", on_failure: continue"
		case 1:
			extra = ", enabled: false"
		case 2:
			extra = ", match_full_uri: true"
		case 3:
			extra = ", from_protocols: [h323]"
		}
		fmt.Fprintf(&b, "    - {name: r%d, priority: %d, match: '%s', replace: 'sip:x@h.example.com'%s}\n", i, rng.IntN(50), m, extra)
	}
	e := engineFromYAML(t, b.String())
	st := e.IndexStats()
	if st.Prefix == 0 || st.Suffix == 0 || st.Contains == 0 || st.Always == 0 {
		t.Fatalf("stats %+v: every part of the index should be used", st)
	}
	dials := []string{"+44123456", "+4499", "00441234", "0017", "5", "56", "567", "9999", "alice@t3.example.com",
		"sip:bob@t7.example.com", "ROOM-12-a", "room-3", "my-CONF3-x", "x-vmr-4", "a123", "\u212aelvin", "kelvin",
		"sip:0044123@h", "tel:+44 12", "12", "123", "Room-1ſ", "conf", "b7", "c"}
	for i := 0; i < 300; i++ {
		dials = append(dials, fmt.Sprintf("%s%d%s", []string{"+44", "00", "", "room-", "x-vmr-", "sip:"}[rng.IntN(6)],
			rng.IntN(100000), []string{"", "@t1.example.com", "-conf2", ""}[rng.IntN(4)]))
	}
	for _, d := range dials {
		for _, proto := range []call.Protocol{call.ProtocolSIP, call.ProtocolH323} {
			req := &Request{Protocol: proto, Dialed: d}
			got, _ := e.Route(req)
			var names []string
			for _, dec := range got {
				names = append(names, dec.Rule)
			}
			if want := linearRoute(e, req); !reflect.DeepEqual(names, want) {
				t.Fatalf("%q from %s: indexed %q, linear %q", d, proto, names, want)
			}
		}
	}
}

func TestIndexOverflowFallsBack(t *testing.T) {
	// More required substrings found in one dial than a lookup can merge:
	// the lookup falls back to checking every rule, and still agrees with
	// the linear scan.
	rng := rand.New(rand.NewPCG(3, 4))
	digits := make([]byte, 600)
	for i := range digits {
		digits[i] = byte('0' + rng.IntN(10))
	}
	dial := "x" + string(digits)
	var b strings.Builder
	b.WriteString("dialplan:\n  rules:\n")
	seen := map[string]bool{}
	for i := 0; len(seen) < 2*maxLists; i++ {
		sub := dial[1+i : 1+i+4]
		if seen[sub] {
			continue
		}
		seen[sub] = true
		fmt.Fprintf(&b, "    - {name: r%d, match: '.*%s.*z', replace: 'sip:x@h.example.com'}\n", i, sub)
	}
	b.WriteString("    - {name: last, match: 'x\\d+', replace: 'sip:last@h.example.com'}\n")
	e := engineFromYAML(t, b.String())
	if st := e.IndexStats(); st.Contains != 2*maxLists {
		t.Fatalf("stats %+v", st)
	}
	var c candidates
	c.start(&e.index, dial, dial)
	if !c.all {
		t.Fatal("the lookup did not overflow")
	}
	req := &Request{Dialed: dial}
	got, err := e.Route(req)
	if err != nil || got[0].Rule != "last" || !reflect.DeepEqual(linearRoute(e, req), []string{"last"}) {
		t.Fatalf("%v %v", summarize(got), err)
	}
}
