package sip

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/switchyard/switchyard/call"
)

// Registration of the gateway to its trunks: REGISTER with digest, refresh
// before expiry, exponential back-off on failure, unregistration at
// shutdown, registration for the duration of calls (before-call), and the
// status of every trunk.

// TrunkState is a trunk's registration and reachability state.
type TrunkState string

// Trunk states.
const (
	// TrunkOff: the trunk does not register (registration off, or
	// before-call with no call up).
	TrunkOff TrunkState = "off"
	// TrunkRegistering: the first REGISTER is under way.
	TrunkRegistering TrunkState = "registering"
	// TrunkRegistered: the registrar accepted the binding.
	TrunkRegistered TrunkState = "registered"
	// TrunkAuthFailed: the registrar refused the credentials (401, 403,
	// 407 or 404 after authenticating).
	TrunkAuthFailed TrunkState = "auth_failed"
	// TrunkUnreachable: no answer, a transport error, a 5xx or another
	// failure; or the trunk stopped answering OPTIONS keepalives.
	TrunkUnreachable TrunkState = "unreachable"
)

// TrunkStatus is what the gateway knows about one trunk.
type TrunkStatus struct {
	Name string `json:"name"`
	// Registration is the trunk's registration mode.
	Registration RegistrationMode `json:"registration"`
	State        TrunkState       `json:"state"`
	// Since is when State last changed.
	Since time.Time `json:"since"`
	// LastError says why the last registration or keepalive failed.
	LastError string `json:"last_error,omitempty"`
	// Expires is when the current registration lapses (zero when not
	// registered).
	Expires time.Time `json:"expires,omitzero"`
}

// Tuning of the trunk client; tests shorten them.
const (
	defaultRegBackoffMin     = time.Second
	defaultRegBackoffMax     = 5 * time.Minute
	defaultRegRequestTimeout = 10 * time.Second
	defaultUnregisterTimeout = 2 * time.Second
	defaultTrunkExpires      = time.Hour
)

// trunkTransport carries the trunk client's requests: the Server in
// production, a bare sipgo stack in tests.
type trunkTransport interface {
	// trunkRegContact is our Contact URI towards the trunk.
	trunkRegContact(t Trunk) (sip.Uri, error)
	// trunkRegSend sends a request built by the trunk client (without a
	// Via: the transport adds its own) and returns the final response.
	trunkRegSend(ctx context.Context, t Trunk, req *sip.Request) (*sip.Response, error)
}

// regError is a failed registration attempt, classified.
type regError struct {
	state  TrunkState
	status int // the final response, 0 when none arrived
	err    error
}

func (e *regError) Error() string { return e.err.Error() }
func (e *regError) Unwrap() error { return e.err }

// trunkClient is the REGISTER dialog of one trunk: one Call-ID and a CSeq
// that grows across refreshes.
type trunkClient struct {
	trunk   Trunk
	net     trunkTransport
	timeout time.Duration

	mu      sync.Mutex // serializes requests (CSeq order)
	callID  string
	fromTag string
	cseq    uint32
	contact sip.Uri
}

func newTrunkClient(t Trunk, net trunkTransport, timeout time.Duration) *trunkClient {
	return &trunkClient{
		trunk: t, net: net, timeout: timeout,
		callID: randomToken(16), fromTag: randomToken(8), cseq: uint32(regRandomInt(1 << 15)),
	}
}

// trunkRequestURI is sip:host[:port][;transport=x] of a trunk.
func trunkRequestURI(t Trunk) sip.Uri {
	u := sip.Uri{Scheme: "sip", Host: t.Host, Port: t.Port}
	if tp := strings.ToLower(t.Transport); tp != "" && tp != "udp" {
		u.UriParams = sip.HeaderParams{{K: "transport", V: tp}}
	}
	return u
}

// aorDomain is the host of the trunk's address-of-record.
func aorDomain(t Trunk) string {
	if t.FromDomain != "" {
		return t.FromDomain
	}
	return t.Host
}

