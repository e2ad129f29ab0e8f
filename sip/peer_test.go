package sip

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/internal/pcap"
	"github.com/switchyard/switchyard/internal/testpeer"
	"github.com/switchyard/switchyard/rtpio"
)

// This file runs the independent peers the interop tests use: SIPp and a
// tshark capture on the loopback interface.

// sippRun is one SIPp process.
type sippRun struct {
	t      testing.TB
	cmd    *exec.Cmd
	dir    string
	stats  string
	out    bytes.Buffer
	done   chan struct{}
	err    error
	cancel context.CancelFunc
}

// sippOptions say how SIPp runs.
type sippOptions struct {
	scenario  string // file in testdata/sipp
	remote    string // host:port for a UAC; empty for a UAS
	transport string // "u1" (UDP) or "t1" (TCP)
	port      int    // SIPp's SIP port
	mediaPort int
	service   string
	echo      bool // -rtp_echo
	dir       string
	timeout   time.Duration
	keys      map[string]string // -key keyword value
}

// launchSIPp starts SIPp in the background. A UAS is running once startSIPp
// returns (its SIP port is bound).
func launchSIPp(t testing.TB, o sippOptions) *sippRun {
	t.Helper()
	bin := testpeer.Require(t, "sipp", "sip-tester")
	scenario, err := filepath.Abs(filepath.Join("testdata", "sipp", o.scenario))
	if err != nil {
		t.Fatal(err)
	}
	if o.dir == "" {
		o.dir = t.TempDir()
	}
	if o.transport == "" {
		o.transport = "u1"
	}
	if o.timeout == 0 {
		o.timeout = 20 * time.Second
	}
	if o.service == "" {
		o.service = "echo"
	}
	stats := filepath.Join(o.dir, "stats.csv")
	args := []string{}
	if o.remote != "" {
		args = append(args, o.remote)
	}
	args = append(args, "-sf", scenario, "-m", "1", "-l", "1", "-i", "127.0.0.1", "-p", strconv.Itoa(o.port),
		"-mp", strconv.Itoa(o.mediaPort), "-t", o.transport, "-s", o.service, "-nostdin",
		"-timeout", strconv.Itoa(int(o.timeout/time.Second)), "-timeout_error",
		"-trace_stat", "-stf", stats, "-trace_err", "-error_file", filepath.Join(o.dir, "errors.log"))
	if o.echo {
		args = append(args, "-rtp_echo")
	}
	for k, v := range o.keys {
		args = append(args, "-key", k, v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout+10*time.Second)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = o.dir
	r := &sippRun{t: t, cmd: cmd, dir: o.dir, stats: stats, done: make(chan struct{}), cancel: cancel}
	cmd.Stdout = &r.out
	cmd.Stderr = &r.out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start sipp: %v", err)
	}
	go func() {
		r.err = cmd.Wait()
		close(r.done)
	}()
	t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			_ = cmd.Process.Kill()
			<-r.done
		}
		cancel()
	})
	if o.remote == "" {
		r.waitBound(o.port, o.transport)
	}
	return r
}

