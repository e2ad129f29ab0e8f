package sip

import (
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

func regDiscardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// regHarness drives a registrar with REGISTER requests built as text.
type regHarness struct {
	t      testing.TB
	clock  *testClock
	r      *registrar
	callID string
	cseq   int
	alg    string // algorithm the test client picks from the challenges
}

func testRegistrarSettings() registrarSettings {
	cfg := DefaultConfig()
	cfg.Registrar.Users = []User{{Username: "alice", Password: "secret"}, {Username: "bob", Password: "hunter2"}}
	cfg.Domain = "gw.example.com"
	return registrarSettingsOf(cfg)
}

func newRegHarness(t testing.TB, mod func(*registrarSettings)) *regHarness {
	t.Helper()
	set := testRegistrarSettings()
	if mod != nil {
		mod(&set)
	}
	clock := newTestClock()
	return &regHarness{
		t: t, clock: clock, callID: "call-1", alg: "MD5",
		r: newRegistrar(set, []byte("0123456789abcdef0123456789abcdef"), regDiscardLogger(), clock.now),
	}
}

// regReq describes one REGISTER.
type regReq struct {
	user     string // To/From user
	src      string // source ip:port
	contacts []string
	expires  string // Expires header; "" for none
	auth     string // Authorization header; "" for none
	callID   string // default h.callID
	cseq     int    // default: next
}

func (h *regHarness) request(q regReq) *sip.Request {
	h.t.Helper()
	if q.user == "" {
		q.user = "alice"
	}
	if q.src == "" {
		q.src = "127.0.0.1:5062"
	}
	if q.callID == "" {
		q.callID = h.callID
	}
	if q.cseq == 0 {
		h.cseq++
		q.cseq = h.cseq
	}
	var b strings.Builder
	b.WriteString("REGISTER sip:127.0.0.1:5060 SIP/2.0\r\n")
	fmt.Fprintf(&b, "Via: SIP/2.0/UDP %s;branch=z9hG4bK%d\r\n", q.src, q.cseq)
	fmt.Fprintf(&b, "From: <sip:%s@127.0.0.1>;tag=f1\r\n", q.user)
	fmt.Fprintf(&b, "To: <sip:%s@127.0.0.1>\r\n", q.user)
	fmt.Fprintf(&b, "Call-ID: %s\r\n", q.callID)
	fmt.Fprintf(&b, "CSeq: %d REGISTER\r\n", q.cseq)
	for _, c := range q.contacts {
		fmt.Fprintf(&b, "Contact: %s\r\n", c)
	}
	if q.expires != "" {
		fmt.Fprintf(&b, "Expires: %s\r\n", q.expires)
	}
	if q.auth != "" {
		fmt.Fprintf(&b, "Authorization: %s\r\n", q.auth)
	}
	b.WriteString("User-Agent: regtest\r\nContent-Length: 0\r\n\r\n")
	msg, err := sip.ParseMessage([]byte(b.String()))
	if err != nil {
		h.t.Fatalf("parse test request: %v\n%s", err, b.String())
	}
	req := msg.(*sip.Request)
	req.SetSource(q.src)
	return req
}

func (h *regHarness) send(q regReq) *sip.Response {
	h.t.Helper()
	return h.r.handle(h.request(q))
}

// answer computes the Authorization for a 401 with the harness's algorithm.
func (h *regHarness) answer(res *sip.Response, user, pass string) string {
	h.t.Helper()
	for _, hdr := range res.GetHeaders("WWW-Authenticate") {
		c := challengeParams(h.t, hdr.Value())
		if !strings.EqualFold(c.Algorithm, h.alg) {
			continue
		}
		return clientDigest(c.Algorithm, user, c.Realm, pass, "REGISTER", "sip:127.0.0.1:5060", c.Nonce, "0a4f113b", "00000001", "auth", c.Opaque)
	}
	h.t.Fatalf("no %s challenge in\n%s", h.alg, res)
	return ""
}

// registerAuth sends q unauthenticated, answers the challenge with pass and
// returns the final response.
func (h *regHarness) registerAuth(q regReq, pass string) *sip.Response {
	h.t.Helper()
	res := h.send(q)
	if res.StatusCode != 401 {
		return res
	}
	user := q.user
	if user == "" {
		user = "alice"
	}
	q.auth = h.answer(res, user, pass)
	q.cseq = 0
	return h.send(q)
}

func contactsOf(res *sip.Response) map[string]int {
	out := map[string]int{}
	for _, h := range res.GetHeaders("Contact") {
		c := h.(*sip.ContactHeader)
		v, _ := c.Params.Get("expires")
		n, _ := strconv.Atoi(v)
		out[c.Address.String()] = n
	}
	return out
}

func regWantStatus(t *testing.T, res *sip.Response, code int) {
	t.Helper()
	if res.StatusCode != code {
		t.Fatalf("status %d %s, want %d\n%s", res.StatusCode, res.Reason, code, res)
	}
}

func TestRegistrarChallengeThenBind(t *testing.T) {
	for _, alg := range []string{"MD5", "SHA-256"} {
		t.Run(alg, func(t *testing.T) {
			h := newRegHarness(t, func(s *registrarSettings) {
				if alg == "SHA-256" {
					s.Algorithms = []digestAlgorithm{digestSHA256, digestMD5}
				}
			})
			h.alg = alg
			q := regReq{contacts: []string{"<sip:alice@127.0.0.1:5062>"}, expires: "600"}
			res := h.send(q)
			regWantStatus(t, res, 401)
			wantChallenges := map[string]int{"MD5": 1, "SHA-256": 2}[alg]
			if n := len(res.GetHeaders("WWW-Authenticate")); n != wantChallenges {
				t.Fatalf("%d challenges, want %d", n, wantChallenges)
			}
			q.auth = h.answer(res, "alice", "secret")
			res = h.send(q)
			regWantStatus(t, res, 200)
			if got := contactsOf(res); got["sip:alice@127.0.0.1:5062"] != 600 || len(got) != 1 {
				t.Fatalf("200 contacts %v", got)
			}
			for _, aor := range []string{"alice", "alice@127.0.0.1", "sip:alice@127.0.0.1:5060;transport=udp", "<sip:alice@gw.example.com>", "alice@switchyard"} {
				if !h.r.hasBinding(aor) {
					t.Errorf("Registered(%q) = false", aor)
				}
			}
			for _, aor := range []string{"bob", "alice@evil.example", "", "sip:@127.0.0.1"} {
				if h.r.hasBinding(aor) {
					t.Errorf("Registered(%q) = true", aor)
				}
			}
			b := h.r.lookup("alice")
			if len(b) != 1 || b[0].Contact != "sip:alice@127.0.0.1:5062" || b[0].Source != netip.MustParseAddrPort("127.0.0.1:5062") ||
				b[0].Transport != "UDP" || b[0].UserAgent != "regtest" {
				t.Fatalf("binding %+v", b)
			}
		})
	}
}

func (r *registrar) hasBinding(aor string) bool { return len(r.lookup(aor)) > 0 }

func TestRegistrarExpires(t *testing.T) {
	tests := []struct {
		name     string
		header   string
		contact  string
		status   int
		want     int // granted seconds
		minHdr   string
		removing bool
	}{
		{name: "header", header: "600", contact: "<sip:alice@10.0.0.1>", status: 200, want: 600},
		{name: "contact param wins", header: "600", contact: "<sip:alice@10.0.0.1>;expires=120", status: 200, want: 120},
		{name: "default", contact: "<sip:alice@10.0.0.1>", status: 200, want: 3600},
		{name: "clamped to max", header: "86400", contact: "<sip:alice@10.0.0.1>", status: 200, want: 3600},
		{name: "below min", header: "30", contact: "<sip:alice@10.0.0.1>", status: 423, minHdr: "60"},
		{name: "param below min", contact: "<sip:alice@10.0.0.1>;expires=1", status: 423, minHdr: "60"},
		{name: "zero is not too brief", header: "0", contact: "<sip:alice@10.0.0.1>", status: 200, removing: true},
		{name: "bad header ignored", header: "soon", contact: "<sip:alice@10.0.0.1>", status: 200, want: 3600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newRegHarness(t, nil)
			res := h.registerAuth(regReq{contacts: []string{tt.contact}, expires: tt.header}, "secret")
			regWantStatus(t, res, tt.status)
			if tt.minHdr != "" {
				if m := res.GetHeader("Min-Expires"); m == nil || m.Value() != tt.minHdr {
					t.Fatalf("Min-Expires %v", m)
				}
				if h.r.hasBinding("alice") {
					t.Fatal("423 left a binding")
				}
				return
			}
			got := contactsOf(res)
			if tt.removing {
				if len(got) != 0 || h.r.hasBinding("alice") {
					t.Fatalf("contacts %v after expires 0", got)
				}
				return
			}
			if got["sip:alice@10.0.0.1"] != tt.want {
				t.Fatalf("granted %v, want %d", got, tt.want)
			}
		})
	}
}

