package rtppayload

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/pion/rtp"
)

// packets packetizes frame with pz into RTP packets with timestamp ts.
func packets(t *testing.T, pz Packetizer, frame []byte, ts uint32, seq *uint16) []*rtp.Packet {
	t.Helper()
	var out []*rtp.Packet
	err := pz.Packetize(frame, func(b []byte, marker bool) error {
		out = append(out, &rtp.Packet{Header: rtp.Header{Timestamp: ts, Marker: marker, SequenceNumber: *seq}, Payload: bytes.Clone(b)})
		*seq++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// collect pushes packets, dropping those whose index is in drop, and
// returns the frames.
func collect(t *testing.T, d Depacketizer, pkts []*rtp.Packet, drop map[int]bool) []Frame {
	t.Helper()
	var out []Frame
	lost := false
	for i, p := range pkts {
		if drop[i] {
			lost = true
			continue
		}
		_ = d.Push(p, lost, func(f Frame) error {
			f.Data = bytes.Clone(f.Data)
			out = append(out, f)
			return nil
		})
		lost = false
	}
	return out
}

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

// h264AU builds an Annex B access unit from NAL units of the given types
// and sizes, avoiding accidental start codes in their bodies.
func h264AU(r *rand.Rand, units ...[2]int) []byte {
	var au []byte
	for _, u := range units {
		au = append(au, 0, 0, 0, 1, byte(0x60|u[0]))
		body := randBytes(r, u[1]-1)
		for i := range body {
			if body[i] < 4 {
				body[i] = 0x55
			}
		}
		au = append(au, body...)
	}
	return au
}

func TestH264RoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	key := h264AU(r, [2]int{7, 12}, [2]int{8, 5}, [2]int{6, 30}, [2]int{5, 5000})
	delta := h264AU(r, [2]int{1, 700}, [2]int{1, 900})
	cases := []struct {
		name     string
		mode     int
		mtu      int
		au       []byte
		wantKey  bool
		minPkts  int
		firstNAL byte // NAL type of the first payload
	}{
		{"mode1 key", 1, 1200, key, true, 6, naluSTAPA},
		{"mode1 delta", 1, 1200, delta, false, 2, 1},
		{"mode1 small mtu", 1, 100, key, true, 50, naluSTAPA},
		{"mode0 delta", 0, 1200, delta, false, 2, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var seq uint16
			pz := &H264Packetizer{MTU: tc.mtu, Mode: tc.mode}
			pkts := packets(t, pz, tc.au, 900, &seq)
			if len(pkts) < tc.minPkts || pkts[0].Payload[0]&0x1F != tc.firstNAL {
				t.Fatalf("%d packets, first NAL type %d", len(pkts), pkts[0].Payload[0]&0x1F)
			}
			for i, p := range pkts {
				if len(p.Payload) > tc.mtu {
					t.Fatalf("packet %d has %d bytes", i, len(p.Payload))
				}
				if p.Marker != (i == len(pkts)-1) {
					t.Fatalf("marker on packet %d of %d", i, len(pkts))
				}
			}
			frames := collect(t, &H264Depacketizer{}, pkts, nil)
			if len(frames) != 1 || !bytes.Equal(frames[0].Data, tc.au) || frames[0].Keyframe != tc.wantKey || frames[0].Damaged {
				t.Fatalf("got %d frames, equal=%v key=%v", len(frames), len(frames) > 0 && bytes.Equal(frames[0].Data, tc.au), len(frames) > 0 && frames[0].Keyframe)
			}
			if H264Keyframe(tc.au) != tc.wantKey {
				t.Fatal("H264Keyframe disagrees")
			}
		})
	}
}

func TestH264LossAndBoundaries(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	key := h264AU(r, [2]int{5, 4000})
	var seq uint16
	pz := &H264Packetizer{Mode: 1}
	pkts := packets(t, pz, key, 0, &seq)
	pkts = append(pkts, packets(t, pz, h264AU(r, [2]int{1, 300}), 3000, &seq)...)
	// A lost middle fragment damages the first frame only.
	frames := collect(t, &H264Depacketizer{}, pkts, map[int]bool{1: true})
	if len(frames) != 2 || !frames[0].Damaged || frames[1].Damaged {
		t.Fatalf("frames %+v", frames)
	}
	// Without markers, a timestamp change ends the frame.
	for _, p := range pkts {
		p.Marker = false
	}
	frames = collect(t, &H264Depacketizer{}, pkts, nil)
	if len(frames) != 1 || !bytes.Equal(frames[0].Data, key) {
		t.Fatalf("%d frames", len(frames))
	}
}

func TestH264ParameterSets(t *testing.T) {
	got := H264ParameterSets("profile-level-id=42e01f;sprop-parameter-sets=Z0LgH9kAoD2wEQAAAwABAAADADIPGDKg,aM4xsg==;packetization-mode=1")
	if !bytes.HasPrefix(got, []byte{0, 0, 0, 1, 0x67}) || bytes.Count(got, []byte{0, 0, 0, 1}) != 2 {
		t.Fatalf("got % x", got)
	}
	if H264ParameterSets("packetization-mode=1") != nil {
		t.Fatal("no sprop should give nil")
	}
}

func TestVP8RoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	key := randBytes(r, 3000)
	key[0] &^= 1
	delta := randBytes(r, 500)
	delta[0] |= 1
	var seq uint16
	pz := &VP8Packetizer{PictureID: 0x7FFF}
	pkts := packets(t, pz, key, 100, &seq)
	pkts = append(pkts, packets(t, pz, delta, 3100, &seq)...)
	if len(pkts) != 4 || pz.PictureID != 1 {
		t.Fatalf("%d packets, next picture id %d", len(pkts), pz.PictureID)
	}
	frames := collect(t, &VP8Depacketizer{}, pkts, nil)
	if len(frames) != 2 || !bytes.Equal(frames[0].Data, key) || !frames[0].Keyframe || frames[1].Keyframe || !bytes.Equal(frames[1].Data, delta) {
		t.Fatalf("frames %d", len(frames))
	}
	// Without its first packet the key frame has nothing decodable: it is
	// not emitted, and the next frame is intact.
	frames = collect(t, &VP8Depacketizer{}, pkts, map[int]bool{0: true})
	if len(frames) != 1 || frames[0].Damaged || frames[0].Timestamp != 3100 {
		t.Fatalf("after loss: %+v", frames)
	}
}

