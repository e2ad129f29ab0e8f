package rtpload

import (
	"syscall"
	"time"
)

// pause sleeps for d with nanosleep(2), which wakes within the kernel's
// timer slack (50 µs by default) where Go's timers wake about once a
// millisecond at best. Finer pacing spreads each sender's packets over the
// millisecond instead of sending them in bursts, as a thousand independent
// phones would. The goroutine's thread blocks in the system call meanwhile.
func pause(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
	}
}
