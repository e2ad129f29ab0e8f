package interop

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/testpeer"
)

// tcUA says how one baresip of a transcoding test runs. What it offers is
// what its loaded codec modules provide, narrowed by the account's
// audio_codecs and video_codecs.
type tcUA struct {
	name string
	// account is the accounts file line.
	account string
	// audio and video are the codec modules to load ("g711", "opus",
	// "g722"; "avcodec", "vp8"). No video module: an audio-only baresip.
	audio, video []string
	// toneHz is the frequency of the tone it sends; toneRate and
	// toneChannels the format of the WAV file it plays it from, which must
	// be the format of the audio codec negotiated (aufile does not
	// resample).
	toneHz, toneRate, toneChannels int
}

// tcBaresip is one headless baresip, driven through ctrl_tcp. It dumps the
// audio it decodes (sndfile) and saves pictures it decodes on request
// (snapshot), so that a test sees what baresip itself made of the media.
type tcBaresip struct {
	t    *testing.T
	name string
	dir  string
	cmd  *exec.Cmd
	out  tcLog
	done chan struct{}
	// rtpLo and rtpHi bound the ports baresip takes its RTP ports from;
	// sipPort is its SIP listener.
	rtpLo, rtpHi, sipPort int

	ctrl   net.Conn
	mu     sync.Mutex
	events []string
	resp   map[string]tcResponse
	seq    int
	notify chan struct{}
}

// tcModules is where Debian's baresip packages put their modules.
const tcModules = "/usr/lib/baresip/modules"

type tcResponse struct {
	OK   bool   `json:"ok"`
	Data string `json:"data"`
}

