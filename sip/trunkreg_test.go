package sip

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// sipStack is a sipgo user agent listening on a loopback UDP port: enough
// to run the registrar or the trunk client against a peer.
type sipStack struct {
	ua     *sipgo.UserAgent
	srv    *sipgo.Server
	client *sipgo.Client
	addr   netip.AddrPort
}

func newSIPStack(t *testing.T) *sipStack {
	t.Helper()
	return newSIPStackOn(t, "127.0.0.1:0", nil)
}

// newSIPStackOn is newSIPStack on a given UDP address; handlers, when not
// nil, registers request handlers before the stack serves (sipgo's handler
// table is not safe to change while serving).
func newSIPStackOn(t *testing.T, addr string, handlers func(*sipStack)) *sipStack {
	t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("switchyard-test"), sipgo.WithUserAgentHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sipgo.NewServer(ua)
	if err != nil {
		t.Fatal(err)
	}
	client, err := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.ListenPacket("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &sipStack{ua: ua, srv: srv, client: client, addr: netip.MustParseAddrPort(conn.LocalAddr().String())}
	if handlers != nil {
		handlers(s)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.ServeUDP(conn)
	}()
	t.Cleanup(func() {
		_ = ua.Close()
		_ = conn.Close()
		<-done
	})
	// Requests leave from the listener once it is in the connection pool.
	for deadline := time.Now().Add(2 * time.Second); ; {
		if c, _ := ua.TransportLayer().GetConnection("udp", s.addr.String()); c != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("UDP listener did not start")
		}
		time.Sleep(time.Millisecond)
	}
	return s
}

// trunkRegContact makes the stack a trunkTransport: our Contact is its
// listener.
func (s *sipStack) trunkRegContact(t Trunk) (sip.Uri, error) {
	user := t.Username
	if user == "" {
		user = "switchyard"
	}
	return sip.Uri{Scheme: "sip", User: user, Host: s.addr.Addr().String(), Port: int(s.addr.Port())}, nil
}

// trunkRegSend sends from the stack's listener; sipgo adds the Via.
func (s *sipStack) trunkRegSend(ctx context.Context, t Trunk, req *sip.Request) (*sip.Response, error) {
	req.Laddr = sip.Addr{IP: net.IP(s.addr.Addr().AsSlice()), Port: int(s.addr.Port())}
	return s.client.Do(ctx, req)
}

// testTrunkManager is a trunk manager on its own stack, with short timers.
func testTrunkManager(t *testing.T, stack *sipStack) *trunkManager {
	m := newTrunkManager(regTestLogger(t), stack)
	m.backoffMin, m.backoffMax = 200*time.Millisecond, time.Second
	m.requestTimeout = time.Second
	m.unregisterTimeout = time.Second
	return m
}

// regTestLogger logs to the test's output until the test ends.
func regTestLogger(t *testing.T) *slog.Logger {
	w := &regLogWriter{t: t}
	t.Cleanup(func() {
		w.mu.Lock()
		w.done = true
		w.mu.Unlock()
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type regLogWriter struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (w *regLogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

// runManager runs m until the test ends (or stop is called) and waits for
// it to unregister.
func runManager(t *testing.T, m *trunkManager) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.run(ctx)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Error("trunk manager did not stop")
			}
		})
	}
	t.Cleanup(stop)
	// Wait until run has taken ownership.
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		m.mu.Lock()
		running := m.runCtx != nil
		m.mu.Unlock()
		if running {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	return stop
}

