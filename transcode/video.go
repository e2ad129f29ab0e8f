package transcode

import (
	"fmt"
	"strconv"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/transcode/internal/av"
	"github.com/switchyard/switchyard/transcode/rtppayload"
)

// Video timing.
const (
	// keyframeWait is how long pictures are withheld after damage while a
	// keyframe is awaited; after it decoding resumes with what it has.
	keyframeWait = 2 * time.Second
	// keyframeAskEvery spaces keyframe requests to the sender.
	keyframeAskEvery = 500 * time.Millisecond
	// keyframeForceEvery spaces the keyframes forced on our encoder.
	keyframeForceEvery = 300 * time.Millisecond
	// reopenEvery spaces bitrate changes that reopen an encoder (VP8,
	// H.263), each of which costs a keyframe.
	reopenEvery = 3 * time.Second
)

func newDepacketizer(f format) rtppayload.Depacketizer {
	switch f.av {
	case av.H264:
		return &rtppayload.H264Depacketizer{}
	case av.VP8:
		return &rtppayload.VP8Depacketizer{}
	case av.H263:
		return &rtppayload.H263Depacketizer{}
	case av.H263P:
		return &rtppayload.H263PDepacketizer{}
	case av.AAC:
		return &rtppayload.AACDepacketizer{}
	}
	return nil
}

func newPacketizer(f format, mtu int) rtppayload.Packetizer {
	switch f.av {
	case av.H264:
		return &rtppayload.H264Packetizer{MTU: mtu, Mode: f.h264Mode}
	case av.VP8:
		return &rtppayload.VP8Packetizer{MTU: mtu}
	case av.H263:
		return &rtppayload.H263Packetizer{MTU: mtu}
	case av.H263P:
		return &rtppayload.H263PPacketizer{MTU: mtu}
	case av.AAC:
		return &rtppayload.AACPacketizer{MTU: mtu}
	}
	return nil
}

// videoIn is the receiving half of a video path: ordered RTP packets in,
// decoded pictures out. After loss or a decoding error it withholds
// pictures until a keyframe repairs the picture (or keyframeWait passes),
// and asks for one.
type videoIn struct {
	depack rtppayload.Depacketizer
	dec    *av.VideoDecoder

	waitKey   bool
	waitSince time.Duration
	wantKey   bool
	lastAsk   time.Duration
	asked     bool
	started   bool
	now       time.Duration

	emit      func(*av.Picture, uint32) error
	emitErr   error
	onFrame   func(rtppayload.Frame) error
	onPicture func(*av.Picture) error

	stats *PathStats
}

func newVideoIn(f format, stats *PathStats) (*videoIn, error) {
	var extradata []byte
	if f.av == av.H264 {
		extradata = rtppayload.H264ParameterSets(f.codec.FMTP)
	}
	dec, err := av.NewVideoDecoder(f.av, extradata)
	if err != nil {
		return nil, fmt.Errorf("transcode: %s decoder: %w", f.name, err)
	}
	// A decoder starts without a reference picture.
	v := &videoIn{depack: newDepacketizer(f), dec: dec, waitKey: true, wantKey: true, stats: stats}
	v.onFrame, v.onPicture = v.frame, v.picture
	return v, nil
}

// push takes one packet (lost: packets are missing before it) and calls
// emit with each picture that is fit to show, with its RTP timestamp.
// Decoding errors are not returned: they are concealed by withholding
// pictures until a keyframe, which needsKeyframe then asks for.
func (v *videoIn) push(p *rtp.Packet, lost bool, now time.Duration, emit func(*av.Picture, uint32) error) error {
	v.now, v.emit, v.emitErr = now, emit, nil
	if !v.started {
		v.started, v.waitSince = true, now
	}
	if lost {
		v.damage()
	}
	if err := v.depack.Push(p, lost, v.onFrame); err != nil {
		v.stats.Malformed++
		v.damage()
	}
	v.emit = nil
	return v.emitErr
}

// frame decodes one rebuilt frame.
func (v *videoIn) frame(fr rtppayload.Frame) error {
	if fr.Damaged {
		v.damage()
	}
	v.stats.FramesIn++
	if err := v.dec.Decode(fr.Data, int64(fr.Timestamp), v.onPicture); err != nil {
		if v.emitErr != nil {
			return v.emitErr
		}
		v.stats.DecodeErrors++
		v.damage()
	}
	return nil
}

// picture passes on one decoded picture unless a keyframe is awaited.
func (v *videoIn) picture(pic *av.Picture) error {
	if v.waitKey {
		if !pic.Keyframe() && v.now-v.waitSince < keyframeWait {
			v.stats.FramesWithheld++
			return nil
		}
		v.waitKey, v.wantKey = false, false
	}
	if err := v.emit(pic, uint32(pic.PTS())); err != nil {
		v.emitErr = err
		return err
	}
	return nil
}

// damage withholds pictures until the next keyframe and wants one.
func (v *videoIn) damage() {
	if !v.waitKey {
		v.waitKey, v.waitSince = true, v.now
	}
	v.wantKey = true
}

