package sip

import (
	"log/slog"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// The registrar (RFC 3261 §10.3): REGISTER with digest authentication,
// bindings per address-of-record, expiry, and a per-address failure count
// that ends in a ban.
//
// The registrar serves one domain: an address-of-record is identified by
// its user part, which must equal the authenticated username. The host part
// of a lookup is checked against the host the user registered with and the
// registrar's realm and domain.

const (
	// defaultRegisterExpires is the binding lifetime when a REGISTER names
	// none (clamped to [min_expires, max_expires]).
	defaultRegisterExpires = time.Hour
	// maxContactsPerAOR bounds bindings per user; beyond it the binding
	// closest to expiry is replaced.
	maxContactsPerAOR = 10
	// maxContactsPerRequest bounds the Contacts of one REGISTER.
	maxContactsPerRequest = 20
)

// registrarSettings is the registrar's part of Config, ready to use.
type registrarSettings struct {
	Enabled    bool
	Realm      string
	Domain     string
	MinExpires time.Duration
	MaxExpires time.Duration
	Users      map[string]digestCredential
	Failures   failurePolicy
	// Algorithms are the digest challenges offered (nil: MD5 only).
	Algorithms []digestAlgorithm
}

// Binding is one contact registered for an address-of-record.
type Binding struct {
	// AOR is user@host as registered (the To URI without scheme).
	AOR string
	// Contact is the contact URI to send requests to.
	Contact string
	// Expires is when the binding lapses.
	Expires time.Time
	// Source is the transport address the REGISTER came from, and
	// Transport its transport (UDP, TCP, TLS).
	Source    netip.AddrPort
	Transport string
	UserAgent string
	CallID    string
	CSeq      uint32

	uri sip.Uri // Contact, parsed
	key string  // contactKey of uri
}

type aorRecord struct {
	user     string
	host     string
	bindings []*Binding
}

// registrar holds bindings and the failure table. It is safe for
// concurrent use.
type registrar struct {
	log *slog.Logger
	now func() time.Time

	mu       sync.Mutex
	settings registrarSettings
	auth     *digestAuth
	secret   []byte
	aors     map[string]*aorRecord // by user
	failures *failureTable
}

func newRegistrar(set registrarSettings, secret []byte, log *slog.Logger, now func() time.Time) *registrar {
	if now == nil {
		now = time.Now
	}
	r := &registrar{
		log:      log,
		now:      now,
		secret:   secret,
		aors:     map[string]*aorRecord{},
		failures: newFailureTable(defaultFailureEntries),
	}
	r.apply(set)
	return r
}

// apply installs new settings (a reloaded configuration). Bindings of users
// that no longer exist are dropped; the others stay.
func (r *registrar) apply(set registrarSettings) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.auth == nil || r.settings.Realm != set.Realm || !slices.Equal(r.settings.Algorithms, set.Algorithms) {
		r.auth = newDigestAuth(set.Realm, r.secret, set.Algorithms, r.now)
	}
	r.settings = set
	for user := range r.aors {
		if _, ok := set.Users[user]; !ok || !set.Enabled {
			delete(r.aors, user)
		}
	}
}

