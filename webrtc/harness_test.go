package webrtc

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/webrtc/internal/webclient"
)

// testLog is a logger for tests: quiet unless SWITCHYARD_TEST_LOG is set.
func testLog() *slog.Logger {
	if os.Getenv("SWITCHYARD_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// testConfig serves plain HTTP and ICE on loopback with ephemeral ports.
func testConfig() Config {
	c := DefaultConfig()
	c.Listen = ""
	c.HTTPListen = "127.0.0.1:0"
	c.ICE.UDP = "127.0.0.1:0"
	c.ICE.TCP = ""
	c.ICE.ConnectTimeout = 10 * time.Second
	return c
}

// runServer starts a server with accept and returns it and its base URL.
func runServer(t testing.TB, cfg Config, accept func(call.InboundLeg)) (*Server, string) {
	t.Helper()
	s, err := NewServer(cfg, testLog())
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
	base := ""
	for _, a := range s.Addrs() {
		if v, ok := strings.CutPrefix(a, "http "); ok {
			base = "http://" + v
		}
	}
	if base == "" {
		t.Fatalf("no http listener in %v", s.Addrs())
	}
	return s, base
}

// loopResult is how a looped call ended and what it carried.
type loopResult struct {
	Cause   call.Cause
	Packets map[call.Role]int
}

// echoAccept answers every call as the echo service does, without the
// bridge: for each audio and video stream the caller's first codec, its
// packets sent back on the same stream, DTMF, chat and keyframe requests
// reflected. (The gateway's own echo, service.NewEcho joined by
// bridge.Join, is exercised by package e2e.) When the call ends its result
// goes to results, if not nil.
func echoAccept(t testing.TB, results chan<- loopResult) func(call.InboundLeg) {
	return func(in call.InboundLeg) {
		go func() {
			ctx := context.Background()
			var streams []call.Stream
			for _, so := range in.Offer().Streams {
				if so.Disabled || (so.Role != call.RoleAudio && so.Role != call.RoleVideo) {
					continue
				}
				for _, c := range so.Codecs {
					if !isTelephoneEvent(c.Name) {
						streams = append(streams, call.Stream{ID: so.ID, Role: so.Role, Codec: c, Direction: call.SendRecv})
						break
					}
				}
			}
			if err := in.Accept(ctx, streams); err != nil {
				_ = in.Reject(ctx, call.CauseOf(err))
				return
			}
			res := loopResult{Packets: map[call.Role]int{}}
			var mu sync.Mutex
			var wg sync.WaitGroup
			for _, s := range in.Streams() {
				tr, _ := in.Track(s.ID)
				wg.Add(1)
				go func() {
					defer wg.Done()
					var p rtp.Packet
					for tr.ReadRTP(&p) == nil {
						_ = tr.WriteRTP(&p)
						mu.Lock()
						res.Packets[s.Role]++
						mu.Unlock()
					}
				}()
			}
			for ev := range in.Events() {
				switch ev.Kind {
				case call.EventDTMF, call.EventChat, call.EventKeyframeRequest:
					_ = in.Send(ctx, ev)
				case call.EventHangup:
					res.Cause = ev.Cause
				}
			}
			wg.Wait()
			if res.Cause == call.CauseNone {
				res.Cause = call.CauseOf(in.Err())
			}
			if results != nil {
				results <- res
			}
		}()
	}
}

// answerStreams is the gateway's answer rule: for each offered stream, the
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
		return nil, call.Errorf(call.CodecMismatch, "no common codec")
	}
	return streams, nil
}

// rejectAccept refuses every call with cause.
func rejectAccept(cause call.Cause) func(call.InboundLeg) {
	return func(in call.InboundLeg) {
		go func() { _ = in.Reject(context.Background(), cause) }()
	}
}

// Short names for the browser stand-in's helpers.

func clientAPI(t testing.TB) *webrtc.API { return webclient.API(t) }

func openEvents(t testing.TB, url string) *webclient.Events { return webclient.OpenEvents(t, url) }

func pump(ctx context.Context, audio, video *webrtc.TrackLocalStaticRTP) {
	webclient.Pump(ctx, audio, video)
}

func rtpPacket(pt uint8, seq uint16, ts uint32, payload string) *rtp.Packet {
	return webclient.Packet(pt, seq, ts, payload)
}
