package bridge

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchyard/switchyard/call"
)

const (
	// hangupTimeout bounds the hangup of the legs when a call ends.
	hangupTimeout = 5 * time.Second
	// stopGrace bounds the wait for relay and event goroutines to stop once
	// the legs are hung up (their tracks must fail by then).
	stopGrace = 5 * time.Second
	// eventQueueLen is the number of events waiting for one leg's Send.
	eventQueueLen = 64
)

// JoinOptions tunes Join.
type JoinOptions struct {
	// Log receives the bridge's messages; nil discards them.
	Log *slog.Logger
	// MediaTimeout ends the call with call.MediaTimeout when no packet has
	// arrived from a leg for this long (legs on hold excepted); 0 turns the
	// check off. Only legs with a relayed or transcoded sendrecv stream are
	// checked.
	MediaTimeout time.Duration
	// Transcode, when set, lets roles that cannot relay be transcoded;
	// nil relays only.
	Transcode *TranscodeOptions
}

// Join carries media and events between two answered legs until either
// ends or ctx ends.
//
// For each role present on both legs with the same codec format
// (call.Codec.SameFormat) it relays packets with a Rewriter: payload types
// mapped to the other leg's, one SSRC per direction, continuity across
// source switches. With JoinOptions.Transcode set, a role that cannot relay
// but whose codecs the transcode package handles gets a transcode path per
// direction (see TranscodeOptions); the rest are reported in
// Result.Unbridged. Streams that carry only telephone-events take no part:
// DTMF crosses as events.
//
// Events: DTMF, chat, hold and resume, floor and FECC pass to the other leg
// with Send; EventKeyframeRequest and EventBitrate from one leg go to the
// other leg for the matching stream, except on a transcoded stream, whose
// encoder serves them (its decoder asks the source leg for keyframes);
// EventNACK sequence numbers are mapped back through the relay's Rewriter
// before they are sent on; EventMediaChange re-reads both legs' streams and
// adjusts the relays and transcoders. EventHangup from one
// leg ends the call: the other leg is hung up with the same cause. When ctx
// ends, both legs are hung up with call.LocalHangup.
//
// Every goroutine Join starts has stopped when it returns, provided the
// legs' tracks fail once the legs are hung up (as call.Track promises); a
// track that does not is logged and left behind after a grace period. A
// panic in a relay or event goroutine is recovered, logged with its stack,
// and ends the call with call.Internal.
func Join(ctx context.Context, a, b call.Leg, opts JoinOptions) Result {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("legs", a.ID()+"<>"+b.ID())
	jctx, cancel := context.WithCancel(ctx)
	j := &joiner{
		parent:  ctx,
		ctx:     jctx,
		cancel:  cancel,
		log:     log,
		legs:    [2]call.Leg{a, b},
		timeout: opts.MediaTimeout,
		start:   time.Now(),
		panics:  make(chan struct{}, 1),
	}
	j.transcodeOpts = opts.Transcode
	defer cancel()
	return j.run()
}

// joiner is one Join's state. Its fields are owned by Join's goroutine,
// except the atomics and what relays and senders guard themselves.
type joiner struct {
	parent  context.Context
	ctx     context.Context // ends when the call ends
	cancel  context.CancelFunc
	log     *slog.Logger
	legs    [2]call.Leg
	timeout time.Duration
	start   time.Time

	seen    [2]atomic.Int64 // each leg's last packet, on the join clock
	timed   [2]bool         // legs whose silence ends the call
	held    bool
	pairs   []streamPair
	relays  []*relay
	senders [2]*eventSender

	transcodeOpts *TranscodeOptions
	transcoders   []*transcoder

	relayWG  sync.WaitGroup
	senderWG sync.WaitGroup
	panics   chan struct{}
}

// clock is the join clock: time since Join began, monotonic.
func (j *joiner) clock() time.Duration { return time.Since(j.start) }

func (j *joiner) run() Result {
	for i, leg := range j.legs {
		s := &eventSender{leg: leg, q: make(chan call.Event, eventQueueLen)}
		j.senders[i] = s
		j.goGuarded(&j.senderWG, "events to "+leg.ID(), func() { s.run(j.ctx, j.log) })
	}
	cause, endedBy, hang := j.loop()
	return j.finish(cause, endedBy, hang)
}

