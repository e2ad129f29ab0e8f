package api

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/rules"
)

// Status is what GET /api/v1/status reports.
type Status struct {
	Node         string    `json:"node"`
	Version      string    `json:"version"`
	Started      time.Time `json:"started"`
	Calls        int       `json:"calls"`
	MaxCalls     int       `json:"max_calls"`
	Maintenance  bool      `json:"maintenance"`
	ConfigSource string    `json:"config_source"`
	ConfigLoaded time.Time `json:"config_loaded"`
	Reloads      int       `json:"reloads"`
	Rules        int       `json:"rules"`
	Listeners    []string  `json:"listeners"`
	// Protocols holds each protocol's own state (trunks, registrations, ports).
	Protocols     map[string]any `json:"protocols,omitempty"`
	LastReloadErr string         `json:"last_reload_error,omitempty"`
}

// Backend is what the API needs from the gateway.
type Backend interface {
	Status() Status
	Explain(req *rules.Request) rules.Explanation
	Reload() error
}

// Server serves the admin API.
type Server struct {
	cfg     Config
	backend Backend
	log     *slog.Logger
	mux     *http.ServeMux
}

// New builds a server; nothing listens until Serve.
func New(cfg Config, b Backend, log *slog.Logger) *Server {
	s := &Server{cfg: cfg, backend: b, log: log, mux: http.NewServeMux()}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.HandleFunc("GET /api/v1/status", s.auth(s.status))
	s.mux.HandleFunc("GET /api/v1/route", s.auth(s.route))
	s.mux.HandleFunc("POST /api/v1/reload", s.auth(s.reload))
	return s
}

// Handler returns the HTTP handler, for tests and embedding.
func (s *Server) Handler() http.Handler { return s.mux }

// Listen opens the listening socket so the caller can log its address before
// serving.
func (s *Server) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("admin api: listen %s: %w", s.cfg.Listen, err)
	}
	return ln, nil
}

// Serve serves on ln until ctx is done, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("admin api: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(shutCtx)
	<-done
	return err
}

func (s *Server) auth(h http.HandlerFunc) http.HandlerFunc {
	if s.cfg.Token == "" {
		return h
	}
	want := []byte("Bearer " + s.cfg.Token)
	return func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			writeCause(w, call.Unauthorized, "missing or wrong bearer token")
			return
		}
		h(w, r)
	}
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// readyz answers 503 in maintenance so that a load balancer drains the node.
func (s *Server) readyz(w http.ResponseWriter, _ *http.Request) {
	st := s.backend.Status()
	if st.Maintenance {
		writeCause(w, call.Maintenance, "node is in maintenance mode")
		return
	}
	if st.MaxCalls > 0 && st.Calls >= st.MaxCalls {
		writeCause(w, call.Capacity, fmt.Sprintf("%d of %d calls in use", st.Calls, st.MaxCalls))
		return
	}
	s.healthz(w, nil)
}

func (s *Server) status(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.backend.Status())
}

// route answers GET /api/v1/route?alias=A&from=sip&registered=true&source=IP&direction=incoming
// with the dial plan's explanation, without placing a call.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	req, err := RequestFromQuery(r.URL.Query().Get, r.URL.Query().Has)
	if err != nil {
		writeCause(w, call.BadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, s.backend.Explain(req))
}

// RequestFromQuery builds a routing request from named parameters (query
// string or command-line flags): alias, from, registered, source, direction,
// trunk, caller.
func RequestFromQuery(get func(string) string, has func(string) bool) (*rules.Request, error) {
	req := &rules.Request{Dialed: get("alias"), Caller: get("caller"), Trunk: get("trunk"), Protocol: call.ProtocolSIP}
	if v := get("from"); v != "" {
		p, err := call.ParseProtocol(v)
		if err != nil {
			return nil, err
		}
		req.Protocol = p
	}
	if has("registered") {
		v := strings.ToLower(get("registered"))
		req.Registered = v == "" || v == "1" || v == "true" || v == "yes"
	}
	if v := get("source"); v != "" {
		a, err := netip.ParseAddr(v)
		if err != nil {
			return nil, fmt.Errorf("source: %w", err)
		}
		req.Source = a
	}
	switch strings.ToLower(get("direction")) {
	case "", "incoming":
		req.Direction = rules.DirectionIncoming
	case "outgoing":
		req.Direction = rules.DirectionOutgoing
	default:
		return nil, errors.New("direction must be incoming or outgoing")
	}
	return req, nil
}

func (s *Server) reload(w http.ResponseWriter, _ *http.Request) {
	if err := s.backend.Reload(); err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"result": "rejected", "error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"result": "reloaded"})
}

// ErrorBody is the JSON body of every failed API request.
type ErrorBody struct {
	Cause   string `json:"cause"`
	Message string `json:"message"`
	Detail  string `json:"detail,omitempty"`
}

func writeCause(w http.ResponseWriter, c call.Cause, detail string) {
	e := c.Entry()
	writeJSON(w, e.HTTPStatus, ErrorBody{Cause: e.Name, Message: e.User, Detail: detail})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
