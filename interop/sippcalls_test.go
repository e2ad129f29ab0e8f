package interop

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/call"
)

// sippGateway is a gateway whose rule sends "bob" to a SIPp UAS, with a
// capture of the gateway's SIP port and of the test's media ports running.
type sippGateway struct {
	ports *portBlock
	gw    *gatewayRun
	uas   *sippRun
	capt  *capture
	// uasMedia and uacMedia are the SIPp media ports (audio; video +2).
	uasMedia, uacMedia int
}

// startSIPpGateway starts the UAS scenario, a gateway routing to it, and
// the capture; the UAC is left to the test.
func startSIPpGateway(t *testing.T, block int, uasScenario string, uasEcho bool, p configParams) *sippGateway {
	t.Helper()
	ports := ports(t, block)
	s := &sippGateway{ports: ports, uasMedia: ports.peer(t, 4), uacMedia: ports.peer(t, 4)}
	s.uas = startSIPp(t, "uas", sippOptions{scenario: uasScenario, mediaPort: s.uasMedia, echo: uasEcho})
	p.MediaPorts, p.Peer = ports.mediaRange(), s.uas.addr()
	s.gw = startGateway(t, "sipp.yaml.tmpl", p)
	s.capt = startCapture(t, fmt.Sprintf("udp port %d or %s", s.gw.sipAddr.Port(), ports.filter()))
	return s
}

// call starts the UAC scenario against the gateway, dialing service, with
// audio.pcap holding pcap (and video.pcap a video stream for scenarios
// that play one).
func (s *sippGateway) call(t *testing.T, scenario, service string, pcap []byte) *sippRun {
	t.Helper()
	o := sippOptions{scenario: scenario, remote: s.gw.sipAddr.String(), service: service, mediaPort: s.uacMedia}
	if pcap != nil {
		o.files = map[string][]byte{"audio.pcap": pcap, "video.pcap": videoPcap(t, 75)}
	}
	return startSIPp(t, "uac", o)
}

// TestSIPpCallThroughGateway: a SIPp UAC calls a SIPp UAS through the
// gateway; the UAC plays 100 G.711 packets, the UAS echoes them, so RTP
// crosses the gateway both ways; then one side hangs up with BYE.
func TestSIPpCallThroughGateway(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		block    int
		uac, uas string
		// endedBy is the index in the record's legs of the leg that hung up.
		endedBy int
	}{
		{"caller hangs up", 0, "uac_call.xml", "uas_answer.xml", 0},
		{"callee hangs up", 1, "uac_wait_bye.xml", "uas_bye.xml", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := startSIPpGateway(t, tc.block, tc.uas, true, configParams{})
			uac := s.call(t, tc.uac, "bob", audioPcap(t, 100, 0))
			uac.expectSuccess(30 * time.Second)
			s.uas.expectSuccess(10 * time.Second)

			rec := s.gw.record(10 * time.Second)
			checkRecord(t, rec, recordWant{rule: "to-sipp-uas", cause: call.RemoteHangup,
				relayed: []call.Role{call.RoleAudio}, minPackets: 90})
			if len(rec.Legs) != 2 || rec.EndedBy != rec.Legs[tc.endedBy].ID {
				t.Errorf("record: ended by %q, want leg %d of %+v", rec.EndedBy, tc.endedBy, rec.Legs)
			}
			s.gw.waitIdle(5 * time.Second)

			d := s.capt.decode(int(s.gw.sipAddr.Port()))
			sent := d.checkGateway(t, s.gw, s.ports)
			for _, want := range []string{"INVITE", "ACK", "BYE", "180 INVITE", "200 INVITE", "200 BYE"} {
				if !hasMessage(sent, want) {
					t.Errorf("the gateway sent no %s (it sent %v)", want, methodsOf(sent))
				}
			}
			// What the peers received from the gateway, as tshark counts it.
			toUAS, toUAC := count(d.rtpTo(s.uasMedia), 0), count(d.rtpTo(s.uacMedia), 0)
			t.Logf("tshark: %d PCMU packets from the gateway to the UAS, %d back to the UAC", toUAS, toUAC)
			if toUAS < 90 || toUAC < 90 {
				t.Errorf("RTP through the gateway: %d packets to the UAS, %d to the UAC, want about 100 each way", toUAS, toUAC)
			}
			if rtt := uac.responseTimes(); len(rtt) == 0 {
				t.Errorf("sipp measured no INVITE response time")
			} else {
				t.Logf("INVITE → 200 through the gateway: %.1f ms (SIPp -trace_rtt)", rtt[0])
			}
		})
	}
}

