package sip

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/rtpio"
)

// eventBuffer is how many events a leg queues for a slow reader before it
// drops new ones.
const eventBuffer = 128

// Leg states.
const (
	stateEarly     int32 = iota // no final answer yet
	stateAnswered               // 2xx sent or received, ACK not yet seen
	stateConfirmed              // ACK exchanged
	stateEnded
)

// legPolicy holds the media and signalling options that apply to a leg.
type legPolicy struct {
	srtp    call.SRTPMode
	dtmf    call.DTMFMode
	inbound bool // DTMF goes as RFC 4733 when negotiated, else INFO
	compact bool
	trim    bool
	allow   [][]string
	host    string // our advertised address for this leg
	// external is the configured external IP that applies, if any.
	external string
}

// mediaLine is one m-line of the session as this leg negotiated it.
type mediaLine struct {
	local  mediaDesc // our m-line, as last sent
	remote mediaDesc // theirs, as last received
	dec    lineDecision
	sess   *rtpio.Session
	track  *track
	// keys are our SRTP keys for this line, offered or answered.
	keys *rtpio.Keys
}

// Leg is a SIP leg: one dialog and its media. Inbound legs are returned by
// Server.Run's accept function as call.InboundLeg; outbound legs by the
// Dialer. Besides call.Leg it can renegotiate its media (Renegotiate).
type Leg struct{ *leg }

// leg holds what inbound and outbound legs share.
type leg struct {
	srv    *Server
	id     string
	dir    call.LegDirection
	remote string
	log    *slog.Logger
	pol    legPolicy

	ctx     context.Context // ends with the leg
	cancel  context.CancelFunc
	wg      sync.WaitGroup // the leg's goroutines
	goMu    sync.Mutex     // guards stopped and wg.Add against the final Wait
	stopped bool

	state atomic.Int32
	dlg   dialog

	evMu     sync.Mutex
	events   chan call.Event
	evClosed bool

	endOnce sync.Once
	done    chan struct{}
	errMu   sync.Mutex
	err     error

	// ackCh receives the ACK to our 2xx (initial INVITE or re-INVITE).
	ackCh chan *sip.Request
	// offerMu serializes offers we send; offering says one is outstanding
	// (an incoming offer meanwhile is answered 491).
	offerMu  sync.Mutex
	offering atomic.Bool
	// answering says an incoming re-INVITE or UPDATE is being handled.
	answering atomic.Bool

	mediaMu   sync.Mutex
	origin    sdpOrigin
	lines     []*mediaLine
	lastBody  []byte // our last session description
	farHold   bool   // the far side has put us on hold
	localHold bool   // we put the far side on hold
	infoPFU   bool   // the far side sent media_control INFO: it understands it

	ackMu   sync.Mutex
	lastAck *sip.Request // for re-sending on a retransmitted 2xx

	timer sessionTimer
	dtmfq chan call.Event

	// onEnd, when set, runs once the leg has ended and released its media.
	onEnd func()
	// early, when set, is how Hangup refuses a call not yet answered.
	early func(ctx context.Context, cause call.Cause) error
	// confirmed is closed when the ACK exchange completes or the leg ends.
	confirmed     chan struct{}
	confirmedOnce sync.Once
}

func newLeg(s *Server, dir call.LegDirection, remote string, pol legPolicy) *leg {
	ctx, cancel := context.WithCancel(context.Background())
	l := &leg{
		srv:    s,
		id:     "sip-" + randomToken(12),
		dir:    dir,
		remote: remote,
		pol:    pol,
		ctx:    ctx,
		cancel: cancel,
		events: make(chan call.Event, eventBuffer),
		done:   make(chan struct{}),
		ackCh:  make(chan *sip.Request, 1),
		origin: sdpOrigin{SessionID: uint64(rand.Uint32()), Version: uint64(rand.Uint32() >> 8)},
		dtmfq:  make(chan call.Event, 32),

		confirmed: make(chan struct{}),
	}
	l.log = s.log.With("leg", l.id, "direction", dir.String())
	s.addLeg(l)
	return l
}

// ID identifies the leg in logs and call records.
func (l *leg) ID() string { return l.id }

// Protocol is SIP.
func (l *leg) Protocol() call.Protocol { return call.ProtocolSIP }

// Direction says who placed the leg.
func (l *leg) Direction() call.LegDirection { return l.dir }

// Remote is the far side's URI.
func (l *leg) Remote() string { return l.remote }

// Events delivers what the far side does; closed when the leg has ended.
func (l *leg) Events() <-chan call.Event { return l.events }

