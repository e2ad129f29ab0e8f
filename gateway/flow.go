package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/switchyard/switchyard/bridge"
	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/rules"
	"github.com/switchyard/switchyard/service"
	"github.com/switchyard/switchyard/transcode"
)

// callSeq numbers calls within this process for their IDs.
var callSeq atomic.Uint64

// accept runs an inbound call in its own goroutine, owned by the gateway.
func (g *Gateway) accept(ctx context.Context) func(call.InboundLeg) {
	return func(in call.InboundLeg) {
		g.calls.Add(1)
		go func() {
			defer g.calls.Done()
			g.handleInbound(ctx, in)
		}()
	}
}

// handleInbound takes one inbound call from routing to its call record:
// admission, dial plan, outbound leg (trying fallbacks in order), answer,
// bridge. A panic ends this call with the internal cause, not the process.
func (g *Gateway) handleInbound(ctx context.Context, in call.InboundLeg) {
	rec := newRecord(g.NodeName(), fmt.Sprintf("%s-%d", g.NodeName(), callSeq.Add(1)), in)
	log := g.log.With("call", rec.ID, "from", rec.Caller, "dialed", rec.Dialed, "protocol", in.Protocol().String())
	defer func() {
		if r := recover(); r != nil {
			log.Error("call handling panicked; ending the call", "panic", r, "stack", string(debug.Stack()))
			_ = in.Reject(context.WithoutCancel(ctx), call.Internal)
			rec.finish(call.Internal, fmt.Sprint("panic: ", r), "gateway")
		}
		g.writeRecord(rec)
	}()

	release, err := g.admission.acquire()
	if err != nil {
		g.refuse(ctx, log, in, rec, err)
		return
	}
	defer release()

	req := requestOf(in.Incoming())
	decisions, err := g.state.Load().engine.Route(req)
	if err != nil {
		g.refuse(ctx, log, in, rec, err)
		return
	}

	// A caller who hangs up while the far side is being dialed cancels the
	// dial (SIP CANCEL, H.225 ReleaseComplete): dialCtx ends with the caller.
	dialCtx, cancelDial := context.WithCancel(ctx)
	defer cancelDial()
	stopWatch := watchLeg(in, cancelDial)
	defer stopWatch()

	var out call.Leg
	for i, d := range decisions {
		rec.route(d)
		log.Info("routing", "attempt", i+1, "of", len(decisions), "rule", d.Rule, "alias", d.Alias,
			"service", d.Service, "target", d.Target.String(), "destination", d.Transformed)
		out, err = g.place(dialCtx, in, d, rec.ID)
		if err == nil {
			break
		}
		if callerGone(in) {
			break
		}
		log.Warn("outbound leg failed", "attempt", i+1, "destination", d.Transformed, "cause", call.CauseOf(err).String(), "error", err)
	}
	if out == nil {
		if callerGone(in) {
			cause := call.CauseOf(in.Err())
			log.Info("caller hung up before the far side answered", "cause", cause.String())
			rec.finish(cause, "the caller hung up while the far side was being called", in.ID())
			return
		}
		g.refuse(ctx, log, in, rec, err)
		return
	}
	rec.addLeg(out)

	var policy rules.MediaPolicy
	if n := rec.Attempts; n > 0 && n <= len(decisions) {
		policy = decisions[n-1].Policy
	}
	streams, err := answerStreams(in.Offer(), out.Streams())
	var releaseTranscoders func()
	if err == nil {
		releaseTranscoders, err = g.reserveTranscodes(streams, out.Streams())
	}
	if err == nil {
		defer releaseTranscoders()
		err = in.Accept(ctx, streams)
	}
	if err != nil {
		cause := call.CauseOf(err)
		endedBy := "gateway"
		if callerGone(in) { // the caller left while we answered: its cause, not ours
			cause, endedBy = call.CauseOf(in.Err()), in.ID()
		}
		log.Warn("could not answer the caller", "cause", cause.String(), "error", err)
		_ = out.Hangup(context.WithoutCancel(ctx), cause)
		_ = in.Reject(context.WithoutCancel(ctx), cause)
		rec.finish(cause, err.Error(), endedBy)
		return
	}
	rec.Answered = time.Now()
	log.Info("call answered", "outbound", out.Remote(), "legs", in.ID()+" ⇄ "+out.ID())

	res := bridge.Join(ctx, in, out, bridge.JoinOptions{
		Log:          log,
		MediaTimeout: g.mediaTimeout(),
		Transcode:    transcodeOptions(policy),
	})
	rec.bridged(res)
	log.Info("call ended", "cause", res.Cause.String(), "ended_by", res.EndedBy, "duration", time.Since(rec.Answered).Round(time.Millisecond))
}

