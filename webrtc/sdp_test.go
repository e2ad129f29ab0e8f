package webrtc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/pion/sdp/v3"

	"github.com/switchyard/switchyard/call"
)

// chromeOffer is an offer of Chromium 156 with a camera, a microphone, a
// second (presentation) video transceiver and a data channel.
func chromeOffer(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/chrome156-offer.sdp")
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n", "\r\n")
}

func codecNames(cs []call.Codec) []string {
	var out []string
	for _, c := range cs {
		s := fmt.Sprintf("%s/%d:%d", c.Name, c.ClockRate, c.PayloadType)
		if c.Name == "H264" {
			s += "/" + fmtpParam(c.FMTP, "profile-level-id", "") + "/" + fmtpParam(c.FMTP, "packetization-mode", "0")
		}
		out = append(out, s)
	}
	return out
}

func TestParseChromeOffer(t *testing.T) {
	ro, err := parseOffer(chromeOffer(t), map[string]call.Role{"2": call.RoleContent})
	if err != nil {
		t.Fatal(err)
	}
	if ro.candidates != 16 || ro.ufrag != "J39v" || !ro.data {
		t.Errorf("candidates %d, ufrag %q, data %v", ro.candidates, ro.ufrag, ro.data)
	}
	wantLines := []offerLine{
		{mid: "0", kind: "audio", role: call.RoleAudio, dir: call.SendRecv},
		{mid: "1", kind: "video", role: call.RoleVideo, dir: call.SendRecv},
		{mid: "2", kind: "video", role: call.RoleContent, dir: call.SendRecv},
		{mid: "3", kind: "application", dir: call.SendRecv},
	}
	if !slices.Equal(ro.lines, wantLines) {
		t.Errorf("lines %+v\nwant %+v", ro.lines, wantLines)
	}
	if len(ro.offer.Streams) != 3 {
		t.Fatalf("streams %+v", ro.offer.Streams)
	}
	// red, CN, AV1, rtx, ulpfec and VP9 profile 2 are left out.
	wantAudio := []string{"OPUS/48000:111", "G722/8000:9", "PCMU/8000:0", "PCMA/8000:8", "TELEPHONE-EVENT/48000:110", "TELEPHONE-EVENT/8000:126"}
	if got := codecNames(ro.offer.Streams[0].Codecs); !slices.Equal(got, wantAudio) {
		t.Errorf("audio codecs %v\nwant %v", got, wantAudio)
	}
	wantVideo := []string{"VP8/90000:96", "H264/90000:102/42001f/1", "H264/90000:104/42001f/0", "H264/90000:108/42e01f/1",
		"H264/90000:114/42e01f/0", "H264/90000:116/4d001f/1", "H264/90000:39/4d001f/0", "VP9/90000:98"}
	for _, i := range []int{1, 2} {
		if got := codecNames(ro.offer.Streams[i].Codecs); !slices.Equal(got, wantVideo) {
			t.Errorf("stream %d codecs %v\nwant %v", i, got, wantVideo)
		}
	}
	if ro.offer.Streams[2].Role != call.RoleContent {
		t.Errorf("the marked transceiver is %s, want content", ro.offer.Streams[2].Role)
	}
	if c := ro.offer.Streams[0].Codecs[0]; c.Channels != 2 || c.FMTP != "minptime=10;useinbandfec=1" {
		t.Errorf("opus %+v", c)
	}
}

func TestParseOfferErrors(t *testing.T) {
	chrome := chromeOffer(t)
	tests := []struct {
		name, sdp, want string
	}{
		{"empty", "", "empty"},
		{"not sdp", "hello", "not valid SDP"},
		{"no media", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", "no media line"},
		{"no mid", strings.ReplaceAll(chrome, "a=mid:", "a=xmid:"), "no a=mid"},
		{"repeated mid", strings.Replace(chrome, "a=mid:1", "a=mid:0", 1), "repeats mid"},
		{"too many candidates", strings.Replace(chrome, "a=mid:0\r\n", "a=mid:0\r\n"+strings.Repeat("a=candidate:1 1 udp 1 192.0.2.1 9 typ host\r\n", 60), 1), "candidates"},
		{"too many lines", chrome + manyLines(20), "media lines"},
		{"too large", chrome + strings.Repeat("a=x:y\r\n", maxSDPBytes/7+1), "larger"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseOffer(tt.sdp, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want %q", err, tt.want)
			}
			if call.CauseOf(err) != call.BadRequest {
				t.Errorf("cause %s, want bad_request", call.CauseOf(err))
			}
		})
	}
}