// handle answers one REGISTER request.
func (r *registrar) handle(req *sip.Request) *sip.Response {
	now := r.now()
	src := parseAddrPort(req.Source())
	r.mu.Lock()
	defer r.mu.Unlock()
	set := &r.settings
	reply := func(code int, reason string) *sip.Response {
		return sip.NewResponseFromRequest(req, code, reason, nil)
	}
	if !set.Enabled {
		return reply(403, "Registrar Disabled")
	}
	if r.failures.banned(src.Addr(), now) {
		return reply(403, "Forbidden")
	}
	to := req.To()
	if to == nil || to.Address.User == "" || req.CallID() == nil || req.CSeq() == nil {
		return reply(400, "Bad Request")
	}
	hdr := req.GetHeader("Authorization")
	if hdr == nil {
		return r.challenge(req, false)
	}
	cred, err := parseAuthorization(hdr.Value())
	verdict := digestWrong
	if err == nil {
		verdict = r.auth.verify(&cred, digestRequest{Method: string(req.Method), URI: req.Recipient.String(), Body: req.Body()},
			func(user string) (digestCredential, bool) {
				c, ok := set.Users[user]
				return c, ok
			})
	}
	switch verdict {
	case digestNotForUs:
		return r.challenge(req, false)
	case digestStale:
		return r.challenge(req, true)
	case digestWrong:
		count, banned := r.failures.record(src.Addr(), now, set.Failures)
		r.log.Warn("sip registrar: authentication failed", "user", cred.Username, "source", src.String(),
			"failures", count, "banned", banned)
		if banned {
			r.log.Warn("sip registrar: source banned", "source", src.Addr().String(), "for", set.Failures.BanTime)
			return reply(403, "Forbidden")
		}
		if count <= 1 {
			return r.challenge(req, false)
		}
		return reply(403, "Forbidden")
	}
	r.failures.clear(src.Addr(), now)
	if cred.Username != to.Address.User {
		r.log.Warn("sip registrar: username does not own the address-of-record", "user", cred.Username,
			"aor", to.Address.User+"@"+to.Address.Host, "source", src.String())
		return reply(403, "Forbidden")
	}
	return r.update(req, src, now)
}

// challenge builds a 401 with one WWW-Authenticate per offered algorithm.
func (r *registrar) challenge(req *sip.Request, stale bool) *sip.Response {
	res := sip.NewResponseFromRequest(req, 401, "Unauthorized", nil)
	for _, c := range r.auth.challenges(stale) {
		res.AppendHeader(sip.NewHeader("WWW-Authenticate", c))
	}
	return res
}

// contactUpdate is one Contact of a REGISTER, validated.
type contactUpdate struct {
	uri     sip.Uri
	key     string
	expires time.Duration
}

