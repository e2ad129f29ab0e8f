package sip

import (
	"context"
	"errors"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/rtpio"
)

// RTPSession returns the media session under the track, so that a relay can
// tell whether its destination can take packets without blocking.
func (t *track) RTPSession() *rtpio.Session { return t.sess }

// ForwardRTP hands each received packet to fn on rtpio's receive engine
// instead of through ReadRTP: no goroutine switch and no extra read per
// packet. Telephone events are taken out exactly as ReadRTP does. It returns
// errors.ErrUnsupported when the engine or the destination cannot do it; the
// relay then reads as usual.
func (t *track) ForwardRTP(ctx context.Context, dst call.Track, fn func(*rtp.Packet)) error {
	if !rtpio.CanForwardTo(dst) {
		return errors.ErrUnsupported
	}
	err := t.sess.Forward(ctx, func(p *rtp.Packet) {
		if pt := t.rxEvent.Load(); pt >= 0 && int32(p.PayloadType) == pt {
			t.onTelephoneEvent(p)
			return
		}
		fn(p)
	})
	if errors.Is(err, rtpio.ErrClosed) {
		return errLegEnded
	}
	return err
}

// The relay finds these by type assertion; keep them satisfied.
var (
	_ rtpio.SessionTrack = (*track)(nil)
	_ interface {
		ForwardRTP(context.Context, call.Track, func(*rtp.Packet)) error
	} = (*track)(nil)
)