// Done is closed once the leg has ended and released its sockets.
func (l *leg) Done() <-chan struct{} { return l.done }

// Err returns why the leg ended, nil while it runs.
func (l *leg) Err() error {
	l.errMu.Lock()
	defer l.errMu.Unlock()
	return l.err
}

func (l *leg) ended() bool { return l.state.Load() == stateEnded }

// Streams returns the negotiated streams.
func (l *leg) Streams() []call.Stream {
	l.mediaMu.Lock()
	defer l.mediaMu.Unlock()
	var out []call.Stream
	for _, ln := range l.lines {
		if ln.dec.Accept {
			out = append(out, ln.dec.Stream)
		}
	}
	return out
}

// Track returns the media of a stream.
func (l *leg) Track(id string) (call.Track, bool) {
	l.mediaMu.Lock()
	defer l.mediaMu.Unlock()
	for _, ln := range l.lines {
		if ln.dec.Accept && ln.dec.Stream.ID == id && ln.track != nil {
			return ln.track, true
		}
	}
	return nil, false
}

// emit queues an event for Events without blocking.
func (l *leg) emit(ev call.Event) {
	l.evMu.Lock()
	defer l.evMu.Unlock()
	if l.evClosed {
		return
	}
	select {
	case l.events <- ev:
	default:
		l.log.Warn("sip leg event dropped: reader too slow", "event", ev.Kind.String())
	}
}

// goSafe runs fn as one of the leg's goroutines. A panic is logged and ends
// the leg with cause internal.
func (l *leg) goSafe(name string, fn func()) {
	l.goMu.Lock()
	if l.stopped {
		l.goMu.Unlock()
		return
	}
	l.wg.Add(1)
	l.goMu.Unlock()
	go func() {
		defer l.wg.Done()
		defer func() {
			if r := recover(); r != nil {
				l.log.Error("sip leg goroutine panicked", "goroutine", name, "panic", r)
				l.terminate(call.Internal, fmt.Sprintf("panic in %s: %v", name, r), true)
			}
		}()
		fn()
	}()
}

// end marks the leg ended with cause, tells the far side's reader (notify),
// stops its goroutines and, once they are gone, releases its media and
// closes Events and Done. It sends nothing on the wire. It reports whether
// this call ended the leg (false when it had ended already).
func (l *leg) end(cause call.Cause, detail string, notify bool) bool {
	first := false
	l.endOnce.Do(func() {
		first = true
		l.state.Store(stateEnded)
		l.confirmedOnce.Do(func() { close(l.confirmed) })
		l.errMu.Lock()
		l.err = &call.Error{Cause: cause, Detail: detail}
		l.errMu.Unlock()
		if notify {
			l.emit(call.Event{Kind: call.EventHangup, Cause: cause})
		}
		l.log.Info("sip leg ended", "cause", cause.String(), "detail", detail)
		l.cancel()
		l.goMu.Lock()
		l.stopped = true
		l.goMu.Unlock()
		l.srv.forget(l)
		l.srv.wg.Add(1)
		go func() {
			defer l.srv.wg.Done()
			l.wg.Wait()
			l.mediaMu.Lock()
			for _, ln := range l.lines {
				if ln.sess != nil {
					_ = ln.sess.Close()
				}
			}
			l.mediaMu.Unlock()
			l.evMu.Lock()
			l.evClosed = true
			close(l.events)
			l.evMu.Unlock()
			if l.onEnd != nil {
				l.onEnd()
			}
			close(l.done)
		}()
	})
	return first
}

// terminate ends the leg from our side for cause and, once answered, sends
// BYE with a Reason. The leg ends first, so that a BYE from the far side
// crossing ours does not change the cause. notify reports the end on
// Events (the leg's own timers; not when the bridge asked for it).
func (l *leg) terminate(cause call.Cause, detail string, notify bool) {
	st := l.state.Load()
	if st == stateEnded || !l.end(cause, detail, notify) {
		return
	}
	if st == stateAnswered || st == stateConfirmed {
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
		if err := l.bye(ctx, cause); err != nil {
			l.log.Debug("sip BYE failed", "error", err)
		}
		cancel()
	}
}

