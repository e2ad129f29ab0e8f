package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/switchyard/switchyard/internal/testpeer"
	"github.com/switchyard/switchyard/webrtc/internal/webclient"
)

// The load of one browser-equivalent leg: Opus at 50 packets/s and video
// at 1 Mbit/s (100 packets/s of 1250 bytes), both ways over DTLS-SRTP.
const (
	loadVideoPPS     = 100
	loadVideoPayload = 1250
	loadAudioPayload = 80
	serveEnv         = "SWITCHYARD_WEBRTC_BENCH_SERVE"
)

// TestServeForBenchmark is not a test: it is the gateway process of
// BenchmarkLegsPerCore, started by it with SWITCHYARD_WEBRTC_BENCH_SERVE=1.
// It serves echo through the bridge until its stdin closes, and writes a
// CPU profile to $SWITCHYARD_BENCH_CPUPROFILE when that is set.
func TestServeForBenchmark(t *testing.T) {
	if os.Getenv(serveEnv) == "" {
		t.Skip("the benchmark's server process")
	}
	cfg := testConfig()
	cfg.ICE.UDP = "0.0.0.0:0"
	_, base := runServer(t, cfg, echoAccept(t, nil))
	if p := os.Getenv("SWITCHYARD_BENCH_CPUPROFILE"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			t.Fatal(err)
		}
		defer func() { pprof.StopCPUProfile(); _ = f.Close() }()
	}
	fmt.Printf("BASE %s\n", base)
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// BenchmarkLegsPerCore measures how many browser-equivalent WebRTC legs
// (relay-only echo calls: DTLS-SRTP both ways, 1 Mbit/s video and Opus)
// one core carries, from the CPU time the gateway process spends on N
// concurrent legs; and the same for Janus's echo test plugin in the same
// run, when Janus is installed. Clients are pion peers in this process.
//
//	go test ./webrtc/e2e -run '^$' -bench LegsPerCore -benchtime 1x
func BenchmarkLegsPerCore(b *testing.B) {
	const legs, warm, window = 8, 3 * time.Second, 6 * time.Second
	b.ReportAllocs()
	for b.Loop() {
		ours := measureLoad(b, "switchyard", legs, warm, window, startSwitchyard)
		b.ReportMetric(ours.legsPerCore, "legs/core")
		b.ReportMetric(ours.echoed, "echoed-fraction")
		if _, err := exec.LookPath("janus"); err != nil {
			b.Logf("janus not installed (Debian package janus): no side-by-side figure")
			continue
		}
		janus := measureLoad(b, "janus", legs, warm, window, startJanus)
		b.ReportMetric(janus.legsPerCore, "janus-legs/core")
		b.ReportMetric(janus.echoed, "janus-echoed-fraction")
		b.ReportMetric(ours.legsPerCore/janus.legsPerCore, "ratio")
	}
}

// loadResult is one system's figures.
type loadResult struct {
	cpu         time.Duration // server CPU time in the window
	legsPerCore float64
	echoed      float64 // bytes back / bytes sent in the window
}

// system is a server under load: its process and a function that places
// one echo call from a pion peer.
type system struct {
	pid  int
	dial func(b *testing.B, pc *webrtc.PeerConnection)
	stop func()
}

func measureLoad(b *testing.B, name string, legs int, warm, window time.Duration, start func(*testing.B) *system) loadResult {
	sys := start(b)
	defer sys.stop()
	ctx, cancel := context.WithCancel(context.Background())
	var sent, back atomic.Int64
	var wg sync.WaitGroup
	for i := range legs {
		pc, audio, video := loadPeer(b, &back)
		sys.dial(b, pc)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer pc.Close()
			sendLoad(ctx, audio, video, &sent)
		}()
		_ = i
	}
	time.Sleep(warm)
	cpu0 := processCPU(b, sys.pid)
	s0, r0 := sent.Load(), back.Load()
	time.Sleep(window)
	cpu1 := processCPU(b, sys.pid)
	s1, r1 := sent.Load(), back.Load()
	cancel()
	wg.Wait()
	res := loadResult{cpu: cpu1 - cpu0}
	res.legsPerCore = float64(legs) * window.Seconds() / res.cpu.Seconds()
	if s1 > s0 {
		res.echoed = float64(r1-r0) / float64(s1-s0)
	}
	b.Logf("%s: %d legs for %s used %s CPU: %.1f legs per core; %.2f of the media came back",
		name, legs, window, res.cpu.Round(time.Millisecond), res.legsPerCore, res.echoed)
	if res.echoed < 0.8 {
		b.Errorf("%s echoed only %.2f of the media: the figure is not comparable", name, res.echoed)
	}
	return res
}

