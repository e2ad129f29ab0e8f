// Package per is the runtime for ASN.1 BASIC-ALIGNED PER (ITU-T X.691,
// aligned variant), the encoding of H.225.0 and H.245 messages.
//
// It provides a bit-level Encoder and Decoder and one method per X.691
// building block: constrained, semi-constrained, unconstrained and
// normally-small whole numbers, length determinants (with fragmentation),
// BOOLEAN, ENUMERATED and CHOICE indices, SEQUENCE extension bitmaps, open
// types, BIT STRING, OCTET STRING, known-multiplier character strings with
// permitted alphabets, octet-length character strings and OBJECT IDENTIFIER.
// Code generated from the H.323 ASN.1 modules calls these methods in the
// order X.691 prescribes; unknown extension additions and CHOICE
// alternatives travel as RawExtension values so that they can be re-encoded
// byte for byte.
//
// It is not an ASN.1 compiler and has no notion of a schema: constraints
// are passed to each call by the generated code. It does not implement the
// UNALIGNED or CANONICAL variants, REAL, or the EMBEDDED PDV and CHARACTER
// STRING types, which H.323 does not use.
//
// The Decoder never panics on any input, checks every length against the
// bits that remain before allocating, reports the bit offset of every
// failure in a *DecodeError, and offers Enter/Leave to bound recursion. An
// Encoder can be Reset and reused; encoding into a reused Encoder and
// decoding whole numbers, lengths and indices do not allocate.
//
// Both are built for decoding and encoding thousands of messages a second
// on one core: the Encoder gathers bits in a 64-bit word and stores eight
// octets at a time, the Decoder reads fields from one 64-bit load (it may
// read ahead within the input it was given, never beyond its length), and
// open types are read and written in place (EnterOpenType/LeaveOpenType)
// instead of through a second Decoder or Encoder. The ...Into methods
// (ReadOctetStringInto, ReadStringInto, ReadOIDInto, ReadBitStringInto,
// ReadOpenTypeInto, ReadRawExtensionInto, ReadUTF8StringInto) decode into
// a destination whose capacity they reuse, and keep a string that already
// holds the decoded value, so that code decoding into a value it decoded
// before does not allocate.
package per