func TestRegistrarBindingLifecycle(t *testing.T) {
	h := newRegHarness(t, nil)
	a := "<sip:alice@10.0.0.1:5062>"
	b := "<sip:alice@10.0.0.2:5062;transport=tcp>"
	regWantStatus(t, h.registerAuth(regReq{contacts: []string{a}, expires: "120"}, "secret"), 200)
	h.clock.advance(30 * time.Second)
	res := h.registerAuth(regReq{contacts: []string{b}, expires: "300", src: "10.0.0.2:40000"}, "secret")
	regWantStatus(t, res, 200)
	if got := contactsOf(res); got["sip:alice@10.0.0.1:5062"] != 90 || got["sip:alice@10.0.0.2:5062;transport=tcp"] != 300 {
		t.Fatalf("contacts %v", got)
	}
	if uri, ok := h.r.lookup("alice")[0], true; !ok || uri.Contact != "sip:alice@10.0.0.2:5062;transport=tcp" {
		t.Fatalf("preferred contact %v", uri)
	}
	// A query (no Contact) lists the bindings and changes nothing.
	res = h.registerAuth(regReq{}, "secret")
	regWantStatus(t, res, 200)
	if len(contactsOf(res)) != 2 {
		t.Fatalf("query: %v", contactsOf(res))
	}
	// Refresh a: its lifetime restarts.
	h.clock.advance(60 * time.Second)
	res = h.registerAuth(regReq{contacts: []string{a}, expires: "120"}, "secret")
	if got := contactsOf(res); got["sip:alice@10.0.0.1:5062"] != 120 {
		t.Fatalf("refresh: %v", got)
	}
	// Expiry: after 121 s a is gone, b (registered 90 s earlier for 300 s) stays.
	h.clock.advance(121 * time.Second)
	if got := h.r.lookup("alice"); len(got) != 1 || !strings.Contains(got[0].Contact, "10.0.0.2") {
		t.Fatalf("after expiry of a: %+v", got)
	}
	h.r.sweep()
	if n := len(h.r.aors["alice"].bindings); n != 1 {
		t.Fatalf("sweep left %d bindings", n)
	}
	h.clock.advance(300 * time.Second)
	h.r.sweep()
	if h.r.hasBinding("alice") || len(h.r.aors) != 0 {
		t.Fatal("expired bindings stayed")
	}
	// Wildcard removes all.
	regWantStatus(t, h.registerAuth(regReq{contacts: []string{a, b}, expires: "300"}, "secret"), 200)
	regWantStatus(t, h.registerAuth(regReq{contacts: []string{"*"}, expires: "1"}, "secret"), 400)
	regWantStatus(t, h.registerAuth(regReq{contacts: []string{"*", a}, expires: "0"}, "secret"), 400)
	res = h.registerAuth(regReq{contacts: []string{"*"}, expires: "0"}, "secret")
	regWantStatus(t, res, 200)
	if h.r.hasBinding("alice") || len(contactsOf(res)) != 0 {
		t.Fatal("wildcard did not remove the bindings")
	}
}

