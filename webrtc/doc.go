// Package webrtc is Switchyard's WebRTC protocol leg: browsers and WHIP/WHEP
// tools as call legs.
//
// It serves, on one HTTP handler, the embedded web app (package web), the
// web app's signalling API (create a call with an alias and an SDP offer,
// trickle ICE, DTMF, chat, presentation, hang up, token refresh, and an
// event stream as server-sent events), WHIP ingest (RFC 9725) at
// /whip/{alias} and WHEP playback at /whep/{alias}. Every browser call,
// WHIP publish and WHEP playback is a call.InboundLeg that the gateway
// routes like a SIP or H.323 call. Its Dialer places outbound legs to WHIP
// and WHEP servers.
//
// Media runs over pion/webrtc PeerConnections that share one UDP port (ICE
// UDP mux) and one ICE-TCP port, with 1:1 NAT addresses written into the
// host candidates, DTLS-SRTP, and the NACK, RTCP report and transport-wide
// congestion control feedback interceptors. Offers are answered with the
// codec the far side chose, so that the bridge relays media unchanged
// whenever both sides share a format (Opus, G.711, G.722, VP8, VP9, H.264).
//
// It is not a conference server or an SFU: one PeerConnection is one leg,
// and what happens to its media is the bridge's business. It knows nothing
// about the other side of a call.
package webrtc
