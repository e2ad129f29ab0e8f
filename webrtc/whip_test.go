package webrtc

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/switchyard/switchyard/call"
)

// mediaLeg is the far side of test calls: it answers every offered stream
// with its first codec (or the codec named for its role), counts and keeps
// what arrives, and sends numbered packets on the streams that send.
type mediaLeg struct {
	mu       sync.Mutex
	got      map[call.Role]int
	payloads map[call.Role][]string
	legs     chan call.InboundLeg
}

func newMediaLeg() *mediaLeg {
	return &mediaLeg{got: map[call.Role]int{}, payloads: map[call.Role][]string{}, legs: make(chan call.InboundLeg, 4)}
}

func (m *mediaLeg) accept(in call.InboundLeg) {
	go func() {
		ctx := context.Background()
		var streams []call.Stream
		for _, so := range in.Offer().Streams {
			if so.Disabled || len(so.Codecs) == 0 {
				continue
			}
			streams = append(streams, call.Stream{ID: so.ID, Role: so.Role, Codec: so.Codecs[0], Direction: so.Direction.Reverse()})
		}
		if err := in.Accept(ctx, streams); err != nil {
			return
		}
		m.legs <- in
		m.run(ctx, in)
	}()
}

// run reads every stream the far side sends and writes numbered packets on
// every stream it receives, until the leg ends.
func (m *mediaLeg) run(ctx context.Context, l call.Leg) {
	for _, s := range l.Streams() {
		tr, _ := l.Track(s.ID)
		if s.Direction.Sends() {
			go func() {
				var p rtp.Packet
				for tr.ReadRTP(&p) == nil {
					m.mu.Lock()
					m.got[s.Role]++
					if len(m.payloads[s.Role]) < 50 {
						m.payloads[s.Role] = append(m.payloads[s.Role], string(p.Payload))
					}
					m.mu.Unlock()
				}
			}()
		}
		if s.Direction.Receives() {
			go func() {
				tick := time.NewTicker(20 * time.Millisecond)
				defer tick.Stop()
				for i := 0; ; i++ {
					select {
					case <-l.Done():
						return
					case <-tick.C:
					}
					p := rtpPacket(s.Codec.PayloadType, uint16(i), uint32(i*960), fmt.Sprintf("%s-%06d", s.Role, i))
					if tr.WriteRTP(p) != nil {
						return
					}
				}
			}()
		}
	}
	go func() {
		for range l.Events() {
		}
	}()
}

func (m *mediaLeg) count(r call.Role) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.got[r]
}

// whipClient is a WHIP or WHEP client made of a pion peer.
type whipClient struct {
	pc       *webrtc.PeerConnection
	received map[string]int
	mu       sync.Mutex
}

func newWHIPClient(t testing.TB, publish bool) (*whipClient, *webrtc.TrackLocalStaticRTP, *webrtc.TrackLocalStaticRTP) {
	t.Helper()
	pc, err := clientAPI(t).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	c := &whipClient{pc: pc, received: map[string]int{}}
	var audio, video *webrtc.TrackLocalStaticRTP
	if publish {
		audio, _ = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "a", "obs")
		video, _ = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000, SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"}, "v", "obs")
		// Like OBS, offer only what the encoders make.
		for _, tr := range []*webrtc.TrackLocalStaticRTP{audio, video} {
			tc, err := pc.AddTransceiverFromTrack(tr, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.SetCodecPreferences([]webrtc.RTPCodecParameters{{RTPCodecCapability: tr.Codec(), PayloadType: 0}}); err != nil {
				t.Fatal(err)
			}
		}
	} else {
		for _, k := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeAudio, webrtc.RTPCodecTypeVideo} {
			if _, err := pc.AddTransceiverFromKind(k, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
				t.Fatal(err)
			}
		}
		pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
			for {
				if _, _, err := tr.ReadRTP(); err != nil {
					return
				}
				c.mu.Lock()
				c.received[tr.Kind().String()]++
				c.mu.Unlock()
			}
		})
	}
	return c, audio, video
}

func (c *whipClient) offer(t testing.TB) string {
	t.Helper()
	o, err := c.pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.pc.SetLocalDescription(o); err != nil {
		t.Fatal(err)
	}
	<-webrtc.GatheringCompletePromise(c.pc)
	return c.pc.LocalDescription().SDP
}

