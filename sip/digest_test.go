package sip

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// The example of RFC 7616 §3.9.1.
const (
	rfc7616Realm    = "http-auth@example.org"
	rfc7616User     = "Mufasa"
	rfc7616Password = "Circle of Life"
	rfc7616Nonce    = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
	rfc7616CNonce   = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
	rfc7616Opaque   = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
)

func rfc7616Header(alg, response string) string {
	return `Digest username="Mufasa",
       realm="http-auth@example.org",
       uri="/dir/index.html",
       algorithm=` + alg + `,
       nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
       nc=00000001,
       cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
       qop=auth,
       response="` + response + `",
       opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`
}

func TestDigestRFC7616Vectors(t *testing.T) {
	tests := []struct {
		alg      string
		response string
	}{
		{"MD5", "8ca523f5e9506fed4657c9700eebdbec"},
		{"SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"},
	}
	cred := newDigestCredential(rfc7616User, rfc7616Realm, rfc7616Password)
	for _, tt := range tests {
		t.Run(tt.alg, func(t *testing.T) {
			a, err := parseAuthorization(rfc7616Header(tt.alg, tt.response))
			if err != nil {
				t.Fatal(err)
			}
			want := authorization{Scheme: "Digest", Username: rfc7616User, Realm: rfc7616Realm, Nonce: rfc7616Nonce,
				URI: "/dir/index.html", Response: tt.response, Algorithm: tt.alg, CNonce: rfc7616CNonce,
				Opaque: rfc7616Opaque, QOP: "auth", NC: "00000001"}
			if a != want {
				t.Fatalf("parsed %+v\nwant   %+v", a, want)
			}
			alg, sess, ok := parseDigestAlgorithm(a.Algorithm)
			if !ok || sess {
				t.Fatalf("algorithm %q: %v %v", a.Algorithm, alg, ok)
			}
			var got [sha256.Size]byte
			n := digestResponse(&got, cred.ha1(alg), alg, false, &a, a.QOP, digestRequest{Method: "GET", URI: a.URI})
			if hex.EncodeToString(got[:n]) != tt.response {
				t.Errorf("response %x, want %s", got[:n], tt.response)
			}
		})
	}
}

func TestParseAuthorization(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    authorization
		wantErr error
	}{
		{
			name: "sip client",
			in:   `Digest username="alice",realm="switchyard",nonce="n1",uri="sip:127.0.0.1:5060",response="abc",algorithm=MD5,cnonce="c1",qop=auth,nc=00000001`,
			want: authorization{Scheme: "Digest", Username: "alice", Realm: "switchyard", Nonce: "n1", URI: "sip:127.0.0.1:5060",
				Response: "abc", Algorithm: "MD5", CNonce: "c1", QOP: "auth", NC: "00000001"},
		},
		{
			name: "commas and equals inside quotes, escapes, unknown params",
			in:   `digest  USERNAME = "a,b" , realm="r=1, \"x\"",foo=bar, baz="q,u,o", nonce=tok , uri="sip:x;transport=tcp"`,
			want: authorization{Scheme: "digest", Username: "a,b", Realm: `r=1, "x"`, Nonce: "tok", URI: "sip:x;transport=tcp"},
		},
		{
			name: "empty list elements and tabs",
			in:   "Digest ,,\tusername=\"u\",\t,realm=\"r\",",
			want: authorization{Scheme: "Digest", Username: "u", Realm: "r"},
		},
		{
			name: "unquoted uri (lenient)",
			in:   `Digest username=bob, uri=sip:bob@example.com, userhash=true`,
			want: authorization{Scheme: "Digest", Username: "bob", URI: "sip:bob@example.com", UserHash: true},
		},
		{name: "empty", in: "", wantErr: errAuthScheme},
		{name: "no scheme", in: `="x"`, wantErr: errAuthScheme},
		{name: "scheme glued to param", in: `Digest"x"`, wantErr: errAuthSyntax},
		{name: "unterminated", in: `Digest username="alice`, wantErr: errAuthSyntax},
		{name: "no value", in: `Digest username`, wantErr: errAuthSyntax},
		{name: "empty value", in: `Digest username=,realm="r"`, wantErr: errAuthSyntax},
		{name: "junk after value", in: `Digest username="a"b, realm="r"`, wantErr: errAuthSyntax},
		{name: "duplicate", in: `Digest username="a", Username="b"`, wantErr: errAuthDuplicate},
		{name: "too long", in: "Digest username=\"" + strings.Repeat("a", maxAuthHeaderLen) + "\"", wantErr: errAuthTooLong},
		{name: "too many params", in: "Digest " + strings.Repeat("x=1,", maxAuthParams+1), wantErr: errAuthTooMany},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseAuthorization(tt.in)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// testClock is a settable clock.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time          { return c.t }
func (c *testClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestClock() *testClock { return &testClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)} }

