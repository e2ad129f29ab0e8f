package interop

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/sip"
)

// TestTrunkRegistersThroughGateway: a trunk with registration: permanent
// registers to a SIPp registrar that challenges with digest (SIPp checks
// the credentials), refreshes, shows as unreachable in the gateway's
// status while the registrar is down, registers again once it is back,
// and unregisters when the gateway stops.
func TestTrunkRegistersThroughGateway(t *testing.T) {
	t.Parallel()
	ports := ports(t, 16)
	regPort := freeSIPPort(t)
	registrar := func(name string) *sippRun {
		return startSIPp(t, name, sippOptions{scenario: "registrar.xml", port: regPort, timeout: 45 * time.Second})
	}
	reg := registrar("registrar")
	gw := startGateway(t, "trunk.yaml.tmpl", configParams{MediaPorts: ports.mediaRange(), PeerPort: regPort})
	capt := startCapture(t, fmt.Sprintf("udp port %d or udp port %d", gw.sipAddr.Port(), regPort))

	st := waitTrunk(t, gw, sip.TrunkRegistered, 5*time.Second)
	if st.Registration != sip.RegistrationPermanent || st.Expires.IsZero() {
		t.Errorf("registered trunk status: %+v", st)
	}
	// Refreshes: register_expires is 2 s, so about one a second.
	start, n := time.Now(), 0
	for n < 3 && time.Since(start) < 6*time.Second {
		time.Sleep(100 * time.Millisecond)
		n = authorized(reg.received("REGISTER "))
	}
	t.Logf("the registrar saw %d authorized REGISTERs within %s", n, time.Since(start).Round(100*time.Millisecond))
	if n < 3 {
		t.Errorf("the registrar saw %d authorized REGISTERs in 6 s, want the first and refreshes", n)
	}

	// The registrar goes away: the next refresh gets no answer.
	reg.kill()
	st = waitTrunk(t, gw, sip.TrunkUnreachable, 20*time.Second)
	t.Logf("while the registrar is down: %s (%s)", st.State, st.LastError)
	if st.LastError == "" {
		t.Errorf("unreachable trunk without an error: %+v", st)
	}

	// It comes back on the same address: registered again.
	reg = registrar("registrar-again")
	waitTrunk(t, gw, sip.TrunkRegistered, 20*time.Second)
	if n := authorized(reg.received("REGISTER ")); n < 1 {
		t.Errorf("the restarted registrar saw no authorized REGISTER")
	}

	// Stopping the gateway unregisters the trunk (Expires: 0).
	gw.stop()
	unregistered := 0
	for _, m := range reg.received("REGISTER ") {
		if strings.Contains(m, "\nAuthorization: Digest") && strings.Contains(m, "\nExpires: 0") {
			unregistered++
		}
	}
	if unregistered == 0 {
		t.Errorf("no authorized REGISTER with Expires: 0 when the gateway stopped")
	}

	d := capt.decode(int(gw.sipAddr.Port()), regPort)
	sent, received := d.checkSIPFrom(t, int(gw.sipAddr.Port()))
	t.Logf("the gateway sent %d REGISTERs and received %v", len(sent), summarize(methodsOf(received)))
	for _, m := range sent {
		if m.method != "REGISTER" {
			t.Errorf("the gateway sent %s to the registrar", m)
		}
	}
}

// waitTrunk waits until the gateway's status shows the trunk "carrier" in
// state, and returns its status.
func waitTrunk(t *testing.T, gw *gatewayRun, state sip.TrunkState, within time.Duration) sip.TrunkStatus {
	t.Helper()
	deadline := time.Now().Add(within)
	var last sip.TrunkStatus
	for {
		trunks, _ := gw.sipStatus()
		for _, st := range trunks {
			if st.Name == "carrier" {
				last = st
			}
		}
		if last.State == state {
			return last
		}
		if time.Now().After(deadline) {
			t.Fatalf("trunk not %s within %s: %+v", state, within, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// authorized counts the REGISTERs that carry credentials.
func authorized(msgs []string) int {
	n := 0
	for _, m := range msgs {
		if strings.Contains(m, "\nAuthorization: Digest") {
			n++
		}
	}
	return n
}

// summarize counts repeated entries: "401 REGISTER ×3, 200 REGISTER ×3".
func summarize(list []string) string {
	var order []string
	counts := map[string]int{}
	for _, s := range list {
		if counts[s] == 0 {
			order = append(order, s)
		}
		counts[s]++
	}
	var b strings.Builder
	for i, s := range order {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s ×%d", s, counts[s])
	}
	return b.String()
}
