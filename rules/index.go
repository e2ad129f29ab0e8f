package rules

import (
	"math"
	"regexp/syntax"
	"sort"
)

// ruleIndex finds the rules whose expression can match a subject without
// running them: each enabled rule is filed under the literal prefixes of
// its expression (`\+4420\d{6}` under "+4420"), else its literal suffixes
// (`(.+)@tenant1\.example\.com` under "@tenant1.example.com"), else a
// literal it must contain (`(?i).*room.*` under "room", looked for
// case-insensitively), else on an always-check list. Lookups walk a prefix
// trie and a suffix trie and scan an Aho-Corasick automaton over the
// subject, and hand back sorted lists of rule ordinals (positions in
// priority order) that candidates merges. The index is a sound filter:
// every rule that can match is a candidate.
//
// There are two families of structures: one for the rules that match the
// stripped alias and one for the rules with match_full_uri.
type ruleIndex struct {
	fam   [2]family
	rules int
	stats IndexStats
}

// IndexStats says how the rules were indexed.
type IndexStats struct {
	Rules    int `json:"rules"`
	Disabled int `json:"disabled"`
	Prefix   int `json:"prefix"`
	Suffix   int `json:"suffix"`
	Contains int `json:"contains"`
	Always   int `json:"always"`
}

// IndexStats reports how many rules each part of the index holds; rules
// on the always-check list run their expression for every call.
func (e *Engine) IndexStats() IndexStats { return e.index.stats }

type family struct {
	prefix  trie // keys in order
	suffix  trie // keys reversed
	ac      acMachine
	acFold  acMachine
	foldAll []int32 // every rule in acFold, for subjects that are not ASCII
	always  []int32
}

func buildIndex(rules []*rule, order []int, matches []compiledMatch) ruleIndex {
	ix := ruleIndex{rules: len(rules)}
	ix.stats.Rules = len(rules)
	for f := range ix.fam {
		ix.fam[f].prefix.init()
		ix.fam[f].suffix.init()
		ix.fam[f].ac.init()
		ix.fam[f].acFold.init()
	}
	for ord, r := range rules {
		if !r.enabled {
			ix.stats.Disabled++
			continue
		}
		f := &ix.fam[0]
		if r.fullURI {
			f = &ix.fam[1]
		}
		o := int32(ord)
		kind, lits := planIndex(matches[order[ord]].tree)
		switch kind {
		case indexPrefix:
			for _, k := range lits {
				f.prefix.insert(k, false, o)
			}
			ix.stats.Prefix++
		case indexSuffix:
			for _, k := range lits {
				f.suffix.insert(k, true, o)
			}
			ix.stats.Suffix++
		case indexContainsFold:
			f.acFold.insert(lits[0], o)
			f.foldAll = append(f.foldAll, o)
			ix.stats.Contains++
		case indexContains:
			f.ac.insert(lits[0], o)
			ix.stats.Contains++
		default:
			f.always = append(f.always, o)
			ix.stats.Always++
		}
	}
	for f := range ix.fam {
		ix.fam[f].ac.finish()
		ix.fam[f].acFold.finish()
	}
	return ix
}

// indexKind is where a rule is filed.
type indexKind uint8

const (
	indexAlways indexKind = iota
	indexPrefix
	indexSuffix
	indexContains
	indexContainsFold
)

// planIndex chooses how to file an expression: under the longest of its
// literal prefixes, suffixes or required substring (ties in that order),
// or on the always-check list.
func planIndex(tree *syntax.Regexp) (indexKind, []string) {
	tree = tree.Simplify()
	pre, _ := litWalker{}.walk(tree)
	suf, _ := litWalker{suffix: true}.walk(tree)
	lit, fold := required(tree)
	np, ns, nl := usable(pre), usable(suf), min(len(lit), maxLitLen)
	switch {
	case np > 0 && np >= ns && np >= nl:
		return indexPrefix, pre
	case ns > 0 && ns >= nl:
		return indexSuffix, suf
	case nl > 0 && fold:
		return indexContainsFold, []string{lit}
	case nl > 0:
		return indexContains, []string{lit}
	}
	return indexAlways, nil
}

