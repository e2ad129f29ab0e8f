package av

/*
#cgo pkg-config: libswresample libavutil
#include <libswresample/swresample.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>

static SwrContext *sy_swr_new(int in_rate, int in_ch, int out_rate, int out_ch, int *err) {
	AVChannelLayout in_layout, out_layout;
	av_channel_layout_default(&in_layout, in_ch);
	av_channel_layout_default(&out_layout, out_ch);
	SwrContext *s = NULL;
	*err = swr_alloc_set_opts2(&s, &out_layout, AV_SAMPLE_FMT_S16, out_rate,
		&in_layout, AV_SAMPLE_FMT_S16, in_rate, 0, NULL);
	if (*err < 0) {
		swr_free(&s);
		return NULL;
	}
	*err = swr_init(s);
	if (*err < 0) {
		swr_free(&s);
		return NULL;
	}
	return s;
}

// sy_swr_convert converts interleaved s16: both buffers are single planes.
static int sy_swr_convert(SwrContext *s, int16_t *out, int out_count, const int16_t *in, int in_count) {
	uint8_t *o[1] = { (uint8_t *)out };
	const uint8_t *i[1] = { (const uint8_t *)in };
	return swr_convert(s, o, out_count, in_count > 0 ? i : NULL, in_count);
}

static void sy_swr_free(SwrContext *s) { swr_free(&s); }
*/
import "C"

import (
	"fmt"

	"github.com/asticode/go-astiav"
)

// Resampler converts interleaved 16-bit PCM between sample rates and
// channel counts (libswresample).
type Resampler struct {
	s               *C.SwrContext
	inRate, outRate int
	inCh, outCh     int
	out             []int16
}

// NewResampler prepares a conversion; channel counts are 1 or 2.
func NewResampler(inRate, inCh, outRate, outCh int) (*Resampler, error) {
	quiet()
	if inRate <= 0 || outRate <= 0 || inCh < 1 || inCh > 2 || outCh < 1 || outCh > 2 {
		return nil, fmt.Errorf("av: resampler %d Hz/%d ch to %d Hz/%d ch: unsupported", inRate, inCh, outRate, outCh)
	}
	var code C.int
	s := C.sy_swr_new(C.int(inRate), C.int(inCh), C.int(outRate), C.int(outCh), &code)
	if s == nil {
		return nil, fmt.Errorf("av: resampler %d Hz to %d Hz: %w", inRate, outRate, astiav.Error(code))
	}
	return &Resampler{s: s, inRate: inRate, outRate: outRate, inCh: inCh, outCh: outCh}, nil
}

// Convert resamples in (interleaved, inCh channels) and returns what is
// ready; the result stays valid until the next call. The filter keeps a few
// samples of delay between calls.
func (r *Resampler) Convert(in []int16) ([]int16, error) {
	if r.s == nil {
		return nil, errClosed
	}
	n := len(in) / r.inCh
	capOut := int(C.swr_get_out_samples(r.s, C.int(n))) + 16
	if capOut < 16 {
		capOut = 16
	}
	if cap(r.out) < capOut*r.outCh {
		r.out = make([]int16, capOut*r.outCh)
	}
	out := r.out[:capOut*r.outCh]
	var inPtr *C.int16_t
	if n > 0 {
		inPtr = (*C.int16_t)(&in[0])
	}
	got := C.sy_swr_convert(r.s, (*C.int16_t)(&out[0]), C.int(capOut), inPtr, C.int(n))
	if got < 0 {
		return nil, fmt.Errorf("av: resampling: %w", astiav.Error(got))
	}
	return out[:int(got)*r.outCh], nil
}

// Close frees the resampler. It is safe to call more than once.
func (r *Resampler) Close() {
	if r.s != nil {
		C.sy_swr_free(r.s)
		r.s = nil
	}
}
