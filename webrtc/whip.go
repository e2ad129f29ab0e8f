package webrtc

import (
	"crypto/subtle"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/switchyard/switchyard/call"
)

// Media types of WHIP and WHEP (RFC 9725, RFC 8840).
const (
	mimeSDP     = "application/sdp"
	mimeSDPFrag = "application/trickle-ice-sdpfrag"
)

// whipRoutes registers one of the two endpoints: "whip" (ingest: the client
// publishes to {alias}) or "whep" (egress: the client plays what {alias}
// sends). Both take the client's offer in a POST and answer 201 with a
// session resource that takes trickled candidates (PATCH) and ends with
// DELETE.
func (s *Server) whipRoutes(mux *http.ServeMux, name string, kind legKind) {
	ep := s.cfg.WHIP
	if kind == kindWHEP {
		ep = s.cfg.WHEP
	}
	h := &whipHandler{srv: s, name: name, kind: kind, ep: ep}
	mux.HandleFunc("OPTIONS /"+name+"/{alias...}", h.options)
	mux.HandleFunc("POST /"+name+"/{alias...}", h.post)
	mux.HandleFunc("OPTIONS /"+name+"/resource/{id}", h.options)
	mux.HandleFunc("PATCH /"+name+"/resource/{id}", h.patch)
	mux.HandleFunc("DELETE /"+name+"/resource/{id}", h.delete)
}

type whipHandler struct {
	srv  *Server
	name string
	kind legKind
	ep   Endpoint
}

// cors lets browser-based WHIP and WHEP clients on other origins use the
// endpoint (it is authenticated by bearer token, not by cookies).
func cors(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "POST, PATCH, DELETE, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match")
	h.Set("Access-Control-Expose-Headers", "Location, Link, ETag, Accept-Patch")
}

