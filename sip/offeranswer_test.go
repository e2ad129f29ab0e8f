package sip

import (
	"strings"
	"testing"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/rtpio"
)

func TestAnswerDirection(t *testing.T) {
	tests := []struct {
		offered, want, got call.Direction
	}{
		{call.SendRecv, call.SendRecv, call.SendRecv},
		{call.SendOnly, call.SendRecv, call.RecvOnly},
		{call.RecvOnly, call.SendRecv, call.SendOnly},
		{call.Inactive, call.SendRecv, call.Inactive},
		{call.SendRecv, call.SendOnly, call.SendOnly},
		{call.SendOnly, call.SendOnly, call.Inactive},
	}
	for _, tc := range tests {
		if got := answerDirection(tc.offered, tc.want); got != tc.got {
			t.Errorf("offer %s, want %s: got %s, expected %s", tc.offered, tc.want, got, tc.got)
		}
	}
}

func mustParse(t *testing.T, body string) *sessionDesc {
	t.Helper()
	d, err := parseSDP([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestAnswerUsesOffererPayloadTypes(t *testing.T) {
	remote := mustParse(t, "v=0\r\no=a 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"+
		"m=audio 5000 RTP/AVP 111 9 97\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 useinbandfec=1\r\na=rtpmap:97 telephone-event/48000\r\n"+
		"m=video 5002 RTP/AVP 120\r\na=rtpmap:120 VP8/90000\r\na=sendonly\r\n")
	// The gateway picked opus with the other leg's payload type 96 and VP8 as 100.
	streams := []call.Stream{
		{ID: "0", Role: call.RoleAudio, Codec: call.Codec{Name: "OPUS", PayloadType: 96, ClockRate: 48000, Channels: 2}},
		{ID: "1", Role: call.RoleVideo, Codec: call.Codec{Name: "VP8", PayloadType: 100, ClockRate: 90000}},
	}
	decs, err := planAnswer(remote, streams, call.SRTPOff)
	if err != nil {
		t.Fatal(err)
	}
	a := decs[0]
	if !a.Accept || a.Codecs[0].PayloadType != 111 || a.Codecs[0].FMTP != "useinbandfec=1" {
		t.Errorf("audio: %+v", a)
	}
	if len(a.Events) != 1 || a.Events[0].PayloadType != 97 || a.Events[0].ClockRate != 48000 {
		t.Errorf("audio events: %+v", a.Events)
	}
	v := decs[1]
	if !v.Accept || v.Codecs[0].PayloadType != 120 || v.Dir != call.RecvOnly || v.Stream.Direction != call.SendOnly {
		t.Errorf("video: %+v", v)
	}
}

func TestAnswerCodecMismatch(t *testing.T) {
	remote := mustParse(t, "v=0\r\no=a 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n")
	_, err := planAnswer(remote, []call.Stream{{ID: "0", Role: call.RoleAudio, Codec: call.Codec{Name: "G722", ClockRate: 8000}}}, call.SRTPOff)
	if call.CauseOf(err) != call.CodecMismatch {
		t.Errorf("err %v", err)
	}
}

func TestAnswerSRTP(t *testing.T) {
	attr, _, err := rtpio.GenerateCrypto(3, rtpio.SuiteAES128SHA1_80)
	if err != nil {
		t.Fatal(err)
	}
	base := "v=0\r\no=a 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
	streams := []call.Stream{{ID: "0", Role: call.RoleAudio, Codec: call.Codec{Name: "PCMU", ClockRate: 8000, Channels: 1}}}
	tests := []struct {
		name, media string
		mode        call.SRTPMode
		accept      bool
		crypto      bool
	}{
		{"SAVP with key", "m=audio 5000 RTP/SAVP 0\r\na=crypto:" + attr + "\r\n", call.SRTPOff, true, true},
		{"SAVP without usable key", "m=audio 5000 RTP/SAVP 0\r\na=crypto:1 F8_128_HMAC_SHA1_80 inline:abc\r\n", call.SRTPBestEffort, false, false},
		{"AVP best effort taken", "m=audio 5000 RTP/AVP 0\r\na=crypto:" + attr + "\r\n", call.SRTPBestEffort, true, true},
		{"AVP with srtp off declined", "m=audio 5000 RTP/AVP 0\r\na=crypto:" + attr + "\r\n", call.SRTPOff, true, false},
		{"plain refused when required", "m=audio 5000 RTP/AVP 0\r\n", call.SRTPRequired, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			decs, _ := planAnswer(mustParse(t, base+tc.media), streams, tc.mode)
			if decs[0].Accept != tc.accept || (decs[0].RemoteCrypto != "") != tc.crypto {
				t.Errorf("accept %v crypto %q", decs[0].Accept, decs[0].RemoteCrypto)
			}
		})
	}
}

func TestPlanOfferPolicy(t *testing.T) {
	offer := call.Offer{Streams: []call.StreamOffer{
		{ID: "a", Role: call.RoleAudio, Codecs: []call.Codec{
			{Name: "OPUS", PayloadType: 96, ClockRate: 48000, Channels: 2},
			{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1},
			{Name: "G722", PayloadType: 96, ClockRate: 8000, Channels: 1}, // clashes with opus
		}},
		{ID: "v", Role: call.RoleVideo, Codecs: []call.Codec{
			{Name: "H264", PayloadType: 102, ClockRate: 90000, FMTP: "profile-level-id=640028;packetization-mode=1"},
			{Name: "H264", PayloadType: 103, ClockRate: 90000, FMTP: "profile-level-id=42e01f;packetization-mode=1"},
			{Name: "VP8", PayloadType: 104, ClockRate: 90000},
		}},
		{ID: "c", Role: call.RoleContent, Codecs: []call.Codec{{Name: "H264", PayloadType: 105, ClockRate: 90000}}},
		{ID: "f", Role: call.RoleFECC, Codecs: []call.Codec{{Name: "H224", PayloadType: 106, ClockRate: 4800}}},
		{ID: "x", Role: call.RoleAudio, Disabled: true},
	}}
	t.Run("all", func(t *testing.T) {
		decs, err := planOffer(offer, offerPolicy{RFC4733: true, Content: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(decs) != 3 {
			t.Fatalf("%d lines, want audio, video, content", len(decs))
		}
		a := decs[0]
		if a.Codecs[0].PayloadType != 96 || a.Codecs[1].PayloadType != 0 || a.Codecs[2].PayloadType != 9 {
			t.Errorf("audio payload types: %+v", a.Codecs)
		}
		if len(a.Events) != 2 || a.Events[0].PayloadType != 101 || a.Events[0].ClockRate != 8000 || a.Events[1].ClockRate != 48000 {
			t.Errorf("telephone-events: %+v", a.Events)
		}
		if decs[1].Content != "main" || decs[2].Content != "slides" {
			t.Errorf("content labels %q %q", decs[1].Content, decs[2].Content)
		}
	})
	t.Run("allow-lists", func(t *testing.T) {
		decs, err := planOffer(offer, offerPolicy{Allow: [][]string{{"pcmu", "h264-baseline", "vp8"}, {"PCMU", "h264"}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(decs) != 2 {
			t.Fatalf("%d lines", len(decs))
		}
		if len(decs[0].Codecs) != 1 || decs[0].Codecs[0].Name != "PCMU" || len(decs[0].Events) != 0 {
			t.Errorf("audio: %+v", decs[0])
		}
		if len(decs[1].Codecs) != 1 || !strings.HasPrefix(decs[1].Codecs[0].FMTP, "profile-level-id=42") {
			t.Errorf("video: %+v", decs[1].Codecs)
		}
	})
	t.Run("audio only", func(t *testing.T) {
		decs, err := planOffer(offer, offerPolicy{AudioOnly: true, Content: true})
		if err != nil || len(decs) != 1 || decs[0].Stream.Role != call.RoleAudio {
			t.Errorf("%+v %v", decs, err)
		}
	})
	t.Run("nothing allowed", func(t *testing.T) {
		_, err := planOffer(offer, offerPolicy{Allow: [][]string{{"g7221"}}})
		if call.CauseOf(err) != call.CodecMismatch {
			t.Errorf("err %v", err)
		}
	})
}

func TestApplyAnswer(t *testing.T) {
	decs, err := planOffer(audioOffer(), offerPolicy{RFC4733: true})
	if err != nil {
		t.Fatal(err)
	}
	ans := mustParse(t, "v=0\r\no=b 1 1 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\n"+
		"m=audio 6000 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=recvonly\r\n")
	got, err := applyAnswer(decs, ans, false)
	if err != nil {
		t.Fatal(err)
	}
	s := got[0].Stream
	if s.Codec.Name != "PCMA" || s.Codec.PayloadType != 8 || s.Direction != call.RecvOnly || len(got[0].Events) != 1 {
		t.Errorf("negotiated %+v events %+v", s, got[0].Events)
	}
	if _, err := applyAnswer(decs, mustParse(t, "v=0\r\no=b 1 1 IN IP4 192.0.2.2\r\ns=-\r\nt=0 0\r\n"), false); err == nil {
		t.Error("an answer with fewer m-lines was accepted")
	}
	if _, err := applyAnswer(decs, ans, true); call.CauseOf(err) != call.CodecMismatch {
		t.Errorf("required SRTP without crypto: %v", err)
	}
}

func TestCodecAllowList(t *testing.T) {
	tests := []struct {
		codec call.Codec
		name  string
		ok    bool
	}{
		{call.Codec{Name: "PCMU"}, "pcmu", true},
		{call.Codec{Name: "PCMU"}, "pcma", false},
		{call.Codec{Name: "MP4A-LATM"}, "aac", true},
		{call.Codec{Name: "H264", FMTP: "profile-level-id=4d001f"}, "h264-main", true},
		{call.Codec{Name: "H264", FMTP: "profile-level-id=4d001f"}, "h264-high", false},
		{call.Codec{Name: "H264"}, "h264-baseline", true},
		{call.Codec{Name: "H264", FMTP: "profile-level-id=640c1f"}, "h264-high", true},
		{call.Codec{Name: "H263-1998"}, "h263-1998", true},
		{call.Codec{Name: "H263-1998"}, "h263", false},
		{call.Codec{Name: telephoneEvent}, "pcmu", true},
	}
	for _, tc := range tests {
		if got := codecAllowed(tc.codec, []string{tc.name}); got != tc.ok {
			t.Errorf("%s %q vs %s: %v", tc.codec.Name, tc.codec.FMTP, tc.name, got)
		}
	}
}
