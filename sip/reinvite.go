package sip

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/switchyard/switchyard/call"
)

// This file handles mid-call offers: re-INVITE and UPDATE from the far side,
// and the re-INVITEs we send (Renegotiate, hold, session refresh).

// onReinvite answers a re-INVITE.
func (l *leg) onReinvite(req *sip.Request, tx sip.ServerTransaction) {
	if !l.beginAnswer(req, tx) {
		return
	}
	defer l.answering.Store(false)
	ut, reject := l.srv.negotiateUAS(req)
	if reject != nil {
		l.respond(req, tx, reject.status, reject.reason, nil, "", reject.headers...)
		return
	}
	l.dlg.updateTarget(req.Contact())
	reliable := sip.IsReliable(req.Transport())
	hdrs := append([]sip.Header{l.ourContact()}, ut.headers...)
	hdrs = append(hdrs, l.srv.capabilityHeaders()...)

	if !hasSDP(req) {
		// An offerless re-INVITE: we offer our current session, the answer
		// comes in the ACK.
		l.mediaMu.Lock()
		body := l.renderSDP()
		l.mediaMu.Unlock()
		res := l.response(req, sip.StatusOK, "OK", body, hdrs)
		ack, err := l.respond2xx(l.ctx, tx, res, reliable, nil)
		if err != nil {
			l.log.Info("sip re-INVITE not acknowledged", "error", err)
			return
		}
		l.applyUASTimer(req, ut)
		if len(ack.Body()) > 0 {
			l.takeAnswerInAck(ack)
		}
		return
	}
	body, evs, status, err := l.answerReoffer(req.Body())
	if err != nil {
		l.log.Info("sip re-INVITE offer refused", "status", status, "error", err)
		l.respond(req, tx, status, reasonFor(status), nil, "")
		return
	}
	res := l.response(req, sip.StatusOK, "OK", body, hdrs)
	if _, err := l.respond2xx(l.ctx, tx, res, reliable, nil); err != nil {
		l.log.Info("sip re-INVITE not acknowledged", "error", err)
	}
	l.applyUASTimer(req, ut)
	for _, ev := range evs {
		l.emit(ev)
	}
}

// onUpdate answers an UPDATE: a session refresh, or an offer.
func (l *leg) onUpdate(req *sip.Request, tx sip.ServerTransaction) {
	if !l.beginAnswer(req, tx) {
		return
	}
	defer l.answering.Store(false)
	ut, reject := l.srv.negotiateUAS(req)
	if reject != nil {
		l.respond(req, tx, reject.status, reject.reason, nil, "", reject.headers...)
		return
	}
	l.dlg.updateTarget(req.Contact())
	hdrs := append([]sip.Header{l.ourContact()}, ut.headers...)
	if !hasSDP(req) {
		l.respond(req, tx, sip.StatusOK, "OK", nil, "", hdrs...)
		l.applyUASTimer(req, ut)
		return
	}
	body, evs, status, err := l.answerReoffer(req.Body())
	if err != nil {
		l.respond(req, tx, status, reasonFor(status), nil, "")
		return
	}
	l.respond(req, tx, sip.StatusOK, "OK", body, "application/sdp", hdrs...)
	l.applyUASTimer(req, ut)
	for _, ev := range evs {
		l.emit(ev)
	}
}

// beginAnswer checks an incoming target refresh request: the dialog must be
// up, its CSeq new, and no offer of ours or of theirs outstanding (491, 500
// with Retry-After, RFC 3261 §14.2).
func (l *leg) beginAnswer(req *sip.Request, tx sip.ServerTransaction) bool {
	if l.ended() || l.state.Load() == stateEarly {
		l.respond(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil, "")
		return false
	}
	if cs := req.CSeq(); cs == nil || !l.dlg.acceptRemoteSeq(cs.SeqNo) {
		l.respond(req, tx, sip.StatusInternalServerError, "CSeq Out Of Order", nil, "")
		return false
	}
	if l.offering.Load() {
		l.respond(req, tx, sip.StatusRequestPending, "Request Pending", nil, "")
		return false
	}
	if !l.answering.CompareAndSwap(false, true) {
		l.respond(req, tx, sip.StatusInternalServerError, "Server Internal Error", nil, "",
			sip.NewHeader("Retry-After", fmt.Sprint(rand.IntN(10))))
		return false
	}
	return true
}

// response builds a response to an in-dialog request with an SDP body.
func (l *leg) response(req *sip.Request, code int, reason string, body []byte, hdrs []sip.Header) *sip.Response {
	res := sip.NewResponseFromRequest(req, code, reason, body)
	if body != nil {
		res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	}
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	l.srv.decorate(&res.MessageData, l.pol.compact)
	return res
}

