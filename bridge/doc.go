// Package bridge joins the legs of a call. For each stream role it builds the
// cheapest path between two legs: relay, when both negotiated the same codec
// (rewrite payload type, SSRC, sequence number and timestamp per packet,
// without allocating), or transcode, when they did not. It also translates
// events (DTMF, keyframe and bitrate requests, content floor, camera control)
// from one leg's protocol to the other's.
//
// The bridge sees only call.Leg values: it never imports a protocol package.
package bridge
