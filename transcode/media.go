package transcode

import (
	"fmt"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/transcode/internal/av"
)

// Image is an I420 picture: a full-size luma plane and two chroma planes
// of half the width and height. Its planes may be views of codec memory,
// valid only for the call that hands them out.
type Image struct {
	Width, Height    int
	Y, Cb, Cr        []byte
	YStride, CStride int
}

func imageOf(p *av.Picture) Image {
	return Image{
		Width: p.Width(), Height: p.Height(),
		Y: p.Plane(0), Cb: p.Plane(1), Cr: p.Plane(2),
		YStride: p.Stride(0), CStride: p.Stride(1),
	}
}

// VideoEncoder encodes pictures that a local source draws (the test
// pattern service) into RTP packets of one codec.
type VideoEncoder struct {
	out *videoOut
	now time.Duration
}

// NewVideoEncoder prepares an encoder for pictures of about width×height
// (the size is adjusted to what the codec parameters allow; Size says the
// result).
func NewVideoEncoder(to call.Codec, width, height int, opts PathOptions) (*VideoEncoder, error) {
	f, err := parseFormat(to)
	if err != nil {
		return nil, fmt.Errorf("transcode: %s: %w", to, err)
	}
	if !f.video {
		return nil, fmt.Errorf("%w: %s is not a video codec", ErrUnsupported, to)
	}
	var stats PathStats
	o := newVideoOut(f, opts, &stats)
	w, h := o.targetSize(width, height)
	if err := o.open(w, h, 0); err != nil {
		o.close()
		return nil, err
	}
	return &VideoEncoder{out: o}, nil
}

// Size is the size of the pictures the encoder takes.
func (e *VideoEncoder) Size() (width, height int) { return e.out.enc.Width(), e.out.enc.Height() }

// FrameRate is the largest frame rate the encoder keeps.
func (e *VideoEncoder) FrameRate() int { return e.out.fps }

// Picture returns the encoder's own picture to draw the next frame into.
func (e *VideoEncoder) Picture() (Image, error) {
	if e.out.enc == nil {
		return Image{}, errClosedPath
	}
	if err := e.out.enc.Prepare(); err != nil {
		return Image{}, fmt.Errorf("transcode: %w", err)
	}
	return imageOf(e.out.enc.Input()), nil
}

// Encode encodes the picture drawn for media time 'at' (since the source
// began) and calls emit with its RTP packets.
func (e *VideoEncoder) Encode(at time.Duration, emit func(*rtp.Packet) error) error {
	if e.out.enc == nil {
		return errClosedPath
	}
	e.now = at
	ts := uint32(at * 90000 / time.Second)
	return e.out.write(e.out.enc.Input(), ts, at, emit)
}

// ForceKeyframe makes the next picture a keyframe (at most one forced
// keyframe per 300 ms; requests in between are merged).
func (e *VideoEncoder) ForceKeyframe() { e.out.requestKeyframe() }

// SetBitrate changes the target bitrate (capped by the options' maximum).
func (e *VideoEncoder) SetBitrate(bps uint32) error { return e.out.setBitrate(int(bps), e.now) }

// Close frees the encoder; it is safe to call more than once.
func (e *VideoEncoder) Close() { e.out.close() }

// AudioEncoder encodes PCM from a local source into RTP packets of one
// codec, in frames of the codec's packet time (20 ms by default).
type AudioEncoder struct {
	out      *audioOut
	rate, ch int
	send     func([]byte, bool, uint32) error
	emit     func(*rtp.Packet) error
}

// NewAudioEncoder prepares an encoder for PCM at rate Hz with channels
// channels (1 or 2), interleaved.
func NewAudioEncoder(to call.Codec, rate, channels int, opts PathOptions) (*AudioEncoder, error) {
	f, err := parseFormat(to)
	if err != nil {
		return nil, fmt.Errorf("transcode: %s: %w", to, err)
	}
	if f.video {
		return nil, fmt.Errorf("%w: %s is not an audio codec", ErrUnsupported, to)
	}
	enc, err := newAudioEncoder(f, rate, opts)
	if err != nil {
		return nil, err
	}
	e := &AudioEncoder{out: newAudioOut(f, enc, opts), rate: rate, ch: channels}
	e.send = func(b []byte, marker bool, ts uint32) error { return e.out.out.send(b, marker, ts, e.emit) }
	return e, nil
}

// FrameDuration is the duration of one packet's audio.
func (e *AudioEncoder) FrameDuration() time.Duration { return e.out.frameDur }