func TestRegistrarOrderingAndLimits(t *testing.T) {
	h := newRegHarness(t, nil)
	a := "<sip:alice@10.0.0.1:5062>"
	regWantStatus(t, h.registerAuth(regReq{contacts: []string{a}, expires: "300"}, "secret"), 200)
	// Same Call-ID, CSeq not higher: refused, binding unchanged.
	used := h.cseq
	auth := h.answer(h.send(regReq{}), "alice", "secret")
	res := h.send(regReq{contacts: []string{a}, expires: "0", cseq: used, auth: auth})
	regWantStatus(t, res, 500)
	if !h.r.hasBinding("alice") {
		t.Fatal("out-of-order request removed the binding")
	}
	// Too many contacts: the one closest to expiry is replaced.
	for i := range maxContactsPerAOR + 2 {
		c := fmt.Sprintf("<sip:alice@10.1.0.%d>", i)
		regWantStatus(t, h.registerAuth(regReq{contacts: []string{c}, expires: strconv.Itoa(600 + i), callID: "c" + strconv.Itoa(i)}, "secret"), 200)
	}
	if n := len(h.r.lookup("alice")); n != maxContactsPerAOR {
		t.Fatalf("%d bindings, want the cap %d", n, maxContactsPerAOR)
	}
	// A username that does not own the AOR.
	res = h.send(regReq{user: "bob", contacts: []string{a}})
	res = h.send(regReq{user: "bob", contacts: []string{a}, auth: h.answer(res, "alice", "secret")})
	regWantStatus(t, res, 403)
}

