package asn1

import (
	"fmt"
	"slices"
)

// Range is an effective PER-visible range: the value range of an INTEGER or
// the size range of a string or SEQUENCE OF. A missing bound is
// unbounded (MIN, MAX, or no constraint at all).
type Range struct {
	Lower, Upper       int64
	HasLower, HasUpper bool
	// Extensible reports an extension marker on the constraint: values
	// outside the root range are encoded after an extension bit.
	Extensible bool
}

// Constrained reports whether both bounds are known.
func (r Range) Constrained() bool { return r.HasLower && r.HasUpper }

// String renders the range in ASN.1 notation, for example "(1..128, ...)".
func (r Range) String() string {
	if !r.HasLower && !r.HasUpper && !r.Extensible {
		return "unconstrained"
	}
	lo, hi := "MIN", "MAX"
	if r.HasLower {
		lo = fmt.Sprint(r.Lower)
	}
	if r.HasUpper {
		hi = fmt.Sprint(r.Upper)
	}
	s := lo + ".." + hi
	if r.HasLower && r.HasUpper && r.Lower == r.Upper {
		s = lo
	}
	if r.Extensible {
		s += ", ..."
	}
	return "(" + s + ")"
}

// PERConstraints are the effective PER-visible constraints of a type node
// (X.691 9.3), with those inherited through references applied first.
type PERConstraints struct {
	Value Range // INTEGER
	Size  Range // BIT STRING, OCTET STRING, character strings, SEQUENCE OF, SET OF
	// Alphabet is the effective permitted alphabet (sorted) when a
	// PER-visible FROM constraint applies; nil means the whole character
	// set of the string type (see CharacterSet).
	Alphabet []rune
}

// maxAlphabet bounds the size of an explicit permitted alphabet; a larger
// FROM set is treated as unconstrained (it would not change the encoding
// of a BMPString anyway).
const maxAlphabet = 1 << 16

