//go:build !linux

package rtpload

import "time"

// pause sleeps for d with Go's timers (about a millisecond of resolution).
func pause(d time.Duration) { time.Sleep(d) }
