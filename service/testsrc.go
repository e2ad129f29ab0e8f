package service

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/transcode"
)

// Test source picture defaults: the size it asks the encoder for (the
// codec's parameters may make it smaller) and its frame rate.
const (
	testSourceWidth  = 1280
	testSourceHeight = 720
	testSourceFPS    = 30
	// maxLag is how far a source may fall behind real time before it skips
	// ahead instead of sending a burst.
	maxLag = 200 * time.Millisecond
)

// TestSource is a local leg that sends a moving test pattern (colour bars,
// a sweeping box, a running clock) and a 1 kHz tone with a louder beep at
// each second, encoded with the first codec of each stream of the caller's
// offer that the gateway can encode. What the caller sends is discarded.
// Keyframe and bitrate requests from the caller go to the video encoder.
type TestSource struct {
	id      string
	streams []call.Stream
	tracks  map[string]*sourceTrack
	events  chan call.Event
	start   time.Time

	mu    sync.Mutex
	ended bool
	err   error
	done  chan struct{}
}

// NewTestSource answers an offer: for each enabled audio and video stream
// it takes the first codec the transcoder can encode. It fails when no
// stream is left (call.CodecMismatch) or an encoder cannot open.
func NewTestSource(id string, offer call.Offer) (*TestSource, error) {
	if offer.Empty() {
		offer = DefaultOffer()
	}
	s := &TestSource{id: id, tracks: map[string]*sourceTrack{}, events: make(chan call.Event, 16),
		done: make(chan struct{}), start: time.Now()}
	for _, so := range offer.Streams {
		if so.Disabled || (so.Role != call.RoleAudio && so.Role != call.RoleVideo) {
			continue
		}
		for _, c := range so.Codecs {
			if strings.EqualFold(c.Name, "telephone-event") || !transcode.Supported(c) {
				continue
			}
			st := call.Stream{ID: so.ID, Role: so.Role, Codec: c, Direction: call.SendOnly, MaxBitrate: so.MaxBitrate}
			tr, err := newSourceTrack(st, s.start, s.done)
			if err != nil {
				s.closeTracks()
				return nil, fmt.Errorf("test source: %w", err)
			}
			s.streams = append(s.streams, st)
			s.tracks[so.ID] = tr
			break
		}
	}
	if len(s.streams) == 0 {
		return nil, call.Errorf(call.CodecMismatch, "test source: the offer has no audio or video codec it can encode")
	}
	return s, nil
}

// ID implements call.Leg.
func (s *TestSource) ID() string { return s.id }

// Protocol implements call.Leg.
func (s *TestSource) Protocol() call.Protocol { return call.ProtocolLocal }

// Direction implements call.Leg: a local service is dialed by the gateway.
func (s *TestSource) Direction() call.LegDirection { return call.Outbound }

// Remote implements call.Leg.
func (s *TestSource) Remote() string { return "service:testsrc" }

// Streams implements call.Leg.
func (s *TestSource) Streams() []call.Stream { return s.streams }

// Track implements call.Leg.
func (s *TestSource) Track(id string) (call.Track, bool) {
	t, ok := s.tracks[id]
	return t, ok
}

// Events implements call.Leg: the source reports nothing until it ends.
func (s *TestSource) Events() <-chan call.Event { return s.events }

// Send takes keyframe and bitrate requests for the video stream; other
// events mean nothing to a test pattern.
func (s *TestSource) Send(_ context.Context, ev call.Event) error {
	if s.isEnded() {
		return ErrEnded
	}
	for id, t := range s.tracks {
		if t.video == nil || (ev.Stream != "" && ev.Stream != id) {
			continue
		}
		switch ev.Kind {
		case call.EventKeyframeRequest:
			t.wantKey.Store(true)
		case call.EventBitrate:
			t.bitrate.Store(ev.Bitrate)
		}
	}
	return nil
}

// Hangup implements call.Leg.
func (s *TestSource) Hangup(_ context.Context, cause call.Cause) error {
	s.end(call.Errorf(cause, "test source hung up"))
	return nil
}

func (s *TestSource) isEnded() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ended
}

func (s *TestSource) end(err error) {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.ended, s.err = true, err
	close(s.done)
	close(s.events)
	s.mu.Unlock()
	s.closeTracks()
}

func (s *TestSource) closeTracks() {
	for _, t := range s.tracks {
		t.close()
	}
}

// Done implements call.Leg.
func (s *TestSource) Done() <-chan struct{} { return s.done }

// Err implements call.Leg.
func (s *TestSource) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// sourceTrack produces one stream's packets on demand: ReadRTP waits until
// the next frame is due, draws or synthesizes it, encodes it and returns
// its packets one by one. No goroutine of its own runs.
type sourceTrack struct {
	stream call.Stream
	start  time.Time
	done   <-chan struct{}

	mu      sync.Mutex // serializes ReadRTP with close
	closed  bool
	video   *transcode.VideoEncoder
	audio   *transcode.AudioEncoder
	pat     *pattern
	rate    int
	pcm     []int16
	sample  int64         // next audio sample
	frame   int64         // next video frame
	step    time.Duration // frame interval
	queue   []rtp.Packet  // the last frame's packets
	next    int           // the first of them not yet read
	bufs    [][]byte
	timer   *time.Timer
	wantKey atomic.Bool
	bitrate atomic.Uint32
}