// clientDigest computes credentials the way a client does, independently
// of the server code: RFC 7616 §3.4.1 with qop=auth (or none).
func clientDigest(alg, user, realm, pass, method, uri, nonce, cnonce, nc, qop, opaque string) string {
	h := func(in string) string {
		if strings.HasPrefix(strings.ToUpper(alg), "SHA-256") {
			s := sha256.Sum256([]byte(in))
			return hex.EncodeToString(s[:])
		}
		s := md5.Sum([]byte(in))
		return hex.EncodeToString(s[:])
	}
	ha1 := h(user + ":" + realm + ":" + pass)
	if strings.HasSuffix(strings.ToLower(alg), "-sess") {
		ha1 = h(ha1 + ":" + nonce + ":" + cnonce)
	}
	ha2 := h(method + ":" + uri)
	var resp string
	if qop == "" {
		resp = h(ha1 + ":" + nonce + ":" + ha2)
	} else {
		resp = h(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + ha2)
	}
	v := fmt.Sprintf(`Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", algorithm=%s`,
		user, realm, nonce, uri, resp, alg)
	if qop != "" {
		v += fmt.Sprintf(`, qop=%s, nc=%s, cnonce="%s"`, qop, nc, cnonce)
	}
	if opaque != "" {
		v += fmt.Sprintf(`, opaque="%s"`, opaque)
	}
	return v
}

// challengeParams parses a challenge we issued with the Authorization
// parser (same auth-param syntax).
func challengeParams(t testing.TB, v string) authorization {
	t.Helper()
	a, err := parseAuthorization(v)
	if err != nil {
		t.Fatalf("challenge %q: %v", v, err)
	}
	return a
}

