package interop

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"github.com/switchyard/switchyard/bridge"
	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/config"
	"github.com/switchyard/switchyard/gateway"
	"github.com/switchyard/switchyard/sip"
)

// The transcoding tests take their loopback media ports from a range of
// their own, one block per test: below the kernel's ephemeral ports (32768
// and up on Linux), so that no socket the system hands out at random lands
// in it, and apart from the blocks the other interop tests use.
const (
	tcPortBase   = 29000
	tcBlockSize  = 200
	tcBlockCount = 5
	tcGWPorts    = 40 // the gateway's media range at the start of each block
)

// tcPorts is one transcoding test's block of UDP ports.
type tcPorts struct {
	first, next int
}

// tcPortBlock returns block index (0 ≤ index < tcBlockCount).
func tcPortBlock(t testing.TB, index int) *tcPorts {
	t.Helper()
	if index < 0 || index >= tcBlockCount {
		t.Fatalf("transcode port block %d out of range [0,%d)", index, tcBlockCount)
	}
	first := tcPortBase + index*tcBlockSize
	return &tcPorts{first: first, next: first + tcGWPorts}
}

// gatewayRange is the gateway's media.rtp_ports.
func (b *tcPorts) gatewayRange() string {
	return fmt.Sprintf("%d-%d", b.first, b.first+tcGWPorts-1)
}

// inGateway reports whether a port is one of the gateway's media ports.
func (b *tcPorts) inGateway(port uint16) bool {
	return int(port) >= b.first && int(port) < b.first+tcGWPorts
}

// filter is a capture filter for every port of the block.
func (b *tcPorts) filter() string {
	return fmt.Sprintf("udp portrange %d-%d", b.first, b.first+tcBlockSize-1)
}

// take hands out n consecutive ports, from an even one, that can be bound
// on loopback right now.
func (b *tcPorts) take(t testing.TB, n int) int {
	t.Helper()
	b.next += b.next % 2
	for b.next+n <= b.first+tcBlockSize {
		p := b.next
		b.next += n + n%2
		if tcUDPFree(p, n) {
			return p
		}
	}
	t.Fatalf("transcode port block at %d has no %d free ports left", b.first, n)
	return 0
}

// tcUDPFree reports whether n ports from p can be bound on loopback.
func tcUDPFree(p, n int) bool {
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

// tcFreePort returns a loopback port the kernel had free for UDP and TCP
// (a SIP or control listener of a peer).
func tcFreePort(t testing.TB) int {
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
	t.Fatal("no free loopback port")
	return 0
}

// tcGateway is a gateway running inside the test process with the
// configuration of testdata/transcode_gateway.yaml.tmpl.
type tcGateway struct {
	t       *testing.T
	gw      *gateway.Gateway
	sipAddr netip.AddrPort
	records chan gateway.Record
	logs    *tcLog
}

// tcStartGateway starts the gateway with its media ports in the block and
// waits until its SIP listener is bound. It stops when the test ends; its
// log is printed when the test failed (or INTEROP_LOG is set).
func tcStartGateway(t *testing.T, ports *tcPorts) *tcGateway {
	t.Helper()
	tp, err := template.ParseFiles(filepath.Join("testdata", "transcode_gateway.yaml.tmpl"))
	if err != nil {
		t.Fatalf("gateway configuration template: %v", err)
	}
	var text bytes.Buffer
	if err := tp.Execute(&text, struct{ MediaPorts string }{ports.gatewayRange()}); err != nil {
		t.Fatalf("gateway configuration template: %v", err)
	}
	cfg, err := config.Parse("transcode_gateway.yaml", text.Bytes())
	if err != nil {
		t.Fatalf("gateway configuration: %v\n%s", err, text.String())
	}
	logs := &tcLog{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	gw, err := gateway.FromConfig(cfg, gateway.Options{Logger: log, Version: "interop"})
	if err != nil {
		t.Fatalf("gateway: %v", err)
	}
	if err := gw.BuildProtocols(); err != nil {
		t.Fatalf("gateway protocols: %v", err)
	}
	g := &tcGateway{t: t, gw: gw, records: make(chan gateway.Record, 8), logs: logs}
	gw.OnRecord(func(r gateway.Record) {
		select {
		case g.records <- r:
		default:
			t.Errorf("call record dropped: %+v", r)
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- gw.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("gateway Run: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("gateway did not stop within 20s")
		}
		if t.Failed() || os.Getenv("INTEROP_LOG") != "" {
			t.Logf("gateway log:\n%s", tcTail(logs.String(), 30000))
		}
	})
	for deadline := time.Now().Add(5 * time.Second); ; {
		for _, l := range gw.Status().Listeners {
			// SIP registers first, so its UDP listener is the first "udp".
			if a, ok := strings.CutPrefix(l, "udp "); ok {
				g.sipAddr = netip.MustParseAddrPort(a)
				break
			}
		}
		if g.sipAddr.IsValid() {
			return g
		}
		select {
		case err := <-done:
			t.Fatalf("gateway stopped at start: %v\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("gateway has no UDP SIP listener: %v", gw.Status().Listeners)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// uri is a SIP URI of user at the gateway.
func (g *tcGateway) uri(user string) string {
	return fmt.Sprintf("sip:%s@%s", user, g.sipAddr)
}

// record waits for the next call record.
func (g *tcGateway) record(within time.Duration) gateway.Record {
	g.t.Helper()
	select {
	case r := <-g.records:
		return r
	case <-time.After(within):
		g.t.Fatalf("no call record within %s", within)
		return gateway.Record{}
	}
}

// waitRegistered waits until the registrar holds a binding for every user.
func (g *tcGateway) waitRegistered(within time.Duration, users ...string) {
	g.t.Helper()
	deadline := time.Now().Add(within)
	for {
		var have []string
		if m, ok := g.gw.Status().Protocols["sip"].(map[string]any); ok {
			regs, _ := m["registrations"].([]sip.Binding)
			for _, r := range regs {
				have = append(have, r.AOR)
			}
		}
		missing := 0
		for _, u := range users {
			found := false
			for _, aor := range have {
				if strings.HasPrefix(aor, u+"@") {
					found = true
				}
			}
			if !found {
				missing++
			}
		}
		if missing == 0 {
			return
		}
		if time.Now().After(deadline) {
			g.t.Fatalf("registrations %v after %s, want %v", have, within, users)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// tcBound is the life of one transcoding test's peers: it ends after d
// (every peer process is then killed, so that whatever waits on them
// fails at once) or when the test ends.
func tcBound(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// tcStreamInto returns the record's stream entry that delivered media of a
// role into the leg with the given ID.
func tcStreamInto(r gateway.Record, role call.Role, legID string) (bridge.StreamResult, bool) {
	for _, s := range r.Streams {
		if s.Role == role && s.To == legID {
			return s, true
		}
	}
	return bridge.StreamResult{}, false
}

// tcDeliveredCodec is the codec of what a stream entry delivered: the To
// leg's codec when the path transcoded, else the codec it relayed.
func tcDeliveredCodec(s bridge.StreamResult) call.Codec {
	if s.Path == bridge.PathTranscode {
		return s.ToCodec
	}
	return s.Codec
}

// tcLog is a log buffer safe for concurrent writers.
type tcLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *tcLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *tcLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// tcTail is the last n bytes of s.
func tcTail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
