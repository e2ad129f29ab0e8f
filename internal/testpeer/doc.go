// Package testpeer runs independent programs and locates reference data for tests.
//
// It finds the shared reference directory that sits beside the repository
// (ASN.1 modules, captures of real stacks), checks that independent peer
// programs such as tshark are installed, and runs tshark over a pcap file,
// returning its decode as generic JSON together with helpers that look up
// fields and collect malformed-packet and expert-info marks.
//
// It is a test-only helper: it takes a testing.TB everywhere, skips when a
// peer or the reference data is missing on a developer machine, and fails
// instead when CI=true. It is not a process supervisor for production code.
package testpeer
