package interop

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
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

// configParams fill the configuration templates of testdata/config.
type configParams struct {
	// SIPPort is the gateway's SIP UDP port (startGateway picks it).
	SIPPort int
	// MediaPorts is media.rtp_ports.
	MediaPorts string
	// Peer is host:port of the SIP peer the rules send calls to (a SIPp
	// UAS); PeerPort the port of the registrar a trunk registers to.
	Peer     string
	PeerPort int
	// InviteTimeout, SessionExpires and MinSE are sip settings ("10s").
	InviteTimeout  string
	SessionExpires string
	MinSE          string
	// DTMF and SRTP are the rule's dtmf and srtp modes.
	DTMF string
	SRTP string
	// Codecs is the rule's codec allow-list, as YAML ("[pcmu, vp8]").
	Codecs string
}

// withDefaults fills the settings a test left empty.
func (p configParams) withDefaults() configParams {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&p.InviteTimeout, "10s")
	def(&p.SessionExpires, "1800s")
	def(&p.MinSE, "90s")
	def(&p.DTMF, "rfc4733")
	def(&p.SRTP, "off")
	def(&p.Codecs, "[]")
	return p
}

// gatewayRun is a gateway running inside the test process.
type gatewayRun struct {
	t       *testing.T
	gw      *gateway.Gateway
	sipAddr netip.AddrPort // the UDP listener
	records chan gateway.Record
	logs    *lockedBuffer
	// stop ends Run and waits for it (once; the test's end calls it too).
	stop func()
}

// startGateway renders testdata/config/<tmpl>, starts a gateway with it and
// waits until its SIP listener is bound. The gateway stops when the test
// ends; its log is printed when the test failed.
//
// The SIP UDP port is picked free just before the start (so that the
// gateway's listener can be told from other protocols' UDP sockets in its
// status); a port taken in between makes the start fail and the next
// attempt take another.
func startGateway(t *testing.T, tmpl string, p configParams) *gatewayRun {
	t.Helper()
	for attempt := 1; ; attempt++ {
		p.SIPPort = freeSIPPort(t)
		g, err := runGateway(t, tmpl, p.withDefaults())
		if err == nil {
			return g
		}
		if attempt == 3 {
			t.Fatalf("gateway: %v", err)
		}
		t.Logf("gateway did not start (%v); again on another SIP port", err)
	}
}

// runGateway is one attempt of startGateway.
func runGateway(t *testing.T, tmpl string, p configParams) (*gatewayRun, error) {
	t.Helper()
	text := renderConfig(t, tmpl, p)
	cfg, err := config.Parse(tmpl, []byte(text))
	if err != nil {
		t.Fatalf("configuration from %s: %v\n%s", tmpl, err, text)
	}
	logs := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	gw, err := gateway.FromConfig(cfg, gateway.Options{Logger: log, Version: "interop"})
	if err != nil {
		t.Fatalf("gateway: %v", err)
	}
	if err := gw.BuildProtocols(); err != nil {
		t.Fatalf("gateway protocols: %v", err)
	}
	g := &gatewayRun{t: t, gw: gw, records: make(chan gateway.Record, 16), logs: logs}
	gw.OnRecord(func(r gateway.Record) {
		select {
		case g.records <- r:
		default:
			t.Errorf("call record dropped: %+v", r)
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	var runErr error
	done := make(chan struct{})
	go func() {
		runErr = gw.Run(ctx)
		close(done)
	}()
	want := fmt.Sprintf("udp 127.0.0.1:%d", p.SIPPort)
	for deadline := time.Now().Add(5 * time.Second); !slices.Contains(gw.Status().Listeners, want); {
		select {
		case <-done:
			cancel()
			return nil, fmt.Errorf("stopped at start: %w", runErr)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			<-done
			return nil, fmt.Errorf("no %s listener within 5s: %v", want, gw.Status().Listeners)
		}
		time.Sleep(10 * time.Millisecond)
	}
	g.sipAddr = netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(p.SIPPort))
	var once sync.Once
	g.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
				if runErr != nil {
					t.Errorf("gateway Run: %v", runErr)
				}
			case <-time.After(20 * time.Second):
				t.Error("gateway did not stop within 20s")
			}
		})
	}
	t.Cleanup(func() {
		g.stop()
		if t.Failed() || os.Getenv("INTEROP_LOG") != "" {
			t.Logf("gateway log:\n%s", lastBytes(logs.String(), 30000))
		}
	})
	return g, nil
}

