package per

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

// TestUnknownExtensionsRoundTrip decodes SeqExt values with versions of
// the type that know fewer extension additions, keeping the rest as
// RawExtension values, and requires re-encoding to give the same octets.
func TestUnknownExtensionsRoundTrip(t *testing.T) {
	for _, v := range seqExtValues() {
		var e Encoder
		if err := v.encode(&e); err != nil {
			t.Fatal(err)
		}
		full := bytes.Clone(e.Bytes())
		for known := range seqExtAdditions + 1 {
			old := seqExt{known: known}
			if err := old.decode(NewDecoder(full)); err != nil {
				t.Fatalf("known %d: decode %s: %v", known, short(hex.EncodeToString(full)), err)
			}
			e.Reset()
			if err := old.encode(&e); err != nil {
				t.Fatalf("known %d: encode: %v", known, err)
			}
			if !bytes.Equal(e.Bytes(), full) {
				t.Errorf("known %d: re-encoded\n got %s\nwant %s", known, short(hex.EncodeToString(e.Bytes())), short(hex.EncodeToString(full)))
			}
			for _, r := range old.unknown {
				if r.Index < known {
					t.Errorf("known %d: addition %d kept raw", known, r.Index)
				}
			}
		}
	}
}

// TestUnknownChoiceAlternative keeps a CHOICE extension alternative that a
// receiver does not know and sends it on unchanged.
func TestUnknownChoiceAlternative(t *testing.T) {
	// ChExt with alternative d (extension 1): IA5String "hello".
	var e Encoder
	if err := e.WriteChoiceIndex(3, 2, true); err != nil {
		t.Fatal(err)
	}
	sub := e.BeginOpenType()
	if err := sub.WriteString("hello", MustAlphabet(IA5String, ""), SizeConstraint{}); err != nil {
		t.Fatal(err)
	}
	if err := e.EndOpenType(sub); err != nil {
		t.Fatal(err)
	}
	sent := bytes.Clone(e.Bytes())

	// A receiver that knows only the root alternatives.
	d := NewDecoder(sent)
	idx, err := d.ReadChoiceIndex(2, true)
	if err != nil || idx != 3 {
		t.Fatalf("index %d, %v", idx, err)
	}
	raw, err := d.ReadRawExtension(idx - 2)
	if err != nil {
		t.Fatal(err)
	}
	if raw.Index != 1 || hex.EncodeToString(raw.Data) != "0568656c6c6f" {
		t.Fatalf("raw %d %x", raw.Index, raw.Data)
	}
	e.Reset()
	if err := e.WriteChoiceIndex(2+raw.Index, 2, true); err != nil {
		t.Fatal(err)
	}
	if err := e.WriteRawExtension(raw); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(e.Bytes(), sent) {
		t.Errorf("forwarded %x, received %x", e.Bytes(), sent)
	}
	// The kept octets are a copy: changing the input leaves them intact.
	sent[len(sent)-1] = 0
	if raw.Data[len(raw.Data)-1] != 'o' {
		t.Error("RawExtension aliases the input")
	}
}

// TestOpenTypeFragments writes an open type of more than 64K octets, which
// is sent in fragments, and reads it back through a sub-decoder.
func TestOpenTypeFragments(t *testing.T) {
	payload := patternOctets(150000)
	var e Encoder
	e.WriteBit(true)
	sub := e.BeginOpenType()
	sub.WriteOctets(payload)
	// A nested open type inside the first one uses the child's child.
	inner := sub.BeginOpenType()
	inner.WriteBit(true)
	if err := sub.EndOpenType(inner); err != nil {
		t.Fatal(err)
	}
	if err := e.EndOpenType(sub); err != nil {
		t.Fatal(err)
	}
	d := NewDecoder(e.Bytes())
	d.ReadBit()
	var sd Decoder
	if err := d.ReadOpenType(&sd); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(payload))
	if err := sd.ReadOctets(got); err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("payload: %v", err)
	}
	inn, err := sd.ReadOpenTypeBytes()
	if err != nil || !bytes.Equal(inn, []byte{0x80}) {
		t.Fatalf("inner %x %v", inn, err)
	}
	if d.BitsLeft() != 0 {
		t.Errorf("%d bits left", d.BitsLeft())
	}
	if err := e.EndOpenType(&Encoder{}); err == nil {
		t.Error("EndOpenType accepted an Encoder it did not hand out")
	}
}

// TestDepthLimit checks that Enter refuses nesting beyond the limit and
// that open types carry the depth into their sub-decoders.
func TestDepthLimit(t *testing.T) {
	d := NewDecoder([]byte{0x01, 0x00})
	for i := range DefaultMaxDepth {
		if err := d.Enter(); err != nil {
			t.Fatalf("Enter %d: %v", i, err)
		}
	}
	err := d.Enter()
	if !errors.Is(err, ErrTooDeep) {
		t.Fatalf("Enter beyond the limit: %v", err)
	}
	var sub Decoder
	if err := d.ReadOpenType(&sub); err != nil {
		t.Fatal(err)
	}
	if err := sub.Enter(); !errors.Is(err, ErrTooDeep) {
		t.Errorf("sub-decoder Enter: %v", err)
	}
	d.Leave()
	if d.Depth() != DefaultMaxDepth-1 {
		t.Errorf("depth %d", d.Depth())
	}
	d.SetMaxDepth(2)
	if err := d.Enter(); !errors.Is(err, ErrTooDeep) {
		t.Errorf("SetMaxDepth(2) at depth %d: %v", d.Depth(), err)
	}
}
