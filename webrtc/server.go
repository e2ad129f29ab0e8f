package webrtc

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchyard/switchyard/call"
)

// shutdownGrace bounds the HTTP shutdown when Run's context ends.
const shutdownGrace = 3 * time.Second

// Server is the WebRTC side of the gateway: the HTTP handler (web app,
// signalling API, WHIP, WHEP), the ICE sockets every leg shares, and the
// dialer of WHIP/WHEP dial-outs.
type Server struct {
	cfg     Config
	log     *slog.Logger
	cert    tls.Certificate
	handler http.Handler
	now     func() time.Time
	client  *http.Client // dial-outs

	eng     atomic.Pointer[engine]
	accept  atomic.Pointer[func(call.InboundLeg)]
	ready   chan struct{}
	seq     atomic.Uint64
	running atomic.Bool

	mu   sync.Mutex
	legs map[string]*leg
	// ended keeps web app legs for a while after they end, so that a client
	// that opens the event stream late still reads how its call ended.
	ended map[string]*leg
	addrs []string
	// quit is closed when Run ends: event streams stop.
	quit chan struct{}
}

// NewServer prepares a server: it checks the configuration, loads or makes
// the TLS certificate and builds the HTTP handler. Nothing listens until
// Run.
func NewServer(cfg Config, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("webrtc: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		cfg: cfg, log: log, now: time.Now,
		ready: make(chan struct{}), legs: map[string]*leg{}, ended: map[string]*leg{}, quit: make(chan struct{}),
		client: &http.Client{Timeout: cfg.AnswerTimeout},
	}
	if cfg.Listen != "" {
		cert, generated, err := loadCertificate(cfg.TLS, cfg.ICE.PublicIPs)
		if err != nil {
			return nil, fmt.Errorf("webrtc: %w", err)
		}
		s.cert = cert
		if generated {
			log.Info("webrtc: using a self-signed certificate; browsers will warn until a real one is configured (webrtc.tls)",
				"sha256", fingerprint(cert))
		}
	}
	s.handler = s.routes()
	return s, nil
}

// Handler returns the HTTP handler of the web app, the signalling API and
// WHIP/WHEP, for mounting on another listener. It refuses calls (503)
// until Run has started.
func (s *Server) Handler() http.Handler { return s.handler }

// Ready is closed once Run has bound its sockets; Addrs is complete then.
func (s *Server) Ready() <-chan struct{} { return s.ready }

// Addrs lists what the server listens on ("https 0.0.0.0:8443",
// "udp 192.0.2.2:8189").
func (s *Server) Addrs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.addrs...)
}

// Dialer returns the dialer of WHIP and WHEP dial-outs.
func (s *Server) Dialer() call.Dialer { return &Dialer{srv: s} }

func (s *Server) engine() *engine { return s.eng.Load() }

// Run binds the ICE sockets and the HTTP listeners, hands every new call
// to accept until ctx ends, then ends every leg and returns.
func (s *Server) Run(ctx context.Context, accept func(call.InboundLeg)) error {
	if accept == nil {
		return errors.New("webrtc: Run needs an accept function")
	}
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("webrtc: the server runs already (Run is called once)")
	}
	eng, err := newEngine(s.cfg.ICE, s.log)
	if err != nil {
		return fmt.Errorf("webrtc: %w", err)
	}
	defer eng.close()
	var servers []*http.Server
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			_ = ln.Close()
		}
	}()
	listen := func(scheme, addr string) error {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("webrtc: %s %s: %w", scheme, addr, err)
		}
		lns = append(lns, ln)
		if scheme == "https" {
			ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{s.cert}, MinVersion: tls.VersionTLS12})
		}
		srv := &http.Server{
			Handler: s.handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
			ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
		}
		servers = append(servers, srv)
		s.mu.Lock()
		s.addrs = append(s.addrs, scheme+" "+ln.Addr().String())
		s.mu.Unlock()
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.log.Error("webrtc: http server stopped", "err", err)
			}
		}()
		return nil
	}
	if s.cfg.Listen != "" {
		if err := listen("https", s.cfg.Listen); err != nil {
			return err
		}
	}
	if s.cfg.HTTPListen != "" {
		if err := listen("http", s.cfg.HTTPListen); err != nil {
			return err
		}
	}
	s.mu.Lock()
	s.addrs = append(s.addrs, eng.addrs...)
	addrs := append([]string(nil), s.addrs...)
	s.mu.Unlock()
	s.eng.Store(eng)
	s.accept.Store(&accept)
	close(s.ready)
	s.log.Info("webrtc: listening", "addrs", addrs)

	<-ctx.Done()
	s.accept.Store(nil)
	close(s.quit)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	for _, srv := range servers {
		_ = srv.Shutdown(sctx)
	}
	s.endAll()
	s.eng.Store(nil)
	return nil
}

// endAll ends every leg the server holds.
func (s *Server) endAll() {
	s.mu.Lock()
	legs := make([]*leg, 0, len(s.legs))
	for _, l := range s.legs {
		legs = append(legs, l)
	}
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, l := range legs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.end(call.Maintenance, reasonNone, "the WebRTC server stopped", true)
		}()
	}
	wg.Wait()
}

// newLegID numbers legs for logs and the API; the random part makes IDs
// unguessable, so that a WHIP resource URL is not enumerable.
func (s *Server) newLegID() (string, error) {
	r, err := randomID(12)
	if err != nil {
		return "", fmt.Errorf("leg id: %w", err)
	}
	return fmt.Sprintf("wr%d-%s", s.seq.Add(1), r), nil
}

// remember registers a leg under its ID.
func (s *Server) remember(l *leg) {
	s.mu.Lock()
	s.legs[l.id] = l
	s.mu.Unlock()
}

// endedRetention is how long an ended web app leg's events stay readable.
const endedRetention = 30 * time.Second

// forget removes an ended leg; a web app leg stays readable (its event
// stream and its token checks) for endedRetention.
func (s *Server) forget(l *leg) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.legs[l.id] != l {
		return
	}
	delete(s.legs, l.id)
	if l.client != nil {
		s.ended[l.id] = l
		time.AfterFunc(endedRetention, func() {
			s.mu.Lock()
			if s.ended[l.id] == l {
				delete(s.ended, l.id)
			}
			s.mu.Unlock()
		})
	}
}

// lookup finds a leg by ID, ended web app legs included.
func (s *Server) lookup(id string) (*leg, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.legs[id]; ok {
		return l, true
	}
	l, ok := s.ended[id]
	return l, ok
}

// Legs returns how many legs the server holds (for status and tests).
func (s *Server) Legs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.legs)
}

// Status is the server's state for the admin API.
type Status struct {
	Enabled bool     `json:"enabled"`
	Addrs   []string `json:"addrs"`
	// Legs counts the legs in progress by kind: "web app", "whip", "whep",
	// "dial-out".
	Legs map[string]int `json:"legs"`
}

// Status reports what the server listens on and the legs it holds.
func (s *Server) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Status{Enabled: s.cfg.Enabled, Addrs: append([]string(nil), s.addrs...), Legs: map[string]int{}}
	for _, l := range s.legs {
		st.Legs[l.kind.String()]++
	}
	return st
}

// hand passes a new inbound leg to the gateway, or reports that the server
// does not take calls.
func (s *Server) hand(l *leg) error {
	acc := s.accept.Load()
	if acc == nil {
		return call.Errorf(call.Unavailable, "the WebRTC server is not running")
	}
	s.remember(l)
	(*acc)(l)
	return nil
}
