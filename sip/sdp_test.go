package sip

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/switchyard/switchyard/call"
)

// A room system's offer: audio, main video, content video with BFCP, and
// H.224 far-end camera control.
const roomOffer = "v=0\r\n" +
	"o=room 1 1 IN IP4 192.0.2.10\r\n" +
	"s=-\r\n" +
	"c=IN IP4 192.0.2.10\r\n" +
	"b=AS:2048\r\n" +
	"t=0 0\r\n" +
	"m=audio 49170 RTP/AVP 9 0 8 101\r\n" +
	"a=rtpmap:9 G722/8000\r\n" +
	"a=rtpmap:101 telephone-event/8000\r\n" +
	"a=fmtp:101 0-15\r\n" +
	"a=ptime:20\r\n" +
	"a=sendrecv\r\n" +
	"m=video 49172 RTP/AVP 96 34\r\n" +
	"b=TIAS:1500000\r\n" +
	"a=rtpmap:96 H264/90000\r\n" +
	"a=fmtp:96 profile-level-id=42e01f;packetization-mode=1\r\n" +
	"a=content:main\r\n" +
	"a=rtcp:49180\r\n" +
	"m=video 49174 RTP/AVP 97\r\n" +
	"a=rtpmap:97 H264/90000\r\n" +
	"a=fmtp:97 profile-level-id=428016;packetization-mode=1\r\n" +
	"a=content:slides\r\n" +
	"m=application 49176 TCP/BFCP *\r\n" +
	"a=setup:actpass\r\n" +
	"a=floorctrl:c-s\r\n" +
	"m=application 49178 RTP/AVP 100\r\n" +
	"a=rtpmap:100 H224/4800\r\n"

func TestParseSDPRoomOffer(t *testing.T) {
	d, err := parseSDP([]byte(roomOffer))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(d.Media); got != 5 {
		t.Fatalf("m-lines: got %d, want 5", got)
	}
	tests := []struct {
		i        int
		role     call.Role
		carried  bool
		codecs   []string
		events   int
		bitrate  uint32
		rtcpPort int
	}{
		{0, call.RoleAudio, true, []string{"G722/8000", "PCMU/8000", "PCMA/8000"}, 1, 2048000, 0},
		{1, call.RoleVideo, true, []string{"H264/90000", "H263/90000"}, 0, 1500000, 49180},
		{2, call.RoleContent, true, []string{"H264/90000"}, 0, 2048000, 0},
		{3, call.RoleContent, false, nil, 0, 2048000, 0},
		{4, call.RoleFECC, false, []string{"H224/4800"}, 0, 2048000, 0},
	}
	for _, tc := range tests {
		m := d.Media[tc.i]
		if m.Role != tc.role || m.Carried != tc.carried {
			t.Errorf("m-line %d: role %s carried %v, want %s %v", tc.i, m.Role, m.Carried, tc.role, tc.carried)
		}
		var names []string
		for _, c := range m.Codecs {
			names = append(names, c.String())
		}
		if strings.Join(names, ",") != strings.Join(tc.codecs, ",") {
			t.Errorf("m-line %d codecs: got %v, want %v", tc.i, names, tc.codecs)
		}
		if len(m.Events) != tc.events {
			t.Errorf("m-line %d: %d telephone-events, want %d", tc.i, len(m.Events), tc.events)
		}
		if m.MaxBitrate != tc.bitrate {
			t.Errorf("m-line %d bitrate: got %d, want %d", tc.i, m.MaxBitrate, tc.bitrate)
		}
		if m.RTCPPort != tc.rtcpPort {
			t.Errorf("m-line %d rtcp port: got %d, want %d", tc.i, m.RTCPPort, tc.rtcpPort)
		}
	}
	if f := d.Media[1].Codecs[0].FMTP; f != "profile-level-id=42e01f;packetization-mode=1" {
		t.Errorf("fmtp not kept verbatim: %q", f)
	}
	if p := d.Media[0].Codecs[0].PacketTime; p != 20 {
		t.Errorf("ptime: got %d, want 20", p)
	}
	o := d.offer()
	if len(o.Streams) != 5 || !o.Streams[3].Disabled || !o.Streams[4].Disabled || o.Streams[2].Disabled {
		t.Errorf("offer streams: %+v", o.Streams)
	}
}

