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
	// low marks the permitted characters below 256 and lowCode holds the
	// code sent for each of them, so that the common characters are
	// checked and coded without a search.
	low     [4]uint64
	lowCode [256]uint8
	// octets: every character is ASCII and sent as its own value in 8
	// bits, so a string travels as its UTF-8 octets.
	octets bool
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
			if _, ok := a.search(r); !ok {
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
	a.octets = a.bits == 8 && !a.remap && largest < utf8.RuneSelf
	for r := rune(0); r < 256; r++ {
		if i, ok := a.search(r); ok {
			a.low[r/64] |= 1 << uint(r%64)
			if a.remap {
				a.lowCode[r] = uint8(i)
			} else {
				a.lowCode[r] = uint8(r)
			}
		}
	}
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
	if r >= 0 && r < 256 {
		return a.hasLow(byte(r))
	}
	_, ok := a.search(r)
	return ok
}

// hasLow reports whether the character b (below 256) is permitted.
func (a *Alphabet) hasLow(b byte) bool { return a.low[b/64]&(1<<(b%64)) != 0 }

// search returns the index of r in the canonical order of the alphabet.
func (a *Alphabet) search(r rune) (uint64, bool) {
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
	if r >= 0 && r < 256 {
		return uint64(a.lowCode[r]), a.hasLow(byte(r))
	}
	if !a.remap {
		return uint64(r), a.contains(r)
	}
	return a.search(r)
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

// utf8Len returns the most octets a permitted character takes in UTF-8.
func (a *Alphabet) utf8Len() int {
	switch last := a.lastChar(); {
	case last < 0x80:
		return 1
	case last < 0x800:
		return 2
	case last < 0x10000:
		return 3
	}
	return 4
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
	n, ascii := 0, true
	for i := 0; i < len(s); n++ {
		if b := s[i]; b < utf8.RuneSelf {
			if !a.hasLow(b) {
				return encodeErr(op, ErrConstraint, "%q not permitted in %s", rune(b), a.kind)
			}
			i++
			continue
		}
		ascii = false
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD") {
			return encodeErr(op, ErrConstraint, "invalid UTF-8 at byte %d", i)
		}
		if !a.contains(r) {
			return encodeErr(op, ErrConstraint, "%q not permitted in %s", r, a.kind)
		}
		i += size
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
		if ascii {
			e.writeASCII(rest[:sz.k], a)
			rest = rest[sz.k:]
		} else {
			for range sz.k {
				r, size := utf8.DecodeRuneInString(rest)
				rest = rest[size:]
				v, _ := a.code(r)
				e.WriteBits(v, a.bits)
			}
		}
		if !sz.more {
			return nil
		}
		sz.k, sz.more = e.WriteLengthNext(utf8.RuneCountInString(rest))
	}
}

// writeASCII writes the codes of s, whose characters are all permitted
// and below 128: as octets when the alphabet sends 8-bit values,
// otherwise packed into words of up to 64 bits.
func (e *Encoder) writeASCII(s string, a *Alphabet) {
	if a.octets && e.aligned() {
		e.octetBuf()
		e.appendString(s)
		return
	}
	var w uint64
	n := 0
	for i := 0; i < len(s); i++ {
		if n+a.bits > 64 {
			e.WriteBits(w, n)
			w, n = 0, 0
		}
		w = w<<uint(a.bits) | uint64(a.lowCode[s[i]])
		n += a.bits
	}
	e.WriteBits(w, n)
}

// ReadString reads a known-multiplier character string written by
// WriteString and returns it as UTF-8. A character outside the alphabet
// fails with ErrConstraint; a BMPString surrogate code unit is returned as
// U+FFFD.
func (d *Decoder) ReadString(a *Alphabet, c SizeConstraint) (string, error) {
	var s string
	err := d.ReadStringInto(&s, a, c)
	return s, err
}

// ReadStringInto is ReadString storing the string in *dst. When the
// decoded string equals *dst, *dst is kept, so that decoding a message
// into a value that already holds the same string does not allocate. On
// failure *dst is unchanged.
func (d *Decoder) ReadStringInto(dst *string, a *Alphabet, c SizeConstraint) error {
	const op = "character string"
	start := d.pos
	minBits := a.bits
	sz, err := d.readSize(op, c, minBits)
	if err != nil {
		return err
	}
	aligned := a.charsAligned(c, sz)
	var stack [128]byte
	buf := stack[:0]
	for {
		if aligned {
			if err := d.Align(); err != nil {
				return d.failAt(op, start, ErrTruncated)
			}
		}
		if sz.k*minBits > d.end-d.pos {
			return d.failAt(op, start, ErrTruncated)
		}
		if a.octets && d.pos&7 == 0 {
			// The characters are the octets of the input.
			i := d.pos >> 3
			raw := d.buf[i : i+sz.k]
			for j, b := range raw {
				if !a.hasLow(b) {
					return d.failAt(op, d.pos+8*j, ErrConstraint)
				}
			}
			d.pos += sz.k * 8
			if !sz.more && len(buf) == 0 {
				if string(raw) != *dst {
					*dst = string(raw)
				}
				return nil
			}
			buf = append(buf, raw...)
		} else {
			if len(buf) == 0 && sz.k*utf8.UTFMax > cap(buf) {
				buf = make([]byte, 0, sz.k*a.utf8Len())
			}
			for range sz.k {
				at := d.pos
				r, ok := a.char(d.bits(a.bits))
				if !ok {
					return d.failAt(op, at, ErrConstraint)
				}
				buf = utf8.AppendRune(buf, r)
			}
		}
		if !sz.more {
			break
		}
		sz.k, sz.more, err = d.ReadLengthNext(minBits)
		if err != nil {
			return err
		}
	}
	if string(buf) != *dst {
		*dst = string(buf)
	}
	return nil
}

// WriteUTF8String writes a character string type that is not a
// known-multiplier type (UTF8String, GeneralString, GraphicString,
// TeletexString, VideotexString, ObjectDescriptor; X.691 §30.6): an
// unconstrained length in octets and the octets, aligned. Size constraints
// are not PER-visible for these types.
func (e *Encoder) WriteUTF8String(s string) {
	for {
		k, more := e.WriteLengthNext(len(s))
		e.octetBuf() // aligned by the length
		e.appendString(s[:k])
		s = s[k:]
		if !more {
			return
		}
	}
}

// ReadUTF8String reads a string written by WriteUTF8String. Its octets are
// returned as they are, without checking that they are UTF-8.
func (d *Decoder) ReadUTF8String() (string, error) {
	var s string
	err := d.ReadUTF8StringInto(&s)
	return s, err
}

// ReadUTF8StringInto is ReadUTF8String storing the string in *dst, which
// is kept when it already holds the decoded string. On failure *dst is
// unchanged.
func (d *Decoder) ReadUTF8StringInto(dst *string) error {
	b, err := d.readOctetList()
	if err != nil {
		return err
	}
	if string(b) != *dst {
		*dst = string(b)
	}
	return nil
}