func TestRegistrarFailuresAndBan(t *testing.T) {
	h := newRegHarness(t, func(s *registrarSettings) {
		s.Failures = failurePolicy{MaxFailures: 3, Window: time.Minute, BanTime: 5 * time.Minute}
	})
	q := regReq{contacts: []string{"<sip:alice@10.0.0.1>"}, src: "192.0.2.7:5060"}
	// First wrong answer: challenged again; second: 403.
	regWantStatus(t, h.registerAuth(q, "wrong"), 401)
	regWantStatus(t, h.registerAuth(q, "wrong"), 403)
	// The third failure within the window bans the address...
	regWantStatus(t, h.registerAuth(q, "wrong"), 403)
	// ...so that even right credentials and bare requests get 403, unchallenged.
	regWantStatus(t, h.send(q), 403)
	if h.r.hasBinding("alice") {
		t.Fatal("banned source registered")
	}
	// Other addresses are not affected.
	other := q
	other.src = "192.0.2.8:5060"
	regWantStatus(t, h.registerAuth(other, "secret"), 200)
	// The ban ends after ban_time.
	h.clock.advance(5*time.Minute + time.Second)
	regWantStatus(t, h.registerAuth(q, "secret"), 200)
	// Failures older than the window are forgotten.
	regWantStatus(t, h.registerAuth(q, "wrong"), 401)
	h.clock.advance(2 * time.Minute)
	regWantStatus(t, h.registerAuth(q, "wrong"), 401)
	// Success clears the count.
	regWantStatus(t, h.registerAuth(q, "secret"), 200)
	regWantStatus(t, h.registerAuth(q, "wrong"), 401)
	// An expired nonce with the right password is stale, not a failure.
	res := h.send(q)
	q.auth = h.answer(res, "alice", "secret")
	h.clock.advance(defaultNonceTTL + time.Second)
	res = h.send(q)
	regWantStatus(t, res, 401)
	if v := res.GetHeader("WWW-Authenticate").Value(); !strings.Contains(v, "stale=true") {
		t.Fatalf("expired nonce challenge %q", v)
	}
}

func TestFailureTableBounded(t *testing.T) {
	ft := newFailureTable(100)
	now := newTestClock().t
	p := failurePolicy{MaxFailures: 2, Window: time.Minute, BanTime: time.Hour}
	first := netip.MustParseAddr("198.51.100.1")
	ft.record(first, now, p)
	ft.record(first, now, p)
	if !ft.banned(first, now) {
		t.Fatal("not banned after max failures")
	}
	for i := range 1000 {
		ip := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		ft.record(ip, now.Add(time.Duration(i)*time.Millisecond), p)
	}
	if ft.len() != 100 || len(ft.entries) != 100 {
		t.Fatalf("table holds %d/%d entries, cap 100", ft.len(), len(ft.entries))
	}
	if ft.banned(first, now) {
		t.Fatal("the oldest entry was not the one evicted")
	}
	ft.sweep(now.Add(2*time.Hour), p)
	if ft.len() != 0 {
		t.Fatalf("sweep left %d entries", ft.len())
	}
}

func TestRegistrarSource(t *testing.T) {
	h := newRegHarness(t, nil)
	regWantStatus(t, h.registerAuth(regReq{contacts: []string{"<sip:alice@203.0.113.5:5070>"}, src: "198.51.100.9:40000"}, "secret"), 200)
	tests := []struct {
		from string
		src  string
		want bool
	}{
		{"sip:alice@127.0.0.1", "198.51.100.9:40000", true}, // the REGISTER's source
		{"sip:alice@127.0.0.1", "198.51.100.9:5060", true},  // same IP, new TCP connection
		{"sip:alice@127.0.0.1", "203.0.113.5:5070", true},   // the contact's host
		{"sip:alice@127.0.0.1", "192.0.2.1:5060", false},    // elsewhere
		{"sip:bob@127.0.0.1", "198.51.100.9:40000", false},  // other user
		{"sip:alice@evil.example", "198.51.100.9:40000", false},
	}
	for _, tt := range tests {
		if got := h.r.fromSource(tt.from, netip.MustParseAddrPort(tt.src)); got != tt.want {
			t.Errorf("fromSource(%q, %s) = %v", tt.from, tt.src, got)
		}
	}
}

