// Package interop holds the WebRTC leg's interop tests through a whole
// gateway: browsers (a pion peer, headless Chromium) call through the
// gateway's dial plan to independent SIP endpoints (SIPp), so that the
// WebRTC leg, the SIP leg, the bridge and the transcoder meet real peers.
//
// It has no code of its own besides this comment. It lives apart from
// package webrtc because it needs every protocol of the gateway, which the
// protocol packages themselves must not import.
package interop
