package av

/*
#include <libavutil/frame.h>
#include <libavutil/samplefmt.h>
*/
import "C"

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"unsafe"

	"github.com/asticode/go-astiav"
)

// AudioDecoder turns compressed audio frames into interleaved 16-bit PCM.
type AudioDecoder struct {
	codec Codec
	cc    *astiav.CodecContext
	pkt   *astiav.Packet
	frame *astiav.Frame
	in    inputBuffer
	pcm   []int16

	rate, channels int
}

// NewAudioDecoder opens a decoder. rate and channels describe the stream as
// negotiated; extradata is the codec configuration (AAC's
// AudioSpecificConfig), or nil.
func NewAudioDecoder(c Codec, rate, channels int, extradata []byte) (d *AudioDecoder, err error) {
	quiet()
	dec, err := findDecoder(c)
	if err != nil {
		return nil, err
	}
	d = &AudioDecoder{codec: c, rate: rate, channels: channels}
	defer func() {
		if err != nil {
			d.Close()
			d = nil
		}
	}()
	if d.cc = astiav.AllocCodecContext(dec); d.cc == nil {
		return nil, fmt.Errorf("av: allocating a %s decoder failed", c)
	}
	if err := rawLayoutCheck(d.cc); err != nil {
		return nil, err
	}
	if channels <= 0 {
		channels = 1
	}
	d.cc.SetSampleRate(rate)
	if channels == 2 {
		d.cc.SetChannelLayout(astiav.ChannelLayoutStereo)
	} else {
		d.cc.SetChannelLayout(astiav.ChannelLayoutMono)
	}
	d.cc.SetChannels(channels)
	if len(extradata) > 0 {
		if err := d.cc.SetExtraData(extradata); err != nil {
			return nil, fmt.Errorf("av: %s decoder configuration: %w", c, err)
		}
	}
	d.cc.SetThreadCount(1)
	if err := d.cc.Open(dec, nil); err != nil {
		return nil, fmt.Errorf("av: opening the %s decoder: %w", c, err)
	}
	d.pkt = astiav.AllocPacket()
	d.frame = astiav.AllocFrame()
	if d.pkt == nil || d.frame == nil {
		return nil, errors.New("av: allocating decoder buffers failed")
	}
	return d, nil
}

// Decode decodes one compressed frame. The PCM it returns is interleaved,
// at Rate and Channels as the stream reports them, and stays valid until the
// next call.
func (d *AudioDecoder) Decode(data []byte) ([]int16, error) {
	if d.cc == nil {
		return nil, errClosed
	}
	d.pcm = d.pcm[:0]
	if len(data) == 0 {
		return d.pcm, nil
	}
	if err := d.in.set(d.pkt, data); err != nil {
		return nil, err
	}
	ret := sendPacket(d.cc, d.pkt)
	detachPacket(d.pkt)
	if ret < 0 && ret != codeEAGAIN {
		return d.pcm, codeError("decoding "+d.codec.String(), ret)
	}
	for {
		ret := receiveFrame(d.cc, d.frame)
		if ret == codeEAGAIN || ret == codeEOF {
			return d.pcm, nil
		}
		if ret < 0 {
			return d.pcm, codeError("decoding "+d.codec.String(), ret)
		}
		d.appendFrame()
		unrefFrame(d.frame)
	}
}

// Rate is the sample rate of the decoded PCM (Opus always decodes at 48 kHz).
func (d *AudioDecoder) Rate() int { return d.rate }

// Channels is the channel count of the decoded PCM.
func (d *AudioDecoder) Channels() int { return d.channels }

// appendFrame converts the decoded frame to interleaved s16 at the end of pcm.
func (d *AudioDecoder) appendFrame() {
	raw := rawFrame(d.frame)
	n := int(raw.nb_samples)
	ch := int(raw.ch_layout.nb_channels)
	if n <= 0 || ch <= 0 || ch > 8 {
		return
	}
	d.rate, d.channels = int(raw.sample_rate), ch
	start := len(d.pcm)
	d.pcm = growInt16(d.pcm, n*ch)
	out := d.pcm[start:]
	switch C.enum_AVSampleFormat(raw.format) {
	case C.AV_SAMPLE_FMT_S16:
		copy(out, unsafe.Slice((*int16)(unsafe.Pointer(raw.data[0])), n*ch))
	case C.AV_SAMPLE_FMT_S16P:
		for c := range ch {
			src := unsafe.Slice((*int16)(unsafe.Pointer(raw.data[c])), n)
			for i, v := range src {
				out[i*ch+c] = v
			}
		}
	case C.AV_SAMPLE_FMT_FLT:
		src := unsafe.Slice((*float32)(unsafe.Pointer(raw.data[0])), n*ch)
		for i, v := range src {
			out[i] = floatToS16(v)
		}
	case C.AV_SAMPLE_FMT_FLTP:
		for c := range ch {
			src := unsafe.Slice((*float32)(unsafe.Pointer(raw.data[c])), n)
			for i, v := range src {
				out[i*ch+c] = floatToS16(v)
			}
		}
	default:
		clear(out) // formats none of our decoders produce
	}
}

