package rtpload

import (
	"bytes"
	"errors"
	"testing"
)

func TestPacketRoundTrip(t *testing.T) {
	tests := []Probe{
		{Stream: 0, Seq: 0, SentNano: 0},
		{Stream: 999, Seq: 12345, SentNano: 1_234_567_890, Measured: true},
		{Stream: 1<<32 - 1, Seq: 1<<32 - 1, SentNano: -1},
	}
	for _, p := range tests {
		buf := make([]byte, 172)
		if err := BuildPacket(buf, 8, 0xabc, p); err != nil {
			t.Fatal(err)
		}
		got, err := ParsePacket(buf)
		if err != nil || got != p {
			t.Errorf("ParsePacket(BuildPacket(%+v)) = %+v, %v", p, got, err)
		}
		if buf[1] != 8 || buf[0] != 0x80 {
			t.Errorf("RTP header % x", buf[:12])
		}
	}
}

func TestParsePacketHeaders(t *testing.T) {
	base := make([]byte, 172)
	if err := BuildPacket(base, 0, 1, Probe{Stream: 7, Seq: 3, SentNano: 99}); err != nil {
		t.Fatal(err)
	}
	withCSRC := append(append([]byte{0x82}, base[1:12]...), make([]byte, 8)...)
	withCSRC = append(withCSRC, base[12:]...)
	withExt := append(append([]byte{0x90}, base[1:12]...), 0xbe, 0xde, 0, 1, 1, 2, 3, 4)
	withExt = append(withExt, base[12:]...)
	tests := []struct {
		name string
		b    []byte
		err  error
	}{
		{"plain", base, nil},
		{"two CSRCs", withCSRC, nil},
		{"header extension", withExt, nil},
		{"empty", nil, ErrShort},
		{"header only", base[:12], ErrShort},
		{"truncated probe", base[:MinPacketSize-1], ErrShort},
		{"version 1", append([]byte{0x40}, base[1:]...), ErrNotRTP},
		{"extension past end", withExt[:14], ErrShort},
		{"no magic", append(base[:12:12], bytes.Repeat([]byte{0xff}, 160)...), ErrNotProbe},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePacket(tt.b)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if err == nil && (p.Stream != 7 || p.Seq != 3 || p.SentNano != 99) {
				t.Errorf("probe %+v", p)
			}
		})
	}
}

func FuzzParsePacket(f *testing.F) {
	buf := make([]byte, 172)
	_ = BuildPacket(buf, 0, 1, Probe{Stream: 1, Seq: 2, SentNano: 3, Measured: true})
	f.Add(buf)
	f.Add(buf[:MinPacketSize])
	f.Add([]byte{0x9f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xde, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePacket(b)
		if err != nil {
			return
		}
		// A probe that parses survives a rebuild with the same fields.
		out := make([]byte, MinPacketSize)
		if err := BuildPacket(out, 0, 0, p); err != nil {
			t.Fatal(err)
		}
		if q, err := ParsePacket(out); err != nil || q != p {
			t.Fatalf("rebuilt probe %+v, %v; want %+v", q, err, p)
		}
	})
}

func TestIsRTCP(t *testing.T) {
	rtp := make([]byte, 172)
	_ = BuildPacket(rtp, 0, 1, Probe{})
	tests := []struct {
		name string
		b    []byte
		want bool
	}{
		{"sender report", []byte{0x80, 200, 0, 6, 0, 0, 0, 1}, true},
		{"receiver report", []byte{0x81, 201, 0, 7, 0, 0, 0, 1, 0, 0, 0, 0}, true},
		{"PCMU RTP", rtp, false},
		{"short", []byte{0x80, 200}, false},
		{"version 1", []byte{0x40, 200, 0, 6, 0, 0, 0, 1}, false},
	}
	for _, tt := range tests {
		if got := IsRTCP(tt.b); got != tt.want {
			t.Errorf("%s: IsRTCP = %v, want %v", tt.name, got, tt.want)
		}
	}
}