// TestSIPpCallFailures: calls that never connect. The callee's 486 reaches
// the caller as 486; a caller's CANCEL before the answer cancels the
// callee's INVITE; a callee that never answers is cancelled after
// invite_timeout and the caller gets 408.
func TestSIPpCallFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		block         int
		uac, uas      string
		inviteTimeout string
		cause         call.Cause
		// toCaller is the gateway's final answer to the caller; cancel
		// says the gateway must have cancelled its own INVITE.
		toCaller string
		cancel   bool
	}{
		{"callee busy", 2, "uac_busy.xml", "uas_busy.xml", "", call.Busy, "486 INVITE", false},
		{"caller cancels", 3, "uac_cancel.xml", "uas_ring.xml", "", call.LocalHangup, "487 INVITE", true},
		{"callee never answers", 4, "uac_timeout.xml", "uas_ring.xml", "2s", call.Timeout, "408 INVITE", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := startSIPpGateway(t, tc.block, tc.uas, false, configParams{InviteTimeout: tc.inviteTimeout})
			start := time.Now()
			uac := s.call(t, tc.uac, "bob", nil)
			uac.expectSuccess(30 * time.Second)
			s.uas.expectSuccess(20 * time.Second)
			took := time.Since(start)

			rec := s.gw.record(10 * time.Second)
			checkRecord(t, rec, recordWant{rule: "to-sipp-uas", cause: tc.cause})
			if !rec.Answered.IsZero() || len(rec.Streams) != 0 {
				t.Errorf("record of a call that never connected: answered %v, streams %+v", rec.Answered, rec.Streams)
			}
			s.gw.waitIdle(5 * time.Second)

			d := s.capt.decode(int(s.gw.sipAddr.Port()))
			sent := d.checkGateway(t, s.gw, s.ports)
			t.Logf("the gateway sent %v in %s", methodsOf(sent), took.Round(time.Millisecond))
			if !hasMessage(sent, tc.toCaller) {
				t.Errorf("the gateway did not answer the caller %s (it sent %v)", tc.toCaller, methodsOf(sent))
			}
			if got := hasMessage(sent, "CANCEL"); got != tc.cancel {
				t.Errorf("the gateway sent CANCEL: %v, want %v", got, tc.cancel)
			}
			if tc.inviteTimeout != "" && took > 10*time.Second {
				t.Errorf("invite_timeout %s, but the call took %s to fail", tc.inviteTimeout, took)
			}
		})
	}
}

// TestSIPpDelayedOffer: the caller's INVITE has no SDP. The gateway sends
// an INVITE without SDP too, takes the callee's offer from its 200, offers
// it to the caller in its own 200, and carries the caller's answer from the
// ACK to the callee's ACK; then audio flows both ways.
func TestSIPpDelayedOffer(t *testing.T) {
	t.Parallel()
	s := startSIPpGateway(t, 5, "uas_delayed.xml", true, configParams{})
	uac := s.call(t, "uac_delayed.xml", "bob", audioPcap(t, 100, 0))
	uac.expectSuccess(30 * time.Second)
	s.uas.expectSuccess(10 * time.Second)

	rec := s.gw.record(10 * time.Second)
	checkRecord(t, rec, recordWant{rule: "to-sipp-uas", cause: call.RemoteHangup,
		relayed: []call.Role{call.RoleAudio}, minPackets: 90})
	s.gw.waitIdle(5 * time.Second)

	d := s.capt.decode(int(s.gw.sipAddr.Port()))
	sent := d.checkGateway(t, s.gw, s.ports)
	for _, m := range sent {
		switch {
		case m.method == "INVITE" && m.sdp != "":
			t.Errorf("the gateway's INVITE carries SDP; a delayed offer should go on without:\n%s", m.sdp)
		case m.method == "ACK" && m.sdp == "":
			t.Errorf("the gateway's ACK to the callee carries no SDP answer")
		case m.status == "200" && m.cseq == "INVITE" && m.sdp == "":
			t.Errorf("the gateway's 200 to the caller carries no SDP offer")
		}
	}
	toUAS, toUAC := count(d.rtpTo(s.uasMedia), 0), count(d.rtpTo(s.uacMedia), 0)
	t.Logf("tshark: %d PCMU packets to the UAS, %d back to the UAC", toUAS, toUAC)
	if toUAS < 90 || toUAC < 90 {
		t.Errorf("RTP through the gateway: %d packets to the UAS, %d to the UAC, want about 100 each way", toUAS, toUAC)
	}
}