// callerGone reports whether the inbound leg has already ended: its Done
// channel is closed, or it already says why it ended (a leg may close Done
// only after releasing its media, so a caller's BYE that crosses our answer
// shows in Err first).
func callerGone(in call.Leg) bool {
	select {
	case <-in.Done():
		return true
	default:
		return in.Err() != nil
	}
}

// watchLeg calls f when the leg ends; stop ends the watch.
func watchLeg(l call.Leg, f func()) (stop func()) {
	quit := make(chan struct{})
	go func() {
		select {
		case <-l.Done():
			f()
		case <-quit:
		}
	}()
	return func() { close(quit) }
}

// refuse rejects the inbound leg with the error's cause and records it.
func (g *Gateway) refuse(ctx context.Context, log *slog.Logger, in call.InboundLeg, rec *Record, err error) {
	cause := call.CauseOf(err)
	log.Info("call refused", "cause", cause.String(), "detail", err.Error())
	if rerr := in.Reject(context.WithoutCancel(ctx), cause); rerr != nil {
		log.Warn("rejecting the caller failed", "error", rerr)
	}
	rec.finish(cause, err.Error(), "gateway")
}

// place creates the outbound leg for one decision: a local service, or a
// dial-out on the target protocol.
func (g *Gateway) place(ctx context.Context, in call.InboundLeg, d rules.Decision, id string) (call.Leg, error) {
	if d.Kind == rules.DecisionService {
		switch d.Service {
		case "echo":
			return service.NewEcho(id+"-echo", in.Offer()), nil
		case "testsrc":
			leg, err := service.NewTestSource(id+"-testsrc", in.Offer())
			if err != nil {
				return nil, call.Errorf(call.CodecMismatch, "test source: %w", err)
			}
			return leg, nil
		default:
			return nil, call.Errorf(call.Unavailable, "no local service %q in this gateway", d.Service)
		}
	}
	dialer, err := g.dialer(targetProtocol(d))
	if err != nil {
		return nil, err
	}
	inc := in.Incoming()
	progress := func(ev call.Event) {
		switch ev.Kind {
		case call.EventRinging:
			_ = in.Ring(ctx)
		case call.EventProgress:
			_ = in.Progress(ctx, nil)
		}
	}
	// The far side sees the caller's codecs first (so media can relay), then
	// the codecs the gateway can transcode to.
	offer := transcode.Extend(offerFor(in.Offer(), d.Policy))
	return dialer.Dial(ctx, targetOf(d, inc), offer, progress)
}

// requestOf turns what a listener knows into a dial-plan request.
func requestOf(inc call.Incoming) *rules.Request {
	return &rules.Request{
		Protocol: inc.Protocol, Direction: rules.DirectionIncoming, Source: inc.Source.Addr(),
		Trunk: inc.Trunk, Caller: inc.Caller, Dialed: inc.Dialed, Registered: inc.Registered,
	}
}

