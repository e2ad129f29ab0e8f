package sip

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/rtpio"
)

// Methods we answer, for Allow headers.
const allowedMethods = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE"

// Bodies we understand, for Accept headers.
const acceptedBodies = "application/sdp, application/dtmf-relay, application/dtmf, application/media_control+xml"

// maxUDPRequest is the size above which a request goes over TCP instead of
// UDP (RFC 3261 §18.1.1, path MTU unknown).
const maxUDPRequest = 1300

// maxUDPMessage is the largest message we send over UDP (the largest UDP
// payload over IPv4): a response to a request that came over UDP, or a
// large request whose far side takes no TCP connection, is sent over UDP
// whatever its size, and IP fragments it. sipgo refuses UDP messages above
// its UDPMTUSize less 200 bytes unless told otherwise.
const maxUDPMessage = 65507

// udpLimit raises sipgo's UDP size limit (a variable of that package) once
// per process, before the first server runs.
var udpLimit sync.Once

// Server is the SIP side of the gateway: it listens, turns INVITEs into
// inbound legs, and places outbound legs through its Dialer.
type Server struct {
	cfg   atomic.Pointer[Config]
	media *rtpio.Allocator
	log   *slog.Logger

	// sipgo's user agent, server and client. The registrar, trunk
	// registration and keepalive code uses them too.
	ua     *sipgo.UserAgent
	srv    *sipgo.Server
	client *sipgo.Client

	tlsConf *tls.Config
	// reg is the registrar, trunk registrations and keepalives.
	reg *registration

	mu      sync.Mutex
	addrs   []string
	listen  map[string]netip.AddrPort // "udp", "tcp", "tls" → bound address
	udpAddr sip.Addr                  // the UDP listener, as sipgo's pool names it
	dialogs map[string]*leg           // established and early dialogs by key
	legs    map[*leg]struct{}         // every leg not yet finished
	running bool
	closing bool
	accept  func(call.InboundLeg)

	// movedToTCP holds the requests prepareRequest moved from UDP to TCP
	// for their size, until they are sent (transact).
	movedToTCP map[*sip.Request]struct{}

	// wg counts goroutines the server owns: listeners, accept calls and
	// the final clean-up of each leg.
	wg       sync.WaitGroup
	ready    chan struct{} // closed once Run has bound every listener
	stopping chan struct{} // closed when Run's context ends
}

// NewServer prepares a server: sipgo's user agent, handlers and the TLS
// certificate. Nothing listens until Run.
func NewServer(cfg Config, media *rtpio.Allocator, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("sip config: %w", err)
	}
	if media == nil {
		return nil, errors.New("sip: a media allocator is required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		media:    media,
		log:      log,
		listen:   map[string]netip.AddrPort{},
		dialogs:  map[string]*leg{},
		legs:     map[*leg]struct{}{},
		ready:    make(chan struct{}),
		stopping: make(chan struct{}),

		movedToTCP: map[*sip.Request]struct{}{},
	}
	s.cfg.Store(&cfg)
	udpLimit.Do(func() { sip.UDPMTUSize = maxUDPMessage + 200 })
	name := cfg.UserAgent
	if name == "" {
		name = "Switchyard"
	}
	var err error
	if cfg.Listen.TLS != "" {
		host, _, _ := net.SplitHostPort(cfg.Listen.TLS)
		if s.tlsConf, err = serverTLSConfig(cfg.TLS, []string{host, cfg.ExternalIP}); err != nil {
			return nil, err
		}
	}
	sipLog := log.With("component", "sipgo")
	ua, err := sipgo.NewUA(
		sipgo.WithUserAgent(name),
		sipgo.WithUserAgenTLSConfig(clientTLSConfig(s.tlsConf)),
		sipgo.WithUserAgentTransactionLayerOptions(
			sip.WithTransactionLayerLogger(sipLog),
			sip.WithTransactionLayerUnhandledResponseHandler(s.onStrayResponse),
		),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(sipLog)),
	)
	if err != nil {
		return nil, fmt.Errorf("sip user agent: %w", err)
	}
	s.ua = ua
	if s.srv, err = sipgo.NewServer(ua, sipgo.WithServerLogger(sipLog)); err != nil {
		_ = ua.Close()
		return nil, fmt.Errorf("sip server: %w", err)
	}
	if s.client, err = sipgo.NewClient(ua, sipgo.WithClientLogger(sipLog)); err != nil {
		_ = ua.Close()
		return nil, fmt.Errorf("sip client: %w", err)
	}
	s.srv.OnInvite(s.guard(s.onInvite))
	s.srv.OnAck(s.guard(s.onAck))
	s.srv.OnBye(s.guard(s.onBye))
	s.srv.OnCancel(s.guard(s.onCancel))
	s.srv.OnOptions(s.guard(s.onOptions))
	s.srv.OnInfo(s.guard(s.onInfo))
	s.srv.OnUpdate(s.guard(s.onUpdate))
	s.srv.OnMessage(s.guard(s.onMessage))
	s.registerHandlers()
	return s, nil
}

