// Package call is Switchyard's vocabulary: the words every other package speaks.
//
// A call is made of legs. A Leg is one side of a call on one protocol (a SIP
// dialog, an H.323 call, a WebRTC peer connection, an RTSP session, an RTMP
// publish). It owns its signalling and sockets and exposes negotiated Streams,
// each with a Role (audio, main video, content, far-end camera control) and a
// Codec. Media travels between legs as RTP packets; what is not media travels
// as an Event (DTMF, content floor, camera control, keyframe and bitrate
// requests, chat, hold, hangup).
//
// Every failure a caller or an operator can see is a Cause from one catalogue,
// which maps it to a SIP status, a Q.931 cause value, an H.225.0
// ReleaseCompleteReason, an HTTP status and two messages: one for the
// administrator's log and one for the person who placed the call.
//
// The package imports nothing else of Switchyard's. It holds types and tables,
// not behaviour: it does no I/O.
package call