func TestRegistrarReconfigure(t *testing.T) {
	h := newRegHarness(t, nil)
	regWantStatus(t, h.registerAuth(regReq{contacts: []string{"<sip:alice@10.0.0.1>"}}, "secret"), 200)
	cfg := DefaultConfig()
	cfg.Registrar.Users = []User{{Username: "bob", Password: "hunter2"}, {Username: "carol", Password: "pw"}}
	h.r.apply(registrarSettingsOf(cfg))
	if h.r.hasBinding("alice") {
		t.Fatal("a removed user kept its binding")
	}
	regWantStatus(t, h.registerAuth(regReq{user: "carol", contacts: []string{"<sip:carol@10.0.0.3>"}}, "pw"), 200)
	regWantStatus(t, h.registerAuth(regReq{contacts: []string{"<sip:alice@10.0.0.1>"}}, "secret"), 401)
	cfg.Registrar.Enabled = false
	h.r.apply(registrarSettingsOf(cfg))
	regWantStatus(t, h.send(regReq{user: "carol"}), 403)
	if h.r.hasBinding("carol") {
		t.Fatal("disabling the registrar kept bindings")
	}
}

func TestSplitAOR(t *testing.T) {
	tests := []struct{ in, user, host string }{
		{"alice", "alice", ""},
		{"alice@example.com", "alice", "example.com"},
		{"alice@example.com:5060", "alice", "example.com"},
		{"sip:alice@example.com:5060;transport=tcp", "alice", "example.com"},
		{"<sips:alice@[2001:db8::1]:5061>", "alice", "[2001:db8::1]"},
		{"sip:example.com", "", "example.com"},
	}
	for _, tt := range tests {
		if u, h := splitAOR(tt.in); u != tt.user || h != tt.host {
			t.Errorf("splitAOR(%q) = %q, %q", tt.in, u, h)
		}
	}
}

// FuzzRegistrarRequest feeds arbitrary REGISTER requests (headers,
// Contacts, Expires, credentials) to the registrar: it must answer each
// without panicking, and never bind without valid credentials.
func FuzzRegistrarRequest(f *testing.F) {
	h := newRegHarness(f, nil)
	seed := func(q regReq) {
		f.Add([]byte(h.request(q).String()))
	}
	seed(regReq{contacts: []string{"<sip:alice@10.0.0.1>;expires=60"}, expires: "3600"})
	seed(regReq{contacts: []string{"*"}, expires: "0"})
	seed(regReq{contacts: []string{"<sip:alice@[::1]:5060;transport=tcp>;q=0.5", "sip:alice@h"}, expires: "x"})
	seed(regReq{contacts: []string{"<tel:+123>"}, auth: `Digest username="alice", realm="switchyard", nonce="n", uri="sip:127.0.0.1:5060", response="00"`})
	f.Add([]byte("REGISTER sip:h SIP/2.0\r\nTo: <sip:@h>\r\nContact: <sip:a@b>;expires=99999999999999999999\r\n\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		msg, err := sip.ParseMessage(raw)
		if err != nil {
			return
		}
		req, ok := msg.(*sip.Request)
		if !ok {
			return
		}
		req.SetSource("192.0.2.1:5060")
		clock := newTestClock()
		r := newRegistrar(testRegistrarSettings(), []byte("0123456789abcdef0123456789abcdef"), regDiscardLogger(), clock.now)
		res := r.handle(req)
		if res == nil || res.StatusCode < 200 {
			t.Fatalf("no final response")
		}
		if res.StatusCode == 200 && len(r.all()) > 0 {
			t.Fatalf("fuzzed request bound without credentials: %s", raw)
		}
	})
}

// BenchmarkRegistrarRefresh measures an authenticated re-REGISTER of an
// existing binding (parse of credentials, verification, update, 200).
func BenchmarkRegistrarRefresh(b *testing.B) {
	h := newRegHarness(b, nil)
	q := regReq{contacts: []string{"<sip:alice@10.0.0.1:5062>"}, expires: "600"}
	res := h.send(q)
	q.auth = h.answer(res, "alice", "secret")
	reqs := make([]*sip.Request, 0, 1024)
	for range cap(reqs) {
		reqs = append(reqs, h.request(q))
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if i == len(reqs) {
			b.StopTimer()
			for j := range reqs {
				reqs[j] = h.request(q)
			}
			i = 0
			b.StartTimer()
		}
		if res := h.r.handle(reqs[i]); res.StatusCode != 200 {
			b.Fatal(res.StatusCode)
		}
		i++
	}
}
