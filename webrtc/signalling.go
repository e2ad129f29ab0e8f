package webrtc

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pion/webrtc/v4"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/webrtc/web"
)

// Limits on signalling requests.
const (
	maxRequestBytes = maxSDPBytes + 16<<10
	maxAliasBytes   = 256
	maxNameRunes    = 64
	// sseKeepalive is the interval of comments that keep idle event
	// streams (and the proxies on their way) open.
	sseKeepalive = 15 * time.Second
)

// routes builds the handler of the web port.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/config", s.handleConfig)
	mux.HandleFunc("POST /api/v1/calls", s.handleCreateCall)
	mux.HandleFunc("GET /api/v1/calls/{id}/events", s.withCall(s.handleEvents, true))
	mux.HandleFunc("POST /api/v1/calls/{id}/candidates", s.withCall(s.handleCandidates, false))
	mux.HandleFunc("POST /api/v1/calls/{id}/messages", s.withCall(s.handleMessage, false))
	mux.HandleFunc("POST /api/v1/calls/{id}/refresh", s.withCall(s.handleRefresh, false))
	mux.HandleFunc("POST /api/v1/calls/{id}/hangup", s.withCall(s.handleHangup, false))
	mux.HandleFunc("DELETE /api/v1/calls/{id}", s.withCall(s.handleHangup, false))
	s.whipRoutes(mux, "whip", kindWHIP)
	s.whipRoutes(mux, "whep", kindWHEP)
	if s.cfg.WebApp {
		mux.Handle("GET /", web.Handler())
	}
	return securityHeaders(mux)
}

// securityHeaders adds what every response of the web port carries.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

// apiError is the body of a failed signalling request.
type apiError struct {
	Error failureBody `json:"error"`
}

type failureBody struct {
	failure
	Detail string `json:"detail,omitempty"`
}

// fail answers with the cause of err (Internal when it carries none).
func (s *Server) fail(w http.ResponseWriter, err error) {
	c := call.CauseOf(err)
	f := failureBody{failure: failureOf(c, reasonNone), Detail: err.Error()}
	if c == call.Internal {
		s.log.Warn("webrtc: request failed", "err", err)
		f.Detail = ""
	}
	writeJSON(w, f.Status, apiError{f})
}

// failStatus answers with an explicit status and the cause for the body.
func failStatus(w http.ResponseWriter, status int, c call.Cause, detail string) {
	f := failureBody{failure: failureOf(c, reasonNone), Detail: detail}
	f.Status = status
	writeJSON(w, status, apiError{f})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// readBody reads at most maxRequestBytes of the request body.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, call.Errorf(call.BadRequest, "the request is larger than %d bytes", maxRequestBytes)
		}
		return nil, call.Errorf(call.BadRequest, "read the request: %w", err)
	}
	return b, nil
}

// configResponse is what the web app needs before it makes its offer.
type configResponse struct {
	ICEServers []clientICEServer `json:"ice_servers"`
	TokenTTL   int               `json:"token_ttl"`
	Enabled    bool              `json:"enabled"`
}

func (s *Server) handleConfig(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, configResponse{
		ICEServers: clientICEServers(s.cfg.ICE.Servers, s.now()),
		TokenTTL:   int(s.cfg.TokenTTL / time.Second),
		Enabled:    s.cfg.Enabled,
	})
}

// createCallRequest starts a browser call.
type createCallRequest struct {
	Alias string `json:"alias"`
	SDP   string `json:"sdp"`
	// Name is the caller's display name.
	Name string `json:"name"`
	// Roles names the role of m-lines by mid; "content" marks the
	// presentation transceiver.
	Roles map[string]string `json:"roles"`
}

// createCallResponse identifies the call to later requests. When the far
// side answers at once (a local service, an auto-answering endpoint) the
// answer is in it; otherwise it comes on the event stream.
type createCallResponse struct {
	ID        string `json:"id"`
	Token     string `json:"token"`
	ExpiresIn int    `json:"expires_in"`
	Events    string `json:"events"`
	SDP       string `json:"sdp,omitempty"`
}

// quickAnswer is how long the create request waits for an answer to put in
// its response before it leaves the answer to the event stream.
const quickAnswer = 500 * time.Millisecond

