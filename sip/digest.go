package sip

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strings"
	"sync"
	"time"
)

// Server-side HTTP digest authentication for SIP (RFC 3261 §22, RFC 7616,
// RFC 8760): challenges, stateless nonces and verification of Authorization
// and Proxy-Authorization headers.

// digestAlgorithm is a digest hash algorithm as named in the algorithm
// parameter.
type digestAlgorithm uint8

const (
	digestMD5 digestAlgorithm = iota + 1
	digestSHA256
)

// String returns the algorithm's name as written in a challenge.
func (a digestAlgorithm) String() string {
	switch a {
	case digestMD5:
		return "MD5"
	case digestSHA256:
		return "SHA-256"
	}
	return "unknown"
}

// hexLen is the length of the algorithm's hash in hex digits.
func (a digestAlgorithm) hexLen() int {
	if a == digestSHA256 {
		return 2 * sha256.Size
	}
	return 2 * md5.Size
}

// sum hashes b and writes the lowercase hex digest into dst, which must hold
// hexLen bytes; it returns the written part.
func (a digestAlgorithm) sum(dst []byte, b []byte) []byte {
	if a == digestSHA256 {
		s := sha256.Sum256(b)
		return dst[:hex.Encode(dst, s[:])]
	}
	s := md5.Sum(b)
	return dst[:hex.Encode(dst, s[:])]
}

// parseDigestAlgorithm maps an algorithm parameter (case-insensitive; empty
// means MD5) to the algorithm and whether it is a "-sess" variant.
func parseDigestAlgorithm(s string) (alg digestAlgorithm, sess bool, ok bool) {
	switch {
	case s == "" || strings.EqualFold(s, "MD5"):
		return digestMD5, false, true
	case strings.EqualFold(s, "MD5-sess"):
		return digestMD5, true, true
	case strings.EqualFold(s, "SHA-256"):
		return digestSHA256, false, true
	case strings.EqualFold(s, "SHA-256-sess"):
		return digestSHA256, true, true
	}
	return 0, false, false
}

// digestCredential is what the server keeps for one user: H(A1) for each
// algorithm, so that the password itself is not needed after configuration.
type digestCredential struct {
	md5    [2 * md5.Size]byte
	sha256 [2 * sha256.Size]byte
}

// newDigestCredential computes H(username:realm:password) for every
// algorithm the server offers.
func newDigestCredential(username, realm, password string) digestCredential {
	var c digestCredential
	a1 := []byte(username + ":" + realm + ":" + password)
	digestMD5.sum(c.md5[:], a1)
	digestSHA256.sum(c.sha256[:], a1)
	return c
}

func (c *digestCredential) ha1(a digestAlgorithm) []byte {
	if a == digestSHA256 {
		return c.sha256[:]
	}
	return c.md5[:]
}

// Nonces are stateless: base64url(timestamp || HMAC-SHA256(secret,
// timestamp || realm)[:nonceMACLen]). The server keeps nothing per challenge;
// a nonce proves that this server minted it, and when.
const (
	nonceMACLen = 16
	nonceRawLen = 8 + nonceMACLen
	// nonceFutureSkew tolerates a nonce minted slightly "later" than now
	// (clock steps between minting and checking).
	nonceFutureSkew = 5 * time.Second
	// defaultNonceTTL is how long a nonce stays fresh.
	defaultNonceTTL = 5 * time.Minute
	// maxAuthHeaderLen bounds the Authorization header the parser accepts.
	maxAuthHeaderLen = 8 << 10
	// maxAuthParams bounds the number of parameters in one header.
	maxAuthParams = 64
)

// digestAuth mints challenges and verifies credentials for one realm. It is
// safe for concurrent use.
type digestAuth struct {
	realm  string
	realmB []byte
	secret []byte
	opaque string
	ttl    time.Duration
	// algorithms are offered in this order, one challenge each.
	algorithms []digestAlgorithm
	now        func() time.Time
	macs       sync.Pool // of *nonceMAC
}

// nonceMAC is a keyed HMAC with its buffers, pooled so that checking a
// nonce does not allocate.
type nonceMAC struct {
	h   hash.Hash
	ts  [8]byte
	sum [sha256.Size]byte
}

