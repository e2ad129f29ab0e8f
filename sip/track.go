package sip

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/rtpio"
)

// errLegEnded is what a track returns once its leg has ended.
var errLegEnded = errors.New("sip: leg ended")

// dtmfVolume is the power level of the RFC 4733 events we send (-dBm0).
const dtmfVolume = 10

// track is the media of one stream over its rtpio session. It turns
// received RFC 4733 telephone-events into EventDTMF instead of passing them
// on, and keeps the sequence numbers it sends contiguous when it inserts
// telephone-events of its own between the packets it is given.
type track struct {
	leg  *leg
	sess *rtpio.Session

	stream atomic.Pointer[call.Stream]
	// rxEvent is the telephone-event payload type received on this stream,
	// -1 for none; rxEventRate its clock rate.
	rxEvent     atomic.Int32
	rxEventRate atomic.Uint32

	rmu         sync.Mutex // the reader's state
	haveEvent   bool
	lastEventTS uint32

	wmu       sync.Mutex // the writers' state
	seqOffset uint16
	lastSeq   uint16
	lastTS    uint32
	ssrc      uint32
	wrote     bool
	txEvent   int // telephone-event payload type we send, -1 for none
	txRate    uint32
	payload   []byte
}

func newTrack(l *leg, sess *rtpio.Session, s call.Stream) *track {
	t := &track{leg: l, sess: sess, txEvent: -1, payload: make([]byte, 0, 4)}
	t.rxEvent.Store(-1)
	t.setStream(s, nil)
	return t
}

// setStream records the negotiated stream and its telephone-event format.
func (t *track) setStream(s call.Stream, events []call.Codec) {
	st := s
	t.stream.Store(&st)
	pt, rate := int32(-1), uint32(0)
	if len(events) > 0 {
		pt, rate = int32(events[0].PayloadType), events[0].ClockRate
	}
	t.rxEvent.Store(pt)
	t.rxEventRate.Store(rate)
	t.wmu.Lock()
	t.txEvent, t.txRate = int(pt), rate
	t.wmu.Unlock()
}

// Stream returns the stream as negotiated now.
func (t *track) Stream() call.Stream { return *t.stream.Load() }

// ReadRTP returns the next media packet. Telephone-events are consumed here
// and reported as EventDTMF, one per digit, when their end arrives.
func (t *track) ReadRTP(p *rtp.Packet) error {
	for {
		if err := t.sess.ReadRTP(p); err != nil {
			if t.leg.ended() || errors.Is(err, rtpio.ErrClosed) {
				return errLegEnded
			}
			return err
		}
		if pt := t.rxEvent.Load(); pt >= 0 && int32(p.PayloadType) == pt {
			t.onTelephoneEvent(p)
			continue
		}
		return nil
	}
}

func (t *track) onTelephoneEvent(p *rtp.Packet) {
	ev, err := rtpio.ParseDTMF(p.Payload)
	if err != nil || !ev.End {
		return
	}
	t.rmu.Lock()
	dup := t.haveEvent && t.lastEventTS == p.Timestamp
	t.haveEvent, t.lastEventTS = true, p.Timestamp
	t.rmu.Unlock()
	if dup {
		return
	}
	rate := t.rxEventRate.Load()
	if rate == 0 {
		rate = 8000
	}
	ms := uint32(ev.Duration) * 1000 / rate
	if ms > 0xffff {
		ms = 0xffff
	}
	t.leg.emit(call.Event{Kind: call.EventDTMF, Stream: t.Stream().ID, Digit: ev.Digit, Duration: uint16(ms)})
}

// WriteRTP sends p. Its sequence number is shifted past any telephone-event
// packets this track inserted; p itself is left as it was.
func (t *track) WriteRTP(p *rtp.Packet) error {
	if t.leg.ended() {
		return errLegEnded
	}
	t.wmu.Lock()
	orig := p.SequenceNumber
	p.SequenceNumber = orig + t.seqOffset
	err := t.sess.WriteRTP(p)
	if err == nil {
		t.lastSeq, t.lastTS, t.ssrc, t.wrote = p.SequenceNumber, p.Timestamp, p.SSRC, true
	}
	p.SequenceNumber = orig
	t.wmu.Unlock()
	if err != nil && t.leg.ended() {
		return errLegEnded
	}
	return err
}

// canSendDTMF reports whether a telephone-event format was negotiated.
func (t *track) canSendDTMF() bool {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	return t.txEvent >= 0
}

// sendDTMF plays one digit as RFC 4733 events: a packet every 50 ms with a
// growing duration, then the end packet three times.
func (t *track) sendDTMF(ctx context.Context, digit byte, durationMS uint16) error {
	if durationMS == 0 {
		durationMS = defaultDTMFDuration
	}
	t.wmu.Lock()
	pt, rate := t.txEvent, t.txRate
	if pt < 0 {
		t.wmu.Unlock()
		return errors.New("no telephone-event format was negotiated")
	}
	if rate == 0 {
		rate = 8000
	}
	if !t.wrote {
		t.ssrc, t.lastSeq, t.lastTS, t.wrote = rand.Uint32(), uint16(rand.Uint32()), rand.Uint32(), true
	}
	ssrc := t.ssrc
	ts := t.lastTS + rate/50
	t.wmu.Unlock()

	step := rate / 20 // 50 ms
	total := uint32(durationMS) * rate / 1000
	if total < step {
		total = step
	}
	if total > 0xffff {
		total = 0xffff
	}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	first := true
	for dur := step; ; dur += step {
		end := dur >= total
		if end {
			dur = total
		}
		repeat := 1
		if end {
			repeat = 3
		}
		for range repeat {
			if err := t.writeEvent(uint8(pt), ssrc, ts, first, rtpio.DTMFEvent{Digit: digit, End: end, Volume: dtmfVolume, Duration: uint16(dur)}); err != nil {
				return fmt.Errorf("send telephone-event: %w", err)
			}
			first = false
		}
		if end {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

func (t *track) writeEvent(pt uint8, ssrc, ts uint32, marker bool, ev rtpio.DTMFEvent) error {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	t.seqOffset++
	t.lastSeq++
	t.payload = rtpio.AppendDTMF(t.payload[:0], ev)
	p := rtp.Packet{
		Header: rtp.Header{Version: 2, Marker: marker, PayloadType: pt,
			SequenceNumber: t.lastSeq, Timestamp: ts, SSRC: ssrc},
		Payload: t.payload,
	}
	return t.sess.WriteRTP(&p)
}
