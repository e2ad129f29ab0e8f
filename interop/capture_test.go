package interop

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/testpeer"
)

// capture is a dumpcap capture on the loopback interface.
type capture struct {
	t    *testing.T
	cmd  *exec.Cmd
	path string
	done chan struct{}
	once sync.Once
}

// startCapture captures what matches a BPF filter on lo into a pcap file,
// until stop or the end of the test.
func startCapture(t *testing.T, filter string) *capture {
	t.Helper()
	bin := testpeer.Require(t, "dumpcap", "tshark")
	path := filepath.Join(t.TempDir(), "capture.pcapng")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // hard bound
	cmd := exec.CommandContext(ctx, bin, "-i", "lo", "-f", filter, "-w", path)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start dumpcap: %v", err)
	}
	c := &capture{t: t, cmd: cmd, path: path, done: make(chan struct{})}
	t.Cleanup(func() {
		if t.Failed() {
			c.stop()
			t.Logf("capture (SIP only):\n%s", c.summary("sip"))
			if dir := os.Getenv("INTEROP_KEEP"); dir != "" {
				dst := filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+".pcapng")
				if data, err := os.ReadFile(path); err == nil && os.WriteFile(dst, data, 0o644) == nil {
					t.Logf("capture kept in %s", dst)
				}
			}
		}
	})
	ready := make(chan struct{})
	var lines []string
	var linesMu sync.Mutex
	go func() {
		sc := bufio.NewScanner(stderr)
		signalled := false
		for sc.Scan() {
			linesMu.Lock()
			lines = append(lines, sc.Text())
			linesMu.Unlock()
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
		cancel()
		close(c.done)
	}()
	t.Cleanup(func() { c.stop() })
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("dumpcap did not start capturing")
	}
	select {
	case <-c.done:
		linesMu.Lock()
		defer linesMu.Unlock()
		if testpeer.InCI() {
			t.Fatalf("dumpcap cannot capture on lo: %s", strings.Join(lines, "; "))
		}
		t.Skipf("dumpcap cannot capture on lo here: %s", strings.Join(lines, "; "))
	default:
	}
	return c
}

// stop ends the capture (SIGINT to dumpcap's PID) and returns the file.
func (c *capture) stop() string {
	c.once.Do(func() {
		// Let the last packets reach the capture.
		time.Sleep(300 * time.Millisecond)
		_ = c.cmd.Process.Signal(os.Interrupt)
		select {
		case <-c.done:
		case <-time.After(10 * time.Second):
			_ = c.cmd.Process.Kill()
			<-c.done
		}
	})
	return c.path
}

// summary is tshark's one-line summary of the packets matching a display
// filter, for failure messages.
func (c *capture) summary(filter string) string {
	bin, err := exec.LookPath("tshark")
	if err != nil {
		return err.Error()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "-r", c.path, "-Y", filter).CombinedOutput()
	if err != nil {
		return fmt.Sprintf("tshark: %v\n%s", err, out)
	}
	return lastBytes(string(out), 8000)
}

// decoded is tshark's decode of a capture.
type decoded struct {
	packets []testpeer.Packet
}

// decode stops the capture and decodes it with tshark, RTP found by
// heuristics as well as from the SDP it sees. Packets to and from sipPorts
// (UDP or TCP) are decoded as SIP whatever else tshark would take their
// ports for: a port the kernel hands out may be registered to another
// protocol (34962 is PROFINET's).
func (c *capture) decode(sipPorts ...int) *decoded {
	c.t.Helper()
	path := c.stop()
	args := []string{"-o", "rtp.heuristic_rtp:TRUE"}
	for _, p := range sipPorts {
		args = append(args, "-d", fmt.Sprintf("udp.port==%d,sip", p), "-d", fmt.Sprintf("tcp.port==%d,sip", p))
	}
	return &decoded{packets: testpeer.Tshark(c.t, path, args...)}
}

// sipMessage is one SIP message of the capture.
type sipMessage struct {
	frame    string
	src, dst int
	// size is the UDP payload's length (0 over TCP); tcp says the
	// message went over TCP.
	size int
	tcp  bool
	// method of a request, status of a response; cseq is the CSeq method.
	method, status, cseq string
	// sdp is the message body when it is a session description.
	sdp string
	// raw is the start line and headers as tshark shows them.
	raw []string
}

func (m sipMessage) String() string {
	if m.method != "" {
		return m.method
	}
	return m.status + " (" + m.cseq + ")"
}

