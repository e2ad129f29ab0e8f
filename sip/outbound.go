package sip

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/switchyard/switchyard/call"
)

// maxRedirects is how many 3xx hops an outbound call follows.
const maxRedirects = 3

// maxAuthAttempts is how many digest challenges an outbound call answers.
const maxAuthAttempts = 2

// dial places an outbound leg.
func (s *Server) dial(ctx context.Context, t call.Target, offer call.Offer, progress func(call.Event)) (*Leg, error) {
	if t.Protocol != call.ProtocolSIP && t.Protocol != call.ProtocolUnknown {
		return nil, &call.Error{Cause: call.BadRequest, Detail: fmt.Sprintf("sip dialer cannot place a %s call", t.Protocol)}
	}
	select {
	case <-s.ready:
	default:
		return nil, &call.Error{Cause: call.Unavailable, Detail: "sip server is not running"}
	}
	if !s.accepting() {
		return nil, &call.Error{Cause: call.Unavailable, Detail: "sip server is shutting down"}
	}
	cfg := s.config()
	var trunk *Trunk
	if tr, ok := cfg.Trunk(t.Trunk); ok {
		trunk = &tr
	}
	aor := ""
	if t.ToRegistered {
		// Deliver to the contact registered for the address of record.
		contact, ok := s.Contact(t.URI)
		if !ok {
			return nil, &call.Error{Cause: call.NotFound, Detail: t.URI + " is not registered"}
		}
		aor = t.URI
		t.URI, t.Host, t.Port = contact, "", 0
	}
	dst, err := resolveTarget(t, trunk)
	if err != nil {
		return nil, err
	}
	host := s.advertisedHost(dst.dest, trunk)
	pol := legPolicy{
		srtp:     effectiveSRTP(t.SRTP, trunk),
		dtmf:     t.DTMF,
		compact:  cfg.CompactHeaders,
		host:     host,
		external: s.externalIP(trunk),
	}
	if len(t.Codecs) > 0 {
		pol.allow = append(pol.allow, t.Codecs)
	}
	if trunk != nil {
		pol.compact = trunk.CompactHeaders || cfg.CompactHeaders
		pol.trim = trunk.TrimSDP
		if len(trunk.Codecs) > 0 {
			pol.allow = append(pol.allow, trunk.Codecs)
		}
	}
	// A before-call trunk registers first, and unregisters when the call ends.
	unregister, err := s.registerForCall(ctx, t.Trunk)
	if err != nil {
		return nil, errorCause(call.DialOutFailed, "register to trunk "+t.Trunk, err)
	}
	l := newLeg(s, call.Outbound, dst.uri.String(), pol)
	l.onEnd = unregister
	d := &l.dlg
	d.callID = randomToken(24)
	d.localTag = randomToken(16)
	d.local = callerURI(t, trunk, cfg, host)
	d.localName = t.CallerName
	to := *dst.uri.Clone()
	if aor != "" {
		if u, err := parseURI(aor); err == nil {
			if u.User == "" {
				// A bare user name: at the contact's host.
				u.User, u.Host, u.Port = u.Host, dst.uri.Host, dst.uri.Port
			}
			to = u
		}
	}
	to.UriParams, to.Headers = nil, nil
	d.remote = to
	d.target = *dst.uri.Clone()
	d.transport = dst.transport
	if dst.proxy != nil {
		d.routes = []sip.Uri{*dst.proxy}
	} else {
		d.dest = dst.dest
	}
	d.localSeq = uint32(time.Now().UnixNano()%10000) + 1
	l.log.Info("sip outbound call", "call_id", d.callID, "to", dst.String(), "trunk", t.Trunk)

	var body []byte
	if !offer.Empty() {
		decs, err := planOffer(offer, offerPolicy{
			Allow:      pol.allow,
			RFC4733:    t.DTMF == call.DTMFRFC4733,
			AudioOnly:  t.AudioOnly,
			Content:    t.Content,
			FECC:       t.FECC,
			MaxBitrate: t.MaxBitrateIn,
		})
		if err == nil {
			l.mediaMu.Lock()
			body, err = l.installOffer(decs, pol.srtp)
			l.mediaMu.Unlock()
		}
		if err != nil {
			l.end(call.CauseOf(err), err.Error(), false)
			return nil, err
		}
	}
	res, req, err := l.invite(ctx, body, trunk, progress)
	if err != nil {
		return nil, err
	}
	if err := l.established(req, res, body == nil); err != nil {
		return nil, err
	}
	for i := 0; i < len(t.DTMFAfterAnswer); i++ {
		if d := t.DTMFAfterAnswer[i]; call.ValidDTMF(d) {
			_ = l.Send(ctx, call.Event{Kind: call.EventDTMF, Digit: d, Duration: defaultDTMFDuration})
		}
	}
	return &Leg{l}, nil
}

