package sip

import (
	"net/netip"
	"testing"
	"time"
)

// TestKeepaliveSIPp: a trunk that stops answering OPTIONS is unreachable,
// and back to its registration state when it answers again.
func TestKeepaliveSIPp(t *testing.T) {
	dir := t.TempDir()
	port := regFreeUDPPort(t)
	peer := startSIPp(t, "keepalive_options.xml", port, dir)
	m := testTrunkManager(t, newSIPStack(t))
	tr := trunkTo("pbx", peer.addr, RegistrationOff)
	tr.OptionsInterval = 200 * time.Millisecond
	m.requestTimeout = 500 * time.Millisecond
	m.apply([]Trunk{tr})
	runManager(t, m)

	time.Sleep(700 * time.Millisecond)
	if st := waitTrunkState(t, m, "pbx", TrunkOff, time.Second); st.LastError != "" {
		t.Fatalf("answering trunk: %+v", st)
	}
	if n := peer.count("OPTIONS sip:"); n < 2 {
		t.Fatalf("SIPp saw %d OPTIONS in 0.7 s at a 200 ms interval", n)
	}
	peer.stop()
	st := waitTrunkState(t, m, "pbx", TrunkUnreachable, 3*time.Second)
	if st.LastError == "" {
		t.Errorf("unreachable without an error: %+v", st)
	}
	startSIPp(t, "keepalive_options.xml", port, dir)
	waitTrunkState(t, m, "pbx", TrunkOff, 3*time.Second)
}

// TestKeepaliveAnyAnswer: any final response, even 405 from a peer that
// does not handle OPTIONS, means the trunk is alive.
func TestKeepaliveAnyAnswer(t *testing.T) {
	peer := newSIPStack(t) // sipgo answers OPTIONS with 405 when no handler is set
	m := testTrunkManager(t, newSIPStack(t))
	tr := trunkTo("pbx", peer.addr, RegistrationOff)
	tr.OptionsInterval = 100 * time.Millisecond
	m.apply([]Trunk{tr})
	runManager(t, m)
	time.Sleep(400 * time.Millisecond)
	if st := waitTrunkState(t, m, "pbx", TrunkOff, time.Second); st.LastError != "" {
		t.Fatalf("trunk answering 405: %+v", st)
	}
}

// TestKeepaliveKicksRegistration: a registration in back-off is retried as
// soon as the trunk answers keepalives again, not at the end of the back-off.
func TestKeepaliveKicksRegistration(t *testing.T) {
	port := regFreeUDPPort(t)
	at := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port))
	m := testTrunkManager(t, newSIPStack(t))
	m.backoffMin, m.backoffMax = time.Minute, time.Minute
	m.requestTimeout = 300 * time.Millisecond
	tr := trunkTo("pbx", at, RegistrationPermanent)
	tr.OptionsInterval = 100 * time.Millisecond
	m.apply([]Trunk{tr})
	runManager(t, m)
	waitTrunkState(t, m, "pbx", TrunkUnreachable, 3*time.Second)
	_, reg := ownRegistrarOn(t, at.String(), User{Username: "gw", Password: "pw"})
	waitTrunkState(t, m, "pbx", TrunkRegistered, 3*time.Second)
	if !reg.registrar.hasBinding("gw") {
		t.Fatal("registered state without a binding at the registrar")
	}
}