// newRequest builds a request to the trunk with our From, To, Call-ID and
// the next CSeq. The caller holds c.mu.
func (c *trunkClient) newRequest(method sip.RequestMethod, to sip.Uri, callID, fromTag string, cseq uint32) (*sip.Request, error) {
	if c.trunk.Host == "" {
		return nil, fmt.Errorf("trunk %s has no host (no dial-plan trunk of that name)", c.trunk.Name)
	}
	contact, err := c.net.trunkRegContact(c.trunk)
	if err != nil {
		return nil, fmt.Errorf("local address for trunk %s: %w", c.trunk.Name, err)
	}
	req := sip.NewRequest(method, trunkRequestURI(c.trunk))
	if c.trunk.OutboundProxy != "" {
		proxy, err := parseURI(c.trunk.OutboundProxy)
		if err != nil {
			return nil, fmt.Errorf("trunk %s outbound_proxy: %w", c.trunk.Name, err)
		}
		if !proxy.UriParams.Has("lr") {
			proxy.UriParams = append(proxy.UriParams.Clone(), sip.HeaderKV{K: "lr", V: ""})
		}
		req.AppendHeader(&sip.RouteHeader{Address: proxy})
	}
	from := &sip.FromHeader{Address: to, Params: sip.HeaderParams{{K: "tag", V: fromTag}}}
	if method != sip.REGISTER {
		from.Address = sip.Uri{Scheme: "sip", User: c.trunk.Username, Host: aorDomain(c.trunk)}
		if from.Address.User == "" {
			from.Address.User = "switchyard"
		}
	}
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: to})
	cid := sip.CallIDHeader(callID)
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: cseq, MethodName: method})
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	req.AppendHeader(&sip.ContactHeader{Address: contact})
	req.SetBody(nil)
	c.contact = contact
	return req, nil
}

// do sends req, answers one digest challenge, and returns the final
// response. The caller holds c.mu; c.cseq follows the CSeq used.
func (c *trunkClient) do(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	res, err := c.net.trunkRegSend(ctx, c.trunk, req)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != sip.StatusUnauthorized && res.StatusCode != sip.StatusProxyAuthRequired {
		return res, nil
	}
	if c.trunk.Password == "" && c.trunk.AuthUser() == "" {
		return res, nil // no credentials: the challenge is the answer
	}
	if err := authorizeRequest(req, res, c.trunk.AuthUser(), c.trunk.Password); err != nil {
		return nil, &regError{state: TrunkAuthFailed, status: res.StatusCode, err: fmt.Errorf("answer challenge of %d: %w", res.StatusCode, err)}
	}
	if cs := req.CSeq(); cs != nil {
		c.cseq = cs.SeqNo
	}
	req.RemoveHeader("Via")
	return c.net.trunkRegSend(ctx, c.trunk, req)
}

// register sends REGISTER with the wanted expiry and returns the lifetime
// the registrar granted. expires 0 unregisters.
func (c *trunkClient) register(ctx context.Context, expires time.Duration) (time.Duration, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	aor := sip.Uri{Scheme: "sip", User: c.trunk.Username, Host: aorDomain(c.trunk)}
	for attempt := 0; ; attempt++ {
		c.cseq++
		req, err := c.newRequest(sip.REGISTER, aor, c.callID, c.fromTag, c.cseq)
		if err != nil {
			return 0, &regError{state: TrunkUnreachable, err: err}
		}
		secs := int(expires / time.Second)
		req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(secs)))
		res, err := c.do(ctx, req)
		var re *regError
		if errors.As(err, &re) {
			return 0, re
		}
		if err != nil {
			return 0, &regError{state: TrunkUnreachable, err: fmt.Errorf("REGISTER to %s: %w", req.Destination(), err)}
		}
		switch {
		case res.IsSuccess():
			if expires == 0 {
				return 0, nil
			}
			return c.granted(res, expires), nil
		case res.StatusCode == 423 && attempt == 0:
			if h := res.GetHeader("Min-Expires"); h != nil {
				if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n > secs {
					expires = time.Duration(n) * time.Second
					continue
				}
			}
		}
		return 0, regStatusError("REGISTER", res)
	}
}

// regStatusError classifies a failure response.
func regStatusError(method string, res *sip.Response) *regError {
	err := fmt.Errorf("%s answered %d %s", method, res.StatusCode, res.Reason)
	switch res.StatusCode {
	case sip.StatusUnauthorized, sip.StatusForbidden, sip.StatusProxyAuthRequired, sip.StatusNotFound:
		return &regError{state: TrunkAuthFailed, status: res.StatusCode, err: err}
	}
	return &regError{state: TrunkUnreachable, status: res.StatusCode, err: err}
}