// defaultDigestAlgorithms are the challenges a registrar sends unless
// configured otherwise: MD5 alone. Deployed user agents (libre/baresip 1.x
// among them) fail on a challenge list that holds an algorithm they do not
// know, even after one they do; SHA-256 is offered only when asked for.
// Answers with either algorithm are verified whatever was offered.
var defaultDigestAlgorithms = []digestAlgorithm{digestMD5}

// newDigestAuth returns a digest authenticator for realm that challenges
// with algs (nil: defaultDigestAlgorithms). secret keys the nonce MAC; it
// must be random and at least 16 bytes. A nil now uses time.Now.
func newDigestAuth(realm string, secret []byte, algs []digestAlgorithm, now func() time.Time) *digestAuth {
	if now == nil {
		now = time.Now
	}
	if len(algs) == 0 {
		algs = defaultDigestAlgorithms
	}
	d := &digestAuth{
		realm:      realm,
		realmB:     []byte(realm),
		secret:     append([]byte(nil), secret...),
		ttl:        defaultNonceTTL,
		algorithms: slices.Clone(algs),
		now:        now,
	}
	d.macs.New = func() any { return &nonceMAC{h: hmac.New(sha256.New, d.secret)} }
	m := hmac.New(sha256.New, d.secret)
	m.Write([]byte("opaque\x00" + realm))
	d.opaque = hex.EncodeToString(m.Sum(nil)[:8])
	return d
}

// mac computes the nonce MAC over ts and the realm into dst.
func (d *digestAuth) mac(dst *[nonceMACLen]byte, ts []byte) {
	m := d.macs.Get().(*nonceMAC)
	copy(m.ts[:], ts)
	m.h.Reset()
	m.h.Write(m.ts[:])
	m.h.Write(d.realmB)
	copy(dst[:], m.h.Sum(m.sum[:0]))
	d.macs.Put(m)
}

// nonce mints a nonce stamped with t.
func (d *digestAuth) nonce(t time.Time) string {
	var raw [nonceRawLen]byte
	binary.BigEndian.PutUint64(raw[:8], uint64(t.UnixNano()))
	var m [nonceMACLen]byte
	d.mac(&m, raw[:8])
	copy(raw[8:], m[:])
	return base64.RawURLEncoding.EncodeToString(raw[:])
}

// nonceState is what checkNonce learned about a nonce.
type nonceState uint8

const (
	nonceValid   nonceState = iota + 1
	nonceExpired            // minted here, but older than the TTL
	nonceForged             // not minted here (or by an earlier run of the server)
)

// checkNonce authenticates a nonce and checks its age.
func (d *digestAuth) checkNonce(n string) nonceState {
	var raw [nonceRawLen]byte
	var enc [(nonceRawLen*8 + 5) / 6]byte
	if len(n) != len(enc) {
		return nonceForged
	}
	copy(enc[:], n)
	if k, err := base64.RawURLEncoding.Decode(raw[:], enc[:]); err != nil || k != nonceRawLen {
		return nonceForged
	}
	var m [nonceMACLen]byte
	d.mac(&m, raw[:8])
	if subtle.ConstantTimeCompare(m[:], raw[8:]) != 1 {
		return nonceForged
	}
	minted := time.Unix(0, int64(binary.BigEndian.Uint64(raw[:8])))
	age := d.now().Sub(minted)
	switch {
	case age < -nonceFutureSkew:
		return nonceForged
	case age > d.ttl:
		return nonceExpired
	}
	return nonceValid
}

// challenges returns the WWW-Authenticate (or Proxy-Authenticate) header
// values to send, most preferred algorithm first. stale tells the client
// that its credentials were right but the nonce was not, so that it retries
// without asking its user.
func (d *digestAuth) challenges(stale bool) []string {
	n := d.nonce(d.now())
	out := make([]string, 0, len(d.algorithms))
	for _, a := range d.algorithms {
		var b strings.Builder
		b.Grow(160)
		b.WriteString(`Digest realm="`)
		b.WriteString(digestQuote(d.realm))
		b.WriteString(`", nonce="`)
		b.WriteString(n)
		b.WriteString(`", opaque="`)
		b.WriteString(d.opaque)
		b.WriteString(`", algorithm=`)
		b.WriteString(a.String())
		b.WriteString(`, qop="auth"`)
		if stale {
			b.WriteString(`, stale=true`)
		}
		out = append(out, b.String())
	}
	return out
}

