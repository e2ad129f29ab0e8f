// Package h225 holds the H.225.0 (version 8) messages as Go types with
// aligned PER codecs: RasMessage (gatekeeper RAS on UDP), H323-UserInformation
// (the user-user information element of Q.931 call signalling: Setup-UUIE,
// Connect-UUIE, Facility-UUIE, ...), the H.235 security types they carry,
// and the H.460.18 / H.460.19 NAT traversal types.
//
// The types and codecs are generated from the ASN.1 modules H323-MESSAGES,
// H235-SECURITY-MESSAGES, SIGNALLING-TRAVERSAL and MEDIA-TRAVERSAL by
// h323/internal/asn1gen; see gen.go. H.245 types that H.225.0 imports
// (DataProtocolCapability, T38FaxProfile, QOSCapability, and TransportAddress
// for H.460.19) come from package h245. An H.235 type whose name H.225.0
// also uses is prefixed with H235 (H235NonStandardParameter). The
// conventions of the generated code are those of package h245:
//
//   - A SEQUENCE is a struct. OPTIONAL components and extension additions are
//     pointers, nil when absent; an OPTIONAL NULL is a bool. The Ext field
//     keeps unknown extension additions so that a decoded value re-encodes
//     byte for byte.
//   - A CHOICE is a struct whose Choice field selects the alternative;
//     alternatives that are SEQUENCE, SET or CHOICE are pointers, the others
//     values, NULL alternatives have no field. Unknown extension alternatives
//     are kept in Unknown.
//   - An ENUMERATED is a named int whose values are the PER indices.
//   - INTEGER is the smallest Go integer that holds its root range, OCTET
//     STRING []byte, character strings string (BMPString round-trips any code
//     unit sequence), OBJECT IDENTIFIER per.OID, SEQUENCE OF a slice.
//
// Every type has Encode(*per.Encoder) and Decode(*per.Decoder) methods; the
// roots also have MarshalPER and UnmarshalPER. H.245 messages tunnelled in
// h245Control and fastStart elements stay OCTET STRINGs here: decode them
// with package h245.
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
// It is not an H.225.0 protocol engine: RAS transactions and call signalling
// state live with the H.323 leg and the gatekeeper client; Q.931 framing is
// package q931.
package h225
