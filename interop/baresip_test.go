package interop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/testpeer"
)

// baresipOptions say how one baresip runs.
type baresipOptions struct {
	// account is the accounts file line, such as
	// "<sip:alice@127.0.0.1:5060>;auth_pass=pw;regint=60".
	account string
	// video loads fakevideo (a generated picture) and the H.264 and VP8
	// codecs; without it baresip offers audio only.
	video bool
	// srtp loads the SRTP module (for mediaenc= in the account).
	srtp bool
	// sipPort is baresip's SIP port (UDP and TCP); 0 picks a free one.
	sipPort int
	// rtpPorts is the first of ten UDP ports for RTP; 0 takes them from
	// the test's port block.
	rtpPorts int
}

// baresip is one headless baresip, driven through its ctrl_tcp module:
// commands go in as JSON netstrings, call and registration events come
// out the same way.
type baresip struct {
	t    *testing.T
	name string
	dir  string
	cmd  *exec.Cmd
	out  lockedBuffer
	done chan struct{}
	// rtpPorts is the first of the ten ports baresip takes RTP ports from;
	// sipPort its SIP port.
	rtpPorts, sipPort int

	ctrl   net.Conn
	mu     sync.Mutex
	events []baresipEvent
	resp   map[string]baresipResponse
	seq    int
	notify chan struct{}
}

// baresipEvent is one event baresip reported on ctrl_tcp.
type baresipEvent struct {
	Type       string `json:"type"`
	Class      string `json:"class"`
	AccountAOR string `json:"accountaor"`
	Direction  string `json:"direction"`
	PeerURI    string `json:"peeruri"`
	ID         string `json:"id"`
	Param      string `json:"param"`
}

type baresipResponse struct {
	OK   bool   `json:"ok"`
	Data string `json:"data"`
}

// startBaresip runs baresip with a configuration written for this test:
// SIP and control on loopback, RTP in ports from the test's block, audio
// from a generated tone file, played into aubridge (no sound device). It is killed (by its
// PID) when the test ends; its output is printed if the test failed.
func startBaresip(t *testing.T, name string, block *portBlock, o baresipOptions) *baresip {
	t.Helper()
	bin := testpeer.Require(t, "baresip", "baresip-core")
	dir := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	tone := filepath.Join(dir, "tone.wav")
	if err := os.WriteFile(tone, toneWAV(30*time.Second), 0o644); err != nil {
		t.Fatal(err)
	}
	rtp := o.rtpPorts
	if rtp == 0 {
		rtp = block.peer(t, 10)
	}
	ctrlPort := freeSIPPort(t)
	// sndfile writes the audio baresip decodes to a WAV file, snapshot
	// saves a picture it decoded: what baresip itself made of the media.
	modules := []string{"g711", "aufile", "aubridge", "sndfile", "menu", "ctrl_tcp"}
	if o.video {
		modules = append(modules, "fakevideo", "avcodec", "vp8", "snapshot")
	}
	if o.srtp {
		modules = append(modules, "srtp")
	}
	var cfg strings.Builder
	if o.sipPort == 0 {
		o.sipPort = freeSIPPort(t)
	}
	fmt.Fprintf(&cfg, "poll_method\tepoll\nnet_interface\t127.0.0.1\nsip_listen\t127.0.0.1:%d\n", o.sipPort)
	fmt.Fprintf(&cfg, "module_path\t/usr/lib/baresip/modules\n")
	for _, m := range modules {
		fmt.Fprintf(&cfg, "module\t%s.so\n", m)
	}
	fmt.Fprintf(&cfg, "module_app\taccount.so\n")
	fmt.Fprintf(&cfg, "audio_source\taufile,%s\naudio_player\taubridge,%s\n", tone, name)
	fmt.Fprintf(&cfg, "audio_alert\taubridge,%s-alert\nsnd_path\t%s\n", name, dir)
	if o.video {
		fmt.Fprintf(&cfg, "video_source\tfakevideo,nil\nvideo_display\tfakevideo,nil\n")
	}
	fmt.Fprintf(&cfg, "ctrl_tcp_listen\t127.0.0.1:%d\nrtp_ports\t%d-%d\n", ctrlPort, rtp, rtp+9)
	for fname, body := range map[string]string{"config": cfg.String(), "accounts": o.account + "\n"} {
		if err := os.WriteFile(filepath.Join(dir, fname), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second) // hard bound
	// -t bounds baresip's own life too; -s traces SIP for the failure log.
	cmd := exec.CommandContext(ctx, bin, "-f", dir, "-t", "55", "-s")
	cmd.Dir = dir
	b := &baresip{t: t, name: name, dir: dir, cmd: cmd, done: make(chan struct{}), rtpPorts: rtp, sipPort: o.sipPort,
		resp: map[string]baresipResponse{}, notify: make(chan struct{}, 1)}
	cmd.Stdout, cmd.Stderr = &b.out, &b.out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start baresip: %v", err)
	}
	go func() {
		_ = cmd.Wait()
		cancel()
		close(b.done)
	}()
	t.Cleanup(func() {
		b.stop()
		if b.ctrl != nil {
			_ = b.ctrl.Close()
		}
		if t.Failed() {
			t.Logf("baresip %s output:\n%s", name, lastBytes(cleanOutput(b.out.String()), 12000))
		}
	})
	b.connect(ctrlPort)
	return b
}