// checkSIPFrom asserts that every packet the gateway sent from its UDP
// SIP port (and over TCP to one of tcpPeers, SIP ports of peers the
// gateway may reach over TCP) decodes as SIP, that every message with an
// SDP body decodes as SDP, and that neither carries a malformed mark or an
// expert warning or error. It returns the messages the gateway sent and
// received.
func (d *decoded) checkSIPFrom(t *testing.T, sipPort int, tcpPeers ...int) (sent, received []sipMessage) {
	t.Helper()
	port := strconv.Itoa(sipPort)
	peer := map[string]bool{}
	for _, p := range tcpPeers {
		peer[strconv.Itoa(p)] = true
	}
	for _, p := range d.packets {
		var from, to bool
		if srcs, dsts := testpeer.Strings(p, "udp.srcport"), testpeer.Strings(p, "udp.dstport"); len(srcs) > 0 && len(dsts) > 0 {
			from, to = srcs[0] == port, dsts[0] == port
		} else if srcs, dsts := testpeer.Strings(p, "tcp.srcport"), testpeer.Strings(p, "tcp.dstport"); len(srcs) > 0 && len(dsts) > 0 {
			if !testpeer.Has(p, "sip") {
				continue // TCP without a SIP message: handshakes, ACKs, segments
			}
			from, to = peer[dsts[0]], peer[srcs[0]]
		}
		if !from && !to {
			continue
		}
		frame := ""
		if f := testpeer.Strings(p, "frame.number"); len(f) > 0 {
			frame = f[0]
		}
		if !testpeer.Has(p, "sip") {
			if from {
				t.Errorf("frame %s from the gateway's SIP port does not decode as SIP", frame)
			}
			continue
		}
		m := sipMessageOf(p, frame)
		if from {
			if probs := sipProblems(p); len(probs) > 0 {
				t.Errorf("tshark: the gateway's %s (frame %s) has problems: %v\n%s", m, frame, probs, strings.Join(m.raw, "\n"))
			}
			if testpeer.Has(p, "_ws.malformed") {
				t.Errorf("tshark: the gateway's %s (frame %s) is malformed", m, frame)
			}
			ct := strings.ToLower(strings.Join(testpeer.Strings(p, "sip.Content-Type"), ","))
			if strings.Contains(ct, "application/sdp") && !testpeer.Has(p, "sdp") {
				t.Errorf("tshark: the gateway's %s (frame %s) has an SDP body that does not decode as SDP", m, frame)
			}
			sent = append(sent, m)
		} else {
			received = append(received, m)
		}
	}
	if len(sent) == 0 {
		t.Errorf("tshark: the capture holds no SIP message from the gateway's port %d", sipPort)
	}
	return sent, received
}

// checkGateway checks what the gateway sent in the capture: its SIP
// messages (checkSIPFrom) and its media (checkMediaFrom). It returns the
// SIP messages it sent.
func (d *decoded) checkGateway(t *testing.T, gw *gatewayRun, ports *portBlock, tcpPeers ...int) []sipMessage {
	t.Helper()
	sent, _ := d.checkSIPFrom(t, int(gw.sipAddr.Port()), tcpPeers...)
	lo, hi := ports.gatewayMedia()
	n := d.checkMediaFrom(t, lo, hi)
	t.Logf("tshark decoded %d SIP messages and %d media packets from the gateway", len(sent), n)
	return sent
}

// checkMediaFrom asserts that the packets the gateway sent from its media
// ports (RTP, SRTP and RTCP) decode without a malformed mark or an expert
// error in their RTP and RTCP layers, and returns how many there were. A
// codec payload that tshark's payload dissector rejects is not the
// gateway's doing when the senders' own packets of that payload (arriving
// at the gateway) are rejected too: the gateway relays payloads as they
// came. Those are logged.
func (d *decoded) checkMediaFrom(t *testing.T, lo, hi int) int {
	t.Helper()
	n := 0
	seen := map[string]bool{}
	payloadOut, payloadIn := map[string]int{}, map[string]int{}
	inRange := func(p testpeer.Packet, field string) bool {
		v := testpeer.Strings(p, field)
		if len(v) == 0 {
			return false
		}
		port, err := strconv.Atoi(v[0])
		return err == nil && port >= lo && port <= hi
	}
	for _, p := range d.packets {
		out, in := inRange(p, "udp.srcport"), inRange(p, "udp.dstport")
		if !out && !in {
			continue
		}
		if out {
			n++
		}
		probs := testpeer.ProblemsAtLeast(p, testpeer.SeverityError)
		if len(probs) == 0 {
			continue
		}
		// The innermost dissector is where tshark met the problem.
		protos := strings.Split(strings.Join(testpeer.Strings(p, "frame.protocols"), ""), ":")
		switch last := protos[len(protos)-1]; {
		case !out:
			payloadIn[last]++
		case last == "udp" || last == "rtp" || last == "rtcp" || last == "srtp" || last == "srtcp" || last == "rtpevent":
			for _, prob := range probs {
				if key := last + ": " + prob.String(); !seen[key] {
					seen[key] = true
					t.Errorf("tshark: a media packet from the gateway has a problem in %s", key)
				}
			}
		default:
			payloadOut[last]++
		}
	}
	for proto, k := range payloadOut {
		if payloadIn[proto] == 0 {
			t.Errorf("tshark: %d %s payloads from the gateway do not decode, though none of those it received failed", k, proto)
			continue
		}
		t.Logf("tshark: %d relayed %s payloads do not decode, as %d of the senders' own did not", k, proto, payloadIn[proto])
	}
	return n
}

