package rtpload

import (
	"context"
	"time"
)

// send paces the packets of the streams in mine until the measurement window
// ends (or ctx is cancelled). Every stream sends once per period at its own
// phase, so the streams of one sender form a calendar sorted by phase: the
// sender walks it, sleeping until the next slot is due and then sending
// everything that is due. In effect this is a timer wheel whose slot is the
// configured tick (or the sleep's resolution, if coarser).
func (g *Generator) send(ctx context.Context, mine []*stream, start, windowStart, windowEnd int64) {
	buf := make([]byte, g.cfg.Size)
	for i := MinPacketSize; i < len(buf); i++ {
		buf[i] = 0xff // G.711 mu-law silence
	}
	period := int64(time.Second) / int64(g.cfg.Rate)
	tsStep := uint32(8000 / g.cfg.Rate)
	done := ctx.Done()
	base, idx := start, 0
	for {
		st := mine[idx]
		due := base + st.phase
		if due >= windowEnd {
			return
		}
		now := g.now()
		if due > now {
			select {
			case <-done:
				return
			default:
			}
			pause(max(time.Duration(due-now), g.cfg.Tick))
			continue
		}
		g.sendOne(st, buf, tsStep, due >= windowStart, now-due > int64(lateAfter))
		idx++
		if idx == len(mine) {
			idx = 0
			base += period
		}
	}
}

// sendOne sends the next packet of st from buf. It does not allocate.
func (g *Generator) sendOne(st *stream, buf []byte, tsStep uint32, measured, late bool) {
	seq := st.tx.seq
	writeHeader(buf, g.cfg.PayloadType, st.ssrc, uint16(seq), seq*tsStep)
	writeProbe(buf, Probe{Stream: st.id, Seq: seq, SentNano: g.now(), Measured: measured})
	st.tx.seq++
	if _, err := st.send.WriteToUDPAddrPort(buf, st.to); err != nil {
		st.tx.errors++
		return
	}
	st.tx.sent++
	if measured {
		st.tx.measured++
		if late {
			st.tx.late++
		}
	}
}