func reasonFor(status int) string {
	switch status {
	case sip.StatusBadRequest:
		return "Bad Request"
	case sip.StatusNotAcceptableHere:
		return "Not Acceptable Here"
	case sip.StatusServiceUnavailable:
		return "Service Unavailable"
	}
	return "Server Internal Error"
}

func hasSDP(m interface {
	Body() []byte
	ContentType() *sip.ContentTypeHeader
}) bool {
	if len(m.Body()) == 0 {
		return false
	}
	ct := m.ContentType()
	return ct == nil || strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct.Value())), "application/sdp")
}

// answerReoffer answers a mid-call offer: lines keep their codec when it is
// still offered; a new or changed line takes the first allowed codec. It
// returns our answer and the events the change means (hold, resume,
// media-change), or a SIP status for the refusal.
func (l *leg) answerReoffer(body []byte) ([]byte, []call.Event, int, error) {
	remote, err := parseSDP(body)
	if err != nil {
		return nil, nil, sip.StatusBadRequest, err
	}
	l.mediaMu.Lock()
	defer l.mediaMu.Unlock()
	if len(remote.Media) < len(l.lines) {
		return nil, nil, sip.StatusNotAcceptableHere, errors.New("a new offer must keep every m-line")
	}
	want := call.SendRecv
	if l.localHold {
		want = call.SendOnly
	}
	streams := make([]call.Stream, 0, len(remote.Media))
	for i := range remote.Media {
		m := &remote.Media[i]
		if m.Disabled() || !m.Carried {
			continue
		}
		s := call.Stream{ID: m.ID, Role: m.Role, Direction: want.Reverse()}
		var old *mediaLine
		if i < len(l.lines) && l.lines[i].dec.Accept {
			old = l.lines[i]
		}
		if old != nil {
			if c, ok := matchCodec(m.Codecs, old.dec.Stream.Codec); ok {
				s.Codec, s.MaxBitrate = c, old.dec.Stream.MaxBitrate
			}
		}
		if s.Codec.Name == "" {
			cs := filterCodecs(m.Codecs, l.pol.allow...)
			if len(cs) == 0 {
				continue
			}
			s.Codec = cs[0]
		}
		streams = append(streams, s)
	}
	decs, err := planAnswer(remote, streams, l.pol.srtp)
	if err != nil {
		return nil, nil, sip.StatusNotAcceptableHere, err
	}
	// Keep the stream IDs the bridge knows.
	changed, redirected := false, false
	for i := range decs {
		var old lineDecision
		if i < len(l.lines) {
			old = l.lines[i].dec
		}
		if decs[i].Accept && old.Accept {
			decs[i].Stream.ID = old.Stream.ID
			decs[i].LocalCrypto = old.LocalCrypto
		} else if decs[i].Accept {
			decs[i].Stream.ID = l.uniqueID(decs[i].Stream.ID, i)
		}
		if decs[i].Accept != old.Accept ||
			decs[i].Accept && (decs[i].Stream.Codec.PayloadType != old.Stream.Codec.PayloadType ||
				!decs[i].Stream.Codec.SameFormat(old.Stream.Codec)) {
			changed = true
		}
		if decs[i].Accept && old.Accept && decs[i].Stream.Direction != old.Stream.Direction {
			redirected = true
		}
	}
	wasHeld := l.farHold
	answer, err := l.installAnswer(remote, decs)
	if err != nil {
		return nil, nil, sip.StatusServiceUnavailable, err
	}
	l.farHold = l.farOnHold()
	var evs []call.Event
	switch {
	case l.farHold && !wasHeld:
		evs = append(evs, call.Event{Kind: call.EventHold})
	case !l.farHold && wasHeld:
		evs = append(evs, call.Event{Kind: call.EventResume})
	case redirected:
		// A direction change that is not hold or resume.
		changed = true
	}
	if changed {
		evs = append(evs, call.Event{Kind: call.EventMediaChange})
	}
	return answer, evs, 0, nil
}

// takeAnswerInAck applies an answer that came in an ACK (offerless
// re-INVITE or INVITE).
func (l *leg) takeAnswerInAck(ack *sip.Request) {
	ans, err := parseSDP(ack.Body())
	if err != nil {
		l.log.Info("sip answer in ACK unreadable", "error", err)
		return
	}
	l.mediaMu.Lock()
	wasHeld := l.farHold
	err = l.applyRemoteAnswer(ans)
	l.farHold = l.farOnHold()
	held := l.farHold
	l.mediaMu.Unlock()
	if err != nil {
		l.log.Info("sip answer in ACK refused", "error", err)
		return
	}
	switch {
	case held && !wasHeld:
		l.emit(call.Event{Kind: call.EventHold})
	case !held && wasHeld:
		l.emit(call.Event{Kind: call.EventResume})
	}
}

