package per

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// refBits is a reference bit writer: one bool per bit, no cleverness.
type refBits []bool

func (r *refBits) write(v uint64, n int) {
	for i := n - 1; i >= 0; i-- {
		*r = append(*r, v>>uint(i)&1 == 1)
	}
}

func (r *refBits) align() {
	for len(*r)%8 != 0 {
		*r = append(*r, false)
	}
}

// bytes returns the bits padded to octets, or 0x00 when there are none.
func (r refBits) bytes() []byte {
	out := make([]byte, (len(r)+7)/8)
	for i, b := range r {
		if b {
			out[i/8] |= 0x80 >> uint(i%8)
		}
	}
	if len(out) == 0 {
		out = []byte{0}
	}
	return out
}

// bitOp is one step of a random write sequence, replayed by the reader.
type bitOp struct {
	kind  int // 0 bits, 1 align, 2 octets
	v     uint64
	n     int
	octet []byte
}

func randomOps(r *rand.Rand, count int) []bitOp {
	ops := make([]bitOp, count)
	for i := range ops {
		switch k := r.IntN(10); {
		case k < 7:
			n := r.IntN(65)
			if r.IntN(2) == 0 {
				n = r.IntN(9)
			}
			ops[i] = bitOp{kind: 0, v: r.Uint64(), n: n}
		case k < 8:
			ops[i] = bitOp{kind: 1}
		default:
			b := make([]byte, r.IntN(20))
			for j := range b {
				b[j] = byte(r.Uint32())
			}
			ops[i] = bitOp{kind: 2, octet: b}
		}
	}
	return ops
}

// TestEncoderAgainstReference checks the Encoder's word-at-a-time writing
// (WriteBits of 0 to 64 bits at every alignment, Align, aligned and
// unaligned WriteOctets, Bytes and BitLen in the middle of a message)
// against a bit-by-bit reference, and reads every field back with the
// Decoder.
func TestEncoderAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	var e Encoder
	for round := range 2000 {
		ops := randomOps(r, 1+r.IntN(40))
		e.Reset()
		var ref refBits
		for i, op := range ops {
			switch op.kind {
			case 0:
				e.WriteBits(op.v, op.n)
				mask := ^uint64(0)
				if op.n < 64 {
					mask = 1<<uint(op.n) - 1
				}
				ref.write(op.v&mask, op.n)
			case 1:
				e.Align()
				ref.align()
			case 2:
				e.WriteOctets(op.octet)
				for _, b := range op.octet {
					ref.write(uint64(b), 8)
				}
			}
			if e.BitLen() != len(ref) {
				t.Fatalf("round %d op %d: BitLen %d, want %d", round, i, e.BitLen(), len(ref))
			}
			if i%7 == 0 && !bytes.Equal(e.Bytes(), ref.bytes()) {
				t.Fatalf("round %d op %d: Bytes %x, want %x", round, i, e.Bytes(), ref.bytes())
			}
		}
		got := append([]byte(nil), e.Bytes()...)
		if !bytes.Equal(got, ref.bytes()) {
			t.Fatalf("round %d: %x, want %x", round, got, ref.bytes())
		}
		// Read it back, from a copy with no spare capacity so that the
		// Decoder's tail handling is exercised at the end.
		d := NewDecoder(append([]byte(nil), got...))
		for i, op := range ops {
			switch op.kind {
			case 0:
				v, err := d.ReadBits(op.n)
				mask := ^uint64(0)
				if op.n < 64 {
					mask = 1<<uint(op.n) - 1
				}
				if err != nil || v != op.v&mask {
					t.Fatalf("round %d op %d: ReadBits(%d) = %x, %v; want %x", round, i, op.n, v, err, op.v&mask)
				}
			case 1:
				if err := d.Align(); err != nil {
					t.Fatalf("round %d op %d: Align: %v", round, i, err)
				}
			case 2:
				p := make([]byte, len(op.octet))
				if err := d.ReadOctets(p); err != nil || !bytes.Equal(p, op.octet) {
					t.Fatalf("round %d op %d: ReadOctets %x, %v; want %x", round, i, p, err, op.octet)
				}
			}
		}
	}
}

// TestEncoderAlignFillsWord covers Align completing the 64-bit
// accumulator, and a long field after it.
func TestEncoderAlignFillsWord(t *testing.T) {
	var e Encoder
	e.WriteBits(0x1ffffffffffffff, 57) // 57 ones
	e.Align()                          // 64 bits pending
	e.WriteBits(0xabcdef0123456789, 64)
	want := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89}
	if got := e.Bytes(); !bytes.Equal(got, want) {
		t.Errorf("got %x, want %x", got, want)
	}
}