// handleCreateCall takes an alias and an offer and hands the call to the
// gateway. The answer (or the failure) arrives on the call's event stream.
func (s *Server) handleCreateCall(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.Enabled {
		s.fail(w, call.Errorf(call.Unavailable, "WebRTC calls are disabled (webrtc.enabled)"))
		return
	}
	body, err := readBody(w, r)
	if err != nil {
		s.fail(w, err)
		return
	}
	var req createCallRequest
	if err := json.Unmarshal(body, &req); err != nil {
		s.fail(w, call.Errorf(call.BadRequest, "the request is not JSON: %w", err))
		return
	}
	alias, err := checkAlias(req.Alias)
	if err != nil {
		s.fail(w, err)
		return
	}
	roles := map[string]call.Role{}
	for mid, name := range req.Roles {
		role, err := call.ParseRole(name)
		if err != nil || len(roles) >= maxMediaLines {
			s.fail(w, call.Errorf(call.BadRequest, "roles: %q is not a role for mid %q", name, mid))
			return
		}
		roles[mid] = role
	}
	ro, err := parseOffer(req.SDP, roles)
	if err != nil {
		s.fail(w, err)
		return
	}
	l, err := s.newInboundLeg(kindApp, r, alias, displayName(req.Name), ro)
	if err != nil {
		s.fail(w, err)
		return
	}
	tok, err := newToken(s.cfg.TokenTTL, s.now)
	if err != nil {
		s.fail(w, call.Errorf(call.Internal, "token: %w", err))
		return
	}
	l.tok, l.client = tok, newEventLog()
	l.mu.Lock()
	l.tokenTimer = time.AfterFunc(s.cfg.TokenTTL, l.checkToken)
	l.mu.Unlock()
	if err := s.hand(l); err != nil {
		l.end(call.CauseOf(err), reasonNone, err.Error(), false)
		s.fail(w, err)
		return
	}
	resp := createCallResponse{
		ID: l.id, Token: tok.value, ExpiresIn: int(s.cfg.TokenTTL / time.Second),
		Events: "/api/v1/calls/" + l.id + "/events",
	}
	quick := time.NewTimer(quickAnswer)
	defer quick.Stop()
	select {
	case <-l.settled:
		l.mu.Lock()
		if l.state == stateAnswered {
			resp.SDP = l.answerSDP
		}
		l.mu.Unlock()
	case <-quick.C:
	case <-r.Context().Done():
	}
	writeJSON(w, http.StatusCreated, resp)
}

// checkToken ends a web app leg whose token was not refreshed in time.
func (l *leg) checkToken() {
	if rem := l.tok.remaining(); rem > 0 {
		l.mu.Lock()
		if l.state != stateEnded {
			l.tokenTimer.Reset(rem)
		}
		l.mu.Unlock()
		return
	}
	l.end(call.Timeout, reasonTokenExpired, "the client stopped refreshing its token", true)
}

// newInboundLeg makes an inbound leg for a request.
func (s *Server) newInboundLeg(kind legKind, r *http.Request, alias, name string, ro *remoteOffer) (*leg, error) {
	id, err := s.newLegID()
	if err != nil {
		return nil, call.Errorf(call.Internal, "%w", err)
	}
	l := newLeg(s, id, kind, call.Inbound, s.log)
	l.ro = ro
	src, _ := netip.ParseAddrPort(r.RemoteAddr)
	caller := name
	if caller == "" {
		caller = kind.String() + " client"
	}
	l.inc = call.Incoming{
		Protocol: call.ProtocolWebRTC, Source: src, Caller: caller, CallerName: name,
		Dialed: alias, CallID: id,
	}
	l.remoteName = kind.String() + " " + src.Addr().String()
	l.log = l.log.With("dialed", alias, "from", src.String())
	return l, nil
}

// checkAlias accepts a dialed alias: 1 to 256 bytes of UTF-8 without
// control characters, trimmed.
func checkAlias(a string) (string, error) {
	a = strings.TrimSpace(a)
	switch {
	case a == "":
		return "", call.Errorf(call.BadRequest, "the alias is empty")
	case len(a) > maxAliasBytes:
		return "", call.Errorf(call.BadRequest, "the alias is longer than %d bytes", maxAliasBytes)
	case !utf8.ValidString(a):
		return "", call.Errorf(call.BadRequest, "the alias is not UTF-8")
	}
	for _, r := range a {
		if unicode.IsControl(r) {
			return "", call.Errorf(call.BadRequest, "the alias holds a control character")
		}
	}
	return a, nil
}