// TestSIPpHoldResume: the caller holds the call with a re-INVITE
// (a=sendonly) and resumes it (a=sendrecv); the gateway answers each and
// renegotiates the callee's leg the same way.
func TestSIPpHoldResume(t *testing.T) {
	t.Parallel()
	s := startSIPpGateway(t, 6, "uas_hold.xml", true, configParams{})
	uac := s.call(t, "uac_hold.xml", "bob", audioPcap(t, 50, 0))
	uac.expectSuccess(30 * time.Second)
	s.uas.expectSuccess(10 * time.Second)

	rec := s.gw.record(10 * time.Second)
	checkRecord(t, rec, recordWant{rule: "to-sipp-uas", cause: call.RemoteHangup,
		relayed: []call.Role{call.RoleAudio}, minPackets: 40})
	s.gw.waitIdle(5 * time.Second)

	d := s.capt.decode(int(s.gw.sipAddr.Port()))
	sent := d.checkGateway(t, s.gw, s.ports)
	var invites []string
	for _, m := range sent {
		if m.method == "INVITE" && m.dst == s.uas.port {
			invites = append(invites, m.sdp)
		}
	}
	if len(invites) != 3 {
		t.Fatalf("the gateway sent %d INVITEs to the callee, want 3 (call, hold, resume): %v", len(invites), methodsOf(sent))
	}
	if !strings.Contains(invites[1], "sendonly") || !strings.Contains(invites[2], "sendrecv") {
		t.Errorf("hold and resume re-INVITEs to the callee:\n%s\n---\n%s", invites[1], invites[2])
	}
}

// TestSIPpSessionTimerExpiry: with a 3 s session interval, the callee
// takes the refresher role and never refreshes. The gateway ends its leg
// with BYE (Reason 408) before the session expires and hangs up the caller
// the same way; the record says timeout. Meanwhile it refreshes the
// caller's session itself (the caller does not support timers).
func TestSIPpSessionTimerExpiry(t *testing.T) {
	t.Parallel()
	s := startSIPpGateway(t, 7, "uas_timer_expire.xml", true, configParams{SessionExpires: "3s", MinSE: "1s"})
	start := time.Now()
	uac := s.call(t, "uac_timer.xml", "bob", nil)
	uac.expectSuccess(30 * time.Second)
	s.uas.expectSuccess(10 * time.Second)
	took := time.Since(start)

	rec := s.gw.record(10 * time.Second)
	checkRecord(t, rec, recordWant{rule: "to-sipp-uas", cause: call.Timeout})
	if len(rec.Legs) == 2 && rec.EndedBy != rec.Legs[1].ID {
		t.Errorf("record: ended by %q, want the callee's leg %q", rec.EndedBy, rec.Legs[1].ID)
	}
	if took > 8*time.Second {
		t.Errorf("a 3 s session lasted %s", took)
	}
	s.gw.waitIdle(5 * time.Second)

	d := s.capt.decode(int(s.gw.sipAddr.Port()))
	sent := d.checkGateway(t, s.gw, s.ports)
	byes, refreshes := 0, 0
	for _, m := range sent {
		switch {
		case m.method == "BYE":
			byes++
		case m.method == "INVITE" && m.dst == uac.port:
			refreshes++
		}
	}
	t.Logf("the call lasted %s; the gateway refreshed the caller's session %d times", took.Round(time.Millisecond), refreshes)
	if byes != 2 {
		t.Errorf("the gateway sent %d BYEs, want one to each side: %v", byes, methodsOf(sent))
	}
	if refreshes == 0 {
		t.Errorf("the gateway never refreshed the caller's session (it is the refresher there): %v", methodsOf(sent))
	}
}

