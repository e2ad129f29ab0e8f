package av

import (
	"fmt"

	"github.com/asticode/go-astiav"
)

// Codec names a format this package can decode and encode.
type Codec uint8

// The codecs a gateway transcodes through FFmpeg. G.711 is pure Go in the
// transcode package and does not appear here.
const (
	G722 Codec = iota + 1
	Opus
	AAC
	H264
	VP8
	H263
	H263P
)

var codecNames = [...]string{G722: "g722", Opus: "opus", AAC: "aac", H264: "h264", VP8: "vp8", H263: "h263", H263P: "h263p"}

// String returns the codec's short name.
func (c Codec) String() string {
	if int(c) < len(codecNames) && codecNames[c] != "" {
		return codecNames[c]
	}
	return fmt.Sprintf("codec(%d)", uint8(c))
}

// Video reports whether the codec carries pictures.
func (c Codec) Video() bool { return c >= H264 }

// decoderName and encoderName are the libavcodec implementations used.
func (c Codec) decoderName() string {
	switch c {
	case G722:
		return "g722"
	case Opus:
		return "libopus"
	case AAC:
		return "aac"
	case H264:
		return "h264"
	case VP8:
		return "vp8"
	case H263:
		return "h263"
	case H263P:
		return "h263p"
	}
	return ""
}

func (c Codec) encoderName() string {
	switch c {
	case G722:
		return "g722"
	case Opus:
		return "libopus"
	case AAC:
		return "aac"
	case H264:
		return "libx264"
	case VP8:
		return "libvpx"
	case H263:
		return "h263"
	case H263P:
		return "h263p"
	}
	return ""
}

// Available reports whether this FFmpeg build has both a decoder and an
// encoder for the codec.
func (c Codec) Available() bool {
	d, e := c.decoderName(), c.encoderName()
	return d != "" && e != "" && astiav.FindDecoderByName(d) != nil && astiav.FindEncoderByName(e) != nil
}

func findDecoder(c Codec) (*astiav.Codec, error) {
	name := c.decoderName()
	if name == "" {
		return nil, fmt.Errorf("av: no decoder for %s", c)
	}
	d := astiav.FindDecoderByName(name)
	if d == nil {
		return nil, fmt.Errorf("av: this FFmpeg has no %s decoder", name)
	}
	return d, nil
}

func findEncoder(c Codec) (*astiav.Codec, error) {
	name := c.encoderName()
	if name == "" {
		return nil, fmt.Errorf("av: no encoder for %s", c)
	}
	e := astiav.FindEncoderByName(name)
	if e == nil {
		return nil, fmt.Errorf("av: this FFmpeg has no %s encoder", name)
	}
	return e, nil
}

// openOptions builds an option dictionary; the caller frees it.
func openOptions(kv ...string) (*astiav.Dictionary, error) {
	d := astiav.NewDictionary()
	for i := 0; i+1 < len(kv); i += 2 {
		if err := d.Set(kv[i], kv[i+1], 0); err != nil {
			d.Free()
			return nil, fmt.Errorf("av: option %s=%s: %w", kv[i], kv[i+1], err)
		}
	}
	return d, nil
}