// connect opens the control connection once baresip listens.
func (b *baresip) connect(port int) {
	b.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp4", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			b.ctrl = c
			go b.read(c)
			return
		}
		select {
		case <-b.done:
			b.t.Fatalf("baresip %s exited at start:\n%s", b.name, b.out.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("baresip %s: no control connection: %v\n%s", b.name, err, b.out.String())
		}
	}
}

// maxNetstring bounds one control message; baresip's are a few kilobytes.
const maxNetstring = 1 << 20

// readNetstring reads one netstring ("len:data,") and returns its data.
func readNetstring(r *bufio.Reader) ([]byte, error) {
	head, err := r.ReadSlice(':')
	if err != nil {
		return nil, fmt.Errorf("netstring length: %w", err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(head[:len(head)-1])))
	if err != nil || n < 0 || n > maxNetstring {
		return nil, fmt.Errorf("netstring length %q", truncate(head, 16))
	}
	// The buffer grows with what arrives, not with what the length claims.
	var buf bytes.Buffer
	if _, err := io.CopyN(&buf, r, int64(n)+1); err != nil { // the data and its ','
		return nil, fmt.Errorf("netstring of %d bytes: %w", n, err)
	}
	msg := buf.Bytes()
	if msg[n] != ',' {
		return nil, fmt.Errorf("netstring of %d bytes ends in %q, not ','", n, msg[n])
	}
	return msg[:n], nil
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
	}
	return string(b)
}

// read takes netstrings ("len:json,") from the control connection.
func (b *baresip) read(c net.Conn) {
	r := bufio.NewReader(c)
	for {
		msg, err := readNetstring(r)
		if err != nil {
			return
		}
		var m struct {
			baresipEvent
			baresipResponse
			Event    bool   `json:"event"`
			Response bool   `json:"response"`
			Token    string `json:"token"`
		}
		if json.Unmarshal(msg, &m) != nil {
			continue
		}
		b.mu.Lock()
		switch {
		case m.Event:
			b.events = append(b.events, m.baresipEvent)
		case m.Response:
			b.resp[m.Token] = m.baresipResponse
		}
		b.mu.Unlock()
		select {
		case b.notify <- struct{}{}:
		default:
		}
	}
}