// Hangup ends the leg: BYE with a Reason header once answered.
func (l *leg) Hangup(ctx context.Context, cause call.Cause) error {
	if l.ended() {
		return nil
	}
	if cause == call.CauseNone {
		cause = call.LocalHangup
	}
	if l.state.Load() == stateEarly && l.early != nil {
		return l.early(ctx, cause)
	}
	if l.state.Load() == stateAnswered {
		// RFC 3261 §15: wait for the ACK before a BYE.
		t := time.NewTimer(2 * time.Second)
		select {
		case <-t.C:
		case <-ctx.Done():
		case <-l.confirmed:
		}
		t.Stop()
	}
	if !l.end(cause, "hung up from this side", false) {
		return nil
	}
	if err := l.bye(ctx, cause); err != nil {
		return fmt.Errorf("sip BYE: %w", err)
	}
	return nil
}

// setConfirmed moves an answered leg to confirmed.
func (l *leg) setConfirmed() {
	l.state.CompareAndSwap(stateAnswered, stateConfirmed)
	l.confirmedOnce.Do(func() { close(l.confirmed) })
}

// bye sends BYE with `Reason: SIP;cause=...;text="..."`.
func (l *leg) bye(ctx context.Context, cause call.Cause) error {
	req := l.dlg.newRequest(sip.BYE)
	req.AppendHeader(reasonHeader(cause, byeCode(cause)))
	res, err := l.send(ctx, req)
	if err != nil {
		return err
	}
	if !res.IsSuccess() && res.StatusCode != sip.StatusCallTransactionDoesNotExists {
		return fmt.Errorf("BYE answered %d %s", res.StatusCode, res.Reason)
	}
	return nil
}

// send prepares and sends an in-dialog request and waits for its final
// response.
func (l *leg) send(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	l.srv.prepareRequest(req, l.pol.host, l.pol.compact)
	return l.srv.do(ctx, req)
}

// ourContact is the Contact of our in-dialog requests and responses.
func (l *leg) ourContact() *sip.ContactHeader {
	l.dlg.mu.Lock()
	user, transport := l.dlg.local.User, l.dlg.transport
	l.dlg.mu.Unlock()
	return l.srv.contact(user, l.pol.host, transport)
}

// onBye ends the leg at the far side's request.
func (l *leg) onBye(req *sip.Request, tx sip.ServerTransaction) {
	l.respond(req, tx, sip.StatusOK, "OK", nil, "")
	detail := "the far side sent BYE"
	if h := req.GetHeader("Reason"); h != nil {
		if code, ok := parseReason(h.Value()); ok {
			detail += " (Reason cause " + strconv.Itoa(code) + ")"
		}
	}
	l.end(call.RemoteHangup, detail, true)
}

// onAck takes the ACK to our 2xx.
func (l *leg) onAck(req *sip.Request) {
	for range 2 {
		select {
		case l.ackCh <- req:
			return
		default:
			// Replace an older ACK nobody took.
			select {
			case <-l.ackCh:
			default:
			}
		}
	}
}

// respond answers an in-dialog request.
func (l *leg) respond(req *sip.Request, tx sip.ServerTransaction, code int, reason string, body []byte, ctype string, hdrs ...sip.Header) {
	res := sip.NewResponseFromRequest(req, code, reason, body)
	if body != nil && ctype != "" {
		res.AppendHeader(sip.NewHeader("Content-Type", ctype))
	}
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	l.srv.decorate(&res.MessageData, l.pol.compact)
	if err := tx.Respond(res); err != nil {
		l.log.Debug("sip respond failed", "code", code, "method", req.Method, "error", err)
	}
}

// reack re-sends the ACK for a retransmitted 2xx.
func (l *leg) reack(seq uint32) {
	l.ackMu.Lock()
	ack := l.lastAck
	l.ackMu.Unlock()
	if ack == nil {
		return
	}
	if c := ack.CSeq(); c == nil || c.SeqNo != seq {
		return
	}
	if err := l.srv.write(ack.Clone()); err != nil {
		l.log.Debug("sip ACK retransmission failed", "error", err)
	}
}

// sendAck sends the ACK for a 2xx to our INVITE with sequence number seq,
// carrying body (an answer to an offer in that 2xx) when given.
func (l *leg) sendAck(seq uint32, body []byte) error {
	req := l.dlg.newRequest(sip.ACK)
	req.CSeq().SeqNo = seq
	req.AppendHeader(l.ourContact())
	if body != nil {
		req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		req.SetBody(body)
	}
	l.srv.prepareRequest(req, l.pol.host, l.pol.compact)
	l.ackMu.Lock()
	l.lastAck = req.Clone()
	l.ackMu.Unlock()
	return l.srv.write(req)
}

