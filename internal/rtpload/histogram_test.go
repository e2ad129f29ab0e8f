package rtpload

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestBucketLayout(t *testing.T) {
	// Every value falls in a bucket whose range holds it, and buckets are
	// contiguous and increasing.
	var prevEnd uint64
	for i := range bucketCount {
		low, width := bucketRange(i)
		if low != prevEnd {
			t.Fatalf("bucket %d starts at %d, previous ended at %d", i, low, prevEnd)
		}
		prevEnd = low + width
	}
	for _, v := range []uint64{0, 1, 63, 64, 65, 127, 128, 1000, 20e3, 1e6, 123456789, 1<<maxBits - 1} {
		i := bucketOf(v)
		low, width := bucketRange(i)
		if v < low || v >= low+width {
			t.Errorf("value %d in bucket %d [%d, %d)", v, i, low, low+width)
		}
		if v >= subCount && float64(width)/float64(v) > 1.0/32 {
			t.Errorf("value %d: bucket width %d is more than 1/32 of it", v, width)
		}
	}
	if got := bucketOf(1 << 62); got != bucketCount-1 {
		t.Errorf("huge value in bucket %d, want the last (%d)", got, bucketCount-1)
	}
}

func TestHistogramQuantiles(t *testing.T) {
	tests := []struct {
		name   string
		values func(add func(time.Duration))
		q      float64
		want   time.Duration
	}{
		{"empty", func(func(time.Duration)) {}, 0.5, 0},
		{"single", func(add func(time.Duration)) { add(40 * time.Microsecond) }, 0.99, 40 * time.Microsecond},
		{"uniform 1..1000us p50", uniform(1000), 0.50, 500 * time.Microsecond},
		{"uniform 1..1000us p90", uniform(1000), 0.90, 900 * time.Microsecond},
		{"uniform 1..1000us p99", uniform(1000), 0.99, 990 * time.Microsecond},
		{"uniform 1..1000us p0", uniform(1000), 0, 1 * time.Microsecond},
		{"uniform 1..1000us max", uniform(1000), 1, 1000 * time.Microsecond},
		{"outlier above p99", func(add func(time.Duration)) {
			for range 999 {
				add(50 * time.Microsecond)
			}
			add(30 * time.Millisecond)
		}, 0.99, 50 * time.Microsecond},
		{"small exact values", func(add func(time.Duration)) {
			for v := range 10 {
				add(time.Duration(v))
			}
		}, 0.5, 4},
		{"negative counts as zero", func(add func(time.Duration)) { add(-5) }, 0.5, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Histogram
			tt.values(h.Record)
			got := h.Quantile(tt.q)
			tol := tt.want / 50 // the layout promises ~1.6%
			if d := got - tt.want; d > tol || d < -tol {
				t.Errorf("Quantile(%v) = %v, want %v (±%v)", tt.q, got, tt.want, tol)
			}
		})
	}
}

func uniform(n int) func(add func(time.Duration)) {
	return func(add func(time.Duration)) {
		for _, i := range rand.New(rand.NewPCG(1, 2)).Perm(n) {
			add(time.Duration(i+1) * time.Microsecond)
		}
	}
}

func TestHistogramSummaryMergeReset(t *testing.T) {
	var a, b Histogram
	for i := range 100 {
		a.Record(time.Duration(i+1) * time.Millisecond)
		b.Record(time.Duration(i+101) * time.Millisecond)
	}
	a.Merge(&b)
	s := a.Summary()
	if s.Count != 200 || s.Max != 200*time.Millisecond {
		t.Fatalf("merged count %d max %v", s.Count, s.Max)
	}
	if d := s.Mean - 100500*time.Microsecond; d > time.Microsecond || d < -time.Microsecond {
		t.Errorf("mean %v, want 100.5ms", s.Mean)
	}
	if d := s.P50 - 100*time.Millisecond; d > 2*time.Millisecond || d < -2*time.Millisecond {
		t.Errorf("p50 %v, want ~100ms", s.P50)
	}
	a.Reset()
	if a.Count() != 0 || a.Max() != 0 || a.Quantile(0.5) != 0 {
		t.Errorf("after Reset: count %d max %v", a.Count(), a.Max())
	}
}

func BenchmarkHistogramRecord(b *testing.B) {
	var h Histogram
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		h.Record(time.Duration(i&0xffff) * 17)
	}
}
