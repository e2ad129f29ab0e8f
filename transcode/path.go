package transcode

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/transcode/internal/av"
	"github.com/switchyard/switchyard/transcode/rtppayload"
)

// PathOptions tune a Path. The zero value is usable.
type PathOptions struct {
	// MaxBitrate caps the encoder, bits per second (media policy and the
	// receiver's limits); 0 leaves the codec's default (video: about 0.06
	// bits per pixel and frame; Opus 32 kbit/s per channel).
	MaxBitrate uint32
	// MaxWidth and MaxHeight cap the encoded picture; 0 means 1920×1080.
	MaxWidth, MaxHeight int
	// MaxFrameRate caps the encoded frame rate by dropping pictures; 0
	// means 30.
	MaxFrameRate int
	// KeyframeInterval bounds the time between keyframes; 0 means 10 s.
	KeyframeInterval time.Duration
	// MTU is the largest RTP payload sent; 0 means rtppayload.DefaultMTU.
	MTU int
	// DTX stops sending Opus frames while the audio is silent (one frame in
	// 400 ms keeps the receiver's comfort noise going).
	DTX bool
	// OpusComplexity is the Opus encoder's CPU/quality trade-off, 1..10;
	// 0 means 5, which suits real time.
	OpusComplexity int
	// Speed is the video encoder's speed/quality trade-off: an x264 preset
	// ("veryfast" when empty) or VP8's cpu-used ("8" when empty).
	Speed string
	// MinDelay and MaxDelay bound the jitter buffer's adaptive target
	// delay; 0 means 20 ms and 200 ms.
	MinDelay, MaxDelay time.Duration
	// SSRC the path sends as; 0 picks a random one.
	SSRC uint32
}

func (o PathOptions) mtu() int {
	if o.MTU <= 0 {
		return rtppayload.DefaultMTU
	}
	return max(o.MTU, 200)
}

func (o PathOptions) frameRate() int {
	if o.MaxFrameRate <= 0 {
		return 30
	}
	return min(o.MaxFrameRate, 60)
}

func (o PathOptions) keyframeInterval() time.Duration {
	if o.KeyframeInterval <= 0 {
		return 10 * time.Second
	}
	return max(o.KeyframeInterval, time.Second)
}

func (o PathOptions) maxSize() (int, int) {
	w, h := o.MaxWidth, o.MaxHeight
	if w <= 0 {
		w = 1920
	}
	if h <= 0 {
		h = 1080
	}
	return max(w, 64), max(h, 64)
}

// PathStats counts what a path carried.
type PathStats struct {
	PacketsIn  uint64 // RTP packets accepted from the source
	PacketsOut uint64 // RTP packets sent
	Foreign    uint64 // packets of another payload type, ignored
	// Frames are compressed audio frames or pictures.
	FramesIn       uint64
	FramesOut      uint64
	FramesDropped  uint64 // pictures dropped to cap the frame rate
	FramesWithheld uint64 // pictures not shown while a keyframe was awaited
	KeyframesOut   uint64
	Concealed      uint64 // audio frames made up for loss or silence
	DecodeErrors   uint64
	Malformed      uint64 // payloads the depacketizer rejected
	Jitter         JitterStats
}

// Path transcodes one direction of one stream: RTP packets of one codec in,
// RTP packets of another out. Write may be called from one goroutine
// (the reader of the source track) while another calls Process and the
// control methods.
type Path struct {
	from, to format
	jb       *jitterBuffer

	keyReq    atomic.Bool
	bitrate   atomic.Uint32
	closedFlg atomic.Bool
	foreign   atomic.Uint64

	mu     sync.Mutex // the decoding and encoding state below
	closed bool
	now    time.Duration
	pkt    jbPacket
	stats  PathStats

	// audio
	adec      audioDecoder
	aout      *audioOut
	expect    time.Duration // when the next input is due; made up after
	clockOn   bool
	lastInput time.Duration
	hadInput  bool
	pktLen    int           // samples per channel in the last packet, at the decoder's rate
	pktDur    time.Duration // its duration
	pktTicks  int64         // and in ticks of the source's RTP clock
	// covered is the source's RTP time (relative, as the jitter buffer
	// reports it) up to which output has been produced, by decoding or by
	// concealing shortly after real audio; valid while hasCovered.
	covered    int64
	hasCovered bool

	// video
	vin  *videoIn
	vout *videoOut

	// Callbacks built once, so that processing does not allocate: they
	// read the emit function of the current Process call from p.emit.
	emit      func(*rtp.Packet) error
	onPicture func(*av.Picture, uint32) error
	sendAudio func([]byte, bool, uint32) error
}

// Jitter buffer sizes, in packets: audio holds well over MaxDelay of 10 ms
// packets; video holds several 4K keyframes.
const (
	audioSlots = 64
	videoSlots = 2048
)

