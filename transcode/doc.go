// Package transcode converts media between codecs for the bridge when two
// legs share no format: audio between G.711 (µ-law, A-law), G.722, Opus and
// AAC-LC, video between H.264, VP8, H.263 and H.263+. A Path carries one
// direction of one stream: RTP packets in (through a jitter buffer that
// reorders them and detects loss), RTP packets out, with the target codec's
// packetization and an RTP clock of its own. In between it depacketizes,
// decodes, conceals loss, resamples or scales, drops frames to a rate cap,
// encodes and packetizes.
//
// It is not a mixer and not a relay: packets that need no transcoding never
// come here (the bridge relays them), and one Path serves one sender. Codec
// work is done by FFmpeg (libavcodec with libx264, libvpx and libopus;
// libswscale; libswresample) through go-astiav, and by pure Go for G.711
// (package g711). RTP payload formats live in package rtppayload.
//
// Paths are limited in number by a Limiter (configuration section
// transcode:), since each costs real CPU time. Extend adds to an offer the
// codecs the gateway can transcode to, so that the far side may pick one
// of them when it shares nothing with the caller.
package transcode
