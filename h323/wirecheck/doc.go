// Package wirecheck proves the H.323 encodings of Switchyard against
// decoders nobody here wrote. Its tests build a gatekeeper dialogue and two
// calls with package caps and the generated h225 and h245 types (RAS on
// UDP 1719, Q.931 call signalling over TPKT on TCP 1720 with H.245
// tunnelled, and a call with a separate H.245 connection), write them to a
// pcap file and require tshark to decode every field with the values that
// were set and to raise no malformed-packet or warning mark; they encode a
// set of golden values with Erlang's asn1 application (aligned PER) and
// require the same octets; and they measure the cost of the PER codec per
// call.
//
// It holds tests only: there is no code to import. The peers (Debian
// packages tshark, erlang-base and erlang-asn1) are looked up at test
// time; a missing peer skips a test locally and fails it when CI=true.
package wirecheck