// granted reads the lifetime of our binding from a 200 to REGISTER: the
// expires parameter of our Contact, else the Expires header, else what we
// asked for.
func (c *trunkClient) granted(res *sip.Response, asked time.Duration) time.Duration {
	ours := contactKey(&c.contact)
	for _, h := range res.GetHeaders("Contact") {
		ch, ok := h.(*sip.ContactHeader)
		if !ok || contactKey(&ch.Address) != ours {
			continue
		}
		if v, ok := ch.Params.Get("expires"); ok {
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 {
				return time.Duration(n) * time.Second
			}
		}
	}
	if h := res.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	return asked
}

// refreshDelay is when to refresh a registration granted for d: at 80% of
// it or 30 s before it lapses, whichever is earlier, but not before half
// of it.
func refreshDelay(d time.Duration) time.Duration {
	r := min(d*8/10, d-30*time.Second)
	return max(r, d/2, 500*time.Millisecond)
}

// backoff doubles from min to max; regJitter picks a delay in [d/2, d].
func regBackoff(d, lo, hi time.Duration) time.Duration {
	return min(max(d*2, lo), hi)
}

func regJitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	return d/2 + time.Duration(regRandomInt(int64(d/2)+1))
}

func regRandomInt(n int64) int64 {
	if n <= 0 {
		return 0
	}
	return rand.Int64N(n)
}

// trunkEntry is the state of one configured trunk, guarded by
// trunkManager.mu.
type trunkEntry struct {
	cfg Trunk

	regState TrunkState
	regSince time.Time
	regErr   string
	expires  time.Time

	down      bool // keepalive says it stopped answering
	downSince time.Time
	downErr   string

	lastState TrunkState // effective state last logged

	// the registration loop (permanent, or before-call while refs > 0)
	loop *regLoop
	refs int
	// lastLoopDone is closed when the newest loop has ended (and
	// unregistered); a new loop waits for it, so that an unregistration
	// never lands after the next registration.
	lastLoopDone chan struct{}
	// kick asks the loop to retry now (the trunk answers again).
	kick chan struct{}

	keepalive *loopHandle
}

// loopHandle stops a goroutine (cancel) and tells when it has ended (done).
type loopHandle struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// regLoop is one running registration loop.
type regLoop struct {
	loopHandle
	client *trunkClient
	// ready is closed once the first attempt has an outcome, firstErr.
	ready    chan struct{}
	firstErr error
}

// trunkManager runs the registrations and keepalives of every trunk. Its
// goroutines are owned by the context given to run.
type trunkManager struct {
	log *slog.Logger
	net trunkTransport
	now func() time.Time

	backoffMin        time.Duration
	backoffMax        time.Duration
	requestTimeout    time.Duration
	unregisterTimeout time.Duration

	mu      sync.Mutex
	runCtx  context.Context // nil until run starts, and after it ends
	order   []string        // trunk names in configuration order (lower case)
	entries map[string]*trunkEntry
	wg      sync.WaitGroup
}

func newTrunkManager(log *slog.Logger, net trunkTransport) *trunkManager {
	return &trunkManager{
		log: log, net: net, now: time.Now,
		backoffMin: defaultRegBackoffMin, backoffMax: defaultRegBackoffMax,
		requestTimeout: defaultRegRequestTimeout, unregisterTimeout: defaultUnregisterTimeout,
		entries: map[string]*trunkEntry{},
	}
}

// regSettingsEqual reports whether two trunk configurations register the
// same way.
func regSettingsEqual(a, b Trunk) bool {
	return a.Registration == b.Registration && a.Username == b.Username && a.AuthUser() == b.AuthUser() &&
		a.Password == b.Password && a.RegisterExpires == b.RegisterExpires && a.FromDomain == b.FromDomain &&
		a.ExternalIP == b.ExternalIP && a.OutboundProxy == b.OutboundProxy && strings.EqualFold(a.Host, b.Host) &&
		a.Port == b.Port && strings.EqualFold(a.Transport, b.Transport)
}

func registrationOf(t Trunk) RegistrationMode {
	if t.Registration == "" {
		return RegistrationOff
	}
	return t.Registration
}

