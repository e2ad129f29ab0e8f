package rtpio

import (
	"context"
	"errors"
	"fmt"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
)

// Forward hands every valid RTP packet that arrives on the session to fn,
// in place of ReadRTP, until ctx ends (it returns ctx.Err()), the session
// closes (ErrClosed) or its socket fails. What ReadRTP does on the way
// still happens: latching, SRTP, RTCP on a multiplexed port, statistics.
//
// The packets are read by the allocator's receive engine, a few goroutines
// that wait on the sockets of many sessions at once, and fn runs on one of
// them as each packet is read, with no goroutine switch: that is what
// makes relaying cheap. So fn must be quick and must not block: rewrite
// the packet and write it to another session (WriteRTP of a Session, or of
// a SessionTrack, does not wait: a forwarding session's socket drops a
// datagram when its send buffer is full), count, return. It must not close a
// session or end a forwarding, which wait for fn. p and its payload are
// valid until fn returns; fn may modify them. A panic in fn ends the
// forwarding and is raised again by Forward on the caller's goroutine.
//
// Where there is no receive engine (other than Linux on amd64 or arm64,
// or a session without sockets), Forward returns errors.ErrUnsupported at
// once and nothing changes: read with ReadRTP instead. While Forward runs,
// ReadRTP returns an error; when Forward returns, ReadRTP works again. One
// Forward at a time per session, and none while a ReadRTP is in progress.
//
// Once running, forwarding does not allocate per packet.
func (s *Session) Forward(ctx context.Context, fn func(p *rtp.Packet)) error {
	if fn == nil {
		return errors.New("rtpio: Forward needs a function")
	}
	f, err := s.startForward(fn)
	if err != nil {
		return err
	}
	defer s.stopForward(f)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-s.done:
		return ErrClosed
	case <-f.failed:
		var fp *forwardPanic
		if errors.As(f.err, &fp) {
			panic(fp)
		}
		return f.err
	}
}

// forwarding is one running Forward.
type forwarding struct {
	s    *Session
	fn   func(*rtp.Packet)
	fd   int        // the detached RTP socket
	slot engineSlot // where the engine keeps it

	failed chan struct{} // closed by the engine when it gives up on fd
	err    error         // why, set before failed closes
}

// startForward detaches the RTP socket from Go's poller and gives it to
// the allocator's receive engine.
func (s *Session) startForward(fn func(*rtp.Packet)) (*forwarding, error) {
	if s.alloc == nil || s.alloc.eng == nil {
		return nil, errors.ErrUnsupported
	}
	s.fwdMu.Lock()
	defer s.fwdMu.Unlock()
	if s.closed.Load() {
		return nil, ErrClosed
	}
	if s.fwd != nil {
		return nil, errors.New("rtpio: the session is forwarding already")
	}
	fd, err := s.rtp.detach()
	if err != nil {
		return nil, err
	}
	f := &forwarding{s: s, fn: fn, fd: fd, failed: make(chan struct{})}
	if err := s.alloc.eng.add(f); err != nil {
		if aerr := s.rtp.attach(); aerr != nil {
			err = errors.Join(err, aerr)
		}
		return nil, err
	}
	s.fwd = f
	return f, nil
}

// stopForward takes the socket back from the engine (waiting for a packet
// being handled) and gives it to Go's poller for ReadRTP. It is idempotent.
func (s *Session) stopForward(f *forwarding) {
	s.fwdMu.Lock()
	defer s.fwdMu.Unlock()
	if s.fwd != f {
		return
	}
	s.alloc.eng.remove(f)
	s.fwd = nil
	if !s.closed.Load() {
		// On failure the socket stays detached: ReadRTP reports it, and a
		// new Forward can still use it.
		_ = s.rtp.attach()
	}
}

// endForward stops any forwarding as the session closes.
func (s *Session) endForward() {
	s.fwdMu.Lock()
	f := s.fwd
	s.fwdMu.Unlock()
	if f != nil {
		s.stopForward(f)
	}
}

// forwardPanic is a panic recovered from a Forward callback, with the
// stack where it happened.
type forwardPanic struct {
	value any
	stack []byte
}

func (p *forwardPanic) Error() string {
	return fmt.Sprintf("rtpio: panic in a Forward callback: %v\n\n%s", p.value, p.stack)
}

// SessionTrack is implemented by a call.Track whose WriteRTP sends on an
// rtpio Session without blocking (beyond short locks): a Forward callback
// may write to it from the receive engine.
type SessionTrack interface {
	call.Track
	RTPSession() *Session
}

// CanForwardTo reports whether a Forward callback may write to dst: dst
// is a SessionTrack.
func CanForwardTo(dst call.Track) bool {
	_, ok := dst.(SessionTrack)
	return ok
}