// reinvite sends a re-INVITE carrying body and ACKs a 2xx. It returns the
// request and its final response.
func (l *leg) reinvite(ctx context.Context, body []byte, hdrs []sip.Header) (*sip.Request, *sip.Response, error) {
	req := l.dlg.newRequest(sip.INVITE)
	req.AppendHeader(l.ourContact())
	req.AppendHeader(sip.NewHeader("Allow", l.srv.allow()))
	for _, h := range hdrs {
		req.AppendHeader(h)
	}
	if body != nil {
		req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		req.SetBody(body)
	}
	seq := req.CSeq().SeqNo
	res, err := l.send(ctx, req)
	if err != nil {
		return req, nil, err
	}
	if res.IsSuccess() {
		l.dlg.updateTarget(res.Contact())
		if err := l.sendAck(seq, nil); err != nil {
			l.log.Info("sip ACK failed", "error", err)
		}
	}
	return req, res, nil
}

// Renegotiate sends a re-INVITE with a new offer made from offer and
// returns the streams the far side accepted. Streams keep their lines by
// ID (or role); a stream no longer offered is refused with port 0. A 491
// is retried once after the RFC 3261 §14.1 random wait. When the
// renegotiation fails the session stays as it was.
func (l *leg) Renegotiate(ctx context.Context, offer call.Offer) ([]call.Stream, error) {
	if l.ended() {
		return nil, errLegEnded
	}
	if l.state.Load() != stateConfirmed {
		return nil, errors.New("sip: the call is not established")
	}
	l.offerMu.Lock()
	defer l.offerMu.Unlock()
	for attempt := 0; ; attempt++ {
		streams, retry, err := l.renegotiateOnce(ctx, offer)
		if !retry || attempt > 0 {
			return streams, err
		}
		wait := time.Duration(rand.Int64N(int64(2 * time.Second)))
		if l.dir == call.Outbound {
			// We own the Call-ID: 2.1 to 4 s.
			wait = 2100*time.Millisecond + time.Duration(rand.Int64N(int64(1900*time.Millisecond)))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-l.ctx.Done():
			t.Stop()
			return nil, errLegEnded
		case <-t.C:
		}
	}
}

// renegotiateOnce makes one re-INVITE attempt; retry reports a 491.
func (l *leg) renegotiateOnce(ctx context.Context, offer call.Offer) ([]call.Stream, bool, error) {
	l.mediaMu.Lock()
	decs, err := l.planReofferLocked(offer)
	if err != nil {
		l.mediaMu.Unlock()
		return nil, false, err
	}
	snap := l.snapshotLocked()
	body, err := l.installOffer(decs, l.reofferSRTPLocked())
	if err != nil {
		l.restoreLocked(snap)
		l.mediaMu.Unlock()
		return nil, false, err
	}
	l.mediaMu.Unlock()

	interval, _, _, active := l.timer.snapshot()
	var hdrs []sip.Header
	if active {
		hdrs = append(hdrs, sip.NewHeader("Session-Expires", fmt.Sprintf("%d;refresher=uac", seconds(interval))),
			sip.NewHeader("Supported", "timer"))
	}
	// While our offer is outstanding, an offer from the far side is
	// answered 491.
	l.offering.Store(true)
	req, res, err := l.reinvite(ctx, body, hdrs)
	l.offering.Store(false)
	if err != nil {
		l.mediaMu.Lock()
		l.restoreLocked(snap)
		l.mediaMu.Unlock()
		return nil, false, transactionError("re-INVITE", err)
	}
	if !res.IsSuccess() {
		l.mediaMu.Lock()
		l.restoreLocked(snap)
		l.mediaMu.Unlock()
		switch res.StatusCode {
		case sip.StatusRequestPending:
			return nil, true, responseError(res)
		case sip.StatusCallTransactionDoesNotExists, sip.StatusRequestTimeout:
			l.terminate(call.FromSIPStatus(res.StatusCode), "re-INVITE answered "+res.StartLine(), true)
		}
		return nil, false, responseError(res)
	}
	ans, err := parseSDP(res.Body())
	if err == nil {
		l.mediaMu.Lock()
		err = l.applyRemoteAnswer(ans)
		l.farHold = l.farOnHold()
		l.mediaMu.Unlock()
	}
	if err != nil {
		l.terminate(call.CodecMismatch, "re-INVITE answer unusable: "+err.Error(), true)
		return nil, false, errorCause(call.CodecMismatch, "re-INVITE answer", err)
	}
	l.applyUACTimer(req, res)
	return l.Streams(), false, nil
}