// config returns the configuration in force.
func (s *Server) config() *Config { return s.cfg.Load() }

// Reconfigure applies a reloaded configuration: trunk options, timers and
// registrar settings. Listen addresses and the TLS certificate keep the
// values the server started with.
func (s *Server) Reconfigure(cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("sip config: %w", err)
	}
	old := s.config()
	cfg.Listen, cfg.TLS = old.Listen, old.TLS
	s.cfg.Store(&cfg)
	s.reconfigureRegistration(cfg)
	return nil
}

// Addrs lists what the server listens on, as "udp 127.0.0.1:5060".
func (s *Server) Addrs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.addrs...)
}

// listenAddr returns the bound address of a transport ("udp", "tcp", "tls").
func (s *Server) listenAddr(transport string) (netip.AddrPort, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.listen[strings.ToLower(transport)]
	return a, ok
}

// Run listens on every configured transport and hands each new call to
// accept until ctx ends; then it ends every leg and returns.
func (s *Server) Run(ctx context.Context, accept func(call.InboundLeg)) error {
	if accept == nil {
		return errors.New("sip: Run needs an accept function")
	}
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return errors.New("sip: server already running")
	}
	s.running, s.accept = true, accept
	s.mu.Unlock()

	closers, err := s.bind()
	if err != nil {
		for _, c := range closers {
			_ = c.Close()
		}
		close(s.ready)
		_ = s.ua.Close()
		return err
	}
	close(s.ready)
	regDone := make(chan struct{})
	go func() {
		defer close(regDone)
		s.runRegistration(ctx)
	}()

	<-ctx.Done()
	s.shutdown()
	// Trunk registrations end (unregistering) before the listeners close.
	<-regDone
	for _, c := range closers {
		_ = c.Close()
	}
	s.wg.Wait()
	_ = s.ua.Close()
	return nil
}

// bind opens the listeners and starts serving them.
func (s *Server) bind() ([]interface{ Close() error }, error) {
	cfg := s.config()
	var closers []interface{ Close() error }
	if cfg.Listen.UDP != "" {
		pc, err := net.ListenPacket(network("udp", cfg.Listen.UDP), cfg.Listen.UDP)
		if err != nil {
			return closers, fmt.Errorf("sip: listen udp %s: %w", cfg.Listen.UDP, err)
		}
		closers = append(closers, pc)
		ap := parseAddrPort(pc.LocalAddr().String())
		s.bound("udp", ap)
		s.mu.Lock()
		s.udpAddr = sip.Addr{IP: net.IP(ap.Addr().AsSlice()), Port: int(ap.Port())}
		s.mu.Unlock()
		s.serve("udp", func() error { return s.srv.ServeUDP(pc) })
		// Requests leave from the listener's socket: wait until sipgo has it
		// in its connection pool.
		pool := s.ua.TransportLayer().Pool("udp")
		for deadline := time.Now().Add(2 * time.Second); pool.Size() == 0 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	}
	if cfg.Listen.TCP != "" {
		ln, err := net.Listen(network("tcp", cfg.Listen.TCP), cfg.Listen.TCP)
		if err != nil {
			return closers, fmt.Errorf("sip: listen tcp %s: %w", cfg.Listen.TCP, err)
		}
		closers = append(closers, ln)
		s.bound("tcp", parseAddrPort(ln.Addr().String()))
		s.serve("tcp", func() error { return s.srv.ServeTCP(ln) })
	}
	if cfg.Listen.TLS != "" {
		ln, err := tls.Listen(network("tcp", cfg.Listen.TLS), cfg.Listen.TLS, s.tlsConf)
		if err != nil {
			return closers, fmt.Errorf("sip: listen tls %s: %w", cfg.Listen.TLS, err)
		}
		closers = append(closers, ln)
		s.bound("tls", parseAddrPort(ln.Addr().String()))
		s.serve("tls", func() error { return s.srv.ServeTLS(ln) })
	}
	return closers, nil
}