// targetOf translates a dial-plan decision into what a dialer needs.
func targetOf(d rules.Decision, inc call.Incoming) call.Target {
	p := d.Policy
	t := call.Target{
		Protocol: d.Target, URI: d.Destination.String(), Host: d.Destination.Host, Port: d.Destination.Port,
		Transport: d.Destination.Transport, Trunk: d.Trunk, Caller: inc.Caller, CallerName: inc.CallerName,
		ToRegistered: d.ToRegistered, MaxBitrateIn: uint32(p.MaxBitrateIn) * 1000, MaxBitrateOut: uint32(p.MaxBitrateOut) * 1000,
		AudioOnly: p.CallType == rules.CallTypeAudio, Content: p.Content, FECC: p.FECC, DTMFAfterAnswer: d.Destination.DTMF,
	}
	switch p.SRTP {
	case rules.SRTPOff:
		t.SRTP = call.SRTPOff
	case rules.SRTPRequired:
		t.SRTP = call.SRTPRequired
	default:
		t.SRTP = call.SRTPBestEffort
	}
	switch p.DTMF {
	case rules.DTMFInfo:
		t.DTMF = call.DTMFInfo
	case rules.DTMFInband:
		t.DTMF = call.DTMFInband
	default:
		t.DTMF = call.DTMFRFC4733
	}
	for _, c := range p.Codecs {
		t.Codecs = append(t.Codecs, string(c))
	}
	return t
}

// offerFor is the inbound offer as the rule allows it onward: streams the
// call type or the content / FECC switches exclude are disabled (kept in place
// so that stream order is preserved).
func offerFor(o call.Offer, p rules.MediaPolicy) call.Offer {
	out := call.Offer{Streams: make([]call.StreamOffer, len(o.Streams))}
	copy(out.Streams, o.Streams)
	for i := range out.Streams {
		s := &out.Streams[i]
		switch {
		case s.Role == call.RoleVideo && p.CallType == rules.CallTypeAudio,
			s.Role == call.RoleContent && !p.Content,
			s.Role == call.RoleFECC && !p.FECC:
			s.Disabled = true
		}
		if p.MaxBitrateOut > 0 {
			if limit := uint32(p.MaxBitrateOut) * 1000; s.MaxBitrate == 0 || s.MaxBitrate > limit {
				s.MaxBitrate = limit
			}
		}
	}
	return out
}

// answerStreams chooses what to answer the caller with, given what the
// outbound leg negotiated: per offered stream, the caller's own codec of the
// same format (so that the stream relays), with the caller's payload type;
// when the caller has no such codec, its first codec that the transcoder
// converts to and from the far side's (the bridge then transcodes).
// Streams with neither are left out; a call where no stream is left fails
// with codec_mismatch.
//
// Directions are seen from each leg's far party: what the far side sends
// the caller receives, so the caller's direction is the reverse of the far
// side's (a test source that only sends makes the caller receive only, and
// its answer says a=sendonly).
func answerStreams(offer call.Offer, out []call.Stream) ([]call.Stream, error) {
	if offer.Empty() {
		return out, nil
	}
	var streams []call.Stream
	var missing []string
	for _, so := range offer.Streams {
		if so.Disabled {
			continue
		}
		for _, os := range out {
			if os.Role != so.Role {
				continue
			}
			var c call.Codec
			ok := false
			if common := call.Common(so.Codecs, []call.Codec{os.Codec}); len(common) > 0 {
				c, ok = common[0], true
			} else {
				c, ok = transcode.TranscodableFrom(so.Codecs, os.Codec)
			}
			if ok {
				streams = append(streams, call.Stream{ID: so.ID, Role: so.Role, Codec: c, Direction: os.Direction.Reverse(), MaxBitrate: os.MaxBitrate})
			} else {
				missing = append(missing, fmt.Sprintf("%s (%s)", so.Role, os.Codec))
			}
			break
		}
	}
	if len(streams) == 0 {
		detail := "the far side negotiated no stream"
		if len(missing) > 0 {
			detail = "no codec in common or transcodable for " + strings.Join(missing, ", ")
		}
		return nil, call.Errorf(call.CodecMismatch, "%s", detail)
	}
	return streams, nil
}