// command runs a baresip command ("dial", "hangup") and returns its
// answer.
func (b *baresip) command(name, params string) baresipResponse {
	b.t.Helper()
	b.mu.Lock()
	b.seq++
	token := strconv.Itoa(b.seq)
	b.mu.Unlock()
	msg, _ := json.Marshal(map[string]string{"command": name, "params": params, "token": token})
	if _, err := fmt.Fprintf(b.ctrl, "%d:%s,", len(msg), msg); err != nil {
		b.t.Fatalf("baresip %s: send %s: %v", b.name, name, err)
	}
	var res baresipResponse
	b.waitFor(10*time.Second, "the answer to "+name, func() bool {
		r, ok := b.resp[token]
		res = r
		return ok
	})
	if !res.OK {
		b.t.Fatalf("baresip %s: %s %s failed: %s", b.name, name, params, res.Data)
	}
	return res
}

// event waits for the first event of a type ("REGISTER_OK",
// "CALL_ESTABLISHED", "CALL_CLOSED").
func (b *baresip) event(typ string, within time.Duration) baresipEvent {
	b.t.Helper()
	var ev baresipEvent
	b.waitFor(within, "event "+typ, func() bool {
		for _, e := range b.events {
			if e.Type == typ {
				ev = e
				return true
			}
		}
		return false
	})
	return ev
}

// eventTypes lists the events so far.
func (b *baresip) eventTypes() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, e := range b.events {
		out = append(out, e.Type)
	}
	return out
}

// waitFor polls cond (under b.mu) until it holds.
func (b *baresip) waitFor(within time.Duration, what string, cond func() bool) {
	b.t.Helper()
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	for {
		b.mu.Lock()
		ok := cond()
		b.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-b.notify:
		case <-time.After(100 * time.Millisecond):
		case <-b.done:
			b.t.Fatalf("baresip %s exited while waiting for %s", b.name, what)
		case <-deadline.C:
			b.t.Fatalf("baresip %s: no %s within %s (events: %v)", b.name, what, within, b.eventTypes())
		}
	}
}

// stop asks baresip to quit (SIGINT: it unregisters) and kills it after
// 5 s.
func (b *baresip) stop() {
	select {
	case <-b.done:
		return
	default:
	}
	_ = b.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-b.done:
	case <-time.After(5 * time.Second):
		_ = b.cmd.Process.Kill()
		<-b.done
	}
}

// snapshot has baresip save the next picture it decodes and returns its
// size.
func (b *baresip) snapshot() image.Point {
	b.t.Helper()
	path := filepath.Join(b.dir, "snapshot.png")
	b.command("snapshot_recv", path)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if f, err := os.Open(path); err == nil {
			cfg, err := png.DecodeConfig(f)
			_ = f.Close()
			if err == nil {
				return image.Pt(cfg.Width, cfg.Height)
			}
		}
		if time.Now().After(deadline) {
			b.t.Errorf("baresip %s saved no decodable picture within 5s", b.name)
			return image.Point{}
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// decodedAudio reads the audio baresip decoded during its call (sndfile's
// dump, complete once baresip has stopped): its length and RMS level.
func (b *baresip) decodedAudio() (time.Duration, float64) {
	b.t.Helper()
	files, _ := filepath.Glob(filepath.Join(b.dir, "dump-*-dec.wav"))
	if len(files) != 1 {
		b.t.Errorf("baresip %s wrote %d decoded-audio files, want 1", b.name, len(files))
		return 0, 0
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		b.t.Fatal(err)
	}
	samples, rate, err := wavSamples(data)
	if err != nil {
		b.t.Errorf("baresip %s decoded audio: %v", b.name, err)
		return 0, 0
	}
	var sum float64
	for _, v := range samples {
		sum += float64(v) * float64(v)
	}
	rms := 0.0
	if len(samples) > 0 {
		rms = math.Sqrt(sum / float64(len(samples)))
	}
	return time.Duration(len(samples)) * time.Second / time.Duration(rate), rms
}

// cleanOutput drops baresip's status line, which it rewrites in place many
// times a second.
func cleanOutput(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r", "\n"), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "[0:") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}
