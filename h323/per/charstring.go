package per

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"
)

// StringKind names a known-multiplier character string type (X.691 §30).
type StringKind uint8

// Known-multiplier character string types.
const (
	IA5String       StringKind = iota + 1 // ISO 646 / ASCII, values 0..127
	NumericString                         // " 0123456789"
	PrintableString                       // letters, digits, space and '()+,-./:=?
	VisibleString                         // values 32..126
	BMPString                             // UCS-2, values 0..65535
	UniversalString                       // UCS-4
)

// String returns the ASN.1 name of k.
func (k StringKind) String() string {
	switch k {
	case IA5String:
		return "IA5String"
	case NumericString:
		return "NumericString"
	case PrintableString:
		return "PrintableString"
	case VisibleString:
		return "VisibleString"
	case BMPString:
		return "BMPString"
	case UniversalString:
		return "UniversalString"
	}
	return fmt.Sprintf("StringKind(%d)", uint8(k))
}

// Characters of the restricted sets, in ascending order.
const (
	numericChars   = " 0123456789"
	printableChars = " '()+,-./0123456789:=?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

// Alphabet is the effective permitted alphabet of a known-multiplier
// character string type: its kind and an optional permitted-alphabet (FROM)
// constraint. It fixes the bits per character and whether characters are
// sent as their values or as their indices in the sorted alphabet (X.691
// §30.5.2-30.5.4). Build one with NewAlphabet once (generated code keeps it
// in a package-level variable) and share it: it is never modified.
type Alphabet struct {
	kind  StringKind
	chars []rune // the permitted characters, ascending; nil for a whole range
	lo    rune   // with chars == nil: the values lo..hi are permitted
	hi    rune
	bits  int  // bits per character in the ALIGNED variant
	remap bool // send indices into chars (or offsets from lo), not values
}

// NewAlphabet returns the effective permitted alphabet of a kind
// constrained by FROM (permitted); an empty permitted means no FROM
// constraint. A FROM range ("a".."z") is passed expanded. Every permitted
// character must belong to the kind.
func NewAlphabet(kind StringKind, permitted string) (*Alphabet, error) {
	a := &Alphabet{kind: kind}
	switch kind {
	case IA5String:
		a.lo, a.hi = 0, 127
	case VisibleString:
		a.lo, a.hi = 32, 126
	case BMPString:
		a.lo, a.hi = 0, 0xffff
	case UniversalString:
		a.lo, a.hi = 0, 0x7fffffff
	case NumericString:
		a.chars = []rune(numericChars)
	case PrintableString:
		a.chars = []rune(printableChars)
	default:
		return nil, fmt.Errorf("per: alphabet: unknown string kind %d", kind)
	}
	if permitted != "" {
		var set []rune
		for _, r := range permitted {
			if !a.contains(r) {
				return nil, fmt.Errorf("per: alphabet: %q is not a %s character", r, kind)
			}
			set = append(set, r)
		}
		slices.Sort(set)
		a.chars = slices.Compact(set)
	}
	var n, largest uint64 // number of characters, largest value
	if a.chars == nil {
		n, largest = uint64(a.hi-a.lo)+1, uint64(a.hi)
	} else {
		n, largest = uint64(len(a.chars)), uint64(a.chars[len(a.chars)-1])
	}
	// X.691 §30.5.3: the bits for n values, rounded up in the ALIGNED
	// variant to a power of 2 (so at least 1, even for one character).
	b := bits.Len64(n - 1)
	for _, aligned := range []int{1, 2, 4, 8, 16, 32} {
		if aligned >= b {
			a.bits = aligned
			break
		}
	}
	// X.691 §30.5.4: keep the values when the largest fits in the bits,
	// else send indices in canonical order.
	a.remap = largest > 1<<uint(a.bits)-1
	return a, nil
}

// MustAlphabet is NewAlphabet for constant arguments; it panics on an
// invalid alphabet, which is a programming error in generated code.
func MustAlphabet(kind StringKind, permitted string) *Alphabet {
	a, err := NewAlphabet(kind, permitted)
	if err != nil {
		panic(err)
	}
	return a
}

// Kind returns the string type of a.
func (a *Alphabet) Kind() StringKind { return a.kind }

// BitsPerChar returns the bits per character in the ALIGNED variant.
func (a *Alphabet) BitsPerChar() int { return a.bits }

// Remapped reports whether characters are sent as indices into the sorted
// alphabet rather than as their values.
func (a *Alphabet) Remapped() bool { return a.remap }

// contains reports whether r is permitted.
func (a *Alphabet) contains(r rune) bool {
	_, ok := a.index(r)
	return ok
}

// index returns the index of r in the canonical order of the alphabet.
func (a *Alphabet) index(r rune) (uint64, bool) {
	if a.chars == nil {
		if r < a.lo || r > a.hi {
			return 0, false
		}
		return uint64(r - a.lo), true
	}
	i, ok := slices.BinarySearch(a.chars, r)
	return uint64(i), ok
}

// code returns the bits sent for r.
func (a *Alphabet) code(r rune) (uint64, bool) {
	if !a.remap {
		return uint64(r), a.contains(r)
	}
	return a.index(r)
}

// char returns the character sent as code v.
func (a *Alphabet) char(v uint64) (rune, bool) {
	if !a.remap {
		if v > uint64(a.lastChar()) {
			return 0, false
		}
		r := rune(v)
		return r, a.contains(r)
	}
	if a.chars == nil {
		if v > uint64(a.hi-a.lo) {
			return 0, false
		}
		return a.lo + rune(v), true
	}
	if v >= uint64(len(a.chars)) {
		return 0, false
	}
	return a.chars[v], true
}

// lastChar returns the largest permitted character.
func (a *Alphabet) lastChar() rune {
	if a.chars == nil {
		return a.hi
	}
	return a.chars[len(a.chars)-1]
}

// charsAligned reports whether the characters of a string are
// octet-aligned (X.691 §30.5.7-30.5.8). A fixed size below 64K is aligned
// when it takes more than 16 bits. Behind a length determinant the
// characters are aligned when the root's upper bound times b is 16 bits or
// more, or when there is no upper bound, but never when there are none
// (X.691 §11.9.3.3, note 2). These are the rules of the ITU-T
// H.323 reference stack and of Wireshark; Erlang's asn1 also aligns a fixed
// size of exactly 16 bits.
func (a *Alphabet) charsAligned(c SizeConstraint, s sizing) bool {
	switch {
	case !s.hasLen:
		return s.k*a.bits > 16
	case s.k == 0:
		return false
	case s.outside || !c.HasUb:
		return true
	}
	return c.Ub*a.bits >= 16
}

// WriteString writes a known-multiplier character string (X.691 §30): s
// is UTF-8 and its size counts characters. Every character must be in a.
func (e *Encoder) WriteString(s string, a *Alphabet, c SizeConstraint) error {
	const op = "character string"
	n := utf8.RuneCountInString(s)
	for i, r := range s {
		if r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD") {
			return encodeErr(op, ErrConstraint, "invalid UTF-8 at byte %d", i)
		}
		if !a.contains(r) {
			return encodeErr(op, ErrConstraint, "%q not permitted in %s", r, a.kind)
		}
	}
	sz, err := e.writeSize(op, n, c)
	if err != nil {
		return err
	}
	aligned := a.charsAligned(c, sz)
	rest := s
	for {
		if aligned {
			e.Align()
		}
		for range sz.k {
			r, size := utf8.DecodeRuneInString(rest)
			rest = rest[size:]
			v, _ := a.code(r)
			e.WriteBits(v, a.bits)
		}
		if !sz.more {
			return nil
		}
		sz.k, sz.more = e.WriteLengthNext(utf8.RuneCountInString(rest))
	}
}

