package per

import "math/bits"

// A SEQUENCE or SET (X.691 §19) is encoded by generated code as:
//
//   - WriteBit(anyExtensionPresent), when the type has an extension marker;
//   - one WriteBit per OPTIONAL or DEFAULT root component, in order
//     (a preamble of more than 64K bits does not occur in H.323);
//   - the root components;
//   - when the extension bit is 1: WriteExtensionBitmap over the extension
//     additions, then each present addition as an open type, in order
//     (BeginOpenType/EndOpenType, or WriteRawExtension).
//
// Decoding mirrors it with ReadBit, ReadExtensionBitmap, ReadOpenType and
// ReadRawExtension. An extension addition group ([[ ... ]]) is one
// addition whose open type holds its components like a SEQUENCE without
// an extension marker.
//
// To re-encode a received value byte for byte, a decoded type keeps its
// unknown additions as RawExtension values and the length of the received
// bitmap (senders differ: some send one bit per addition they know, some
// trim trailing absent ones). The encoder then sets the bitmap length to
// that received length, or to the number of additions it knows when it
// received none, and at least to the last present index plus one.

// ExtensionBitmap holds the presence bits of the extension additions of a
// SEQUENCE or SET: bit i is set when addition i (counted from 0 in
// definition order) is present. It is a fixed-size value, so building and
// reading one does not allocate; MaxExtensionAdditions bounds its length.
type ExtensionBitmap struct {
	words [MaxExtensionAdditions / 64]uint64
	n     int
}

// MaxExtensionAdditions is the largest number of extension additions an
// ExtensionBitmap holds; a decoded bitmap that is longer is refused with
// ErrUnsupported. H.225.0 and H.245 types have far fewer.
const MaxExtensionAdditions = 256

// Len returns the number of additions the bitmap covers.
func (b *ExtensionBitmap) Len() int { return b.n }

// SetLen sets the number of additions the bitmap covers (0 to
// MaxExtensionAdditions), clearing bits beyond it.
func (b *ExtensionBitmap) SetLen(n int) {
	n = max(0, min(n, MaxExtensionAdditions))
	for i := n; i < b.n; i++ {
		b.words[i/64] &^= 1 << uint(i%64)
	}
	b.n = n
}

// Set marks addition i present, growing the length to i+1 if needed.
// Indices outside 0..MaxExtensionAdditions-1 are ignored.
func (b *ExtensionBitmap) Set(i int) {
	if i < 0 || i >= MaxExtensionAdditions {
		return
	}
	b.words[i/64] |= 1 << uint(i%64)
	if i >= b.n {
		b.n = i + 1
	}
}

// Has reports whether addition i is present.
func (b *ExtensionBitmap) Has(i int) bool {
	if i < 0 || i >= b.n {
		return false
	}
	return b.words[i/64]&(1<<uint(i%64)) != 0
}

// Any reports whether some addition is present: the value of a
// SEQUENCE's extension bit.
func (b *ExtensionBitmap) Any() bool {
	return b.words[0]|b.words[1]|b.words[2]|b.words[3] != 0
}

// WriteExtensionBitmap writes the extension-addition presence bitmap of a
// SEQUENCE or SET (X.691 §19.7): a normally small length, b.Len(), then
// one bit per addition. Generated code sets the length to the number of
// additions the type defines (or more, to cover additions kept as
// RawExtension values).
func (e *Encoder) WriteExtensionBitmap(b *ExtensionBitmap) error {
	if err := e.WriteNormallySmallLength(b.n); err != nil {
		return err
	}
	for i := 0; i < b.n; i += 64 {
		k := min(64, b.n-i)
		// bit j of the word is addition i+j: reverse into transmission
		// order.
		e.WriteBits(bits.Reverse64(b.words[i/64])>>uint(64-k), k)
	}
	return nil
}

// ReadExtensionBitmap reads the bitmap written by WriteExtensionBitmap
// into b.
func (d *Decoder) ReadExtensionBitmap(b *ExtensionBitmap) error {
	start := d.pos
	n, err := d.ReadNormallySmallLength()
	if err != nil {
		return err
	}
	if n > MaxExtensionAdditions {
		return d.failAt("extension bitmap", start, ErrUnsupported)
	}
	*b = ExtensionBitmap{n: n}
	for i := 0; i < n; i += 32 {
		k := min(32, n-i)
		v := d.bits(k) << uint(64-k) // addition i in the top bit
		b.words[i/64] |= bits.Reverse64(v) << uint(i%64)
	}
	return nil
}
