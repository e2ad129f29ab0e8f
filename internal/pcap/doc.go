// Package pcap reads and writes packet capture files without cgo.
//
// The reader accepts classic libpcap files (either byte order, micro- or
// nanosecond timestamps) and pcapng files (section, interface, enhanced,
// simple and obsolete packet blocks; every other block is skipped), with
// the link types Ethernet, raw IP, Linux cooked capture (v1 and v2) and
// BSD loopback. Decode pulls IPv4/IPv6 and UDP/TCP apart far enough to give
// the 4-tuple and the payload, and ReassembleTCP turns the segments of a
// capture into per-direction byte streams.
//
// The writer produces classic pcap files whose frames it synthesizes
// (Ethernet or raw IP, IPv4 or IPv6, UDP or TCP with correct lengths and
// checksums and per-flow sequence numbers), so that tests can feed our own
// encoded messages to an independent decoder such as tshark.
//
// It is a tool for tests and offline analysis, not a capture library: it
// does not open interfaces, does not reassemble IP fragments, and its TCP
// reassembly orders segments by sequence number without modelling the
// TCP state machine.
package pcap
