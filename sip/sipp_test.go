package sip

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/internal/testpeer"
)

// Interop tests against SIPp, an independent SIP implementation. Each
// starts SIPp on free loopback ports with a scenario from testdata/sipp,
// bounds its run time, and asserts on SIPp's exit status and statistics
// as well as on what our legs report.

// echoAccept answers every call with the first offered codecs and loops its
// RTP back; the legs go to legs.
func echoAccept(legs chan<- *InboundLeg, e *echo) func(*InboundLeg) {
	return func(l *InboundLeg) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = l.Ring(ctx)
		time.Sleep(20 * time.Millisecond)
		streams := firstCodecs(l.Offer())
		if len(streams) == 0 {
			streams = []call.Stream{{ID: "a", Role: call.RoleAudio, Codec: call.Codec{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1}}}
		}
		if err := l.Accept(ctx, streams); err != nil {
			legs <- l
			return
		}
		e.run(l)
		legs <- l
	}
}

// collect gathers a leg's events until it ends.
type collected struct {
	mu     sync.Mutex
	events []call.Event
	done   chan struct{}
}

func collect(l call.Leg) *collected {
	c := &collected{done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for ev := range l.Events() {
			c.mu.Lock()
			c.events = append(c.events, ev)
			c.mu.Unlock()
		}
	}()
	return c
}

func (c *collected) kinds() []call.EventKind {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []call.EventKind
	for _, e := range c.events {
		out = append(out, e.Kind)
	}
	return out
}

