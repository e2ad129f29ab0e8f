package rtpio

import (
	"testing"

	"github.com/pion/rtp"
)

// loopbackPair returns two sessions that talk to each other, with SRTP when
// secure is set.
func loopbackPair(tb testing.TB, secure bool) (*Session, *Session) {
	tb.Helper()
	a := newTestAllocator(tb, 2, 0)
	x, y := pair(tb, a, false)
	if secure {
		_, kx, _ := GenerateCrypto(1, SuiteAES128SHA1_80)
		_, ky, _ := GenerateCrypto(1, SuiteAES128SHA1_80)
		if err := x.SetSRTP(kx, ky); err != nil {
			tb.Fatal(err)
		}
		if err := y.SetSRTP(ky, kx); err != nil {
			tb.Fatal(err)
		}
	}
	return x, y
}

// roundTrip writes one packet on x and reads it on y.
type roundTrip struct {
	x, y *Session
	out  *rtp.Packet
	in   rtp.Packet
	i    int
}

func (r *roundTrip) step(tb testing.TB) {
	r.i++
	r.out.SequenceNumber = uint16(r.i)
	r.out.Timestamp = uint32(r.i) * 160
	if err := r.x.WriteRTP(r.out); err != nil {
		tb.Fatal(err)
	}
	if err := r.y.ReadRTP(&r.in); err != nil {
		tb.Fatal(err)
	}
}

func newRoundTrip(tb testing.TB, secure bool) *roundTrip {
	x, y := loopbackPair(tb, secure)
	return &roundTrip{x: x, y: y, out: rtpPacket(0x1234, 0, 0, 0, make([]byte, 160))}
}

// TestReadWriteDoNotAllocate checks the hot path's promise: no allocation
// per packet once a session is running.
func TestReadWriteDoNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	for _, secure := range []bool{false, true} {
		r := newRoundTrip(t, secure)
		for range 10 { // warm up: first packets latch and size buffers
			r.step(t)
		}
		if n := testing.AllocsPerRun(500, func() { r.step(t) }); n != 0 {
			t.Errorf("SRTP %v: %.1f allocations per packet, want 0", secure, n)
		}
	}
}

func benchmarkLoopback(b *testing.B, secure bool) {
	r := newRoundTrip(b, secure)
	for range 10 {
		r.step(b)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(r.out.Payload)))
	for b.Loop() {
		r.step(b)
	}
}

// BenchmarkLoopbackRTP is one WriteRTP and one ReadRTP of a 160-byte
// payload over 127.0.0.1.
func BenchmarkLoopbackRTP(b *testing.B) { benchmarkLoopback(b, false) }

// BenchmarkLoopbackSRTP is the same with AES_CM_128_HMAC_SHA1_80.
func BenchmarkLoopbackSRTP(b *testing.B) { benchmarkLoopback(b, true) }
