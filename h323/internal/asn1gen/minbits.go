package main

import (
	"math/bits"

	"github.com/switchyard/switchyard/h323/internal/asn1"
)

// minBits returns a lower bound of the number of bits any value of node t
// takes in aligned PER. Decoders pass it with SEQUENCE OF counts so that a
// count the remaining input cannot hold fails before anything is
// allocated. 0 is always safe.
func (g *gen) minBits(t *asn1.Type) int {
	if v, ok := g.minBitsMemo[t]; ok {
		return v
	}
	g.minBitsMemo[t] = 0 // a recursive type contributes 0 to itself
	v := g.computeMinBits(t)
	g.minBitsMemo[t] = v
	return v
}

func rangeBits(n uint64) int {
	if n <= 1 {
		return 0
	}
	return bits.Len64(n - 1)
}

func extBit(ext bool) int {
	if ext {
		return 1
	}
	return 0
}

func (g *gen) computeMinBits(t *asn1.Type) int {
	b := t.Builtin
	pc := t.PER
	switch b.Kind {
	case asn1.KindBoolean:
		return 1
	case asn1.KindInteger:
		r := pc.Value
		if !r.Constrained() {
			return 8 + extBit(r.Extensible)
		}
		return min(rangeBits(uint64(r.Upper-r.Lower)+1), 8) + extBit(r.Extensible)
	case asn1.KindEnumerated:
		return rangeBits(uint64(len(b.EnumRoot))) + extBit(b.Extensible)
	case asn1.KindBitString, asn1.KindOctetString, asn1.KindCharString:
		unit := 8
		switch b.Kind {
		case asn1.KindBitString:
			unit = 1
		case asn1.KindCharString:
			if _, ok := stringKind(b.StringType); !ok {
				return 8 // octet length
			}
			unit = g.charBits(t)
		}
		if pc.Size.Extensible {
			return 1 // a size outside the root may be smaller than the root's
		}
		lb := 0
		if pc.Size.HasLower {
			lb = int(min(pc.Size.Lower, 1<<16))
		}
		return lb * unit
	case asn1.KindObjectIdentifier, asn1.KindOpenType:
		return 8
	case asn1.KindSequence, asn1.KindSet:
		n := extBit(b.Extensible)
		for _, c := range b.Root {
			if c.Optional || c.Default != nil {
				n++
				continue
			}
			n += g.minBits(c.Type)
		}
		return n
	case asn1.KindChoice:
		n := extBit(b.Extensible) + rangeBits(uint64(len(b.Root)))
		least := -1
		for _, c := range b.Root {
			m := g.minBits(c.Type)
			if least < 0 || m < least {
				least = m
			}
		}
		n += max(least, 0)
		if b.Extensible {
			// An extension alternative: the extension bit, a normally
			// small index and an open type length.
			n = min(n, 16)
		}
		return n
	case asn1.KindSequenceOf, asn1.KindSetOf:
		if pc.Size.Extensible {
			return 1
		}
		lb := 0
		if pc.Size.HasLower {
			lb = int(min(pc.Size.Lower, 1<<16))
		}
		return lb * g.minBits(b.Elem)
	}
	return 0
}

// charBits returns the bits per character of a known-multiplier string
// node in the aligned variant (X.691 30.5.2-3).
func (g *gen) charBits(t *asn1.Type) int {
	n := uint64(len(t.PER.Alphabet))
	if t.PER.Alphabet == nil {
		_, size, _ := asn1.CharacterSet(t.Builtin.StringType)
		n = uint64(size)
	}
	b := rangeBits(n)
	for _, aligned := range []int{0, 1, 2, 4, 8, 16, 32} {
		if aligned >= b {
			return aligned
		}
	}
	return 32
}