func TestDigestVerify(t *testing.T) {
	clock := newTestClock()
	d := newDigestAuth("switchyard", []byte("0123456789abcdef0123456789abcdef"), []digestAlgorithm{digestSHA256, digestMD5}, clock.now)
	users := map[string]digestCredential{"alice": newDigestCredential("alice", "switchyard", "secret")}
	lookup := func(u string) (digestCredential, bool) { c, ok := users[u]; return c, ok }
	const uri = "sip:127.0.0.1:5060"
	chal := d.challenges(false)
	if len(chal) != 2 || !strings.Contains(chal[0], "algorithm=SHA-256") || !strings.Contains(chal[1], "algorithm=MD5") {
		t.Fatalf("challenges %q", chal)
	}
	c := challengeParams(t, chal[0])
	if c.Realm != "switchyard" || c.Nonce == "" || c.Opaque == "" || c.QOP != "auth" {
		t.Fatalf("challenge params %+v", c)
	}
	nonce, opaque := c.Nonce, c.Opaque
	tests := []struct {
		name    string
		header  string
		uri     string
		advance time.Duration
		want    digestVerdict
	}{
		{"md5", clientDigest("MD5", "alice", "switchyard", "secret", "REGISTER", uri, nonce, "c1", "00000001", "auth", opaque), uri, 0, digestOK},
		{"sha256", clientDigest("SHA-256", "alice", "switchyard", "secret", "REGISTER", uri, nonce, "c1", "00000001", "auth", opaque), uri, 0, digestOK},
		{"md5-sess", clientDigest("MD5-sess", "alice", "switchyard", "secret", "REGISTER", uri, nonce, "c1", "00000001", "auth", ""), uri, 0, digestOK},
		{"sha256-sess", clientDigest("SHA-256-sess", "alice", "switchyard", "secret", "REGISTER", uri, nonce, "c1", "00000002", "auth", ""), uri, 0, digestOK},
		{"no qop (RFC 2069)", clientDigest("MD5", "alice", "switchyard", "secret", "REGISTER", uri, nonce, "", "", "", ""), uri, 0, digestOK},
		{"uppercase hex", upperResponse(clientDigest("MD5", "alice", "switchyard", "secret", "REGISTER", uri, nonce, "c1", "00000001", "auth", "")), uri, 0, digestOK},
		{"uri with params", clientDigest("MD5", "alice", "switchyard", "secret", "REGISTER", "sip:127.0.0.1:5060;transport=udp", nonce, "c1", "00000001", "auth", ""), uri, 0, digestOK},
		{"wrong password", clientDigest("MD5", "alice", "switchyard", "guess", "REGISTER", uri, nonce, "c1", "00000001", "auth", ""), uri, 0, digestWrong},
		{"unknown user", clientDigest("MD5", "mallory", "switchyard", "secret", "REGISTER", uri, nonce, "c1", "00000001", "auth", ""), uri, 0, digestWrong},
		{"other method", clientDigest("MD5", "alice", "switchyard", "secret", "INVITE", uri, nonce, "c1", "00000001", "auth", ""), uri, 0, digestWrong},
		{"other uri", clientDigest("MD5", "alice", "switchyard", "secret", "REGISTER", "sip:10.0.0.1", nonce, "c1", "00000001", "auth", ""), uri, 0, digestWrong},
		{"other realm", clientDigest("MD5", "alice", "elsewhere", "secret", "REGISTER", uri, nonce, "c1", "00000001", "auth", ""), uri, 0, digestNotForUs},
		{"unknown algorithm", clientDigest("SHA-512", "alice", "switchyard", "secret", "REGISTER", uri, nonce, "c1", "00000001", "auth", ""), uri, 0, digestNotForUs},
		{"forged nonce", clientDigest("MD5", "alice", "switchyard", "secret", "REGISTER", uri, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "c1", "00000001", "auth", ""), uri, 0, digestStale},
		{"garbage nonce", clientDigest("MD5", "alice", "switchyard", "secret", "REGISTER", uri, "%%%", "c1", "00000001", "auth", ""), uri, 0, digestStale},
		{"wrong opaque", clientDigest("MD5", "alice", "switchyard", "secret", "REGISTER", uri, nonce, "c1", "00000001", "auth", "x"), uri, 0, digestStale},
		{"expired right", clientDigest("MD5", "alice", "switchyard", "secret", "REGISTER", uri, nonce, "c1", "00000001", "auth", ""), uri, defaultNonceTTL + time.Second, digestStale},
		{"expired wrong", clientDigest("MD5", "alice", "switchyard", "guess", "REGISTER", uri, nonce, "c1", "00000001", "auth", ""), uri, defaultNonceTTL + time.Second, digestWrong},
		{"from the future", clientDigest("MD5", "alice", "switchyard", "secret", "REGISTER", uri, nonce, "c1", "00000001", "auth", ""), uri, -time.Minute, digestStale},
		{"missing cnonce with qop", strings.Replace(clientDigest("MD5", "alice", "switchyard", "secret", "REGISTER", uri, nonce, "c1", "00000001", "auth", ""), `cnonce="c1"`, `x="c1"`, 1), uri, 0, digestWrong},
		{"short response", `Digest username="alice", realm="switchyard", nonce="` + nonce + `", uri="` + uri + `", response="abcd"`, uri, 0, digestWrong},
		{"basic scheme", `Basic YWxpY2U6c2VjcmV0`, uri, 0, digestNotForUs},
	}
	start := clock.t
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock.t = start.Add(tt.advance)
			a, err := parseAuthorization(tt.header)
			if err != nil {
				t.Fatalf("parse %q: %v", tt.header, err)
			}
			got := d.verify(&a, digestRequest{Method: "REGISTER", URI: tt.uri}, lookup)
			if got != tt.want {
				t.Errorf("verdict %v, want %v (header %s)", got, tt.want, tt.header)
			}
		})
	}
}

