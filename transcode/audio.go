package transcode

import (
	"fmt"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/transcode/g711"
	"github.com/switchyard/switchyard/transcode/internal/av"
	"github.com/switchyard/switchyard/transcode/rtppayload"
)

// audioDecoder turns one codec's payloads into interleaved 16-bit PCM and
// makes up PCM for what was lost.
type audioDecoder interface {
	// decode returns the PCM of one payload, valid until the next call.
	decode(payload []byte) ([]int16, error)
	// conceal returns about n samples per channel standing in for lost
	// audio, valid until the next call.
	conceal(n int) []int16
	rate() int
	channels() int
	close()
}

// audioEncoder turns fixed-size frames of PCM into payloads.
type audioEncoder interface {
	frameSize() int // samples per channel per frame
	rate() int
	channels() int
	encode(pcm []int16, emit func([]byte) error) error
	close()
}

// newAudioDecoder opens the decoder for f.
func newAudioDecoder(f format) (audioDecoder, error) {
	if f.av == 0 {
		return &g711Decoder{alaw: f.alaw}, nil
	}
	var extradata []byte
	channels := f.channels
	switch f.av {
	case av.AAC:
		extradata = rtppayload.AACConfig(f.codec.FMTP)
	case av.Opus:
		if fmtpValue(f.codec.FMTP, "sprop-stereo", "0") == "1" {
			channels = 2
		}
	}
	d, err := av.NewAudioDecoder(f.av, f.rate, channels, extradata)
	if err != nil {
		return nil, fmt.Errorf("transcode: %s decoder: %w", f.name, err)
	}
	ff := &ffDecoder{d: d, opus: f.av == av.Opus}
	if f.av == av.AAC {
		a := &aacDecoder{ffDecoder: ff}
		a.onUnit = a.unit
		return a, nil
	}
	return ff, nil
}

// aacDecoder takes RFC 3640 payloads apart (AU headers, several units per
// packet) before decoding.
type aacDecoder struct {
	*ffDecoder
	dep    rtppayload.AACDepacketizer
	pkt    rtp.Packet
	pcm    []int16
	err    error
	onUnit func(rtppayload.Frame) error
}

func (d *aacDecoder) decode(p []byte) ([]int16, error) {
	d.pcm, d.err = d.pcm[:0], nil
	d.pkt.Payload, d.pkt.Marker = p, true
	if err := d.dep.Push(&d.pkt, false, d.onUnit); err != nil {
		return d.pcm, err
	}
	return d.pcm, d.err
}

func (d *aacDecoder) unit(fr rtppayload.Frame) error {
	pcm, err := d.ffDecoder.decode(fr.Data)
	if err != nil {
		d.err = err
		return nil
	}
	d.pcm = append(d.pcm, pcm...)
	return nil
}

// frameMillis is the output packetization: the codec's ptime when it is one
// the encoder can produce, else 20 ms.
func frameMillis(f format) int {
	switch pt := int(f.codec.PacketTime); {
	case f.av == av.AAC:
		return 0 // AAC frames are 1024 samples
	case f.av == av.Opus && (pt == 10 || pt == 20 || pt == 40 || pt == 60):
		return pt
	case f.av != av.Opus && pt >= 10 && pt <= 60 && pt%10 == 0:
		return pt
	}
	return 20
}

// defaultOpusComplexity trades a little quality for CPU: transcoded calls
// are mostly speech from narrowband or wideband sources.
const defaultOpusComplexity = 5

