package rtpload

import "time"

// arrived accounts for one packet that reached st's receive socket at time
// at (generator clock). It does not allocate.
func (g *Generator) arrived(st *stream, b []byte, at int64) {
	if IsRTCP(b) { // a relay's own reports for its leg
		st.rx.rtcp++
		return
	}
	p, err := ParsePacket(b)
	if err != nil {
		st.rx.malformed++
		return
	}
	if p.Stream != st.id {
		st.rx.misrouted++
		return
	}
	st.rx.received++
	dup, reordered := st.rx.accept(p.Seq)
	if !p.Measured {
		return
	}
	if dup {
		st.rx.dups++
		return
	}
	if reordered {
		st.rx.reordered++
	}
	st.rx.measured++
	g.latency.Record(time.Duration(at - p.SentNano))
}