func manyLines(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:m%d\r\n", i)
	}
	return b.String()
}

func TestParseOfferDisablesUnusableLines(t *testing.T) {
	offer := "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=sendonly\r\n" +
		"m=audio 9 UDP/TLS/RTP/SAVPF 18\r\na=mid:a\r\na=rtpmap:18 G729/8000\r\n" + // G.729: not a WebRTC codec here
		"m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:v\r\na=rtpmap:96 VP8/90000\r\na=content:slides\r\nb=AS:1500\r\n" +
		"m=video 0 UDP/TLS/RTP/SAVPF 97\r\na=mid:off\r\na=rtpmap:97 VP8/90000\r\na=recvonly\r\n" +
		"m=text 9 RTP/AVP 98\r\na=mid:t\r\n"
	ro, err := parseOffer(offer, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]call.StreamOffer{}
	for _, s := range ro.offer.Streams {
		got[s.ID] = s
	}
	if !got["a"].Disabled || got["a"].Direction != call.SendOnly {
		t.Errorf("G.729-only line: %+v", got["a"])
	}
	if v := got["v"]; v.Disabled || v.Role != call.RoleContent || v.MaxBitrate != 1500000 || v.Direction != call.SendOnly {
		t.Errorf("slides line: %+v", v)
	}
	if !got["off"].Disabled || got["off"].Direction != call.RecvOnly {
		t.Errorf("port 0 line: %+v", got["off"])
	}
	if len(ro.lines) != 4 || !ro.lines[3].disabled {
		t.Errorf("lines %+v", ro.lines)
	}
}

func TestParseFragment(t *testing.T) {
	frag := "a=ice-ufrag:EsAw\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\na=group:BUNDLE 0 1\r\n" +
		"m=audio 9 RTP/AVP 0\r\na=mid:0\r\n" +
		"a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag EsAw network-id 1\r\n" +
		"a=candidate:3471623853 1 udp 2122194687 198.51.100.2 61765 typ host generation 0 ufrag EsAw network-id 2\r\n" +
		"a=end-of-candidates\r\n"
	f, err := parseFragment(frag)
	if err != nil {
		t.Fatal(err)
	}
	if f.ufrag != "EsAw" || f.pwd != "P2uYro0UCOQ4zxjKXaWCBui1" || !f.end || len(f.candidates) != 2 {
		t.Fatalf("%+v", f)
	}
	c := f.candidates[1]
	if *c.SDPMid != "0" || *c.SDPMLineIndex != 0 || !strings.HasPrefix(c.Candidate, "candidate:3471623853 1 udp") {
		t.Errorf("candidate %+v", c)
	}
	for _, bad := range []string{"garbage", strings.Repeat("a=candidate:1 1 udp 1 192.0.2.1 9 typ host\r\n", maxCandidates+1)} {
		if _, err := parseFragment(bad); err == nil {
			t.Errorf("parseFragment(%.20q) accepted it", bad)
		}
	}
}

// answerFor runs the answer side of a call: a leg with offer raw, accepted
// with the far side's streams through the gateway's answer rule.
func answerFor(t *testing.T, s *Server, raw string, roles map[string]call.Role, far []call.Stream) (*leg, *sdp.SessionDescription) {
	t.Helper()
	ro, err := parseOffer(raw, roles)
	if err != nil {
		t.Fatal(err)
	}
	l := newLeg(s, "test", kindApp, call.Inbound, testLog())
	l.ro = ro
	streams, err := answerStreams(l.Offer(), far)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Accept(context.Background(), streams); err != nil {
		t.Fatalf("Accept: %v", err)
	}
	t.Cleanup(func() { _ = l.Hangup(context.Background(), call.LocalHangup) })
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(l.answerSDP); err != nil {
		t.Fatal(err)
	}
	return l, &sd
}