// TestSIPpDTMF: the caller sends the digit 7 as RFC 4733 events. With the
// rule's dtmf: info the callee receives it as an INFO
// (application/dtmf-relay) and no telephone-event packet; with rfc4733 it
// receives telephone-event packets and no INFO.
func TestSIPpDTMF(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		block int
		dtmf  string
		uas   string
		info  bool
	}{
		{"info", 8, "info", "uas_info.xml", true},
		{"rfc4733", 9, "rfc4733", "uas_answer.xml", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := startSIPpGateway(t, tc.block, tc.uas, true, configParams{DTMF: tc.dtmf})
			uac := s.call(t, "uac_call.xml", "bob", audioPcap(t, 50, '7'))
			uac.expectSuccess(30 * time.Second)
			s.uas.expectSuccess(10 * time.Second)
			rec := s.gw.record(10 * time.Second)
			checkRecord(t, rec, recordWant{rule: "to-sipp-uas", cause: call.RemoteHangup,
				relayed: []call.Role{call.RoleAudio}, minPackets: 1})

			d := s.capt.decode(int(s.gw.sipAddr.Port()))
			sent := d.checkGateway(t, s.gw, s.ports)
			infos := s.uas.received("INFO ")
			events := count(d.rtpTo(s.uasMedia), 101)
			t.Logf("the callee received %d INFO and %d telephone-event packets", len(infos), events)
			if tc.info {
				if len(infos) != 1 || events != 0 {
					t.Errorf("dtmf: info: the callee received %d INFOs and %d telephone-event packets, want 1 and 0", len(infos), events)
				}
				if !hasMessage(sent, "INFO") {
					t.Errorf("tshark saw no INFO from the gateway: %v", methodsOf(sent))
				}
			} else if len(infos) != 0 || events < 3 {
				t.Errorf("dtmf: rfc4733: the callee received %d INFOs and %d telephone-event packets, want 0 and at least 3", len(infos), events)
			}
		})
	}
}

// TestSIPpEchoService: a SIPp caller dials echo and gets its own RTP
// back.
func TestSIPpEchoService(t *testing.T) {
	t.Parallel()
	ports := ports(t, 10)
	media := ports.peer(t, 4)
	gw := startGateway(t, "sipp.yaml.tmpl", configParams{MediaPorts: ports.mediaRange(), Peer: "127.0.0.1:9"})
	capt := startCapture(t, fmt.Sprintf("udp port %d or %s", gw.sipAddr.Port(), ports.filter()))
	uac := startSIPp(t, "uac", sippOptions{scenario: "uac_call.xml", remote: gw.sipAddr.String(), service: "echo",
		mediaPort: media, files: map[string][]byte{"audio.pcap": audioPcap(t, 100, 0)}})
	uac.expectSuccess(30 * time.Second)

	rec := gw.record(10 * time.Second)
	checkRecord(t, rec, recordWant{service: "echo", cause: call.RemoteHangup})
	gw.waitIdle(5 * time.Second)
	d := capt.decode(int(gw.sipAddr.Port()))
	d.checkGateway(t, gw, ports)
	back := count(d.rtpTo(media), 0)
	t.Logf("tshark: %d PCMU packets echoed to the caller", back)
	if back < 90 {
		t.Errorf("the echo service returned %d of 100 packets", back)
	}
}

// TestSIPpVideoCall: an audio and video call between SIPp peers. The
// gateway's INVITE to the callee is larger than 1300 bytes, which RFC 3261
// §18.1.1 sends over TCP; SIPp listens on UDP only, so the gateway must
// fall back to UDP. Audio (PCMU) and video (H.264) relay both ways.
func TestSIPpVideoCall(t *testing.T) {
	t.Parallel()
	s := startSIPpGateway(t, 13, "uas_video.xml", true, configParams{})
	uac := s.call(t, "uac_video.xml", "bob", audioPcap(t, 100, 0))
	uac.expectSuccess(30 * time.Second)
	s.uas.expectSuccess(10 * time.Second)

	rec := s.gw.record(10 * time.Second)
	checkRecord(t, rec, recordWant{rule: "to-sipp-uas", cause: call.RemoteHangup,
		relayed: []call.Role{call.RoleAudio, call.RoleVideo}, minPackets: 60})
	s.gw.waitIdle(5 * time.Second)

	d := s.capt.decode(int(s.gw.sipAddr.Port()))
	sent := d.checkGateway(t, s.gw, s.ports)
	invite := 0
	for _, m := range sent {
		if m.method == "INVITE" && m.dst == s.uas.port {
			invite = m.size
		}
	}
	t.Logf("the gateway's INVITE to the callee: %d bytes over UDP", invite)
	if invite <= 1300 {
		t.Errorf("the gateway's INVITE to the callee over UDP: %d bytes, want one above 1300 (sent after TCP failed)", invite)
	}
	audio, video := count(d.rtpTo(s.uasMedia), 0), count(d.rtpTo(s.uasMedia+2), 96)
	backAudio, backVideo := count(d.rtpTo(s.uacMedia), 0), count(d.rtpTo(s.uacMedia+2), 96)
	t.Logf("tshark: to the UAS %d audio and %d video packets; back to the UAC %d and %d", audio, video, backAudio, backVideo)
	if audio < 90 || video < 65 || backAudio < 90 || backVideo < 65 {
		t.Errorf("RTP through the gateway: to the UAS %d audio, %d video; to the UAC %d audio, %d video; want about 100 and 75 each way",
			audio, video, backAudio, backVideo)
	}
}
