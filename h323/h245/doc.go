// Package h245 holds the H.245 (version 17) control messages as Go types
// with aligned PER codecs: MultimediaSystemControlMessage and every type it
// reaches (capability exchange, logical channels, commands, indications,
// the generic messages H.239 uses).
//
// The types and codecs are generated from the ASN.1 module
// MULTIMEDIA-SYSTEM-CONTROL by h323/internal/asn1gen; see gen.go.
// Conventions of the generated code:
//
//   - A SEQUENCE is a struct. OPTIONAL components and extension additions are
//     pointers, nil when absent; an OPTIONAL NULL is a bool. The Ext field
//     keeps unknown extension additions so that a decoded value re-encodes
//     byte for byte.
//   - A CHOICE is a struct whose Choice field selects the alternative;
//     alternatives that are SEQUENCE, SET or CHOICE are pointers, the others
//     values, NULL alternatives have no field. Unknown extension alternatives
//     are kept in Unknown.
//   - An ENUMERATED is a named int whose values are the PER indices, with
//     constants and a String method.
//   - INTEGER is the smallest Go integer that holds its root range (int64 when
//     extensible or unbounded), OCTET STRING []byte, character strings string
//     (BMPString round-trips any code unit sequence), OBJECT IDENTIFIER
//     per.OID, BIT STRING per.BitString, SEQUENCE OF a slice.
//
// Every type has Encode(*per.Encoder) and Decode(*per.Decoder) methods;
// MultimediaSystemControlMessage also has MarshalPER and UnmarshalPER.
// Decoding never panics, bounds recursion, and allocates no more than the
// input can justify.
//
// Decode replaces the contents of its receiver but reuses the memory the
// receiver already holds: the values that OPTIONAL components, extension
// additions and CHOICE alternatives point to, the capacity of lists, octet
// strings and object identifiers, and strings equal to the decoded ones.
// Decoding message after message into the same value (or values kept in a
// sync.Pool) therefore allocates only for what the earlier messages did not
// have. The result is the value a decode into a zero value gives
// (reflect.DeepEqual), but what an earlier decode left in the receiver is
// overwritten: copy any part of it that must outlive the next decode, and
// decode into a zero value rather than into a value built by hand whose
// fields share memory. Decoded values never alias the input.
//
// It is not an H.245 protocol engine: master/slave determination, capability
// negotiation and logical channel state machines live with the H.323 leg.
package h245