// apply installs a (re)loaded trunk list. Trunks whose registration
// settings changed re-register; removed trunks unregister; keepalives
// restart when their settings changed.
func (m *trunkManager) apply(trunks []Trunk) {
	m.mu.Lock()
	defer m.mu.Unlock()
	seen := map[string]bool{}
	m.order = m.order[:0]
	for _, t := range trunks {
		key := strings.ToLower(t.Name)
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		m.order = append(m.order, key)
		e, ok := m.entries[key]
		if !ok {
			e = &trunkEntry{cfg: t, kick: make(chan struct{}, 1), lastState: TrunkOff}
			m.setReg(e, TrunkOff, nil)
			m.entries[key] = e
			m.startLocked(e)
			continue
		}
		old := e.cfg
		e.cfg = t
		if !regSettingsEqual(old, t) {
			if l := e.loop; l != nil {
				// Stopping unregisters in the loop's goroutine; the next
				// loop waits for it.
				e.loop, e.refs = nil, 0
				l.cancel()
			}
			m.setReg(e, TrunkOff, nil)
			m.startRegLocked(e)
		}
		if !keepaliveEqual(old, t) {
			if k := e.keepalive; k != nil {
				e.keepalive, e.down = nil, false
				k.cancel()
			}
			m.startKeepaliveLocked(e)
		}
	}
	for key, e := range m.entries {
		if seen[key] {
			continue
		}
		delete(m.entries, key)
		if l := e.loop; l != nil {
			e.loop = nil
			l.cancel()
		}
		if k := e.keepalive; k != nil {
			e.keepalive = nil
			k.cancel()
		}
	}
}

// startLocked starts what a trunk needs when the manager runs.
func (m *trunkManager) startLocked(e *trunkEntry) {
	m.startRegLocked(e)
	m.startKeepaliveLocked(e)
}

func (m *trunkManager) startRegLocked(e *trunkEntry) {
	if m.runCtx == nil || registrationOf(e.cfg) != RegistrationPermanent || e.loop != nil {
		return
	}
	e.loop = m.spawnRegLoop(e)
}

// spawnRegLoop starts a registration loop for e. It first waits for the
// previous loop of e to end (it may still be unregistering). The caller
// holds m.mu and m.runCtx is set.
func (m *trunkManager) spawnRegLoop(e *trunkEntry) *regLoop {
	after := e.lastLoopDone
	ctx, cancel := context.WithCancel(m.runCtx)
	client := newTrunkClient(e.cfg, m.net, m.requestTimeout)
	l := &regLoop{loopHandle: loopHandle{cancel: cancel, done: make(chan struct{})}, client: client, ready: make(chan struct{})}
	e.lastLoopDone = l.done
	m.setReg(e, TrunkRegistering, nil)
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		defer close(l.done)
		if after != nil {
			select {
			case <-after:
			case <-ctx.Done():
			}
		}
		m.registerLoop(ctx, e, l)
	}()
	return l
}

// registerLoop registers, refreshes, backs off and retries until ctx ends,
// then unregisters if it ever registered.
func (m *trunkManager) registerLoop(ctx context.Context, e *trunkEntry, l *regLoop) {
	cfg := l.client.trunk
	expires := cfg.RegisterExpires
	if expires <= 0 {
		expires = defaultTrunkExpires
	}
	first := true
	report := func(err error) {
		if first {
			first = false
			l.firstErr = err
			close(l.ready)
		}
	}
	defer report(context.Canceled)
	backoff := time.Duration(0)
	registered := false
	timer := time.NewTimer(0)
	defer timer.Stop()
	for ctx.Err() == nil {
		granted, err := l.client.register(ctx, expires)
		if ctx.Err() != nil {
			break
		}
		var wait time.Duration
		if err != nil {
			m.mu.Lock()
			if e.loop == l {
				m.setReg(e, regStateOf(err), err)
			}
			m.mu.Unlock()
			report(err)
			backoff = regBackoff(backoff, m.backoffMin, m.backoffMax)
			wait = regJitter(backoff)
		} else {
			registered = true
			backoff = 0
			m.mu.Lock()
			if e.loop == l {
				e.expires = m.now().Add(granted)
				m.setReg(e, TrunkRegistered, nil)
			}
			m.mu.Unlock()
			report(nil)
			wait = refreshDelay(granted)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
		case <-timer.C:
		case <-e.kick:
		}
	}
	if !registered {
		return
	}
	uctx, cancel := context.WithTimeout(context.Background(), m.unregisterTimeout)
	defer cancel()
	if _, err := l.client.register(uctx, 0); err != nil {
		m.log.Warn("sip trunk: unregister failed", "trunk", cfg.Name, "error", err)
	} else {
		m.log.Info("sip trunk: unregistered", "trunk", cfg.Name)
	}
	m.mu.Lock()
	if e.loop == l || e.loop == nil {
		e.expires = time.Time{}
		m.setReg(e, TrunkOff, nil)
	}
	m.mu.Unlock()
}

