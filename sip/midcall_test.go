package sip

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
)

// connect places a call from caller to callee and answers it with the
// first offered codecs. It returns the outbound and inbound legs.
func connect(t *testing.T, caller, callee *testServer, target call.Target, offer call.Offer) (*Leg, *InboundLeg) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	type result struct {
		l   call.Leg
		err error
	}
	dialed := make(chan result, 1)
	go func() {
		l, err := caller.Dialer().Dial(ctx, target, offer, nil)
		dialed <- result{l, err}
	}()
	var in *InboundLeg
	select {
	case in = <-callee.legs:
	case r := <-dialed:
		t.Fatalf("dial ended before the call arrived: %v", r.err)
	}
	if err := answerFirst(ctx, in); err != nil {
		t.Fatal(err)
	}
	r := <-dialed
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.l.(*Leg), in
}

func TestGlareRetries(t *testing.T) {
	callee := startServer(t, testConfig(), nil, nil)
	caller := startServer(t, testConfig(), nil, nil)
	out, in := connect(t, caller, callee, sipTarget(callee, "UDP", "bob"), audioOffer())
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	pcma := []call.Codec{{Name: "PCMA", PayloadType: 8, ClockRate: 8000, Channels: 1}}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, l := range []*leg{out.leg, in.leg} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			offer := call.Offer{Streams: []call.StreamOffer{{ID: l.Streams()[0].ID, Role: call.RoleAudio, Codecs: pcma}}}
			_, errs[i] = l.Renegotiate(ctx, offer)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("side %d: %v", i, err)
		}
	}
	for _, l := range []call.Leg{out, in} {
		if s := l.Streams(); len(s) != 1 || s[0].Codec.Name != "PCMA" {
			t.Errorf("%s streams after both re-INVITEs: %+v", l.Direction(), s)
		}
	}
	_ = out.Hangup(ctx, call.LocalHangup)
	waitDone(t, in, 5*time.Second)
}

func TestSessionRefreshKeepsCall(t *testing.T) {
	cfg := testConfig()
	cfg.SessionTimer = SessionTimer{Enabled: true, Expires: 2 * time.Second, MinSE: time.Second}
	callee := startServer(t, cfg, nil, nil)
	caller := startServer(t, cfg, nil, nil)
	out, in := connect(t, caller, callee, sipTarget(callee, "UDP", "bob"), audioOffer())
	// Two intervals: without refreshes the callee would end the call.
	time.Sleep(4500 * time.Millisecond)
	if out.Err() != nil || in.Err() != nil {
		t.Fatalf("call ended: caller %v, callee %v", out.Err(), in.Err())
	}
	_ = out.Hangup(context.Background(), call.LocalHangup)
	if c := waitDone(t, in, 5*time.Second); c != call.RemoteHangup {
		t.Errorf("callee cause %s", c)
	}
}

func TestSessionIntervalTooSmall(t *testing.T) {
	calleeCfg := testConfig()
	calleeCfg.SessionTimer = SessionTimer{Enabled: true, Expires: 1800 * time.Second, MinSE: 120 * time.Second}
	callerCfg := testConfig()
	callerCfg.SessionTimer = SessionTimer{Enabled: true, Expires: 60 * time.Second, MinSE: 10 * time.Second}
	callee := startServer(t, calleeCfg, nil, nil)
	caller := startServer(t, callerCfg, nil, nil)
	out, in := connect(t, caller, callee, sipTarget(callee, "UDP", "bob"), audioOffer())
	// The 422 raised our request to the callee's Min-SE.
	if interval, _, _, active := out.timer.snapshot(); !active || interval != 120*time.Second {
		t.Errorf("caller's session interval %s (active %v), want 120s", interval, active)
	}
	if interval, _, _, active := in.timer.snapshot(); !active || interval != 120*time.Second {
		t.Errorf("callee's session interval %s (active %v), want 120s", interval, active)
	}
	_ = out.Hangup(context.Background(), call.LocalHangup)
	waitDone(t, in, 5*time.Second)
}