// loadPeer is a browser-equivalent pion peer that counts the bytes it
// gets back.
func loadPeer(b *testing.B, back *atomic.Int64) (*webrtc.PeerConnection, *webrtc.TrackLocalStaticRTP, *webrtc.TrackLocalStaticRTP) {
	pc, err := webclient.API(b).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		b.Fatal(err)
	}
	audio, _ := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "a", "load")
	video, _ := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "v", "load")
	for _, tr := range []webrtc.TrackLocal{audio, video} {
		if _, err := pc.AddTrack(tr); err != nil {
			b.Fatal(err)
		}
	}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		buf := make([]byte, 1600)
		var p rtp.Packet
		for {
			n, _, err := tr.Read(buf)
			if err != nil {
				return
			}
			if p.Unmarshal(buf[:n]) == nil {
				back.Add(int64(len(p.Payload)))
			}
		}
	})
	return pc, audio, video
}

// sendLoad paces audio and video until ctx ends.
func sendLoad(ctx context.Context, audio, video *webrtc.TrackLocalStaticRTP, sent *atomic.Int64) {
	vp := make([]byte, loadVideoPayload)
	_, _ = rand.Read(vp)
	vp[0] = 0x10 // VP8 payload descriptor: start of partition
	ap := make([]byte, loadAudioPayload)
	_, _ = rand.Read(ap)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	var aseq, vseq uint16
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		vseq++
		if video.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: vseq, Timestamp: uint32(i * 900), Marker: i%3 == 0}, Payload: vp}) == nil {
			sent.Add(loadVideoPayload)
		}
		if i%2 == 0 {
			aseq++
			if audio.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: aseq, Timestamp: uint32(i * 480)}, Payload: ap}) == nil {
				sent.Add(loadAudioPayload)
			}
		}
	}
}

// processCPU is a process's user and system CPU time so far.
func processCPU(b *testing.B, pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatalf("cpu of %d: %v", pid, err)
	}
	// Fields after the command name (which may hold spaces) start at ')'.
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / ticks
}

// offerOf makes a complete (non-trickle) offer.
func offerOf(b *testing.B, pc *webrtc.PeerConnection) string {
	o, err := pc.CreateOffer(nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := pc.SetLocalDescription(o); err != nil {
		b.Fatal(err)
	}
	<-webrtc.GatheringCompletePromise(pc)
	return pc.LocalDescription().SDP
}

// startSwitchyard runs the gateway's echo in a child process (this test
// binary, TestServeForBenchmark).
func startSwitchyard(b *testing.B) *system {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestServeForBenchmark$", "-test.count=1")
	cmd.Env = append(os.Environ(), serveEnv+"=1")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	base := ""
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "BASE "); ok {
			base = v
			break
		}
	}
	if base == "" {
		_ = cmd.Process.Kill()
		b.Fatal("the server process did not start")
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return &system{
		pid: cmd.Process.Pid,
		dial: func(b *testing.B, pc *webrtc.PeerConnection) {
			body, _ := json.Marshal(map[string]string{"alias": "echo", "sdp": offerOf(b, pc)})
			resp, err := http.Post(base+"/api/v1/calls", "application/json", bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			defer resp.Body.Close()
			var c webclient.Created
			if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || c.SDP == "" {
				b.Fatalf("create call: %s %v", resp.Status, err)
			}
			if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: c.SDP}); err != nil {
				b.Fatal(err)
			}
			// Keep the call's token fresh for the run.
			go func() {
				for range 10 {
					time.Sleep(20 * time.Second)
					req, _ := http.NewRequest("POST", base+"/api/v1/calls/"+c.ID+"/refresh", nil)
					req.Header.Set("Authorization", "Bearer "+c.Token)
					if r, err := http.DefaultClient.Do(req); err == nil {
						r.Body.Close()
					} else {
						return
					}
				}
			}()
		},
		stop: func() {
			_ = stdin.Close()
			done := make(chan struct{})
			go func() { _ = cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(15 * time.Second):
				_ = cmd.Process.Kill()
				<-done
			}
		},
	}
}

