package bridge

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/transcode"
)

// PathTranscode is the path of a stream direction that was decoded and
// re-encoded in the other leg's codec.
const PathTranscode = "transcode"

// TranscodeOptions turn transcoding on for a Join and bound it.
type TranscodeOptions struct {
	// Limiter counts transcodes against the configured limits; nil allows
	// any number. A transcode the limiter refuses leaves its role
	// unbridged.
	Limiter *transcode.Limiter
	// MaxBitrate caps every transcoded stream's encoder, bits per second
	// (the rule's media policy); 0 leaves the codec's default. The
	// receiving stream's own MaxBitrate caps it too.
	MaxBitrate uint32
	// MaxWidth, MaxHeight and MaxFrameRate cap transcoded video; 0 means
	// 1920×1080 and 30 frames per second.
	MaxWidth, MaxHeight, MaxFrameRate int
	// OpusComplexity is the Opus encoders' CPU/quality trade-off (1..10);
	// 0 means 5. Lower values let one core carry more audio transcodes.
	OpusComplexity int
}

// transcoder carries one direction of one stream through a transcode.Path:
// a reader goroutine writes the source track's packets into the path, a
// pump goroutine runs the path on its clock and writes what comes out to
// the destination track. Keyframe requests for the destination are served
// by the path's encoder; the path's own need for a keyframe goes to the
// source leg.
//
// Like a relay, a transcoder lives as long as the call: when a
// renegotiation changes a codec its path is replaced, and when its pair
// goes away it is parked (no path: packets read are dropped), so that two
// transcoders never read one track. (A stream that switches between relay
// and transcode mid-call is still read by both the relay and the
// transcoder, each dropping what it reads while idle.)
type transcoder struct {
	role         call.Role
	from, to     string // leg IDs
	fromIdx      int
	srcID, dstID string
	src, dst     call.Track
	counters     relayCounters
	seen         *atomic.Int64
	clock        func() time.Duration
	wake         chan struct{}
	askUpstream  func()
	running      atomic.Int32 // goroutines still running

	path atomic.Pointer[transcode.Path] // nil while parked

	mu        sync.Mutex // guards what follows
	srcStream call.Stream
	dstStream call.Stream
	release   func() // the limiter slot of the current path
	ended     bool
}

// planTranscodes gives a path to the transcoder of each direction of each
// pair that cannot relay but whose codecs the transcoder handles, and parks
// the transcoders no pair needs any more. It runs after replan, which
// recomputes j.pairs.
func (j *joiner) planTranscodes() {
	if j.transcodeOpts == nil {
		return
	}
	active := map[*transcoder]bool{}
	for k := range j.pairs {
		p := &j.pairs[k]
		if p.relay || !p.hasA || !p.hasB {
			continue
		}
		if !transcode.CanTranscode(p.a.Codec, p.b.Codec) || !transcode.CanTranscode(p.b.Codec, p.a.Codec) {
			continue
		}
		ab := j.ensureTranscoder(0, p.role, p.a, p.b, active)
		ba := j.ensureTranscoder(1, p.role, p.b, p.a, active)
		p.transcode = ab && ba
	}
	for _, t := range j.transcoders {
		if !active[t] {
			t.setPath(nil, nil, call.Stream{}, call.Stream{})
			continue
		}
		if t.source().Direction == call.SendRecv {
			j.timed[t.fromIdx] = true
		}
	}
}

