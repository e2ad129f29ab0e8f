// Package caps is the typed vocabulary of H.323 media negotiation: it builds
// and parses the H.245 capabilities, logical channels, commands and
// indications and the H.225.0 RAS and call signalling messages that an
// H.323 leg sends and receives, on top of the generated types of packages
// h245 and h225, and maps them to and from Switchyard's call vocabulary
// (call.Codec, call.Role, call.Offer).
//
// The formats it knows are G.711 (A-law and µ-law), G.722, G.722.1 (the
// generic audio capability of G.722.1 Annex A), H.261, H.263, H.264 (the
// generic video capability of H.241 with its profile, level and custom
// limits), H.239 content (extended video capability with a role label, and
// the H.239 control capability and generic messages), H.224 camera control
// data over HDLC frame tunnelling, RFC 4733 telephone events and the H.245
// user input capabilities. A Media value describes one format; Entry and
// CapabilitySet describe a TerminalCapabilitySet; OLC and OLCAck describe
// logical channels with their H.225.0 media parameters. Builders return
// values of the generated types, ready to encode; parsers take decoded
// values and report formats they do not know as ErrUnsupported so that a
// caller can skip them.
//
// It also carries H.245 inside H.225.0: fastStart elements (OpenLogicalChannel
// encodings) and h245Control tunnelling.
//
// It is not a protocol engine: it keeps no state, opens no socket and runs
// no timer. Master/slave determination, capability exchange and logical
// channel state machines, RAS transactions and call signalling belong to
// the H.323 leg, which uses these builders. It does not encode Q.931 or
// TPKT (packages q931 and tpkt) and it is not an aligned-PER codec (package
// per and the generated packages).
package caps