func do(t testing.TB, method, url, ctype, token, body string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestWHIPIngest: a WHIP publisher (Opus and H.264, send only) reaches the
// far side through /whip/{alias}; the session takes trickled candidates,
// refuses an ICE restart and ends with DELETE.
func TestWHIPIngest(t *testing.T) {
	cfg := testConfig()
	cfg.WHIP.Token = "s3cret"
	cfg.ICE.Servers = []ICEServer{{URLs: []string{"stun:stun.example.com:3478"}}}
	far := newMediaLeg()
	_, base := runServer(t, cfg, far.accept)
	c, audio, video := newWHIPClient(t, true)
	offer := c.offer(t)

	refusals := []struct {
		name, ctype, token, body string
		status                   int
	}{
		{"no token", "application/sdp", "", offer, 401},
		{"wrong type", "application/json", "s3cret", offer, 415},
		{"not sdp", "application/sdp", "s3cret", "hello", 400},
		{"receive only", "application/sdp", "s3cret", strings.ReplaceAll(offer, "a=sendonly", "a=recvonly"), 400},
	}
	for _, r := range refusals {
		if resp, body := do(t, "POST", base+"/whip/studio", r.ctype, r.token, r.body); resp.StatusCode != r.status {
			t.Errorf("%s: %d %s, want %d", r.name, resp.StatusCode, body, r.status)
		}
	}
	if resp, _ := do(t, "OPTIONS", base+"/whip/studio", "", "", ""); resp.StatusCode != 204 || resp.Header.Get("Accept-Post") != "application/sdp" || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("OPTIONS: %d %v", resp.StatusCode, resp.Header)
	}

	resp, answer := do(t, "POST", base+"/whip/studio", "application/sdp", "s3cret", offer)
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Content-Type") != "application/sdp" {
		t.Fatalf("POST: %d %s", resp.StatusCode, answer)
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, "/whip/resource/") || resp.Header.Get("ETag") == "" || !strings.Contains(resp.Header.Get("Link"), `<stun:stun.example.com:3478>; rel="ice-server"`) {
		t.Errorf("headers %v", resp.Header)
	}
	if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}
	in := <-far.legs
	if in.Incoming().Dialed != "studio" || in.Incoming().Protocol != call.ProtocolWebRTC {
		t.Errorf("incoming %+v", in.Incoming())
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go pump(ctx, audio, video)
	waitFor(t, 5*time.Second, func() bool { return far.count(call.RoleAudio) > 20 && far.count(call.RoleVideo) > 10 })
	for _, st := range in.Streams() {
		if st.Direction != call.SendOnly {
			t.Errorf("stream %s direction %s, want sendonly (the publisher sends)", st.ID, st.Direction)
		}
	}

	frag := "a=ice-ufrag:" + iceUfrag(offer) + "\r\na=ice-pwd:x\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\na=candidate:1 1 udp 2122260223 127.0.0.1 61764 typ host\r\n"
	if resp, body := do(t, "PATCH", base+loc, "application/trickle-ice-sdpfrag", "s3cret", frag, "If-Match", resp.Header.Get("ETag")); resp.StatusCode != 204 {
		t.Errorf("trickle PATCH: %d %s", resp.StatusCode, body)
	}
	restart := strings.Replace(frag, iceUfrag(offer), "newufrag", 1)
	if resp, _ := do(t, "PATCH", base+loc, "application/trickle-ice-sdpfrag", "s3cret", restart, "If-Match", "*"); resp.StatusCode != 422 {
		t.Errorf("ICE restart PATCH: %d, want 422", resp.StatusCode)
	}
	if resp, _ := do(t, "PATCH", base+loc, "application/trickle-ice-sdpfrag", "s3cret", frag, "If-Match", `"other"`); resp.StatusCode != 412 {
		t.Errorf("stale If-Match: %d, want 412", resp.StatusCode)
	}
	if resp, _ := do(t, "DELETE", base+loc, "", "s3cret", ""); resp.StatusCode != 200 {
		t.Errorf("DELETE: %d", resp.StatusCode)
	}
	select {
	case <-in.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("DELETE did not end the leg")
	}
	if resp, _ := do(t, "DELETE", base+loc, "", "s3cret", ""); resp.StatusCode != 404 {
		t.Errorf("second DELETE: %d, want 404", resp.StatusCode)
	}
}

func iceUfrag(sdp string) string {
	i := strings.Index(sdp, "a=ice-ufrag:")
	rest := sdp[i+len("a=ice-ufrag:"):]
	return rest[:strings.IndexAny(rest, "\r\n")]
}

func waitFor(t testing.TB, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWHEPPlayback: a WHEP player (receive only) gets what {alias} sends.
func TestWHEPPlayback(t *testing.T) {
	far := newMediaLeg()
	_, base := runServer(t, testConfig(), far.accept)
	c, _, _ := newWHIPClient(t, false)
	resp, answer := do(t, "POST", base+"/whep/testsrc", "application/sdp", "", c.offer(t))
	if resp.StatusCode != http.StatusCreated || !strings.HasPrefix(resp.Header.Get("Location"), "/whep/resource/") {
		t.Fatalf("POST: %d %s", resp.StatusCode, answer)
	}
	if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}
	in := <-far.legs
	waitFor(t, 5*time.Second, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.received["audio"] > 20 && c.received["video"] > 20
	})
	if resp, _ := do(t, "DELETE", base+resp.Header.Get("Location"), "", "", ""); resp.StatusCode != 200 {
		t.Errorf("DELETE: %d", resp.StatusCode)
	}
	<-in.Done()
}

func TestWHIPRefusedByTheGateway(t *testing.T) {
	_, base := runServer(t, testConfig(), rejectAccept(call.NoRoute))
	c, _, _ := newWHIPClient(t, true)
	resp, body := do(t, "POST", base+"/whip/nowhere", "application/sdp", "", c.offer(t))
	if resp.StatusCode != 404 || !strings.Contains(body, call.NoRoute.Entry().User) {
		t.Errorf("%d %q", resp.StatusCode, body)
	}
}