// reofferSRTPLocked is the SRTP mode of a new offer: the session keeps the
// protection it has (SAVP stays required, keys on AVP stay best-effort,
// plain stays plain); a session with no media yet follows the leg's policy.
// Callers hold mediaMu.
func (l *leg) reofferSRTPLocked() call.SRTPMode {
	any := false
	for _, ln := range l.lines {
		if !ln.dec.Accept {
			continue
		}
		any = true
		if ln.keys != nil && ln.dec.RemoteCrypto != "" {
			if ln.local.Secure() {
				return call.SRTPRequired
			}
			return call.SRTPBestEffort
		}
	}
	if !any || l.pol.srtp == call.SRTPRequired {
		return l.pol.srtp
	}
	return call.SRTPOff
}

// planReofferLocked aligns a new offer with the existing lines: a stream
// keeps the line with its ID, else the first free line of its role; lines
// left over are refused; further streams are added at the end.
func (l *leg) planReofferLocked(offer call.Offer) ([]lineDecision, error) {
	fresh, err := planOffer(offer, offerPolicy{
		Allow:     l.pol.allow,
		RFC4733:   l.pol.inbound || l.pol.dtmf == call.DTMFRFC4733,
		Content:   true,
		AudioOnly: false,
	})
	if err != nil {
		return nil, err
	}
	decs := make([]lineDecision, len(l.lines))
	used := make([]bool, len(fresh))
	place := func(match func(i int, d lineDecision) bool) {
		for i := range l.lines {
			if decs[i].Accept {
				continue
			}
			for j, d := range fresh {
				if !used[j] && match(i, d) {
					decs[i], used[j] = d, true
					break
				}
			}
		}
	}
	place(func(i int, d lineDecision) bool {
		return l.lines[i].dec.Accept && l.lines[i].dec.Stream.ID == d.Stream.ID
	})
	place(func(i int, d lineDecision) bool {
		role := l.lines[i].dec.Stream.Role
		if !l.lines[i].dec.Accept {
			role = l.lines[i].local.Role
		}
		return role == d.Stream.Role && mediaName(role) == l.lines[i].local.Media
	})
	for i := range decs {
		if !decs[i].Accept {
			decs[i].Stream.Role = l.lines[i].local.Role
			continue
		}
		if l.lines[i].dec.Accept {
			decs[i].Stream.ID = l.lines[i].dec.Stream.ID
		}
	}
	for j, d := range fresh {
		if !used[j] {
			decs = append(decs, d)
		}
	}
	return decs, nil
}

// mediaSnapshot is the media state a failed renegotiation goes back to.
type mediaSnapshot struct {
	lines  []mediaLine
	origin sdpOrigin
	body   []byte
}

func (l *leg) snapshotLocked() mediaSnapshot {
	s := mediaSnapshot{origin: l.origin, body: l.lastBody}
	for _, ln := range l.lines {
		s.lines = append(s.lines, *ln)
	}
	return s
}

// restoreLocked puts back a snapshot; sessions opened since are closed.
func (l *leg) restoreLocked(s mediaSnapshot) {
	keep := map[*mediaLine]bool{}
	for _, ln := range l.lines {
		keep[ln] = false
	}
	var restored []*mediaLine
	for i := range s.lines {
		ln := s.lines[i]
		restored = append(restored, &ln)
	}
	for _, ln := range l.lines {
		inSnap := false
		for _, r := range restored {
			if r.sess == ln.sess && ln.sess != nil {
				inSnap = true
			}
		}
		if !inSnap && ln.sess != nil {
			_ = ln.sess.Close()
		}
	}
	l.lines, l.origin, l.lastBody = restored, s.origin, s.body
	for _, ln := range l.lines {
		if ln.track != nil {
			ln.track.setStream(ln.dec.Stream, ln.dec.Events)
		}
	}
}

// setLocalHold puts the far side on hold (we only send) or resumes it.
func (l *leg) setLocalHold(ctx context.Context, hold bool) error {
	l.mediaMu.Lock()
	if l.localHold == hold {
		l.mediaMu.Unlock()
		return nil
	}
	var offer call.Offer
	for _, ln := range l.lines {
		if !ln.dec.Accept {
			continue
		}
		dir := call.SendRecv
		if hold {
			dir = call.RecvOnly // the far side only receives
		}
		codecs := append([]call.Codec{}, ln.dec.Codecs...)
		codecs = append(codecs, ln.dec.Events...)
		offer.Streams = append(offer.Streams, call.StreamOffer{ID: ln.dec.Stream.ID, Role: ln.dec.Stream.Role,
			Direction: dir, Codecs: codecs, MaxBitrate: ln.dec.MaxBitrate})
	}
	l.localHold = hold
	l.mediaMu.Unlock()
	_, err := l.Renegotiate(ctx, offer)
	if err != nil {
		l.mediaMu.Lock()
		l.localHold = !hold
		l.mediaMu.Unlock()
	}
	return err
}
