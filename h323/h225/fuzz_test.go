package h225_test

import (
	"bytes"
	"testing"

	"github.com/switchyard/switchyard/h323/h225"
	"github.com/switchyard/switchyard/h323/per"
	"github.com/switchyard/switchyard/internal/testpeer"
)

// fuzzSeeds returns the capture messages of one kind when the shared
// captures are there (fuzzing works without them, from the built seeds).
func fuzzSeeds(f *testing.F, kind capKind) [][]byte {
	if _, err := testpeer.FindSharedDir(); err != nil {
		return nil
	}
	var out [][]byte
	for _, m := range captureMessages(f) {
		if m.kind == kind {
			out = append(out, m.data)
		}
	}
	return out
}

// checkFuzzed decodes data into v; whatever decodes must re-encode, and
// decoding and encoding that again must give the same bytes.
func checkFuzzed(t *testing.T, v, w decoder, data []byte) {
	var d per.Decoder
	d.Reset(data)
	if err := v.Decode(&d); err != nil {
		return
	}
	var e per.Encoder
	if err := v.Encode(&e); err != nil {
		t.Fatalf("decoded value does not re-encode: %v", err)
	}
	d.Reset(e.Bytes())
	if err := w.Decode(&d); err != nil {
		t.Fatalf("re-encoding does not decode: %v\n%x", err, e.Bytes())
	}
	var e2 per.Encoder
	if err := w.Encode(&e2); err != nil || !bytes.Equal(e2.Bytes(), e.Bytes()) {
		t.Fatalf("re-encoding is not stable (%v)\n got %x\nwant %x", err, e2.Bytes(), e.Bytes())
	}
}

func FuzzDecodeH323UserInformation(f *testing.F) {
	for _, s := range fuzzSeeds(f, capUUIE) {
		f.Add(s)
	}
	f.Add([]byte{0x20, 0x80, 0x06, 0x00, 0x08, 0x91, 0x4a, 0x00, 0x07})
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFuzzed(t, new(h225.H323UserInformation), new(h225.H323UserInformation), data)
	})
}

func FuzzDecodeRasMessage(f *testing.F) {
	for _, s := range fuzzSeeds(f, capRAS) {
		f.Add(s)
	}
	f.Add([]byte{0x40, 0x6e, 0xd3})
	f.Add([]byte{0x1c, 0x6e, 0xd4})
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFuzzed(t, new(h225.RasMessage), new(h225.RasMessage), data)
	})
}