// engineServer is a server whose pion side runs, without listeners.
func engineServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	s, err := NewServer(cfg, testLog())
	if err != nil {
		t.Fatal(err)
	}
	eng, err := newEngine(cfg.ICE, testLog())
	if err != nil {
		t.Fatal(err)
	}
	s.eng.Store(eng)
	t.Cleanup(func() { _ = eng.close() })
	return s
}

// TestAnswerRelaysFarSideCodecToChrome: whatever the far side chose among
// the formats Chrome offered (a SIP phone's PCMU and H.264, a G.722 room
// system, a browser's Opus and VP8), our answer to Chrome names exactly
// that format with Chrome's own payload type, so the bridge relays it; the
// presentation line the far side did not take is inactive.
func TestAnswerRelaysFarSideCodecToChrome(t *testing.T) {
	s := engineServer(t, testConfig())
	raw := chromeOffer(t)
	tests := []struct {
		name       string
		audio      call.Codec
		video      call.Codec
		wantAudio  []string // formats of the answer's audio line
		wantVideo  []string
		wantFormat string // H.264 profile/mode of the answer, if any
	}{
		{"sip phone pcmu+h264 constrained baseline", call.Codec{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1},
			call.Codec{Name: "H264", PayloadType: 96, ClockRate: 90000, FMTP: "profile-level-id=42e01f;packetization-mode=1"},
			[]string{"0", "126"}, []string{"108"}, "42e01f/1"},
		{"sip phone pcma+h264 baseline", call.Codec{Name: "PCMA", PayloadType: 8, ClockRate: 8000, Channels: 1},
			call.Codec{Name: "H264", PayloadType: 109, ClockRate: 90000, FMTP: "profile-level-id=42001f;packetization-mode=1"},
			[]string{"8", "126"}, []string{"102"}, "42001f/1"},
		{"room system g722+h264 mode 0", call.Codec{Name: "G722", PayloadType: 9, ClockRate: 8000, Channels: 1},
			call.Codec{Name: "H264", PayloadType: 97, ClockRate: 90000, FMTP: "profile-level-id=42e01f"},
			[]string{"9", "126"}, []string{"114"}, "42e01f/0"},
		{"browser opus+vp8", call.Codec{Name: "OPUS", PayloadType: 109, ClockRate: 48000, Channels: 2},
			call.Codec{Name: "VP8", PayloadType: 120, ClockRate: 90000},
			[]string{"111", "110"}, []string{"96"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			far := []call.Stream{{ID: "a", Role: call.RoleAudio, Codec: tt.audio}, {ID: "v", Role: call.RoleVideo, Codec: tt.video}}
			l, sd := answerFor(t, s, raw, map[string]call.Role{"2": call.RoleContent}, far)
			if len(sd.MediaDescriptions) != 4 {
				t.Fatalf("answer has %d media lines", len(sd.MediaDescriptions))
			}
			a, v, c := sd.MediaDescriptions[0], sd.MediaDescriptions[1], sd.MediaDescriptions[2]
			if !slices.Equal(a.MediaName.Formats, tt.wantAudio) || !slices.Equal(v.MediaName.Formats, tt.wantVideo) {
				t.Errorf("answer formats audio %v video %v, want %v %v", a.MediaName.Formats, v.MediaName.Formats, tt.wantAudio, tt.wantVideo)
			}
			for _, md := range []*sdp.MediaDescription{a, v} {
				if _, ok := md.Attribute("sendrecv"); !ok {
					t.Errorf("mid %s is not sendrecv", mid(md))
				}
			}
			if _, ok := c.Attribute("inactive"); !ok && c.MediaName.Port.Value != 0 {
				t.Errorf("the presentation line the far side did not take is not refused: %v", c.Attributes)
			}
			if tt.wantFormat != "" {
				fmtp, _ := v.Attribute("fmtp")
				if got := fmtpParam(strings.SplitN(fmtp, " ", 2)[1], "profile-level-id", "") + "/" + fmtpParam(strings.SplitN(fmtp, " ", 2)[1], "packetization-mode", "0"); got != tt.wantFormat {
					t.Errorf("answer H.264 %s, want %s", got, tt.wantFormat)
				}
			}
			// The leg's streams have the far side's formats: the bridge relays.
			for _, st := range l.Streams() {
				want := tt.audio
				if st.Role == call.RoleVideo {
					want = tt.video
				}
				if !st.Codec.SameFormat(want) {
					t.Errorf("stream %s: %s does not relay to the far side's %s", st.ID, st.Codec, want)
				}
			}
			if n := strings.Count(l.answerSDP, "a=candidate:"); n == 0 {
				t.Error("the answer has no candidates")
			}
		})
	}
}