// respond2xx sends a 2xx to an INVITE and, over UDP, retransmits it until
// the ACK arrives (RFC 3261 §13.3.1.4). It returns the ACK, or an error
// after 64*T1 without one.
func (l *leg) respond2xx(ctx context.Context, tx sip.ServerTransaction, res *sip.Response, reliable bool, sent func()) (*sip.Request, error) {
	// Drop an ACK left over from an earlier transaction.
	select {
	case <-l.ackCh:
	default:
	}
	err := tx.Respond(res)
	if sent != nil {
		sent()
	}
	if err != nil {
		return nil, fmt.Errorf("send %d: %w", res.StatusCode, err)
	}
	interval := sip.T1
	retransmit := time.NewTimer(interval)
	defer retransmit.Stop()
	giveUp := time.NewTimer(64 * sip.T1)
	defer giveUp.Stop()
	seq := uint32(0)
	if cs := res.CSeq(); cs != nil {
		seq = cs.SeqNo
	}
	for {
		select {
		case ack := <-l.ackCh:
			if cs := ack.CSeq(); cs != nil && cs.SeqNo != seq {
				continue // a retransmitted ACK of an earlier 2xx
			}
			return ack, nil
		case ack := <-tx.Acks():
			return ack, nil
		case <-retransmit.C:
			if !reliable {
				_ = tx.Respond(res)
			}
			interval = min(2*interval, sip.T2)
			retransmit.Reset(interval)
		case <-giveUp.C:
			return nil, errors.New("no ACK for the 2xx")
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-l.ctx.Done():
			return nil, errLegEnded
		}
	}
}

// Send carries an event to the far side: DTMF (RFC 4733 or INFO), keyframe
// requests (RTCP PLI, and INFO picture_fast_update when the far side uses
// it), NACK and bitrate (RTCP), hold and resume (re-INVITE), chat
// (MESSAGE), and hangup.
func (l *leg) Send(ctx context.Context, ev call.Event) error {
	if l.ended() {
		return errLegEnded
	}
	switch ev.Kind {
	case call.EventDTMF:
		if !call.ValidDTMF(ev.Digit) {
			return fmt.Errorf("sip: %q is not a DTMF digit", ev.Digit)
		}
		select {
		case l.dtmfq <- ev:
			return nil
		default:
			return errors.New("sip: DTMF queue full")
		}
	case call.EventKeyframeRequest, call.EventNACK, call.EventBitrate:
		return l.sendFeedback(ctx, ev)
	case call.EventHold, call.EventResume:
		return l.setLocalHold(ctx, ev.Kind == call.EventHold)
	case call.EventChat:
		return l.sendChat(ctx, ev.Text)
	case call.EventHangup:
		return l.Hangup(ctx, ev.Cause)
	}
	return nil
}

// sendFeedback sends RTCP feedback on the stream's session.
func (l *leg) sendFeedback(ctx context.Context, ev call.Event) error {
	ln := l.lineFor(ev.Stream, call.RoleVideo)
	if ln == nil {
		return fmt.Errorf("sip: no stream %q for %s", ev.Stream, ev.Kind)
	}
	switch ev.Kind {
	case call.EventKeyframeRequest:
		err := ln.sess.SendKeyframeRequest()
		l.mediaMu.Lock()
		info := l.infoPFU
		l.mediaMu.Unlock()
		if info {
			req := l.dlg.newRequest(sip.INFO)
			req.AppendHeader(sip.NewHeader("Content-Type", ctMediaControl))
			req.SetBody([]byte(mediaControlPFU))
			if _, ierr := l.send(ctx, req); ierr != nil && err == nil {
				err = ierr
			}
		}
		return err
	case call.EventNACK:
		return ln.sess.SendNACK(ev.Seqs)
	default:
		return ln.sess.SendBitrate(ev.Bitrate)
	}
}

// lineFor finds the active line of a stream ID, or the first active line of
// role when id is empty.
func (l *leg) lineFor(id string, role call.Role) *mediaLine {
	l.mediaMu.Lock()
	defer l.mediaMu.Unlock()
	for _, ln := range l.lines {
		if ln.dec.Accept && ln.sess != nil && (ln.dec.Stream.ID == id || id == "" && ln.dec.Stream.Role == role) {
			return ln
		}
	}
	return nil
}

func (l *leg) sendChat(ctx context.Context, text string) error {
	req := l.dlg.newRequest(sip.MESSAGE)
	req.AppendHeader(sip.NewHeader("Content-Type", "text/plain;charset=UTF-8"))
	req.SetBody([]byte(text))
	res, err := l.send(ctx, req)
	if err != nil {
		return fmt.Errorf("sip MESSAGE: %w", err)
	}
	if !res.IsSuccess() {
		return fmt.Errorf("sip MESSAGE answered %d %s", res.StatusCode, res.Reason)
	}
	return nil
}