// sipProblems are a packet's expert warnings and errors outside the
// transport layers (TCP marks its own retransmissions and window changes,
// which say nothing about the SIP message).
func sipProblems(p testpeer.Packet) []testpeer.Problem {
	var out []testpeer.Problem
	for layer, v := range p {
		if layer == "tcp" || layer == "ip" || layer == "frame" || layer == "eth" || layer == "sll" {
			continue
		}
		out = append(out, testpeer.ProblemsAtLeast(v, testpeer.SeverityWarn)...)
	}
	return out
}

// sipMessageOf reads one SIP packet.
func sipMessageOf(p testpeer.Packet, frame string) sipMessage {
	m := sipMessage{frame: frame}
	first := func(name string) string {
		if v := testpeer.Strings(p, name); len(v) > 0 {
			return v[0]
		}
		return ""
	}
	m.src, _ = strconv.Atoi(first("udp.srcport"))
	m.dst, _ = strconv.Atoi(first("udp.dstport"))
	if m.src == 0 {
		m.tcp = true
		m.src, _ = strconv.Atoi(first("tcp.srcport"))
		m.dst, _ = strconv.Atoi(first("tcp.dstport"))
	}
	if n, err := strconv.Atoi(first("udp.length")); err == nil {
		m.size = n - 8
	}
	m.method = first("sip.Method")
	m.status = first("sip.Status-Code")
	m.cseq = first("sip.CSeq.method")
	if m.method != "" && m.status == "" {
		// A request carries sip.Method twice (Request-Line and CSeq).
		m.cseq = m.method
	}
	m.raw = append(testpeer.Strings(p, "sip.Request-Line"), testpeer.Strings(p, "sip.Status-Line")...)
	if testpeer.Has(p, "sdp") {
		var lines []string
		for _, f := range []string{"sdp.media", "sdp.media_attr", "sdp.connection_info"} {
			for _, v := range testpeer.Strings(p, f) {
				lines = append(lines, f+": "+v)
			}
		}
		m.sdp = strings.Join(lines, "\n")
	}
	return m
}

// rtpTo counts the RTP packets sent to a UDP port, by payload type.
func (d *decoded) rtpTo(port int) map[string]int { return d.rtpToRange(port, port) }

// rtpToRange counts the RTP packets sent to UDP ports lo to hi, by
// payload type.
func (d *decoded) rtpToRange(lo, hi int) map[string]int {
	out := map[string]int{}
	for _, p := range d.packets {
		if !testpeer.Has(p, "rtp") {
			continue
		}
		dst := testpeer.Strings(p, "udp.dstport")
		if len(dst) == 0 {
			continue
		}
		if port, err := strconv.Atoi(dst[0]); err != nil || port < lo || port > hi {
			continue
		}
		pt := testpeer.Strings(p, "rtp.p_type")
		if len(pt) == 0 {
			continue
		}
		out[pt[0]]++
	}
	return out
}

// count sums the packets of a by-payload-type count, for the given
// payload types (all when none is given).
func count(byPT map[string]int, pts ...int) int {
	n := 0
	for pt, c := range byPT {
		if len(pts) == 0 {
			n += c
			continue
		}
		for _, want := range pts {
			if pt == strconv.Itoa(want) {
				n += c
			}
		}
	}
	return n
}

// methodsOf lists requests (method) and responses ("status cseq").
func methodsOf(msgs []sipMessage) []string {
	var out []string
	for _, m := range msgs {
		if m.method != "" {
			out = append(out, m.method)
		} else {
			out = append(out, fmt.Sprintf("%s %s", m.status, m.cseq))
		}
	}
	return out
}

// hasMessage reports whether msgs holds a request of method, or a response
// "status cseq" ("486 INVITE").
func hasMessage(msgs []sipMessage, what string) bool {
	for _, s := range methodsOf(msgs) {
		if s == what {
			return true
		}
	}
	return false
}
