package bench

import (
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/rtpload"
)

func TestRTPTable(t *testing.T) {
	load := func(p50, p99 time.Duration) rtpload.Report {
		return rtpload.Report{Streams: 1000, Rate: 50, Window: 20 * time.Second, Sent: 1e6, Delivered: 1e6,
			Latency: rtpload.Summary{P50: p50, P90: p99, P99: p99, Max: p99}}
	}
	c := RTPComparison{
		Machine:  "test machine",
		Baseline: RTPResult{Relay: "none (baseline)", Load: load(20*time.Microsecond, 100*time.Microsecond), RelayMallocs: -1},
		Relays: []RTPResult{
			{Relay: "rtpengine", Load: load(60*time.Microsecond, 300*time.Microsecond), RelayCPU: 10 * time.Second, RelayMallocs: -1},
			{Relay: "switchyard", Load: load(50*time.Microsecond, 200*time.Microsecond), RelayCPU: 8 * time.Second, RelayMallocs: 0},
			{Relay: "switchyard-read", Load: load(50*time.Microsecond, 200*time.Microsecond), RelayCPU: 12500 * time.Millisecond, RelayMallocs: 0},
		},
	}
	got := c.Table()
	for _, want := range []string{
		"1000 streams x 50 pps (50000 pps offered)",
		"| rtpengine |", "40.0 µs / 200.0 µs", "| 100000 |",
		"| switchyard |", "30.0 µs / 100.0 µs", "| 125000 |", "| 0.0000 |",
		"Switchyard / rtpengine packets per second per core: 1.25.",
		"| switchyard-read |", "| 80000 |",
		"Switchyard (read) / rtpengine packets per second per core: 0.80.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
}

func TestSIPTable(t *testing.T) {
	step := func(rate int, pass bool, cpu time.Duration) RateStep {
		return RateStep{Rate: rate, Calls: rate * 4, Successful: uint64(rate * 4), Achieved: float64(rate), TargetCPU: cpu, Pass: pass, Why: map[bool]string{false: "1.00% of calls failed"}[pass]}
	}
	k := RateResult{Target: SIPTarget{Name: "kamailio"}, Steps: []RateStep{step(500, true, time.Second), step(1000, true, 2*time.Second), step(1500, false, 3*time.Second)}}
	k.Best = &k.Steps[1]
	g := RateResult{Target: SIPTarget{Name: "switchyard"}, Steps: []RateStep{step(500, true, 3*time.Second), step(1000, false, 5*time.Second)}}
	g.Best = &g.Steps[0]
	c := SIPComparison{SIPp: "SIPp v3.6.1", Machine: "test machine", Rates: []RateResult{k, g},
		Concurrency: []ConcurrencyResult{{Target: SIPTarget{Name: "kamailio"}, Config: ConcurrencyConfig{Rate: 600, MaxCalls: 12000, Hold: 22 * time.Second}, Peak: 12000, Successful: 12000, ReachedMax: true}}}
	got := c.Table()
	for _, want := range []string{
		"| kamailio |  | 1000 calls/s (4000 calls, 0 failed) |",
		"1500 calls/s failed: 1.00% of calls failed",
		"Switchyard / Kamailio highest rate: 0.50.",
		"CPU per call at 500 calls/s: Switchyard 1500.0 µs, Kamailio 500.0 µs, ratio 3.00.",
		"| kamailio | 12000 calls at 600/s, held 22s | 12000 | 12000 | 0 | 0 | true |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
}
