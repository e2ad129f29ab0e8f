// Package rtpload generates and receives RTP load for relay benchmarks.
//
// A Generator owns N streams. Each stream is a pair of loopback UDP sockets:
// one sends paced RTP packets to a target address (a relay's port, or the
// stream's own receive socket for a baseline run), the other receives what the
// relay forwards. Sending is paced by a few sender goroutines (one per core by
// default), each walking its share of the streams on a one-millisecond timer
// wheel; there is no goroutine per stream on the sending side. Every packet's
// payload carries the stream id, a per-stream sequence number and the
// monotonic send time, so the receiving side computes the latency each packet
// gained on its way, and loss, duplicates and reordering per stream. Latencies
// go into a fixed-bucket, log-linear Histogram.
//
// Neither side allocates per packet. Only packets sent inside the measurement
// window (after the warm-up) are counted, so start-up effects of the relay
// (address learning, first-packet paths) stay out of the numbers.
//
// It is a benchmark tool, not an RTP stack: packets are fixed-size G.711-like
// frames with no RTCP, no jitter buffer and no codec.
package rtpload
