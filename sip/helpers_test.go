package sip

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/rtpio"
)

// testServer is a Server listening on loopback with its accept function.
type testServer struct {
	*Server
	t      testing.TB
	legs   chan *InboundLeg
	cancel context.CancelFunc
	done   chan error
}

// testLogger logs to the test output when SIP_TEST_LOG is set.
func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("SIP_TEST_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// testConfig listens on free loopback ports and turns the registrar off.
func testConfig() Config {
	cfg := DefaultConfig()
	cfg.Listen = Listen{UDP: "127.0.0.1:0", TCP: "127.0.0.1:0"}
	cfg.Registrar.Enabled = false
	cfg.InviteTimeout = 10 * time.Second
	return cfg
}

// testAllocator opens media ports on loopback from a random range.
func testAllocator(t testing.TB, mediaTimeout time.Duration) *rtpio.Allocator {
	t.Helper()
	// A wide range: ports other programs hold are skipped.
	first := 20000 + 2*rand.IntN(7000)
	a, err := rtpio.NewAllocator(rtpio.Config{
		RTPPorts:     fmt.Sprintf("%d-%d", first, first+3999),
		MediaTimeout: mediaTimeout,
		BindIP:       "127.0.0.1",
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// sharedAllocator is one allocator per test, shared by its servers so that
// their port ranges never overlap.
var sharedAllocators sync.Map

func allocatorFor(t testing.TB) *rtpio.Allocator {
	if a, ok := sharedAllocators.Load(t.Name()); ok {
		return a.(*rtpio.Allocator)
	}
	a := testAllocator(t, 0)
	sharedAllocators.Store(t.Name(), a)
	// Registered before any server's stop, so it runs after all of them.
	t.Cleanup(func() {
		sharedAllocators.Delete(t.Name())
		if n := a.InUse(); n != 0 {
			t.Errorf("%d media sessions still open after the servers stopped", n)
		}
	})
	return a
}

// startServer runs a server whose accept function hands legs to the test
// (or to accept when given).
func startServer(t testing.TB, cfg Config, media *rtpio.Allocator, accept func(*InboundLeg)) *testServer {
	t.Helper()
	if media == nil {
		media = allocatorFor(t)
	}
	s, err := NewServer(cfg, media, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ts := &testServer{Server: s, t: t, legs: make(chan *InboundLeg, 16), cancel: cancel, done: make(chan error, 1)}
	go func() {
		ts.done <- s.Run(ctx, func(l call.InboundLeg) {
			il := l.(*InboundLeg)
			if accept != nil {
				accept(il)
				return
			}
			ts.legs <- il
		})
	}()
	select {
	case <-s.ready:
	case <-time.After(5 * time.Second):
		t.Fatal("server did not start")
	}
	t.Cleanup(ts.stop)
	return ts
}

func (ts *testServer) stop() {
	ts.cancel()
	select {
	case err := <-ts.done:
		if err != nil {
			ts.t.Errorf("Run: %v", err)
		}
	case <-time.After(15 * time.Second):
		ts.t.Error("server did not stop")
	}
}

// addr returns the bound address of a transport.
func (ts *testServer) addr(transport string) netip.AddrPort {
	a, ok := ts.listenAddr(transport)
	if !ok {
		ts.t.Fatalf("no %s listener", transport)
	}
	return a
}

// nextLeg waits for the next inbound leg.
func (ts *testServer) nextLeg(timeout time.Duration) *InboundLeg {
	ts.t.Helper()
	select {
	case l := <-ts.legs:
		return l
	case <-time.After(timeout):
		ts.t.Fatal("no inbound call arrived")
		return nil
	}
}

// answerFirst accepts an inbound leg with the first offered codec of every
// enabled stream.
func answerFirst(ctx context.Context, l *InboundLeg) error {
	return l.Accept(ctx, firstCodecs(l.Offer()))
}

func firstCodecs(o call.Offer) []call.Stream {
	var streams []call.Stream
	for _, so := range o.Streams {
		if so.Disabled || len(so.Codecs) == 0 {
			continue
		}
		streams = append(streams, call.Stream{ID: so.ID, Role: so.Role, Codec: so.Codecs[0], Direction: so.Direction})
	}
	return streams
}

// echo loops every stream's RTP back to the far side until the leg ends,
// counting packets.
type echo struct {
	mu      sync.Mutex
	packets int
}

func (e *echo) run(l call.Leg) {
	for _, s := range l.Streams() {
		tr, ok := l.Track(s.ID)
		if !ok {
			continue
		}
		go func() {
			var p rtp.Packet
			for {
				if err := tr.ReadRTP(&p); err != nil {
					return
				}
				e.mu.Lock()
				e.packets++
				e.mu.Unlock()
				if err := tr.WriteRTP(&p); err != nil {
					return
				}
			}
		}()
	}
}

func (e *echo) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.packets
}

// waitEvent reads events until one of kind arrives.
func waitEvent(t testing.TB, l call.Leg, kind call.EventKind, timeout time.Duration) call.Event {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case ev, ok := <-l.Events():
			if !ok {
				t.Fatalf("events closed while waiting for %s (leg error: %v)", kind, l.Err())
			}
			if ev.Kind == kind {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %s event within %s", kind, timeout)
		}
	}
}

// waitDone waits for a leg to finish and returns its cause.
func waitDone(t testing.TB, l call.Leg, timeout time.Duration) call.Cause {
	t.Helper()
	select {
	case <-l.Done():
		return call.CauseOf(l.Err())
	case <-time.After(timeout):
		t.Fatalf("leg %s did not end within %s", l.ID(), timeout)
		return call.CauseNone
	}
}

// audioOffer is an offer of PCMU and PCMA.
func audioOffer() call.Offer {
	return call.Offer{Streams: []call.StreamOffer{{ID: "a", Role: call.RoleAudio, Codecs: []call.Codec{
		{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1},
		{Name: "PCMA", PayloadType: 8, ClockRate: 8000, Channels: 1},
	}}}}
}

// sipTarget is a target at a test server.
func sipTarget(ts *testServer, transport, user string) call.Target {
	a := ts.addr(strings.ToLower(transport))
	return call.Target{
		Protocol:  call.ProtocolSIP,
		URI:       fmt.Sprintf("sip:%s@%s", user, a),
		Transport: transport,
		Caller:    "alice",
		DTMF:      call.DTMFRFC4733,
	}
}