// onMessage turns an in-dialog MESSAGE into EventChat.
func (l *leg) onMessage(req *sip.Request, tx sip.ServerTransaction) {
	body := req.Body()
	if len(body) > maxINFOBody {
		l.respond(req, tx, sip.StatusRequestEntityTooLarge, "Request Entity Too Large", nil, "")
		return
	}
	l.respond(req, tx, sip.StatusOK, "OK", nil, "")
	l.emit(call.Event{Kind: call.EventChat, Text: string(body)})
}

// onInfo turns INFO bodies into events.
func (l *leg) onInfo(req *sip.Request, tx sip.ServerTransaction) {
	ct := ""
	if h := req.ContentType(); h != nil {
		ct = h.Value()
	}
	if len(req.Body()) == 0 {
		// An empty INFO is a keepalive.
		l.respond(req, tx, sip.StatusOK, "OK", nil, "")
		return
	}
	ev, err := parseINFO(ct, req.Body())
	if err != nil {
		if errors.Is(err, errUnsupportedINFO) {
			l.respond(req, tx, sip.StatusUnsupportedMediaType, "Unsupported Media Type", nil, "",
				sip.NewHeader("Accept", acceptedBodies))
			return
		}
		l.respond(req, tx, sip.StatusBadRequest, "Bad Request", nil, "")
		return
	}
	l.respond(req, tx, sip.StatusOK, "OK", nil, "")
	switch ev.Kind {
	case call.EventDTMF:
		if ln := l.lineFor("", call.RoleAudio); ln != nil {
			ev.Stream = ln.dec.Stream.ID
		}
	case call.EventKeyframeRequest:
		l.mediaMu.Lock()
		l.infoPFU = true
		l.mediaMu.Unlock()
		if ln := l.lineFor("", call.RoleVideo); ln != nil {
			ev.Stream = ln.dec.Stream.ID
		}
	}
	l.emit(ev)
}

// runDTMF sends queued digits one after the other.
func (l *leg) runDTMF() {
	for {
		select {
		case <-l.ctx.Done():
			return
		case ev := <-l.dtmfq:
			if err := l.sendDTMF(ev); err != nil {
				l.log.Info("sip DTMF not sent", "digit", string(ev.Digit), "error", err)
			}
		}
	}
}

// sendDTMF sends one digit as RFC 4733 or INFO, as the leg's mode says.
func (l *leg) sendDTMF(ev call.Event) error {
	ctx, cancel := context.WithTimeout(l.ctx, 10*time.Second)
	defer cancel()
	ln := l.lineFor("", call.RoleAudio)
	rfc := ln != nil && ln.track != nil && ln.track.canSendDTMF()
	useRFC := rfc && (l.pol.inbound || l.pol.dtmf != call.DTMFInfo)
	if useRFC {
		return ln.track.sendDTMF(ctx, ev.Digit, ev.Duration)
	}
	req := l.dlg.newRequest(sip.INFO)
	req.AppendHeader(sip.NewHeader("Content-Type", ctDTMFRelay))
	req.SetBody(dtmfRelayBody(ev.Digit, ev.Duration))
	res, err := l.send(ctx, req)
	if err != nil {
		return err
	}
	if !res.IsSuccess() {
		return fmt.Errorf("INFO answered %d %s", res.StatusCode, res.Reason)
	}
	return nil
}

// start runs the leg's goroutines once it is answered: the supervisor of
// session timer and media timeout, and the DTMF sender.
func (l *leg) start() {
	l.goSafe("dtmf", l.runDTMF)
	l.goSafe("supervisor", l.supervise)
}

// mediaIP is the address our SDP gives for media: the advertised address
// (external IP when configured), unless media binds to a specific address
// of its own and no external IP is set.
func (l *leg) mediaIP() netip.Addr {
	host := l.pol.host
	if l.pol.external == "" {
		if b := l.srv.media.Config().BindIP; b != "" {
			if a, err := netip.ParseAddr(b); err == nil && !a.IsUnspecified() {
				return a.Unmap()
			}
		}
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Unmap()
	}
	return netip.AddrFrom4([4]byte{127, 0, 0, 1})
}

func randomToken(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rand.IntN(len(alphabet))]
	}
	return string(b)
}