// invite sends the INVITE and follows redirects, digest challenges and 422
// until a 2xx, a failure, the invite timeout or ctx. On failure the leg
// has ended with the failure's cause.
func (l *leg) invite(ctx context.Context, body []byte, trunk *Trunk, progress func(call.Event)) (*sip.Response, *sip.Request, error) {
	cfg := l.srv.config()
	timeout := time.NewTimer(cfg.InviteTimeout)
	defer timeout.Stop()
	minSE, hops, auths := 0, 0, 0
	req := l.newInvite(body, minSE)
	l.srv.prepareRequest(req, l.pol.host, l.pol.compact)
	tx, err := l.srv.transact(ctx, req)
	for {
		if err != nil {
			var ce *call.Error
			if !errors.As(err, &ce) {
				ce = transactionError("send INVITE", err)
			}
			l.end(ce.Cause, ce.Detail, false)
			return nil, nil, ce
		}
		res, err := l.await(ctx, tx, req, timeout.C, progress)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case res.IsSuccess():
			return res, req, nil
		case res.IsRedirection() && hops < maxRedirects && res.Contact() != nil:
			hops++
			l.dlg.mu.Lock()
			l.dlg.target = *res.Contact().Address.Clone()
			if len(l.dlg.routes) == 0 {
				l.dlg.dest = hostPort(l.dlg.target, l.dlg.transport)
			}
			l.dlg.mu.Unlock()
			l.log.Info("sip call redirected", "to", res.Contact().Address.String(), "status", res.StatusCode)
			req = l.newInvite(body, minSE)
			l.srv.prepareRequest(req, l.pol.host, l.pol.compact)
			tx, err = l.srv.transact(ctx, req)
		case (res.StatusCode == sip.StatusUnauthorized || res.StatusCode == sip.StatusProxyAuthRequired) &&
			trunk != nil && trunk.Password != "" && auths < maxAuthAttempts:
			auths++
			tx, err = l.authenticate(ctx, req, res, trunk)
		case res.StatusCode == 422 && minSE == 0:
			minSE, _ = intHeader(res, "Min-SE")
			if minSE <= 0 {
				minSE = 90
			}
			req = l.newInvite(body, minSE)
			l.srv.prepareRequest(req, l.pol.host, l.pol.compact)
			tx, err = l.srv.transact(ctx, req)
		default:
			ce := responseError(res)
			l.end(ce.Cause, ce.Detail, false)
			return nil, nil, ce
		}
	}
}

// newInvite builds the INVITE of the dialog's current target.
func (l *leg) newInvite(body []byte, minSE int) *sip.Request {
	req := l.dlg.newRequest(sip.INVITE)
	req.AppendHeader(l.ourContact())
	req.AppendHeader(sip.NewHeader("Allow", l.srv.allow()))
	if l.srv.config().SessionTimer.Enabled {
		req.AppendHeader(sip.NewHeader("Supported", "timer"))
		for _, h := range l.srv.uacTimerHeaders(minSE) {
			req.AppendHeader(h)
		}
	}
	if body != nil {
		req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		req.SetBody(body)
	}
	return req
}

// authenticate answers a 401/407 with the trunk's credentials (digest with
// MD5 or SHA-256) and sends the INVITE again in a new transaction, prepared
// like every request (new Via branch, CSeq one higher).
func (l *leg) authenticate(ctx context.Context, req *sip.Request, res *sip.Response, trunk *Trunk) (sip.ClientTransaction, error) {
	if err := authorizeRequest(req, res, trunk.AuthUser(), trunk.Password); err != nil {
		ce := responseError(res)
		ce.Detail += ": " + err.Error()
		return nil, ce
	}
	if cs := req.CSeq(); cs != nil {
		l.dlg.mu.Lock()
		if cs.SeqNo > l.dlg.localSeq {
			l.dlg.localSeq = cs.SeqNo
		}
		l.dlg.mu.Unlock()
	}
	l.srv.prepareRequest(req, l.pol.host, l.pol.compact)
	return l.srv.transact(ctx, req)
}

