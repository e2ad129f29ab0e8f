package testpeer

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"testing"
	"time"
)

// TsharkTimeout bounds one tshark run.
const TsharkTimeout = 2 * time.Minute

// Packet is one decoded packet: the "_source.layers" object of tshark's
// JSON output, keyed by protocol ("frame", "eth", "ip", "tcp", "q931",
// "h225", ...). Values are strings, arrays (repeated fields) or nested
// objects, exactly as tshark printed them.
type Packet = map[string]any

// Tshark decodes a pcap file with tshark (`tshark -r FILE -T json
// --no-duplicate-keys EXTRA...`) and returns its packets. Extra arguments
// pass through, for example "-d", "udp.port==1719,h225" or "-o",
// "h225.reassembly:TRUE". Repeated fields of one tree come back as JSON
// arrays (--no-duplicate-keys), so no value is lost.
//
// A missing tshark skips the test (fails when CI=true); a failing run or
// unparseable output fails the test.
func Tshark(t testing.TB, pcapPath string, extraArgs ...string) []Packet {
	t.Helper()
	bin := Require(t, "tshark", "tshark")
	ctx, cancel := context.WithTimeout(t.Context(), TsharkTimeout)
	defer cancel()

	args := append([]string{"-r", pcapPath, "-T", "json", "--no-duplicate-keys"}, extraArgs...)
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("tshark %v: %v\nstderr:\n%s", args, err, stderr.String())
	}
	packets, err := parseTsharkJSON(stdout.Bytes())
	if err != nil {
		t.Fatalf("tshark %v: %v", args, err)
	}
	return packets
}

// parseTsharkJSON turns tshark's -T json output into the per-packet layer
// objects.
func parseTsharkJSON(data []byte) ([]Packet, error) {
	var raw []struct {
		Source struct {
			Layers map[string]any `json:"layers"`
		} `json:"_source"`
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, &jsonError{err: err}
	}
	out := make([]Packet, 0, len(raw))
	for _, r := range raw {
		out = append(out, Packet(r.Source.Layers))
	}
	return out, nil
}

type jsonError struct{ err error }

func (e *jsonError) Error() string { return "parse tshark JSON: " + e.err.Error() }
func (e *jsonError) Unwrap() error { return e.err }
