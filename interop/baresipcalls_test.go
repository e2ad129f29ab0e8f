package interop

import (
	"fmt"
	"image"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/gateway"
)

// baresipPair is a gateway with a registrar and two baresips registered to
// it, alice and bob (bob answers automatically).
type baresipPair struct {
	ports      *portBlock
	gw         *gatewayRun
	capt       *capture
	alice, bob *baresip
}

// startBaresipPair starts the gateway, the capture and both baresips, and
// waits until both are registered (with digest: the gateway challenges).
func startBaresipPair(t *testing.T, block int, p configParams, alice, bob baresipOptions) *baresipPair {
	t.Helper()
	ports := ports(t, block)
	p.MediaPorts = ports.mediaRange()
	s := &baresipPair{ports: ports, gw: startGateway(t, "baresip.yaml.tmpl", p)}
	// The gateway reaches baresip over TCP when a request is too large for
	// UDP (RFC 3261 §18.1.1): capture the baresips' TCP SIP ports too.
	alice.sipPort, bob.sipPort = freeSIPPort(t), freeSIPPort(t)
	alice.rtpPorts, bob.rtpPorts = ports.peer(t, 10), ports.peer(t, 10)
	s.capt = startCapture(t, fmt.Sprintf("udp port %d or tcp port %d or tcp port %d or %s",
		s.gw.sipAddr.Port(), alice.sipPort, bob.sipPort, ports.filter()))
	gw := s.gw.sipAddr.String()
	bob.account = fmt.Sprintf("<sip:bob@%s>;auth_pass=bob-secret;regint=60;answermode=auto%s", gw, bob.account)
	alice.account = fmt.Sprintf("<sip:alice@%s>;auth_pass=alice-secret;regint=60%s", gw, alice.account)
	s.bob = startBaresip(t, "bob", ports, bob)
	s.alice = startBaresip(t, "alice", ports, alice)
	// Both registered, as the gateway's status reports it.
	var aors []string
	for deadline := time.Now().Add(10 * time.Second); ; {
		_, regs := s.gw.sipStatus()
		aors = aors[:0]
		for _, r := range regs {
			aors = append(aors, r.AOR)
		}
		slices.Sort(aors)
		if len(aors) == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(aors) != 2 || !strings.HasPrefix(aors[0], "alice@") || !strings.HasPrefix(aors[1], "bob@") {
		t.Fatalf("the gateway's registrations: %v, want alice and bob", aors)
	}
	// And as baresip sees it.
	for _, b := range []*baresip{s.alice, s.bob} {
		if info := b.command("reginfo", "").Data; !strings.Contains(info, "OK") {
			t.Errorf("baresip %s registration: %s", b.name, info)
		}
	}
	return s
}

// call has alice dial bob through the gateway, lets media flow for d
// (running during, when given, half way) and has alice hang up; it
// returns the call record.
func (s *baresipPair) call(t *testing.T, d time.Duration, during func()) gateway.Record {
	t.Helper()
	s.alice.command("dial", s.gw.uri("bob"))
	s.alice.event("CALL_ESTABLISHED", 15*time.Second)
	s.bob.event("CALL_ESTABLISHED", 5*time.Second)
	start := time.Now()
	if during != nil {
		time.Sleep(d / 2)
		during()
	}
	time.Sleep(d - time.Since(start))
	s.alice.command("hangup", "")
	s.alice.event("CALL_CLOSED", 5*time.Second)
	s.bob.event("CALL_CLOSED", 5*time.Second)
	return s.gw.record(10 * time.Second)
}

// stop has both baresips quit: baresip's output reaches its pipe in full
// only when it exits. They unregister on their way out, and the gateway's
// registrar must drop their bindings.
func (s *baresipPair) stop(t *testing.T) {
	t.Helper()
	s.alice.stop()
	s.bob.stop()
	deadline := time.Now().Add(3 * time.Second)
	for {
		_, regs := s.gw.sipStatus()
		if len(regs) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("bindings left after both baresips unregistered: %+v", regs)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestBaresipCallsBaresip: two baresips register to the gateway with
// digest; alice calls bob by name, the rule reaches bob's registered
// contact, and audio (G.711) and video (H.264, or VP8 when the rule allows
// only that) relay both ways for 5 s.
func TestBaresipCallsBaresip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		block  int
		codecs string
		video  string
	}{
		{"audio and H.264 video", 11, "[]", "H264"},
		{"audio and VP8 video", 12, "[pcmu, vp8]", "VP8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := startBaresipPair(t, tc.block, configParams{Codecs: tc.codecs},
				baresipOptions{video: true}, baresipOptions{video: true})
			// Half way, each baresip saves a picture it decoded.
			pictures := map[string]image.Point{}
			rec := s.call(t, 5*time.Second, func() {
				for _, b := range []*baresip{s.alice, s.bob} {
					pictures[b.name] = b.snapshot()
				}
			})
			// 5 s: 250 audio packets (20 ms) and about 125 video frames.
			checkRecord(t, rec, recordWant{rule: "to-registered", cause: call.RemoteHangup,
				relayed: []call.Role{call.RoleAudio, call.RoleVideo}, minPackets: 80})
			for _, st := range rec.Streams {
				if st.Role == call.RoleVideo && !strings.EqualFold(st.Codec.Name, tc.video) {
					t.Errorf("video relayed as %s, want %s", st.Codec, tc.video)
				}
				if st.Role == call.RoleAudio && st.Packets < 200 {
					t.Errorf("audio %s→%s: %d packets in 5 s, want about 250", st.From, st.To, st.Packets)
				}
			}
			s.gw.waitIdle(5 * time.Second)
			s.stop(t)

			// What each baresip decoded (its audio dump and a picture), and
			// what tshark saw the gateway send it.
			d := s.capt.decode(int(s.gw.sipAddr.Port()), s.alice.sipPort, s.bob.sipPort)
			for _, b := range []*baresip{s.alice, s.bob} {
				heard, level := b.decodedAudio()
				byPT := d.rtpToRange(b.rtpPorts, b.rtpPorts+9)
				audio := count(byPT, 0)
				video := count(byPT) - audio
				t.Logf("baresip %s decoded %s of audio (RMS %.0f) and a %dx%d picture; tshark: %d audio and %d video packets to it",
					b.name, heard.Round(10*time.Millisecond), level, pictures[b.name].X, pictures[b.name].Y, audio, video)
				checkHeard(t, b, heard, level)
				if pictures[b.name] != image.Pt(352, 288) {
					t.Errorf("baresip %s decoded a %v picture, want fakevideo's 352x288", b.name, pictures[b.name])
				}
				if audio < 200 || video < 80 {
					t.Errorf("tshark: baresip %s was sent %d audio and %d video packets in 5 s, want about 250 and 125", b.name, audio, video)
				}
			}

			sent := d.checkGateway(t, s.gw, s.ports, s.alice.sipPort, s.bob.sipPort)
			for _, want := range []string{"401 REGISTER", "200 REGISTER", "INVITE", "200 INVITE", "ACK", "BYE", "200 BYE"} {
				if !hasMessage(sent, want) {
					t.Errorf("the gateway sent no %s (it sent %v)", want, methodsOf(sent))
				}
			}
		})
	}
}

