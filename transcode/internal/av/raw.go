package av

/*
#cgo pkg-config: libavcodec libavutil
#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <libavutil/mem.h>

static void sy_set_rate(AVCodecContext *c, int64_t bitrate, int64_t maxrate, int bufsize) {
	c->bit_rate = bitrate;
	c->rc_max_rate = maxrate;
	c->rc_buffer_size = bufsize;
}

static void sy_set_packet(AVPacket *p, uint8_t *data, int size) {
	p->data = data;
	p->size = size;
}

static int sy_eagain(void) { return AVERROR(EAGAIN); }
*/
import "C"

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"

	"github.com/asticode/go-astiav"
)

// quietOnce silences FFmpeg's own logging the first time a codec opens.
var quietOnce sync.Once

func quiet() {
	quietOnce.Do(func() { astiav.SetLogLevel(astiav.LogLevelQuiet) })
}

// rawCodecContext returns the AVCodecContext behind a go-astiav context.
// go-astiav v0.16.0 keeps the C pointer as the struct's first field and
// exposes no accessor; rawLayoutCheck verifies the assumption when a context
// is created.
func rawCodecContext(cc *astiav.CodecContext) *C.AVCodecContext {
	return *(**C.AVCodecContext)(unsafe.Pointer(cc))
}

// rawPacket returns the AVPacket behind a go-astiav packet (first field, as
// for contexts).
func rawPacket(p *astiav.Packet) *C.AVPacket {
	return *(**C.AVPacket)(unsafe.Pointer(p))
}

func rawFrame(f *astiav.Frame) *C.AVFrame {
	return (*C.AVFrame)(f.UnsafePointer())
}

// errLayout reports that the go-astiav build does not match the layout this
// package relies on.
var errLayout = errors.New("av: go-astiav's context layout is not the expected one")

// rawLayoutCheck confirms that rawCodecContext finds the context go-astiav
// manages, by writing through one and reading through the other.
func rawLayoutCheck(cc *astiav.CodecContext) error {
	raw := rawCodecContext(cc)
	if raw == nil {
		return errLayout
	}
	old := cc.Width()
	cc.SetWidth(12345)
	ok := int(raw.width) == 12345
	cc.SetWidth(old)
	if !ok {
		return errLayout
	}
	return nil
}

// setRate changes an open encoder's rate-control targets; encoders that
// support reconfiguration (libx264) apply them to the next frame.
func setRate(cc *astiav.CodecContext, bitrate, maxrate int64, bufsize int) {
	C.sy_set_rate(rawCodecContext(cc), C.int64_t(bitrate), C.int64_t(maxrate), C.int(bufsize))
}

// packetData returns a view of a packet's payload without copying; it is
// valid until the packet is unreferenced.
func packetData(p *astiav.Packet) []byte {
	raw := rawPacket(p)
	if raw.data == nil || raw.size <= 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(raw.data)), int(raw.size))
}

// inputBuffer is C memory that holds one compressed frame for a decoder,
// with the zeroed padding libavcodec's bitstream readers need. It grows
// only as far as the frames it holds.
type inputBuffer struct {
	p   *C.uint8_t
	cap int
}

// set copies data into the buffer and points pkt at it. The packet is not
// reference counted, so the decoder copies what it keeps.
func (b *inputBuffer) set(pkt *astiav.Packet, data []byte) error {
	if len(data) > b.cap {
		if b.p != nil {
			C.av_free(unsafe.Pointer(b.p))
			b.p, b.cap = nil, 0
		}
		n := max(len(data), 4096)
		b.p = (*C.uint8_t)(C.av_malloc(C.size_t(n + C.AV_INPUT_BUFFER_PADDING_SIZE)))
		if b.p == nil {
			return fmt.Errorf("av: allocating %d bytes for a decoder input failed", n)
		}
		b.cap = n
	}
	buf := unsafe.Slice((*byte)(unsafe.Pointer(b.p)), b.cap+C.AV_INPUT_BUFFER_PADDING_SIZE)
	copy(buf, data)
	clear(buf[len(data) : len(data)+C.AV_INPUT_BUFFER_PADDING_SIZE])
	C.sy_set_packet(rawPacket(pkt), b.p, C.int(len(data)))
	return nil
}

func (b *inputBuffer) free() {
	if b.p != nil {
		C.av_free(unsafe.Pointer(b.p))
		b.p, b.cap = nil, 0
	}
}

// detachPacket clears a packet that points at an inputBuffer, so that
// freeing the packet does not free memory it does not own.
func detachPacket(pkt *astiav.Packet) {
	C.sy_set_packet(rawPacket(pkt), nil, 0)
}

// plane returns a view of one plane of a frame's data, rows × linesize
// bytes, without copying.
func plane(f *astiav.Frame, i, rows int) []byte {
	raw := rawFrame(f)
	if raw.data[i] == nil || raw.linesize[i] <= 0 || rows <= 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(raw.data[i])), int(raw.linesize[i])*rows)
}

// Return codes of the send/receive calls, as plain ints: going through
// go-astiav's error values would box every EAGAIN into an interface.
var codeEAGAIN = int(C.sy_eagain())

const codeEOF = int(C.AVERROR_EOF)

func sendPacket(cc *astiav.CodecContext, p *astiav.Packet) int {
	var rp *C.AVPacket
	if p != nil {
		rp = rawPacket(p)
	}
	return int(C.avcodec_send_packet(rawCodecContext(cc), rp))
}

func receiveFrame(cc *astiav.CodecContext, f *astiav.Frame) int {
	return int(C.avcodec_receive_frame(rawCodecContext(cc), rawFrame(f)))
}

func sendFrame(cc *astiav.CodecContext, f *astiav.Frame) int {
	var rf *C.AVFrame
	if f != nil {
		rf = rawFrame(f)
	}
	return int(C.avcodec_send_frame(rawCodecContext(cc), rf))
}

func receivePacket(cc *astiav.CodecContext, p *astiav.Packet) int {
	return int(C.avcodec_receive_packet(rawCodecContext(cc), rawPacket(p)))
}

func unrefPacket(p *astiav.Packet) { C.av_packet_unref(rawPacket(p)) }

func unrefFrame(f *astiav.Frame) { C.av_frame_unref(rawFrame(f)) }

// codeError turns a negative FFmpeg return code into an error.
func codeError(what string, code int) error {
	return fmt.Errorf("av: %s: %w", what, astiav.Error(code))
}

// makeWritable ensures the frame's buffers are not shared with a codec
// before they are overwritten.
func makeWritable(f *astiav.Frame) error {
	if ret := C.av_frame_make_writable(rawFrame(f)); ret < 0 {
		return fmt.Errorf("av: making a frame writable: %w", astiav.Error(ret))
	}
	return nil
}