// update applies an authenticated REGISTER to the user's bindings (RFC 3261
// §10.3 steps 6 to 8). The caller holds r.mu.
func (r *registrar) update(req *sip.Request, src netip.AddrPort, now time.Time) *sip.Response {
	set := &r.settings
	to := req.To()
	user := to.Address.User
	callID := req.CallID().Value()
	cseq := req.CSeq().SeqNo
	reply := func(code int, reason string) *sip.Response {
		return sip.NewResponseFromRequest(req, code, reason, nil)
	}

	headerExpires, hasHeaderExpires := time.Duration(0), false
	if h := req.GetHeader("Expires"); h != nil {
		v, err := strconv.ParseUint(strings.TrimSpace(h.Value()), 10, 32)
		if err == nil {
			headerExpires, hasHeaderExpires = time.Duration(v)*time.Second, true
		}
	}
	rec := r.aors[user]
	contacts := req.GetHeaders("Contact")
	if len(contacts) > maxContactsPerRequest {
		return reply(400, "Too Many Contacts")
	}
	var updates []contactUpdate
	wildcard := false
	for _, h := range contacts {
		c, ok := h.(*sip.ContactHeader)
		if !ok {
			return reply(400, "Bad Contact")
		}
		if c.Address.Wildcard {
			wildcard = true
			continue
		}
		if !strings.EqualFold(c.Address.Scheme, "sip") && !strings.EqualFold(c.Address.Scheme, "sips") {
			return reply(400, "Unsupported Contact URI")
		}
		e := defaultRegisterExpires
		if hasHeaderExpires {
			e = headerExpires
		}
		if v, ok := c.Params.Get("expires"); ok {
			if n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32); err == nil {
				e = time.Duration(n) * time.Second
			}
		}
		if e != 0 && e < set.MinExpires {
			res := sip.NewResponseFromRequest(req, 423, "Interval Too Brief", nil)
			res.AppendHeader(sip.NewHeader("Min-Expires", strconv.Itoa(int(set.MinExpires/time.Second))))
			return res
		}
		e = min(e, set.MaxExpires)
		updates = append(updates, contactUpdate{uri: c.Address, key: contactKey(&c.Address), expires: e})
	}
	if wildcard {
		// "Contact: *" must stand alone, with Expires: 0.
		if len(updates) > 0 || !hasHeaderExpires || headerExpires != 0 {
			return reply(400, "Invalid Wildcard Contact")
		}
		if rec != nil {
			for _, b := range rec.bindings {
				if b.CallID == callID && cseq <= b.CSeq {
					return reply(500, "Out Of Order Request")
				}
			}
			r.log.Info("sip registrar: unregistered all contacts", "aor", rec.user+"@"+rec.host, "source", src.String())
			delete(r.aors, user)
		}
		return r.ok(req, nil, now)
	}
	// Check ordering before changing anything: the request applies whole or not at all.
	if rec != nil {
		for _, u := range updates {
			for _, b := range rec.bindings {
				if b.key == u.key && b.CallID == callID && cseq <= b.CSeq && b.Expires.After(now) {
					return reply(500, "Out Of Order Request")
				}
			}
		}
	}
	if len(updates) > 0 && rec == nil {
		rec = &aorRecord{user: user}
		r.aors[user] = rec
	}
	if rec != nil {
		rec.host = strings.ToLower(to.Address.Host)
		rec.prune(now)
	}
	ua := ""
	if h := req.GetHeader("User-Agent"); h != nil {
		ua = h.Value()
	}
	for _, u := range updates {
		i := rec.find(u.key)
		if u.expires == 0 {
			if i >= 0 {
				r.log.Info("sip registrar: unregistered", "aor", user+"@"+rec.host, "contact", rec.bindings[i].Contact)
				rec.bindings = append(rec.bindings[:i], rec.bindings[i+1:]...)
			}
			continue
		}
		b := &Binding{
			AOR:       user + "@" + rec.host,
			Contact:   u.uri.String(),
			Expires:   now.Add(u.expires),
			Source:    src,
			Transport: strings.ToUpper(req.Transport()),
			UserAgent: ua,
			CallID:    callID,
			CSeq:      cseq,
			uri:       u.uri,
			key:       u.key,
		}
		if i >= 0 {
			rec.bindings[i] = b
			continue
		}
		if len(rec.bindings) >= maxContactsPerAOR {
			rec.dropSoonest()
		}
		rec.bindings = append(rec.bindings, b)
		r.log.Info("sip registrar: registered", "aor", b.AOR, "contact", b.Contact, "expires", u.expires,
			"source", src.String(), "transport", b.Transport)
	}
	if rec != nil && len(rec.bindings) == 0 {
		delete(r.aors, user)
		rec = nil
	}
	var current []*Binding
	if rec != nil {
		current = rec.bindings
	}
	return r.ok(req, current, now)
}

// ok builds the 200 that lists every current binding with its remaining
// lifetime.
func (r *registrar) ok(req *sip.Request, bindings []*Binding, now time.Time) *sip.Response {
	res := sip.NewResponseFromRequest(req, 200, "OK", nil)
	for _, b := range bindings {
		left := int((b.Expires.Sub(now) + time.Second - 1) / time.Second)
		res.AppendHeader(&sip.ContactHeader{Address: b.uri, Params: sip.HeaderParams{{K: "expires", V: strconv.Itoa(left)}}})
	}
	res.AppendHeader(sip.NewHeader("Date", now.UTC().Format(time.RFC1123)))
	return res
}

func (a *aorRecord) find(key string) int {
	for i, b := range a.bindings {
		if b.key == key {
			return i
		}
	}
	return -1
}

// prune drops expired bindings.
func (a *aorRecord) prune(now time.Time) {
	kept := a.bindings[:0]
	for _, b := range a.bindings {
		if b.Expires.After(now) {
			kept = append(kept, b)
		}
	}
	clear(a.bindings[len(kept):])
	a.bindings = kept
}

// dropSoonest removes the binding closest to expiry.
func (a *aorRecord) dropSoonest() {
	if len(a.bindings) == 0 {
		return
	}
	j := 0
	for i, b := range a.bindings {
		if b.Expires.Before(a.bindings[j].Expires) {
			j = i
		}
	}
	a.bindings = append(a.bindings[:j], a.bindings[j+1:]...)
}