// startJanus runs Debian's Janus with only the HTTP transport and the echo
// test plugin, on loopback.
func startJanus(b *testing.B) *system {
	bin := testpeer.Require(b, "janus", "janus")
	dir := b.TempDir()
	port := freeTCPPort(b)
	libs := "/usr/lib/x86_64-linux-gnu/janus"
	files := map[string]string{
		"janus.jcfg": fmt.Sprintf(`general: {
	configs_folder = "%[1]s"
	plugins_folder = "%[2]s/plugins"
	transports_folder = "%[2]s/transports"
	events_folder = "%[1]s/none"
	loggers_folder = "%[1]s/none"
	debug_level = 3
}
media: { rtp_port_range = "40000-60000" }
nat: { ice_ignore_list = "vmnet" }
plugins: { disable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_videoroom.so,libjanus_voicemail.so" }
transports: { disable = "libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so,libjanus_websockets.so" }
`, dir, libs),
		"janus.transport.http.jcfg": fmt.Sprintf(`general: { json = "compact", base_path = "/janus", http = true, port = %d, ip = "127.0.0.1", https = false }
admin: { admin_http = false }
`, port),
		"janus.plugin.echotest.jcfg": "general: { }\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	logf, _ := os.Create(filepath.Join(dir, "janus.log"))
	cmd := exec.Command(bin, "-C", filepath.Join(dir, "janus.jcfg"), "-F", dir)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d/janus", port)
	deadline := time.Now().Add(15 * time.Second)
	for {
		if r, err := http.Get(base + "/info"); err == nil {
			r.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			log, _ := os.ReadFile(filepath.Join(dir, "janus.log"))
			b.Fatalf("janus did not start:\n%s", log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return &system{
		pid:  cmd.Process.Pid,
		dial: func(b *testing.B, pc *webrtc.PeerConnection) { janusEcho(b, base, pc) },
		stop: func() {
			_ = cmd.Process.Signal(os.Interrupt)
			done := make(chan struct{})
			go func() { _ = cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				<-done
			}
			_ = logf.Close()
		},
	}
}

// janusEcho places an echo test call through Janus's HTTP API: create a
// session, attach the echo test plugin, send the offer, long-poll for the
// answer. A goroutine keeps the session alive for the run.
func janusEcho(b *testing.B, base string, pc *webrtc.PeerConnection) {
	post := func(url string, body map[string]any) map[string]any {
		body["transaction"] = fmt.Sprint(time.Now().UnixNano())
		j, _ := json.Marshal(body)
		resp, err := http.Post(url, "application/json", bytes.NewReader(j))
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			b.Fatal(err)
		}
		return out
	}
	id := func(m map[string]any) int64 {
		d, _ := m["data"].(map[string]any)
		v, _ := d["id"].(float64)
		if v == 0 {
			b.Fatalf("janus: %v", m)
		}
		return int64(v)
	}
	session := id(post(base, map[string]any{"janus": "create"}))
	handle := id(post(fmt.Sprintf("%s/%d", base, session), map[string]any{"janus": "attach", "plugin": "janus.plugin.echotest"}))
	ack := post(fmt.Sprintf("%s/%d/%d", base, session, handle), map[string]any{
		"janus": "message", "body": map[string]any{"audio": true, "video": true},
		"jsep": map[string]any{"type": "offer", "sdp": offerOf(b, pc)},
	})
	if ack["janus"] != "ack" && ack["jsep"] == nil {
		b.Fatalf("janus message: %v", ack)
	}
	answer := ""
	if js, ok := ack["jsep"].(map[string]any); ok {
		answer, _ = js["sdp"].(string)
	}
	deadline := time.Now().Add(10 * time.Second)
	for answer == "" && time.Now().Before(deadline) {
		resp, err := http.Get(fmt.Sprintf("%s/%d?maxev=1", base, session))
		if err != nil {
			b.Fatal(err)
		}
		var ev map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&ev)
		resp.Body.Close()
		if js, ok := ev["jsep"].(map[string]any); ok {
			answer, _ = js["sdp"].(string)
		}
	}
	if answer == "" {
		b.Fatal("janus sent no answer")
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		b.Fatal(err)
	}
	go func() { // keepalive: events long-poll
		for range 30 {
			resp, err := http.Get(fmt.Sprintf("%s/%d?maxev=10", base, session))
			if err != nil {
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if pc.ConnectionState() == webrtc.PeerConnectionStateClosed {
				return
			}
		}
	}()
}

func freeTCPPort(b *testing.B) int {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