// Close frees the decoder. It is safe to call more than once.
func (d *AudioDecoder) Close() {
	if d.pkt != nil {
		detachPacket(d.pkt)
		d.pkt.Free()
		d.pkt = nil
	}
	if d.frame != nil {
		d.frame.Free()
		d.frame = nil
	}
	if d.cc != nil {
		d.cc.Free()
		d.cc = nil
	}
	d.in.free()
}

// AudioEncoderConfig describes an audio encoder.
type AudioEncoderConfig struct {
	Codec    Codec
	Rate     int // input sample rate; the encoder's own for G.722 (16000) and AAC
	Channels int
	Bitrate  int // bits per second; 0 picks the codec's default
	// Complexity is Opus's CPU/quality trade-off (0..10); 0 means 5.
	Complexity int
	// FEC turns on Opus in-band forward error correction, tuned for
	// LossPercent expected loss (default 10).
	FEC         bool
	LossPercent int
	// FrameMillis is the frame duration for codecs that allow a choice
	// (Opus, G.722): 20 when 0.
	FrameMillis int
}

// AudioEncoder turns interleaved 16-bit PCM into compressed frames.
type AudioEncoder struct {
	cfg       AudioEncoderConfig
	cc        *astiav.CodecContext
	frame     *astiav.Frame
	pkt       *astiav.Packet
	frameSize int
	pts       int64
	extradata []byte
}

// NewAudioEncoder opens an encoder.
func NewAudioEncoder(cfg AudioEncoderConfig) (e *AudioEncoder, err error) {
	quiet()
	enc, err := findEncoder(cfg.Codec)
	if err != nil {
		return nil, err
	}
	if cfg.Channels != 1 && cfg.Channels != 2 {
		return nil, fmt.Errorf("av: %s encoder: %d channels (want 1 or 2)", cfg.Codec, cfg.Channels)
	}
	if cfg.FrameMillis == 0 {
		cfg.FrameMillis = 20
	}
	e = &AudioEncoder{cfg: cfg}
	defer func() {
		if err != nil {
			e.Close()
			e = nil
		}
	}()
	if e.cc = astiav.AllocCodecContext(enc); e.cc == nil {
		return nil, fmt.Errorf("av: allocating a %s encoder failed", cfg.Codec)
	}
	if err := rawLayoutCheck(e.cc); err != nil {
		return nil, err
	}
	e.cc.SetSampleRate(cfg.Rate)
	if cfg.Channels == 2 {
		e.cc.SetChannelLayout(astiav.ChannelLayoutStereo)
	} else {
		e.cc.SetChannelLayout(astiav.ChannelLayoutMono)
	}
	e.cc.SetChannels(cfg.Channels)
	e.cc.SetTimeBase(astiav.NewRational(1, cfg.Rate))
	e.cc.SetThreadCount(1)
	var kv []string
	switch cfg.Codec {
	case G722:
		e.cc.SetSampleFormat(astiav.SampleFormatS16)
		e.cc.SetBitRate(64000)
	case Opus:
		e.cc.SetSampleFormat(astiav.SampleFormatS16)
		br := cfg.Bitrate
		if br == 0 {
			br = 32000 * cfg.Channels
		}
		e.cc.SetBitRate(int64(br))
		cx := cfg.Complexity
		if cx <= 0 {
			cx = 5
		}
		app := "audio"
		if cfg.Rate <= 16000 {
			app = "voip"
		}
		kv = append(kv, "compression_level", strconv.Itoa(min(cx, 10)), "application", app,
			"frame_duration", strconv.Itoa(cfg.FrameMillis), "vbr", "on")
		if cfg.FEC {
			loss := cfg.LossPercent
			if loss <= 0 {
				loss = 10
			}
			kv = append(kv, "fec", "1", "packet_loss", strconv.Itoa(loss))
		}
	case AAC:
		e.cc.SetSampleFormat(astiav.SampleFormatFltp)
		br := cfg.Bitrate
		if br == 0 {
			br = 64000 * cfg.Channels
		}
		e.cc.SetBitRate(int64(br))
		e.cc.SetProfile(astiav.ProfileAacLow)
		e.cc.SetFlags(e.cc.Flags().Add(astiav.CodecContextFlagGlobalHeader))
	default:
		return nil, fmt.Errorf("av: %s is not an audio codec", cfg.Codec)
	}
	opts, err := openOptions(kv...)
	if err != nil {
		return nil, err
	}
	err = e.cc.Open(enc, opts)
	opts.Free()
	if err != nil {
		return nil, fmt.Errorf("av: opening the %s encoder: %w", cfg.Codec, err)
	}
	e.frameSize = e.cc.FrameSize()
	if e.frameSize <= 0 {
		e.frameSize = cfg.Rate * cfg.FrameMillis / 1000
	}
	if x := e.cc.ExtraData(); len(x) > 0 {
		e.extradata = x
	}
	e.pkt = astiav.AllocPacket()
	e.frame = astiav.AllocFrame()
	if e.pkt == nil || e.frame == nil {
		return nil, errors.New("av: allocating encoder buffers failed")
	}
	e.frame.SetNbSamples(e.frameSize)
	e.frame.SetSampleFormat(e.cc.SampleFormat())
	e.frame.SetChannelLayout(e.cc.ChannelLayout())
	e.frame.SetSampleRate(cfg.Rate)
	if err := e.frame.AllocBuffer(0); err != nil {
		return nil, fmt.Errorf("av: allocating the %s input frame: %w", cfg.Codec, err)
	}
	return e, nil
}

