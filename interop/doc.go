// Package interop holds the end-to-end tests of the gateway against
// independent SIP implementations: SIPp (UAC and UAS scenarios, RTP from
// pcap files and RTP echo, a digest registrar), baresip (registration with
// digest, audio and video calls, SRTP) and tshark (an independent decode
// of every SIP and SDP message and every media packet the gateway sends).
//
// Each test starts a real gateway inside the test process from a
// configuration template in testdata/config, places calls through it with
// the peers (SIPp scenarios in testdata/sipp), and asserts on what the
// peers saw (SIPp's exit status and statistics, baresip's call events, the
// audio it decoded and a picture it decoded, tshark's decode of a loopback
// capture) and on the gateway's call records and status.
//
// Every peer binds loopback ports from a block the test owns; every
// process is bounded in time and killed by its PID when the test ends.
// INTEROP_LOG=1 prints the gateway's log of passing tests too;
// INTEROP_KEEP=DIR keeps the capture of a failed test in DIR.
//
// The package holds tests only: it exports nothing and is not a harness for
// other packages. A peer that is not installed skips its tests locally and
// fails them when CI=true (see internal/testpeer).
package interop
