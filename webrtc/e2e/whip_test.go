package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/switchyard/switchyard/bridge"
	"github.com/switchyard/switchyard/call"
)

// studio joins WHEP players to the WHIP publisher of the same alias with
// the bridge: the test's stand-in for a rule that sends a WHEP player to a
// live source.
type studio struct {
	t      testing.TB
	mu     sync.Mutex
	pub    call.InboundLeg
	ready  chan struct{}
	result chan bridge.Result
}

func newStudio(t testing.TB) *studio {
	return &studio{t: t, ready: make(chan struct{}), result: make(chan bridge.Result, 1)}
}

func (s *studio) accept(in call.InboundLeg) {
	go func() {
		ctx := context.Background()
		sends := false
		for _, so := range in.Offer().Streams {
			sends = sends || (!so.Disabled && so.Direction.Sends())
		}
		if sends { // a publisher: take its first codecs and wait for players
			var streams []call.Stream
			for _, so := range in.Offer().Streams {
				if !so.Disabled && len(so.Codecs) > 0 {
					streams = append(streams, call.Stream{ID: so.ID, Role: so.Role, Codec: so.Codecs[0], Direction: so.Direction})
				}
			}
			if err := in.Accept(ctx, streams); err != nil {
				s.t.Errorf("publisher: %v", err)
				return
			}
			s.mu.Lock()
			s.pub = in
			s.mu.Unlock()
			close(s.ready)
			return
		}
		select { // a player: relay the publisher's formats
		case <-s.ready:
		case <-time.After(10 * time.Second):
			_ = in.Reject(ctx, call.NotFound)
			return
		}
		s.mu.Lock()
		pub := s.pub
		s.mu.Unlock()
		streams, err := answerStreams(in.Offer(), pub.Streams())
		if err == nil {
			err = in.Accept(ctx, streams)
		}
		if err != nil {
			s.t.Errorf("player: %v", err)
			_ = in.Reject(ctx, call.CauseOf(err))
			return
		}
		s.result <- bridge.Join(ctx, in, pub, bridge.JoinOptions{Log: testLog()})
	}()
}

// TestChromiumWHIPToWHEP: Chromium publishes its camera and microphone
// over WHIP; a second Chromium page plays the same alias over WHEP, and
// decodes the video and hears the audio relayed through the bridge (the
// player's keyframe request reaches the publisher).
func TestChromiumWHIPToWHEP(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	chromium, node := requireBrowser(t)
	cfg := testConfig()
	cfg.Listen = "127.0.0.1:0"
	cfg.ICE.UDP = "0.0.0.0:0"
	st := newStudio(t)
	srv, _ := runServer(t, cfg, st.accept)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "whipwhep.mjs", baseURL(t, srv, "https"), "studio")
	cmd.Dir = e2eDir
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("driver: %v\n%s", err, out)
	}
	var res struct {
		OK     bool   `json:"ok"`
		Error  string `json:"error"`
		Player struct {
			FramesDecoded int     `json:"framesDecoded"`
			FrameWidth    int     `json:"frameWidth"`
			VideoCodec    string  `json:"videoCodec"`
			AudioEnergy   float64 `json:"audioEnergy"`
			AudioCodec    string  `json:"audioCodec"`
			PLICount      int     `json:"pliCount"`
		} `json:"player"`
		PlayDelete    int `json:"playDelete"`
		PublishDelete int `json:"publishDelete"`
	}
	if err := json.Unmarshal(out, &res); err != nil || !res.OK {
		t.Fatalf("browser run: %v %s\n%s", err, res.Error, out)
	}
	p := res.Player
	t.Logf("WHEP player decoded %d frames (%dpx, %s), audio %s energy %.3f, sent %d PLIs", p.FramesDecoded, p.FrameWidth, p.VideoCodec, p.AudioCodec, p.AudioEnergy, p.PLICount)
	if res.PlayDelete != 200 {
		t.Errorf("WHEP DELETE: %d", res.PlayDelete)
	}
	select {
	case r := <-st.result:
		relayed := map[call.Role]uint64{}
		for _, s := range r.Streams {
			if s.Path == bridge.PathRelay {
				relayed[s.Role] += s.Packets
			}
		}
		if relayed[call.RoleAudio] == 0 || relayed[call.RoleVideo] == 0 {
			t.Errorf("relayed %v", relayed)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the bridge did not end")
	}
	waitLegs(t, srv, 0)
}
