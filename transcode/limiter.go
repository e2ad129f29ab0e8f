package transcode

import (
	"sync"

	"github.com/switchyard/switchyard/call"
)

// Limiter counts running transcodes against the configured limits. The
// zero Limiter and a nil *Limiter allow nothing and everything
// respectively: use NewLimiter.
type Limiter struct {
	mu           sync.Mutex
	maxV, maxA   int
	video, audio int
}

// NewLimiter returns a limiter for cfg's limits.
func NewLimiter(cfg Config) *Limiter {
	return &Limiter{maxV: cfg.MaxVideo, maxA: cfg.MaxAudio}
}

// Acquire reserves one video or audio transcode. Over the limit it returns
// a *call.Error with call.Capacity. The release function is safe to call
// more than once. A nil Limiter allows every transcode.
func (l *Limiter) Acquire(video bool) (release func(), err error) {
	if l == nil {
		return func() {}, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	kind, n, limit := "audio", &l.audio, l.maxA
	if video {
		kind, n, limit = "video", &l.video, l.maxV
	}
	if *n >= limit {
		return nil, call.Errorf(call.Capacity, "%s transcoding limit reached (%d running, transcode.max_%s is %d)", kind, *n, kind, limit)
	}
	*n++
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			*n--
			l.mu.Unlock()
		})
	}, nil
}

// SetLimits changes the limits (after a configuration reload). Running
// transcodes continue; new ones count against the new limits.
func (l *Limiter) SetLimits(cfg Config) {
	l.mu.Lock()
	l.maxV, l.maxA = cfg.MaxVideo, cfg.MaxAudio
	l.mu.Unlock()
}

// InUse returns the numbers of running video and audio transcodes.
func (l *Limiter) InUse() (video, audio int) {
	if l == nil {
		return 0, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.video, l.audio
}