func (c *collected) of(kind call.EventKind) []call.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []call.Event
	for _, e := range c.events {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func TestSIPpCallsGateway(t *testing.T) {
	for _, tc := range []struct{ name, transport string }{{"udp", "u1"}, {"tcp", "t1"}} {
		t.Run(tc.name, func(t *testing.T) {
			testpeer.Require(t, "sipp", "sip-tester")
			legs := make(chan *InboundLeg, 1)
			var e echo
			ts := startServer(t, testConfig(), nil, echoAccept(legs, &e))
			proto := "udp"
			if tc.transport == "t1" {
				proto = "tcp"
			}
			ours := ts.addr(proto)
			sippPort, mediaPort := freePort(t, tc.transport), freeMediaPort(t)
			dir := t.TempDir()
			writeAudioPcap(t, filepath.Join(dir, "audio.pcap"), 100, '7')
			capt := startCapture(t, fmt.Sprintf("%s port %d or udp port %d", proto, ours.Port(), mediaPort))

			run := launchSIPp(t, sippOptions{scenario: "uac_echo.xml", remote: ours.String(), transport: tc.transport,
				port: sippPort, mediaPort: mediaPort, dir: dir})
			l := receiveLeg(t, legs, run)
			evs := collect(l)
			run.expectSuccess(20 * time.Second)
			if c := waitDone(t, l, 5*time.Second); c != call.RemoteHangup {
				t.Errorf("leg cause %s, want remote_hangup", c)
			}
			<-evs.done
			dtmf := evs.of(call.EventDTMF)
			if len(dtmf) != 1 || dtmf[0].Digit != '7' {
				t.Errorf("DTMF events %+v, want one '7'", dtmf)
			}
			if h := evs.of(call.EventHangup); len(h) != 1 || h[0].Cause != call.RemoteHangup {
				t.Errorf("hangup events %+v", h)
			}
			if n := e.count(); n < 90 {
				t.Errorf("we received %d RTP packets from SIPp, want 100", n)
			}
			inc := l.Incoming()
			if inc.CallerName != "SIPp Caller" || !strings.HasPrefix(inc.Dialed, "sip:echo@") {
				t.Errorf("incoming: %+v", inc)
			}

			// What the wire carried, as tshark decodes it.
			pkts := testpeer.Tshark(t, capt.stop(), "-o", "rtp.heuristic_rtp:TRUE")
			var methods, statuses []string
			echoed := 0
			for _, p := range pkts {
				if probs := testpeer.ProblemsAtLeast(p, testpeer.SeverityWarn); len(probs) > 0 {
					t.Errorf("tshark reports problems: %v", probs)
				}
				methods = append(methods, testpeer.Strings(p, "sip.Method")...)
				statuses = append(statuses, testpeer.Strings(p, "sip.Status-Code")...)
				if testpeer.Has(p, "rtp") {
					for _, d := range testpeer.Strings(p, "udp.dstport") {
						if d == fmt.Sprint(mediaPort) {
							echoed++
						}
					}
				}
			}
			for _, want := range []string{"INVITE", "ACK", "BYE"} {
				if !hasString(methods, want) {
					t.Errorf("capture has no %s (methods %v)", want, methods)
				}
			}
			for _, want := range []string{"100", "180", "200"} {
				if !hasString(statuses, want) {
					t.Errorf("capture has no %s response (statuses %v)", want, statuses)
				}
			}
			if echoed < 90 {
				t.Errorf("tshark saw %d RTP packets echoed to SIPp's media port, want about 100", echoed)
			}
		})
	}
}

// receiveLeg waits for the call SIPp places.
func receiveLeg(t *testing.T, legs <-chan *InboundLeg, run *sippRun) *InboundLeg {
	t.Helper()
	select {
	case l := <-legs:
		return l
	case <-run.done:
		t.Fatalf("sipp exited before the call arrived: %v\n%s", run.err, lastBytes(run.out.String(), 3000))
	case <-time.After(10 * time.Second):
		t.Fatalf("no call from SIPp\n%s", lastBytes(run.out.String(), 3000))
	}
	return nil
}

func hasString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestSIPpCancelsCall(t *testing.T) {
	testpeer.Require(t, "sipp", "sip-tester")
	legs := make(chan *InboundLeg, 1)
	ts := startServer(t, testConfig(), nil, func(l *InboundLeg) {
		legs <- l
		// Rings and never answers: the caller cancels.
		_ = l.Ring(context.Background())
	})
	run := launchSIPp(t, sippOptions{scenario: "uac_cancel.xml", remote: ts.addr("udp").String(),
		port: freePort(t, "u1"), mediaPort: freeMediaPort(t)})
	l := receiveLeg(t, legs, run)
	evs := collect(l)
	run.expectSuccess(20 * time.Second)
	if c := waitDone(t, l, 5*time.Second); c != call.LocalHangup {
		t.Errorf("leg cause %s, want local_hangup", c)
	}
	<-evs.done
	if h := evs.of(call.EventHangup); len(h) != 1 || h[0].Cause != call.LocalHangup {
		t.Errorf("hangup events %+v", h)
	}
}

func TestSIPpDelayedOfferToGateway(t *testing.T) {
	testpeer.Require(t, "sipp", "sip-tester")
	legs := make(chan *InboundLeg, 1)
	var e echo
	ts := startServer(t, testConfig(), nil, echoAccept(legs, &e))
	mediaPort := freeMediaPort(t)
	run := launchSIPp(t, sippOptions{scenario: "uac_delayed.xml", remote: ts.addr("udp").String(),
		port: freePort(t, "u1"), mediaPort: mediaPort})
	l := receiveLeg(t, legs, run)
	if !l.Offer().Empty() {
		t.Errorf("offer of an INVITE without SDP: %+v", l.Offer())
	}
	s := l.Streams()
	if len(s) != 1 || s[0].Codec.Name != "PCMU" {
		t.Errorf("streams after the answer in the ACK: %+v", s)
	}
	l.mediaMu.Lock()
	remotePort := 0
	if len(l.lines) > 0 {
		remotePort = l.lines[0].remote.Port
	}
	l.mediaMu.Unlock()
	if remotePort != mediaPort {
		t.Errorf("remote media port from the ACK: %d, want %d", remotePort, mediaPort)
	}
	run.expectSuccess(20 * time.Second)
	if c := waitDone(t, l, 5*time.Second); c != call.RemoteHangup {
		t.Errorf("leg cause %s", c)
	}
}

func TestSIPpHoldAndResume(t *testing.T) {
	testpeer.Require(t, "sipp", "sip-tester")
	legs := make(chan *InboundLeg, 1)
	var e echo
	ts := startServer(t, testConfig(), nil, echoAccept(legs, &e))
	run := launchSIPp(t, sippOptions{scenario: "uac_hold.xml", remote: ts.addr("udp").String(),
		port: freePort(t, "u1"), mediaPort: freeMediaPort(t)})
	l := receiveLeg(t, legs, run)
	evs := collect(l)
	run.expectSuccess(20 * time.Second)
	waitDone(t, l, 5*time.Second)
	<-evs.done
	var got []call.EventKind
	for _, k := range evs.kinds() {
		if k == call.EventHold || k == call.EventResume {
			got = append(got, k)
		}
	}
	if len(got) != 2 || got[0] != call.EventHold || got[1] != call.EventResume {
		t.Errorf("hold/resume events: %v (all: %v)", got, evs.kinds())
	}
}

// dialSIPp places a call from our dialer to a SIPp UAS.
func dialSIPp(t *testing.T, cfg Config, scenario, transport string, offer call.Offer, echo bool) (*testServer, *sippRun, call.Leg, error) {
	t.Helper()
	testpeer.Require(t, "sipp", "sip-tester")
	ts := startServer(t, cfg, nil, nil)
	port := freePort(t, transport)
	run := launchSIPp(t, sippOptions{scenario: scenario, transport: transport, port: port,
		mediaPort: freeMediaPort(t), echo: echo})
	tr := "UDP"
	if transport == "t1" {
		tr = "TCP"
	}
	target := call.Target{Protocol: call.ProtocolSIP, URI: fmt.Sprintf("sip:bob@127.0.0.1:%d", port),
		Transport: tr, Caller: "alice", CallerName: "Alice", DTMF: call.DTMFRFC4733}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	l, err := ts.Dialer().Dial(ctx, target, offer, nil)
	return ts, run, l, err
}

func TestGatewayCallsSIPp(t *testing.T) {
	_, run, l, err := dialSIPp(t, testConfig(), "uas_answer.xml", "u1", audioOffer(), true)
	if err != nil {
		t.Fatalf("dial: %v\n%s", err, run.out.String())
	}
	s := l.Streams()
	if len(s) != 1 || s[0].Codec.Name != "PCMU" {
		t.Fatalf("streams: %+v", s)
	}
	tr, _ := l.Track(s[0].ID)
	got := make(chan int, 1)
	go func() {
		var p rtp.Packet
		n := 0
		deadline := time.Now().Add(3 * time.Second)
		for n < 40 && time.Now().Before(deadline) {
			if err := tr.ReadRTP(&p); err != nil {
				break
			}
			n++
		}
		got <- n
	}()
	payload := make([]byte, 160)
	for i := range 50 {
		p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: uint16(i), Timestamp: uint32(160 * i), SSRC: 77}, Payload: payload}
		if err := tr.WriteRTP(&p); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case n := <-got:
		if n < 40 {
			t.Errorf("SIPp echoed %d of 50 RTP packets", n)
		}
	case <-time.After(5 * time.Second):
		t.Error("no RTP echoed by SIPp")
	}
	if err := l.Hangup(context.Background(), call.LocalHangup); err != nil {
		t.Errorf("hangup: %v", err)
	}
	run.expectSuccess(20 * time.Second)
}

