package webrtc

import (
	"testing"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// countingWriter is a TrackLocalWriter that only counts.
type countingWriter struct{ n, bytes int }

func (w *countingWriter) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	w.n++
	w.bytes += len(payload) + int(h.PaddingSize)
	return len(payload), nil
}

func (w *countingWriter) Write(b []byte) (int, error) { return len(b), nil }

// bindCtx is a TrackLocalContext for binding a local track in tests.
type bindCtx struct {
	codecs []webrtc.RTPCodecParameters
	w      webrtc.TrackLocalWriter
}

func (c bindCtx) CodecParameters() []webrtc.RTPCodecParameters           { return c.codecs }
func (c bindCtx) HeaderExtensions() []webrtc.RTPHeaderExtensionParameter { return nil }
func (c bindCtx) SSRC() webrtc.SSRC                                      { return 0x11223344 }
func (c bindCtx) SSRCRetransmission() webrtc.SSRC                        { return 0 }
func (c bindCtx) SSRCForwardErrorCorrection() webrtc.SSRC                { return 0 }
func (c bindCtx) WriteStream() webrtc.TrackLocalWriter                   { return c.w }
func (c bindCtx) ID() string                                             { return "b" }
func (c bindCtx) RTCPReader() interceptor.RTCPReader                     { return nil }

func TestLocalTrackWrite(t *testing.T) {
	w := &countingWriter{}
	lt := newLocalTrack("t", "s", webrtc.RTPCodecTypeVideo, webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}})
	p := rtpPacket(100, 7, 9, "frame")
	if err := lt.write(p); err != nil || w.n != 0 {
		t.Fatalf("an unbound track wrote: %v %d", err, w.n)
	}
	codec, err := lt.Bind(bindCtx{codecs: []webrtc.RTPCodecParameters{
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: "audio/telephone-event"}, PayloadType: 101},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, PayloadType: 120},
	}, w: w})
	if err != nil || codec.PayloadType != 120 {
		t.Fatalf("bind: %v %v", codec, err)
	}
	if err := p.Header.SetExtension(3, []byte{1, 2}); err != nil {
		t.Fatal(err)
	}
	p.Header.CSRC = []uint32{5}
	if err := lt.write(p); err != nil {
		t.Fatal(err)
	}
	if w.n != 1 || lt.hdr.SSRC != 0x11223344 || lt.hdr.PayloadType != 120 || lt.hdr.Extension || len(lt.hdr.CSRC) != 0 || lt.hdr.SequenceNumber != 7 {
		t.Errorf("wrote %+v", lt.hdr)
	}
	if p.Header.SSRC != 0 || !p.Header.Extension {
		t.Error("write changed the caller's packet")
	}
	// A padding-only probe goes out (its sequence number must not be a
	// hole); an empty packet without padding does not.
	probe := &rtp.Packet{Header: rtp.Header{Version: 2, Padding: true, PaddingSize: 200, SequenceNumber: 8}}
	_ = lt.write(probe)
	_ = lt.write(&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: 9}})
	if w.n != 2 || w.bytes != len("frame")+200 {
		t.Errorf("probe handling: %d packets, %d bytes", w.n, w.bytes)
	}
}

// BenchmarkLocalTrackWrite is our side of the per-packet send path, up to
// pion's interceptors and SRTP: it must not allocate.
func BenchmarkLocalTrackWrite(b *testing.B) {
	w := &countingWriter{}
	lt := newLocalTrack("t", "s", webrtc.RTPCodecTypeVideo, webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}})
	if _, err := lt.Bind(bindCtx{codecs: []webrtc.RTPCodecParameters{{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, PayloadType: 96}}, w: w}); err != nil {
		b.Fatal(err)
	}
	p := rtpPacket(96, 1, 1, string(make([]byte, 1100)))
	b.ReportAllocs()
	b.SetBytes(int64(len(p.Payload)))
	for b.Loop() {
		p.SequenceNumber++
		if err := lt.write(p); err != nil {
			b.Fatal(err)
		}
	}
}

func TestLocalTrackBindsItsOwnCodec(t *testing.T) {
	h264 := func(pt webrtc.PayloadType, fmtp string) webrtc.RTPCodecParameters {
		return webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000, SDPFmtpLine: fmtp}, PayloadType: pt}
	}
	negotiated := []webrtc.RTPCodecParameters{
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: "audio/telephone-event", ClockRate: 8000}, PayloadType: 101},
		h264(102, "packetization-mode=1;profile-level-id=42001f"),
		h264(106, "packetization-mode=1;profile-level-id=42e01f"),
		h264(108, "packetization-mode=0;profile-level-id=42e01f"),
	}
	tests := []struct {
		name string
		ours webrtc.RTPCodecParameters
		want webrtc.PayloadType
	}{
		{"same payload type", h264(106, "packetization-mode=1;profile-level-id=42e01f"), 106},
		{"same format, other payload type", h264(96, "profile-level-id=42e01f;packetization-mode=0"), 108},
		{"any (an offer of ours)", webrtc.RTPCodecParameters{}, 102},
	}
	for _, tt := range tests {
		lt := newLocalTrack("t", "s", webrtc.RTPCodecTypeVideo, tt.ours)
		c, err := lt.Bind(bindCtx{codecs: negotiated, w: &countingWriter{}})
		if err != nil || c.PayloadType != tt.want {
			t.Errorf("%s: bound %d (%v), want %d", tt.name, c.PayloadType, err, tt.want)
		}
	}
	lt := newLocalTrack("t", "s", webrtc.RTPCodecTypeVideo, h264(96, "packetization-mode=1;profile-level-id=640032"))
	if _, err := lt.Bind(bindCtx{codecs: negotiated, w: &countingWriter{}}); err == nil {
		t.Error("bound a profile that was not negotiated")
	}
}
