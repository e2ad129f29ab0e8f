// Package tpkt frames packets on a byte stream as RFC 1006 TPKT does for
// H.323 call signalling (H.225.0) and H.245 over TCP: a 4-byte header
// (version 3, a reserved octet, a 16-bit big-endian length that counts the
// header) followed by the payload.
//
// It offers a Reader that takes one packet at a time from an io.Reader, a
// Writer that emits one packet per Write call, and Split, an allocation-free
// parser for bytes already in memory. A packet of length 4 (an empty
// keep-alive, sent by some H.323 stacks) is valid and yields an empty
// payload.
//
// It knows nothing about what the payload holds (Q.931, H.245): see the
// q931 package for call signalling messages.
package tpkt
