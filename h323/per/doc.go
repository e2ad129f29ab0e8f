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
package per
