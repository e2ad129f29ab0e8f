package rules

import (
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of literal extraction. Literals are cut to maxLitLen bytes; an
// expression yields at most maxLitSet alternatives (case-insensitive
// letters and small character classes expand into alternatives).
const (
	maxLitLen      = 32
	maxLitSet      = 32
	maxClassExpand = 4
)

// litWalker computes, for a regexp/syntax tree, a set of literals such
// that every string the expression matches starts (or, with suffix, ends)
// with one of them. The set is sound, not exact: an element "" means the
// expression gives no constraint. complete reports that the matches of
// the node are exactly the set, so that a concatenation may go on to the
// next node.
type litWalker struct {
	suffix bool
}

// unconstrained is the set of a node that gives no constraint.
func unconstrained() []string { return []string{""} }

func (w litWalker) walk(re *syntax.Regexp) (set []string, complete bool) {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		// Zero-width: consumes nothing.
		return unconstrained(), true
	case syntax.OpLiteral:
		return w.literal(re)
	case syntax.OpCharClass:
		return w.class(re)
	case syntax.OpCapture:
		return w.walk(re.Sub[0])
	case syntax.OpConcat:
		acc := unconstrained()
		for i := range re.Sub {
			sub := re.Sub[i]
			if w.suffix {
				sub = re.Sub[len(re.Sub)-1-i]
			}
			s, c := w.walk(sub)
			next, ok := w.cross(acc, s)
			acc = next
			if !ok || !c {
				return acc, false
			}
		}
		return acc, true
	case syntax.OpAlternate:
		var out []string
		complete := true
		for _, sub := range re.Sub {
			s, c := w.walk(sub)
			out = append(out, s...)
			complete = complete && c
		}
		out = dedupe(out)
		if len(out) > maxLitSet {
			return unconstrained(), false
		}
		return out, complete
	case syntax.OpQuest:
		s, c := w.walk(re.Sub[0])
		return dedupe(append(slices.Clone(s), "")), c
	case syntax.OpPlus:
		s, _ := w.walk(re.Sub[0])
		return s, false
	case syntax.OpRepeat:
		if re.Min >= 1 {
			s, _ := w.walk(re.Sub[0])
			return s, false
		}
	}
	return unconstrained(), false
}

// literal expands a literal; a case-insensitive one into every case
// variant of its letters (including non-ASCII fold partners such as the
// Kelvin sign for k), as long as the set stays small.
func (w litWalker) literal(re *syntax.Regexp) ([]string, bool) {
	if re.Flags&syntax.FoldCase == 0 {
		return w.cut([]string{string(re.Rune)})
	}
	acc := unconstrained()
	for i := range re.Rune {
		r := re.Rune[i]
		if w.suffix {
			r = re.Rune[len(re.Rune)-1-i]
		}
		next, ok := w.cross(acc, foldOrbit(r))
		acc = next
		if !ok {
			return acc, false
		}
	}
	return acc, true
}

// foldOrbit returns r and every rune that case-folds to it.
func foldOrbit(r rune) []string {
	out := []string{string(r)}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		out = append(out, string(f))
	}
	return out
}

// class expands a small character class into its runes.
func (w litWalker) class(re *syntax.Regexp) ([]string, bool) {
	n := 0
	for i := 0; i+1 < len(re.Rune); i += 2 {
		n += int(re.Rune[i+1]-re.Rune[i]) + 1
		if n > maxClassExpand {
			return unconstrained(), false
		}
	}
	if n == 0 {
		return unconstrained(), false
	}
	out := make([]string, 0, n)
	for i := 0; i+1 < len(re.Rune); i += 2 {
		for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
			out = append(out, string(r))
		}
	}
	return out, true
}

// cross concatenates every element of acc with every element of s (s
// after acc for prefixes, before it for suffixes). It returns acc and
// false when the result would have more than maxLitSet elements, and the
// result cut to maxLitLen bytes and false when an element was too long.
func (w litWalker) cross(acc, s []string) ([]string, bool) {
	if len(acc)*len(s) > maxLitSet {
		return acc, false
	}
	out := make([]string, 0, len(acc)*len(s))
	for _, a := range acc {
		for _, b := range s {
			if w.suffix {
				out = append(out, b+a)
			} else {
				out = append(out, a+b)
			}
		}
	}
	return w.cut(dedupe(out))
}

// cut shortens literals longer than maxLitLen, keeping their start (or
// end, for suffixes); it reports false if it cut anything.
func (w litWalker) cut(set []string) ([]string, bool) {
	ok := true
	for i, s := range set {
		if len(s) > maxLitLen {
			ok = false
			if w.suffix {
				set[i] = s[len(s)-maxLitLen:]
			} else {
				set[i] = s[:maxLitLen]
			}
		}
	}
	if !ok {
		set = dedupe(set)
	}
	return set, ok
}

func dedupe(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// usable returns the shortest literal length of a set, 0 when the set
// gives no constraint.
func usable(set []string) int {
	if len(set) == 0 {
		return 0
	}
	n := maxLitLen + 1
	for _, s := range set {
		n = min(n, len(s))
	}
	return n
}

// required returns a literal that every match of re contains, "" if none
// is known. With fold, the literal is lower-case ASCII and is to be looked
// for case-insensitively.
func required(re *syntax.Regexp) (lit string, fold bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase == 0 {
			return string(re.Rune), false
		}
		s := string(re.Rune)
		for i := 0; i < len(s); i++ {
			if s[i] >= utf8.RuneSelf {
				return "", false
			}
		}
		return strings.ToLower(s), true
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpConcat:
		best, bestFold := "", false
		better := func(l string, f bool) {
			if len(l) > len(best) || (len(l) == len(best) && bestFold && !f) {
				best, bestFold = l, f
			}
		}
		for i, sub := range re.Sub {
			better(required(sub))
			// A run of literal nodes from here on, such as a(b)c.
			rest := &syntax.Regexp{Op: syntax.OpConcat, Sub: re.Sub[i:]}
			if set, _ := (litWalker{}).walk(rest); len(set) == 1 && set[0] != "" {
				better(set[0], false)
			}
		}
		return best, bestFold
	}
	return "", false
}
