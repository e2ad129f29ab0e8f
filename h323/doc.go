// Package h323 holds H.323 signalling for Switchyard: the H.225.0 call
// signalling and RAS messages, the H.245 control channel and the Q.931 and
// TPKT framing beneath them, in sub-packages, so that an H.323 room system,
// gatekeeper or MCU can be one leg of a gatewayed call. The encoding runtime
// (aligned PER), the message types and the protocol state machines each live
// in their own sub-package; this package itself is not a general ASN.1
// toolkit and knows nothing about the other side of a call.
package h323
