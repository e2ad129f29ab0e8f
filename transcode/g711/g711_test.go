package g711

import (
	"math"
	"testing"
)

// Reference points from ITU-T G.711's tables (decoder output values).
func TestKnownCodes(t *testing.T) {
	cases := []struct {
		name string
		code byte
		dec  func(byte) int16
		want int16
	}{
		{"ulaw 0xFF is +0", 0xFF, ulawToLinear, 0},
		{"ulaw 0x7F is -0", 0x7F, ulawToLinear, 0},
		{"ulaw 0x80 is max", 0x80, ulawToLinear, 32124},
		{"ulaw 0x00 is min", 0x00, ulawToLinear, -32124},
		{"alaw 0xD5 is +8", 0xD5, alawToLinear, 8},
		{"alaw 0x55 is -8", 0x55, alawToLinear, -8},
		{"alaw 0xAA is max", 0xAA, alawToLinear, 32256},
		{"alaw 0x2A is min", 0x2A, alawToLinear, -32256},
	}
	for _, tc := range cases {
		if got := tc.dec(tc.code); got != tc.want {
			t.Errorf("%s: got %d want %d", tc.name, got, tc.want)
		}
	}
}

func TestRoundTripEveryCode(t *testing.T) {
	for c := range 256 {
		if got := LinearToUlaw(ulawTable[c]); ulawTable[got] != ulawTable[c] {
			t.Errorf("ulaw code %#x: re-encodes to %#x", c, got)
		}
		if got := LinearToAlaw(alawTable[c]); got != byte(c) {
			t.Errorf("alaw code %#x: re-encodes to %#x", c, got)
		}
	}
}

func TestSNR(t *testing.T) {
	for _, tc := range []struct {
		name string
		enc  func([]byte, []int16) []byte
		dec  func([]int16, []byte) []int16
	}{{"ulaw", EncodeUlaw, DecodeUlaw}, {"alaw", EncodeAlaw, DecodeAlaw}} {
		pcm := make([]int16, 8000)
		for i := range pcm {
			pcm[i] = int16(10000 * math.Sin(2*math.Pi*1000*float64(i)/8000))
		}
		out := tc.dec(nil, tc.enc(nil, pcm))
		var sig, noise float64
		for i := range pcm {
			sig += float64(pcm[i]) * float64(pcm[i])
			d := float64(pcm[i]) - float64(out[i])
			noise += d * d
		}
		if snr := 10 * math.Log10(sig/noise); snr < 35 {
			t.Errorf("%s: SNR %.1f dB", tc.name, snr)
		}
	}
}

func BenchmarkEncodeUlaw(b *testing.B) {
	pcm := make([]int16, 160)
	buf := make([]byte, 0, 160)
	b.ReportAllocs()
	for b.Loop() {
		buf = EncodeUlaw(buf[:0], pcm)
	}
}
