package sip

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/switchyard/switchyard/call"
)

// InboundLeg is a call a SIP peer placed to the gateway (call.InboundLeg).
type InboundLeg struct {
	Leg
	in *inbound
}

// inbound is what an inbound leg keeps until it is answered.
type inbound struct {
	req      *sip.Request // the INVITE, with our To tag
	tx       sip.ServerTransaction
	incoming call.Incoming
	remote   *sessionDesc // the caller's offer; nil for a delayed offer
	offer    call.Offer
	timer    uasTimer

	mu      sync.Mutex
	final   bool
	finalCh chan struct{}
}

var errAnswered = errors.New("sip: the call was already answered or refused")

// newInbound builds an inbound leg from an INVITE, or says how to refuse it.
func (s *Server) newInbound(req *sip.Request, tx sip.ServerTransaction) (*InboundLeg, statusReply, error) {
	bad := statusReply{status: sip.StatusBadRequest, reason: "Bad Request"}
	from, to, cid, cseq, contact := req.From(), req.To(), req.CallID(), req.CSeq(), req.Contact()
	if from == nil || to == nil || cid == nil || cseq == nil {
		return nil, bad, errors.New("INVITE lacks From, To, Call-ID or CSeq")
	}
	if contact == nil || contact.Address.Host == "" {
		return nil, bad, errors.New("INVITE lacks a Contact")
	}
	fromTag, _ := from.Params.Get("tag")
	if unsupported := unsupportedRequired(req); unsupported != "" {
		return nil, statusReply{status: sip.StatusBadExtension, reason: "Bad Extension",
			headers: []sip.Header{sip.NewHeader("Unsupported", unsupported)}}, fmt.Errorf("requires %s", unsupported)
	}
	var remote *sessionDesc
	if len(req.Body()) > 0 {
		if !hasSDP(req) {
			return nil, statusReply{status: sip.StatusUnsupportedMediaType, reason: "Unsupported Media Type",
				headers: []sip.Header{sip.NewHeader("Accept", "application/sdp")}}, errors.New("INVITE body is not SDP")
		}
		d, err := parseSDP(req.Body())
		if err != nil {
			return nil, bad, err
		}
		remote = d
	}
	ut, reject := s.negotiateUAS(req)
	if reject != nil {
		return nil, *reject, errors.New("session interval too small")
	}

	cfg := s.config()
	source := parseAddrPort(req.Source())
	trunk := s.trunkFor(source.Addr())
	pol := legPolicy{inbound: true, srtp: call.SRTPBestEffort, dtmf: call.DTMFRFC4733, compact: cfg.CompactHeaders}
	if trunk != nil {
		pol.compact, pol.trim = trunk.CompactHeaders || cfg.CompactHeaders, trunk.TrimSDP
		if len(trunk.Codecs) > 0 {
			pol.allow = [][]string{trunk.Codecs}
		}
		switch trunk.SRTP {
		case SRTPRequired:
			pol.srtp = call.SRTPRequired
		case SRTPBestEffort:
		default:
			pol.srtp = call.SRTPOff
		}
	}
	pol.host = s.advertisedHost(req.Source(), trunk)
	pol.external = s.externalIP(trunk)

	l := newLeg(s, call.Inbound, from.Address.Addr(), pol)
	localTag := randomToken(16)
	inv := req.Clone()
	inv.To().Params.Add("tag", localTag)
	transport := transportName(req.Transport())
	d := &l.dlg
	d.callID = cid.Value()
	d.localTag, d.remoteTag = localTag, fromTag
	d.local, d.localName = *to.Address.Clone(), to.DisplayName
	d.remote, d.remoteName = *from.Address.Clone(), from.DisplayName
	d.target = *contact.Address.Clone()
	for _, h := range req.GetHeaders("Record-Route") {
		if rr, ok := h.(*sip.RecordRouteHeader); ok {
			d.routes = append(d.routes, *rr.Address.Clone())
		}
	}
	d.remoteSeq = cseq.SeqNo
	d.localSeq = uint32(1 + time.Now().UnixNano()%10000)
	d.transport = transport
	if sip.IsReliable(transport) {
		d.dest = req.Source()
	}

	in := &inbound{req: inv, tx: tx, remote: remote, timer: ut, finalCh: make(chan struct{})}
	if remote != nil {
		in.offer = remote.offer()
	}
	in.incoming = call.Incoming{
		Protocol:   call.ProtocolSIP,
		Source:     source,
		Caller:     from.Address.Addr(),
		CallerName: from.DisplayName,
		Dialed:     req.Recipient.String(),
		Registered: s.isRegisteredSource(from.Address.Addr(), source),
		CallID:     cid.Value(),
	}
	if trunk != nil {
		in.incoming.Trunk = trunk.Name
	}
	il := &InboundLeg{Leg: Leg{l}, in: in}
	l.early = il.rejectEarly
	s.remember(dialogKey(d.callID, d.localTag, d.remoteTag), l)
	if !tx.OnCancel(func(*sip.Request) { il.cancelled() }) {
		l.end(call.LocalHangup, "INVITE transaction ended before the call was offered", false)
		return nil, bad, errors.New("INVITE transaction already ended")
	}
	tx.OnTerminate(func(string, error) { il.txEnded() })
	l.log.Info("sip inbound call", "call_id", d.callID, "from", in.incoming.Caller, "to", in.incoming.Dialed,
		"source", req.Source(), "trunk", in.incoming.Trunk, "delayed_offer", remote == nil)
	return il, statusReply{}, nil
}

