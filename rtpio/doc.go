// Package rtpio is the media transport of a leg: RTP and RTCP over UDP.
//
// An Allocator hands out Sessions, each bound to an even RTP port and the
// next odd RTCP port from the configured range. A Session carries one media
// stream: it latches its send address to where the far side really sends
// from (symmetric RTP, for endpoints behind NAT), demultiplexes RTCP sent on
// the RTP port (rtcp-mux, RFC 5761), encrypts and decrypts SDES-keyed SRTP
// and SRTCP (RFC 4568, RFC 3711), and terminates RTCP: it sends sender and
// receiver reports with loss, jitter and round-trip figures (RFC 3550), and
// turns the far side's feedback (PLI, FIR, generic NACK, REMB, TMMBR) into
// call.Events. It also holds the codecs of the SDP a=crypto attribute and of
// RFC 4733 telephone-event payloads.
//
// A relay need not read: Forward hands each packet to a function as it is
// read by the allocator's receive engine (on Linux: a few goroutines, each
// an epoll instance over many sessions' sockets, reading with recvmmsg and
// sending with a raw sendto), with the same receive bookkeeping as ReadRTP
// and no goroutine switch per packet.
//
// It is not a signalling package: it knows nothing of SDP beyond the crypto
// attribute, and the leg that owns a Session decides addresses, keys and
// codecs. It is not a jitter buffer or a media pipeline either: ReadRTP
// returns packets as they arrive, and WriteRTP sends what it is given.
package rtpio
