// Package av wraps the parts of FFmpeg the transcoder needs: audio and video
// decoders and encoders (libavcodec), picture scaling (libswscale) and
// sample-rate conversion (libswresample). Contexts are created and freed
// through go-astiav; the few fields and calls go-astiav does not expose
// (rate-control limits at run time, zero-copy access to packet and plane
// memory, libswresample) are reached through small cgo helpers here.
//
// It is not a general FFmpeg binding: it knows the handful of codecs a
// gateway transcodes (G.722, Opus, AAC, H.264, VP8, H.263, H.263+) and
// configures them for real-time use. Every type here is owned by one
// goroutine at a time; Close frees its FFmpeg memory and is safe to call
// more than once.
//
// FFmpeg's log output is process-wide: the first codec opened here silences
// it (errors reach callers as values instead).
package av