// upperResponse upper-cases the hex digits of the response parameter.
func upperResponse(h string) string {
	i := strings.Index(h, `response="`) + len(`response="`)
	j := i + strings.IndexByte(h[i:], '"')
	return h[:i] + strings.ToUpper(h[i:j]) + h[j:]
}

func TestDigestStaleChallenge(t *testing.T) {
	d := newDigestAuth(`we"ird`, []byte("0123456789abcdef"), nil, nil)
	for _, c := range d.challenges(true) {
		if !strings.HasSuffix(c, ", stale=true") {
			t.Errorf("stale challenge %q", c)
		}
		if a := challengeParams(t, c); a.Realm != `we"ird` {
			t.Errorf("realm round trip %q", a.Realm)
		}
	}
	// Two servers with different secrets do not accept each other's nonces.
	other := newDigestAuth(`we"ird`, []byte("fedcba9876543210"), nil, nil)
	n := challengeParams(t, d.challenges(false)[0]).Nonce
	if got := other.checkNonce(n); got != nonceForged {
		t.Errorf("foreign nonce: %v", got)
	}
	if got := d.checkNonce(n); got != nonceValid {
		t.Errorf("own nonce: %v", got)
	}
}

func TestSameRequestURI(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"sip:example.com", "sip:example.com", true},
		{"sip:EXAMPLE.com", "sip:example.com;transport=tcp", true},
		{"sip:a@h:5060", "sip:a@h:5060;lr", true},
		{"sip:a@h:5060", "sip:a@h", false},
		{"sip:a@h", "sip:b@h", false},
		{"sips:h", "sip:h", false},
		{"sip:[::1]:5060", "sip:[::1]:5060;x", true},
		{"sip:[::1", "sip:[::1", true},
		{"sip:[::1", "sip:[::1]", false},
		{"http://x", "sip:x", false},
	}
	for _, tt := range tests {
		if got := sameRequestURI(tt.a, tt.b); got != tt.want {
			t.Errorf("sameRequestURI(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}

func FuzzParseAuthorization(f *testing.F) {
	seeds := []string{
		rfc7616Header("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
		rfc7616Header("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
		`Digest username="alice",realm="switchyard",nonce="n",uri="sip:h",response="r",qop=auth,nc=00000001,cnonce="c"`,
		`Digest username="a\"b\\", realm="x,y"`,
		`Digest ,,,`,
		`Digest username="`,
		`Digest a=b=c`,
		`Basic Zm9vOmJhcg==`,
		"Digest username=\"\\",
		"",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	d := newDigestAuth("switchyard", []byte("0123456789abcdef"), nil, nil)
	users := map[string]digestCredential{"alice": newDigestCredential("alice", "switchyard", "secret")}
	lookup := func(u string) (digestCredential, bool) { c, ok := users[u]; return c, ok }
	f.Fuzz(func(t *testing.T, in string) {
		a, err := parseAuthorization(in)
		if err != nil {
			return
		}
		if len(a.Username) > len(in) || len(a.Realm) > len(in) || len(a.URI) > len(in) {
			t.Fatalf("parsed field longer than input: %+v", a)
		}
		if v := d.verify(&a, digestRequest{Method: "REGISTER", URI: "sip:h"}, lookup); v == digestOK {
			t.Fatalf("fuzzed credentials accepted: %q", in)
		}
	})
}

func BenchmarkParseAuthorization(b *testing.B) {
	h := rfc7616Header("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseAuthorization(h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDigestVerify(b *testing.B) {
	d := newDigestAuth("switchyard", []byte("0123456789abcdef0123456789abcdef"), nil, nil)
	cred := newDigestCredential("alice", "switchyard", "secret")
	lookup := func(string) (digestCredential, bool) { return cred, true }
	nonce := challengeParams(b, d.challenges(false)[0]).Nonce
	for _, alg := range []string{"MD5", "SHA-256"} {
		h := clientDigest(alg, "alice", "switchyard", "secret", "REGISTER", "sip:h", nonce, "c1", "00000001", "auth", "")
		b.Run(alg, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				a, err := parseAuthorization(h)
				if err != nil {
					b.Fatal(err)
				}
				if v := d.verify(&a, digestRequest{Method: "REGISTER", URI: "sip:h"}, lookup); v != digestOK {
					b.Fatal(v)
				}
			}
		})
	}
}

func TestAnswerChallenge(t *testing.T) {
	// The RFC 7616 example, answered by the client side.
	for alg, want := range map[string]string{
		"MD5":     "8ca523f5e9506fed4657c9700eebdbec",
		"SHA-256": "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
	} {
		c, err := parseAuthorization(`Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=` + alg +
			`, nonce="` + rfc7616Nonce + `", opaque="` + rfc7616Opaque + `"`)
		if err != nil {
			t.Fatal(err)
		}
		v, ok := answerChallenge(&c, "GET", "/dir/index.html", rfc7616User, rfc7616Password, rfc7616CNonce)
		if !ok {
			t.Fatalf("%s: challenge not answered", alg)
		}
		a, err := parseAuthorization(v)
		if err != nil {
			t.Fatalf("%s: our answer does not parse: %v", alg, err)
		}
		if a.Response != want || a.QOP != "auth" || a.NC != "00000001" || a.Opaque != rfc7616Opaque || a.Algorithm != alg {
			t.Errorf("%s: answer %+v", alg, a)
		}
	}
	// Challenges we cannot answer.
	for _, ch := range []string{
		`Digest realm="r", nonce="n", algorithm=SHA-512-256`,
		`Digest realm="r", nonce="n", qop="auth-int"`,
		`Digest realm="r"`,
		`Basic realm="r"`,
	} {
		c, err := parseAuthorization(ch)
		if err != nil {
			t.Fatal(err)
		}
		if v, ok := answerChallenge(&c, "REGISTER", "sip:h", "u", "p", "c"); ok {
			t.Errorf("answered %q with %q", ch, v)
		}
	}
}

// TestAnswerVerifies: what the client side answers, the server side accepts.
func TestAnswerVerifies(t *testing.T) {
	for _, algs := range [][]digestAlgorithm{{digestMD5}, {digestSHA256}} {
		d := newDigestAuth(`realm "quoted"`, []byte("0123456789abcdef"), algs, nil)
		c := challengeParams(t, d.challenges(false)[0])
		c.Algorithm += "-sess"
		v, ok := answerChallenge(&c, "OPTIONS", "sip:gw@example.com", "alice", "secret", "abc")
		if !ok {
			t.Fatal("not answered")
		}
		a, err := parseAuthorization(v)
		if err != nil {
			t.Fatal(err)
		}
		cred := newDigestCredential("alice", `realm "quoted"`, "secret")
		got := d.verify(&a, digestRequest{Method: "OPTIONS", URI: "sip:gw@example.com"}, func(string) (digestCredential, bool) { return cred, true })
		if got != digestOK {
			t.Errorf("%v: verdict %v for %s", algs, got, v)
		}
	}
}
