package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/bridge"
	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/service"
	"github.com/switchyard/switchyard/webrtc"
)

// testLog is quiet unless SWITCHYARD_TEST_LOG is set.
func testLog() *slog.Logger {
	if os.Getenv("SWITCHYARD_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// testConfig serves plain HTTP and ICE on loopback, on free ports.
func testConfig() webrtc.Config {
	c := webrtc.DefaultConfig()
	c.Listen = ""
	c.HTTPListen = "127.0.0.1:0"
	c.ICE.UDP = "127.0.0.1:0"
	c.ICE.TCP = ""
	return c
}

// runServer starts a server and returns it and its plain-HTTP base URL.
func runServer(t testing.TB, cfg webrtc.Config, accept func(call.InboundLeg)) (*webrtc.Server, string) {
	t.Helper()
	s, err := webrtc.NewServer(cfg, testLog())
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, accept) }()
	select {
	case <-s.Ready():
	case err := <-done:
		cancel()
		t.Fatalf("Run: %v", err)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("the server did not start")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("Run did not return")
		}
	})
	return s, baseURL(t, s, "http")
}

// baseURL is the server's URL for a scheme of its listeners.
func baseURL(t testing.TB, s *webrtc.Server, scheme string) string {
	t.Helper()
	for _, a := range s.Addrs() {
		if v, ok := strings.CutPrefix(a, scheme+" "); ok {
			return scheme + "://" + v
		}
	}
	t.Fatalf("no %s listener in %v", scheme, s.Addrs())
	return ""
}

// echoAccept does what the gateway does for the echo alias: the echo
// service answers the caller's offer, the caller is answered with its own
// codec entries of the formats the echo took, and the bridge joins the two
// legs. Each call's bridge result goes to results, if not nil.
func echoAccept(t testing.TB, results chan<- bridge.Result) func(call.InboundLeg) {
	return func(in call.InboundLeg) {
		go func() {
			ctx := context.Background()
			echo := service.NewEcho(in.ID()+"-echo", in.Offer())
			streams, err := answerStreams(in.Offer(), echo.Streams())
			if err == nil {
				err = in.Accept(ctx, streams)
			}
			if err != nil {
				_ = in.Reject(ctx, call.CauseOf(err))
				_ = echo.Hangup(ctx, call.CauseOf(err))
				return
			}
			res := bridge.Join(ctx, in, echo, bridge.JoinOptions{Log: testLog(), MediaTimeout: 20 * time.Second})
			if results != nil {
				results <- res
			}
		}()
	}
}

// answerStreams is the gateway's answer rule: per offered stream, the
// caller's own codec entry of the format the far side chose.
func answerStreams(offer call.Offer, out []call.Stream) ([]call.Stream, error) {
	var streams []call.Stream
	for _, so := range offer.Streams {
		if so.Disabled {
			continue
		}
		for _, os := range out {
			if os.Role != so.Role {
				continue
			}
			if c := call.Common(so.Codecs, []call.Codec{os.Codec}); len(c) > 0 {
				streams = append(streams, call.Stream{ID: so.ID, Role: so.Role, Codec: c[0], Direction: os.Direction})
			}
			break
		}
	}
	if len(streams) == 0 {
		return nil, fmt.Errorf("no common codec: %w", call.Errorf(call.CodecMismatch, "no stream left"))
	}
	return streams, nil
}

// waitLegs waits until the server holds n legs.
func waitLegs(t testing.TB, s *webrtc.Server, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.Legs() != n {
		if time.Now().After(deadline) {
			t.Fatalf("the server holds %d legs, want %d", s.Legs(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
