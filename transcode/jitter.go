package transcode

import (
	"sync"
	"time"

	"github.com/pion/rtp"
)

// Jitter buffer bounds: the target delay adapts between these.
const (
	DefaultMinDelay = 20 * time.Millisecond
	DefaultMaxDelay = 200 * time.Millisecond
)

// jitterBuffer reorders one stream's packets by sequence number and detects
// loss. Audio packets are released at their playout time (arrival of the
// earliest packet, mapped through the RTP clock, plus the target delay), so
// that the decoder sees a steady stream; video packets are released as soon
// as they are in order, and a gap is declared lost after the target delay.
// The target delay follows the measured interarrival jitter (RFC 3550
// estimator) between its bounds, and rises when packets arrive too late.
//
// Push and pop may be called from different goroutines. Packet memory is a
// fixed ring of slots whose buffers grow to the largest payload seen, so a
// stream in steady state does not allocate.
type jitterBuffer struct {
	mu       sync.Mutex
	slots    []jbSlot
	mask     uint16
	clock    float64 // RTP clock rate, Hz
	audio    bool
	minDelay time.Duration
	maxDelay time.Duration

	started bool
	ssrc    uint32
	next    uint16 // the next sequence number to release
	count   int    // packets held
	delay   time.Duration

	// RTP timestamps, unwrapped relative to the first packet's.
	lastTS  uint32
	lastRel int64

	// Playout clock: base is the smallest transit time (arrival minus media
	// time) seen, which the earliest packet defines; a window lets it rise
	// again when the sender's clock is slower than ours.
	base        time.Duration
	winMin      time.Duration
	winStart    time.Duration
	jitter      float64 // seconds
	lastTransit time.Duration
	haveTransit bool
	frameTS     uint32 // video: the timestamp whose first packet was timed

	gapSince time.Duration // video: when the packet after the current gap arrived
	inGap    bool
	fresh    bool // the next packet released is the first of a source

	stats JitterStats
}

// JitterStats counts what the jitter buffer saw.
type JitterStats struct {
	Received   uint64        // packets accepted
	Lost       uint64        // sequence numbers never received in time
	Late       uint64        // packets that arrived after their turn, dropped
	Duplicates uint64        // packets received twice
	Resets     uint64        // source changes and sequence jumps
	Delay      time.Duration // current target delay
	Jitter     time.Duration // interarrival jitter estimate
}

type jbSlot struct {
	used   bool
	seq    uint16
	ts     uint32
	rel    int64
	marker bool
	pt     uint8
	at     time.Duration
	buf    []byte
}

// jbPacket is what pop hands out: a copy of one packet, with the number of
// packets lost just before it.
type jbPacket struct {
	rtp.Packet
	Lost int
	At   time.Duration // arrival
	Rel  int64         // RTP timestamp relative to the stream's first
	// First marks the first packet of a source (the stream started or
	// restarted): Rel starts over.
	First bool
	buf   []byte
}

// maxPayload bounds a stored payload (the largest UDP datagram).
const maxPayload = 65535

func newJitterBuffer(clockRate uint32, audio bool, slots int, minDelay, maxDelay time.Duration) *jitterBuffer {
	n := 1
	for n < slots {
		n <<= 1
	}
	n = min(n, 32768)
	if minDelay <= 0 {
		minDelay = DefaultMinDelay
	}
	if maxDelay < minDelay {
		maxDelay = max(DefaultMaxDelay, minDelay)
	}
	return &jitterBuffer{
		slots: make([]jbSlot, n), mask: uint16(n - 1), clock: float64(max(clockRate, 1)), audio: audio,
		minDelay: minDelay, maxDelay: maxDelay, delay: minDelay,
	}
}

