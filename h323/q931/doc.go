// Package q931 encodes and decodes Q.931 messages as H.225.0 uses them for
// H.323 call signalling: protocol discriminator 0x08, a two-octet call
// reference with its flag bit, a message type, and information elements,
// where the User-user element has a two-octet length.
//
// A Message keeps its information elements raw and in order, so that any
// message, including elements this package does not know, re-encodes to
// the very bytes it was decoded from. Typed accessors and builders (Cause,
// BearerCapability, PartyNumber, Progress, Display, UserUser, ...) read
// and write the elements the gateway needs. Decoding into a reused Message
// does not allocate: element contents alias the input.
//
// It is not an H.225.0 codec: the H.323-UserInformation PDU inside the
// User-user element is opaque bytes here. Nor is it a call state machine,
// nor a TPKT framer (see package tpkt). It implements only what H.225.0
// needs of Q.931: there is no message segmentation and no call reference
// other than the two-octet one.
package q931