// Skip advances the RTP clock over d of audio that will never be sent (a
// live source that fell behind and dropped it), in whole frames, so that
// the timestamps keep following the media clock: a receiver then sees the
// gap, and the stream stays in sync with others from the same source.
func (e *AudioEncoder) Skip(d time.Duration) {
	if d <= 0 || e.out.frameDur <= 0 {
		return
	}
	e.out.out.ts += uint32(d/e.out.frameDur) * e.out.tsStep
}

// Write queues PCM and encodes every whole frame, calling emit with each
// RTP packet.
func (e *AudioEncoder) Write(pcm []int16, emit func(*rtp.Packet) error) error {
	if e.out.enc == nil {
		return errClosedPath
	}
	if err := e.out.write(pcm, e.rate, e.ch); err != nil {
		return err
	}
	e.emit = emit
	defer func() { e.emit = nil }()
	for e.out.ready() > 0 {
		if err := e.out.sendFrame(e.send); err != nil {
			return err
		}
	}
	return nil
}

// Close frees the encoder; it is safe to call more than once.
func (e *AudioEncoder) Close() { e.out.close() }

// AudioDecoder decodes RTP packets of one audio codec into PCM. It does no
// reordering: packets go in in order.
type AudioDecoder struct {
	dec audioDecoder
}

// NewAudioDecoder opens a decoder for codec from.
func NewAudioDecoder(from call.Codec) (*AudioDecoder, error) {
	f, err := parseFormat(from)
	if err != nil {
		return nil, fmt.Errorf("transcode: %s: %w", from, err)
	}
	if f.video {
		return nil, fmt.Errorf("%w: %s is not an audio codec", ErrUnsupported, from)
	}
	d, err := newAudioDecoder(f)
	if err != nil {
		return nil, err
	}
	return &AudioDecoder{dec: d}, nil
}

// Decode returns the interleaved PCM of one packet, with its rate and
// channel count; the PCM is valid until the next call.
func (d *AudioDecoder) Decode(p *rtp.Packet) (pcm []int16, rate, channels int, err error) {
	if d.dec == nil {
		return nil, 0, 0, errClosedPath
	}
	pcm, err = d.dec.decode(p.Payload)
	return pcm, d.dec.rate(), d.dec.channels(), err
}

// Close frees the decoder; it is safe to call more than once.
func (d *AudioDecoder) Close() {
	if d.dec != nil {
		d.dec.close()
		d.dec = nil
	}
}

// VideoDecoder decodes RTP packets of one video codec into pictures. Packets
// go in in order, with a flag for loss before each; after loss it withholds
// pictures until a keyframe.
type VideoDecoder struct {
	in    *videoIn
	stats PathStats
	emit  func(Image, uint32) error
	pic   func(*av.Picture, uint32) error
	now   time.Duration
}

// NewVideoDecoder opens a decoder for codec from.
func NewVideoDecoder(from call.Codec) (*VideoDecoder, error) {
	f, err := parseFormat(from)
	if err != nil {
		return nil, fmt.Errorf("transcode: %s: %w", from, err)
	}
	if !f.video {
		return nil, fmt.Errorf("%w: %s is not a video codec", ErrUnsupported, from)
	}
	d := &VideoDecoder{}
	if d.in, err = newVideoIn(f, &d.stats); err != nil {
		return nil, err
	}
	d.pic = func(p *av.Picture, ts uint32) error { return d.emit(imageOf(p), ts) }
	return d, nil
}

// Decode takes one packet; emit receives each picture that completes, with
// its RTP timestamp (the Image is valid only during the call). now is the
// caller's clock, which times how long pictures are withheld after loss.
func (d *VideoDecoder) Decode(p *rtp.Packet, lost bool, now time.Duration, emit func(Image, uint32) error) error {
	if d.in.dec == nil {
		return errClosedPath
	}
	d.emit, d.now = emit, now
	defer func() { d.emit = nil }()
	return d.in.push(p, lost, now, d.pic)
}

// KeyframeNeeded reports, at most twice a second, that the decoder lost
// pictures and needs a keyframe from the sender.
func (d *VideoDecoder) KeyframeNeeded() bool { return d.in.needsKeyframe(d.now) }

// Stats returns the decoder's counters (frames in, withheld, errors).
func (d *VideoDecoder) Stats() PathStats { return d.stats }

// Close frees the decoder; it is safe to call more than once.
func (d *VideoDecoder) Close() { d.in.close() }