func newSourceTrack(st call.Stream, start time.Time, done <-chan struct{}) (*sourceTrack, error) {
	t := &sourceTrack{stream: st, start: start, done: done}
	opts := transcode.PathOptions{MaxBitrate: st.MaxBitrate, MaxFrameRate: testSourceFPS}
	var err error
	if st.Role == call.RoleVideo {
		if t.video, err = transcode.NewVideoEncoder(st.Codec, testSourceWidth, testSourceHeight, opts); err != nil {
			return nil, err
		}
		w, h := t.video.Size()
		t.pat = newPattern(w, h)
		t.step = time.Second / time.Duration(t.video.FrameRate())
		return t, nil
	}
	t.rate = 48000
	switch strings.ToUpper(st.Codec.Name) {
	case "PCMU", "PCMA":
		t.rate = 8000
	case "G722":
		t.rate = 16000
	}
	if t.audio, err = transcode.NewAudioEncoder(st.Codec, t.rate, 1, opts); err != nil {
		return nil, err
	}
	t.step = t.audio.FrameDuration()
	t.pcm = make([]int16, int(t.step*time.Duration(t.rate)/time.Second))
	return t, nil
}

func (t *sourceTrack) Stream() call.Stream { return t.stream }

// WriteRTP discards what the caller sends.
func (t *sourceTrack) WriteRTP(*rtp.Packet) error {
	select {
	case <-t.done:
		return ErrEnded
	default:
		return nil
	}
}

// ReadRTP returns the next packet of the stream, waiting for its frame to
// be due. The payload stays valid until the next ReadRTP.
func (t *sourceTrack) ReadRTP(p *rtp.Packet) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for t.next >= len(t.queue) {
		if t.closed {
			return ErrEnded
		}
		if err := t.produce(); err != nil {
			return err
		}
	}
	*p = t.queue[t.next]
	t.next++
	return nil
}

// produce waits for the next frame and encodes it into the queue.
func (t *sourceTrack) produce() error {
	n := t.frame
	if t.audio != nil {
		n = t.sample / int64(len(t.pcm))
	}
	due := t.start.Add(time.Duration(n) * t.step)
	if lag := time.Since(due); lag > maxLag {
		// Fell behind (a stalled reader): skip to now rather than burst.
		// The video clock follows n; the audio encoder's RTP clock is told
		// of the frames skipped, so that audio keeps its timing and its
		// sync with the video.
		skip := int64(lag / t.step)
		n += skip
		due = t.start.Add(time.Duration(n) * t.step)
		if t.audio != nil {
			t.audio.Skip(time.Duration(skip) * t.step)
		}
	}
	if err := t.wait(due); err != nil {
		return err
	}
	t.queue, t.bufs, t.next = t.queue[:0], t.bufs[:0], 0
	at := time.Duration(n) * t.step
	if t.audio != nil {
		t.sample = n * int64(len(t.pcm))
		tone(t.pcm, t.rate, t.sample, t.start)
		t.sample += int64(len(t.pcm))
		return t.audio.Write(t.pcm, t.keep)
	}
	t.frame = n + 1
	if t.wantKey.Swap(false) {
		t.video.ForceKeyframe()
	}
	if br := t.bitrate.Swap(0); br > 0 {
		if err := t.video.SetBitrate(br); err != nil {
			return err
		}
	}
	img, err := t.video.Picture()
	if err != nil {
		return err
	}
	t.pat.draw(img, at, t.start.Add(at))
	return t.video.Encode(at, t.keep)
}

// keep queues a copy of an encoded packet.
func (t *sourceTrack) keep(p *rtp.Packet) error {
	i := len(t.bufs)
	if i < cap(t.bufs) {
		t.bufs = t.bufs[:i+1]
	} else {
		t.bufs = append(t.bufs, nil)
	}
	t.bufs[i] = append(t.bufs[i][:0], p.Payload...)
	q := *p
	q.Payload = t.bufs[i]
	t.queue = append(t.queue, q)
	return nil
}

// wait sleeps until due or the leg ends.
func (t *sourceTrack) wait(due time.Time) error {
	d := time.Until(due)
	if d <= 0 {
		return nil
	}
	if t.timer == nil {
		t.timer = time.NewTimer(d)
	} else {
		t.timer.Reset(d)
	}
	select {
	case <-t.timer.C:
		return nil
	case <-t.done:
		t.timer.Stop()
		return ErrEnded
	}
}

// close frees the encoders. A ReadRTP in progress returns soon after the
// leg's done channel closes (which the leg does first); the lock waits for
// it.
func (t *sourceTrack) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	t.closed = true
	if t.video != nil {
		t.video.Close()
	}
	if t.audio != nil {
		t.audio.Close()
	}
}