// h263Picture builds a baseline H.263 CIF picture: a picture header and
// GOBs of the given sizes, each starting with a byte-aligned GBSC.
func h263Frame(r *rand.Rand, intra bool, gobs ...int) []byte {
	// PSC(22) TR(8)=5 PTYPE: 1 0 0 0 0 format=011(CIF) type plus 4 bits.
	var w bitWriter
	w.put(0x20, 22)
	w.put(5, 8)
	w.put(0b10000, 5)
	w.put(3, 3)
	if intra {
		w.put(0, 1)
	} else {
		w.put(1, 1)
	}
	w.put(0, 4)
	w.put(0b11111, 5) // PQUANT and the rest: arbitrary
	frame := w.bytes()
	frame = append(frame, body(r, 200)...)
	for i, n := range gobs {
		frame = append(frame, 0, 0, 0x80|byte(i+1)<<2)
		frame = append(frame, body(r, n)...)
	}
	return frame
}

func body(r *rand.Rand, n int) []byte {
	b := randBytes(r, n)
	for i := range b {
		if b[i] == 0 {
			b[i] = 0x11
		}
	}
	return b
}

type bitWriter struct {
	b []byte
	n int
}

func (w *bitWriter) put(v uint32, bits int) {
	for i := bits - 1; i >= 0; i-- {
		if w.n%8 == 0 {
			w.b = append(w.b, 0)
		}
		w.b[len(w.b)-1] |= byte(v>>i&1) << (7 - w.n%8)
		w.n++
	}
}

func (w *bitWriter) bytes() []byte { return w.b }