// unsupportedRequired lists the Require options we do not support.
func unsupportedRequired(req *sip.Request) string {
	var out []string
	for _, h := range req.GetHeaders("Require") {
		for opt := range strings.SplitSeq(h.Value(), ",") {
			opt = strings.TrimSpace(opt)
			if opt != "" && !strings.EqualFold(opt, "timer") {
				out = append(out, opt)
			}
		}
	}
	return strings.Join(out, ", ")
}

// trunkFor names the configured trunk whose host is (or resolves to) ip.
func (s *Server) trunkFor(ip netip.Addr) *Trunk {
	if !ip.IsValid() {
		return nil
	}
	cfg := s.config()
	for i := range cfg.Trunks {
		t := &cfg.Trunks[i]
		if t.Host == "" {
			continue
		}
		if a, err := netip.ParseAddr(t.Host); err == nil {
			if a.Unmap() == ip {
				tc := *t
				return &tc
			}
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", t.Host)
		cancel()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if a.Unmap() == ip {
				tc := *t
				return &tc
			}
		}
	}
	return nil
}

// Incoming describes the call.
func (il *InboundLeg) Incoming() call.Incoming { return il.in.incoming }

// Offer is the caller's offer; empty for a delayed offer.
func (il *InboundLeg) Offer() call.Offer { return il.in.offer }

// waitFinal blocks until the INVITE has its final response or the leg
// ended. A call that nobody answers or refuses within the invite timeout
// plus a grace period is refused with no_answer.
func (il *InboundLeg) waitFinal() {
	limit := il.leg.srv.config().InviteTimeout + 30*time.Second
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-il.in.finalCh:
	case <-il.leg.ctx.Done():
	case <-t.C:
		il.leg.log.Warn("sip inbound call neither answered nor refused in time", "limit", limit.String())
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = il.Reject(ctx, call.NoAnswer)
	}
}

// markFinal records that a final response is being sent; false when one was.
func (il *InboundLeg) markFinal() bool {
	il.in.mu.Lock()
	defer il.in.mu.Unlock()
	if il.in.final {
		return false
	}
	il.in.final = true
	return true
}

func (il *InboundLeg) closeFinal() {
	il.in.mu.Lock()
	defer il.in.mu.Unlock()
	select {
	case <-il.in.finalCh:
	default:
		close(il.in.finalCh)
	}
}

func (il *InboundLeg) isFinal() bool {
	il.in.mu.Lock()
	defer il.in.mu.Unlock()
	return il.in.final
}

// cancelled runs when the caller sends CANCEL (the transaction answers 487).
func (il *InboundLeg) cancelled() {
	if !il.markFinal() {
		return
	}
	il.closeFinal()
	il.leg.end(call.LocalHangup, "the caller cancelled the call", true)
}

// txEnded runs when the INVITE transaction ends. Before a final response
// that means it failed (transport error).
func (il *InboundLeg) txEnded() {
	if il.isFinal() {
		return
	}
	il.in.mu.Lock()
	il.in.final = true
	il.in.mu.Unlock()
	il.closeFinal()
	il.leg.end(call.LocalHangup, "the INVITE transaction ended before an answer", true)
}

// provisional sends a 1xx with our To tag.
func (il *InboundLeg) provisional(code int, reason string, body []byte) error {
	if il.leg.ended() {
		return errLegEnded
	}
	if il.isFinal() {
		return errAnswered
	}
	res := sip.NewResponseFromRequest(il.in.req, code, reason, body)
	if body != nil {
		res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	}
	res.AppendHeader(il.leg.ourContact())
	il.leg.srv.decorate(&res.MessageData, il.leg.pol.compact)
	if err := il.in.tx.Respond(res); err != nil {
		return fmt.Errorf("sip %d: %w", code, err)
	}
	return nil
}

// Ring sends 180 Ringing.
func (il *InboundLeg) Ring(ctx context.Context) error {
	return il.provisional(sip.StatusRinging, "Ringing", nil)
}

// Progress sends 183 Session Progress with our answer, opening early media.
// Without streams, or for a delayed offer, the 183 carries no SDP (an offer
// in an unreliable provisional response would need PRACK).
func (il *InboundLeg) Progress(ctx context.Context, streams []call.Stream) error {
	if il.in.remote == nil || len(streams) == 0 {
		return il.provisional(sip.StatusSessionInProgress, "Session Progress", nil)
	}
	l := il.leg
	decs, err := planAnswer(il.in.remote, streams, l.pol.srtp)
	if err != nil {
		return err
	}
	l.mediaMu.Lock()
	body, err := l.installAnswer(il.in.remote, decs)
	l.mediaMu.Unlock()
	if err != nil {
		return err
	}
	return il.provisional(sip.StatusSessionInProgress, "Session Progress", body)
}