// waitBound waits until SIPp holds its SIP port.
func (r *sippRun) waitBound(port int, transport string) {
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		var err error
		if transport == "t1" {
			var ln net.Listener
			if ln, err = net.Listen("tcp4", addr); err == nil {
				_ = ln.Close()
			}
		} else {
			var pc net.PacketConn
			if pc, err = net.ListenPacket("udp4", addr); err == nil {
				_ = pc.Close()
			}
		}
		if err != nil && errors.Is(err, syscall.EADDRINUSE) {
			return
		}
		select {
		case <-r.done:
			r.t.Fatalf("sipp exited early: %v\n%s", r.err, r.out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	r.t.Fatalf("sipp did not bind %s", addr)
}

// wait waits for SIPp to exit and returns its exit status.
func (r *sippRun) wait(timeout time.Duration) int {
	r.t.Helper()
	select {
	case <-r.done:
	case <-time.After(timeout):
		_ = r.cmd.Process.Kill()
		<-r.done
		r.t.Fatalf("sipp did not finish within %s\n%s", timeout, r.out.String())
	}
	if r.err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(r.err, &ee) {
		return ee.ExitCode()
	}
	r.t.Fatalf("sipp: %v", r.err)
	return -1
}

// expectSuccess checks that SIPp exited 0 with one successful call.
func (r *sippRun) expectSuccess(timeout time.Duration) {
	r.t.Helper()
	code := r.wait(timeout)
	st := r.statistics()
	if code != 0 || st["SuccessfulCall(C)"] != "1" || st["FailedCall(C)"] != "0" {
		errs, _ := os.ReadFile(filepath.Join(r.dir, "errors.log"))
		r.t.Fatalf("sipp exit %d, successful %q, failed %q\noutput:\n%s\nerrors:\n%s",
			code, st["SuccessfulCall(C)"], st["FailedCall(C)"], lastBytes(r.out.String(), 3000), lastBytes(string(errs), 3000))
	}
}

// statistics reads the last line of SIPp's -trace_stat file.
func (r *sippRun) statistics() map[string]string {
	data, err := os.ReadFile(r.stats)
	if err != nil {
		r.t.Logf("sipp statistics: %v", err)
		return nil
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
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

func lastBytes(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// freePort returns a loopback port that is free for the transport now.
func freePort(t testing.TB, transport string) int {
	t.Helper()
	if transport == "t1" || transport == "tcp" {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return ln.Addr().(*net.TCPAddr).Port
	}
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	return pc.LocalAddr().(*net.UDPAddr).Port
}

// freeMediaPort returns an even UDP port whose next three ports are free
// too (SIPp's audio and video RTP and RTCP).
func freeMediaPort(t testing.TB) int {
	t.Helper()
	for range 200 {
		p := 31000 + 2*rand.IntN(2000)
		var conns []net.PacketConn
		ok := true
		for i := range 4 {
			pc, err := net.ListenPacket("udp4", fmt.Sprintf("127.0.0.1:%d", p+i))
			if err != nil {
				ok = false
				break
			}
			conns = append(conns, pc)
		}
		for _, c := range conns {
			_ = c.Close()
		}
		if ok {
			return p
		}
	}
	t.Fatal("no free media port")
	return 0
}

// writeAudioPcap writes what SIPp's play_pcap_audio sends: n G.711 µ-law
// packets 20 ms apart, then one RFC 4733 digit (three updates, three ends).
func writeAudioPcap(t testing.TB, path string, n int, digit byte) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := pcap.NewWriter(f, pcap.LinkEthernet)
	if err != nil {
		t.Fatal(err)
	}
	src := netip.MustParseAddrPort("127.0.0.1:6000")
	dst := netip.MustParseAddrPort("127.0.0.1:6002")
	start := time.Unix(1_700_000_000, 0)
	payload := bytes.Repeat([]byte{0xff}, 160)
	seq, ts := uint16(1000), uint32(8000)
	write := func(at time.Time, p rtp.Packet) {
		b, err := p.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteUDP(at, src, dst, b); err != nil {
			t.Fatal(err)
		}
	}
	at := start
	for i := range n {
		write(at, rtp.Packet{Header: rtp.Header{Version: 2, Marker: i == 0, PayloadType: 0, SequenceNumber: seq, Timestamp: ts, SSRC: 0x5151}, Payload: payload})
		seq++
		ts += 160
		at = at.Add(20 * time.Millisecond)
	}
	if digit != 0 {
		evTS := ts
		for i := range 6 {
			end := i >= 3
			dur := uint16(400 * (i + 1))
			if end {
				dur = 1280
			}
			pl := rtpio.AppendDTMF(nil, rtpio.DTMFEvent{Digit: digit, End: end, Volume: 10, Duration: dur})
			write(at, rtp.Packet{Header: rtp.Header{Version: 2, Marker: i == 0, PayloadType: 101, SequenceNumber: seq, Timestamp: evTS, SSRC: 0x5151}, Payload: pl})
			seq++
			at = at.Add(20 * time.Millisecond)
		}
	}
}

// capture is a tshark capture on the loopback interface.
type capture struct {
	t    testing.TB
	cmd  *exec.Cmd
	path string
	done chan struct{}
}

// startCapture captures the given BPF filter on lo into a pcap file.
func startCapture(t testing.TB, filter string) *capture {
	t.Helper()
	bin := testpeer.Require(t, "tshark", "tshark")
	path := filepath.Join(t.TempDir(), "capture.pcap")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	cmd := exec.CommandContext(ctx, bin, "-i", "lo", "-f", filter, "-w", path)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start tshark: %v", err)
	}
	c := &capture{t: t, cmd: cmd, path: path, done: make(chan struct{})}
	ready := make(chan struct{})
	var lines []string
	go func() {
		sc := bufio.NewScanner(stderr)
		signalled := false
		for sc.Scan() {
			lines = append(lines, sc.Text())
			if !signalled && strings.Contains(sc.Text(), "Capturing on") {
				signalled = true
				close(ready)
			}
		}
		if !signalled {
			close(ready)
		}
	}()
	go func() {
		_ = cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		c.stop()
		cancel()
	})
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("tshark did not start capturing")
	}
	select {
	case <-c.done:
		t.Skipf("tshark cannot capture on lo here: %s", strings.Join(lines, "; "))
	default:
	}
	return c
}

// stop ends the capture and returns the file.
func (c *capture) stop() string {
	select {
	case <-c.done:
		return c.path
	default:
	}
	// Let the last packets reach the capture before stopping.
	time.Sleep(300 * time.Millisecond)
	_ = c.cmd.Process.Signal(os.Interrupt)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
	return c.path
}