// authorized checks the endpoint's bearer token, if it has one.
func (h *whipHandler) authorized(w http.ResponseWriter, r *http.Request) bool {
	if h.ep.Token == "" {
		return true
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(h.ep.Token)) == 1 {
		return true
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="switchyard"`)
	failText(w, http.StatusUnauthorized, call.Unauthorized, "a valid bearer token is required")
	return false
}

// failText answers a WHIP/WHEP request with a plain-text reason.
func failText(w http.ResponseWriter, status int, c call.Cause, detail string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	msg := c.Entry().User
	if detail != "" {
		msg += " (" + c.String() + ": " + detail + ")"
	}
	fmt.Fprintln(w, msg)
}

func (h *whipHandler) enabled(w http.ResponseWriter) bool {
	if h.srv.cfg.Enabled && h.ep.Enabled {
		return true
	}
	failText(w, http.StatusServiceUnavailable, call.Unavailable, strings.ToUpper(h.name)+" is disabled")
	return false
}

func (h *whipHandler) options(w http.ResponseWriter, _ *http.Request) {
	cors(w)
	w.Header().Set("Accept-Post", mimeSDP)
	w.Header().Set("Accept-Patch", mimeSDPFrag)
	w.WriteHeader(http.StatusNoContent)
}

// post takes the client's offer, hands the leg to the gateway and waits
// for the answer.
func (h *whipHandler) post(w http.ResponseWriter, r *http.Request) {
	cors(w)
	if !h.enabled(w) || !h.authorized(w, r) {
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != mimeSDP {
		failText(w, http.StatusUnsupportedMediaType, call.BadRequest, "the offer must be "+mimeSDP)
		return
	}
	alias, err := checkAlias(r.PathValue("alias"))
	if err != nil {
		failText(w, http.StatusBadRequest, call.BadRequest, err.Error())
		return
	}
	body, err := readBody(w, r)
	if err != nil {
		failText(w, http.StatusBadRequest, call.BadRequest, err.Error())
		return
	}
	ro, err := parseOffer(string(body), nil)
	if err != nil {
		failText(w, http.StatusBadRequest, call.BadRequest, err.Error())
		return
	}
	if err := h.checkDirections(ro); err != nil {
		failText(w, http.StatusBadRequest, call.BadRequest, err.Error())
		return
	}
	l, err := h.srv.newInboundLeg(h.kind, r, alias, "", ro)
	if err != nil {
		failText(w, call.CauseOf(err).HTTPStatus(), call.CauseOf(err), err.Error())
		return
	}
	if err := h.srv.hand(l); err != nil {
		l.end(call.CauseOf(err), reasonNone, err.Error(), false)
		failText(w, call.CauseOf(err).HTTPStatus(), call.CauseOf(err), err.Error())
		return
	}
	timer := time.NewTimer(h.srv.cfg.AnswerTimeout)
	defer timer.Stop()
	select {
	case <-l.settled:
	case <-timer.C:
		l.end(call.Timeout, reasonNone, "the far side did not answer in time", true)
		failText(w, http.StatusGatewayTimeout, call.Timeout, "no answer within "+h.srv.cfg.AnswerTimeout.String())
		return
	case <-r.Context().Done():
		l.end(call.RemoteHangup, reasonClientHangup, "the client went away before the answer", true)
		return
	}
	l.mu.Lock()
	answered, answer, lerr := l.state == stateAnswered, l.answerSDP, l.err
	l.mu.Unlock()
	if !answered {
		c := call.CauseOf(lerr)
		failText(w, c.HTTPStatus(), c, "")
		return
	}
	hd := w.Header()
	hd.Set("Location", "/"+h.name+"/resource/"+l.id)
	hd.Set("ETag", etag(l.ro.ufrag))
	hd.Set("Accept-Patch", mimeSDPFrag)
	for _, link := range linkHeaders(clientICEServers(h.srv.cfg.ICE.Servers, h.srv.now())) {
		hd.Add("Link", link)
	}
	hd.Set("Content-Type", mimeSDP)
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write([]byte(answer))
}

// checkDirections refuses a WHIP offer that sends nothing and a WHEP offer
// that receives nothing.
func (h *whipHandler) checkDirections(ro *remoteOffer) error {
	for _, s := range ro.offer.Streams {
		if s.Disabled {
			continue
		}
		if h.kind == kindWHIP && s.Direction.Sends() || h.kind == kindWHEP && s.Direction.Receives() {
			return nil
		}
	}
	if h.kind == kindWHIP {
		return fmt.Errorf("a WHIP offer must send audio or video with a codec this gateway carries")
	}
	return fmt.Errorf("a WHEP offer must receive audio or video with a codec this gateway carries")
}

func etag(ufrag string) string { return `"` + strings.ReplaceAll(ufrag, `"`, "") + `"` }

// session finds the leg of a resource URL.
func (h *whipHandler) session(w http.ResponseWriter, r *http.Request) (*leg, bool) {
	l, ok := h.srv.lookup(r.PathValue("id"))
	if !ok || l.kind != h.kind {
		failText(w, http.StatusNotFound, call.NotFound, "no such session (it may have ended)")
		return nil, false
	}
	return l, true
}

// patch takes trickled candidates. ICE restarts are not supported (422, as
// RFC 9725 asks of a session that trickles but does not restart).
func (h *whipHandler) patch(w http.ResponseWriter, r *http.Request) {
	cors(w)
	if !h.authorized(w, r) {
		return
	}
	l, ok := h.session(w, r)
	if !ok {
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != mimeSDPFrag {
		failText(w, http.StatusUnsupportedMediaType, call.BadRequest, "a PATCH must be "+mimeSDPFrag)
		return
	}
	if m := r.Header.Get("If-Match"); m != "" && m != "*" && m != etag(l.ro.ufrag) {
		failText(w, http.StatusPreconditionFailed, call.BadRequest, "the ICE session has changed")
		return
	}
	body, err := readBody(w, r)
	if err != nil {
		failText(w, http.StatusBadRequest, call.BadRequest, err.Error())
		return
	}
	frag, err := parseFragment(string(body))
	if err != nil {
		failText(w, http.StatusBadRequest, call.BadRequest, err.Error())
		return
	}
	if (frag.ufrag != "" && frag.ufrag != l.ro.ufrag) || r.Header.Get("If-Match") == "*" {
		failText(w, http.StatusUnprocessableEntity, call.BadRequest, "ICE restarts are not supported")
		return
	}
	for _, c := range frag.candidates {
		if err := l.addCandidate(c); err != nil {
			failText(w, http.StatusBadRequest, call.BadRequest, err.Error())
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *whipHandler) delete(w http.ResponseWriter, r *http.Request) {
	cors(w)
	if !h.authorized(w, r) {
		return
	}
	l, ok := h.session(w, r)
	if !ok {
		return
	}
	l.end(call.RemoteHangup, reasonClientHangup, "the client ended the session", true)
	w.WriteHeader(http.StatusOK)
}
