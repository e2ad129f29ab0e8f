package rtpio

import (
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// Sequence number validation limits of RFC 3550 appendix A.1.
const (
	maxDropout  = 3000
	maxMisorder = 100
	seqMod      = 1 << 16
)

// recvStats follows the packets of the current remote source, as RFC 3550
// appendices A.1 (sequence numbers, loss) and A.8 (jitter) describe.
type recvStats struct {
	started bool
	ssrc    uint32

	baseSeq  uint32
	maxSeq   uint16
	cycles   uint32
	badSeq   uint32
	received uint32

	expectedPrior uint32
	receivedPrior uint32

	haveTransit bool
	transit     int32
	jitter      float64 // in RTP timestamp units

	// The far side's last sender report: its NTP time's middle 32 bits and
	// when it arrived.
	haveSR bool
	lsr    uint32
	lsrAt  time.Duration
}

// restart begins counting a source anew from seq.
func (r *recvStats) restart(seq uint16) {
	r.baseSeq = uint32(seq)
	r.maxSeq = seq
	r.badSeq = seqMod + 1
	r.cycles = 0
	r.received = 0
	r.receivedPrior = 0
	r.expectedPrior = 0
}

// update counts one packet that arrived at now (session clock). clockRate
// is the stream's RTP clock, 0 when unknown (no jitter then). It returns
// false for a packet that broke the sequence and is held as a probe.
func (r *recvStats) update(h *rtp.Header, now time.Duration, clockRate uint32) bool {
	if !r.started || h.SSRC != r.ssrc {
		*r = recvStats{started: true, ssrc: h.SSRC}
		r.restart(h.SequenceNumber)
	}
	seq := h.SequenceNumber
	udelta := seq - r.maxSeq
	switch {
	case udelta < maxDropout:
		if seq < r.maxSeq {
			r.cycles += seqMod
		}
		r.maxSeq = seq
	case udelta <= seqMod-maxMisorder:
		// A large jump: accept it as a restart only when the next packet
		// follows it.
		if uint32(seq) != r.badSeq {
			r.badSeq = (uint32(seq) + 1) & (seqMod - 1)
			return false
		}
		r.restart(seq)
		r.haveTransit = false
	default:
		// A duplicate or a late packet: counted, the maximum stays.
	}
	r.received++
	if clockRate > 0 {
		arrival := uint32(int64(now/time.Microsecond) * int64(clockRate) / 1e6)
		transit := int32(arrival - h.Timestamp)
		if r.haveTransit {
			d := transit - r.transit
			if d < 0 {
				d = -d
			}
			r.jitter += (float64(d) - r.jitter) / 16
		}
		r.transit, r.haveTransit = transit, true
	}
	return true
}

// extendedMax is the highest sequence number received, with wrap count.
func (r *recvStats) extendedMax() uint32 { return r.cycles + uint32(r.maxSeq) }

// lost is the cumulative number of packets lost (negative with duplicates).
func (r *recvStats) lost() int64 {
	expected := int64(r.extendedMax()) - int64(r.baseSeq) + 1
	return expected - int64(r.received)
}

// report builds the reception report block for the current source and
// starts a new interval for the fraction lost.
func (r *recvStats) report(now time.Duration) rtcp.ReceptionReport {
	expected := r.extendedMax() - r.baseSeq + 1
	expectedInterval := expected - r.expectedPrior
	receivedInterval := r.received - r.receivedPrior
	r.expectedPrior, r.receivedPrior = expected, r.received
	var fraction uint8
	if lostInterval := int64(expectedInterval) - int64(receivedInterval); expectedInterval != 0 && lostInterval > 0 {
		fraction = uint8(min((lostInterval<<8)/int64(expectedInterval), 255))
	}
	lost := min(max(r.lost(), -0x800000), 0x7fffff)
	rr := rtcp.ReceptionReport{
		SSRC:               r.ssrc,
		FractionLost:       fraction,
		TotalLost:          uint32(lost) & 0xffffff,
		LastSequenceNumber: r.extendedMax(),
		Jitter:             uint32(r.jitter),
	}
	if r.haveSR {
		rr.LastSenderReport = r.lsr
		rr.Delay = uint32(uint64(now-r.lsrAt) * 65536 / uint64(time.Second))
	}
	return rr
}

// staticClockRate returns the RTP clock of a static payload type
// (RFC 3551), or 0.
func staticClockRate(pt uint8) uint32 {
	switch pt {
	case 0, 3, 4, 5, 7, 8, 9, 12, 13, 15, 18:
		return 8000
	case 6:
		return 16000
	case 10, 11:
		return 44100
	case 25, 26, 28, 31, 32, 33, 34:
		return 90000
	}
	return 0
}