func TestMediaTimeout(t *testing.T) {
	media := testAllocator(t, 1200*time.Millisecond)
	callee := startServer(t, testConfig(), media, nil)
	caller := startServer(t, testConfig(), media, nil)
	out, in := connect(t, caller, callee, sipTarget(callee, "UDP", "bob"), audioOffer())
	start := time.Now()
	causes := map[call.Cause]int{}
	for _, l := range []call.Leg{out, in} {
		causes[waitDone(t, l, 10*time.Second)]++
	}
	if causes[call.MediaTimeout] == 0 {
		t.Errorf("causes %v, want media_timeout", causes)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("media timeout of 1.2s took %s", d)
	}
	if n := media.InUse(); n != 0 {
		t.Errorf("%d media sessions open after both legs ended", n)
	}
}

func TestKeyframeRequests(t *testing.T) {
	callee := startServer(t, testConfig(), nil, nil)
	caller := startServer(t, testConfig(), nil, nil)
	offer := audioOffer()
	offer.Streams = append(offer.Streams, call.StreamOffer{ID: "v", Role: call.RoleVideo,
		Codecs: []call.Codec{{Name: "H264", PayloadType: 96, ClockRate: 90000, FMTP: "profile-level-id=42e01f;packetization-mode=1"}}})
	target := sipTarget(callee, "UDP", "bob")
	target.Content = true
	out, in := connect(t, caller, callee, target, offer)
	var video string
	for _, s := range in.Streams() {
		if s.Role == call.RoleVideo {
			video = s.ID
		}
	}
	if video == "" {
		t.Fatalf("no video stream: %+v", in.Streams())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// SIP INFO picture_fast_update from the caller: the callee reports a
	// keyframe request for its video stream.
	req := out.dlg.newRequest(sip.INFO)
	req.AppendHeader(sip.NewHeader("Content-Type", ctMediaControl))
	req.SetBody([]byte(mediaControlPFU))
	res, err := out.send(ctx, req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("INFO: %v %v", res, err)
	}
	ev := waitEvent(t, in, call.EventKeyframeRequest, 5*time.Second)
	if ev.Stream != video {
		t.Errorf("keyframe request for stream %q, want %q", ev.Stream, video)
	}

	// RTCP PLI from the callee: the caller's session reports it. The
	// callee must have received media first (PLI names the media source).
	var e echo
	e.run(in)
	outVideo := ""
	for _, s := range out.Streams() {
		if s.Role == call.RoleVideo {
			outVideo = s.ID
		}
	}
	tr, _ := out.Track(outVideo)
	p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SSRC: 9}, Payload: []byte{0x65, 1, 2}}
	for i := range 5 {
		p.SequenceNumber = uint16(i)
		_ = tr.WriteRTP(&p)
	}
	for deadline := time.Now().Add(5 * time.Second); e.count() == 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if err := in.Send(ctx, call.Event{Kind: call.EventKeyframeRequest, Stream: video}); err != nil {
		t.Fatal(err)
	}
	ev = waitEvent(t, out, call.EventKeyframeRequest, 5*time.Second)
	if ev.Stream != outVideo {
		t.Errorf("caller's keyframe request for %q, want %q", ev.Stream, outVideo)
	}
	_ = out.Hangup(ctx, call.LocalHangup)
	waitDone(t, in, 5*time.Second)
}