// renderConfig executes a configuration template.
func renderConfig(t *testing.T, name string, p configParams) string {
	t.Helper()
	tp, err := template.ParseFiles(filepath.Join("testdata", "config", name))
	if err != nil {
		t.Fatalf("config template: %v", err)
	}
	var b bytes.Buffer
	if err := tp.Execute(&b, p); err != nil {
		t.Fatalf("config template %s: %v", name, err)
	}
	return b.String()
}

// record waits for the next call record.
func (g *gatewayRun) record(within time.Duration) gateway.Record {
	g.t.Helper()
	select {
	case r := <-g.records:
		return r
	case <-time.After(within):
		g.t.Fatalf("no call record within %s", within)
		return gateway.Record{}
	}
}

// noRecord checks that no further call record was written.
func (g *gatewayRun) noRecord() {
	g.t.Helper()
	select {
	case r := <-g.records:
		g.t.Errorf("unexpected call record: %+v", r)
	default:
	}
}

// waitIdle waits until the gateway has no call and no media port in use
// (teardown released everything), and checks that the call wrote no
// second record.
func (g *gatewayRun) waitIdle(within time.Duration) {
	g.t.Helper()
	deadline := time.Now().Add(within)
	for {
		st := g.gw.Status()
		inUse := -1
		if m, ok := st.Protocols["media"].(map[string]any); ok {
			if n, ok := m["ports_in_use"].(int); ok {
				inUse = n
			}
		}
		if st.Calls == 0 && inUse == 0 {
			g.noRecord()
			return
		}
		if time.Now().After(deadline) {
			g.t.Errorf("gateway not idle %s after the call: %d calls, %d media ports in use", within, st.Calls, inUse)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sipStatus returns the sip part of the gateway's status.
func (g *gatewayRun) sipStatus() (trunks []sip.TrunkStatus, registrations []sip.Binding) {
	m, ok := g.gw.Status().Protocols["sip"].(map[string]any)
	if !ok {
		g.t.Fatalf("status has no sip protocol: %+v", g.gw.Status().Protocols)
	}
	trunks, _ = m["trunks"].([]sip.TrunkStatus)
	registrations, _ = m["registrations"].([]sip.Binding)
	return trunks, registrations
}

// uri is a SIP URI of user at the gateway.
func (g *gatewayRun) uri(user string) string {
	return fmt.Sprintf("sip:%s@%s", user, g.sipAddr)
}

// recordWant is what a test expects of a call record.
type recordWant struct {
	rule    string
	service string
	cause   call.Cause
	// relayed lists roles that must have relayed at least minPackets in
	// each direction.
	relayed    []call.Role
	minPackets uint64
}

// checkRecord compares a call record with what the test expects.
func checkRecord(t *testing.T, r gateway.Record, w recordWant) {
	t.Helper()
	if r.Rule != w.rule || r.Service != w.service {
		t.Errorf("record: rule %q service %q, want rule %q service %q", r.Rule, r.Service, w.rule, w.service)
	}
	if r.Cause != w.cause.String() {
		t.Errorf("record: cause %q (%s, ended by %q), want %q", r.Cause, r.Detail, r.EndedBy, w.cause)
	}
	for _, role := range w.relayed {
		dirs := 0
		for _, s := range r.Streams {
			if s.Role != role {
				continue
			}
			dirs++
			if s.Path != bridge.PathRelay {
				t.Errorf("record: %s stream %s→%s took path %q, want relay", role, s.From, s.To, s.Path)
			}
			if s.Packets < w.minPackets {
				t.Errorf("record: %s stream %s→%s carried %d packets, want at least %d", role, s.From, s.To, s.Packets, w.minPackets)
			}
		}
		if dirs != 2 {
			t.Errorf("record: %d directions of %s, want 2: %+v", dirs, role, r.Streams)
		}
	}
	if t.Failed() {
		t.Logf("record: %+v", r)
	}
}

// lockedBuffer is a bytes.Buffer safe for concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func lastBytes(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
