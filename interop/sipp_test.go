package interop

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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

// sippOptions say how one SIPp process runs.
type sippOptions struct {
	// scenario is a file in testdata/sipp.
	scenario string
	// remote is host:port to call (a UAC); empty for a UAS.
	remote string
	// service is the Request-URI user of a UAC ([service]).
	service string
	// port is SIPp's SIP port (UDP); 0 picks a free one.
	port int
	// mediaPort is SIPp's audio RTP port (video is mediaPort+2).
	mediaPort int
	// echo turns on -rtp_echo: SIPp returns the RTP it receives.
	echo bool
	// timeout bounds the scenario (SIPp's -timeout); default 30s.
	timeout time.Duration
	// files are written to SIPp's directory before it starts (pcap
	// files for play_pcap_audio).
	files map[string][]byte
}

// sippRun is one SIPp process.
type sippRun struct {
	t    *testing.T
	name string
	cmd  *exec.Cmd
	dir  string
	port int
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
	err  error
}

// startSIPp starts SIPp with a scenario from testdata/sipp. A UAS is bound
// to its SIP port when startSIPp returns. SIPp is killed (by its PID) when
// the test ends; its output, errors and message trace are printed if the
// test failed.
func startSIPp(t *testing.T, name string, o sippOptions) *sippRun {
	t.Helper()
	bin := testpeer.Require(t, "sipp", "sip-tester")
	scenario, err := filepath.Abs(filepath.Join("testdata", "sipp", o.scenario))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for fname, data := range o.files {
		if err := os.WriteFile(filepath.Join(dir, fname), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if o.port == 0 {
		o.port = freeSIPPort(t)
	}
	if o.timeout == 0 {
		o.timeout = 30 * time.Second
	}
	if o.service == "" {
		o.service = "sipp"
	}
	var args []string
	if o.remote != "" {
		args = append(args, o.remote)
	}
	args = append(args, "-sf", scenario, "-m", "1", "-l", "1", "-i", "127.0.0.1", "-p", strconv.Itoa(o.port),
		"-t", "u1", "-s", o.service, "-nostdin",
		"-timeout", strconv.Itoa(int(o.timeout/time.Second)), "-timeout_error",
		"-trace_stat", "-stf", filepath.Join(dir, "stats.csv"),
		"-trace_err", "-error_file", filepath.Join(dir, "errors.log"),
		"-trace_msg", "-message_file", filepath.Join(dir, "messages.log"),
		"-trace_rtt", "-rtt_freq", "1")
	if o.mediaPort != 0 {
		args = append(args, "-mp", strconv.Itoa(o.mediaPort))
	}
	if o.echo {
		args = append(args, "-rtp_echo")
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout+15*time.Second) // hard bound
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	r := &sippRun{t: t, name: name, cmd: cmd, dir: dir, port: o.port, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = &syncWriter{mu: &r.mu, w: &r.out}, &syncWriter{mu: &r.mu, w: &r.out}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start sipp: %v", err)
	}
	go func() {
		r.err = cmd.Wait()
		cancel()
		close(r.done)
	}()
	t.Cleanup(func() {
		r.kill()
		if t.Failed() {
			t.Logf("sipp %s (%s) output:\n%s\nerrors:\n%s\nmessages:\n%s", name, o.scenario,
				lastBytes(r.output(), 3000), lastBytes(r.file("errors.log"), 3000), lastBytes(r.file("messages.log"), 12000))
		}
	})
	if o.remote == "" {
		r.waitBound()
	}
	return r
}

// waitBound waits until SIPp holds its UDP SIP port.
func (r *sippRun) waitBound() {
	r.t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", r.port)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		pc, err := net.ListenPacket("udp4", addr)
		if err == nil {
			_ = pc.Close()
		} else if errors.Is(err, syscall.EADDRINUSE) {
			return
		}
		select {
		case <-r.done:
			r.t.Fatalf("sipp %s exited at start: %v\n%s", r.name, r.err, r.output())
		case <-time.After(20 * time.Millisecond):
		}
	}
	r.t.Fatalf("sipp %s did not bind %s", r.name, addr)
}

// addr is SIPp's SIP address.
func (r *sippRun) addr() string { return fmt.Sprintf("127.0.0.1:%d", r.port) }

// kill stops SIPp by its PID and waits for it.
func (r *sippRun) kill() {
	select {
	case <-r.done:
		return
	default:
	}
	_ = r.cmd.Process.Kill()
	<-r.done
}

// wait waits for SIPp to exit and returns its exit status.
func (r *sippRun) wait(within time.Duration) int {
	r.t.Helper()
	select {
	case <-r.done:
	case <-time.After(within):
		r.kill()
		r.t.Fatalf("sipp %s did not finish within %s", r.name, within)
	}
	if r.err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(r.err, &ee) {
		return ee.ExitCode()
	}
	r.t.Fatalf("sipp %s: %v", r.name, r.err)
	return -1
}

// expectSuccess checks that SIPp exited 0 with one successful call and no
// failed one, by its exit status and by its -trace_stat statistics, and
// that its -trace_err file holds no aborted call.
func (r *sippRun) expectSuccess(within time.Duration) {
	r.t.Helper()
	code := r.wait(within)
	st := r.statistics()
	if code != 0 || st["SuccessfulCall(C)"] != "1" || st["FailedCall(C)"] != "0" {
		r.t.Fatalf("sipp %s: exit %d, successful calls %q, failed %q", r.name, code, st["SuccessfulCall(C)"], st["FailedCall(C)"])
	}
	if errs := r.file("errors.log"); strings.Contains(errs, "Aborting call") {
		r.t.Errorf("sipp %s logged errors:\n%s", r.name, errs)
	}
}

// statistics reads the last line of SIPp's -trace_stat file.
func (r *sippRun) statistics() map[string]string {
	lines := strings.Split(strings.TrimSpace(r.file("stats.csv")), "\n")
	if len(lines) < 2 {
		return nil
	}
	head := strings.Split(lines[0], ";")
	last := strings.Split(lines[len(lines)-1], ";")
	out := map[string]string{}
	for i, h := range head {
		if i < len(last) {
			out[strings.TrimSpace(h)] = strings.TrimSpace(last[i])
		}
	}
	return out
}

// responseTimes returns the response times (ms) SIPp's -trace_rtt file
// recorded for the rtd="true" measurement of the scenario.
func (r *sippRun) responseTimes() []float64 {
	matches, _ := filepath.Glob(filepath.Join(r.dir, "*_rtt.csv"))
	var out []float64
	for _, m := range matches {
		data, err := os.ReadFile(m)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n")[1:] {
			f := strings.Split(line, ";")
			if len(f) < 3 {
				continue
			}
			// Date_ms;response_time_ms;rtd_no
			if v, err := strconv.ParseFloat(strings.TrimSpace(f[1]), 64); err == nil {
				out = append(out, v)
			}
		}
	}
	return out
}

// received counts the messages SIPp received whose first line starts with
// prefix ("INFO ", "SIP/2.0 486").
func (r *sippRun) received(prefix string) []string {
	var out []string
	for _, m := range strings.Split(r.file("messages.log"), "----------------------------------------------") {
		if !strings.Contains(m, "message received") {
			continue
		}
		if i := strings.Index(m, "\n"+prefix); i >= 0 {
			out = append(out, m[i+1:])
		}
	}
	return out
}

func (r *sippRun) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.String()
}

// file reads one of SIPp's trace files ("" when it wrote none).
func (r *sippRun) file(name string) string {
	data, _ := os.ReadFile(filepath.Join(r.dir, name))
	return string(data)
}

// syncWriter serializes writes from a process's stdout and stderr.
type syncWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