// NewPath prepares a path from one codec to another. Both must be
// supported, and both audio or both video (CanTranscode).
func NewPath(from, to call.Codec, opts PathOptions) (p *Path, err error) {
	ff, err := parseFormat(from)
	if err != nil {
		return nil, fmt.Errorf("transcode: from %s: %w", from, err)
	}
	tf, err := parseFormat(to)
	if err != nil {
		return nil, fmt.Errorf("transcode: to %s: %w", to, err)
	}
	if ff.video != tf.video {
		return nil, fmt.Errorf("%w: %s to %s crosses audio and video", ErrUnsupported, from, to)
	}
	p = &Path{from: ff, to: tf}
	p.onPicture = func(pic *av.Picture, ts uint32) error { return p.vout.write(pic, ts, p.now, p.emit) }
	p.sendAudio = func(b []byte, marker bool, ts uint32) error {
		p.stats.PacketsOut++
		p.stats.FramesOut++
		return p.aout.out.send(b, marker, ts, p.emit)
	}
	defer func() {
		if err != nil {
			p.Close()
			p = nil
		}
	}()
	if ff.video {
		p.jb = newJitterBuffer(from.ClockRate, false, videoSlots, opts.MinDelay, opts.MaxDelay)
		if p.vin, err = newVideoIn(ff, &p.stats); err != nil {
			return nil, err
		}
		p.vout = newVideoOut(tf, opts, &p.stats)
		return p, nil
	}
	p.jb = newJitterBuffer(from.ClockRate, true, audioSlots, opts.MinDelay, opts.MaxDelay)
	if p.adec, err = newAudioDecoder(ff); err != nil {
		return nil, err
	}
	enc, err := newAudioEncoder(tf, ff.rate, opts)
	if err != nil {
		return nil, err
	}
	p.aout = newAudioOut(tf, enc, opts)
	return p, nil
}

// From and To are the codecs the path converts between.
func (p *Path) From() call.Codec { return p.from.codec }
func (p *Path) To() call.Codec   { return p.to.codec }

// Video reports a video path.
func (p *Path) Video() bool { return p.from.video }

// Write accepts one packet from the source, which arrived at 'at' on the
// caller's monotonic clock (the one Process is given). The packet is
// copied. Packets of other payload types than the source codec's are
// ignored.
func (p *Path) Write(pkt *rtp.Packet, at time.Duration) {
	if p.closedFlg.Load() {
		return
	}
	if pkt.PayloadType != p.from.codec.PayloadType {
		p.foreign.Add(1)
		return
	}
	p.jb.push(pkt, at)
}

// Process decodes what the jitter buffer releases at 'now', encodes, and
// calls emit with each packet to send (valid only during the call). For
// audio it also keeps the output clock running: frames lost or never sent
// are concealed or filled with comfort noise. It returns when Process should
// run next if no packet arrives before then.
func (p *Path) Process(now time.Duration, emit func(*rtp.Packet) error) (next time.Duration, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, errClosedPath
	}
	p.now, p.emit = now, emit
	defer func() { p.emit = nil }()
	if p.from.video {
		return p.processVideo(now)
	}
	return p.processAudio(now)
}

var errClosedPath = errors.New("transcode: path closed")

func (p *Path) processVideo(now time.Duration) (time.Duration, error) {
	if p.keyReq.Swap(false) {
		p.vout.requestKeyframe()
	}
	if br := p.bitrate.Swap(0); br > 0 {
		if err := p.vout.setBitrate(int(br), now); err != nil {
			return 0, err
		}
	}
	for {
		ok, wake := p.jb.pop(now, &p.pkt)
		if !ok {
			return wake, nil
		}
		p.stats.PacketsIn++
		if err := p.vin.push(&p.pkt.Packet, p.pkt.Lost > 0, now, p.onPicture); err != nil {
			return 0, err
		}
	}
}

// audioGrace is how late input may be before it is made up.
const audioGrace = 10 * time.Millisecond

// concealFor is how long after the last packet loss is concealed by the
// decoder (or by repetition); after it comfort noise follows.
const concealFor = 100 * time.Millisecond