// digestQuote escapes '"' and '\' for a quoted-string.
func digestQuote(s string) string {
	if !strings.ContainsAny(s, `"\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// digestVerdict is the outcome of verifying credentials.
type digestVerdict uint8

const (
	// digestOK: the credentials are right and the nonce fresh.
	digestOK digestVerdict = iota + 1
	// digestStale: the nonce expired or is not ours; challenge again with
	// stale=true. Not a failed attempt.
	digestStale
	// digestNotForUs: credentials for another realm, or with an algorithm
	// or qop we never offered; challenge as if none were sent.
	digestNotForUs
	// digestWrong: unknown user or wrong password: a failed attempt.
	digestWrong
)

// String names the verdict for logs.
func (v digestVerdict) String() string {
	switch v {
	case digestOK:
		return "ok"
	case digestStale:
		return "stale"
	case digestNotForUs:
		return "not-for-realm"
	case digestWrong:
		return "wrong"
	}
	return "unknown"
}

// digestRequest is the part of a request that the response covers.
type digestRequest struct {
	Method string
	// URI is the Request-URI as the server received it. The uri parameter
	// must name the same resource.
	URI string
	// Body is hashed for qop=auth-int.
	Body []byte
}

// verify checks parsed credentials against a request. lookup returns the
// stored credential of a username (false for unknown users).
func (d *digestAuth) verify(a *authorization, req digestRequest, lookup func(username string) (digestCredential, bool)) digestVerdict {
	if !strings.EqualFold(a.Scheme, "Digest") || a.Realm != d.realm {
		return digestNotForUs
	}
	alg, sess, ok := parseDigestAlgorithm(a.Algorithm)
	if !ok {
		return digestNotForUs
	}
	qop := a.QOP
	if qop != "" && !strings.EqualFold(qop, "auth") && !strings.EqualFold(qop, "auth-int") {
		return digestNotForUs
	}
	if a.Username == "" || a.Nonce == "" || a.Response == "" || a.URI == "" ||
		a.UserHash || (qop != "" && (a.CNonce == "" || a.NC == "")) || (sess && a.CNonce == "") {
		return digestWrong
	}
	if !sameRequestURI(a.URI, req.URI) {
		return digestWrong
	}
	var got [sha256.Size]byte
	n, ok := decodeHexResponse(got[:], a.Response, alg)
	if !ok {
		return digestWrong
	}
	cred, known := lookup(a.Username)
	// Compute a response even for unknown users so that timing does not
	// tell which usernames exist.
	var want [sha256.Size]byte
	wn := digestResponse(&want, cred.ha1(alg), alg, sess, a, qop, req)
	match := subtle.ConstantTimeCompare(got[:n], want[:wn]) == 1 && known
	switch d.checkNonce(a.Nonce) {
	case nonceForged:
		return digestStale
	case nonceExpired:
		if match {
			return digestStale
		}
		return digestWrong
	}
	if a.Opaque != "" && a.Opaque != d.opaque { // opaque is not a secret
		return digestStale
	}
	if !match {
		return digestWrong
	}
	return digestOK
}

// digestResponse computes the expected response (raw bytes, not hex) into
// out and returns its length.
func digestResponse(out *[sha256.Size]byte, ha1 []byte, alg digestAlgorithm, sess bool, a *authorization, qop string, req digestRequest) int {
	var buf [512]byte
	var h1, h2, body [2 * sha256.Size]byte
	if sess {
		b := append(buf[:0], ha1...)
		b = append(b, ':')
		b = append(b, a.Nonce...)
		b = append(b, ':')
		b = append(b, a.CNonce...)
		ha1 = alg.sum(h1[:], b)
	}
	b := append(buf[:0], req.Method...)
	b = append(b, ':')
	b = append(b, a.URI...)
	if strings.EqualFold(qop, "auth-int") {
		b = append(b, ':')
		b = append(b, alg.sum(body[:], req.Body)...)
	}
	ha2 := alg.sum(h2[:], b)
	b = append(buf[:0], ha1...)
	b = append(b, ':')
	b = append(b, a.Nonce...)
	b = append(b, ':')
	if qop != "" {
		b = append(b, a.NC...)
		b = append(b, ':')
		b = append(b, a.CNonce...)
		b = append(b, ':')
		for i := 0; i < len(qop); i++ { // lower case, as hashed by clients
			c := qop[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
		}
		b = append(b, ':')
	}
	b = append(b, ha2...)
	if alg == digestSHA256 {
		*out = sha256.Sum256(b)
		return sha256.Size
	}
	s := md5.Sum(b)
	copy(out[:], s[:])
	return md5.Size
}

// decodeHexResponse decodes a response parameter (either case) into dst.
func decodeHexResponse(dst []byte, s string, alg digestAlgorithm) (int, bool) {
	if len(s) != alg.hexLen() {
		return 0, false
	}
	for i := 0; i < len(s); i += 2 {
		hi, ok1 := hexDigit(s[i])
		lo, ok2 := hexDigit(s[i+1])
		if !ok1 || !ok2 {
			return 0, false
		}
		dst[i/2] = hi<<4 | lo
	}
	return len(s) / 2, true
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// sameRequestURI reports whether the uri parameter of credentials names the
// Request-URI: equal as strings, or equal in scheme, user, host and port
// (clients differ in whether they keep URI parameters).
func sameRequestURI(param, requestURI string) bool {
	if param == requestURI {
		return true
	}
	ps, pu, ph, pp, ok1 := splitURIParts(param)
	rs, ru, rh, rp, ok2 := splitURIParts(requestURI)
	return ok1 && ok2 && strings.EqualFold(ps, rs) && pu == ru && strings.EqualFold(ph, rh) && pp == rp
}

// splitURIParts splits sip:user@host:port;params?headers into its parts
// without allocating. The port is "" when absent.
func splitURIParts(s string) (scheme, user, host, port string, ok bool) {
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || !(strings.EqualFold(scheme, "sip") || strings.EqualFold(scheme, "sips")) {
		return "", "", "", "", false
	}
	if i := strings.IndexAny(rest, ";?"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		user, rest = rest[:i], rest[i+1:]
		if j := strings.IndexByte(user, ':'); j >= 0 {
			user = user[:j] // drop a password
		}
	}
	host = rest
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return "", "", "", "", false
		}
		host, rest = rest[:end+1], rest[end+1:]
		if strings.HasPrefix(rest, ":") {
			port = rest[1:]
		}
	} else if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		host, port = rest[:i], rest[i+1:]
	}
	return scheme, user, host, port, host != ""
}

// authorization is a parsed Authorization or Proxy-Authorization header.
// Strings point into the header value unless a quoted-string held escapes.
type authorization struct {
	Scheme    string
	Username  string
	Realm     string
	Nonce     string
	URI       string
	Response  string
	Algorithm string
	CNonce    string
	Opaque    string
	QOP       string
	NC        string
	UserHash  bool

	userhash string // raw parameter, folded into UserHash
}

var (
	errAuthTooLong   = errors.New("authorization header too long")
	errAuthScheme    = errors.New("authorization header has no scheme")
	errAuthSyntax    = errors.New("authorization header syntax")
	errAuthDuplicate = errors.New("authorization parameter repeated")
	errAuthTooMany   = errors.New("too many authorization parameters")
)

// parseAuthorization parses the value of an Authorization or
// Proxy-Authorization header: the scheme Digest, then comma-separated auth-params
// whose values are tokens or quoted-strings. Unknown parameters are
// skipped; a known one given twice is an error (two different values make
// the header ambiguous). It never panics and allocates only to unescape a
// quoted-string that contains backslashes.
func parseAuthorization(v string) (authorization, error) {
	var a authorization
	if len(v) > maxAuthHeaderLen {
		return a, errAuthTooLong
	}
	p := authParser{s: v}
	p.skipSpace()
	a.Scheme = p.token()
	if a.Scheme == "" {
		return a, errAuthScheme
	}
	if p.i < len(p.s) && !authSpace(p.s[p.i]) {
		return a, fmt.Errorf("%w: after scheme at %d", errAuthSyntax, p.i)
	}
	if !strings.EqualFold(a.Scheme, "Digest") {
		return a, nil // another scheme's credentials (Basic token68, ...): not ours to read
	}
	var seen uint16
	for count := 0; ; {
		p.skipSpace()
		// Empty list elements are allowed: "a=1,,b=2".
		for p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			p.skipSpace()
		}
		if p.i >= len(p.s) {
			break
		}
		if count++; count > maxAuthParams {
			return a, errAuthTooMany
		}
		name := p.token()
		if name == "" {
			return a, fmt.Errorf("%w: parameter name at %d", errAuthSyntax, p.i)
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != '=' {
			return a, fmt.Errorf("%w: %q has no value", errAuthSyntax, name)
		}
		p.i++
		p.skipSpace()
		val, err := p.value()
		if err != nil {
			return a, fmt.Errorf("parameter %q: %w", name, err)
		}
		p.skipSpace()
		if p.i < len(p.s) && p.s[p.i] != ',' {
			return a, fmt.Errorf("%w: after %q at %d", errAuthSyntax, name, p.i)
		}
		field, bit := a.field(name)
		if field == nil {
			continue
		}
		if seen&bit != 0 {
			return a, fmt.Errorf("%w: %q", errAuthDuplicate, name)
		}
		seen |= bit
		*field = val
	}
	a.UserHash = strings.EqualFold(a.userhash, "true")
	a.userhash = ""
	return a, nil
}

// field returns where a known parameter goes and its bit in the seen set.
func (a *authorization) field(name string) (*string, uint16) {
	switch strings.ToLower(name) {
	case "username":
		return &a.Username, 1 << 0
	case "realm":
		return &a.Realm, 1 << 1
	case "nonce":
		return &a.Nonce, 1 << 2
	case "uri":
		return &a.URI, 1 << 3
	case "response":
		return &a.Response, 1 << 4
	case "algorithm":
		return &a.Algorithm, 1 << 5
	case "cnonce":
		return &a.CNonce, 1 << 6
	case "opaque":
		return &a.Opaque, 1 << 7
	case "qop":
		return &a.QOP, 1 << 8
	case "nc":
		return &a.NC, 1 << 9
	case "userhash":
		return &a.userhash, 1 << 10
	}
	return nil, 0
}

// authParser walks a header value.
type authParser struct {
	s string
	i int
}

func authSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// authTokenChar reports RFC 7230 tchar.
func authTokenChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func (p *authParser) skipSpace() {
	for p.i < len(p.s) && authSpace(p.s[p.i]) {
		p.i++
	}
}

func (p *authParser) token() string {
	start := p.i
	for p.i < len(p.s) && authTokenChar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// value reads a token or a quoted-string (unescaped). Some clients put
// '/' or ':' in unquoted values (uri=sip:x); an unquoted value therefore
// runs to the next comma or space.
func (p *authParser) value() (string, error) {
	if p.i < len(p.s) && p.s[p.i] == '"' {
		return p.quoted()
	}
	start := p.i
	for p.i < len(p.s) && p.s[p.i] != ',' && !authSpace(p.s[p.i]) && p.s[p.i] != '"' {
		p.i++
	}
	if p.i == start {
		return "", fmt.Errorf("%w: empty value at %d", errAuthSyntax, start)
	}
	return p.s[start:p.i], nil
}

func (p *authParser) quoted() (string, error) {
	p.i++ // opening quote
	start := p.i
	escaped := false
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case '\\':
			escaped = true
			p.i += 2
			continue
		case '"':
			raw := p.s[start:p.i]
			p.i++
			if escaped {
				return digestUnquote(raw), nil
			}
			return raw, nil
		}
		p.i++
	}
	return "", fmt.Errorf("%w: unterminated quoted-string at %d", errAuthSyntax, start-1)
}

// digestUnquote drops the backslash of each quoted-pair.
func digestUnquote(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