// needsKeyframe reports, at most every keyframeAskEvery, that the sender
// should send a keyframe.
func (v *videoIn) needsKeyframe(now time.Duration) bool {
	if !v.wantKey || (v.asked && now-v.lastAsk < keyframeAskEvery) {
		return false
	}
	v.lastAsk, v.asked = now, true
	if !v.waitKey {
		v.wantKey = false
	}
	return true
}

func (v *videoIn) close() {
	if v.dec != nil {
		v.dec.Close()
		v.dec = nil
	}
}

// videoOut is the sending half of a video path: pictures in, RTP out. It
// caps the frame rate by dropping pictures, scales to a size the receiver
// accepts, encodes and packetizes. Output timestamps follow the source's
// timing on an RTP clock of its own.
type videoOut struct {
	f      format
	opts   PathOptions
	enc    *av.VideoEncoder
	scaler av.Scaler
	pack   rtppayload.Packetizer
	out    rtpOut

	fps     int
	bitrate int // current target, bits/s

	started    bool
	srcBase    uint32 // source timestamp of pts 0
	lastSrc    uint32
	kept       bool
	lastKept   uint32
	lastPTS    int64
	outOffset  uint32 // output timestamp = source timestamp + outOffset
	forceKey   bool
	lastForced time.Duration
	forced     bool
	lastReopen time.Duration
	pendingBR  int

	ts     uint32 // timestamp of the picture being packetized
	emitFn func(*rtp.Packet) error
	sendFn func([]byte, bool) error
	encFn  func([]byte, bool) error

	stats *PathStats
}

func newVideoOut(f format, opts PathOptions, stats *PathStats) *videoOut {
	o := &videoOut{f: f, opts: opts, pack: newPacketizer(f, opts.mtu()), fps: opts.frameRate(), stats: stats}
	o.out.init(f.codec.PayloadType, opts.SSRC)
	o.sendFn = func(b []byte, marker bool) error {
		o.stats.PacketsOut++
		return o.out.send(b, marker, o.ts, o.emitFn)
	}
	o.encFn = func(data []byte, key bool) error {
		o.stats.FramesOut++
		if key {
			o.stats.KeyframesOut++
		}
		return o.pack.Packetize(data, o.sendFn)
	}
	return o
}

// requestKeyframe makes the next picture a keyframe.
func (o *videoOut) requestKeyframe() { o.forceKey = true }

// setBitrate changes the encoder's target, within the policy cap.
func (o *videoOut) setBitrate(bps int, now time.Duration) error {
	if o.opts.MaxBitrate > 0 {
		bps = min(bps, int(o.opts.MaxBitrate))
	}
	bps = max(bps, minVideoBitrate)
	o.bitrate = bps
	if o.enc == nil || bps == o.enc.Bitrate() {
		o.pendingBR = 0
		return nil
	}
	if !o.enc.Reconfigurable() {
		// Reopening costs a keyframe: only for a real change, not too often.
		old := o.enc.Bitrate()
		if (bps > old*3/4 && bps < old*5/4) || now-o.lastReopen < reopenEvery {
			o.pendingBR = bps
			return nil
		}
		o.lastReopen = now
	}
	o.pendingBR = 0
	return o.enc.SetBitrate(bps)
}

// minVideoBitrate is the floor under any requested video bitrate.
const minVideoBitrate = 64000

// write encodes one picture whose source timestamp is ts (90 kHz).
func (o *videoOut) write(pic *av.Picture, ts uint32, now time.Duration, emit func(*rtp.Packet) error) error {
	if !o.started {
		o.started, o.srcBase, o.lastSrc = true, ts, ts
		o.outOffset = o.out.ts - ts
		o.lastPTS = -1
	}
	if d := int32(ts - o.lastSrc); d < 0 || d > 10*90000 {
		// The source restarted its clock: ours continues one frame later.
		next := o.lastSrc + o.outOffset + uint32(90000/o.fps)
		o.outOffset = next - ts
		o.srcBase = ts - uint32((o.lastPTS+1)*90000/int64(o.fps))
		o.kept = false
	}
	o.lastSrc = ts
	key := o.forceKey && (!o.forced || now-o.lastForced >= keyframeForceEvery)
	if o.kept && !key {
		if int32(ts-o.lastKept) < int32(90000/o.fps*85/100) {
			o.stats.FramesDropped++
			return nil
		}
	}
	w, h := o.targetSize(pic.Width(), pic.Height())
	if o.enc == nil || ((w != o.enc.Width() || h != o.enc.Height()) && pic.Keyframe()) {
		if err := o.open(w, h, now); err != nil {
			return err
		}
		key = true
	}
	if o.pendingBR > 0 && now-o.lastReopen >= reopenEvery {
		if err := o.setBitrate(o.pendingBR, now); err != nil {
			return err
		}
	}
	src := pic
	if pic.Width() != o.enc.Width() || pic.Height() != o.enc.Height() || !pic.I420() {
		if err := o.scaler.Scale(pic, o.enc.Input()); err != nil {
			return fmt.Errorf("transcode: %w", err)
		}
		src = o.enc.Input()
	}
	pts := int64(int32(ts-o.srcBase)) * int64(o.fps) / 90000
	if pts <= o.lastPTS {
		pts = o.lastPTS + 1
	}
	o.kept, o.lastKept, o.lastPTS = true, ts, pts
	if key {
		o.forceKey, o.forced, o.lastForced = false, true, now
	}
	o.ts, o.emitFn = ts+o.outOffset, emit
	if err := o.enc.Encode(src, pts, key, o.encFn); err != nil {
		return fmt.Errorf("transcode: %w", err)
	}
	return nil
}