func (p *Path) processAudio(now time.Duration) (time.Duration, error) {
	o := p.aout
	if !p.clockOn {
		p.clockOn, p.expect = true, now
	}
	var wake time.Duration
	for {
		ok, w := p.jb.pop(now, &p.pkt)
		if !ok {
			wake = w
			break
		}
		p.stats.PacketsIn++
		p.stats.FramesIn++
		if p.pkt.First {
			p.hasCovered = false // a new source: its RTP time starts over
		}
		if p.hasCovered && p.pktTicks > 0 && p.pkt.Rel+p.pktTicks <= p.covered {
			// Its time was already filled with concealment: it came too
			// late. Playing it as well would put the output ahead of real
			// time, a packet's worth for every late packet.
			p.jb.lateAfterRelease()
			continue
		}
		if p.pkt.Lost > 0 && p.hadInput {
			lost := p.pkt.Lost
			if p.hasCovered && p.pktTicks > 0 {
				// Only the part of the gap not concealed already.
				lost = int(min(max((p.pkt.Rel-p.covered)/p.pktTicks, 0), int64(lost)))
			}
			lost = min(lost, 5)
			if lost > 0 {
				if err := o.write(p.adec.conceal(lost*p.pktLen), p.adec.rate(), p.adec.channels()); err != nil {
					return 0, err
				}
				p.stats.Concealed += uint64(lost)
			}
		}
		pcm, err := p.adec.decode(p.pkt.Payload)
		if err != nil {
			p.stats.DecodeErrors++
			pcm = p.adec.conceal(max(p.pktLen, p.adec.rate()/50))
		}
		if ch, rate := p.adec.channels(), p.adec.rate(); ch > 0 && rate > 0 && len(pcm) > 0 {
			p.pktLen = len(pcm) / ch
			p.pktDur = time.Duration(p.pktLen) * time.Second / time.Duration(rate)
			p.pktTicks = int64(p.pktLen) * int64(p.from.codec.ClockRate) / int64(rate)
		}
		p.covered, p.hasCovered = p.pkt.Rel+p.pktTicks, true
		if err := o.write(pcm, p.adec.rate(), p.adec.channels()); err != nil {
			return 0, err
		}
		p.lastInput, p.hadInput = now, true
		// The next packet is expected on the jitter buffer's schedule, so
		// that a change of its delay moves the wait rather than setting
		// off concealment.
		p.expect = max(p.jb.due(p.covered), now)
		if err := p.sendReady(); err != nil {
			return 0, err
		}
	}
	// Input that does not come in time is made up: concealed shortly
	// after real audio, comfort noise after that (and before any).
	step := o.frameDur
	if p.hadInput && p.pktDur > 0 {
		step = p.pktDur
	}
	for now >= p.expect+audioGrace {
		if now-p.expect > 10*step {
			p.expect = now // paused for long (hold, a stalled sender): no burst
		}
		if p.hadInput && now-p.lastInput < concealFor {
			if err := o.write(p.adec.conceal(p.pktLen), p.adec.rate(), p.adec.channels()); err != nil {
				return 0, err
			}
			// This stands for the next packet; if it comes after all, it
			// is dropped as late. (Comfort noise after a longer silence
			// stands for nothing: the sender may have paused without
			// moving its timestamps.)
			if p.pktTicks > 0 {
				p.covered += p.pktTicks
				p.expect = max(p.jb.due(p.covered), p.expect+time.Millisecond)
			} else {
				p.expect += step
			}
		} else {
			o.comfort(step)
			p.expect += step
		}
		p.stats.Concealed++
		if err := p.sendReady(); err != nil {
			return 0, err
		}
	}
	// A sender whose clock runs fast fills the queue: drop the excess.
	if o.ready() > 3 {
		o.fifo.drop((o.ready() - 2) * o.frameLen())
	}
	next := p.expect + audioGrace
	if wake > 0 && wake < next {
		next = wake
	}
	return next, nil
}

// sendReady encodes and sends every whole frame queued.
func (p *Path) sendReady() error {
	for p.aout.ready() > 0 {
		if err := p.aout.sendFrame(p.sendAudio); err != nil {
			return err
		}
	}
	return nil
}

// RequestKeyframe makes the path's encoder send a keyframe soon (the
// receiver lost pictures). Requests closer together than 300 ms are
// merged. Safe from any goroutine.
func (p *Path) RequestKeyframe() { p.keyReq.Store(true) }

// SetBitrate asks the encoder to keep under bps (the receiver's estimate),
// capped by PathOptions.MaxBitrate. Safe from any goroutine. Audio paths
// ignore it.
func (p *Path) SetBitrate(bps uint32) {
	if bps > 0 {
		p.bitrate.Store(bps)
	}
}

// KeyframeNeeded reports that the path lost pictures from its source and
// needs a keyframe from it; it reports so at most twice a second while the
// need lasts.
func (p *Path) KeyframeNeeded() bool {
	if !p.from.video {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	return p.vin.needsKeyframe(p.now)
}

// Stats returns the path's counters.
func (p *Path) Stats() PathStats {
	p.mu.Lock()
	s := p.stats
	p.mu.Unlock()
	s.Jitter = p.jb.snapshot()
	s.Foreign = p.foreign.Load()
	return s
}

// Close frees every codec context the path holds. It is safe to call more
// than once, and after an error.
func (p *Path) Close() {
	p.closedFlg.Store(true)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	if p.adec != nil {
		p.adec.close()
		p.adec = nil
	}
	if p.aout != nil {
		p.aout.close()
	}
	if p.vin != nil {
		p.vin.close()
	}
	if p.vout != nil {
		p.vout.close()
	}
}
