package sip

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchyard/switchyard/call"
)

// waitServerTrunk waits for a trunk of a Server to reach a state.
func waitServerTrunk(t *testing.T, s *Server, name string, want TrunkState) TrunkStatus {
	t.Helper()
	var last TrunkStatus
	regWaitFor(t, 5*time.Second, "trunk "+name+" "+string(want), func() bool {
		for _, st := range s.TrunkStatus() {
			if st.Name == name {
				last = st
			}
		}
		return last.State == want
	})
	return last
}

// TestServerRegistersToServer: one gateway registers to another's
// registrar over UDP and TCP (permanent), and for a call (before-call);
// reconfiguration re-registers; shutdown unregisters.
func TestServerRegistersToServer(t *testing.T) {
	acfg := testConfig()
	acfg.Registrar.Enabled = true
	acfg.Registrar.Users = []User{{Username: "gw", Password: "pw"}, {Username: "gw2", Password: "pw2"}, {Username: "gw3", Password: "pw3"}}
	a := startServer(t, acfg, nil, nil)

	trunk := func(name, user, pass, transport string, mode RegistrationMode) Trunk {
		tr := DefaultTrunk(name)
		tr.Host, tr.Port, tr.Transport = "127.0.0.1", int(a.addr(transport).Port()), transport
		tr.Username, tr.Password, tr.Registration = user, pass, mode
		tr.RegisterExpires = 120 * time.Second
		return tr
	}
	bcfg := testConfig()
	bcfg.Trunks = []Trunk{
		trunk("a-udp", "gw", "pw", "udp", RegistrationPermanent),
		trunk("a-tcp", "gw2", "pw2", "tcp", RegistrationPermanent),
		trunk("a-call", "gw3", "pw3", "udp", RegistrationBeforeCall),
	}
	b, stopB := runServer(t, bcfg)
	bport := func(transport string) uint16 {
		ap, ok := b.listenAddr(transport)
		if !ok {
			t.Fatalf("b has no %s listener", transport)
		}
		return ap.Port()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	waitServerTrunk(t, b, "a-udp", TrunkRegistered)
	waitServerTrunk(t, b, "a-tcp", TrunkRegistered)
	if st := waitServerTrunk(t, b, "a-call", TrunkOff); st.Registration != RegistrationBeforeCall {
		t.Fatalf("before-call trunk %+v", st)
	}
	for user, transport := range map[string]string{"gw": "udp", "gw2": "tcp"} {
		if !a.Registered(user) {
			t.Fatalf("%s not registered at a", user)
		}
		c, ok := a.Contact("sip:" + user + "@127.0.0.1")
		port := bport(transport)
		if !ok || !strings.Contains(c, ":"+strconv.Itoa(int(port))) {
			t.Errorf("%s contact %q, want b's %s port %d", user, c, transport, port)
		}
	}
	if ap, _ := b.listenAddr("udp"); !a.isRegisteredSource("sip:gw@127.0.0.1", ap) {
		t.Error("b's UDP address is not a registered source of gw")
	}

	// Before-call registration through the server.
	unregister, err := b.registerForCall(ctx, "a-call")
	if err != nil {
		t.Fatal(err)
	}
	if !a.Registered("gw3") {
		t.Fatal("before-call trunk not registered during the call")
	}
	unregister()
	regWaitFor(t, 5*time.Second, "gw3 to unregister", func() bool { return !a.Registered("gw3") })

	// A wrong password after reload: the trunk re-registers and fails.
	bcfg.Trunks[0].Password = "wrong"
	if err := b.Reconfigure(bcfg); err != nil {
		t.Fatal(err)
	}
	st := waitServerTrunk(t, b, "a-udp", TrunkAuthFailed)
	if !strings.Contains(st.LastError, "401") && !strings.Contains(st.LastError, "403") {
		t.Errorf("auth failure %q", st.LastError)
	}
	if a.Registered("gw") {
		t.Error("the old registration was not removed when the trunk's settings changed")
	}
	// The registrar learns the new password on its own reload.
	acfg.Registrar.Users[0].Password = "wrong"
	if err := a.Reconfigure(acfg); err != nil {
		t.Fatal(err)
	}
	// b retries with back-off (1 s, then 2 s): registered within a few seconds.
	waitServerTrunk(t, b, "a-udp", TrunkRegistered)

	// Shutdown unregisters.
	stopB()
	if a.Registered("gw") || a.Registered("gw2") {
		t.Errorf("bindings left after b stopped: %+v", a.Registrations())
	}
	if st := b.TrunkStatus(); st[0].State != TrunkOff || st[1].State != TrunkOff {
		t.Errorf("status after shutdown: %+v", st)
	}
}

// runServer runs a Server on loopback; stop ends Run and waits (once).
func runServer(t *testing.T, cfg Config) (s *Server, stop func()) {
	t.Helper()
	s, err := NewServer(cfg, testAllocator(t, 0), regTestLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, func(l call.InboundLeg) { _ = l.Reject(ctx, call.Forbidden) }) }()
	select {
	case <-s.ready:
	case <-time.After(5 * time.Second):
		t.Fatal("server did not start")
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(15 * time.Second):
				t.Error("server did not stop")
			}
		})
	}
	t.Cleanup(stop)
	return s, stop
}
