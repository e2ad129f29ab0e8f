package rtpio

import (
	"bytes"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
)

func FuzzParseCrypto(f *testing.F) {
	for _, s := range []string{
		"1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4",
		"1 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR KDR=0 WSH=64",
		"2 AEAD_AES_256_GCM inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBRPS1uQCVeeCFCanVm",
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1:99999999999999999999",
		"1 AES_CM_128_HMAC_SHA1_80 inline:|||",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, attr string) {
		tag, keys, err := ParseCrypto(attr)
		if err != nil {
			return
		}
		info, ok := lookupSuite(keys.Suite)
		if !ok || len(keys.Key) != info.keyLen+info.saltLen || len(keys.MKI) > 128 || tag < 0 || tag > maxCryptoTag {
			t.Fatalf("ParseCrypto(%q) = %d %+v", attr, tag, keys)
		}
		// Whatever parses makes a working SRTP session.
		s := newSessionState(time.Hour)
		if err := s.SetSRTP(keys, keys); err != nil {
			t.Fatalf("keys from %q rejected: %v", attr, err)
		}
	})
}

func FuzzParseDTMF(f *testing.F) {
	f.Add([]byte{0, 10, 0, 160})
	f.Add([]byte{11, 0x8a, 0x05, 0x00})
	f.Add([]byte{16, 0xff, 0xff, 0xff, 1})
	f.Add([]byte{200, 0, 0, 0})
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := ParseDTMF(b)
		if err != nil {
			return
		}
		out := AppendDTMF(nil, ev)
		want := []byte{b[0], b[1] &^ 0x40, b[2], b[3]}
		if !bytes.Equal(out, want) {
			t.Fatalf("% x parsed to %+v, re-encoded % x", b, ev, out)
		}
	})
}

// fuzzKeys are the fixed keys of the SRTP half of FuzzSessionInput.
var fuzzKeys = &Keys{Suite: SuiteAES128SHA1_80, Key: libsrtpKey}

// sessionInputSeeds returns datagrams of every kind a session receives.
func sessionInputSeeds(t testing.TB) [][]byte {
	rtpPlain := marshal(t, rtpPacket(0xcafebabe, 0, 1, 160, []byte("hello")))
	ext := rtpPacket(7, 96, 2, 3000, []byte{1, 2, 3, 4})
	if err := ext.SetExtension(1, []byte{0xaa}); err != nil {
		t.Fatal(err)
	}
	ext.Header.Extension = true
	pad := rtpPacket(7, 96, 3, 3000, []byte{1, 2})
	pad.Padding, pad.PaddingSize = true, 4
	compound := func(pkts ...rtcp.Packet) []byte {
		b, err := rtcp.Marshal(pkts)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	rr := &rtcp.ReceiverReport{SSRC: 1, Reports: []rtcp.ReceptionReport{{SSRC: 0xcafebabe, FractionLost: 3, TotalLost: 9, LastSenderReport: 5, Delay: 7}}}
	sdes := &rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{Source: 1, Items: []rtcp.SourceDescriptionItem{{Type: rtcp.SDESCNAME, Text: "x"}}}}}
	seeds := [][]byte{
		rtpPlain,
		marshal(t, ext),
		marshal(t, pad),
		compound(&rtcp.SenderReport{SSRC: 0xcafebabe, NTPTime: 1 << 40, Reports: rr.Reports}, sdes),
		compound(rr, sdes, &rtcp.PictureLossIndication{SenderSSRC: 1, MediaSSRC: 2}),
		compound(rr, sdes, &rtcp.TransportLayerNack{SenderSSRC: 1, MediaSSRC: 2, Nacks: []rtcp.NackPair{{PacketID: 10, LostPackets: 0xffff}}}),
		compound(rr, &rtcp.ReceiverEstimatedMaximumBitrate{SenderSSRC: 1, Bitrate: 1e6, SSRCs: []uint32{2}}),
		compound(&rtcp.FullIntraRequest{SenderSSRC: 1, FIR: []rtcp.FIREntry{{SSRC: 2, SequenceNumber: 1}}}),
		compound(&rtcp.Goodbye{Sources: []uint32{1}, Reason: "bye"}),
		{0x83, 205, 0, 4, 0, 0, 0, 9, 0, 0, 0, 0, 1, 2, 3, 4, 0x10, 0x3d, 0x09, 0x28},
		{0x80},
		{0x80, 0xc8, 0xff, 0xff, 0, 0, 0, 1},
		bytes.Repeat([]byte{0xff}, 40),
	}
	// The SRTP forms of the first packets, under fuzzKeys.
	enc := newSessionState(time.Hour)
	if err := enc.SetSRTP(fuzzKeys, fuzzKeys); err != nil {
		t.Fatal(err)
	}
	st := enc.srtp.Load()
	if b, err := st.encryptRTP(append(bytes.Clone(rtpPlain), make([]byte, srtpOverhead)...), len(rtpPlain)); err == nil {
		seeds = append(seeds, b)
	}
	if b, err := st.encryptRTCP(nil, seeds[4]); err == nil {
		seeds = append(seeds, b)
	}
	return seeds
}

