// Package bench measures Switchyard side by side with independent peers in
// the same run: the RTP relay against rtpengine (user-space forwarding), and
// SIP call handling against a Kamailio stateful proxy, both driven by the same
// load (internal/rtpload for media, SIPp for signalling).
//
// Switchyard's relay is rtpio sessions joined by bridge.Join. Its tracks
// let the bridge forward through rtpio's receive engine (ForwardRTP over
// Session.Forward); the relay named "switchyard-read" has tracks without
// ForwardRTP, which the bridge reads with a goroutine per direction
// (ReadRTP), for comparison.
//
// It starts the peers itself, on loopback only, as foreground processes with
// configuration written to a temporary directory, samples their CPU time from
// /proc over the measurement window, and kills them by PID at the end. It
// speaks rtpengine's ng control protocol (bencoded dictionaries over UDP) to
// set up one call per stream, and reads SIPp's statistics files to find the
// highest call rate with fewer than 0.1% failed calls and the largest number
// of concurrent calls held.
//
// The scenarios take tens of seconds each and only run when SWITCHYARD_BENCH=1
// (go test -run '^$' -bench . ./bench/, or the sybench command). The package's
// unit tests (bencode, SDP, statistics parsing) are fast and always run.
//
// It is a measuring harness, not a load-testing product: it assumes Linux
// (/proc), loopback addresses and peers installed from Debian packages.
package bench
