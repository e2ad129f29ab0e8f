package sip

import (
	"context"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
)

// These tests place calls between two of our own servers on loopback; the
// interop tests against SIPp are in sipp_test.go.

func TestLoopbackCall(t *testing.T) {
	for _, transport := range []string{"UDP", "TCP"} {
		t.Run(transport, func(t *testing.T) {
			callee := startServer(t, testConfig(), nil, nil)
			caller := startServer(t, testConfig(), nil, nil)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()

			var progress []call.EventKind
			type dialResult struct {
				leg call.Leg
				err error
			}
			dialed := make(chan dialResult, 1)
			go func() {
				l, err := caller.Dialer().Dial(ctx, sipTarget(callee, transport, "bob"), audioOffer(), func(ev call.Event) {
					progress = append(progress, ev.Kind)
				})
				dialed <- dialResult{l, err}
			}()
			in := callee.nextLeg(5 * time.Second)
			inc := in.Incoming()
			if inc.Protocol != call.ProtocolSIP || inc.CallID == "" || !inc.Source.IsValid() {
				t.Errorf("incoming: %+v", inc)
			}
			if inc.Caller == "" || inc.Dialed == "" {
				t.Errorf("incoming caller/dialed: %+v", inc)
			}
			if err := in.Ring(ctx); err != nil {
				t.Fatal(err)
			}
			// sipgo hands each response to its own goroutine: a 200 right
			// behind the 180 could overtake it.
			time.Sleep(50 * time.Millisecond)
			if err := answerFirst(ctx, in); err != nil {
				t.Fatal(err)
			}
			var e echo
			e.run(in)
			r := <-dialed
			if r.err != nil {
				t.Fatal(r.err)
			}
			out := r.leg
			if len(progress) == 0 || progress[0] != call.EventRinging {
				t.Errorf("progress events: %v", progress)
			}
			streams := out.Streams()
			if len(streams) != 1 || streams[0].Codec.Name != "PCMU" {
				t.Fatalf("outbound streams: %+v", streams)
			}
			tr, _ := out.Track(streams[0].ID)
			got := make(chan int, 1)
			go func() {
				var p rtp.Packet
				n := 0
				for n < 20 {
					if err := tr.ReadRTP(&p); err != nil {
						break
					}
					n++
				}
				got <- n
			}()
			payload := make([]byte, 160)
			for i := range 40 {
				p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: uint16(i), Timestamp: uint32(i * 160), SSRC: 1234}, Payload: payload}
				if err := tr.WriteRTP(&p); err != nil {
					t.Fatal(err)
				}
				time.Sleep(5 * time.Millisecond)
			}
			select {
			case n := <-got:
				if n < 20 {
					t.Errorf("echoed packets: %d", n)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("no echo")
			}

			// DTMF by RFC 4733: the callee's reader turns it into one event.
			if err := out.Send(ctx, call.Event{Kind: call.EventDTMF, Digit: '5', Duration: 120}); err != nil {
				t.Fatal(err)
			}
			ev := waitEvent(t, in, call.EventDTMF, 5*time.Second)
			if ev.Digit != '5' || ev.Duration == 0 {
				t.Errorf("DTMF event: %+v", ev)
			}
			// DTMF by INFO from the inbound side, which negotiated
			// telephone-event, still goes as RFC 4733; INFO via the
			// outbound leg's mode.
			if err := in.Send(ctx, call.Event{Kind: call.EventDTMF, Digit: '#'}); err != nil {
				t.Fatal(err)
			}

			if err := out.Hangup(ctx, call.LocalHangup); err != nil {
				t.Fatal(err)
			}
			hev := waitEvent(t, in, call.EventHangup, 5*time.Second)
			if hev.Cause != call.RemoteHangup {
				t.Errorf("callee hangup cause: %s", hev.Cause)
			}
			if c := waitDone(t, in, 5*time.Second); c != call.RemoteHangup {
				t.Errorf("callee leg cause: %s", c)
			}
			if c := waitDone(t, out, 5*time.Second); c != call.LocalHangup {
				t.Errorf("caller leg cause: %s", c)
			}
			if e.count() == 0 {
				t.Error("callee received no RTP")
			}
		})
	}
}