// loop runs until the call ends and says why, who ended it and which legs
// to hang up.
func (j *joiner) loop() (cause call.Cause, endedBy string, hang []int) {
	defer func() {
		if v := recover(); v != nil {
			j.log.Error("bridge: recovered panic", "in", "join", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			cause, endedBy, hang = call.Internal, "", []int{0, 1}
		}
	}()
	j.replan()
	j.planTranscodes()
	var tick <-chan time.Time
	if j.timeout > 0 {
		t := time.NewTicker(min(max(j.timeout/4, 5*time.Millisecond), time.Second))
		defer t.Stop()
		tick = t.C
	}
	events := [2]<-chan call.Event{j.legs[0].Events(), j.legs[1].Events()}
	for {
		select {
		case <-j.parent.Done():
			return call.LocalHangup, "", []int{0, 1}
		case <-j.panics:
			return call.Internal, "", []int{0, 1}
		case ev, ok := <-events[0]:
			if c, end := j.onEvent(0, ev, ok); end {
				return c, j.legs[0].ID(), []int{1}
			}
		case ev, ok := <-events[1]:
			if c, end := j.onEvent(1, ev, ok); end {
				return c, j.legs[1].ID(), []int{0}
			}
		case <-j.legs[0].Done():
			return j.legEnded(0), j.legs[0].ID(), []int{1}
		case <-j.legs[1].Done():
			return j.legEnded(1), j.legs[1].ID(), []int{0}
		case <-tick:
			if i, silent := j.silentLeg(); silent {
				j.log.Info("bridge: media timeout", "leg", j.legs[i].ID(), "timeout", j.timeout)
				return call.MediaTimeout, j.legs[i].ID(), []int{0, 1}
			}
		}
	}
}

// onEvent handles one receive from leg i's event channel; ok false means
// the channel closed (the leg ended). It reports whether the call ends.
func (j *joiner) onEvent(i int, ev call.Event, ok bool) (call.Cause, bool) {
	if !ok {
		return j.legEnded(i), true
	}
	if ev.Kind == call.EventHangup {
		return hangupCause(ev.Cause), true
	}
	if j.transcodeEvent(i, ev) {
		return call.CauseNone, false
	}
	j.handle(i, ev)
	if ev.Kind == call.EventMediaChange {
		j.planTranscodes()
	}
	return call.CauseNone, false
}

// legEnded finds the cause of a leg that ended: a hangup event still
// queued, else the leg's error.
func (j *joiner) legEnded(i int) call.Cause {
	for {
		select {
		case ev, ok := <-j.legs[i].Events():
			if ok && ev.Kind == call.EventHangup {
				return hangupCause(ev.Cause)
			}
			if ok {
				continue
			}
		default:
		}
		return hangupCause(call.CauseOf(j.legs[i].Err()))
	}
}

// hangupCause is the cause a leg's end passes on: a plain end is the far
// side hanging up.
func hangupCause(c call.Cause) call.Cause {
	if c == call.CauseNone {
		return call.RemoteHangup
	}
	return c
}

// silentLeg returns a checked leg from which nothing has arrived for the
// media timeout. Nothing is silent while the call is on hold.
func (j *joiner) silentLeg() (int, bool) {
	if j.held {
		return 0, false
	}
	now := j.clock()
	for i := range j.legs {
		if j.timed[i] && now-time.Duration(j.seen[i].Load()) > j.timeout {
			return i, true
		}
	}
	return 0, false
}

// finish hangs up the legs, stops every goroutine and collects the result.
func (j *joiner) finish(cause call.Cause, endedBy string, hang []int) Result {
	j.cancel()
	hctx, cancel := context.WithTimeout(context.WithoutCancel(j.parent), hangupTimeout)
	defer cancel()
	for _, i := range hang {
		j.hangup(hctx, i, cause)
	}
	if !waitWithin(&j.senderWG, stopGrace) {
		j.log.Error("bridge: an event goroutine is still in a leg's Send after the call ended")
	}
	if !waitWithin(&j.relayWG, stopGrace) {
		for _, r := range j.relays {
			if r.running.Load() {
				j.log.Error("bridge: a relay is still in ReadRTP or WriteRTP after the call ended", "from", r.from, "stream", r.srcID, "to", r.to)
			}
		}
		for _, t := range j.transcoders {
			if t.running.Load() > 0 {
				j.log.Error("bridge: a transcoder is still in ReadRTP or WriteRTP after the call ended", "from", t.from, "stream", t.srcID, "to", t.to)
			}
		}
	}
	j.endTranscoders()
	res := Result{Cause: cause, EndedBy: endedBy, Unbridged: unbridged(j.pairs)}
	for _, r := range j.relays {
		res.Streams = append(res.Streams, r.result())
	}
	res.Streams = append(res.Streams, j.transcodeResults()...)
	for _, p := range j.pairs {
		if p.relay || p.transcode {
			continue
		}
		if p.hasA {
			res.Streams = append(res.Streams, j.noneResult(p.role, 0, p.a, p.hasB))
		}
		if p.hasB {
			res.Streams = append(res.Streams, j.noneResult(p.role, 1, p.b, p.hasA))
		}
	}
	j.log.Debug("bridge: call ended", "cause", cause, "ended_by", endedBy)
	return res
}

func (j *joiner) noneResult(role call.Role, from int, s call.Stream, hasOther bool) StreamResult {
	r := StreamResult{Role: role, From: j.legs[from].ID(), Path: PathNone, Codec: s.Codec}
	if hasOther {
		r.To = j.legs[1-from].ID()
	}
	return r
}

// hangup ends leg i, surviving a leg that panics.
func (j *joiner) hangup(ctx context.Context, i int, cause call.Cause) {
	defer func() {
		if v := recover(); v != nil {
			j.log.Error("bridge: recovered panic", "in", "hangup of "+j.legs[i].ID(), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		}
	}()
	if err := j.legs[i].Hangup(ctx, cause); err != nil {
		j.log.Warn("bridge: hangup failed", "leg", j.legs[i].ID(), "cause", cause, "err", err)
	}
}

// goGuarded runs fn on a goroutine counted by wg. A panic is logged with
// its stack and ends the call with call.Internal.
func (j *joiner) goGuarded(wg *sync.WaitGroup, what string, fn func()) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer func() {
			if v := recover(); v != nil {
				j.log.Error("bridge: recovered panic", "in", what, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				select {
				case j.panics <- struct{}{}:
				default:
				}
			}
		}()
		fn()
	}()
}

// waitWithin waits for wg, at most d; it reports whether wg finished.
func waitWithin(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}
