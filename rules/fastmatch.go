package rules

import (
	"regexp/syntax"
	"unicode"
)

// fastMatcher matches, without the regexp machinery, the expressions that
// dial plans are mostly made of: a sequence of literals, single-character
// classes and repetitions of one character class, of which at most one
// has a variable length (`\+4420\d{6}`, `0044(\d+)`, `(.+)@tenant\.com`,
// `(?i)room-.*`). Anchored at both ends, such an expression fixes the
// length of every piece, so a subject matches in at most one way and the
// submatches follow from the piece lengths; the result is the one the
// regexp package gives. It handles ASCII subjects only (lengths are then
// bytes); other subjects go to the regexp.
type fastMatcher struct {
	pieces []fastPiece
	varIdx int      // the piece of variable length, or -1
	fixed  int      // total length of the other pieces
	before []int    // before[k]: fixed length of the pieces ahead of piece k
	spans  [][2]int // per capture group: first piece, end piece; -1 unset
}

type fastPiece struct {
	isLit    bool
	lit      string    // literal, lower-case when fold
	fold     bool      // ASCII case-insensitive literal
	set      [2]uint64 // class: the ASCII bytes allowed
	min, max int       // length; max < 0: unbounded
}

// maxFastGroups bounds the capture groups of a fast expression, so that
// submatches fit in a fixed array.
const maxFastGroups = 10

type fastBuilder struct {
	m     *fastMatcher
	ended bool
}

// newFastMatcher returns the fast matcher of an expression as parsed, or
// nil when it has another shape.
func newFastMatcher(tree *syntax.Regexp) *fastMatcher {
	ngroups := tree.MaxCap() + 1
	if ngroups > maxFastGroups {
		return nil
	}
	m := &fastMatcher{varIdx: -1, spans: make([][2]int, ngroups)}
	for i := range m.spans {
		m.spans[i] = [2]int{-1, -1}
	}
	b := fastBuilder{m: m}
	if !b.add(tree) {
		return nil
	}
	m.spans[0] = [2]int{0, len(m.pieces)}
	m.before = make([]int, len(m.pieces)+1)
	for i, p := range m.pieces {
		n := p.min
		if i == m.varIdx {
			n = 0
		}
		m.before[i+1] = m.before[i] + n
	}
	m.fixed = m.before[len(m.pieces)]
	return m
}

func (b *fastBuilder) add(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return true
	case syntax.OpBeginText, syntax.OpBeginLine:
		return len(b.m.pieces) == 0
	case syntax.OpEndText, syntax.OpEndLine:
		// Subjects never hold a newline: end of line is end of text.
		b.ended = true
		return true
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase == 0 {
			return b.piece(fastPiece{isLit: true, lit: string(re.Rune), min: len(string(re.Rune)), max: len(string(re.Rune))})
		}
		lit := make([]byte, 0, len(re.Rune))
		for _, r := range re.Rune {
			c, ok := asciiFold(r)
			if !ok {
				return false
			}
			lit = append(lit, c)
		}
		return b.piece(fastPiece{isLit: true, lit: string(lit), fold: true, min: len(lit), max: len(lit)})
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		set, _ := charSet(re)
		return b.piece(fastPiece{set: set, min: 1, max: 1})
	case syntax.OpCapture:
		start := len(b.m.pieces)
		if !b.add(re.Sub[0]) {
			return false
		}
		b.m.spans[re.Cap] = [2]int{start, len(b.m.pieces)}
		return true
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !b.add(sub) {
				return false
			}
		}
		return true
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		set, ok := charSet(re.Sub[0])
		if !ok {
			return false
		}
		p := fastPiece{set: set}
		switch re.Op {
		case syntax.OpStar:
			p.min, p.max = 0, -1
		case syntax.OpPlus:
			p.min, p.max = 1, -1
		case syntax.OpQuest:
			p.min, p.max = 0, 1
		default:
			p.min, p.max = re.Min, re.Max
		}
		return b.piece(p)
	}
	return false
}

func (b *fastBuilder) piece(p fastPiece) bool {
	if b.ended {
		return false
	}
	if p.min != p.max {
		if b.m.varIdx >= 0 {
			return false
		}
		b.m.varIdx = len(b.m.pieces)
	}
	b.m.pieces = append(b.m.pieces, p)
	return true
}

// asciiFold returns the lower-case ASCII letter a case-insensitive rune
// stands for in an ASCII subject (the Kelvin sign stands for k), or the
// rune itself when it has no case; false when nothing ASCII matches it.
func asciiFold(r rune) (byte, bool) {
	for f := r; ; {
		if f < 0x80 {
			if f >= 'A' && f <= 'Z' {
				f += 'a' - 'A'
			}
			return byte(f), true
		}
		if f = unicode.SimpleFold(f); f == r {
			return 0, false
		}
	}
}

// charSet returns the ASCII bytes a single-character node matches.
func charSet(re *syntax.Regexp) ([2]uint64, bool) {
	var set [2]uint64
	addRange := func(lo, hi rune) {
		for c := max(lo, 0); c <= hi && c < 0x80; c++ {
			set[c>>6] |= 1 << (c & 63)
		}
	}
	switch re.Op {
	case syntax.OpAnyChar:
		addRange(0, 0x7f)
	case syntax.OpAnyCharNotNL:
		addRange(0, '\n'-1)
		addRange('\n'+1, 0x7f)
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			addRange(re.Rune[i], re.Rune[i+1])
		}
	case syntax.OpLiteral:
		if len(re.Rune) != 1 {
			return set, false
		}
		r := re.Rune[0]
		if re.Flags&syntax.FoldCase != 0 {
			for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
				addRange(f, f)
			}
		}
		addRange(r, r)
	default:
		return set, false
	}
	return set, true
}

// match reports whether the ASCII subject s matches, and fills caps (2
// ints per group, as regexp's submatch indices) when it is not nil.
func (m *fastMatcher) match(s string, caps []int) bool {
	varLen := len(s) - m.fixed
	if m.varIdx < 0 {
		if varLen != 0 {
			return false
		}
	} else if p := &m.pieces[m.varIdx]; varLen < p.min || (p.max >= 0 && varLen > p.max) {
		return false
	}
	pos := 0
	for i := range m.pieces {
		p := &m.pieces[i]
		n := p.min
		if i == m.varIdx {
			n = varLen
		}
		seg := s[pos : pos+n]
		switch {
		case !p.isLit:
			for j := 0; j < len(seg); j++ {
				c := seg[j]
				if c >= 0x80 || p.set[c>>6]&(1<<(c&63)) == 0 {
					return false
				}
			}
		case p.fold:
			for j := 0; j < len(seg); j++ {
				c := seg[j]
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				if c != p.lit[j] {
					return false
				}
			}
		case seg != p.lit:
			return false
		}
		pos += n
	}
	for g := 0; g < len(m.spans) && 2*g+1 < len(caps); g++ {
		caps[2*g], caps[2*g+1] = -1, -1
		if sp := m.spans[g]; sp[0] >= 0 {
			caps[2*g], caps[2*g+1] = m.boundary(sp[0], varLen), m.boundary(sp[1], varLen)
		}
	}
	return true
}

func (m *fastMatcher) boundary(k, varLen int) int {
	b := m.before[k]
	if m.varIdx >= 0 && k > m.varIdx {
		b += varLen
	}
	return b
}