// displayName cleans a display name: printable, at most 64 runes.
func displayName(n string) string {
	var b strings.Builder
	count := 0
	for _, r := range strings.TrimSpace(n) {
		if count == maxNameRunes {
			break
		}
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			continue
		}
		b.WriteRune(r)
		count++
	}
	return b.String()
}

// withCall finds the call of the path and checks its token. Only the event
// stream serves a call that has ended (it tells how it ended); the token
// of an ended call still has to match, but not be fresh.
func (s *Server) withCall(h func(http.ResponseWriter, *http.Request, *leg), ended bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		l, ok := s.lookup(r.PathValue("id"))
		if !ok || l.tok == nil {
			s.fail(w, call.Errorf(call.NotFound, "no such call (it may have ended)"))
			return
		}
		over := l.stopping()
		if over && !ended {
			s.fail(w, call.Errorf(call.NotFound, "the call has ended"))
			return
		}
		if err := l.tok.check(presentedToken(r)); err != nil && !(over && errors.Is(err, errExpiredToken)) {
			s.fail(w, call.Errorf(call.Unauthorized, "%w", err))
			return
		}
		h(w, r, l)
	}
}

// handleEvents streams the call's events as server-sent events, from
// Last-Event-ID on, until the call ends or the client goes.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request, l *leg) {
	rc := http.NewResponseController(w)
	var last int64
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		last, _ = strconv.ParseInt(v, 10, 64)
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "retry: 2000\n\n")
	keep := time.NewTicker(sseKeepalive)
	defer keep.Stop()
	for {
		evs, wake, closed := l.client.since(last)
		for _, e := range evs {
			if _, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", e.ID, e.Type, e.Data); err != nil {
				return
			}
			last = e.ID
		}
		if err := rc.Flush(); err != nil {
			return
		}
		if closed {
			return
		}
		select {
		case <-wake:
		case <-keep.C:
			if _, err := io.WriteString(w, ": keepalive\n\n"); err != nil {
				return
			}
		case <-r.Context().Done():
			return
		case <-s.quit:
			return
		}
	}
}

// candidateBody is one trickled candidate or several.
type candidateBody struct {
	webrtc.ICECandidateInit
	Candidates []webrtc.ICECandidateInit `json:"candidates"`
}

func (s *Server) handleCandidates(w http.ResponseWriter, r *http.Request, l *leg) {
	body, err := readBody(w, r)
	if err != nil {
		s.fail(w, err)
		return
	}
	var cb candidateBody
	if err := json.Unmarshal(body, &cb); err != nil {
		s.fail(w, call.Errorf(call.BadRequest, "the candidates are not JSON: %w", err))
		return
	}
	list := cb.Candidates
	if cb.Candidate != "" {
		list = append(list, cb.ICECandidateInit)
	}
	for _, c := range list {
		if c.Candidate == "" {
			continue // end of candidates
		}
		if err := l.addCandidate(c); err != nil {
			s.fail(w, call.Errorf(call.BadRequest, "candidate %q: %w", truncate(c.Candidate, 60), err))
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleMessage(w http.ResponseWriter, r *http.Request, l *leg) {
	body, err := readBody(w, r)
	if err != nil {
		s.fail(w, err)
		return
	}
	m, err := parseClientMessage(body)
	if err != nil {
		s.fail(w, call.Errorf(call.BadRequest, "%w", err))
		return
	}
	l.mu.Lock()
	answered := l.state == stateAnswered
	l.mu.Unlock()
	if !answered && m.Type != "hangup" {
		failStatus(w, http.StatusConflict, call.BadRequest, "the call is not answered yet")
		return
	}
	l.onClientMessage(m)
	w.WriteHeader(http.StatusNoContent)
}

// refreshResponse tells the client how long its token lives now.
type refreshResponse struct {
	ExpiresIn int `json:"expires_in"`
}

func (s *Server) handleRefresh(w http.ResponseWriter, _ *http.Request, l *leg) {
	exp, err := l.tok.refresh()
	if err != nil {
		s.fail(w, call.Errorf(call.Unauthorized, "%w", err))
		return
	}
	writeJSON(w, http.StatusOK, refreshResponse{ExpiresIn: int(exp.Sub(s.now()).Round(time.Second) / time.Second)})
}

func (s *Server) handleHangup(w http.ResponseWriter, _ *http.Request, l *leg) {
	l.end(call.RemoteHangup, reasonClientHangup, "the client hung up", true)
	w.WriteHeader(http.StatusNoContent)
}