// newAudioEncoder opens the encoder for f, taking PCM at inputRate when the
// codec allows a choice (Opus encodes 8, 12, 16, 24 or 48 kHz input; a
// narrowband source then costs less to encode).
func newAudioEncoder(f format, inputRate int, opts PathOptions) (audioEncoder, error) {
	ms := frameMillis(f)
	if f.av == 0 {
		return &g711Encoder{alaw: f.alaw, n: 8 * ms}, nil
	}
	rate := f.rate
	if f.av == av.Opus {
		rate = 48000
		for _, r := range []int{8000, 12000, 16000, 24000} {
			if inputRate > 0 && inputRate <= r {
				rate = r
				break
			}
		}
	}
	br := 0
	if opts.MaxBitrate > 0 && f.av != av.G722 {
		br = int(opts.MaxBitrate)
	}
	cx := opts.OpusComplexity
	if cx <= 0 {
		cx = defaultOpusComplexity
	}
	e, err := av.NewAudioEncoder(av.AudioEncoderConfig{
		Codec: f.av, Rate: rate, Channels: f.channels, Bitrate: br,
		Complexity: min(cx, 10), FEC: f.av == av.Opus, FrameMillis: ms,
	})
	if err != nil {
		return nil, fmt.Errorf("transcode: %s encoder: %w", f.name, err)
	}
	return &ffEncoder{e: e}, nil
}

// g711Decoder decodes µ-law or A-law and conceals loss by repeating the last
// 20 ms with a fade.
type g711Decoder struct {
	alaw bool
	pcm  []int16
	plc  fadePLC
}

func (d *g711Decoder) decode(p []byte) ([]int16, error) {
	if d.alaw {
		d.pcm = g711.DecodeAlaw(d.pcm[:0], p)
	} else {
		d.pcm = g711.DecodeUlaw(d.pcm[:0], p)
	}
	d.plc.remember(d.pcm, 1)
	return d.pcm, nil
}

func (d *g711Decoder) conceal(n int) []int16 { return d.plc.conceal(n, 1) }
func (d *g711Decoder) rate() int             { return 8000 }
func (d *g711Decoder) channels() int         { return 1 }
func (d *g711Decoder) close()                {}

// ffDecoder decodes through FFmpeg. Opus conceals with its own decoder (a
// payload of only a table-of-contents byte makes libopus extrapolate);
// G.722 and AAC repeat the last 20 ms with a fade.
type ffDecoder struct {
	d    *av.AudioDecoder
	opus bool
	toc  byte // the last Opus TOC byte, 0 before any
	plc  fadePLC
	buf  []int16
}

func (d *ffDecoder) decode(p []byte) ([]int16, error) {
	pcm, err := d.d.Decode(p)
	if err != nil {
		return nil, err
	}
	if d.opus && len(p) > 0 {
		d.toc = p[0]
	} else {
		d.plc.remember(pcm, d.d.Channels())
	}
	return pcm, nil
}

func (d *ffDecoder) conceal(n int) []int16 {
	if !d.opus || d.toc == 0 {
		return d.plc.conceal(n, d.d.Channels())
	}
	d.buf = d.buf[:0]
	ch := d.d.Channels()
	toc := [1]byte{d.toc & 0xFC} // code 0: one frame, of zero bytes
	for len(d.buf) < n*ch {
		pcm, err := d.d.Decode(toc[:])
		if err != nil || len(pcm) == 0 {
			break
		}
		d.buf = append(d.buf, pcm...)
	}
	return d.buf
}

func (d *ffDecoder) rate() int     { return d.d.Rate() }
func (d *ffDecoder) channels() int { return d.d.Channels() }
func (d *ffDecoder) close()        { d.d.Close() }

// fadePLC remembers the last stretch of decoded audio and plays it again,
// fading, for lost packets: full level falling to half over the first
// repetition, then halving each time, silent after about 80 ms.
type fadePLC struct {
	last  []int16
	gain  float32
	out   []int16
	ready bool
}

// plcMemory is how much decoded audio the fade concealment keeps, in samples
// per channel at 8 kHz-equivalent (scaled by the caller's rate).
const plcMemory = 960

func (p *fadePLC) remember(pcm []int16, ch int) {
	n := min(len(pcm), plcMemory*ch)
	p.last = append(p.last[:0], pcm[len(pcm)-n:]...)
	p.gain, p.ready = 1, n > 0
}