// ensureTranscoder makes sure a path carries stream s of leg 'from' to
// stream d of the other leg, and reports whether one does.
func (j *joiner) ensureTranscoder(from int, role call.Role, s, d call.Stream, active map[*transcoder]bool) bool {
	var t *transcoder
	for _, c := range j.transcoders {
		if c.fromIdx == from && c.srcID == s.ID && c.dstID == d.ID {
			t = c
			break
		}
	}
	if t != nil && t.path.Load() != nil {
		if src, dst := t.streams(); sameCodec(src.Codec, s.Codec) && sameCodec(dst.Codec, d.Codec) {
			active[t] = true
			return true
		}
		// Renegotiated: free the old path (and its limiter slot) first.
		t.setPath(nil, nil, call.Stream{}, call.Stream{})
	}
	path, release, err := j.newPath(s, d)
	if err != nil {
		j.log.Warn("bridge: cannot transcode", "from", j.legs[from].ID(), "stream", s.ID, "codec", s.Codec.String(),
			"to", j.legs[1-from].ID(), "to_codec", d.Codec.String(), "err", err)
		return false
	}
	if t == nil {
		src, ok1 := j.legs[from].Track(s.ID)
		dst, ok2 := j.legs[1-from].Track(d.ID)
		if !ok1 || !ok2 {
			j.log.Warn("bridge: stream has no track", "from", j.legs[from].ID(), "stream", s.ID, "to", j.legs[1-from].ID(), "to_stream", d.ID)
			path.Close()
			release()
			return false
		}
		t = &transcoder{
			role: role, from: j.legs[from].ID(), to: j.legs[1-from].ID(), fromIdx: from, srcID: s.ID, dstID: d.ID,
			src: src, dst: dst, seen: &j.seen[from], clock: j.clock, wake: make(chan struct{}, 1),
		}
		t.askUpstream = func() { j.send(from, call.Event{Kind: call.EventKeyframeRequest, Stream: s.ID}) }
		j.transcoders = append(j.transcoders, t)
		t.setPath(path, release, s, d)
		j.startTranscoder(t)
	} else {
		t.setPath(path, release, s, d)
	}
	active[t] = true
	return true
}

func sameCodec(a, b call.Codec) bool {
	return a.SameFormat(b) && a.PayloadType == b.PayloadType && a.FMTP == b.FMTP
}

// newPath builds a path for s to d within the limiter and the policy caps.
func (j *joiner) newPath(s, d call.Stream) (*transcode.Path, func(), error) {
	o := j.transcodeOpts
	release, err := o.Limiter.Acquire(transcode.Video(s.Codec))
	if err != nil {
		return nil, nil, err
	}
	opts := transcode.PathOptions{MaxBitrate: o.MaxBitrate, MaxWidth: o.MaxWidth, MaxHeight: o.MaxHeight,
		MaxFrameRate: o.MaxFrameRate, OpusComplexity: o.OpusComplexity}
	if d.MaxBitrate > 0 && (opts.MaxBitrate == 0 || d.MaxBitrate < opts.MaxBitrate) {
		opts.MaxBitrate = d.MaxBitrate
	}
	path, err := transcode.NewPath(s.Codec, d.Codec, opts)
	if err != nil {
		release()
		return nil, nil, err
	}
	return path, release, nil
}

// setPath replaces the transcoder's path (nil parks it); the old path is
// closed and its limiter slot returned. After end it only closes what it
// is given.
func (t *transcoder) setPath(p *transcode.Path, release func(), s, d call.Stream) {
	t.mu.Lock()
	if t.ended && p != nil {
		t.mu.Unlock()
		p.Close()
		release()
		return
	}
	old, oldRelease := t.path.Swap(p), t.release
	t.release = release
	if p != nil {
		t.srcStream, t.dstStream = s, d
	}
	t.mu.Unlock()
	if old != nil {
		old.Close()
	}
	if oldRelease != nil {
		oldRelease()
	}
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

func (t *transcoder) streams() (src, dst call.Stream) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.srcStream, t.dstStream
}

func (t *transcoder) source() call.Stream {
	s, _ := t.streams()
	return s
}

// startTranscoder runs t's reader and pump on goroutines the join waits for.
func (j *joiner) startTranscoder(t *transcoder) {
	name := t.from + "/" + t.srcID + " to " + t.to + "/" + t.dstID
	t.running.Add(2)
	j.goGuarded(&j.relayWG, "transcode reader "+name, func() {
		defer t.running.Add(-1)
		t.read(j.ctx)
	})
	j.goGuarded(&j.relayWG, "transcode pump "+name, func() {
		defer t.running.Add(-1)
		defer t.end()
		t.pump(j.ctx)
	})
}

