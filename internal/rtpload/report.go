package rtpload

import (
	"fmt"
	"time"
)

// Report is the outcome of one Run. Counts other than Received cover the
// packets sent inside the measurement window only.
type Report struct {
	Streams int
	// Rate is the configured packets per second per stream.
	Rate int
	// Window is the length of the measurement window.
	Window time.Duration
	// Sent and Delivered count the window's packets; Lost is Sent minus
	// Delivered. Duplicates and Reordered count arrivals of those packets.
	Sent, Delivered, Lost uint64
	Duplicates, Reordered uint64
	// Received counts every probe packet that arrived during the run,
	// warm-up and duplicates included.
	Received uint64
	// Misrouted counts probes that arrived on another stream's socket;
	// Malformed counts packets that carried no probe. Both should be 0.
	Misrouted, Malformed uint64
	// RTCP counts RTCP packets that arrived on the receive sockets (a relay
	// terminating RTCP sends its own reports); they are not media.
	RTCP uint64
	// SendErrors counts failed writes; LateSends counts the window's
	// packets sent more than 2 ms after their slot (the generator could not
	// keep up, or did not get a core in time).
	SendErrors, LateSends uint64
	// StreamsWithLoss counts streams that lost at least one packet;
	// WorstStreamLoss is the most packets one stream lost.
	StreamsWithLoss int
	WorstStreamLoss uint64
	// Latency is the time from just before the send call to just after the
	// receive call, for every delivered packet of the window.
	Latency Summary
}

// SentPPS is the offered load in packets per second.
func (r Report) SentPPS() float64 { return perSecond(r.Sent, r.Window) }

// DeliveredPPS is the delivered load in packets per second.
func (r Report) DeliveredPPS() float64 { return perSecond(r.Delivered, r.Window) }

// LossRatio is Lost / Sent.
func (r Report) LossRatio() float64 {
	if r.Sent == 0 {
		return 0
	}
	return float64(r.Lost) / float64(r.Sent)
}

func perSecond(n uint64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// String renders the report on a few lines.
func (r Report) String() string {
	return fmt.Sprintf("%d streams x %d pps over %v: sent %d (%.0f pps), delivered %d (%.0f pps), lost %d (%.4f%%, %d streams, at most %d in one), dup %d, reordered %d, misrouted %d, malformed %d, rtcp %d, send errors %d, late sends %d\n"+
		"latency p50 %v p90 %v p99 %v p99.9 %v max %v mean %v",
		r.Streams, r.Rate, r.Window, r.Sent, r.SentPPS(), r.Delivered, r.DeliveredPPS(),
		r.Lost, 100*r.LossRatio(), r.StreamsWithLoss, r.WorstStreamLoss, r.Duplicates, r.Reordered,
		r.Misrouted, r.Malformed, r.RTCP, r.SendErrors, r.LateSends,
		r.Latency.P50, r.Latency.P90, r.Latency.P99, r.Latency.P999, r.Latency.Max, r.Latency.Mean)
}
