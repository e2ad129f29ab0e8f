package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/switchyard/switchyard/bridge"
	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/config"
	"github.com/switchyard/switchyard/gateway"
	"github.com/switchyard/switchyard/internal/testpeer"
	"github.com/switchyard/switchyard/webrtc/internal/webclient"
)

func testLog() *slog.Logger {
	if os.Getenv("SWITCHYARD_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// sippCallee runs SIPp as the callee with a scenario from testdata and RTP
// echo on its media ports; wait returns its exit error.
type sippCallee struct {
	port, mediaPort int
	out             bytes.Buffer
	done            chan struct{} // closed when SIPp has exited
	err             error
}

func startCallee(t *testing.T, scenario string) *sippCallee {
	t.Helper()
	bin := testpeer.Require(t, "sipp", "sip-tester")
	c := &sippCallee{port: freePort(t, "udp"), mediaPort: freeMediaPorts(t), done: make(chan struct{})}
	sf, _ := filepath.Abs(filepath.Join("testdata", scenario))
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	cmd := exec.CommandContext(ctx, bin, "-sf", sf, "-i", "127.0.0.1", "-p", strconv.Itoa(c.port),
		"-mi", "127.0.0.1", "-mp", strconv.Itoa(c.mediaPort), "-rtp_echo", "-m", "1", "-nostdin",
		"-timeout", "45", "-timeout_error", "-trace_err", "-error_file", filepath.Join(dir, "errors.log"))
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = &c.out, &c.out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("sipp: %v", err)
	}
	go func() { c.err = cmd.Wait(); cancel(); close(c.done) }()
	t.Cleanup(func() {
		cancel()
		<-c.done
	})
	return c
}

func freePort(t *testing.T, network string) int {
	t.Helper()
	c, err := net.ListenPacket(network, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// freeMediaPorts finds an even port p with p and p+2 free (SIPp echoes
// audio on p and video on p+2).
func freeMediaPorts(t *testing.T) int {
	t.Helper()
	for range 50 {
		p := freePort(t, "udp") &^ 1
		ok := true
		for _, q := range []int{p, p + 2} {
			c, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", q))
			if err != nil {
				ok = false
				break
			}
			c.Close()
		}
		if ok {
			return p
		}
	}
	t.Fatal("no free media ports")
	return 0
}

// startGateway runs a gateway with the SIP protocol, the WebRTC leg (ICE
// on iceUDP) and a rule that sends the alias "callee" to SIPp; it returns
// the web base URL and the channel of call records.
func startGateway(t *testing.T, calleePort int, iceUDP string) (string, <-chan gateway.Record) {
	t.Helper()
	sipPort := freePort(t, "udp")
	yml := fmt.Sprintf(`
api:
  listen: ""
sip:
  listen: {udp: "127.0.0.1:%d", tcp: "", tls: ""}
webrtc:
  listen: ""
  http_listen: "127.0.0.1:0"
  ice: {udp: "%s", tcp: ""}
gateway:
  shutdown_grace: 1s
dialplan:
  rules:
    - name: callee
      priority: 10
      match: 'callee'
      replace: 'sip:callee@127.0.0.1:%d'
      target: sip
      srtp: "off"
`, sipPort, iceUDP, calleePort)
	cfg, err := config.Parse("interop.yaml", []byte(yml))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	g, err := gateway.FromConfig(cfg, gateway.Options{Logger: testLog()})
	if err != nil {
		t.Fatal(err)
	}
	records := make(chan gateway.Record, 4)
	g.OnRecord(func(r gateway.Record) { records <- r })
	if err := g.BuildProtocols(); err != nil {
		t.Fatalf("protocols: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- g.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			t.Error("the gateway did not stop")
		}
	})
	// The gateway's WebRTC server (built from the webrtc section) lists its
	// plain-HTTP listener once it is bound.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("gateway: %v", err)
		default:
		}
		for _, a := range g.Status().Listeners {
			if v, ok := strings.CutPrefix(a, "http "); ok {
				return "http://" + v, records
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no web listener")
	return "", nil
}

// TestBrowserToSIPCalleeRelays: a browser offering (among others) PCMU and
// H.264 dials a SIP callee through a dial-plan rule; the callee (SIPp)
// answers PCMU and H.264 and echoes both; the browser gets its own audio
// and video back, and the call record shows both streams relayed, not
// transcoded.
func TestBrowserToSIPCalleeRelays(t *testing.T) {
	callee := startCallee(t, "uas_av.xml")
	base, records := startGateway(t, callee.port, "127.0.0.1:0")
	h264 := webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000,
		SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"}
	pcmu := webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000}
	b := webclient.NewWith(t, webclient.API(t), base, pcmu, h264)
	if st, body := b.Dial("callee", nil); st != http.StatusCreated {
		t.Fatalf("create call: %d %s", st, body)
	}
	b.Answer(20 * time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go webclient.Pump(ctx, b.Audio, b.Video)
	b.WaitMedia(25, 12, 15*time.Second)
	for _, kind := range []string{"audio", "video"} {
		for _, p := range b.Payloads(kind) {
			if !strings.HasPrefix(string(p), kind+"-") {
				t.Fatalf("%s came back as %q: not the browser's own media", kind, p)
			}
		}
	}
	if st, _ := b.Request("DELETE", "", nil); st != http.StatusNoContent {
		t.Fatal("hangup failed")
	}
	select {
	case <-callee.done:
		if callee.err != nil {
			t.Errorf("sipp: %v\n%s", callee.err, callee.out.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("sipp did not finish (no BYE?)\n%s", callee.out.String())
	}
	select {
	case r := <-records:
		paths := map[string]string{}
		for _, s := range r.Streams {
			paths[s.Role.String()+" "+s.From] = s.Path + " " + s.Codec.Name
		}
		t.Logf("call record: cause %s, streams %v", r.Cause, paths)
		for _, s := range r.Streams {
			if (s.Role == call.RoleAudio || s.Role == call.RoleVideo) && s.Path != bridge.PathRelay {
				t.Errorf("%s from %s went %s, want relay", s.Role, s.From, s.Path)
			}
		}
		if len(r.Streams) < 4 {
			t.Errorf("record has %d stream directions, want audio and video both ways", len(r.Streams))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no call record")
	}
}

// e2eDir holds the Node.js browser drivers (and their playwright-core).
const e2eDir = "../e2e/testdata"

// requireBrowser returns Chromium and Node.js with the driver's
// playwright-core installed (skipped locally when missing, failed in CI).
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
			if testpeer.InCI() {
				t.Fatalf("npm ci: %v\n%s", err, out)
			}
			t.Skipf("npm ci: %v\n%s", err, out)
		}
	}
	return chromium, node
}

// TestBrowserOpusToG711CalleeTranscodes: Chromium offers Opus only and
// dials a G.711-only SIP callee (SIPp, echoing); the gateway transcodes
// Opus to PCMU and back, the browser hears the callee's audio, and the
// call record shows the transcode path.
func TestBrowserOpusToG711CalleeTranscodes(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	chromium, node := requireBrowser(t)
	callee := startCallee(t, "uas_pcmu.xml")
	base, records := startGateway(t, callee.port, "0.0.0.0:0")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "opuscall.mjs", strings.Replace(base, "127.0.0.1", "localhost", 1), "callee")
	cmd.Dir = e2eDir
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("driver: %v\n%s", err, out)
	}
	var res struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
		Call  struct {
			OfferedAudio string `json:"offeredAudio"`
		} `json:"call"`
		Audio struct {
			Packets int     `json:"packets"`
			Energy  float64 `json:"energy"`
			Codec   string  `json:"codec"`
		} `json:"audio"`
	}
	if err := json.Unmarshal(out, &res); err != nil || !res.OK {
		t.Fatalf("browser run: %v %s\n%s", err, res.Error, out)
	}
	t.Logf("Chromium offered %q; heard %d packets of %s back, energy %.3f", res.Call.OfferedAudio, res.Audio.Packets, res.Audio.Codec, res.Audio.Energy)
	select {
	case r := <-records:
		for _, s := range r.Streams {
			t.Logf("record: %s %s→%s %s %s→%s, %d packets", s.Role, s.From, s.To, s.Path, s.Codec, s.ToCodec, s.Packets)
			if s.Role == call.RoleAudio && s.Path != bridge.PathTranscode {
				t.Errorf("audio from %s went %s, want transcode", s.From, s.Path)
			}
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no call record")
	}
}

// TestWHIPPublishReachesSIPCallee: Chromium publishes over WHIP to the
// alias a rule sends to a SIP callee (SIPp with PCMU and H.264); the SIP
// side receives the browser's audio and video, relayed, and the session
// ends with the WHIP DELETE (a BYE to the callee).
func TestWHIPPublishReachesSIPCallee(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	chromium, node := requireBrowser(t)
	callee := startCallee(t, "uas_av.xml")
	base, records := startGateway(t, callee.port, "0.0.0.0:0")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "whippublish.mjs", strings.Replace(base, "127.0.0.1", "localhost", 1), "callee", "4")
	cmd.Dir = e2eDir
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("driver: %v\n%s", err, out)
	}
	var res struct {
		OK      bool           `json:"ok"`
		Error   string         `json:"error"`
		Sent    map[string]int `json:"sent"`
		Deleted int            `json:"deleted"`
	}
	if err := json.Unmarshal(out, &res); err != nil || !res.OK {
		t.Fatalf("browser run: %v %s\n%s", err, res.Error, out)
	}
	if res.Deleted != 200 {
		t.Errorf("DELETE: %d", res.Deleted)
	}
	select {
	case <-callee.done:
		if callee.err != nil {
			t.Errorf("sipp: %v\n%s", callee.err, callee.out.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("sipp did not finish (no BYE?)\n%s", callee.out.String())
	}
	select {
	case r := <-records:
		toSIP := map[call.Role]uint64{}
		for _, s := range r.Streams {
			t.Logf("record: %s %s→%s %s %s, %d packets", s.Role, s.From, s.To, s.Path, s.Codec, s.Packets)
			if strings.HasPrefix(s.To, "sip") {
				toSIP[s.Role] += s.Packets
			}
		}
		t.Logf("Chromium sent %v", res.Sent)
		if toSIP[call.RoleAudio] < 50 || toSIP[call.RoleVideo] < 20 {
			t.Errorf("the SIP callee got %v", toSIP)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no call record")
	}
}