// tcStartBaresip writes the configuration and starts baresip. It is
// stopped (SIGINT, then SIGKILL, by its PID) when the test ends, killed
// when ctx ends, and its output is printed when the test failed.
func tcStartBaresip(ctx context.Context, t *testing.T, ports *tcPorts, ua tcUA) *tcBaresip {
	t.Helper()
	bin := testpeer.Require(t, "baresip", "baresip-core")
	dir := filepath.Join(t.TempDir(), ua.name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	tone := filepath.Join(dir, "tone.wav")
	if err := os.WriteFile(tone, tcToneWAV(ua.toneHz, ua.toneRate, ua.toneChannels, 40*time.Second), 0o644); err != nil {
		t.Fatal(err)
	}
	rtp := ports.take(t, 10)
	ctrlPort := tcFreePort(t)
	modules := append([]string{}, ua.audio...)
	modules = append(modules, "aufile", "aubridge", "sndfile", "menu", "ctrl_tcp")
	if len(ua.video) > 0 {
		modules = append(modules, ua.video...)
		modules = append(modules, "fakevideo", "snapshot")
	}
	for _, m := range modules {
		if _, err := os.Stat(filepath.Join(tcModules, m+".so")); err != nil {
			pkg := "baresip-core"
			if m == "avcodec" {
				pkg = "baresip-ffmpeg"
			}
			msg := fmt.Sprintf("baresip module %s missing: install Debian package %s", m, pkg)
			if testpeer.InCI() {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	sipPort := tcFreePort(t)
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "poll_method\tepoll\nnet_interface\t127.0.0.1\nsip_listen\t127.0.0.1:%d\n", sipPort)
	fmt.Fprintf(&cfg, "module_path\t%s\n", tcModules)
	for _, m := range modules {
		fmt.Fprintf(&cfg, "module\t%s.so\n", m)
	}
	fmt.Fprintf(&cfg, "module_app\taccount.so\n")
	fmt.Fprintf(&cfg, "audio_source\taufile,%s\naudio_player\taubridge,%s\naudio_alert\taubridge,%s-alert\n", tone, ua.name, ua.name)
	fmt.Fprintf(&cfg, "snd_path\t%s\n", dir)
	if len(ua.video) > 0 {
		fmt.Fprintf(&cfg, "video_source\tfakevideo,nil\nvideo_display\tfakevideo,nil\n")
		fmt.Fprintf(&cfg, "video_size\t352x288\nvideo_bitrate\t500000\nvideo_fps\t25\n")
	}
	fmt.Fprintf(&cfg, "ctrl_tcp_listen\t127.0.0.1:%d\nrtp_ports\t%d-%d\n", ctrlPort, rtp, rtp+9)
	for name, body := range map[string]string{"config": cfg.String(), "accounts": ua.account + "\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	// -t bounds baresip's own life too; -s traces SIP for the failure log.
	cmd := exec.CommandContext(ctx, bin, "-f", dir, "-t", "60", "-s")
	cmd.Dir = dir
	b := &tcBaresip{t: t, name: ua.name, dir: dir, cmd: cmd, done: make(chan struct{}), rtpLo: rtp, rtpHi: rtp + 9, sipPort: sipPort,
		resp: map[string]tcResponse{}, notify: make(chan struct{}, 1)}
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
		if t.Failed() || os.Getenv("INTEROP_LOG") != "" {
			t.Logf("baresip %s output:\n%s", ua.name, tcTail(tcCleanOutput(b.out.String()), 12000))
		}
	})
	b.connect(ctrlPort)
	return b
}

// connect opens the control connection once baresip listens.
func (b *tcBaresip) connect(port int) {
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

// read takes netstrings ("len:json,") from the control connection.
func (b *tcBaresip) read(c net.Conn) {
	r := bufio.NewReader(c)
	for {
		head, err := r.ReadString(':')
		if err != nil {
			return
		}
		n, err := strconv.Atoi(strings.TrimSpace(head[:len(head)-1]))
		if err != nil || n < 0 || n > 1<<20 {
			return
		}
		msg := make([]byte, n+1) // the message and its trailing ','
		if _, err := io.ReadFull(r, msg); err != nil {
			return
		}
		var m struct {
			tcResponse
			Event    bool   `json:"event"`
			Type     string `json:"type"`
			Response bool   `json:"response"`
			Token    string `json:"token"`
		}
		if json.Unmarshal(msg[:n], &m) != nil {
			continue
		}
		b.mu.Lock()
		switch {
		case m.Event:
			b.events = append(b.events, m.Type)
		case m.Response:
			b.resp[m.Token] = m.tcResponse
		}
		b.mu.Unlock()
		select {
		case b.notify <- struct{}{}:
		default:
		}
	}
}

// command runs a baresip command and returns its answer; a failed
// command fails the test.
func (b *tcBaresip) command(name, params string) tcResponse {
	b.t.Helper()
	b.mu.Lock()
	b.seq++
	token := strconv.Itoa(b.seq)
	b.mu.Unlock()
	msg, _ := json.Marshal(map[string]string{"command": name, "params": params, "token": token})
	if _, err := fmt.Fprintf(b.ctrl, "%d:%s,", len(msg), msg); err != nil {
		b.t.Fatalf("baresip %s: send %s: %v", b.name, name, err)
	}
	var res tcResponse
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

// event waits for an event of a type ("CALL_ESTABLISHED").
func (b *tcBaresip) event(typ string, within time.Duration) {
	b.t.Helper()
	b.waitFor(within, "event "+typ, func() bool {
		for _, e := range b.events {
			if e == typ {
				return true
			}
		}
		return false
	})
}

// forget drops the events seen so far (before a second call).
func (b *tcBaresip) forget() {
	b.mu.Lock()
	b.events = nil
	b.mu.Unlock()
}

// seen reports whether an event of a type came.
func (b *tcBaresip) seen(typ string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.events {
		if e == typ {
			return true
		}
	}
	return false
}

// waitFor polls cond (under b.mu) until it holds.
func (b *tcBaresip) waitFor(within time.Duration, what string, cond func() bool) {
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
			b.mu.Lock()
			evs := append([]string(nil), b.events...)
			b.mu.Unlock()
			b.t.Fatalf("baresip %s: no %s within %s (events: %v)", b.name, what, within, evs)
		}
	}
}

// snapshot asks baresip to save the next picture it decodes as a PNG file
// and returns its path once written (empty when none came within 5 s).
func (b *tcBaresip) snapshot() string {
	b.t.Helper()
	path := filepath.Join(b.dir, "received.png")
	b.command("snapshot_recv", path)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if st, err := os.Stat(path); err == nil && st.Size() > 0 {
			return path
		}
	}
	return ""
}

// decodedAudio stops baresip (so that sndfile has closed its files) and
// reads the WAV file of what it decoded in the call, as mono samples.
func (b *tcBaresip) decodedAudio() (pcm []int16, rate int, err error) {
	b.stop()
	names, _ := filepath.Glob(filepath.Join(b.dir, "dump-*-dec.wav"))
	if len(names) != 1 {
		return nil, 0, fmt.Errorf("baresip %s: %d decode dumps in %s, want 1", b.name, len(names), b.dir)
	}
	data, err := os.ReadFile(names[0])
	if err != nil {
		return nil, 0, err
	}
	pcm, rate, err = tcParseWAV(data)
	if err != nil {
		return nil, 0, fmt.Errorf("baresip %s: %s (%d bytes): %w", b.name, filepath.Base(names[0]), len(data), err)
	}
	if len(pcm) == 0 {
		return nil, 0, fmt.Errorf("baresip %s: %s (%d bytes) holds no audio", b.name, filepath.Base(names[0]), len(data))
	}
	return pcm, rate, nil
}

// stop asks baresip to quit (SIGINT) and kills it after 5 s.
func (b *tcBaresip) stop() {
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

// tcStatusLine is baresip's call status line (menu module), which shows
// the audio and video bitrates it receives and sends.
var tcStatusLine = regexp.MustCompile(`audio=(\d+)/(\d+) video=(\d+)/(\d+) \(bit/s\)`)

// rates returns the highest audio and video bitrates baresip's status
// line showed during the call, as it prints them: sent, then received (a
// receive-only call shows 0 sent); ok is false when it printed none.
func (b *tcBaresip) rates() (audio, video [2]int, ok bool) {
	for _, m := range tcStatusLine.FindAllStringSubmatch(b.out.String(), -1) {
		ok = true
		for i := range 4 {
			v, _ := strconv.Atoi(m[i+1])
			if i < 2 {
				audio[i] = max(audio[i], v)
			} else {
				video[i-2] = max(video[i-2], v)
			}
		}
	}
	return audio, video, ok
}

// tcCleanOutput drops baresip's status line, which it rewrites in place
// many times a second.
func tcCleanOutput(s string) string {
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

// tcToneWAV is a sine tone at -12 dBFS as a 16-bit WAV file.
func tcToneWAV(hz, rate, channels int, d time.Duration) []byte {
	n := int(d.Seconds() * float64(rate))
	le := binary.LittleEndian
	data := make([]byte, 44+2*n*channels)
	copy(data, "RIFF")
	le.PutUint32(data[4:], uint32(len(data)-8))
	copy(data[8:], "WAVEfmt ")
	le.PutUint32(data[16:], 16)
	le.PutUint16(data[20:], 1) // PCM
	le.PutUint16(data[22:], uint16(channels))
	le.PutUint32(data[24:], uint32(rate))
	le.PutUint32(data[28:], uint32(2*rate*channels))
	le.PutUint16(data[32:], uint16(2*channels))
	le.PutUint16(data[34:], 16)
	copy(data[36:], "data")
	le.PutUint32(data[40:], uint32(2*n*channels))
	for i := range n {
		s := int16(8000 * math.Sin(2*math.Pi*float64(hz)*float64(i)/float64(rate)))
		for c := range channels {
			le.PutUint16(data[44+2*(i*channels+c):], uint16(s))
		}
	}
	return data
}

// tcParseWAV reads a 16-bit PCM WAV file into mono samples (the first
// channel). A data chunk whose size was never filled in runs to the end
// of the file.
func tcParseWAV(data []byte) (pcm []int16, rate int, err error) {
	le := binary.LittleEndian
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WAVE" {
		return nil, 0, fmt.Errorf("not a WAV file")
	}
	channels, bits := 0, 0
	for p := 12; p+8 <= len(data); {
		id, size := string(data[p:p+4]), int(le.Uint32(data[p+4:]))
		body := data[p+8:]
		if size < 0 || size > len(body) {
			size = len(body)
		}
		switch id {
		case "fmt ":
			if size < 16 {
				return nil, 0, fmt.Errorf("WAV fmt chunk of %d bytes", size)
			}
			channels, rate, bits = int(le.Uint16(body[2:])), int(le.Uint32(body[4:])), int(le.Uint16(body[14:]))
		case "data":
			if channels < 1 || bits != 16 {
				return nil, 0, fmt.Errorf("WAV with %d channels of %d bits, want 16-bit PCM", channels, bits)
			}
			if size == 0 {
				size = len(body)
			}
			frame := 2 * channels
			pcm = make([]int16, size/frame)
			for i := range pcm {
				pcm[i] = int16(le.Uint16(body[i*frame:]))
			}
			return pcm, rate, nil
		}
		p += 8 + size + size%2
	}
	return nil, 0, fmt.Errorf("WAV file without a data chunk")
}