// await reads responses of the INVITE transaction until a final one.
// Provisional responses report progress; a 183 with SDP opens early media.
// When the invite timeout fires or ctx ends, the INVITE is cancelled and
// the leg ended.
func (l *leg) await(ctx context.Context, tx sip.ClientTransaction, req *sip.Request, timeout <-chan time.Time, progress func(call.Event)) (*sip.Response, error) {
	provisional := false
	for {
		select {
		case res := <-tx.Responses():
			if res.IsProvisional() {
				if res.StatusCode > 100 {
					provisional = true
					l.onProvisional(res, progress)
				}
				continue
			}
			if res.IsSuccess() {
				// Retransmissions of the 2xx now reach onStrayResponse,
				// which repeats our ACK. A failure's transaction lives on to
				// ACK retransmitted responses itself.
				tx.Terminate()
			}
			return res, nil
		case <-tx.Done():
			ce := transactionError("INVITE", tx.Err())
			l.end(ce.Cause, ce.Detail, false)
			return nil, ce
		case <-timeout:
			ce := &call.Error{Cause: call.Timeout, Detail: "no answer within invite_timeout"}
			l.abandon(tx, req, provisional, ce)
			return nil, ce
		case <-ctx.Done():
			ce := &call.Error{Cause: call.LocalHangup, Detail: "call attempt cancelled", Err: ctx.Err()}
			l.abandon(tx, req, provisional, ce)
			return nil, ce
		}
	}
}

// onProvisional reports 180/183 and takes an early answer.
func (l *leg) onProvisional(res *sip.Response, progress func(call.Event)) {
	kind := call.EventRinging
	if res.StatusCode == sip.StatusSessionInProgress {
		kind = call.EventProgress
	}
	l.mediaMu.Lock()
	offered := len(l.lines) > 0
	l.mediaMu.Unlock()
	if hasSDP(res) && offered {
		if ans, err := parseSDP(res.Body()); err == nil {
			l.mediaMu.Lock()
			if err := l.applyRemoteAnswer(ans); err != nil {
				l.log.Info("sip early answer not usable", "error", err)
			}
			l.mediaMu.Unlock()
			kind = call.EventProgress
		}
	}
	if progress != nil {
		progress(call.Event{Kind: kind})
	}
}

// abandon gives up an INVITE: the leg ends now with the cause; in the
// background the INVITE is cancelled (once a provisional response allows
// it) and a late 2xx is acknowledged and hung up.
func (l *leg) abandon(tx sip.ClientTransaction, req *sip.Request, provisional bool, ce *call.Error) {
	l.end(ce.Cause, ce.Detail, false)
	l.srv.wg.Add(1)
	go func() {
		defer l.srv.wg.Done()
		defer tx.Terminate()
		cancelled := false
		sendCancel := func() {
			if cancelled {
				return
			}
			cancelled = true
			cancel := cancelRequest(req)
			l.srv.prepareRequest(cancel, l.pol.host, l.pol.compact)
			ctx, stop := context.WithTimeout(context.Background(), 32*time.Second)
			defer stop()
			go func() {
				select {
				case <-l.srv.stopping:
					stop()
				case <-ctx.Done():
				}
			}()
			if _, err := l.srv.do(ctx, cancel); err != nil {
				l.log.Debug("sip CANCEL failed", "error", err)
			}
		}
		if provisional {
			sendCancel()
		}
		giveUp := time.NewTimer(64 * sip.T1)
		defer giveUp.Stop()
		for {
			select {
			case res := <-tx.Responses():
				if res.IsProvisional() {
					if res.StatusCode > 100 {
						sendCancel()
					}
					continue
				}
				if res.IsSuccess() {
					// Too late: the callee answered. ACK and hang up.
					l.hangupLate(req, res, ce.Cause)
				}
				return
			case <-tx.Done():
				return
			case <-giveUp.C:
				return
			case <-l.srv.stopping:
				return
			}
		}
	}()
}

