package interop

import (
	"fmt"
	"math/rand/v2"
	"net"
	"testing"
)

// Each test owns one block of loopback UDP ports, named by a constant
// index, so that tests running in parallel never share a port: the first
// part is the gateway's media range, the rest is handed to the peers
// (SIPp's media ports, baresip's RTP range). The blocks lie below Linux's
// ephemeral port range (32768 and up), where no socket lands by chance.
const (
	blockBase      = 28000
	blockSize      = 80
	blockCount     = (32768 - blockBase) / blockSize
	gatewayPorts   = 40 // 10 audio+video legs
	peerPortsStart = gatewayPorts
)

// portBlock is one test's ports.
type portBlock struct {
	first int
	next  int // next peer port to hand out, relative to first
	// extra are peer port ranges handed out beyond the block, when other
	// programs held the block's own ports: [first, last] pairs.
	extra [][2]int
}

// Where ports are looked for when a block's own are taken: below the
// blocks (and the kernel's ephemeral range).
const spareFirst = 20000

// ports returns the block with the given index (0 ≤ index < blockCount).
// When another program holds most of the block's gateway range (a
// benchmark, another suite), the block moves to a free stretch below the
// blocks.
func ports(t testing.TB, index int) *portBlock {
	t.Helper()
	if index < 0 || index >= blockCount {
		t.Fatalf("port block %d out of range [0,%d)", index, blockCount)
	}
	b := &portBlock{first: blockBase + index*blockSize, next: peerPortsStart}
	if freePairs(b.first, gatewayPorts) >= minFreePairs {
		return b
	}
	for range 200 {
		first := spareFirst + 2*rand.IntN((blockBase-spareFirst-blockSize)/2)
		if freePairs(first, blockSize) == blockSize/2 {
			t.Logf("port block %d (%d) is taken by another program; using %d-%d", index, b.first, first, first+blockSize-1)
			b.first = first
			return b
		}
	}
	t.Fatalf("port block %d is taken and no free stretch of %d ports was found below %d", index, blockSize, blockBase)
	return nil
}

// minFreePairs is how many RTP/RTCP port pairs of its media range a
// gateway needs free for a test's calls.
const minFreePairs = 12

// freePairs counts the even/odd port pairs from first (n ports) that can
// be bound on loopback now.
func freePairs(first, n int) int {
	free := 0
	for p := first; p+1 < first+n; p += 2 {
		if udpFree(p, 2) {
			free++
		}
	}
	return free
}

// mediaRange is the gateway's media.rtp_ports setting.
func (b *portBlock) mediaRange() string {
	return fmt.Sprintf("%d-%d", b.first, b.first+gatewayPorts-1)
}

// gatewayMedia is the first and last port of the gateway's media range.
func (b *portBlock) gatewayMedia() (lo, hi int) { return b.first, b.first + gatewayPorts - 1 }

// peer hands out n consecutive ports (starting on an even port) that are
// free for UDP right now.
func (b *portBlock) peer(t testing.TB, n int) int {
	t.Helper()
	for b.next%2 != 0 {
		b.next++
	}
	for b.next+n <= blockSize {
		p := b.first + b.next
		b.next += n + n%2
		if udpFree(p, n) {
			return p
		}
	}
	// Another program holds the block's ports: take free ones elsewhere.
	for range 500 {
		p := spareFirst + 2*rand.IntN((blockBase-spareFirst-n)/2)
		if udpFree(p, n) {
			b.extra = append(b.extra, [2]int{p, p + n - 1})
			return p
		}
	}
	t.Fatalf("no %d free ports in port block %d or below %d", n, b.first, blockBase)
	return 0
}

// filter is a capture filter for every port of the block and every peer
// port handed out beyond it.
func (b *portBlock) filter() string {
	f := fmt.Sprintf("udp portrange %d-%d", b.first, b.first+blockSize-1)
	for _, r := range b.extra {
		f += fmt.Sprintf(" or udp portrange %d-%d", r[0], r[1])
	}
	return f
}

// udpFree reports whether n ports from p can be bound on loopback.
func udpFree(p, n int) bool {
	var conns []net.PacketConn
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for i := range n {
		c, err := net.ListenPacket("udp4", fmt.Sprintf("127.0.0.1:%d", p+i))
		if err != nil {
			return false
		}
		conns = append(conns, c)
	}
	return true
}

// freeSIPPort returns a loopback port the kernel had free for UDP and TCP.
func freeSIPPort(t testing.TB) int {
	t.Helper()
	for range 20 {
		pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := pc.LocalAddr().(*net.UDPAddr).Port
		_ = pc.Close()
		if ln, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", p)); err == nil {
			_ = ln.Close()
			return p
		}
	}
	t.Fatal("no free SIP port")
	return 0
}
