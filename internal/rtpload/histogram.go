package rtpload

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// Histogram bucket layout: values below subCount nanoseconds have a bucket
// each; above that, every power of two is split into subCount/2 linear
// buckets, so a bucket is at most 1/32 (about 3%) of its value wide.
const (
	subBits  = 6
	subCount = 1 << subBits // 64
	halfSub  = subCount / 2
	// maxBits bounds the recorded values: 2^40 ns is about 18 minutes;
	// larger values count in the last bucket.
	maxBits     = 40
	bucketCount = subCount + (maxBits-subBits)*halfSub
)

// Histogram counts durations in fixed log-linear buckets, like an HDR
// histogram: exact below 64 ns, then 32 buckets per power of two, so a
// reported value is within about 1.6% of the true one (half a bucket).
// Record is safe for concurrent use and does not allocate; the zero value is
// ready to use.
type Histogram struct {
	counts [bucketCount]atomic.Uint64
	total  atomic.Uint64
	sum    atomic.Uint64 // nanoseconds; overflows only after ~584 years
	max    atomic.Int64
}

// bucketOf returns the bucket index of a non-negative value in nanoseconds.
func bucketOf(v uint64) int {
	if v < subCount {
		return int(v)
	}
	n := bits.Len64(v) // > subBits
	if n > maxBits {
		return bucketCount - 1
	}
	shift := n - subBits // >= 1
	top := v >> shift    // in [halfSub, subCount)
	return subCount + (shift-1)*halfSub + int(top-halfSub)
}

// bucketRange returns the lowest value of bucket i and its width.
func bucketRange(i int) (low, width uint64) {
	if i < subCount {
		return uint64(i), 1
	}
	j := i - subCount
	shift := j/halfSub + 1
	top := uint64(j%halfSub + halfSub)
	return top << shift, 1 << shift
}

// Record adds one duration; negative durations count as zero.
func (h *Histogram) Record(d time.Duration) {
	v := uint64(0)
	if d > 0 {
		v = uint64(d)
	}
	h.counts[bucketOf(v)].Add(1)
	h.total.Add(1)
	h.sum.Add(v)
	for {
		m := h.max.Load()
		if int64(v) <= m || h.max.CompareAndSwap(m, int64(v)) {
			break
		}
	}
}

// Count returns the number of recorded values.
func (h *Histogram) Count() uint64 { return h.total.Load() }

// Max returns the largest recorded value.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max.Load()) }

// Mean returns the average of the recorded values.
func (h *Histogram) Mean() time.Duration {
	n := h.total.Load()
	if n == 0 {
		return 0
	}
	return time.Duration(h.sum.Load() / n)
}

// Quantile returns the value below which the fraction q (0..1) of the
// recorded values fall: the midpoint of the bucket that holds the q-th value,
// never more than the largest value recorded. It is 0 for an empty histogram.
func (h *Histogram) Quantile(q float64) time.Duration {
	n := h.total.Load()
	if n == 0 || math.IsNaN(q) {
		return 0
	}
	q = min(max(q, 0), 1)
	rank := uint64(math.Ceil(q * float64(n)))
	rank = max(rank, 1)
	var seen uint64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			low, width := bucketRange(i)
			v := time.Duration(low + (width-1)/2)
			return min(v, h.Max())
		}
	}
	return h.Max()
}

// Merge adds every count of o into h.
func (h *Histogram) Merge(o *Histogram) {
	for i := range o.counts {
		if c := o.counts[i].Load(); c != 0 {
			h.counts[i].Add(c)
		}
	}
	h.total.Add(o.total.Load())
	h.sum.Add(o.sum.Load())
	for m := o.max.Load(); ; {
		cur := h.max.Load()
		if m <= cur || h.max.CompareAndSwap(cur, m) {
			break
		}
	}
}

// Reset forgets every recorded value. It must not run concurrently with
// Record.
func (h *Histogram) Reset() {
	for i := range h.counts {
		h.counts[i].Store(0)
	}
	h.total.Store(0)
	h.sum.Store(0)
	h.max.Store(0)
}

// Summary is a histogram's digest.
type Summary struct {
	Count               uint64
	Mean, P50, P90, P99 time.Duration
	P999, Max           time.Duration
}

// Summary returns the usual percentiles.
func (h *Histogram) Summary() Summary {
	return Summary{
		Count: h.Count(),
		Mean:  h.Mean(),
		P50:   h.Quantile(0.50),
		P90:   h.Quantile(0.90),
		P99:   h.Quantile(0.99),
		P999:  h.Quantile(0.999),
		Max:   h.Max(),
	}
}