func TestSIPpHangsUp(t *testing.T) {
	_, run, l, err := dialSIPp(t, testConfig(), "uas_bye.xml", "u1", audioOffer(), false)
	if err != nil {
		t.Fatalf("dial: %v\n%s", err, run.out.String())
	}
	ev := waitEvent(t, l, call.EventHangup, 10*time.Second)
	if ev.Cause != call.RemoteHangup {
		t.Errorf("hangup cause %s", ev.Cause)
	}
	run.expectSuccess(20 * time.Second)
	if c := waitDone(t, l, 5*time.Second); c != call.RemoteHangup {
		t.Errorf("leg cause %s", c)
	}
}

func TestSIPpBusy(t *testing.T) {
	_, run, _, err := dialSIPp(t, testConfig(), "uas_busy.xml", "u1", audioOffer(), false)
	if c := call.CauseOf(err); c != call.Busy {
		t.Errorf("dial error %v: cause %s, want busy", err, c)
	}
	run.expectSuccess(20 * time.Second)
}

func TestSIPpNeverAnswers(t *testing.T) {
	cfg := testConfig()
	cfg.InviteTimeout = 1500 * time.Millisecond
	start := time.Now()
	_, run, _, err := dialSIPp(t, cfg, "uas_noanswer.xml", "u1", audioOffer(), false)
	if c := call.CauseOf(err); c != call.Timeout {
		t.Errorf("dial error %v: cause %s, want timeout", err, c)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("invite_timeout of 1.5s took %s", d)
	}
	run.expectSuccess(20 * time.Second)
}