func TestH263PlusRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, tc := range []struct {
		name  string
		frame []byte
		intra bool
		mtu   int
	}{
		{"small gobs", h263Frame(r, true, 300, 300, 300, 300), true, 1200},
		{"large gob", h263Frame(r, false, 3000, 100), false, 1200},
		{"tiny mtu", h263Frame(r, true, 500, 80), true, 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var seq uint16
			pkts := packets(t, &H263PPacketizer{MTU: tc.mtu}, tc.frame, 7, &seq)
			for _, p := range pkts {
				if len(p.Payload) > tc.mtu {
					t.Fatalf("payload of %d bytes", len(p.Payload))
				}
			}
			if pkts[0].Payload[0]&0x04 == 0 {
				t.Fatal("first packet lacks the P bit")
			}
			frames := collect(t, &H263PDepacketizer{}, pkts, nil)
			if len(frames) != 1 || !bytes.Equal(frames[0].Data, tc.frame) || frames[0].Keyframe != tc.intra || frames[0].Damaged {
				t.Fatalf("frames %d equal %v", len(frames), len(frames) == 1 && bytes.Equal(frames[0].Data, tc.frame))
			}
			pkts2 := packets(t, &H263Packetizer{MTU: tc.mtu}, tc.frame, 7, &seq)
			frames = collect(t, &H263Depacketizer{}, pkts2, nil)
			if len(frames) != 1 || !bytes.Equal(frames[0].Data, tc.frame) || frames[0].Keyframe != tc.intra {
				t.Fatalf("RFC 2190: frames %d", len(frames))
			}
			if len(pkts) > 1 {
				frames = collect(t, &H263PDepacketizer{}, pkts, map[int]bool{0: true})
				if len(frames) != 1 || !frames[0].Damaged {
					t.Fatal("a lost first packet should damage the picture")
				}
			}
		})
	}
}

func TestH263BitMerge(t *testing.T) {
	// One picture split mid-byte: the first packet's last byte holds 5
	// valid bits (EBIT 3), the second packet's first byte the other 3 (SBIT 5).
	p1 := &rtp.Packet{Header: rtp.Header{Timestamp: 1}, Payload: []byte{0x03, 0x60, 0, 5, 0, 0, 0x80, 0xAF}}
	p2 := &rtp.Packet{Header: rtp.Header{Timestamp: 1, Marker: true}, Payload: []byte{0x28, 0x60, 0, 5, 0x05, 0x42}}
	frames := collect(t, &H263Depacketizer{}, []*rtp.Packet{p1, p2}, nil)
	want := []byte{0, 0, 0x80, 0xA8 | 0x05, 0x42}
	if len(frames) != 1 || !bytes.Equal(frames[0].Data, want) || frames[0].Damaged {
		t.Fatalf("got %+v want % x", frames, want)
	}
}

func TestAACRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{300, 3000} {
		au := randBytes(r, n)
		var seq uint16
		pkts := packets(t, &AACPacketizer{}, au, 1024, &seq)
		frames := collect(t, &AACDepacketizer{}, pkts, nil)
		if len(frames) != 1 || !bytes.Equal(frames[0].Data, au) || frames[0].Damaged {
			t.Fatalf("%d bytes: %d frames", n, len(frames))
		}
	}
	// Two units in one packet.
	p := &rtp.Packet{Header: rtp.Header{Timestamp: 0, Marker: true}, Payload: []byte{0, 32, 0, 2 << 3, 0, 3 << 3, 1, 2, 3, 4, 5}}
	frames := collect(t, &AACDepacketizer{}, []*rtp.Packet{p}, nil)
	if len(frames) != 2 || !bytes.Equal(frames[1].Data, []byte{3, 4, 5}) || frames[1].Timestamp != 1024 {
		t.Fatalf("frames %+v", frames)
	}
	if got := AACConfig(AACFMTP([]byte{0x11, 0x90})); !bytes.Equal(got, []byte{0x11, 0x90}) {
		t.Fatalf("config % x", got)
	}
}

func TestTruncatedPayloads(t *testing.T) {
	deps := map[string]Depacketizer{
		"h264": &H264Depacketizer{}, "vp8": &VP8Depacketizer{}, "h263+": &H263PDepacketizer{},
		"h263": &H263Depacketizer{}, "aac": &AACDepacketizer{},
	}
	bad := [][]byte{nil, {0}, {0x1C}, {0x18, 0, 9, 1}, {0x80}, {0x80, 0x80}, {0x02, 0xFF}, {0x80, 0, 0}, {0, 64}, {0, 16, 0xFF, 0xFF}}
	for name, d := range deps {
		for _, b := range bad {
			err := d.Push(&rtp.Packet{Header: rtp.Header{Marker: true}, Payload: b}, false, func(Frame) error { return nil })
			if err == nil && len(b) == 0 {
				t.Errorf("%s: % x accepted", name, b)
			}
		}
	}
}