func mid(md *sdp.MediaDescription) string {
	v, _ := md.Attribute("mid")
	return v
}

func TestAcceptWithoutCommonCodec(t *testing.T) {
	s := engineServer(t, testConfig())
	ro, err := parseOffer(chromeOffer(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	l := newLeg(s, "test", kindApp, call.Inbound, testLog())
	l.ro = ro
	err = l.Accept(context.Background(), []call.Stream{{ID: "0", Role: call.RoleAudio, Codec: call.Codec{Name: "G729", ClockRate: 8000}}})
	if call.CauseOf(err) != call.CodecMismatch {
		t.Fatalf("err %v, want codec_mismatch", err)
	}
	<-l.Done()
	if !errors.Is(l.Accept(context.Background(), nil), l.Err()) && l.Err() == nil {
		t.Error("an ended leg has no error")
	}
}

func TestVideoBitrateCap(t *testing.T) {
	cfg := testConfig()
	cfg.MaxBitrate = 800
	s := engineServer(t, cfg)
	far := []call.Stream{
		{ID: "a", Role: call.RoleAudio, Codec: call.Codec{Name: "OPUS", ClockRate: 48000, Channels: 2}},
		{ID: "v", Role: call.RoleVideo, Codec: call.Codec{Name: "VP8", ClockRate: 90000}, MaxBitrate: 2000000},
	}
	_, sd := answerFor(t, s, chromeOffer(t), nil, far)
	v := sd.MediaDescriptions[1]
	if len(v.Bandwidth) != 2 || v.Bandwidth[0].Type != "AS" || v.Bandwidth[0].Bandwidth != 800 || v.Bandwidth[1].Bandwidth != 800000 {
		t.Errorf("video bandwidth %+v, want AS:800 TIAS:800000", v.Bandwidth)
	}
	if len(sd.MediaDescriptions[0].Bandwidth) != 0 {
		t.Errorf("audio bandwidth %+v", sd.MediaDescriptions[0].Bandwidth)
	}
}

func TestCodecTable(t *testing.T) {
	for _, spec := range codecTable {
		got, ok := supported(spec.callCodec())
		if !ok || got.pt != spec.pt {
			t.Errorf("%s/%d pt %d: supported() found pt %d (%v)", spec.name, spec.clock, spec.pt, got.pt, ok)
		}
	}
	for _, c := range []call.Codec{
		{Name: "G729", ClockRate: 8000},
		{Name: "VP9", ClockRate: 90000, FMTP: "profile-id=2"},
		{Name: "H264", ClockRate: 90000, FMTP: "profile-level-id=428016;packetization-mode=1"},
		{Name: "OPUS", ClockRate: 48000, Channels: 1},
		{Name: "TELEPHONE-EVENT", ClockRate: 16000},
	} {
		if _, ok := supported(c); ok {
			t.Errorf("%s %s is supported, want not", c, c.FMTP)
		}
	}
	allow := []struct {
		list []string
		c    call.Codec
		want bool
	}{
		{nil, call.Codec{Name: "VP8"}, true},
		{[]string{"pcmu"}, call.Codec{Name: "PCMU"}, true},
		{[]string{"pcmu"}, call.Codec{Name: "OPUS"}, false},
		{[]string{"pcmu"}, call.Codec{Name: "TELEPHONE-EVENT"}, true},
		{[]string{"h264-main"}, call.Codec{Name: "H264", FMTP: "profile-level-id=4d001f"}, true},
		{[]string{"h264-main"}, call.Codec{Name: "H264", FMTP: "profile-level-id=42e01f"}, false},
		{[]string{"h264-baseline"}, call.Codec{Name: "H264"}, true},
	}
	for _, a := range allow {
		if got := allowedBy(a.list, a.c); got != a.want {
			t.Errorf("allowedBy(%v, %s %s) = %v", a.list, a.c.Name, a.c.FMTP, got)
		}
	}
}