// push stores a copy of p, which arrived at 'at'.
func (j *jitterBuffer) push(p *rtp.Packet, at time.Duration) {
	if len(p.Payload) > maxPayload {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.started || p.SSRC != j.ssrc {
		j.restart(p, at)
	}
	d := int16(p.SequenceNumber - j.next)
	switch {
	case d < 0:
		j.stats.Late++
		j.lateArrival()
		return
	case int(d) >= len(j.slots):
		// Further ahead than the ring holds: the sender jumped (or we fell
		// hopelessly behind). Start over from this packet.
		j.stats.Lost += uint64(j.count)
		j.restart(p, at)
	}
	s := &j.slots[p.SequenceNumber&j.mask]
	if s.used {
		if s.seq == p.SequenceNumber {
			j.stats.Duplicates++
			return
		}
		// A stale packet still sits in the slot: unreachable with the
		// distance check above, kept for safety.
		j.count--
	}
	rel := j.lastRel + int64(int32(p.Timestamp-j.lastTS))
	if int32(p.Timestamp-j.lastTS) > 0 || j.stats.Received == 0 {
		j.lastTS, j.lastRel = p.Timestamp, rel
	}
	s.used, s.seq, s.ts, s.rel, s.marker, s.pt, s.at = true, p.SequenceNumber, p.Timestamp, rel, p.Marker, p.PayloadType, at
	s.buf = append(s.buf[:0], p.Payload...)
	j.count++
	j.stats.Received++
	j.timing(rel, p.Timestamp, at)
}

// restart begins a new source at p.
func (j *jitterBuffer) restart(p *rtp.Packet, at time.Duration) {
	if j.started {
		j.stats.Resets++
	}
	for i := range j.slots {
		j.slots[i].used = false
	}
	j.started, j.ssrc, j.next, j.count = true, p.SSRC, p.SequenceNumber, 0
	j.lastTS, j.lastRel = p.Timestamp, 0
	j.haveTransit, j.inGap, j.fresh = false, false, true
	j.base = at
	j.winMin, j.winStart = at, at
	j.frameTS = p.Timestamp - 1
}

// timing updates the jitter estimate and the playout base with one arrival.
func (j *jitterBuffer) timing(rel int64, ts uint32, at time.Duration) {
	if !j.audio {
		// Packets of one video frame leave the sender in a burst; time
		// only the first packet of each frame.
		if ts == j.frameTS {
			return
		}
		j.frameTS = ts
	}
	transit := at - j.mediaTime(rel)
	if j.haveTransit {
		d := (transit - j.lastTransit).Seconds()
		if d < 0 {
			d = -d
		}
		j.jitter += (d - j.jitter) / 16
	}
	j.lastTransit, j.haveTransit = transit, true
	j.base = min(j.base, transit)
	if at-j.winStart > 2*time.Second {
		// Let the base follow a sender whose clock runs slow.
		j.base = max(j.base, j.winMin)
		j.winMin, j.winStart = transit, at
	}
	j.winMin = min(j.winMin, transit)
	target := time.Duration(3 * j.jitter * float64(time.Second))
	target = min(max(target, j.minDelay), j.maxDelay)
	if target > j.delay {
		j.delay = target
	} else if j.delay > target {
		j.delay -= min(j.delay-target, time.Millisecond) // decay slowly
	}
}

// lateArrival raises the delay when packets come after their turn.
func (j *jitterBuffer) lateArrival() {
	j.delay = min(j.delay+10*time.Millisecond, j.maxDelay)
}

// lateAfterRelease counts a packet that was released but came too late to
// be used (its time had already been filled with concealment), and raises
// the delay as for any late packet.
func (j *jitterBuffer) lateAfterRelease() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.stats.Late++
	j.lateArrival()
}

func (j *jitterBuffer) mediaTime(rel int64) time.Duration {
	return time.Duration(float64(rel) / j.clock * float64(time.Second))
}

// due is when audio at relative timestamp rel is to be played out: the
// schedule the jitter buffer releases packets on, which moves when the
// target delay or the transit base does.
func (j *jitterBuffer) due(rel int64) time.Duration {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.playout(rel)
}

// playout is when a packet with relative timestamp rel is due (audio).
func (j *jitterBuffer) playout(rel int64) time.Duration {
	return j.base + j.mediaTime(rel) + j.delay
}

// pop releases the next packet that is due at 'now' into out and reports
// whether there was one. wake is when to try again if not (0: only after
// a push).
func (j *jitterBuffer) pop(now time.Duration, out *jbPacket) (ok bool, wake time.Duration) {
	j.mu.Lock()
	defer j.mu.Unlock()
	out.Lost = 0
	for j.count > 0 {
		s := &j.slots[j.next&j.mask]
		if s.used && s.seq == j.next {
			if j.audio {
				if due := j.playout(s.rel); due > now {
					return false, due
				}
			}
			j.release(s, out)
			return true, 0
		}
		// A gap: find the first packet held after it.
		var first *jbSlot
		skip := 0
		for k := 1; k < len(j.slots); k++ {
			c := &j.slots[(j.next+uint16(k))&j.mask]
			if c.used && c.seq == j.next+uint16(k) {
				first, skip = c, k
				break
			}
		}
		if first == nil {
			j.count = 0 // unreachable: count says something is held
			return false, 0
		}
		if j.audio {
			if due := j.playout(first.rel); due > now {
				return false, due
			}
		} else {
			if !j.inGap {
				j.inGap, j.gapSince = true, first.at
			}
			if due := j.gapSince + j.delay; due > now {
				return false, due
			}
		}
		j.inGap = false
		j.stats.Lost += uint64(skip)
		out.Lost += skip
		j.next += uint16(skip)
	}
	return false, 0
}

func (j *jitterBuffer) release(s *jbSlot, out *jbPacket) {
	out.buf = append(out.buf[:0], s.buf...)
	out.Header = rtp.Header{Version: 2, PayloadType: s.pt, SequenceNumber: s.seq, Timestamp: s.ts, Marker: s.marker, SSRC: j.ssrc}
	out.Payload = out.buf
	out.At, out.Rel, out.First = s.at, s.rel, j.fresh
	j.fresh = false
	s.used = false
	j.count--
	j.next++
	j.inGap = false
}

// snapshot returns the counters.
func (j *jitterBuffer) snapshot() JitterStats {
	j.mu.Lock()
	defer j.mu.Unlock()
	s := j.stats
	s.Delay = j.delay
	s.Jitter = time.Duration(j.jitter * float64(time.Second))
	return s
}