func TestLoopbackReject(t *testing.T) {
	tests := []struct {
		cause call.Cause
		want  call.Cause
	}{
		{call.Busy, call.Busy},
		{call.Rejected, call.Rejected},
		{call.NoRoute, call.NotFound},
		{call.Capacity, call.Unavailable},
		{call.CodecMismatch, call.CodecMismatch},
	}
	callee := startServer(t, testConfig(), nil, nil)
	caller := startServer(t, testConfig(), nil, nil)
	for _, tc := range tests {
		t.Run(tc.cause.String(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			errc := make(chan error, 1)
			go func() {
				_, err := caller.Dialer().Dial(ctx, sipTarget(callee, "UDP", "bob"), audioOffer(), nil)
				errc <- err
			}()
			in := callee.nextLeg(5 * time.Second)
			if err := in.Reject(ctx, tc.cause); err != nil {
				t.Fatal(err)
			}
			err := <-errc
			if got := call.CauseOf(err); got != tc.want {
				t.Errorf("dial error %v: cause %s, want %s", err, got, tc.want)
			}
			if c := waitDone(t, in, 5*time.Second); c != tc.cause {
				t.Errorf("inbound leg cause %s, want %s", c, tc.cause)
			}
		})
	}
}

func TestLoopbackCancel(t *testing.T) {
	callee := startServer(t, testConfig(), nil, nil)
	caller := startServer(t, testConfig(), nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	ringing := make(chan struct{}, 1)
	go func() {
		_, err := caller.Dialer().Dial(ctx, sipTarget(callee, "UDP", "bob"), audioOffer(), func(ev call.Event) {
			if ev.Kind == call.EventRinging {
				ringing <- struct{}{}
			}
		})
		errc <- err
	}()
	in := callee.nextLeg(5 * time.Second)
	if err := in.Ring(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-ringing
	cancel()
	if got := call.CauseOf(<-errc); got != call.LocalHangup {
		t.Errorf("dial cause %s, want local_hangup", got)
	}
	ev := waitEvent(t, in, call.EventHangup, 5*time.Second)
	if ev.Cause != call.LocalHangup {
		t.Errorf("callee hangup cause %s", ev.Cause)
	}
	if c := waitDone(t, in, 5*time.Second); c != call.LocalHangup {
		t.Errorf("callee cause %s", c)
	}
}

func TestLoopbackInviteTimeout(t *testing.T) {
	callee := startServer(t, testConfig(), nil, nil)
	cfg := testConfig()
	cfg.InviteTimeout = 700 * time.Millisecond
	caller := startServer(t, cfg, nil, nil)
	start := time.Now()
	errc := make(chan error, 1)
	go func() {
		_, err := caller.Dialer().Dial(context.Background(), sipTarget(callee, "UDP", "bob"), audioOffer(), nil)
		errc <- err
	}()
	in := callee.nextLeg(5 * time.Second)
	_ = in.Ring(context.Background())
	err := <-errc
	if got := call.CauseOf(err); got != call.Timeout {
		t.Errorf("dial: %v (cause %s), want timeout", err, got)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("timeout took %s", d)
	}
	if c := waitDone(t, in, 5*time.Second); c != call.LocalHangup {
		t.Errorf("callee cause %s, want local_hangup (CANCEL)", c)
	}
}

func TestLoopbackDelayedOffer(t *testing.T) {
	callee := startServer(t, testConfig(), nil, nil)
	caller := startServer(t, testConfig(), nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	dialed := make(chan call.Leg, 1)
	go func() {
		l, err := caller.Dialer().Dial(ctx, sipTarget(callee, "UDP", "bob"), call.Offer{}, nil)
		if err != nil {
			t.Error(err)
		}
		dialed <- l
	}()
	in := callee.nextLeg(5 * time.Second)
	if !in.Offer().Empty() {
		t.Fatalf("offer not empty: %+v", in.Offer())
	}
	// The callee offers in its 200; the caller answers in the ACK.
	streams := []call.Stream{{ID: "a", Role: call.RoleAudio, Codec: call.Codec{Name: "PCMA", PayloadType: 8, ClockRate: 8000, Channels: 1}}}
	if err := in.Accept(ctx, streams); err != nil {
		t.Fatal(err)
	}
	out := <-dialed
	if out == nil {
		t.FailNow()
	}
	if s := in.Streams(); len(s) != 1 || s[0].Codec.Name != "PCMA" {
		t.Errorf("callee streams: %+v", s)
	}
	if s := out.Streams(); len(s) != 1 || s[0].Codec.Name != "PCMA" {
		t.Errorf("caller streams: %+v", s)
	}
	_ = in.Hangup(ctx, call.LocalHangup)
	if c := waitDone(t, out, 5*time.Second); c != call.RemoteHangup {
		t.Errorf("caller cause %s", c)
	}
}

func TestLoopbackHoldAndRenegotiate(t *testing.T) {
	callee := startServer(t, testConfig(), nil, nil)
	caller := startServer(t, testConfig(), nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	dialed := make(chan call.Leg, 1)
	go func() {
		l, err := caller.Dialer().Dial(ctx, sipTarget(callee, "UDP", "bob"), audioOffer(), nil)
		if err != nil {
			t.Error(err)
		}
		dialed <- l
	}()
	in := callee.nextLeg(5 * time.Second)
	if err := answerFirst(ctx, in); err != nil {
		t.Fatal(err)
	}
	out := (<-dialed).(*Leg)

	// The caller puts the callee on hold, then resumes.
	if err := out.Send(ctx, call.Event{Kind: call.EventHold}); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, in, call.EventHold, 5*time.Second)
	if err := out.Send(ctx, call.Event{Kind: call.EventResume}); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, in, call.EventResume, 5*time.Second)

	// The callee renegotiates to PCMA: the caller sees a media change.
	offer := call.Offer{Streams: []call.StreamOffer{{ID: in.Streams()[0].ID, Role: call.RoleAudio,
		Codecs: []call.Codec{{Name: "PCMA", PayloadType: 8, ClockRate: 8000, Channels: 1}}}}}
	streams, err := in.Renegotiate(ctx, offer)
	if err != nil {
		t.Fatal(err)
	}
	if len(streams) != 1 || streams[0].Codec.Name != "PCMA" {
		t.Fatalf("renegotiated streams: %+v", streams)
	}
	waitEvent(t, out, call.EventMediaChange, 5*time.Second)
	if s := out.Streams(); s[0].Codec.Name != "PCMA" {
		t.Errorf("caller streams after re-INVITE: %+v", s)
	}
	_ = out.Hangup(ctx, call.LocalHangup)
	waitDone(t, in, 5*time.Second)
}

func TestLoopbackINFO(t *testing.T) {
	callee := startServer(t, testConfig(), nil, nil)
	caller := startServer(t, testConfig(), nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	dialed := make(chan call.Leg, 1)
	target := sipTarget(callee, "TCP", "bob")
	target.DTMF = call.DTMFInfo
	go func() {
		l, err := caller.Dialer().Dial(ctx, target, audioOffer(), nil)
		if err != nil {
			t.Error(err)
		}
		dialed <- l
	}()
	in := callee.nextLeg(5 * time.Second)
	if err := answerFirst(ctx, in); err != nil {
		t.Fatal(err)
	}
	out := <-dialed
	for _, d := range []byte("1*#") {
		if err := out.Send(ctx, call.Event{Kind: call.EventDTMF, Digit: d, Duration: 100}); err != nil {
			t.Fatal(err)
		}
		ev := waitEvent(t, in, call.EventDTMF, 5*time.Second)
		if ev.Digit != d || ev.Duration != 100 {
			t.Errorf("INFO DTMF: got %+v, want %q", ev, d)
		}
	}
	_ = out.Hangup(ctx, call.LocalHangup)
	waitDone(t, in, 5*time.Second)
}