// read writes the source track's packets into the path until the track
// fails or the call ends. A parked transcoder drops what it reads.
func (t *transcoder) read(ctx context.Context) {
	var p rtp.Packet
	for {
		if err := t.src.ReadRTP(&p); err != nil || ctx.Err() != nil {
			return
		}
		at := t.clock()
		t.seen.Store(int64(at))
		path := t.path.Load()
		if path == nil {
			t.counters.dropped.Add(1)
			continue
		}
		path.Write(&p, at)
		select {
		case t.wake <- struct{}{}:
		default:
		}
	}
}

// pump runs the path after each packet that arrives and whenever the path
// asks to run again (jitter buffer release, the audio clock), until the
// call ends.
func (t *transcoder) pump(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	emit := func(p *rtp.Packet) error {
		n := uint64(len(p.Payload))
		if err := t.dst.WriteRTP(p); err != nil {
			t.counters.dropped.Add(1)
			return nil
		}
		t.counters.packets.Add(1)
		t.counters.bytes.Add(n)
		return nil
	}
	for {
		wait := time.Hour
		if path := t.path.Load(); path != nil {
			// An error means the path was replaced or closed meanwhile:
			// the next round takes the current one.
			if next, err := path.Process(t.clock(), emit); err == nil {
				if path.KeyframeNeeded() {
					t.askUpstream()
				}
				if next > 0 {
					wait = max(next-t.clock(), time.Millisecond)
				}
			}
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-t.wake:
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// end frees the transcoder's path when the call ends. Safe to call more
// than once and from any goroutine.
func (t *transcoder) end() {
	t.mu.Lock()
	t.ended = true
	t.mu.Unlock()
	t.setPath(nil, nil, call.Stream{}, call.Stream{})
}

// result reports what the transcoder carried, with the codecs of its last
// path.
func (t *transcoder) result() StreamResult {
	src, dst := t.streams()
	return StreamResult{
		Role: t.role, From: t.from, To: t.to, Path: PathTranscode, Codec: src.Codec, ToCodec: dst.Codec,
		Packets: t.counters.packets.Load(), Bytes: t.counters.bytes.Load(), Dropped: t.counters.dropped.Load(),
	}
}

// transcodeEvent handles the events that concern a transcoded stream, and
// reports whether it did: a keyframe request from leg i's far side is
// served by the encoder that feeds leg i (not passed upstream, whose
// pictures we decode), a bitrate request sets that encoder's target, and
// NACKs are dropped (the packets they name were never the source's).
func (j *joiner) transcodeEvent(i int, ev call.Event) bool {
	switch ev.Kind {
	case call.EventKeyframeRequest, call.EventBitrate, call.EventNACK:
	default:
		return false
	}
	t := j.transcoderInto(i, ev.Stream)
	if t == nil {
		return false
	}
	path := t.path.Load()
	if path == nil {
		return false
	}
	switch ev.Kind {
	case call.EventKeyframeRequest:
		path.RequestKeyframe()
	case call.EventBitrate:
		path.SetBitrate(ev.Bitrate)
	}
	return true
}

// transcoderInto returns the transcoder with a path that delivers into leg
// i's stream id (its first video one when id is empty).
func (j *joiner) transcoderInto(i int, id string) *transcoder {
	for _, t := range j.transcoders {
		if t.fromIdx == 1-i && t.path.Load() != nil && (t.dstID == id || (id == "" && t.role == call.RoleVideo)) {
			return t
		}
	}
	return nil
}

// endTranscoders frees every transcoder's path (the call ended).
func (j *joiner) endTranscoders() {
	for _, t := range j.transcoders {
		t.end()
	}
}

// transcodeResults reports the direction of every transcoder that carried
// a path.
func (j *joiner) transcodeResults() []StreamResult {
	var out []StreamResult
	for _, t := range j.transcoders {
		out = append(out, t.result())
	}
	return out
}