// network picks udp4/tcp4 for IPv4 listen addresses, so that the socket's
// address reads as the IPv4 address it was given.
func network(base, addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return base
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.Is4() {
		return base + "4"
	}
	return base
}

func (s *Server) bound(transport string, ap netip.AddrPort) {
	s.mu.Lock()
	s.listen[transport] = ap
	s.addrs = append(s.addrs, transport+" "+ap.String())
	s.mu.Unlock()
	s.log.Info("sip listening", "transport", transport, "addr", ap.String())
}

func (s *Server) serve(transport string, fn func() error) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := fn(); err != nil && !errors.Is(err, net.ErrClosed) {
			s.log.Warn("sip listener stopped", "transport", transport, "error", err)
		}
	}()
}

// shutdown refuses new calls and ends every leg.
func (s *Server) shutdown() {
	s.mu.Lock()
	s.closing = true
	close(s.stopping)
	legs := make([]*leg, 0, len(s.legs))
	for l := range s.legs {
		legs = append(legs, l)
	}
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, l := range legs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			_ = l.Hangup(ctx, call.LocalHangup)
		}()
	}
	wg.Wait()
	for _, l := range legs {
		select {
		case <-l.Done():
		case <-time.After(5 * time.Second):
			s.log.Warn("sip leg did not finish in time", "leg", l.ID())
		}
	}
}

// accepting reports whether new calls are taken.
func (s *Server) accepting() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running && !s.closing
}

// track registers a leg; remember adds its dialog key.
func (s *Server) addLeg(l *leg) {
	s.mu.Lock()
	s.legs[l] = struct{}{}
	s.mu.Unlock()
}

func (s *Server) remember(key string, l *leg) {
	s.mu.Lock()
	s.dialogs[key] = l
	s.mu.Unlock()
}

// forget removes a leg and its dialog keys.
func (s *Server) forget(l *leg) {
	s.mu.Lock()
	delete(s.legs, l)
	for k, v := range s.dialogs {
		if v == l {
			delete(s.dialogs, k)
		}
	}
	s.mu.Unlock()
}

// lookup finds the leg of an in-dialog request.
func (s *Server) lookup(req *sip.Request) *leg {
	key, ok := requestKey(req)
	if !ok {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dialogs[key]
}

// Dialer returns the dialer of outbound SIP legs.
func (s *Server) Dialer() call.Dialer { return &Dialer{srv: s} }

// respond answers a request outside any leg.
func (s *Server) respond(req *sip.Request, tx sip.ServerTransaction, code int, reason string, hdrs ...sip.Header) {
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	s.decorate(&res.MessageData, s.config().CompactHeaders)
	if err := tx.Respond(res); err != nil {
		s.log.Debug("sip respond failed", "code", code, "method", req.Method, "error", err)
	}
}

// decorate adds what every message we send carries.
func (s *Server) decorate(m *sip.MessageData, compact bool) {
	m.CompactHeaders = compact
	if m.GetHeader("User-Agent") == nil && m.GetHeader("Server") == nil {
		m.AppendHeader(sip.NewHeader("User-Agent", s.ua.Name()))
	}
}

// capabilityHeaders are Allow, Accept and Supported.
func (s *Server) capabilityHeaders() []sip.Header {
	h := []sip.Header{
		sip.NewHeader("Allow", s.allow()),
		sip.NewHeader("Accept", acceptedBodies),
	}
	if s.config().SessionTimer.Enabled {
		h = append(h, sip.NewHeader("Supported", "timer"))
	}
	return h
}

func (s *Server) allow() string {
	if s.config().Registrar.Enabled {
		return allowedMethods + ", REGISTER"
	}
	return allowedMethods
}

// guard recovers a panic in a request handler: it is logged, the request
// is answered 500 when it can still be, and the dialog's leg (if any) ends
// with cause internal.
func (s *Server) guard(h sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		defer func() {
			r := recover()
			if r == nil {
				return
			}
			s.log.Error("sip request handler panicked", "method", req.Method, "call_id", callIDOf(req), "panic", r)
			if l := s.lookup(req); l != nil {
				go l.terminate(call.Internal, fmt.Sprintf("panic handling %s: %v", req.Method, r), true)
			}
			if !req.IsAck() {
				s.respond(req, tx, sip.StatusInternalServerError, "Server Internal Error")
			}
		}()
		h(req, tx)
	}
}

