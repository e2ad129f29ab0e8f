package interop

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// browserMedia is what a driver reports of the far side's media.
type browserMedia struct {
	FramesDecoded int     `json:"framesDecoded"`
	FrameWidth    int     `json:"frameWidth"`
	VideoCodec    string  `json:"videoCodec"`
	AudioEnergy   float64 `json:"audioEnergy"`
	AudioCodec    string  `json:"audioCodec"`
}

// runDriver runs a Node.js driver in e2eDir and decodes its JSON output.
func runDriver(t *testing.T, script string, args ...string) struct {
	OK      bool         `json:"ok"`
	Error   string       `json:"error"`
	Media   browserMedia `json:"media"`
	Deleted int          `json:"deleted"`
} {
	t.Helper()
	chromium, node := requireBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{script}, args...)...)
	cmd.Dir = e2eDir
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("driver %s: %v\n%s", script, err, out)
	}
	var res struct {
		OK      bool         `json:"ok"`
		Error   string       `json:"error"`
		Media   browserMedia `json:"media"`
		Deleted int          `json:"deleted"`
	}
	if err := json.Unmarshal(out, &res); err != nil || !res.OK {
		t.Fatalf("driver %s: %v %s\n%s", script, err, res.Error, out)
	}
	return res
}

// TestWebAppDialsTestsrc: the web app in Chromium dials the gateway's
// test pattern service and decodes its video and hears its tone.
func TestWebAppDialsTestsrc(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	requireBrowser(t)
	base, records := startGateway(t, 9, "0.0.0.0:0")
	res := runDriver(t, "appcall.mjs", strings.Replace(base, "127.0.0.1", "localhost", 1), "testsrc")
	m := res.Media
	t.Logf("testsrc in the web app: %d frames (%dpx, %s), audio %s energy %.3f", m.FramesDecoded, m.FrameWidth, m.VideoCodec, m.AudioCodec, m.AudioEnergy)
	select {
	case r := <-records:
		t.Logf("record: service %q, cause %s, %d stream directions", r.Service, r.Cause, len(r.Streams))
	case <-time.After(15 * time.Second):
		t.Fatal("no call record")
	}
}

// TestWHEPPlaysTestsrc: Chromium plays /whep/testsrc through the gateway.
func TestWHEPPlaysTestsrc(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	requireBrowser(t)
	base, records := startGateway(t, 9, "0.0.0.0:0")
	res := runDriver(t, "whepplay.mjs", strings.Replace(base, "127.0.0.1", "localhost", 1), "testsrc")
	m := res.Media
	t.Logf("testsrc over WHEP: %d frames (%dpx, %s), audio %s energy %.3f", m.FramesDecoded, m.FrameWidth, m.VideoCodec, m.AudioCodec, m.AudioEnergy)
	if res.Deleted != 200 {
		t.Errorf("DELETE: %d", res.Deleted)
	}
	select {
	case r := <-records:
		t.Logf("record: service %q, cause %s", r.Service, r.Cause)
	case <-time.After(15 * time.Second):
		t.Fatal("no call record")
	}
}