// TestDialerWHIPAndWHEP: a gateway dials out to another gateway's WHIP and
// WHEP endpoints with a SIP caller's offer (PCMU and H.264) and with a
// browser's (Opus and VP8), and media flows both ways.
func TestDialerWHIPAndWHEP(t *testing.T) {
	far := newMediaLeg()
	_, remote := runServer(t, testConfig(), far.accept)
	gw, gwBase := runServer(t, testConfig(), rejectAccept(call.NoRoute))
	d := gw.Dialer()
	ctx := context.Background()

	sipOffer := call.Offer{Streams: []call.StreamOffer{
		{ID: "0", Role: call.RoleAudio, Direction: call.SendRecv, Codecs: []call.Codec{{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1}, {Name: "TELEPHONE-EVENT", PayloadType: 101, ClockRate: 8000, FMTP: "0-16"}}},
		{ID: "1", Role: call.RoleVideo, Direction: call.SendRecv, Codecs: []call.Codec{{Name: "H264", PayloadType: 96, ClockRate: 90000, FMTP: "profile-level-id=42e01f;packetization-mode=1"}}},
		{ID: "2", Role: call.RoleFECC, Direction: call.SendRecv, Codecs: []call.Codec{{Name: "H224", PayloadType: 107, ClockRate: 4800}}},
	}}
	leg, err := d.Dial(ctx, call.Target{Protocol: call.ProtocolWebRTC, URI: "whip+" + remote + "/whip/studio"}, sipOffer, nil)
	if err != nil {
		t.Fatalf("WHIP dial-out: %v", err)
	}
	in := <-far.legs
	var names []string
	for _, s := range in.Streams() {
		names = append(names, s.Codec.Name)
	}
	if strings.Join(names, ",") != "PCMU,H264" {
		t.Errorf("the WHIP server negotiated %v, want the caller's PCMU and H264", names)
	}
	if leg.Direction() != call.Outbound || leg.Protocol() != call.ProtocolWebRTC {
		t.Errorf("leg %s %s", leg.Direction(), leg.Protocol())
	}
	for _, s := range leg.Streams() {
		tr, _ := leg.Track(s.ID)
		go func() {
			for i := 0; i < 200; i++ {
				if tr.WriteRTP(rtpPacket(s.Codec.PayloadType, uint16(i), uint32(i*160), fmt.Sprintf("%s-%d", s.Role, i))) != nil {
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
		}()
	}
	waitFor(t, 5*time.Second, func() bool { return far.count(call.RoleAudio) > 20 && far.count(call.RoleVideo) > 20 })
	_ = leg.Hangup(ctx, call.LocalHangup)
	select {
	case <-in.Done(): // the DELETE ended the session at the server
	case <-time.After(5 * time.Second):
		t.Fatal("hanging up the dial-out did not end the WHIP session")
	}

	browserOffer := call.Offer{Streams: []call.StreamOffer{
		{ID: "0", Role: call.RoleAudio, Direction: call.SendRecv, Codecs: []call.Codec{{Name: "OPUS", PayloadType: 111, ClockRate: 48000, Channels: 2}}},
		{ID: "1", Role: call.RoleVideo, Direction: call.SendRecv, Codecs: []call.Codec{{Name: "VP8", PayloadType: 96, ClockRate: 90000}}},
	}}
	leg, err = d.Dial(ctx, call.Target{Protocol: call.ProtocolWebRTC, URI: "whep+" + remote + "/whep/testsrc"}, browserOffer, nil)
	if err != nil {
		t.Fatalf("WHEP dial-out: %v", err)
	}
	got := map[call.Role]int{}
	var mu sync.Mutex
	for _, s := range leg.Streams() {
		tr, _ := leg.Track(s.ID)
		go func() {
			var p rtp.Packet
			for tr.ReadRTP(&p) == nil {
				mu.Lock()
				got[s.Role]++
				mu.Unlock()
			}
		}()
	}
	waitFor(t, 5*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return got[call.RoleAudio] > 20 && got[call.RoleVideo] > 20 })
	_ = leg.Hangup(ctx, call.LocalHangup)
	<-leg.Done()

	failures := []struct {
		uri   string
		cause call.Cause
	}{
		{"sip:bob@example.com", call.DialOutFailed},
		{"whip+" + gwBase + "/whip/nowhere", call.NotFound},
		{"whep+" + remote + "/nothing/here", call.DialOutFailed},
		{"whip+http://127.0.0.1:1/whip/x", call.DialOutFailed},
	}
	for _, f := range failures {
		_, err := d.Dial(ctx, call.Target{Protocol: call.ProtocolWebRTC, URI: f.uri}, browserOffer, nil)
		if call.CauseOf(err) != f.cause {
			t.Errorf("dial %s: %v, want %s", f.uri, err, f.cause)
		}
	}
	waitLegs(t, gw, 0)
}