// fuzzTarget is a session with no sockets fed datagrams directly.
type fuzzTarget struct {
	plain, secure *Session
	pkt           rtp.Packet
}

func newFuzzTarget(t testing.TB) *fuzzTarget {
	ft := &fuzzTarget{plain: newSessionState(time.Hour), secure: newSessionState(time.Hour)}
	if err := ft.secure.SetSRTP(fuzzKeys, fuzzKeys); err != nil {
		t.Fatal(err)
	}
	ft.plain.SetFeedbackHandler(func(call.Event) {})
	ft.secure.SetFeedbackHandler(func(call.Event) {})
	return ft
}

// feed hands one datagram to a receive path chosen by mode.
func (ft *fuzzTarget) feed(mode byte, data []byte) {
	s := ft.plain
	if mode&1 != 0 {
		s = ft.secure
	}
	from := netip.AddrPortFrom(netip.MustParseAddr("192.0.2.1"), 4000+uint16(mode>>4))
	buf := bytes.Clone(data)
	if mode&2 != 0 {
		s.receiveRTCP(buf, from, false)
	} else {
		s.receiveOnRTPPort(buf, from, &ft.pkt, s.now())
	}
}

func FuzzSessionInput(f *testing.F) {
	for _, seed := range sessionInputSeeds(f) {
		for mode := range byte(4) {
			f.Add(mode, seed)
		}
	}
	ft := newFuzzTarget(f)
	f.Fuzz(func(t *testing.T, mode byte, data []byte) {
		ft.feed(mode, data)
	})
}

// TestSessionInputBounded feeds many mutated datagrams to a session and
// checks that its memory does not grow with them.
func TestSessionInputBounded(t *testing.T) {
	ft := newFuzzTarget(t)
	seeds := sessionInputSeeds(t)
	r := rand.New(rand.NewPCG(1, 2))
	run := func(n int) {
		for range n {
			b := bytes.Clone(seeds[r.IntN(len(seeds))])
			for range r.IntN(4) {
				if len(b) > 0 {
					b[r.IntN(len(b))] = byte(r.Uint32())
				}
			}
			if r.IntN(8) == 0 {
				b = b[:r.IntN(len(b)+1)]
			}
			ft.feed(byte(r.Uint32()), b)
		}
	}
	run(20000)
	var m1, m2 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m1)
	run(100000)
	runtime.GC()
	runtime.ReadMemStats(&m2)
	if grew := int64(m2.HeapAlloc) - int64(m1.HeapAlloc); grew > 256<<10 {
		t.Fatalf("heap grew by %d bytes over 100000 datagrams", grew)
	}
}