func TestAnswerKeepsMLineOrder(t *testing.T) {
	remote, err := parseSDP([]byte(roomOffer))
	if err != nil {
		t.Fatal(err)
	}
	offer := remote.offer()
	// The gateway accepts audio (PCMU, with its own payload type) and main
	// video; content is not taken.
	streams := []call.Stream{
		{ID: offer.Streams[0].ID, Role: call.RoleAudio, Codec: call.Codec{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1}},
		{ID: offer.Streams[1].ID, Role: call.RoleVideo, Codec: offer.Streams[1].Codecs[0]},
	}
	decs, err := planAnswer(remote, streams, call.SRTPOff)
	if err != nil {
		t.Fatal(err)
	}
	media := make([]mediaDesc, len(decs))
	for i, d := range decs {
		if !d.Accept {
			media[i] = refusedLine(remote.Media[i])
			continue
		}
		media[i] = mediaDesc{Media: remote.Media[i].Media, Port: 40000 + 2*i, Proto: remote.Media[i].Proto,
			Codecs: d.Codecs, Events: d.Events, Dir: d.Dir}
	}
	body := buildSDP(sdpOrigin{SessionID: 7, Version: 1}, netip.MustParseAddr("198.51.100.1"), media, false)
	ans, err := parseSDP(body)
	if err != nil {
		t.Fatalf("our answer does not parse: %v\n%s", err, body)
	}
	if len(ans.Media) != 5 {
		t.Fatalf("answer has %d m-lines, want 5:\n%s", len(ans.Media), body)
	}
	wantPorts := []int{40000, 40002, 0, 0, 0}
	wantMedia := []string{"audio", "video", "video", "application", "application"}
	for i, m := range ans.Media {
		if m.Port != wantPorts[i] || m.Media != wantMedia[i] {
			t.Errorf("answer m-line %d: %s port %d, want %s port %d", i, m.Media, m.Port, wantMedia[i], wantPorts[i])
		}
	}
	if ans.Media[3].Proto != "TCP/BFCP" {
		t.Errorf("refused BFCP line keeps its proto: got %q", ans.Media[3].Proto)
	}
	if c := ans.Media[0].Codecs; len(c) != 1 || c[0].PayloadType != 0 || c[0].Name != "PCMU" {
		t.Errorf("audio answer codecs: %+v", c)
	}
	if e := ans.Media[0].Events; len(e) != 1 || e[0].PayloadType != 101 {
		t.Errorf("audio answer telephone-event: %+v", e)
	}
	if c := ans.Media[1].Codecs; len(c) != 1 || c[0].PayloadType != 96 || c[0].FMTP == "" {
		t.Errorf("video answer codec: %+v", c)
	}
	if !strings.Contains(string(body), "c=IN IP4 198.51.100.1") || !strings.Contains(string(body), "o=- 7 1 IN IP4 198.51.100.1") {
		t.Errorf("answer addresses:\n%s", body)
	}
}

func TestHoldDetection(t *testing.T) {
	base := "v=0\r\no=a 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n%s"
	tests := []struct {
		name, addr, attr string
		hold             bool
		dir              call.Direction
	}{
		{"sendrecv", "192.0.2.1", "a=sendrecv\r\n", false, call.SendRecv},
		{"default", "192.0.2.1", "", false, call.SendRecv},
		{"sendonly", "192.0.2.1", "a=sendonly\r\n", true, call.SendOnly},
		{"inactive", "192.0.2.1", "a=inactive\r\n", true, call.Inactive},
		{"recvonly", "192.0.2.1", "a=recvonly\r\n", false, call.RecvOnly},
		{"null address", "0.0.0.0", "a=sendrecv\r\n", true, call.SendRecv},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := strings.Replace(strings.Replace(base, "%s", tc.addr, 1), "%s", tc.attr, 1)
			d, err := parseSDP([]byte(body))
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Media[0].OnHold(); got != tc.hold {
				t.Errorf("OnHold: got %v, want %v", got, tc.hold)
			}
			if d.Media[0].Dir != tc.dir {
				t.Errorf("direction: got %s, want %s", d.Media[0].Dir, tc.dir)
			}
		})
	}
}