// collect adds the candidate lists of one family for subject s.
func (f *family) collect(c *candidates, s string) {
	f.prefix.walk(c, s, false)
	f.suffix.walk(c, s, true)
	f.ac.scan(c, s, false)
	if len(f.foldAll) > 0 {
		if isASCII(s) {
			f.acFold.scan(c, s, true)
		} else {
			// Non-ASCII letters (the Kelvin sign, long s) fold to ASCII
			// ones; lower-casing bytes would miss them.
			c.add(f.foldAll)
		}
	}
	c.add(f.always)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// maxLists bounds the lists one lookup merges; beyond it the lookup falls
// back to checking every rule.
const maxLists = 160

// candidates merges the sorted ordinal lists of a lookup and yields each
// rule ordinal once, in increasing order. It lives on the caller's stack.
type candidates struct {
	lists [maxLists][]int32
	n     int
	last  int32
	all   bool // too many lists: every rule is a candidate
	seq   int32
	total int32
}

func (c *candidates) start(ix *ruleIndex, stripped, full string) {
	c.last = -1
	c.total = int32(ix.rules)
	ix.fam[0].collect(c, stripped)
	ix.fam[1].collect(c, full)
}

func (c *candidates) add(l []int32) {
	if len(l) == 0 || c.all {
		return
	}
	if c.n == maxLists {
		c.all = true
		return
	}
	c.lists[c.n] = l
	c.n++
}

// next returns the next candidate ordinal.
func (c *candidates) next() (int32, bool) {
	if c.all {
		if c.seq >= c.total {
			return 0, false
		}
		c.seq++
		return c.seq - 1, true
	}
	for {
		best, low := -1, int32(math.MaxInt32)
		for i := 0; i < c.n; i++ {
			if h := c.lists[i][0]; h < low {
				best, low = i, h
			}
		}
		if best < 0 {
			return 0, false
		}
		if c.lists[best] = c.lists[best][1:]; len(c.lists[best]) == 0 {
			c.n--
			c.lists[best] = c.lists[c.n]
		}
		if low != c.last {
			c.last = low
			return low, true
		}
	}
}

// trie is a byte trie whose nodes hold sorted rule ordinals.
type trie struct {
	nodes []trieNode
}

type trieNode struct {
	edges []trieEdge // sorted by b
	rules []int32
}

type trieEdge struct {
	b  byte
	to int32
}

func (t *trie) init() { t.nodes = []trieNode{{}} }

// insert files ord under key (read backwards when reversed).
func (t *trie) insert(key string, reversed bool, ord int32) {
	n := int32(0)
	for i := 0; i < len(key); i++ {
		b := key[i]
		if reversed {
			b = key[len(key)-1-i]
		}
		next := t.child(n, b)
		if next < 0 {
			next = int32(len(t.nodes))
			t.nodes = append(t.nodes, trieNode{})
			edges := append(t.nodes[n].edges, trieEdge{b: b, to: next})
			sort.Slice(edges, func(i, j int) bool { return edges[i].b < edges[j].b })
			t.nodes[n].edges = edges
		}
		n = next
	}
	if rs := t.nodes[n].rules; len(rs) == 0 || rs[len(rs)-1] != ord {
		t.nodes[n].rules = append(rs, ord)
	}
}

// child returns the node reached from n by b, or -1.
func (t *trie) child(n int32, b byte) int32 {
	edges := t.nodes[n].edges
	if len(edges) <= 8 {
		for _, e := range edges {
			if e.b == b {
				return e.to
			}
		}
		return -1
	}
	lo, hi := 0, len(edges)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if edges[m].b < b {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(edges) && edges[lo].b == b {
		return edges[lo].to
	}
	return -1
}

// walk adds the rules of every node on the path of s (read from the end
// when reversed).
func (t *trie) walk(c *candidates, s string, reversed bool) {
	if len(t.nodes) < 2 {
		return
	}
	n := int32(0)
	for i := 0; i < len(s) && i < maxLitLen; i++ {
		b := s[i]
		if reversed {
			b = s[len(s)-1-i]
		}
		if n = t.child(n, b); n < 0 {
			return
		}
		c.add(t.nodes[n].rules)
	}
}

// acMachine is an Aho-Corasick automaton over the required literals; each
// pattern carries the sorted ordinals of its rules.
type acMachine struct {
	nodes []acNode
	root  [256]int32 // the root's edges, dense: most steps start there
}

type acNode struct {
	edges []trieEdge
	fail  int32
	dict  int32   // nearest node on the fail chain that ends a pattern; -1 none
	rules []int32 // rules whose literal ends here
}

func (m *acMachine) init() {
	m.nodes = []acNode{{dict: -1}}
	for i := range m.root {
		m.root[i] = -1
	}
}

func (m *acMachine) child(n int32, b byte) int32 {
	if n == 0 {
		return m.root[b]
	}
	for _, e := range m.nodes[n].edges {
		if e.b == b {
			return e.to
		}
	}
	return -1
}

func (m *acMachine) insert(lit string, ord int32) {
	n := int32(0)
	for i := 0; i < len(lit); i++ {
		next := m.child(n, lit[i])
		if next < 0 {
			next = int32(len(m.nodes))
			m.nodes = append(m.nodes, acNode{dict: -1})
			m.nodes[n].edges = append(m.nodes[n].edges, trieEdge{b: lit[i], to: next})
			if n == 0 {
				m.root[lit[i]] = next
			}
		}
		n = next
	}
	if rs := m.nodes[n].rules; len(rs) == 0 || rs[len(rs)-1] != ord {
		m.nodes[n].rules = append(rs, ord)
	}
}

// finish computes the failure and dictionary links, breadth first.
func (m *acMachine) finish() {
	queue := []int32{}
	for _, e := range m.nodes[0].edges {
		m.nodes[e.to].fail = 0
		queue = append(queue, e.to)
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, e := range m.nodes[n].edges {
			f := m.nodes[n].fail
			for f != 0 && m.child(f, e.b) < 0 {
				f = m.nodes[f].fail
			}
			if next := m.child(f, e.b); next >= 0 && next != e.to {
				f = next
			} else {
				f = 0
			}
			m.nodes[e.to].fail = f
			if len(m.nodes[f].rules) > 0 {
				m.nodes[e.to].dict = f
			} else {
				m.nodes[e.to].dict = m.nodes[f].dict
			}
			queue = append(queue, e.to)
		}
	}
}

// scan adds the rules of every pattern found in s (lower-cased ASCII when
// fold). A pattern found again adds nothing new: the merge skips repeats,
// but the lists are bounded, so repeats are skipped here too.
func (m *acMachine) scan(c *candidates, s string, fold bool) {
	if len(m.nodes) < 2 {
		return
	}
	var seen [32]int32
	nseen := 0
	n := int32(0)
	for i := 0; i < len(s); i++ {
		b := s[i]
		if fold && b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		for {
			if next := m.child(n, b); next >= 0 {
				n = next
				break
			}
			if n == 0 {
				break
			}
			n = m.nodes[n].fail
		}
		for o := n; o > 0; o = m.nodes[o].dict {
			if len(m.nodes[o].rules) == 0 {
				continue
			}
			dup := false
			for _, x := range seen[:nseen] {
				if x == o {
					dup = true
					break
				}
			}
			if dup {
				continue
			}
			if nseen < len(seen) {
				seen[nseen] = o
				nseen++
			}
			c.add(m.nodes[o].rules)
		}
	}
}