func TestEarlyMedia(t *testing.T) {
	callee := startServer(t, testConfig(), nil, nil)
	caller := startServer(t, testConfig(), nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var mu sync.Mutex
	var progress []call.EventKind
	dialed := make(chan call.Leg, 1)
	go func() {
		l, err := caller.Dialer().Dial(ctx, sipTarget(callee, "UDP", "bob"), audioOffer(), func(ev call.Event) {
			mu.Lock()
			progress = append(progress, ev.Kind)
			mu.Unlock()
		})
		if err != nil {
			t.Error(err)
		}
		dialed <- l
	}()
	in := callee.nextLeg(5 * time.Second)
	streams := firstCodecs(in.Offer())
	if err := in.Progress(ctx, streams); err != nil {
		t.Fatal(err)
	}
	// Early media flows from the callee before the answer.
	if s := in.Streams(); len(s) != 1 {
		t.Fatalf("early streams %+v", s)
	}
	time.Sleep(100 * time.Millisecond)
	if err := in.Accept(ctx, streams); err != nil {
		t.Fatal(err)
	}
	out := <-dialed
	mu.Lock()
	got := append([]call.EventKind(nil), progress...)
	mu.Unlock()
	if len(got) == 0 || got[0] != call.EventProgress {
		t.Errorf("progress events %v, want progress", got)
	}
	if s := out.Streams(); len(s) != 1 || s[0].Codec.Name != "PCMU" {
		t.Errorf("caller streams %+v", s)
	}
	_ = out.Hangup(ctx, call.LocalHangup)
	waitDone(t, in, 5*time.Second)
}

func TestSRTPLoopback(t *testing.T) {
	for _, mode := range []call.SRTPMode{call.SRTPRequired, call.SRTPBestEffort} {
		t.Run(map[call.SRTPMode]string{call.SRTPRequired: "required", call.SRTPBestEffort: "best-effort"}[mode], func(t *testing.T) {
			callee := startServer(t, testConfig(), nil, nil)
			caller := startServer(t, testConfig(), nil, nil)
			target := sipTarget(callee, "TCP", "bob")
			target.SRTP = mode
			out, in := connect(t, caller, callee, target, audioOffer())
			for _, l := range []*leg{out.leg, in.leg} {
				l.mediaMu.Lock()
				secure := l.lines[0].sess.SRTP()
				proto := l.lines[0].local.Proto
				l.mediaMu.Unlock()
				if !secure {
					t.Errorf("%s: session not encrypted", l.dir)
				}
				if want := map[bool]string{true: "RTP/SAVP", false: "RTP/AVP"}[mode == call.SRTPRequired]; proto != want {
					t.Errorf("%s: proto %s, want %s", l.dir, proto, want)
				}
			}
			var e echo
			e.run(in)
			tr, _ := out.Track(out.Streams()[0].ID)
			got := make(chan int, 1)
			go func() {
				var p rtp.Packet
				n := 0
				for n < 10 {
					if tr.ReadRTP(&p) != nil {
						break
					}
					n++
				}
				got <- n
			}()
			for i := range 30 {
				p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: uint16(i), Timestamp: uint32(160 * i), SSRC: 5}, Payload: make([]byte, 160)}
				_ = tr.WriteRTP(&p)
				time.Sleep(5 * time.Millisecond)
			}
			select {
			case n := <-got:
				if n < 10 {
					t.Errorf("echoed %d packets through SRTP", n)
				}
			case <-time.After(5 * time.Second):
				t.Error("no SRTP echo")
			}
			_ = out.Hangup(context.Background(), call.LocalHangup)
			waitDone(t, in, 5*time.Second)
		})
	}
}

// TestManyCallsReleaseEverything places calls one after the other and
// checks that sockets and goroutines do not grow.
func TestManyCallsReleaseEverything(t *testing.T) {
	media := testAllocator(t, 0)
	callee := startServer(t, testConfig(), media, nil)
	caller := startServer(t, testConfig(), media, nil)
	call1 := func() {
		out, in := connect(t, caller, callee, sipTarget(callee, "UDP", "bob"), audioOffer())
		_ = out.Hangup(context.Background(), call.LocalHangup)
		waitDone(t, in, 5*time.Second)
		waitDone(t, out, 5*time.Second)
	}
	call1()
	time.Sleep(200 * time.Millisecond)
	base := runtime.NumGoroutine()
	for range 15 {
		call1()
	}
	if n := media.InUse(); n != 0 {
		t.Errorf("%d media sessions open after the calls", n)
	}
	var now int
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if now = runtime.NumGoroutine(); now <= base+5 {
			break
		}
	}
	if now > base+5 {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines grew from %d to %d after 15 calls\n%s", base, now, buf[:runtime.Stack(buf, true)])
	}
}