func TestSessionLevelDirection(t *testing.T) {
	body := "v=0\r\no=a 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\na=sendonly\r\nm=audio 5000 RTP/AVP 0\r\n"
	d, err := parseSDP([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if d.Media[0].Dir != call.SendOnly {
		t.Errorf("session-level a=sendonly not applied: %s", d.Media[0].Dir)
	}
}

func TestTrimSDP(t *testing.T) {
	media := []mediaDesc{{Media: "audio", Port: 4000, Proto: "RTP/AVP", Dir: call.SendRecv,
		Codecs: []call.Codec{{Name: "PCMU", ClockRate: 8000, Channels: 1}, {Name: "PCMA", PayloadType: 8, ClockRate: 8000, Channels: 1},
			{Name: "G722", PayloadType: 9, ClockRate: 8000, Channels: 1}, {Name: "OPUS", PayloadType: 111, ClockRate: 48000, Channels: 2, FMTP: "useinbandfec=1"}},
		Events: []call.Codec{{Name: telephoneEvent, PayloadType: 101, ClockRate: 8000, FMTP: "0-16"}}}}
	tests := []struct {
		trim bool
		want []string
		not  []string
	}{
		{false, []string{"a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000", "a=rtpmap:9 G722/8000", "a=rtpmap:111 opus/48000/2"}, nil},
		{true, []string{"a=rtpmap:111 opus/48000/2", "a=rtpmap:101 telephone-event/8000", "a=fmtp:111 useinbandfec=1", "m=audio 4000 RTP/AVP 0 8 9 111 101"},
			[]string{"a=rtpmap:0 ", "a=rtpmap:8 ", "a=rtpmap:9 "}},
	}
	for _, tc := range tests {
		body := string(buildSDP(sdpOrigin{1, 1}, netip.MustParseAddr("192.0.2.5"), media, tc.trim))
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("trim=%v: missing %q in\n%s", tc.trim, w, body)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(body, n) {
				t.Errorf("trim=%v: unexpected %q in\n%s", tc.trim, n, body)
			}
		}
		// Still parses to the same codecs: static types need no rtpmap.
		d, err := parseSDP([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Media[0].Codecs) != 4 {
			t.Errorf("trim=%v: re-parsed %d codecs, want 4", tc.trim, len(d.Media[0].Codecs))
		}
	}
}

func TestParseSDPRejects(t *testing.T) {
	tests := []struct{ name, body string }{
		{"empty", ""},
		{"garbage", "hello"},
		{"too big", "v=0\r\n" + strings.Repeat("a=x\r\n", maxSDPSize/5+1)},
		{"too many m-lines", "v=0\r\no=a 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n" + strings.Repeat("m=audio 1 RTP/AVP 0\r\n", maxMediaLines+1)},
	}
	for _, tc := range tests {
		if _, err := parseSDP([]byte(tc.body)); err == nil {
			t.Errorf("%s: parsed without error", tc.name)
		}
	}
}

func TestIPv6SDP(t *testing.T) {
	body := buildSDP(sdpOrigin{1, 2}, netip.MustParseAddr("2001:db8::1"),
		[]mediaDesc{{Media: "audio", Port: 4000, Proto: "RTP/AVP", Codecs: []call.Codec{{Name: "PCMA", PayloadType: 8, ClockRate: 8000}}}}, false)
	if !strings.Contains(string(body), "c=IN IP6 2001:db8::1") {
		t.Fatalf("IPv6 connection line missing:\n%s", body)
	}
	d, err := parseSDP(body)
	if err != nil {
		t.Fatal(err)
	}
	if d.Media[0].Addr != netip.MustParseAddr("2001:db8::1") {
		t.Errorf("address: %s", d.Media[0].Addr)
	}
}
