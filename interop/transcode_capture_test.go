package interop

import (
	"bufio"
	"context"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/internal/pcap"
	"github.com/switchyard/switchyard/internal/testpeer"
)

// tcCapture is a dumpcap capture on the loopback interface.
type tcCapture struct {
	t    *testing.T
	cmd  *exec.Cmd
	path string
	done chan struct{}
	once sync.Once
}

// tcStartCapture captures what matches a BPF filter on lo, until stop, the
// end of the test or the end of ctx.
func tcStartCapture(ctx context.Context, t *testing.T, filter string) *tcCapture {
	t.Helper()
	bin := testpeer.Require(t, "dumpcap", "tshark")
	path := filepath.Join(t.TempDir(), "media.pcapng")
	ctx, cancel := context.WithCancel(ctx)
	cmd := exec.CommandContext(ctx, bin, "-q", "-i", "lo", "-f", filter, "-w", path)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start dumpcap: %v", err)
	}
	c := &tcCapture{t: t, cmd: cmd, path: path, done: make(chan struct{})}
	ready := make(chan struct{})
	var (
		linesMu sync.Mutex
		lines   []string
	)
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
		msg := "dumpcap cannot capture on lo: " + strings.Join(lines, "; ")
		if testpeer.InCI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	default:
	}
	return c
}

// stop ends the capture (SIGINT to dumpcap's PID) and returns its file.
func (c *tcCapture) stop() string {
	c.once.Do(func() {
		time.Sleep(300 * time.Millisecond) // let the last packets in
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

// tcRTPStream is one RTP stream of a capture: one destination port, SSRC
// and payload type, in sequence-number order without duplicates.
type tcRTPStream struct {
	src, dst netip.AddrPort
	ssrc     uint32
	pt       uint8
	pkts     []rtp.Packet
}

// packets stops the capture and reads its UDP packets.
func (c *tcCapture) packets() []pcap.Packet {
	c.t.Helper()
	pkts, err := pcap.ReadPackets(c.stop())
	if err != nil {
		c.t.Fatalf("read the capture: %v", err)
	}
	return pkts
}

// tcSDPPorts returns the media ports of the last session description sent
// from a SIP port: the port of each m= line by media type ("audio",
// "video").
func tcSDPPorts(pkts []pcap.Packet, sipPort int) map[string]int {
	out := map[string]int{}
	for _, p := range pkts {
		if p.Proto != pcap.ProtoUDP || int(p.Src.Port()) != sipPort {
			continue
		}
		_, body, ok := strings.Cut(string(p.Payload), "\r\n\r\n")
		if !ok || !strings.HasPrefix(body, "v=0") {
			continue
		}
		for line := range strings.SplitSeq(body, "\n") {
			f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "m="))
			if !strings.HasPrefix(strings.TrimSpace(line), "m=") || len(f) < 2 {
				continue
			}
			if port, err := strconv.Atoi(f[1]); err == nil {
				out[f[0]] = port
			}
		}
	}
	return out
}

// tcStreamsOf groups the RTP packets of a capture into streams.
func tcStreamsOf(pkts []pcap.Packet, keep func(src, dst netip.AddrPort) bool) []*tcRTPStream {
	type key struct {
		dst  netip.AddrPort
		ssrc uint32
		pt   uint8
	}
	type acc struct {
		s    *tcRTPStream
		ext  []uint64
		last uint64
	}
	byKey := map[key]*acc{}
	var order []key
	for _, p := range pkts {
		if p.Proto != pcap.ProtoUDP || !keep(p.Src, p.Dst) || len(p.Payload) < 12 || p.Payload[0]>>6 != 2 {
			continue
		}
		if pt := p.Payload[1]; pt >= 192 && pt <= 223 { // RTCP (RFC 5761 range)
			continue
		}
		var r rtp.Packet
		if r.Unmarshal(p.Payload) != nil {
			continue
		}
		r.Payload = slices.Clone(r.Payload)
		k := key{p.Dst, r.SSRC, r.PayloadType}
		a := byKey[k]
		if a == nil {
			a = &acc{s: &tcRTPStream{src: p.Src, dst: p.Dst, ssrc: r.SSRC, pt: r.PayloadType}, last: 1 << 32}
			a.last += uint64(r.SequenceNumber)
			byKey[k] = a
			order = append(order, k)
		}
		// Extend the sequence number to the candidate nearest the last.
		ext := a.last&^0xffff | uint64(r.SequenceNumber)
		switch {
		case ext+0x8000 < a.last:
			ext += 0x10000
		case ext > a.last+0x8000:
			ext -= 0x10000
		}
		a.last = ext
		a.s.pkts = append(a.s.pkts, r)
		a.ext = append(a.ext, ext)
	}
	out := make([]*tcRTPStream, 0, len(order))
	for _, k := range order {
		a := byKey[k]
		idx := make([]int, len(a.s.pkts))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(x, y int) int { return compareU64(a.ext[x], a.ext[y]) })
		sorted := make([]rtp.Packet, 0, len(idx))
		for n, i := range idx {
			if n > 0 && a.ext[i] == a.ext[idx[n-1]] {
				continue // a duplicate
			}
			sorted = append(sorted, a.s.pkts[i])
		}
		a.s.pkts = sorted
		out = append(out, a.s)
	}
	return out
}

func compareU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// tcLargestStream returns the stream with the most packets among those
// sent to a port with payload type pt (nil when there is none).
func tcLargestStream(streams []*tcRTPStream, port int, pt uint8) *tcRTPStream {
	var best *tcRTPStream
	for _, s := range streams {
		if int(s.dst.Port()) != port || s.pt != pt {
			continue
		}
		if best == nil || len(s.pkts) > len(best.pkts) {
			best = s
		}
	}
	return best
}