func (p *fadePLC) conceal(n, ch int) []int16 {
	p.out = p.out[:0]
	total := n * ch
	if !p.ready || len(p.last) == 0 || p.gain < 0.05 {
		for range total {
			p.out = append(p.out, 0)
		}
		return p.out
	}
	end := p.gain / 2
	for i := range total {
		g := p.gain + (end-p.gain)*float32(i)/float32(total)
		p.out = append(p.out, int16(float32(p.last[i%len(p.last)])*g))
	}
	p.gain = end
	return p.out
}

// g711Encoder encodes frames of n samples.
type g711Encoder struct {
	alaw bool
	n    int
	buf  []byte
}

func (e *g711Encoder) frameSize() int { return e.n }
func (e *g711Encoder) rate() int      { return 8000 }
func (e *g711Encoder) channels() int  { return 1 }
func (e *g711Encoder) close()         {}

func (e *g711Encoder) encode(pcm []int16, emit func([]byte) error) error {
	if e.alaw {
		e.buf = g711.EncodeAlaw(e.buf[:0], pcm)
	} else {
		e.buf = g711.EncodeUlaw(e.buf[:0], pcm)
	}
	return emit(e.buf)
}

// ffEncoder encodes through FFmpeg.
type ffEncoder struct{ e *av.AudioEncoder }

func (e *ffEncoder) frameSize() int { return e.e.FrameSize() }
func (e *ffEncoder) rate() int      { return e.e.Rate() }
func (e *ffEncoder) channels() int  { return e.e.Channels() }
func (e *ffEncoder) close()         { e.e.Close() }
func (e *ffEncoder) encode(pcm []int16, emit func([]byte) error) error {
	return e.e.Encode(pcm, emit)
}

// audioOut is the sending half of an audio path: PCM in at any rate, RTP
// out in fixed frames on a clock of its own.
type audioOut struct {
	f      format
	enc    audioEncoder
	res    *av.Resampler
	resIn  [2]int // the resampler's input rate and channels
	fifo   pcmFIFO
	out    rtpOut
	pack   rtppayload.Packetizer // AAC only: the others send frames as they are
	sendTS uint32
	sendMk bool
	emitFn func([]byte, bool, uint32) error
	onUnit func([]byte) error
	onPart func([]byte, bool) error

	tsStep   uint32        // RTP timestamp units per frame
	frameDur time.Duration // duration of one frame
	silence  []int16
	noise    uint32

	dtx       bool
	quietRun  int // consecutive silent frames
	sinceSent int // frames since the last one sent during DTX
}

func newAudioOut(f format, enc audioEncoder, opts PathOptions) *audioOut {
	o := &audioOut{f: f, enc: enc, dtx: opts.DTX && f.av == av.Opus, noise: 0x2545F491}
	o.out.init(f.codec.PayloadType, opts.SSRC)
	n := enc.frameSize()
	o.tsStep = uint32(uint64(n) * uint64(f.codec.ClockRate) / uint64(enc.rate()))
	o.frameDur = time.Duration(n) * time.Second / time.Duration(enc.rate())
	o.silence = make([]int16, n*enc.channels())
	if f.av == av.AAC {
		o.pack = &rtppayload.AACPacketizer{MTU: opts.mtu()}
	}
	o.onUnit = func(b []byte) error {
		if o.pack != nil {
			return o.pack.Packetize(b, o.onPart)
		}
		return o.emitFn(b, o.sendMk, o.sendTS)
	}
	o.onPart = func(b []byte, last bool) error { return o.emitFn(b, last, o.sendTS) }
	return o
}