func regStateOf(err error) TrunkState {
	var re *regError
	if errors.As(err, &re) {
		return re.state
	}
	return TrunkUnreachable
}

// setReg records a registration state. The caller holds m.mu.
func (m *trunkManager) setReg(e *trunkEntry, st TrunkState, err error) {
	if e.regState != st {
		e.regState, e.regSince = st, m.now()
	}
	e.regErr = ""
	if err != nil {
		e.regErr = err.Error()
	}
	if st != TrunkRegistered {
		e.expires = time.Time{}
	}
	m.logChangeLocked(e)
}

// effective folds keepalive reachability into the registration state. The
// caller holds m.mu.
func (e *trunkEntry) effective() TrunkStatus {
	st := TrunkStatus{Name: e.cfg.Name, Registration: registrationOf(e.cfg), State: e.regState,
		Since: e.regSince, LastError: e.regErr, Expires: e.expires}
	if e.down && e.regState != TrunkAuthFailed {
		st.State, st.Since, st.LastError = TrunkUnreachable, e.downSince, e.downErr
		if e.regState == TrunkUnreachable && e.regSince.Before(e.downSince) {
			st.Since = e.regSince
		}
	}
	return st
}

// logChangeLocked logs a change of the effective state. The caller holds m.mu.
func (m *trunkManager) logChangeLocked(e *trunkEntry) {
	st := e.effective()
	if st.State == e.lastState {
		return
	}
	e.lastState = st.State
	switch st.State {
	case TrunkAuthFailed, TrunkUnreachable:
		m.log.Warn("sip trunk: "+string(st.State), "trunk", st.Name, "error", st.LastError)
	default:
		m.log.Info("sip trunk: "+string(st.State), "trunk", st.Name, "registration", string(st.Registration))
	}
}

// status returns every trunk's status in configuration order.
func (m *trunkManager) status() []TrunkStatus {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]TrunkStatus, 0, len(m.order))
	for _, key := range m.order {
		if e, ok := m.entries[key]; ok {
			out = append(out, e.effective())
		}
	}
	return out
}

// run starts the registrations and keepalives and owns them until ctx
// ends; then it stops them (unregistering) and returns.
func (m *trunkManager) run(ctx context.Context) {
	m.mu.Lock()
	if m.runCtx != nil {
		m.mu.Unlock()
		return
	}
	m.runCtx = ctx
	for _, key := range m.order {
		m.startLocked(m.entries[key])
	}
	m.mu.Unlock()
	<-ctx.Done()
	m.mu.Lock()
	m.runCtx = nil
	for _, e := range m.entries {
		e.loop, e.keepalive, e.refs = nil, nil, 0
	}
	m.mu.Unlock()
	m.wg.Wait()
}

// acquire registers a before-call trunk for a call: the first call starts
// a registration loop and waits for its first outcome; later calls share
// it. The returned release ends the caller's share; the last one
// unregisters. Trunks that are not before-call need nothing: release is a
// no-op.
func (m *trunkManager) acquire(ctx context.Context, name string) (release func(), err error) {
	noop := func() {}
	m.mu.Lock()
	e, ok := m.entries[strings.ToLower(name)]
	if !ok || registrationOf(e.cfg) != RegistrationBeforeCall {
		m.mu.Unlock()
		return noop, nil
	}
	if m.runCtx == nil {
		m.mu.Unlock()
		return noop, call.Errorf(call.Unavailable, "register to trunk %s: the SIP server is not running", name)
	}
	l := e.loop
	if l == nil {
		l = m.spawnRegLoop(e)
		e.loop = l
	}
	e.refs++
	m.mu.Unlock()

	var once sync.Once
	release = func() {
		once.Do(func() {
			m.mu.Lock()
			defer m.mu.Unlock()
			if e.loop != l {
				return // reconfigured or shut down meanwhile
			}
			if e.refs--; e.refs <= 0 {
				e.refs, e.loop = 0, nil
				l.cancel()
			}
		})
	}
	select {
	case <-l.ready:
	case <-ctx.Done():
		release()
		cause := call.LocalHangup
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			cause = call.Timeout
		}
		return noop, call.Errorf(cause, "register to trunk %s: %w", name, ctx.Err())
	}
	if l.firstErr != nil {
		release()
		return noop, call.Errorf(call.DialOutFailed, "register to trunk %s: %w", name, l.firstErr)
	}
	return release, nil
}
