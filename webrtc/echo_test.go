package webrtc

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/webrtc/internal/webclient"
)

// TestEchoWithPionBrowser is a browser call end to end: a pion peer posts
// its offer to the signalling API, applies the answer, sends Opus and VP8
// over DTLS-SRTP and gets its own packets back; DTMF and chat come back
// over the data channel; the token refreshes; the hangup reaches the far
// side as the far side hanging up; nothing is left behind.
func TestEchoWithPionBrowser(t *testing.T) {
	results := make(chan loopResult, 1)
	srv, base := runServer(t, testConfig(), echoAccept(t, results))
	b := webclient.New(t, clientAPI(t), base)

	start := time.Now()
	if st, body := b.Dial("echo", nil); st != http.StatusCreated {
		t.Fatalf("create call: %d %s", st, body)
	}
	if b.Call.SDP == "" {
		t.Error("an echo call's answer is not in the create response")
	}
	b.Answer(10 * time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go pump(ctx, b.Audio, b.Video)

	select {
	case <-b.First:
		t.Logf("first media back %s after the offer", b.FirstAt.Sub(start).Round(time.Millisecond))
	case <-time.After(10 * time.Second):
		t.Fatal("no media came back")
	}
	b.Events.Next(t, 5*time.Second, "connected")
	b.WaitMedia(25, 12, 5*time.Second)
	for _, kind := range []string{"audio", "video"} {
		for _, p := range b.Payloads(kind) {
			if !strings.HasPrefix(string(p), kind+"-") {
				t.Errorf("%s packet came back as %q, not as sent", kind, p)
				break
			}
		}
	}

	// DTMF through the API and chat through the data channel come back.
	if st, body := b.Request("POST", "/messages", clientMessage{Type: "dtmf", Digits: "1#"}); st != http.StatusNoContent {
		t.Fatalf("dtmf: %d %s", st, body)
	}
	if err := b.DC.SendText(`{"type":"chat","text":"hello"}`); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{`"digit":"1"`: false, `"digit":"#"`: false, `"text":"hello"`: false}
	timeout := time.After(5 * time.Second)
	for n := 0; n < len(want); {
		select {
		case m := <-b.DCMsgs:
			for k, seen := range want {
				if !seen && strings.Contains(m, k) {
					want[k] = true
					n++
				}
			}
		case <-timeout:
			t.Fatalf("data channel echoes: %v", want)
		}
	}

	if st, body := b.Request("POST", "/refresh", nil); st != http.StatusOK || !strings.Contains(string(body), "expires_in") {
		t.Fatalf("refresh: %d %s", st, body)
	}
	if st, _ := b.Request("DELETE", "", nil); st != http.StatusNoContent {
		t.Fatal("hangup failed")
	}
	select {
	case res := <-results:
		if res.Cause != call.RemoteHangup {
			t.Errorf("far side saw %s, want remote_hangup", res.Cause)
		}
		if res.Packets[call.RoleAudio] == 0 || res.Packets[call.RoleVideo] == 0 {
			t.Errorf("looped packets %v", res.Packets)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the far side did not see the hangup")
	}
	waitLegs(t, srv, 0)
	if st, _ := b.Request("POST", "/refresh", nil); st != http.StatusNotFound {
		t.Errorf("refresh after hangup: %d, want 404", st)
	}
}

// rawTrack is a local track that sends packets with the payload type they
// carry, as a browser's audio sender does when it mixes in RFC 4733 events.
type rawTrack struct {
	mu   sync.Mutex
	ssrc uint32
	w    webrtc.TrackLocalWriter
}

func (r *rawTrack) Bind(c webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ssrc, r.w = uint32(c.SSRC()), c.WriteStream()
	for _, p := range c.CodecParameters() {
		if p.MimeType == webrtc.MimeTypeOpus {
			return p, nil
		}
	}
	return webrtc.RTPCodecParameters{}, webrtc.ErrUnsupportedCodec
}
func (r *rawTrack) Unbind(webrtc.TrackLocalContext) error { return nil }
func (r *rawTrack) ID() string                            { return "audio" }
func (r *rawTrack) RID() string                           { return "" }
func (r *rawTrack) StreamID() string                      { return "mic" }
func (r *rawTrack) Kind() webrtc.RTPCodecType             { return webrtc.RTPCodecTypeAudio }

func (r *rawTrack) write(p *rtp.Packet) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.w == nil {
		return errors.New("not bound")
	}
	p.SSRC = r.ssrc
	_, err := r.w.WriteRTP(&p.Header, p.Payload)
	return err
}

// TestDTMFFromTelephoneEvents: digits a browser sends as RFC 4733
// telephone-events on its audio stream (RTCDTMFSender) become DTMF events
// once each, and are not passed on as audio.
func TestDTMFFromTelephoneEvents(t *testing.T) {
	legs := make(chan call.InboundLeg, 1)
	_, base := runServer(t, testConfig(), func(in call.InboundLeg) {
		go func() {
			var streams []call.Stream
			for _, so := range in.Offer().Streams {
				streams = append(streams, call.Stream{ID: so.ID, Role: so.Role, Codec: so.Codecs[0], Direction: call.SendRecv})
			}
			if in.Accept(context.Background(), streams) == nil {
				legs <- in
			}
		}()
	})
	pc, err := clientAPI(t).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	mic := &rawTrack{}
	if _, err := pc.AddTrack(mic); err != nil {
		t.Fatal(err)
	}
	connected := make(chan struct{})
	var once sync.Once
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			once.Do(func() { close(connected) })
		}
	})
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = pc.SetLocalDescription(offer)
	<-webrtc.GatheringCompletePromise(pc)
	cr, _ := createCall(t, base, "ivr", pc.LocalDescription().SDP)
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: cr.SDP}); err != nil {
		t.Fatalf("answer: %v\n%s", err, cr.SDP)
	}
	if !strings.Contains(cr.SDP, "telephone-event/48000") {
		t.Errorf("the answer has no telephone-event at Opus's rate:\n%s", cr.SDP)
	}
	in := <-legs
	select {
	case <-connected: // packets written before SRTP is up are dropped
	case <-time.After(10 * time.Second):
		t.Fatal("not connected")
	}
	tr, _ := in.Track("0")
	audioPackets := make(chan string, 100)
	go func() {
		p := rtpPacket(0, 0, 0, "")
		for tr.ReadRTP(p) == nil {
			audioPackets <- string(p.Payload)
		}
	}()
	send := func(pt uint8, seq uint16, ts uint32, payload string) {
		if err := mic.write(rtpPacket(pt, seq, ts, payload)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	send(111, 1, 0, "voice-1")
	events := []struct {
		code byte
		end  bool
		ts   uint32
	}{{5, false, 960}, {5, true, 960}, {5, true, 960}, {5, true, 960}, {11, true, 96000}}
	for i, ev := range events {
		e := byte(10) // volume
		if ev.end {
			e |= 0x80
		}
		send(110, uint16(2+i), ev.ts, string([]byte{ev.code, e, 0x0f, 0xa0}))
	}
	send(111, 7, 2000, "voice-2")
	var digits []string
	timeout := time.After(5 * time.Second)
	for len(digits) < 2 {
		select {
		case ev := <-in.Events():
			if ev.Kind == call.EventDTMF {
				digits = append(digits, string(ev.Digit))
				if ev.Duration != 83 { // 4000 units at 48 kHz
					t.Errorf("duration %d ms, want 83", ev.Duration)
				}
			}
		case <-timeout:
			t.Fatalf("digits %v", digits)
		}
	}
	if strings.Join(digits, "") != "5#" {
		t.Errorf("digits %v, want 5 then #", digits)
	}
	var audio []string
	for len(audio) < 2 {
		select {
		case p := <-audioPackets:
			audio = append(audio, p)
		case <-time.After(5 * time.Second):
			t.Fatalf("audio %v", audio)
		}
	}
	if strings.Join(audio, ",") != "voice-1,voice-2" {
		t.Errorf("audio packets %v: telephone-events leaked into the audio", audio)
	}
}

// waitLegs waits until the server holds n legs.
func waitLegs(t testing.TB, s *Server, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.Legs() != n {
		if time.Now().After(deadline) {
			t.Fatalf("the server holds %d legs, want %d", s.Legs(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestPCMUAndH264ReachTheBrowser: the far side answered PCMU and H.264
// constrained baseline (a SIP phone); the browser offered several H.264
// profiles. Media sent back to the browser goes with the payload type of
// the profile answered (not another H.264 entry of the line), so the
// browser takes it.
func TestPCMUAndH264ReachTheBrowser(t *testing.T) {
	far := []call.Stream{
		{Role: call.RoleAudio, Codec: call.Codec{Name: "PCMU", ClockRate: 8000, Channels: 1}},
		{Role: call.RoleVideo, Codec: call.Codec{Name: "H264", ClockRate: 90000, FMTP: "profile-level-id=42e01f;packetization-mode=1"}},
	}
	_, base := runServer(t, testConfig(), func(in call.InboundLeg) {
		go func() {
			streams, err := answerStreams(in.Offer(), far)
			if err == nil {
				err = in.Accept(context.Background(), streams)
			}
			if err != nil {
				t.Error(err)
				return
			}
			for _, s := range in.Streams() {
				tr, _ := in.Track(s.ID)
				go func() {
					var p rtp.Packet
					for tr.ReadRTP(&p) == nil {
						_ = tr.WriteRTP(&p)
					}
				}()
			}
		}()
	})
	h264 := webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000,
		SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"}
	b := webclient.NewWith(t, clientAPI(t), base, webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000}, h264)
	if st, body := b.Dial("phone", nil); st != http.StatusCreated {
		t.Fatalf("%d %s", st, body)
	}
	b.Answer(5 * time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go pump(ctx, b.Audio, b.Video)
	b.WaitMedia(20, 10, 5*time.Second)
}