// write converts PCM (rate Hz, ch channels, interleaved) to the encoder's
// format and queues it.
func (o *audioOut) write(pcm []int16, rate, ch int) error {
	if len(pcm) == 0 {
		return nil
	}
	if rate != o.enc.rate() || ch != o.enc.channels() {
		if o.res == nil || o.resIn != [2]int{rate, ch} {
			if o.res != nil {
				o.res.Close()
				o.res = nil
			}
			r, err := av.NewResampler(rate, ch, o.enc.rate(), o.enc.channels())
			if err != nil {
				return fmt.Errorf("transcode: %w", err)
			}
			o.res, o.resIn = r, [2]int{rate, ch}
		}
		var err error
		if pcm, err = o.res.Convert(pcm); err != nil {
			return fmt.Errorf("transcode: %w", err)
		}
	}
	o.fifo.push(pcm)
	return nil
}

// frameLen is one frame of interleaved samples.
func (o *audioOut) frameLen() int { return o.enc.frameSize() * o.enc.channels() }

// ready reports how many whole frames are queued.
func (o *audioOut) ready() int { return o.fifo.len() / o.frameLen() }

// sendFrame encodes the oldest queued frame and sends it; at least one
// whole frame must be queued.
func (o *audioOut) sendFrame(emit func(payload []byte, marker bool, ts uint32) error) error {
	n := o.frameLen()
	pcm := o.fifo.peek(n)
	marker := false
	if o.dtx {
		if quiet(pcm) {
			o.quietRun++
		} else {
			if o.quietRun > dtxAfter {
				marker = true // a talkspurt begins (RFC 3551)
			}
			o.quietRun = 0
		}
		if o.quietRun > dtxAfter {
			o.sinceSent++
			if o.sinceSent < dtxRefresh {
				o.fifo.drop(min(n, o.fifo.len()))
				o.out.ts += o.tsStep
				return nil
			}
		}
		o.sinceSent = 0
	}
	o.sendTS, o.sendMk, o.emitFn = o.out.ts, marker, emit
	o.out.ts += o.tsStep
	err := o.enc.encode(pcm, o.onUnit)
	o.fifo.drop(min(n, o.fifo.len()))
	o.emitFn = nil
	return err
}

// DTX: after dtxAfter silent frames, send one frame in dtxRefresh.
const (
	dtxAfter   = 10
	dtxRefresh = 20
)

// quiet reports a frame below about -60 dBov.
func quiet(pcm []int16) bool {
	for _, s := range pcm {
		if s > 32 || s < -32 {
			return false
		}
	}
	return true
}

// comfort queues d of very low noise (about -80 dBov), so that a receiver
// hears a live line rather than digital silence.
func (o *audioOut) comfort(d time.Duration) {
	n := int(d*time.Duration(o.enc.rate())/time.Second) * o.enc.channels()
	for n > 0 {
		k := min(n, len(o.silence))
		for i := range o.silence[:k] {
			o.noise ^= o.noise << 13
			o.noise ^= o.noise >> 17
			o.noise ^= o.noise << 5
			o.silence[i] = int16(o.noise%5) - 2
		}
		o.fifo.push(o.silence[:k])
		n -= k
	}
}

func (o *audioOut) close() {
	if o.res != nil {
		o.res.Close()
		o.res = nil
	}
	if o.enc != nil {
		o.enc.close()
		o.enc = nil
	}
}

// pcmFIFO queues interleaved samples.
type pcmFIFO struct {
	buf []int16
	off int
}

func (f *pcmFIFO) len() int { return len(f.buf) - f.off }

func (f *pcmFIFO) push(s []int16) {
	if f.off > 0 && f.off >= len(f.buf)/2 {
		n := copy(f.buf, f.buf[f.off:])
		f.buf, f.off = f.buf[:n], 0
	}
	f.buf = append(f.buf, s...)
}

func (f *pcmFIFO) peek(n int) []int16 { return f.buf[f.off : f.off+n] }

func (f *pcmFIFO) drop(n int) {
	f.off += n
	if f.off >= len(f.buf) {
		f.buf, f.off = f.buf[:0], 0
	}
}
