package sip

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// This file joins the registrar, the trunk registrations and the
// keepalives to the Server. The Server keeps them in its reg field:
// NewServer calls registerHandlers once s.srv and s.client exist; Run
// calls runRegistration once the listeners are bound and waits for it to
// return (it unregisters from trunks) before closing them; Reconfigure
// calls reconfigureRegistration; the dialer calls registerForCall for a
// trunk before its INVITE; inbound calls ask isRegisteredSource.

// registration is the registration side of a Server: the registrar, the
// trunk registrations and the OPTIONS keepalives.
type registration struct {
	log       *slog.Logger
	registrar *registrar
	trunks    *trunkManager
	once      sync.Once // run starts once
	// decorate adds the server's common headers (User-Agent) and form
	// (compact) to our responses; nil leaves them as built.
	decorate func(*sip.MessageData)
}

// newRegistration builds the registration side from the configuration.
// net carries requests to trunks.
func newRegistration(cfg Config, net trunkTransport, log *slog.Logger) *registration {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret) // crypto/rand.Read does not fail (Go 1.24)
	r := &registration{
		log:       log,
		registrar: newRegistrar(registrarSettingsOf(cfg), secret, log, nil),
		trunks:    newTrunkManager(log, net),
	}
	r.trunks.apply(cfg.Trunks)
	return r
}

// registrarSettingsOf reads the registrar's settings from the configuration,
// with defaults for what a hand-built Config leaves zero.
func registrarSettingsOf(cfg Config) registrarSettings {
	rc := cfg.Registrar
	set := registrarSettings{
		Enabled:    rc.Enabled,
		Realm:      rc.Realm,
		Domain:     cfg.Domain,
		MinExpires: rc.MinExpires,
		MaxExpires: rc.MaxExpires,
		Users:      make(map[string]digestCredential, len(rc.Users)),
		Failures:   failurePolicy{MaxFailures: rc.MaxFailures, Window: rc.FailureWindow, BanTime: rc.BanTime},
	}
	if set.Realm == "" {
		set.Realm = "switchyard"
	}
	if set.MinExpires <= 0 {
		set.MinExpires = time.Minute
	}
	if set.MaxExpires < set.MinExpires {
		set.MaxExpires = max(time.Hour, set.MinExpires)
	}
	for _, u := range rc.Users {
		if u.Username != "" {
			set.Users[u.Username] = newDigestCredential(u.Username, set.Realm, u.Password)
		}
	}
	return set
}

// run owns the registration side's goroutines until ctx ends: the
// binding sweeper, the trunk registrations and keepalives. It returns after
// unregistering from the trunks.
func (r *registration) run(ctx context.Context) {
	started := false
	r.once.Do(func() { started = true })
	if !started {
		return
	}
	var wg sync.WaitGroup
	wg.Go(func() { r.trunks.run(ctx) })
	wg.Go(func() {
		t := time.NewTimer(r.registrar.sweepInterval())
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				r.registrar.sweep()
				t.Reset(r.registrar.sweepInterval())
			}
		}
	})
	wg.Wait()
}

// reconfigure applies a reloaded configuration.
func (r *registration) reconfigure(cfg Config) {
	r.registrar.apply(registrarSettingsOf(cfg))
	r.trunks.apply(cfg.Trunks)
}

// serveRegister is the REGISTER handler.
func (r *registration) serveRegister(req *sip.Request, tx sip.ServerTransaction) {
	res := r.registrar.handle(req)
	if r.decorate != nil {
		r.decorate(&res.MessageData)
	}
	if err := tx.Respond(res); err != nil {
		r.log.Warn("sip registrar: respond", "status", res.StatusCode, "error", err)
	}
}

// registerHandlers creates the registration side and registers the
// REGISTER handler. NewServer calls it once s.srv and s.client exist.
func (s *Server) registerHandlers() {
	s.reg = newRegistration(*s.config(), s, s.log)
	s.reg.decorate = func(m *sip.MessageData) { s.decorate(m, s.config().CompactHeaders) }
	s.srv.OnRegister(s.reg.serveRegister)
}

// runRegistration owns the registrar sweeper, trunk registrations and
// keepalives until ctx ends; Run calls it and waits for it.
func (s *Server) runRegistration(ctx context.Context) {
	if s.reg != nil {
		s.reg.run(ctx)
	}
}

// reconfigureRegistration applies new registrar users and trunk options.
func (s *Server) reconfigureRegistration(cfg Config) {
	if s.reg != nil {
		s.reg.reconfigure(cfg)
	}
}

// Registered reports whether the address-of-record (user, user@host or a
// SIP URI) has a live binding at the registrar.
func (s *Server) Registered(aor string) bool {
	return s.reg != nil && len(s.reg.registrar.lookup(aor)) > 0
}

// Contact returns the contact URI to reach a registered address-of-record:
// its binding that lasts longest.
func (s *Server) Contact(aor string) (uri string, ok bool) {
	if s.reg == nil {
		return "", false
	}
	b := s.reg.registrar.lookup(aor)
	if len(b) == 0 {
		return "", false
	}
	return b[0].Contact, true
}

// Registrations returns every live binding at the registrar.
func (s *Server) Registrations() []Binding {
	if s.reg == nil {
		return nil
	}
	return s.reg.registrar.all()
}

// TrunkStatus returns the registration and reachability state of every
// configured SIP trunk.
func (s *Server) TrunkStatus() []TrunkStatus {
	if s.reg == nil {
		return nil
	}
	return s.reg.trunks.status()
}

// registerForCall registers a before-call trunk for the duration of a call.
// The dialer calls it before sending the INVITE and calls unregister when
// the call has ended (or failed). For other trunks it does nothing.
func (s *Server) registerForCall(ctx context.Context, trunk string) (unregister func(), err error) {
	if s.reg == nil {
		return func() {}, nil
	}
	return s.reg.trunks.acquire(ctx, trunk)
}

// isRegisteredSource reports whether an inbound request whose From URI is
// from, arriving from src, comes from a contact registered for that user.
func (s *Server) isRegisteredSource(from string, src netip.AddrPort) bool {
	return s.reg != nil && s.reg.registrar.fromSource(from, src)
}

// trunkDest is the first hop of requests to a trunk (its outbound proxy
// or its host), as host:port.
func trunkDest(t Trunk) string {
	transport := transportName(t.Transport)
	if t.OutboundProxy != "" {
		if p, err := parseURI(t.OutboundProxy); err == nil {
			return hostPort(p, transport)
		}
	}
	port := t.Port
	if port == 0 {
		port = defaultPort(transport)
	}
	return joinHostPort(t.Host, port)
}

// trunkRegContact is our Contact towards a trunk: the advertised address
// for it (external IP, specific listen address, or the local address that
// routes to it) and our listening port for its transport.
func (s *Server) trunkRegContact(t Trunk) (sip.Uri, error) {
	transport := transportName(t.Transport)
	if s.listenPort(transport) == 0 {
		return sip.Uri{}, fmt.Errorf("no %s listener", strings.ToLower(transport))
	}
	c := s.contact(t.Username, s.advertisedHost(trunkDest(t), &t), transport)
	return c.Address, nil
}

// trunkRegSend sends a trunk client's request the way the server sends
// every request (Via with our advertised address and rport, the UDP
// listener's socket, compact form, TCP when too large for UDP).
func (s *Server) trunkRegSend(ctx context.Context, t Trunk, req *sip.Request) (*sip.Response, error) {
	cfg := s.config()
	s.prepareRequest(req, s.advertisedHost(trunkDest(t), &t), t.CompactHeaders || cfg.CompactHeaders)
	return s.do(ctx, req)
}