// hangupLate ACKs a 2xx that arrived after we gave up and sends BYE.
func (l *leg) hangupLate(req *sip.Request, res *sip.Response, cause call.Cause) {
	l.learnDialog(res)
	if err := l.sendAck(req.CSeq().SeqNo, nil); err != nil {
		l.log.Debug("sip ACK failed", "error", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	if err := l.bye(ctx, cause); err != nil {
		l.log.Debug("sip BYE failed", "error", err)
	}
}

// cancelRequest builds the CANCEL of an INVITE (RFC 3261 §9.1): same
// Request-URI, top Via, From, To, Call-ID and CSeq number.
func cancelRequest(inv *sip.Request) *sip.Request {
	req := sip.NewRequest(sip.CANCEL, *inv.Recipient.Clone())
	req.AppendHeader(sip.HeaderClone(inv.Via()))
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	req.AppendHeader(sip.HeaderClone(inv.From()))
	req.AppendHeader(sip.HeaderClone(inv.To()))
	req.AppendHeader(sip.HeaderClone(inv.CallID()))
	req.AppendHeader(&sip.CSeqHeader{SeqNo: inv.CSeq().SeqNo, MethodName: sip.CANCEL})
	for _, h := range inv.GetHeaders("Route") {
		req.AppendHeader(sip.HeaderClone(h))
	}
	req.SetTransport(inv.Transport())
	req.SetDestination(inv.Destination())
	req.Laddr = inv.Laddr
	return req
}

// learnDialog takes the far side's tag, target and route set from a 2xx.
func (l *leg) learnDialog(res *sip.Response) {
	d := &l.dlg
	d.mu.Lock()
	if to := res.To(); to != nil {
		d.remoteTag, _ = to.Params.Get("tag")
	}
	if c := res.Contact(); c != nil && c.Address.Host != "" {
		d.target = *c.Address.Clone()
	}
	rrs := res.GetHeaders("Record-Route")
	if len(rrs) > 0 {
		d.routes = d.routes[:0]
		for i := len(rrs) - 1; i >= 0; i-- {
			if rr, ok := rrs[i].(*sip.RecordRouteHeader); ok {
				d.routes = append(d.routes, *rr.Address.Clone())
			}
		}
		d.dest = ""
	} else if len(d.routes) == 0 {
		d.dest = ""
	}
	d.mu.Unlock()
}

// established completes an answered outbound call: dialog state, the
// answer (or, for our delayed offer, the offer in the 2xx and our answer in
// the ACK), the ACK, the session timer and the leg's goroutines.
func (l *leg) established(req *sip.Request, res *sip.Response, delayed bool) error {
	l.learnDialog(res)
	l.srv.remember(l.dlg.key(), l)
	l.state.Store(stateAnswered)
	seq := req.CSeq().SeqNo
	var ackBody []byte
	var err error
	switch {
	case !hasSDP(res):
		if delayed {
			err = &call.Error{Cause: call.BadRequest, Detail: "delayed offer: the 2xx carried no SDP offer"}
		} else if len(l.lines) == 0 || !l.hasAnswer() {
			err = &call.Error{Cause: call.BadRequest, Detail: "the 2xx carried no SDP answer"}
		}
	case delayed:
		var remote *sessionDesc
		remote, err = parseSDP(res.Body())
		if err == nil {
			var decs []lineDecision
			decs, err = planAnswerOwn(remote, l.pol.srtp, l.pol.allow...)
			if err == nil {
				l.mediaMu.Lock()
				ackBody, err = l.installAnswer(remote, decs)
				l.mediaMu.Unlock()
			}
		}
	default:
		var ans *sessionDesc
		ans, err = parseSDP(res.Body())
		if err == nil {
			l.mediaMu.Lock()
			err = l.applyRemoteAnswer(ans)
			l.mediaMu.Unlock()
		}
	}
	if aerr := l.sendAck(seq, ackBody); aerr != nil && err == nil {
		err = errorCause(call.DialOutFailed, "send ACK", aerr)
	}
	if err != nil {
		cause := call.CauseOf(err)
		l.terminate(cause, "answer unusable: "+err.Error(), false)
		var ce *call.Error
		if errors.As(err, &ce) {
			return ce
		}
		return &call.Error{Cause: cause, Detail: "answer unusable", Err: err}
	}
	l.mediaMu.Lock()
	l.farHold = l.farOnHold()
	l.mediaMu.Unlock()
	l.setConfirmed()
	l.applyUACTimer(req, res)
	l.start()
	l.log.Info("sip outbound call answered", "streams", len(l.Streams()))
	return nil
}

// hasAnswer reports whether an early answer already set up the media.
func (l *leg) hasAnswer() bool {
	l.mediaMu.Lock()
	defer l.mediaMu.Unlock()
	for _, ln := range l.lines {
		if ln.dec.Accept && ln.remote.Port > 0 {
			return true
		}
	}
	return false
}
