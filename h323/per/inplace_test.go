package per

import (
	"bytes"
	"errors"
	"testing"
)

// TestOpenTypeInPlace checks that EnterOpenType/LeaveOpenType write what
// BeginOpenType/EndOpenType write, for contents whose length takes one
// octet, two octets or fragments, and that the Decoder reads them in place
// and returns to the enclosing encoding after them.
func TestOpenTypeInPlace(t *testing.T) {
	for _, n := range []int{0, 1, 127, 128, 300, 16383, 16384, 70000} {
		payload := patternOctets(n)
		write := func(e *Encoder, inPlace bool) {
			e.WriteBits(5, 3)
			if inPlace {
				m := e.EnterOpenType()
				e.WriteOctets(payload)
				inner := e.EnterOpenType()
				e.WriteBit(true)
				if err := e.LeaveOpenType(inner); err != nil {
					t.Fatal(err)
				}
				if err := e.LeaveOpenType(m); err != nil {
					t.Fatal(err)
				}
			} else {
				sub := e.BeginOpenType()
				sub.WriteOctets(payload)
				inner := sub.BeginOpenType()
				inner.WriteBit(true)
				if err := sub.EndOpenType(inner); err != nil {
					t.Fatal(err)
				}
				if err := e.EndOpenType(sub); err != nil {
					t.Fatal(err)
				}
			}
			e.WriteBits(0x2a, 6)
		}
		var a, b Encoder
		write(&a, true)
		write(&b, false)
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatalf("%d octets: in place %x..., with a child Encoder %x...", n, a.Bytes()[:min(8, len(a.Bytes()))], b.Bytes()[:min(8, len(b.Bytes()))])
		}

		d := NewDecoder(append([]byte(nil), a.Bytes()...))
		if v, _ := d.ReadBits(3); v != 5 {
			t.Fatalf("%d octets: lead %d", n, v)
		}
		s, err := d.EnterOpenType()
		if err != nil {
			t.Fatalf("%d octets: %v", n, err)
		}
		got := make([]byte, n)
		if err := d.ReadOctets(got); err != nil || !bytes.Equal(got, payload) {
			t.Fatalf("%d octets: payload: %v", n, err)
		}
		is, err := d.EnterOpenType()
		if err != nil {
			t.Fatalf("%d octets: inner: %v", n, err)
		}
		if bit, err := d.ReadBit(); err != nil || !bit {
			t.Fatalf("%d octets: inner bit %t %v", n, bit, err)
		}
		if d.BitsLeft() != 7 {
			t.Errorf("%d octets: inner contents end: %d bits left", n, d.BitsLeft())
		}
		d.LeaveOpenType(is)
		d.LeaveOpenType(s)
		if v, err := d.ReadBits(6); err != nil || v != 0x2a {
			t.Fatalf("%d octets: after the open type: %x %v", n, v, err)
		}
	}
}

// TestOpenTypeInPlaceEmptyAndErrors covers an empty value (sent as the
// octet 0x00), a mark that LeaveOpenType did not hand out, truncated
// contents, and the bit offsets of failures inside contents.
func TestOpenTypeInPlaceEmptyAndErrors(t *testing.T) {
	var e Encoder
	m := e.EnterOpenType()
	if err := e.LeaveOpenType(m); err != nil {
		t.Fatal(err)
	}
	if got := e.Bytes(); !bytes.Equal(got, []byte{1, 0}) {
		t.Errorf("empty open type: %x", got)
	}
	if err := e.LeaveOpenType(OpenTypeMark{at: 99}); err == nil {
		t.Error("LeaveOpenType accepted a mark it did not hand out")
	}

	d := NewDecoder([]byte{0x05, 0x01})
	if _, err := d.EnterOpenType(); !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated contents: %v", err)
	}

	// A value that fails inside the contents reports its offset in the
	// outermost input: 0x80 (lead bit) then an open type at octet 1.
	d = NewDecoder([]byte{0x80, 0x01, 0xff})
	d.ReadBit()
	s, err := d.EnterOpenType()
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.ReadBits(9)
	var de *DecodeError
	if !errors.As(err, &de) || de.Bit != 16 {
		t.Errorf("failure inside the contents: %v", err)
	}
	d.LeaveOpenType(s)
	if d.BitsLeft() != 0 {
		t.Errorf("%d bits left", d.BitsLeft())
	}
}

// TestOpenTypeInPlaceFragmentOffsets reads a value after fragmented
// contents: positions continue after the last fragment.
func TestOpenTypeInPlaceFragmentOffsets(t *testing.T) {
	payload := patternOctets(40000)
	var e Encoder
	m := e.EnterOpenType()
	e.WriteOctets(payload)
	if err := e.LeaveOpenType(m); err != nil {
		t.Fatal(err)
	}
	e.WriteBits(0x3, 2)
	d := NewDecoder(e.Bytes())
	s, err := d.EnterOpenType()
	if err != nil {
		t.Fatal(err)
	}
	if d.BitsLeft() != len(payload)*8 {
		t.Fatalf("joined contents: %d bits", d.BitsLeft())
	}
	d.LeaveOpenType(s)
	if v, err := d.ReadBits(2); err != nil || v != 3 {
		t.Fatalf("after the fragments: %d %v", v, err)
	}
}
