package sip

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/pcap"
	"github.com/switchyard/switchyard/internal/testpeer"
)

// TestRegistrarTshark: tshark decodes the registrar's challenges and
// answers, and the credentials our client side builds, with no malformed
// or warning marks and with the digest fields where they belong.
func TestRegistrarTshark(t *testing.T) {
	testpeer.Require(t, "tshark", "tshark")
	h := newRegHarness(t, func(s *registrarSettings) { s.Algorithms = []digestAlgorithm{digestMD5, digestSHA256} })
	phone := netip.MustParseAddrPort("127.0.0.1:5062")
	gw := netip.MustParseAddrPort("127.0.0.1:5060")

	path := filepath.Join(t.TempDir(), "register.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pcap.NewWriter(f, pcap.LinkEthernet)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Unix(1700000000, 0)
	write := func(src, dst netip.AddrPort, msg string) {
		at = at.Add(10 * time.Millisecond)
		if err := w.WriteUDP(at, src, dst, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	// REGISTER, 401 with two challenges, REGISTER with credentials our
	// client side computed, 200 listing the binding.
	q := regReq{contacts: []string{"<sip:alice@127.0.0.1:5062>"}, expires: "600"}
	req := h.request(q)
	res := h.r.handle(req)
	write(phone, gw, req.String())
	write(gw, phone, res.String())
	if err := authorizeRequest(req, res, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	write(phone, gw, req.String())
	res = h.r.handle(req)
	regWantStatus(t, res, 200)
	write(gw, phone, res.String())
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	pkts := testpeer.Tshark(t, path)
	if len(pkts) != 4 {
		t.Fatalf("tshark decoded %d packets, want 4", len(pkts))
	}
	for i, p := range pkts {
		if probs := testpeer.ProblemsAtLeast(p, testpeer.SeverityWarn); len(probs) > 0 {
			t.Errorf("packet %d: %v", i+1, probs)
		}
	}
	wantField := func(pkt int, field string, want ...string) {
		t.Helper()
		got := testpeer.Strings(pkts[pkt], field)
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("packet %d: %s = %q, want %q among them", pkt+1, field, got, w)
			}
		}
	}
	wantField(1, "sip.Status-Code", "401")
	wantField(1, "sip.auth.realm", `"switchyard"`)
	wantField(1, "sip.auth.algorithm", "MD5", "SHA-256")
	wantField(2, "sip.auth.username", `"alice"`)
	wantField(2, "sip.auth.uri", `"sip:127.0.0.1:5060"`)
	wantField(3, "sip.Status-Code", "200")
	wantField(3, "sip.contact.parameter", "expires=600")
	if t.Failed() {
		for i, p := range pkts {
			t.Logf("packet %d sip layer: %v", i+1, p["sip"])
		}
	}
}