// CharacterSet returns the characters of a known-multiplier character
// string type in ascending order (X.691 30.1), for the small sets; for
// BMPString and UniversalString it returns nil and the size of the set.
// ok is false for types that are not known-multiplier (GeneralString,
// UTF8String, ...), which PER encodes as octet strings.
func CharacterSet(stringType string) (set []rune, size int, ok bool) {
	rng := func(lo, hi rune) []rune {
		out := make([]rune, 0, hi-lo+1)
		for c := lo; c <= hi; c++ {
			out = append(out, c)
		}
		return out
	}
	switch stringType {
	case "IA5String":
		s := rng(0, 127)
		return s, len(s), true
	case "VisibleString", "ISO646String":
		s := rng(32, 126)
		return s, len(s), true
	case "NumericString":
		s := []rune(" 0123456789")
		return s, len(s), true
	case "PrintableString":
		s := []rune(" '()+,-./0123456789:=?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
		slices.Sort(s)
		return s, len(s), true
	case "BMPString":
		return nil, 1 << 16, true
	case "UniversalString":
		return nil, 1 << 32, true
	}
	return nil, 0, false
}

// dim is one dimension (value or size) of a constraint being evaluated.
type dim struct {
	set bool // this dimension is constrained
	r   Range
}

type alphaDim struct {
	set   bool
	runes []rune // sorted, distinct
}

type evalResult struct {
	val, size dim
	alpha     alphaDim
}

// evalMode says how single values and ranges are read: as integers or, in
// a FROM constraint, as characters.
type evalMode int

const (
	modeValue evalMode = iota
	modeAlphabet
)

// perConstraints computes the effective PER-visible constraints of t.
func (s *Set) perConstraints(t *Type) (*PERConstraints, error) {
	return s.perOf(t, 0)
}

func (s *Set) perOf(t *Type, depth int) (*PERConstraints, error) {
	if t.PER != nil {
		return t.PER, nil
	}
	if depth > maxDepth {
		return nil, fmt.Errorf("%s: constraint chain too deep", t.Pos)
	}
	var base PERConstraints
	switch {
	case t.Kind == KindReference && t.Unresolved == "":
		body := t.Target.Type
		if t.Instance != nil {
			body = t.Instance
		}
		b, err := s.perOf(body, depth+1)
		if err != nil {
			return nil, err
		}
		base = *b
	}
	kind := t.Kind
	if t.Builtin != nil {
		kind = t.Builtin.Kind
	}
	for _, c := range t.Constraints {
		if err := s.applySerial(&base, c, kind, t.Module, depth); err != nil {
			return nil, err
		}
	}
	return &base, nil
}

// applySerial applies one more parenthesized constraint to pc.
func (s *Set) applySerial(pc *PERConstraints, c *Constraint, kind Kind, m *Module, depth int) error {
	var r evalResult
	if c.Root != nil {
		var err error
		r, err = s.evalSet(c.Root, modeValue, m, depth+1)
		if err != nil {
			return err
		}
	}
	if r.val.set && kind == KindInteger {
		nr := r.val.r
		if nr.Constrained() && nr.Lower > nr.Upper {
			return fmt.Errorf("%s: value constraint excludes every value", c.Pos)
		}
		if pc.Value.HasLower || pc.Value.HasUpper {
			var ok bool
			nr, ok = intersect(pc.Value, nr)
			if !ok {
				return fmt.Errorf("%s: value constraint excludes every value", c.Pos)
			}
		}
		nr.Extensible = c.Extensible
		pc.Value = nr
	}
	if r.size.set {
		nr := r.size.r
		if pc.Size.HasLower || pc.Size.HasUpper {
			var ok bool
			nr, ok = intersect(pc.Size, nr)
			if !ok {
				return fmt.Errorf("%s: size constraint excludes every size", c.Pos)
			}
		}
		nr.Extensible = c.Extensible || r.size.r.Extensible
		if nr.HasLower && nr.Lower < 0 {
			nr.Lower = 0
		}
		pc.Size = nr
	}
	// An extensible permitted alphabet constraint is not PER-visible.
	if r.alpha.set && !c.Extensible {
		if pc.Alphabet != nil {
			pc.Alphabet = intersectRunes(pc.Alphabet, r.alpha.runes)
		} else {
			pc.Alphabet = r.alpha.runes
		}
	}
	return nil
}

func intersect(a, b Range) (Range, bool) {
	out := a
	if b.HasLower && (!out.HasLower || b.Lower > out.Lower) {
		out.Lower, out.HasLower = b.Lower, true
	}
	if b.HasUpper && (!out.HasUpper || b.Upper < out.Upper) {
		out.Upper, out.HasUpper = b.Upper, true
	}
	if out.HasLower && out.HasUpper && out.Lower > out.Upper {
		return out, false
	}
	return out, true
}

func union(a, b Range) Range {
	out := a
	out.HasLower = a.HasLower && b.HasLower
	out.HasUpper = a.HasUpper && b.HasUpper
	if out.HasLower {
		out.Lower = min(a.Lower, b.Lower)
	}
	if out.HasUpper {
		out.Upper = max(a.Upper, b.Upper)
	}
	return out
}

func intersectRunes(a, b []rune) []rune {
	var out []rune
	for _, r := range a {
		if _, ok := slices.BinarySearch(b, r); ok {
			out = append(out, r)
		}
	}
	if out == nil {
		out = []rune{}
	}
	return out
}

func unionRunes(a, b []rune) []rune {
	out := append(append([]rune(nil), a...), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

func (s *Set) evalSet(e *ElementSet, mode evalMode, m *Module, depth int) (evalResult, error) {
	var r evalResult
	if depth > maxDepth {
		return r, fmt.Errorf("%s: constraint too deep", e.Pos)
	}
	switch e.Kind {
	case CUnion:
		for i, x := range e.Sets {
			xr, err := s.evalSet(x, mode, m, depth+1)
			if err != nil {
				return r, err
			}
			if i == 0 {
				r = xr
				continue
			}
			r.val = unionDim(r.val, xr.val)
			r.size = unionDim(r.size, xr.size)
			if r.alpha.set && xr.alpha.set {
				r.alpha.runes = unionRunes(r.alpha.runes, xr.alpha.runes)
			} else {
				r.alpha = alphaDim{}
			}
		}
	case CIntersection:
		for i, x := range e.Sets {
			xr, err := s.evalSet(x, mode, m, depth+1)
			if err != nil {
				return r, err
			}
			if i == 0 {
				r = xr
				continue
			}
			r.val = intersectDim(r.val, xr.val)
			r.size = intersectDim(r.size, xr.size)
			switch {
			case r.alpha.set && xr.alpha.set:
				r.alpha.runes = intersectRunes(r.alpha.runes, xr.alpha.runes)
			case xr.alpha.set:
				r.alpha = xr.alpha
			}
		}
	case CExcept:
		// X.691 9.3.19: EXCEPT makes the excluded part invisible; keep the
		// including set's bounds.
		return s.evalSet(e.Sets[0], mode, m, depth+1)
	case CAllExcept, CInner, CPattern, CUser, CContents, CTable:
		// Not PER-visible.
	case CSingleValue:
		return s.evalValue(e.Value, e.Value, false, false, mode, m)
	case CRange:
		return s.evalValue(e.Lower, e.Upper, e.LowerOpen, e.UpperOpen, mode, m)
	case CSize:
		sub, err := s.evalConstraint(e.Sub, modeValue, m, depth+1)
		if err != nil {
			return r, err
		}
		if sub.val.set {
			r.size = sub.val
			r.size.r.Extensible = e.Sub.Extensible
		}
	case CFrom:
		sub, err := s.evalConstraint(e.Sub, modeAlphabet, m, depth+1)
		if err != nil {
			return r, err
		}
		if sub.alpha.set && !e.Sub.Extensible {
			r.alpha = sub.alpha
		}
	case CType:
		if e.Type == nil || e.Type.Unresolved != "" {
			return r, nil
		}
		if e.Type.Module == nil {
			e.Type.Module = m
		}
		if err := s.resolveRef(e.Type); err != nil {
			return r, err
		}
		if e.Type.Unresolved != "" {
			return r, nil
		}
		pc, err := s.perOf(e.Type, depth+1)
		if err != nil {
			return r, err
		}
		b := e.Type.Builtin
		if b == nil {
			return r, nil
		}
		if b.Kind == KindInteger && (pc.Value.HasLower || pc.Value.HasUpper) {
			r.val = dim{set: true, r: pc.Value}
		}
		if pc.Size.HasLower || pc.Size.HasUpper {
			r.size = dim{set: true, r: pc.Size}
		}
		switch {
		case pc.Alphabet != nil:
			r.alpha = alphaDim{set: true, runes: pc.Alphabet}
		case mode == modeAlphabet && b.Kind == KindCharString:
			if set, _, ok := CharacterSet(b.StringType); ok && set != nil {
				r.alpha = alphaDim{set: true, runes: set}
			}
		}
	}
	return r, nil
}

func (s *Set) evalConstraint(c *Constraint, mode evalMode, m *Module, depth int) (evalResult, error) {
	if c == nil || c.Root == nil {
		return evalResult{}, nil
	}
	return s.evalSet(c.Root, mode, m, depth)
}

func unionDim(a, b dim) dim {
	if !a.set || !b.set {
		return dim{}
	}
	return dim{set: true, r: union(a.r, b.r)}
}

func intersectDim(a, b dim) dim {
	switch {
	case a.set && b.set:
		r, ok := intersect(a.r, b.r)
		if !ok {
			// An empty intersection: keep it visible as an empty range;
			// the caller reports it when it is applied.
			r = Range{Lower: 1, Upper: 0, HasLower: true, HasUpper: true}
		}
		return dim{set: true, r: r}
	case b.set:
		return b
	}
	return a
}

// evalValue evaluates a single value or a range.
func (s *Set) evalValue(lo, hi *Value, loOpen, hiOpen bool, mode evalMode, m *Module) (evalResult, error) {
	var r evalResult
	if mode == modeAlphabet {
		if lo == hi {
			if lo.Kind == ValCString {
				rs := []rune(lo.Str)
				slices.Sort(rs)
				r.alpha = alphaDim{set: true, runes: slices.Compact(rs)}
			}
			return r, nil
		}
		a, okA := charBound(lo)
		b, okB := charBound(hi)
		if !okA || !okB {
			return r, nil
		}
		if loOpen {
			a++
		}
		if hiOpen {
			b--
		}
		if b < a || int64(b)-int64(a) >= maxAlphabet {
			return r, nil
		}
		rs := make([]rune, 0, b-a+1)
		for c := a; c <= b; c++ {
			rs = append(rs, c)
		}
		r.alpha = alphaDim{set: true, runes: rs}
		return r, nil
	}
	var rng Range
	switch lo.Kind {
	case ValMin:
	case ValNumber, ValRef:
		n, err := s.intValue(m, lo)
		if err != nil {
			return r, err
		}
		rng.Lower, rng.HasLower = n, true
		if loOpen {
			rng.Lower++
		}
	default:
		// Not an integer value (a string value, say): not PER-visible.
		return r, nil
	}
	switch hi.Kind {
	case ValMax:
	case ValNumber, ValRef:
		n, err := s.intValue(m, hi)
		if err != nil {
			return r, err
		}
		rng.Upper, rng.HasUpper = n, true
		if hiOpen {
			rng.Upper--
		}
	default:
		return r, nil
	}
	r.val = dim{set: true, r: rng}
	return r, nil
}

// charBound reads a one-character string (or a number) as
// a character code.
func charBound(v *Value) (rune, bool) {
	switch v.Kind {
	case ValCString:
		rs := []rune(v.Str)
		if len(rs) == 1 {
			return rs[0], true
		}
	case ValNumber:
		if v.Int >= 0 && v.Int <= 0x10FFFF {
			return rune(v.Int), true
		}
	}
	return 0, false
}