// FrameSize is the number of samples per channel that each Encode takes.
func (e *AudioEncoder) FrameSize() int { return e.frameSize }

// Rate and Channels are the PCM the encoder takes.
func (e *AudioEncoder) Rate() int     { return e.cfg.Rate }
func (e *AudioEncoder) Channels() int { return e.cfg.Channels }

// ExtraData is the codec configuration the encoder produced (AAC's
// AudioSpecificConfig), or nil.
func (e *AudioEncoder) ExtraData() []byte { return e.extradata }

// Encode encodes FrameSize samples per channel of interleaved PCM and calls
// emit with each compressed frame that comes out (codecs with look-ahead
// emit nothing for their first frames). The data passed to emit is valid
// only during the call.
func (e *AudioEncoder) Encode(pcm []int16, emit func([]byte) error) error {
	if e.cc == nil {
		return errClosed
	}
	ch := e.cfg.Channels
	if len(pcm) != e.frameSize*ch {
		return fmt.Errorf("av: %s encoder takes %d samples, got %d", e.cfg.Codec, e.frameSize*ch, len(pcm))
	}
	if err := makeWritable(e.frame); err != nil {
		return err
	}
	raw := rawFrame(e.frame)
	switch C.enum_AVSampleFormat(raw.format) {
	case C.AV_SAMPLE_FMT_S16:
		copy(unsafe.Slice((*int16)(unsafe.Pointer(raw.data[0])), len(pcm)), pcm)
	case C.AV_SAMPLE_FMT_FLTP:
		for c := range ch {
			dst := unsafe.Slice((*float32)(unsafe.Pointer(raw.data[c])), e.frameSize)
			for i := range dst {
				dst[i] = float32(pcm[i*ch+c]) / 32768
			}
		}
	default:
		return fmt.Errorf("av: %s encoder: unexpected sample format", e.cfg.Codec)
	}
	raw.pts = C.int64_t(e.pts)
	e.pts += int64(e.frameSize)
	if ret := sendFrame(e.cc, e.frame); ret < 0 {
		return codeError("encoding "+e.cfg.Codec.String(), ret)
	}
	for {
		ret := receivePacket(e.cc, e.pkt)
		if ret == codeEAGAIN || ret == codeEOF {
			return nil
		}
		if ret < 0 {
			return codeError("encoding "+e.cfg.Codec.String(), ret)
		}
		err := emit(packetData(e.pkt))
		unrefPacket(e.pkt)
		if err != nil {
			return err
		}
	}
}

// Close frees the encoder. It is safe to call more than once.
func (e *AudioEncoder) Close() {
	if e.pkt != nil {
		e.pkt.Free()
		e.pkt = nil
	}
	if e.frame != nil {
		e.frame.Free()
		e.frame = nil
	}
	if e.cc != nil {
		e.cc.Free()
		e.cc = nil
	}
}

var errClosed = errors.New("av: used after Close")

func floatToS16(v float32) int16 {
	f := v * 32768
	switch {
	case f >= math.MaxInt16:
		return math.MaxInt16
	case f <= math.MinInt16:
		return math.MinInt16
	}
	return int16(f)
}

// growInt16 extends s by n elements, reusing its capacity when it can.
func growInt16(s []int16, n int) []int16 {
	if len(s)+n <= cap(s) {
		return s[:len(s)+n]
	}
	out := make([]int16, len(s)+n, 2*(len(s)+n))
	copy(out, s)
	return out
}