// TestBaresipSRTP: one baresip requires SDES-SRTP (mediaenc=srtp-mand),
// the other speaks plain RTP. The gateway answers the SRTP side with
// RTP/SAVP and its own keys and the RTP side with RTP/AVP (the rule's srtp
// setting picks the outbound leg's profile), and relays the audio between
// them: each side decodes the other's tone, the SRTP side after
// decrypting it.
func TestBaresipSRTP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		block       int
		srtp        string // the rule's srtp setting
		aliceSecure bool   // else bob requires SRTP
	}{
		{"SRTP caller to RTP callee", 14, "off", true},
		{"RTP caller to SRTP callee", 15, "required", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			secure := baresipOptions{srtp: true, account: ";mediaenc=srtp-mand"}
			alice, bob := secure, baresipOptions{}
			if !tc.aliceSecure {
				alice, bob = bob, secure
			}
			s := startBaresipPair(t, tc.block, configParams{SRTP: tc.srtp}, alice, bob)
			rec := s.call(t, 5*time.Second, nil)
			checkRecord(t, rec, recordWant{rule: "to-registered", cause: call.RemoteHangup,
				relayed: []call.Role{call.RoleAudio}, minPackets: 200})
			s.gw.waitIdle(5 * time.Second)
			s.stop(t)

			d := s.capt.decode(int(s.gw.sipAddr.Port()), s.alice.sipPort, s.bob.sipPort)
			sent := d.checkGateway(t, s.gw, s.ports, s.alice.sipPort, s.bob.sipPort)
			for _, b := range []*baresip{s.alice, s.bob} {
				wantSecure := (b == s.alice) == tc.aliceSecure
				// The SDP the gateway sent this baresip (its 200 to alice,
				// its INVITE to bob).
				var sdp string
				for _, m := range sent {
					if m.dst == b.sipPort && m.sdp != "" {
						sdp = m.sdp
					}
				}
				savp, crypto := strings.Contains(sdp, "RTP/SAVP"), strings.Contains(sdp, "crypto:")
				if savp != wantSecure || crypto != wantSecure {
					t.Errorf("the gateway's SDP to %s (SRTP %v): RTP/SAVP %v, a=crypto %v:\n%s", b.name, wantSecure, savp, crypto, sdp)
				}
				heard, level := b.decodedAudio()
				packets := count(d.rtpToRange(b.rtpPorts, b.rtpPorts+9))
				t.Logf("baresip %s (SRTP %v) decoded %s of audio (RMS %.0f); tshark: %d RTP packets to it",
					b.name, wantSecure, heard.Round(10*time.Millisecond), level, packets)
				checkHeard(t, b, heard, level)
				if packets < 200 {
					t.Errorf("tshark: baresip %s was sent %d RTP packets in 5 s, want about 250", b.name, packets)
				}
			}
		})
	}
}

// checkHeard asserts that a baresip decoded most of a 5 s call's audio,
// and that it carried the far side's tone rather than silence.
func checkHeard(t *testing.T, b *baresip, heard time.Duration, level float64) {
	t.Helper()
	if heard < 4*time.Second || level < 1000 {
		t.Errorf("baresip %s decoded %s of audio at RMS %.0f, want about 5 s of the far side's tone (RMS about 5600)", b.name, heard, level)
	}
}
