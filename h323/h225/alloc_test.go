package h225_test

import (
	"runtime"
	"testing"

	"github.com/switchyard/switchyard/h323/per"
)

// TestHostileLengthsAllocateLittle turns every byte of a sample of real
// messages (RAS, UUIE, H.245, fastStart) into values that read as huge
// lengths, counts or fragment headers, decodes, and checks that no decode
// allocates more than a small multiple of its input: lengths are checked
// against the bits that remain before anything is allocated.
func TestHostileLengthsAllocateLittle(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	msgs := captureMessages(t)
	step := max(1, len(msgs)/40)
	var ms runtime.MemStats
	worst, worstRatio := "", 0.0
	for i := 0; i < len(msgs); i += step {
		m := msgs[i]
		for pos := range m.data {
			for _, b := range []byte{0xff, 0xc4, 0x80, 0x7f} {
				data := append([]byte(nil), m.data...)
				data[pos] = b
				v := newFor(m.kind)
				runtime.ReadMemStats(&ms)
				before := ms.TotalAlloc
				var d per.Decoder
				d.Reset(data)
				_ = v.Decode(&d)
				runtime.ReadMemStats(&ms)
				alloc := ms.TotalAlloc - before
				limit := uint64(64<<10 + 1024*len(data))
				if alloc > limit {
					t.Errorf("%s, byte %d = %#x: decode allocated %d bytes for %d input bytes", m.where, pos, b, alloc, len(data))
				}
				if r := float64(alloc) / float64(len(data)); r > worstRatio {
					worst, worstRatio = m.where, r
				}
			}
		}
	}
	t.Logf("largest allocation per input byte: %.0f (%s)", worstRatio, worst)
}