// sweep removes expired bindings and stale failure entries.
func (r *registrar) sweep() {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	for user, rec := range r.aors {
		before := len(rec.bindings)
		rec.prune(now)
		if n := before - len(rec.bindings); n > 0 {
			r.log.Info("sip registrar: bindings expired", "aor", user+"@"+rec.host, "count", n)
		}
		if len(rec.bindings) == 0 {
			delete(r.aors, user)
		}
	}
	r.failures.sweep(now, r.settings.Failures)
}

// sweepInterval is how often the owner calls sweep.
func (r *registrar) sweepInterval() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := r.settings.MinExpires / 2
	return min(max(d, time.Second), 30*time.Second)
}

// lookup returns the live bindings of an address-of-record, the one that
// lasts longest first.
func (r *registrar) lookup(aor string) []Binding {
	user, host := splitAOR(aor)
	if user == "" {
		return nil
	}
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	rec := r.aors[user]
	if rec == nil || !r.hostMatches(rec, host) {
		return nil
	}
	var out []Binding
	for _, b := range rec.bindings {
		if b.Expires.After(now) {
			out = append(out, *b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Expires.After(out[j].Expires) })
	return out
}

// hostMatches accepts a lookup host that is empty, the host the user
// registered with, or the registrar's realm or domain. The caller holds r.mu.
func (r *registrar) hostMatches(rec *aorRecord, host string) bool {
	if host == "" {
		return true
	}
	h := strings.ToLower(host)
	if hp, _, ok := strings.Cut(rec.host, ":"); ok && h == hp {
		return true
	}
	return h == rec.host || strings.EqualFold(h, r.settings.Realm) || (r.settings.Domain != "" && strings.EqualFold(h, r.settings.Domain))
}

// all returns every live binding, ordered by AOR.
func (r *registrar) all() []Binding {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Binding
	for _, rec := range r.aors {
		for _, b := range rec.bindings {
			if b.Expires.After(now) {
				out = append(out, *b)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].AOR != out[j].AOR {
			return out[i].AOR < out[j].AOR
		}
		return out[i].Contact < out[j].Contact
	})
	return out
}

// fromSource reports whether a request with From URI from, arriving from
// src, comes from a registered contact of that user: the source IP is the
// one the user registered from, or the host of one of its contacts.
func (r *registrar) fromSource(from string, src netip.AddrPort) bool {
	ip := src.Addr().Unmap()
	if !ip.IsValid() {
		return false
	}
	for _, b := range r.lookup(from) {
		if b.Source.Addr().Unmap() == ip {
			return true
		}
		_, _, host, _, ok := splitURIParts(b.Contact)
		if !ok {
			continue
		}
		if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil && a.Unmap() == ip {
			return true
		}
	}
	return false
}

// splitAOR accepts "user", "user@host", "sip:user@host[:port][;params]"
// and returns the user and host parts.
func splitAOR(aor string) (user, host string) {
	aor = strings.TrimSpace(aor)
	aor = strings.TrimPrefix(strings.TrimSuffix(aor, ">"), "<")
	if _, u, h, _, ok := splitURIParts(aor); ok {
		return u, h
	}
	if i := strings.IndexAny(aor, ";?"); i >= 0 {
		aor = aor[:i]
	}
	user, host, _ = strings.Cut(aor, "@")
	if h, _, ok := strings.Cut(host, ":"); ok && !strings.HasPrefix(host, "[") {
		host = h
	}
	return user, host
}

// contactKey is the identity of a contact URI for binding updates: scheme,
// user, host (case-insensitive), port and transport.
func contactKey(u *sip.Uri) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(u.Scheme))
	b.WriteByte(':')
	b.WriteString(u.User)
	b.WriteByte('@')
	b.WriteString(strings.ToLower(u.Host))
	if u.Port != 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(u.Port))
	}
	if t, ok := u.UriParams.Get("transport"); ok {
		b.WriteString(";transport=")
		b.WriteString(strings.ToLower(t))
	}
	return b.String()
}