// Accept answers 200 OK with the negotiated streams and waits for the ACK.
// For a delayed offer the 200 carries our offer made of streams and the
// ACK the caller's answer.
func (il *InboundLeg) Accept(ctx context.Context, streams []call.Stream) error {
	l := il.leg
	if l.ended() {
		return errLegEnded
	}
	if il.isFinal() {
		return errAnswered
	}
	var body []byte
	var err error
	l.mediaMu.Lock()
	if il.in.remote != nil {
		var decs []lineDecision
		decs, err = planAnswer(il.in.remote, streams, l.pol.srtp)
		if err == nil {
			body, err = l.installAnswer(il.in.remote, decs)
		}
	} else {
		var decs []lineDecision
		decs, err = planOffer(offerOf(streams), offerPolicy{Allow: l.pol.allow, RFC4733: true, Content: true})
		if err == nil {
			body, err = l.installOffer(decs, call.SRTPOff)
		}
	}
	l.mediaMu.Unlock()
	if err != nil {
		cause := call.CauseOf(err)
		if cause == call.Internal || cause == call.CauseNone {
			cause = call.CodecMismatch
		}
		_ = il.Reject(ctx, cause)
		return err
	}
	if !il.markFinal() {
		return errAnswered
	}
	hdrs := []sip.Header{l.ourContact()}
	hdrs = append(hdrs, il.in.timer.headers...)
	hdrs = append(hdrs, l.srv.capabilityHeaders()...)
	res := l.response(il.in.req, sip.StatusOK, "OK", body, hdrs)
	l.state.Store(stateAnswered)
	reliable := sip.IsReliable(il.in.req.Transport())
	// The INVITE handler returns once the 2xx is on its way.
	ack, ackErr := l.respond2xx(ctx, il.in.tx, res, reliable, il.closeFinal)
	if ackErr != nil {
		if errors.Is(ackErr, errLegEnded) {
			return ackErr
		}
		l.terminate(call.Timeout, "no ACK to our 200 OK", true)
		return &call.Error{Cause: call.Timeout, Detail: "no ACK to our 200 OK", Err: ackErr}
	}
	if il.in.remote == nil {
		if len(ack.Body()) == 0 {
			l.terminate(call.BadRequest, "delayed offer: the ACK has no answer", true)
			return &call.Error{Cause: call.BadRequest, Detail: "delayed offer: the ACK carried no SDP answer"}
		}
		ans, err := parseSDP(ack.Body())
		if err == nil {
			l.mediaMu.Lock()
			err = l.applyRemoteAnswer(ans)
			l.farHold = l.farOnHold()
			l.mediaMu.Unlock()
		}
		if err != nil {
			l.terminate(call.CodecMismatch, "delayed offer: unusable answer in ACK: "+err.Error(), true)
			return errorCause(call.CodecMismatch, "answer in ACK", err)
		}
	}
	l.setConfirmed()
	l.applyUASTimer(il.in.req, il.in.timer)
	l.start()
	l.log.Info("sip inbound call answered", "streams", len(l.Streams()))
	return nil
}

// offerOf turns negotiated streams into an offer of exactly those codecs.
func offerOf(streams []call.Stream) call.Offer {
	var o call.Offer
	for _, s := range streams {
		o.Streams = append(o.Streams, call.StreamOffer{ID: s.ID, Role: s.Role, Direction: s.Direction,
			Codecs: []call.Codec{s.Codec}, MaxBitrate: s.MaxBitrate})
	}
	return o
}

// Reject refuses the call with the cause's status and a Reason header.
func (il *InboundLeg) Reject(ctx context.Context, cause call.Cause) error {
	l := il.leg
	if !il.markFinal() {
		return errAnswered
	}
	defer il.closeFinal()
	code, reason := rejectStatus(cause)
	res := sip.NewResponseFromRequest(il.in.req, code, reason, nil)
	res.AppendHeader(reasonHeader(cause, code))
	if code == sip.StatusServiceUnavailable {
		res.AppendHeader(sip.NewHeader("Retry-After", "30"))
	}
	l.srv.decorate(&res.MessageData, l.pol.compact)
	err := il.in.tx.Respond(res)
	l.end(cause, "refused with "+fmt.Sprint(code), false)
	if err != nil {
		return fmt.Errorf("sip %d: %w", code, err)
	}
	return nil
}

// rejectEarly is Hangup before the call is answered.
func (il *InboundLeg) rejectEarly(ctx context.Context, cause call.Cause) error {
	err := il.Reject(ctx, cause)
	if errors.Is(err, errAnswered) {
		return nil
	}
	return err
}
