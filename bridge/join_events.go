package bridge

import (
	"context"
	"log/slog"

	"github.com/switchyard/switchyard/call"
)

// handle passes one event from leg i to the other leg, translated where
// streams or sequence numbers differ between the legs.
func (j *joiner) handle(i int, ev call.Event) {
	other := 1 - i
	switch ev.Kind {
	case call.EventMediaChange:
		j.replan()
	case call.EventHold:
		j.held = true
		j.send(other, ev)
	case call.EventResume:
		j.held = false
		now := int64(j.clock())
		j.seen[0].Store(now)
		j.seen[1].Store(now)
		j.send(other, ev)
	case call.EventKeyframeRequest, call.EventBitrate:
		// Leg i's far side asks the sender of its stream; that stream's
		// media comes from the other leg's counterpart.
		if id, ok := j.counterpart(i, ev.Stream, call.RoleVideo); ok {
			ev.Stream = id
			j.send(other, ev)
		}
	case call.EventNACK:
		r := j.relayInto(i, ev.Stream)
		if r == nil || len(ev.Seqs) == 0 {
			return
		}
		ev.Stream = r.srcID
		ev.Seqs = r.inboundSeqs(ev.Seqs)
		j.send(other, ev)
	case call.EventDTMF, call.EventChat, call.EventFECC,
		call.EventFloorRequest, call.EventFloorGranted, call.EventFloorReleased:
		if ev.Stream != "" {
			id, _ := j.counterpart(i, ev.Stream, call.RoleContent)
			ev.Stream = id
		}
		j.send(other, ev)
	default:
		// Ringing, progress and answered mean nothing once both legs run.
		j.log.Debug("bridge: event ignored", "leg", j.legs[i].ID(), "kind", ev.Kind)
	}
}

// counterpart returns the ID of the other leg's stream paired with leg i's
// stream id. An empty id means leg i's first stream of role def.
func (j *joiner) counterpart(i int, id string, def call.Role) (string, bool) {
	for _, p := range j.pairs {
		if !p.hasA || !p.hasB {
			continue
		}
		mine, theirs := p.a, p.b
		if i == 1 {
			mine, theirs = p.b, p.a
		}
		if mine.ID == id || (id == "" && p.role == def) {
			return theirs.ID, true
		}
	}
	return "", false
}

// relayInto returns the relay that delivers into leg i's stream id (or its
// first video relay when id is empty).
func (j *joiner) relayInto(i int, id string) *relay {
	for _, r := range j.relays {
		if r.fromIdx == 1-i && (r.dstID == id || (id == "" && r.role == call.RoleVideo)) {
			return r
		}
	}
	return nil
}

// send queues ev for leg i; a full queue drops it.
func (j *joiner) send(i int, ev call.Event) {
	select {
	case j.senders[i].q <- ev:
	default:
		j.log.Warn("bridge: event dropped, leg is not keeping up", "leg", j.legs[i].ID(), "kind", ev.Kind)
	}
}

// replan reads both legs' streams and starts, adjusts or idles relays.
func (j *joiner) replan() {
	j.pairs = planStreams(j.legs[0].Streams(), j.legs[1].Streams())
	active := make(map[*relay]bool)
	for _, p := range j.pairs {
		if !p.relay {
			continue
		}
		j.ensureRelay(0, p.role, p.a, p.b, active)
		j.ensureRelay(1, p.role, p.b, p.a, active)
	}
	j.timed = [2]bool{}
	for _, r := range j.relays {
		if !active[r] {
			r.enabled.Store(false)
			continue
		}
		if r.srcStream.Direction == call.SendRecv {
			j.timed[r.fromIdx] = true
		}
	}
}

// ensureRelay keeps or starts the relay from stream s of leg 'from' to
// stream d of the other leg.
func (j *joiner) ensureRelay(from int, role call.Role, s, d call.Stream, active map[*relay]bool) {
	to := 1 - from
	for _, r := range j.relays {
		if r.fromIdx != from || r.srcID != s.ID || r.dstID != d.ID {
			continue
		}
		r.remap(s, d)
		active[r] = true
		if !r.running.Load() {
			// Its loop ended (the track failed); a renegotiated leg may
			// serve the stream from a new track. Numbering continues.
			if j.attachTracks(r, from, s, d) {
				j.startRelay(r)
			}
		}
		return
	}
	r := newRelay(role, j.legs[from].ID(), j.legs[to].ID(), from, nil, nil, s, d, &j.seen[from], j.clock)
	if !j.attachTracks(r, from, s, d) {
		return
	}
	j.relays = append(j.relays, r)
	active[r] = true
	j.startRelay(r)
}

// attachTracks gives r the legs' current tracks for its streams.
func (j *joiner) attachTracks(r *relay, from int, s, d call.Stream) bool {
	src, ok1 := j.legs[from].Track(s.ID)
	dst, ok2 := j.legs[1-from].Track(d.ID)
	if !ok1 || !ok2 {
		j.log.Warn("bridge: stream has no track", "from", j.legs[from].ID(), "stream", s.ID, "to", j.legs[1-from].ID(), "to_stream", d.ID)
		return false
	}
	r.src, r.dst = src, dst
	return true
}

func (j *joiner) startRelay(r *relay) {
	r.running.Store(true)
	j.goGuarded(&j.relayWG, "relay "+r.from+"/"+r.srcID+" to "+r.to+"/"+r.dstID, func() {
		defer r.running.Store(false)
		r.run(j.ctx)
	})
}

// eventSender delivers events to one leg in order, off Join's goroutine, so
// that a slow Send (a SIP INFO transaction) never holds up the call.
type eventSender struct {
	leg call.Leg
	q   chan call.Event
}

func (s *eventSender) run(ctx context.Context, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-s.q:
			if err := s.leg.Send(ctx, ev); err != nil && ctx.Err() == nil {
				log.Warn("bridge: event not delivered", "leg", s.leg.ID(), "kind", ev.Kind, "err", err)
			}
		}
	}
}