// waitTrunkState waits for a trunk to reach want and returns its status.
func waitTrunkState(t *testing.T, m *trunkManager, name string, want TrunkState, within time.Duration) TrunkStatus {
	t.Helper()
	deadline := time.Now().Add(within)
	var last TrunkStatus
	for {
		for _, st := range m.status() {
			if st.Name == name {
				last = st
			}
		}
		if last.State == want {
			return last
		}
		if time.Now().After(deadline) {
			t.Fatalf("trunk %s: state %q (%s), want %q after %s", name, last.State, last.LastError, want, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ownRegistrar runs our registrar on a stack, with users.
func ownRegistrar(t *testing.T, users ...User) (*sipStack, *registration) {
	return ownRegistrarOn(t, "127.0.0.1:0", users...)
}

func ownRegistrarOn(t *testing.T, addr string, users ...User) (*sipStack, *registration) {
	cfg := DefaultConfig()
	cfg.Registrar.Users = users
	cfg.Registrar.MinExpires = time.Second
	var reg *registration
	stack := newSIPStackOn(t, addr, func(s *sipStack) {
		reg = newRegistration(cfg, s, regTestLogger(t))
		s.srv.OnRegister(reg.serveRegister)
	})
	return stack, reg
}

func trunkTo(name string, at netip.AddrPort, mode RegistrationMode) Trunk {
	t := DefaultTrunk(name)
	t.Host, t.Port = at.Addr().String(), int(at.Port())
	t.Registration = mode
	t.Username, t.Password = "gw", "pw"
	t.RegisterExpires = 60 * time.Second
	return t
}

// TestTrunkRegistersToOwnRegistrar runs the trunk client (sipgo's digest
// code) against our registrar, with MD5 and with SHA-256 challenges.
func TestTrunkRegistersToOwnRegistrar(t *testing.T) {
	for _, algs := range [][]digestAlgorithm{nil, {digestSHA256}} {
		t.Run(fmt.Sprint(algs), func(t *testing.T) { testTrunkRegistersToOwnRegistrar(t, algs) })
	}
}

func testTrunkRegistersToOwnRegistrar(t *testing.T, algs []digestAlgorithm) {
	regStack, reg := ownRegistrar(t, User{Username: "gw", Password: "pw"})
	set := registrarSettingsOf(DefaultConfig())
	set.Users = map[string]digestCredential{"gw": newDigestCredential("gw", set.Realm, "pw")}
	set.Algorithms = algs
	reg.registrar.apply(set)
	m := testTrunkManager(t, newSIPStack(t))
	good := trunkTo("pbx", regStack.addr, RegistrationPermanent)
	bad := trunkTo("badpbx", regStack.addr, RegistrationPermanent)
	bad.Password = "nope"
	off := trunkTo("offpbx", regStack.addr, RegistrationOff)
	m.apply([]Trunk{good, bad, off})
	stop := runManager(t, m)

	st := waitTrunkState(t, m, "pbx", TrunkRegistered, 5*time.Second)
	if left := time.Until(st.Expires); left < 50*time.Second || left > 61*time.Second {
		t.Errorf("expires in %s, want ~60s", left)
	}
	if b := reg.registrar.lookup("gw"); len(b) != 1 || b[0].Source.Port() == 0 {
		t.Fatalf("registrar bindings %+v", b)
	}
	st = waitTrunkState(t, m, "badpbx", TrunkAuthFailed, 5*time.Second)
	if !strings.Contains(st.LastError, "403") && !strings.Contains(st.LastError, "401") {
		t.Errorf("auth failure error %q", st.LastError)
	}
	if st := waitTrunkState(t, m, "offpbx", TrunkOff, time.Second); st.Registration != RegistrationOff {
		t.Errorf("off trunk %+v", st)
	}
	stop()
	if b := reg.registrar.lookup("gw"); len(b) != 0 {
		t.Fatalf("binding left after shutdown: %+v", b)
	}
	if st := waitTrunkState(t, m, "pbx", TrunkOff, time.Second); !st.Expires.IsZero() {
		t.Errorf("status after unregister %+v", st)
	}
}

func TestRefreshDelay(t *testing.T) {
	tests := []struct{ in, want time.Duration }{
		{3600 * time.Second, 2880 * time.Second},
		{120 * time.Second, 90 * time.Second},
		{60 * time.Second, 30 * time.Second},
		{10 * time.Second, 5 * time.Second},
		{time.Second, 500 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := refreshDelay(tt.in); got != tt.want {
			t.Errorf("refreshDelay(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
	d := time.Duration(0)
	var seq []time.Duration
	for range 12 {
		d = regBackoff(d, time.Second, 5*time.Minute)
		seq = append(seq, d)
		if j := regJitter(d); j < d/2 || j > d {
			t.Errorf("regJitter(%s) = %s", d, j)
		}
	}
	if seq[0] != time.Second || seq[1] != 2*time.Second || seq[len(seq)-1] != 5*time.Minute {
		t.Errorf("backoff sequence %v", seq)
	}
}

// TestTrunkIntervalTooBrief: a 423 with Min-Expires is answered by
// registering again with that interval.
func TestTrunkIntervalTooBrief(t *testing.T) {
	regStack, reg := ownRegistrar(t, User{Username: "gw", Password: "pw"})
	set := registrarSettingsOf(DefaultConfig())
	set.Users = map[string]digestCredential{"gw": newDigestCredential("gw", set.Realm, "pw")}
	set.MinExpires = 90 * time.Second
	reg.registrar.apply(set)
	m := testTrunkManager(t, newSIPStack(t))
	tr := trunkTo("pbx", regStack.addr, RegistrationPermanent)
	tr.RegisterExpires = 30 * time.Second
	m.apply([]Trunk{tr})
	runManager(t, m)
	st := waitTrunkState(t, m, "pbx", TrunkRegistered, 5*time.Second)
	if left := time.Until(st.Expires); left < 80*time.Second || left > 91*time.Second {
		t.Errorf("registered for %s, want the registrar's minimum 90s", left)
	}
	if b := reg.registrar.lookup("gw"); len(b) != 1 || time.Until(b[0].Expires) < 80*time.Second {
		t.Errorf("binding %+v", b)
	}
}
