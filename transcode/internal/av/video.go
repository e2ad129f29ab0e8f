package av

/*
#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <libavutil/pixfmt.h>

static int sy_is_i420(const AVFrame *f) {
	return f->format == AV_PIX_FMT_YUV420P || f->format == AV_PIX_FMT_YUVJ420P;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/asticode/go-astiav"
)

// Picture is a decoded or to-be-encoded video frame in FFmpeg memory. Its
// planes are views, valid until the codec that owns the picture is used
// again.
type Picture struct {
	f *astiav.Frame
}

// Width and Height are the picture's dimensions in pixels.
func (p *Picture) Width() int  { return int(rawFrame(p.f).width) }
func (p *Picture) Height() int { return int(rawFrame(p.f).height) }

// I420 reports whether the picture is planar 4:2:0 (Y, then quarter-size U
// and V planes), the format every encoder here takes.
func (p *Picture) I420() bool { return C.sy_is_i420(rawFrame(p.f)) != 0 }

// Stride is the distance in bytes between rows of plane i (0 = Y, 1 = U,
// 2 = V).
func (p *Picture) Stride(i int) int { return int(rawFrame(p.f).linesize[i]) }

// Plane returns plane i of an I420 picture without copying.
func (p *Picture) Plane(i int) []byte {
	h := p.Height()
	if i > 0 {
		h = (h + 1) / 2
	}
	return plane(p.f, i, h)
}

// Keyframe reports a picture that was coded without reference to others.
func (p *Picture) Keyframe() bool { return rawFrame(p.f).key_frame != 0 }

// PTS is the picture's presentation time in the codec's time base.
func (p *Picture) PTS() int64 { return int64(rawFrame(p.f).pts) }

// MaxPixels is the largest picture a decoder accepts (2560×1600): a
// gateway has no use for more, and the limit bounds what a forged header
// can make a decoder allocate.
const MaxPixels = 2560 * 1600

// VideoDecoder turns compressed pictures into Pictures.
type VideoDecoder struct {
	codec Codec
	cc    *astiav.CodecContext
	pkt   *astiav.Packet
	frame *astiav.Frame
	pic   Picture
	in    inputBuffer
}

// NewVideoDecoder opens a decoder; extradata is the out-of-band codec
// configuration, or nil.
func NewVideoDecoder(c Codec, extradata []byte) (d *VideoDecoder, err error) {
	quiet()
	dec, err := findDecoder(c)
	if err != nil {
		return nil, err
	}
	d = &VideoDecoder{codec: c}
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
	d.cc.SetThreadCount(1)
	d.cc.SetFlags(d.cc.Flags().Add(astiav.CodecContextFlagLowDelay))
	if len(extradata) > 0 {
		if err := d.cc.SetExtraData(extradata); err != nil {
			return nil, fmt.Errorf("av: %s decoder configuration: %w", c, err)
		}
	}
	// A stream may claim any picture size in a few bytes of header; refuse
	// pictures beyond MaxPixels rather than allocate for them.
	opts, err := openOptions("max_pixels", strconv.Itoa(MaxPixels))
	if err != nil {
		return nil, err
	}
	err = d.cc.Open(dec, opts)
	opts.Free()
	if err != nil {
		return nil, fmt.Errorf("av: opening the %s decoder: %w", c, err)
	}
	d.pkt = astiav.AllocPacket()
	d.frame = astiav.AllocFrame()
	if d.pkt == nil || d.frame == nil {
		return nil, errors.New("av: allocating decoder buffers failed")
	}
	d.pic.f = d.frame
	return d, nil
}

// Decode decodes one compressed picture and calls emit for each picture
// that comes out (normally one). pts is carried to the output.
func (d *VideoDecoder) Decode(data []byte, pts int64, emit func(*Picture) error) error {
	if d.cc == nil {
		return errClosed
	}
	if len(data) == 0 {
		return nil
	}
	if err := d.in.set(d.pkt, data); err != nil {
		return err
	}
	rp := rawPacket(d.pkt)
	rp.pts, rp.dts = C.int64_t(pts), C.int64_t(pts)
	ret := sendPacket(d.cc, d.pkt)
	detachPacket(d.pkt)
	var sendErr error
	if ret < 0 && ret != codeEAGAIN {
		sendErr = codeError("decoding "+d.codec.String(), ret)
	}
	for {
		ret := receiveFrame(d.cc, d.frame)
		if ret == codeEAGAIN || ret == codeEOF {
			return sendErr
		}
		if ret < 0 {
			return codeError("decoding "+d.codec.String(), ret)
		}
		raw := rawFrame(d.frame)
		if raw.width <= 0 || raw.height <= 0 {
			unrefFrame(d.frame)
			continue
		}
		raw.pts = raw.best_effort_timestamp
		err := emit(&d.pic)
		unrefFrame(d.frame)
		if err != nil {
			return err
		}
	}
}

// Close frees the decoder. It is safe to call more than once.
func (d *VideoDecoder) Close() {
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

// VideoEncoderConfig describes a video encoder.
type VideoEncoderConfig struct {
	Codec         Codec
	Width, Height int
	FrameRate     int // frames per second; also the time base of PTS values
	Bitrate       int // bits per second
	// KeyframeInterval is the longest run of frames between keyframes.
	KeyframeInterval int
	// H264Profile is "baseline" (constrained baseline), "main" or "high";
	// H264Level is like "3.1". Empty: baseline, level chosen by x264.
	H264Profile, H264Level string
	// MaxSliceBytes caps every H.264 slice (x264 slice-max-size), so each NAL
	// unit fits one RTP packet (packetization mode 0); for H.263 it is the
	// target distance between GOB headers. 0: no cap.
	MaxSliceBytes int
	// Speed is the encoder's speed/quality trade-off: x264 preset name
	// ("veryfast" when empty) or, for VP8, cpu-used (8 when empty).
	Speed string
	// Threads per encoder; 0 means 1.
	Threads int
}

// VideoEncoder turns I420 Pictures into compressed pictures.
type VideoEncoder struct {
	cfg   VideoEncoderConfig
	cc    *astiav.CodecContext
	pkt   *astiav.Packet
	input *astiav.Frame
	in    Picture
	// reconfigure says the encoder applies rate changes while open
	// (libx264); others are reopened.
	reconfigure bool
}

// NewVideoEncoder opens an encoder.
func NewVideoEncoder(cfg VideoEncoderConfig) (*VideoEncoder, error) {
	e := &VideoEncoder{cfg: cfg}
	if err := e.open(); err != nil {
		e.Close()
		return nil, err
	}
	e.input = astiav.AllocFrame()
	if e.input == nil {
		e.Close()
		return nil, errors.New("av: allocating the encoder's input picture failed")
	}
	e.input.SetWidth(cfg.Width)
	e.input.SetHeight(cfg.Height)
	e.input.SetPixelFormat(astiav.PixelFormatYuv420P)
	if err := e.input.AllocBuffer(0); err != nil {
		e.Close()
		return nil, fmt.Errorf("av: allocating the encoder's input picture: %w", err)
	}
	e.in.f = e.input
	return e, nil
}

func (e *VideoEncoder) open() (err error) {
	quiet()
	cfg := e.cfg
	enc, err := findEncoder(cfg.Codec)
	if err != nil {
		return err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width%2 != 0 || cfg.Height%2 != 0 {
		return fmt.Errorf("av: %s encoder: picture size %dx%d (want positive even sizes)", cfg.Codec, cfg.Width, cfg.Height)
	}
	if cfg.FrameRate <= 0 || cfg.Bitrate <= 0 {
		return fmt.Errorf("av: %s encoder: frame rate %d, bitrate %d (want both positive)", cfg.Codec, cfg.FrameRate, cfg.Bitrate)
	}
	cc := astiav.AllocCodecContext(enc)
	if cc == nil {
		return fmt.Errorf("av: allocating a %s encoder failed", cfg.Codec)
	}
	defer func() {
		if err != nil {
			cc.Free()
		}
	}()
	if err := rawLayoutCheck(cc); err != nil {
		return err
	}
	cc.SetWidth(cfg.Width)
	cc.SetHeight(cfg.Height)
	cc.SetPixelFormat(astiav.PixelFormatYuv420P)
	cc.SetTimeBase(astiav.NewRational(1, cfg.FrameRate))
	cc.SetFramerate(astiav.NewRational(cfg.FrameRate, 1))
	cc.SetBitRate(int64(cfg.Bitrate))
	threads := max(cfg.Threads, 1)
	cc.SetThreadCount(threads)
	gop := cfg.KeyframeInterval
	if gop <= 0 {
		gop = 10 * cfg.FrameRate
	}
	br := strconv.Itoa(cfg.Bitrate)
	kv := []string{"g", strconv.Itoa(gop), "bf", "0", "maxrate", br}
	switch cfg.Codec {
	case H264:
		preset := cfg.Speed
		if preset == "" {
			preset = "veryfast"
		}
		profile := cfg.H264Profile
		if profile == "" {
			profile = "baseline"
		}
		kv = append(kv, "bufsize", strconv.Itoa(cfg.Bitrate/2), "preset", preset, "tune", "zerolatency",
			"profile", profile, "forced-idr", "1")
		if cfg.H264Level != "" {
			kv = append(kv, "level", cfg.H264Level)
		}
		params := "repeat-headers=1:aud=0"
		if cfg.MaxSliceBytes > 0 {
			params += ":slice-max-size=" + strconv.Itoa(cfg.MaxSliceBytes)
		}
		kv = append(kv, "x264-params", params)
		e.reconfigure = true
	case VP8:
		speed := cfg.Speed
		if speed == "" {
			speed = "8"
		}
		kv = append(kv, "minrate", br, "bufsize", br, "deadline", "realtime", "cpu-used", speed,
			"error-resilient", "default", "lag-in-frames", "0", "auto-alt-ref", "0",
			"qmin", "4", "qmax", "56", "max-intra-rate", "300", "drop-threshold", "0")
	case H263, H263P:
		kv = append(kv, "bufsize", br, "qmin", "2", "qmax", "31")
		if cfg.MaxSliceBytes > 0 {
			kv = append(kv, "ps", strconv.Itoa(cfg.MaxSliceBytes))
		}
	default:
		return fmt.Errorf("av: %s is not a video codec", cfg.Codec)
	}
	opts, err := openOptions(kv...)
	if err != nil {
		return err
	}
	err = cc.Open(enc, opts)
	opts.Free()
	if err != nil {
		return fmt.Errorf("av: opening the %s encoder (%dx%d): %w", cfg.Codec, cfg.Width, cfg.Height, err)
	}
	if e.pkt == nil {
		if e.pkt = astiav.AllocPacket(); e.pkt == nil {
			return errors.New("av: allocating an encoder packet failed")
		}
	}
	e.cc = cc
	return nil
}

// Input is the encoder's own picture, of its size and format: fill it
// (after Prepare) and pass it to Encode.
func (e *VideoEncoder) Input() *Picture { return &e.in }

// Prepare makes the input picture safe to overwrite.
func (e *VideoEncoder) Prepare() error {
	if e.input == nil {
		return errClosed
	}
	return makeWritable(e.input)
}

// Width and Height are the size of pictures the encoder takes.
func (e *VideoEncoder) Width() int  { return e.cfg.Width }
func (e *VideoEncoder) Height() int { return e.cfg.Height }

// FrameRate is the encoder's nominal frame rate (the PTS time base).
func (e *VideoEncoder) FrameRate() int { return e.cfg.FrameRate }

// Bitrate is the current target in bits per second.
func (e *VideoEncoder) Bitrate() int { return e.cfg.Bitrate }

// Encode encodes one picture of the encoder's size (I420) at pts, in
// frames of FrameRate, strictly increasing. keyframe forces an intra
// (IDR) picture. emit receives each compressed picture with whether it is a
// keyframe; the data is valid only during the call.
func (e *VideoEncoder) Encode(p *Picture, pts int64, keyframe bool, emit func(data []byte, key bool) error) error {
	if e.cc == nil {
		return errClosed
	}
	if p.Width() != e.cfg.Width || p.Height() != e.cfg.Height || !p.I420() {
		return fmt.Errorf("av: %s encoder takes %dx%d I420 pictures, got %dx%d", e.cfg.Codec, e.cfg.Width, e.cfg.Height, p.Width(), p.Height())
	}
	raw := rawFrame(p.f)
	raw.pts = C.int64_t(pts)
	if keyframe {
		raw.pict_type = C.AV_PICTURE_TYPE_I
		raw.key_frame = 1
	} else {
		raw.pict_type = C.AV_PICTURE_TYPE_NONE
		raw.key_frame = 0
	}
	if ret := sendFrame(e.cc, p.f); ret < 0 {
		return codeError("encoding "+e.cfg.Codec.String(), ret)
	}
	raw.pict_type = C.AV_PICTURE_TYPE_NONE
	for {
		ret := receivePacket(e.cc, e.pkt)
		if ret == codeEAGAIN || ret == codeEOF {
			return nil
		}
		if ret < 0 {
			return codeError("encoding "+e.cfg.Codec.String(), ret)
		}
		key := rawPacket(e.pkt).flags&C.AV_PKT_FLAG_KEY != 0
		err := emit(packetData(e.pkt), key)
		unrefPacket(e.pkt)
		if err != nil {
			return err
		}
	}
}

// Reconfigurable reports whether SetBitrate applies without reopening the
// encoder (libx264). Other encoders are reopened, which makes their next
// picture a keyframe, so callers should change their rate sparingly.
func (e *VideoEncoder) Reconfigurable() bool { return e.reconfigure }

// SetBitrate changes the target bitrate; see Reconfigurable.
func (e *VideoEncoder) SetBitrate(bps int) error {
	if e.cc == nil {
		return errClosed
	}
	if bps <= 0 || bps == e.cfg.Bitrate {
		return nil
	}
	e.cfg.Bitrate = bps
	if e.reconfigure {
		setRate(e.cc, int64(bps), int64(bps), bps/2)
		return nil
	}
	old := e.cc
	e.cc = nil
	if err := e.open(); err != nil {
		e.cc = old
		return err
	}
	old.Free()
	return nil
}

// Close frees the encoder. It is safe to call more than once.
func (e *VideoEncoder) Close() {
	if e.pkt != nil {
		e.pkt.Free()
		e.pkt = nil
	}
	if e.input != nil {
		e.input.Free()
		e.input = nil
	}
	if e.cc != nil {
		e.cc.Free()
		e.cc = nil
	}
}

// Scaler converts pictures of any size and pixel format to I420 pictures
// of one size (libswscale, bilinear).
type Scaler struct {
	ssc        *astiav.SoftwareScaleContext
	srcW, srcH int
	srcFmt     astiav.PixelFormat
	dstW, dstH int
}

// Scale writes src, converted, into dst (an encoder's Input picture).
func (s *Scaler) Scale(src, dst *Picture) error {
	w, h, f := src.Width(), src.Height(), src.f.PixelFormat()
	dw, dh := dst.Width(), dst.Height()
	if s.ssc == nil || w != s.srcW || h != s.srcH || f != s.srcFmt || dw != s.dstW || dh != s.dstH {
		s.Close()
		quiet()
		ssc, err := astiav.CreateSoftwareScaleContext(w, h, f, dw, dh, astiav.PixelFormatYuv420P,
			astiav.NewSoftwareScaleContextFlags(astiav.SoftwareScaleContextFlagBilinear))
		if err != nil {
			return fmt.Errorf("av: scaler %dx%d to %dx%d: %w", w, h, dw, dh, err)
		}
		s.ssc, s.srcW, s.srcH, s.srcFmt, s.dstW, s.dstH = ssc, w, h, f, dw, dh
	}
	if err := makeWritable(dst.f); err != nil {
		return err
	}
	if err := s.ssc.ScaleFrame(src.f, dst.f); err != nil {
		return fmt.Errorf("av: scaling %dx%d to %dx%d: %w", w, h, dw, dh, err)
	}
	return nil
}

// Close frees the scaler. It is safe to call more than once.
func (s *Scaler) Close() {
	if s.ssc != nil {
		s.ssc.Free()
		s.ssc = nil
	}
}
