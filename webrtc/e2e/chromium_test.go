package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/internal/testpeer"
)

// e2eDir holds the Node.js driver of the browser tests and its lock file.
const e2eDir = "testdata"

// requireBrowser returns the Chromium and Node.js binaries, with the
// driver's playwright-core installed (npm ci when it is missing; a
// failure to install skips locally and fails in CI).
func requireBrowser(t *testing.T) (chromium, node string) {
	t.Helper()
	chromium = testpeer.Require(t, "chromium", "chromium")
	node = testpeer.Require(t, "node", "nodejs")
	if _, err := os.Stat(filepath.Join(e2eDir, "node_modules", "playwright-core")); err != nil {
		npm := testpeer.Require(t, "npm", "npm")
		cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts")
		cmd.Dir = e2eDir
		cmd.Env = append(os.Environ(), "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			msg := "npm ci in " + e2eDir + " failed: " + err.Error() + "\n" + string(out)
			if testpeer.InCI() {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	return chromium, node
}

// e2eOutput is where browser tests leave screenshots:
// $SWITCHYARD_TEST_OUTPUT, else testdata/out (ignored by git).
func e2eOutput(t *testing.T) string {
	dir := os.Getenv("SWITCHYARD_TEST_OUTPUT")
	if dir == "" {
		dir = filepath.Join(e2eDir, "out")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// routeEchoOnly sends the echo alias to the echo service, "mirror" to a
// test leg that also reflects the presentation, and refuses every other
// alias with no_route.
func routeEchoOnly(t testing.TB) func(call.InboundLeg) {
	echo := echoAccept(t, nil)
	return func(in call.InboundLeg) {
		switch strings.ToLower(in.Incoming().Dialed) {
		case "echo":
			echo(in)
		case "mirror":
			go mirror(in)
		default:
			go func() { _ = in.Reject(context.Background(), call.NoRoute) }()
		}
	}
}

// mirror answers every offered stream, the presentation included, with its
// first codec and sends each stream's packets back on the same stream.
// The echo service carries only audio and main video; this carries content
// too, so that a browser sees its own presentation come back.
func mirror(in call.InboundLeg) {
	ctx := context.Background()
	var streams []call.Stream
	for _, so := range in.Offer().Streams {
		if so.Disabled || len(so.Codecs) == 0 {
			continue
		}
		streams = append(streams, call.Stream{ID: so.ID, Role: so.Role, Codec: so.Codecs[0], Direction: call.SendRecv})
	}
	if err := in.Accept(ctx, streams); err != nil {
		return
	}
	for _, s := range in.Streams() {
		tr, ok := in.Track(s.ID)
		if !ok {
			continue
		}
		go func() {
			var p rtp.Packet
			for tr.ReadRTP(&p) == nil {
				_ = tr.WriteRTP(&p)
			}
		}()
	}
	for ev := range in.Events() {
		if ev.Kind == call.EventKeyframeRequest {
			_ = in.Send(ctx, ev)
		}
	}
}

// webappResult is what the driver prints.
type webappResult struct {
	OK     bool   `json:"ok"`
	Error  string `json:"error"`
	Steps  []step `json:"steps"`
	Timing struct {
		Offer      float64 `json:"offer"`
		Answer     float64 `json:"answer"`
		Connected  float64 `json:"connected"`
		FirstFrame float64 `json:"firstFrame"`
	} `json:"timing"`
	Logs []string `json:"logs"`
}

type step struct {
	Name           string         `json:"name"`
	Phase          string         `json:"phase"`
	FramesDecoded  int            `json:"framesDecoded"`
	FrameWidth     int            `json:"frameWidth"`
	VideoCodec     string         `json:"videoCodec"`
	AudioCodec     string         `json:"audioCodec"`
	AudioEnergy    float64        `json:"audioEnergy"`
	Received       string         `json:"received"`
	FramesEncoded  int            `json:"framesEncoded"`
	Error          string         `json:"error"`
	Message        string         `json:"message"`
	Failure        map[string]any `json:"failure"`
	StatsRows      []string       `json:"statsRows"`
	Outbound       map[string]int `json:"outbound"`
	VideoPacketsLo int            `json:"videoPacketsLost"`
}

func (r *webappResult) step(name string) (step, bool) {
	for _, s := range r.Steps {
		if s.Name == name {
			return s, true
		}
	}
	return step{}, false
}

// TestChromiumWebApp loads the embedded web app in headless Chromium over
// HTTPS (self-signed certificate), dials echo with the fake camera and
// microphone, and checks through getStats that the browser decodes its own
// video and hears its own audio; then DTMF, a presentation, the in-call
// hang up; a presentation (screen share on the content transceiver) that
// comes back from a mirror leg; the in-call screenshot; and the user
// message of a refused call.
func TestChromiumWebApp(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	chromium, node := requireBrowser(t)
	cfg := testConfig()
	cfg.Listen = "127.0.0.1:0"
	cfg.ICE.UDP = "0.0.0.0:0"
	cfg.ICE.TCP = "0.0.0.0:0"
	srv, _ := runServer(t, cfg, routeEchoOnly(t))
	base := ""
	for _, a := range srv.Addrs() {
		if v, ok := strings.CutPrefix(a, "https "); ok {
			base = "https://" + v
		}
	}
	shot := filepath.Join(e2eOutput(t), "webapp-incall.png")
	_ = os.Remove(shot)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "webapp.mjs", base, shot)
	cmd.Dir = e2eDir
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("driver: %v\n%s", err, out)
	}
	var res webappResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("driver output: %v\n%s", err, out)
	}
	if !res.OK {
		t.Fatalf("browser run failed: %s\nsteps: %+v\nlogs: %v", res.Error, res.Steps, res.Logs)
	}

	media, _ := res.step("media")
	t.Logf("echo in Chromium: %d frames decoded (%dpx wide, %s), audio %s energy %.4f; stats rows %v",
		media.FramesDecoded, media.FrameWidth, media.VideoCodec, media.AudioCodec, media.AudioEnergy, mustStep(t, &res, "screenshot").StatsRows)
	if media.FramesDecoded < 30 || media.AudioEnergy <= 0 {
		t.Errorf("media: %+v", media)
	}
	if !strings.EqualFold(media.VideoCodec, "video/VP8") || !strings.EqualFold(media.AudioCodec, "audio/opus") {
		t.Errorf("codecs %s and %s, want Chrome's first choices VP8 and Opus relayed", media.VideoCodec, media.AudioCodec)
	}
	tm := res.Timing
	if tm.FirstFrame > 0 {
		t.Logf("offer → answer %.0f ms, → connected %.0f ms, → first frame %.0f ms",
			tm.Answer-tm.Offer, tm.Connected-tm.Offer, tm.FirstFrame-tm.Offer)
	}
	if d := mustStep(t, &res, "dtmf"); !strings.Contains(d.Received, "5#") {
		t.Errorf("dtmf echoed %q, want 5#", d.Received)
	}
	if p := mustStep(t, &res, "present"); p.FramesEncoded <= 10 || p.FramesDecoded <= 5 {
		t.Errorf("presentation: %+v", p)
	} else {
		t.Logf("presentation: %d frames sent on the content transceiver, %d came back and were shown", p.FramesEncoded, p.FramesDecoded)
	}
	if fi, err := os.Stat(shot); err != nil || fi.Size() < 10000 {
		t.Errorf("screenshot %s: %v", shot, err)
	} else {
		t.Logf("screenshot: %s (%d bytes)", shot, fi.Size())
	}
	refused := mustStep(t, &res, "refused")
	if want := call.NoRoute.Entry().User; strings.TrimSpace(refused.Message) != want {
		t.Errorf("refused call shows %q, want the cause's user message %q", refused.Message, want)
	}
	waitLegs(t, srv, 0)
}

func mustStep(t *testing.T, r *webappResult, name string) step {
	t.Helper()
	s, ok := r.step(name)
	if !ok {
		t.Fatalf("the driver did not report step %q", name)
	}
	return s
}

// TestChromiumEchoFirstFrame measures, over ten echo calls in one
// Chromium page, the time from the web app's offer to the first frame of
// its own video shown back (requestVideoFrameCallback): the whole path of
// signalling, ICE, DTLS, the browser's encoder, the relay and its decoder.
func TestChromiumEchoFirstFrame(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	chromium, node := requireBrowser(t)
	cfg := testConfig()
	cfg.ICE.UDP = "0.0.0.0:0"
	srv, base := runServer(t, cfg, routeEchoOnly(t))
	const calls = 10
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "latency.mjs", strings.Replace(base, "127.0.0.1", "localhost", 1), fmt.Sprint(calls))
	cmd.Dir = e2eDir
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("driver: %v\n%s", err, out)
	}
	var res struct {
		OK      bool      `json:"ok"`
		Error   string    `json:"error"`
		Samples []float64 `json:"samples"`
		Phases  []struct {
			Answer, Connected float64
		} `json:"phases"`
	}
	if err := json.Unmarshal(out, &res); err != nil || !res.OK || len(res.Samples) != calls {
		t.Fatalf("driver: %v %s\n%s", err, res.Error, out)
	}
	s := slices.Clone(res.Samples)
	slices.Sort(s)
	p50, p99 := s[len(s)/2], s[len(s)-1]
	t.Logf("offer → first echoed frame over %d calls: p50 %.0f ms, p99 (max) %.0f ms; samples %v", calls, p50, p99, roundAll(res.Samples))
	t.Logf("offer → answer applied / ICE connected: %v", res.Phases)
	// The target is 300 ms at p50 and p99 on an idle loopback machine;
	// under a shared CI load only a clear regression fails the test.
	switch {
	case p50 >= 600:
		t.Errorf("p50 %.0f ms: far above the 300 ms target", p50)
	case p50 >= 300 || p99 >= 300:
		t.Logf("above the 300 ms target (p50 %.0f, p99 %.0f): the machine may be loaded", p50, p99)
	}
	waitLegs(t, srv, 0)
}

func roundAll(v []float64) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x + 0.5)
	}
	return out
}