// onOptions answers OPTIONS with what we support.
func (s *Server) onOptions(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil && to.Params.Has("tag") && s.lookup(req) == nil {
		s.respond(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	s.respond(req, tx, sip.StatusOK, "OK", s.capabilityHeaders()...)
}

// onAck passes an ACK to its dialog's leg.
func (s *Server) onAck(req *sip.Request, tx sip.ServerTransaction) {
	if l := s.lookup(req); l != nil {
		l.onAck(req)
	}
}

func (s *Server) onBye(req *sip.Request, tx sip.ServerTransaction) {
	l := s.lookup(req)
	if l == nil {
		s.respond(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	l.onBye(req, tx)
}

// onCancel sees only CANCELs that match no INVITE transaction (the
// transaction layer handles the others).
func (s *Server) onCancel(req *sip.Request, tx sip.ServerTransaction) {
	s.respond(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
}

func (s *Server) onInfo(req *sip.Request, tx sip.ServerTransaction) {
	l := s.lookup(req)
	if l == nil {
		s.respond(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	l.onInfo(req, tx)
}

func (s *Server) onUpdate(req *sip.Request, tx sip.ServerTransaction) {
	l := s.lookup(req)
	if l == nil {
		s.respond(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	l.onUpdate(req, tx)
}

func (s *Server) onMessage(req *sip.Request, tx sip.ServerTransaction) {
	l := s.lookup(req)
	if l == nil {
		s.respond(req, tx, sip.StatusMethodNotAllowed, "Method Not Allowed", sip.NewHeader("Allow", s.allow()))
		return
	}
	l.onMessage(req, tx)
}

// onInvite starts an inbound leg, or passes a re-INVITE to its leg.
func (s *Server) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil && to.Params.Has("tag") {
		l := s.lookup(req)
		if l == nil {
			s.respond(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
			return
		}
		l.onReinvite(req, tx)
		return
	}
	if !s.accepting() {
		s.respond(req, tx, sip.StatusServiceUnavailable, "Service Unavailable", sip.NewHeader("Retry-After", "30"))
		return
	}
	s.respond(req, tx, sip.StatusTrying, "Trying")
	in, code, err := s.newInbound(req, tx)
	if err != nil {
		s.log.Info("sip INVITE refused", "call_id", callIDOf(req), "status", code.status, "error", err)
		s.respond(req, tx, code.status, code.reason, code.headers...)
		return
	}
	s.mu.Lock()
	accept := s.accept
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("sip accept function panicked", "leg", in.ID(), "panic", r)
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				_ = in.Reject(ctx, call.Internal)
			}
		}()
		accept(in)
	}()
	in.waitFinal()
	if !in.isFinal() {
		// The leg ended without a final response (a panic, shutdown): the
		// caller still gets one.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = in.Reject(ctx, call.CauseOf(in.Err()))
	}
}

// onStrayResponse receives responses that match no client transaction:
// retransmitted 2xx to an INVITE whose transaction already ended. The leg
// sends its ACK again.
func (s *Server) onStrayResponse(res *sip.Response) {
	if !res.IsSuccess() {
		return
	}
	cseq, cid, from, to := res.CSeq(), res.CallID(), res.From(), res.To()
	if cseq == nil || cid == nil || from == nil || to == nil || cseq.MethodName != sip.INVITE {
		return
	}
	lt, _ := from.Params.Get("tag")
	rt, _ := to.Params.Get("tag")
	s.mu.Lock()
	l := s.dialogs[dialogKey(cid.Value(), lt, rt)]
	s.mu.Unlock()
	if l != nil {
		l.reack(cseq.SeqNo)
	}
}

func callIDOf(m interface{ CallID() *sip.CallIDHeader }) string {
	if c := m.CallID(); c != nil {
		return c.Value()
	}
	return ""
}

// statusReply is a final response for a request we refuse.
type statusReply struct {
	status  int
	reason  string
	headers []sip.Header
}