// open (re)creates the encoder for w×h pictures.
func (o *videoOut) open(w, h int, now time.Duration) error {
	if o.bitrate == 0 {
		o.bitrate = defaultVideoBitrate(w, h, o.fps)
		if o.opts.MaxBitrate > 0 {
			o.bitrate = min(o.bitrate, int(o.opts.MaxBitrate))
		}
		o.bitrate = max(o.bitrate, minVideoBitrate)
	}
	cfg := av.VideoEncoderConfig{
		Codec: o.f.av, Width: w, Height: h, FrameRate: o.fps, Bitrate: o.bitrate,
		KeyframeInterval: int(o.opts.keyframeInterval().Seconds() * float64(o.fps)),
		Speed:            o.opts.Speed,
	}
	switch o.f.av {
	case av.H264:
		cfg.H264Profile = o.f.h264Profile
		cfg.H264Level = h264LevelString(o.f.h264Level)
		if o.f.h264Mode == 0 {
			cfg.MaxSliceBytes = o.opts.mtu() - 20
		}
	case av.H263, av.H263P:
		cfg.MaxSliceBytes = o.opts.mtu() - 100
	}
	enc, err := av.NewVideoEncoder(cfg)
	if err != nil {
		return fmt.Errorf("transcode: %s encoder: %w", o.f.name, err)
	}
	if o.enc != nil {
		o.enc.Close()
	}
	o.enc, o.lastReopen = enc, now
	return nil
}

func h264LevelString(level int) string {
	if level <= 0 {
		return ""
	}
	if level == 10 {
		return "1b"
	}
	return strconv.Itoa(level/10) + "." + strconv.Itoa(level%10)
}

// defaultVideoBitrate is about 0.06 bits per pixel per frame: 1.7 Mbit/s
// for 720p30, 400 kbit/s for 640x360 at 30.
func defaultVideoBitrate(w, h, fps int) int {
	return min(max(w*h*fps*6/100, 128000), 8000000)
}

// h263Sizes are the standard H.263 picture formats, largest first, with
// their fmtp names.
var h263Sizes = []struct {
	name string
	w, h int
}{{"CIF16", 1408, 1152}, {"CIF4", 704, 576}, {"CIF", 352, 288}, {"QCIF", 176, 144}, {"SQCIF", 128, 96}}

// targetSize picks the encoded size for a w×h source: within the path's
// maximum, within what the receiver's codec parameters allow, aspect ratio
// kept (H.263 uses its standard formats), even dimensions.
func (o *videoOut) targetSize(w, h int) (int, int) {
	maxW, maxH := o.opts.maxSize()
	if o.f.av == av.H263 || o.f.av == av.H263P {
		// The smallest allowed standard format that holds the source, else
		// the largest allowed one.
		listed := hasH263Sizes(o.f.codec.FMTP)
		pick := -1
		for i, s := range h263Sizes {
			ok := s.name == "CIF" || s.name == "QCIF"
			if listed {
				ok = fmtpValue(o.f.codec.FMTP, s.name, "") != ""
			}
			if !ok || s.w > maxW || s.h > maxH {
				continue
			}
			if pick < 0 || s.w*s.h >= w*h {
				pick = i
			}
		}
		if pick < 0 {
			pick = 3 // QCIF
		}
		return h263Sizes[pick].w, h263Sizes[pick].h
	}
	fw, fh := float64(w), float64(h)
	if s := min(float64(maxW)/fw, float64(maxH)/fh, 1); s < 1 {
		fw, fh = fw*s, fh*s
	}
	maxMB := o.f.maxFS
	if o.f.av == av.H264 {
		maxMB = max(maxMB, h264MaxMacroblocks(o.f.h264Level))
	}
	for maxMB > 0 && mbs(fw, fh) > maxMB {
		fw, fh = fw*0.95, fh*0.95
	}
	return max(int(fw)&^1, 16), max(int(fh)&^1, 16)
}

func mbs(w, h float64) int { return (int(w) + 15) / 16 * ((int(h) + 15) / 16) }

func hasH263Sizes(fmtp string) bool {
	for _, s := range h263Sizes {
		if fmtpValue(fmtp, s.name, "") != "" {
			return true
		}
	}
	return false
}

func (o *videoOut) close() {
	o.scaler.Close()
	if o.enc != nil {
		o.enc.Close()
		o.enc = nil
	}
}