func TestGatewayDelayedOfferToSIPp(t *testing.T) {
	_, run, l, err := dialSIPp(t, testConfig(), "uas_delayed.xml", "u1", call.Offer{}, false)
	if err != nil {
		t.Fatalf("dial: %v\n%s", err, run.out.String())
	}
	if s := l.Streams(); len(s) != 1 || s[0].Codec.Name != "PCMA" {
		t.Errorf("streams from SIPp's offer: %+v", s)
	}
	_ = l.Hangup(context.Background(), call.LocalHangup)
	run.expectSuccess(20 * time.Second)
}

func TestSessionTimerExpiry(t *testing.T) {
	cfg := testConfig()
	cfg.SessionTimer = SessionTimer{Enabled: true, Expires: 3 * time.Second, MinSE: time.Second}
	tests := []struct{ name, scenario, transport string }{
		{"far side never refreshes", "uas_timer_expire.xml", "u1"},
		{"far side ignores our refresh", "uas_timer_ignore.xml", "t1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, run, l, err := dialSIPp(t, cfg, tc.scenario, tc.transport, audioOffer(), false)
			if err != nil {
				t.Fatalf("dial: %v\n%s", err, run.out.String())
			}
			ev := waitEvent(t, l, call.EventHangup, 10*time.Second)
			if ev.Cause != call.Timeout {
				t.Errorf("hangup cause %s, want timeout", ev.Cause)
			}
			if c := waitDone(t, l, 5*time.Second); c != call.Timeout {
				t.Errorf("leg cause %s", c)
			}
			run.expectSuccess(20 * time.Second)
		})
	}
}

func TestGatewayAnswersDigestChallenge(t *testing.T) {
	for _, tc := range []struct {
		name     string
		password string
		want     call.Cause
	}{{"right password", "pw", call.CauseNone}, {"wrong password", "nope", call.Forbidden}} {
		t.Run(tc.name, func(t *testing.T) {
			testpeer.Require(t, "sipp", "sip-tester")
			cfg := testConfig()
			cfg.Trunks = []Trunk{{Name: "carrier", Username: "gw", Password: tc.password}}
			ts := startServer(t, cfg, nil, nil)
			port := freePort(t, "u1")
			run := launchSIPp(t, sippOptions{scenario: "uas_auth.xml", port: port, mediaPort: freeMediaPort(t)})
			target := call.Target{Protocol: call.ProtocolSIP, URI: fmt.Sprintf("sip:bob@127.0.0.1:%d", port),
				Caller: "alice", Trunk: "carrier"}
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			l, err := ts.Dialer().Dial(ctx, target, audioOffer(), nil)
			if got := call.CauseOf(err); got != tc.want {
				t.Fatalf("dial: %v (cause %s), want %s\n%s", err, got, tc.want, lastBytes(run.out.String(), 2000))
			}
			if err != nil {
				if code := run.wait(20 * time.Second); code == 0 {
					t.Error("sipp accepted wrong credentials")
				}
				return
			}
			_ = l.Hangup(ctx, call.LocalHangup)
			run.expectSuccess(20 * time.Second)
		})
	}
}

func TestGatewayFollowsRedirect(t *testing.T) {
	testpeer.Require(t, "sipp", "sip-tester")
	callee := startServer(t, testConfig(), nil, nil)
	caller := startServer(t, testConfig(), nil, nil)
	port := freePort(t, "u1")
	run := launchSIPp(t, sippOptions{scenario: "uas_redirect.xml", port: port, mediaPort: freeMediaPort(t),
		keys: map[string]string{"redirect_to": callee.addr("udp").String()}})
	target := call.Target{Protocol: call.ProtocolSIP, URI: fmt.Sprintf("sip:bob@127.0.0.1:%d", port), Caller: "alice"}
	out, in := connect(t, caller, callee, target, audioOffer())
	run.expectSuccess(20 * time.Second)
	if !strings.Contains(in.Incoming().Dialed, callee.addr("udp").String()) {
		t.Errorf("redirected call dialed %q", in.Incoming().Dialed)
	}
	_ = out.Hangup(context.Background(), call.LocalHangup)
	waitDone(t, in, 5*time.Second)
}