// ReadString reads a known-multiplier character string written by
// WriteString and returns it as UTF-8. A character outside the alphabet
// fails with ErrConstraint; a BMPString surrogate code unit is returned as
// U+FFFD.
func (d *Decoder) ReadString(a *Alphabet, c SizeConstraint) (string, error) {
	const op = "character string"
	start := d.pos
	minBits := a.bits
	sz, err := d.readSize(op, c, minBits)
	if err != nil {
		return "", err
	}
	aligned := a.charsAligned(c, sz)
	var sb strings.Builder
	for {
		if aligned {
			if err := d.Align(); err != nil {
				return "", d.failAt(op, start, ErrTruncated)
			}
		}
		if sz.k*minBits > d.end-d.pos {
			return "", d.failAt(op, start, ErrTruncated)
		}
		if sb.Len() == 0 {
			per := 1
			if a.lastChar() >= utf8.RuneSelf {
				per = 3
			}
			sb.Grow(sz.k * per)
		}
		for range sz.k {
			at := d.pos
			r, ok := a.char(d.bits(a.bits))
			if !ok {
				return "", d.failAt(op, at, ErrConstraint)
			}
			sb.WriteRune(r)
		}
		if !sz.more {
			return sb.String(), nil
		}
		sz.k, sz.more, err = d.ReadLengthNext(minBits)
		if err != nil {
			return "", err
		}
	}
}

// WriteUTF8String writes a character string type that is not a
// known-multiplier type (UTF8String, GeneralString, GraphicString,
// TeletexString, VideotexString, ObjectDescriptor; X.691 §30.6): an
// unconstrained length in octets and the octets, aligned. Size constraints
// are not PER-visible for these types.
func (e *Encoder) WriteUTF8String(s string) {
	for {
		k, more := e.WriteLengthNext(len(s))
		e.buf = append(e.buf, s[:k]...) // aligned by the length
		e.nbits += k * 8
		s = s[k:]
		if !more {
			return
		}
	}
}

// ReadUTF8String reads a string written by WriteUTF8String. Its octets are
// returned as they are, without checking that they are UTF-8.
func (d *Decoder) ReadUTF8String() (string, error) {
	b, err := d.readOctetList()
	if err != nil {
		return "", err
	}
	return string(b), nil
}
