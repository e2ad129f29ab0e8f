package bench

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/testpeer"
)

// TestMain lets the test binary double as Switchyard's relay process: the
// RTP benchmark starts this binary again with RelayChildEnv=1.
func TestMain(m *testing.M) {
	if os.Getenv(RelayChildEnv) == "1" {
		if err := ServeRelay(context.Background(), os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// benchEnv skips a scenario benchmark unless SWITCHYARD_BENCH=1: they take
// tens of seconds and start peer daemons.
func benchEnv(b *testing.B) {
	b.Helper()
	if os.Getenv("SWITCHYARD_BENCH") != "1" {
		b.Skip("side-by-side scenario: set SWITCHYARD_BENCH=1 to run it")
	}
}

// sipPeers checks for SIPp and Kamailio (a skip locally, a failure when
// CI=true).
func sipPeers(b *testing.B) {
	b.Helper()
	testpeer.Require(b, "sipp", "sip-tester")
	testpeer.Require(b, "kamailio", "kamailio")
}

func envInt(b *testing.B, name string, def int) int {
	b.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		b.Fatalf("%s=%q: %v", name, v, err)
	}
	return n
}

func envDuration(b *testing.B, name string, def time.Duration) time.Duration {
	b.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		b.Fatalf("%s=%q: %v", name, v, err)
	}
	return d
}

// gatewayTarget reads the gateway's SIP listener from the environment.
func gatewayTarget(b *testing.B) *GatewayTarget {
	b.Helper()
	v := os.Getenv("SWITCHYARD_BENCH_SIP_TARGET")
	if v == "" {
		b.Log("SWITCHYARD_BENCH_SIP_TARGET not set: measuring Kamailio only")
		return nil
	}
	addr, err := netip.ParseAddrPort(v)
	if err != nil {
		b.Fatalf("SWITCHYARD_BENCH_SIP_TARGET=%q: %v", v, err)
	}
	return &GatewayTarget{
		Addr:    addr,
		UASPort: envInt(b, "SWITCHYARD_BENCH_SIP_UAS_PORT", 5090),
		PID:     envInt(b, "SWITCHYARD_BENCH_SIP_PID", 0),
	}
}

// BenchmarkRTPRelay pumps the same RTP load (default 1,000 G.711 streams,
// 50 pps, 172-byte packets) through nothing (the baseline), rtpengine in
// user space and Switchyard's relay, one after the other, and reports
// packets per second per core and added latency. It runs once whatever
// b.N is. Environment: SWITCHYARD_BENCH_RTP_STREAMS, _RTP_WINDOW,
// _RTP_RELAYS (a comma-separated list, default "rtpengine,switchyard";
// "switchyard-read" is Switchyard without its receive engine),
// _RTPENGINE_THREADS, _RELAY_CPUPROFILE and _RELAY_ALLOCPROFILE (files for
// the relay's CPU and allocation profiles).
func BenchmarkRTPRelay(b *testing.B) {
	benchEnv(b)
	testpeer.Require(b, "rtpengine", "rtpengine-daemon")
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	var relays []string
	for _, n := range strings.Split(os.Getenv("SWITCHYARD_BENCH_RTP_RELAYS"), ",") {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		if !ValidRelay(n) {
			b.Fatalf("SWITCHYARD_BENCH_RTP_RELAYS: unknown relay %q", n)
		}
		relays = append(relays, n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmp, err := CompareRTP(ctx, RTPCompareOptions{
		Relays: relays,
		Config: RTPConfig{
			Streams:  envInt(b, "SWITCHYARD_BENCH_RTP_STREAMS", 1000),
			Duration: envDuration(b, "SWITCHYARD_BENCH_RTP_WINDOW", 20*time.Second),
		},
		Dir:               b.TempDir(),
		RtpengineThreads:  envInt(b, "SWITCHYARD_BENCH_RTPENGINE_THREADS", 2),
		RelayCommand:      []string{exe, "-test.run=^$"},
		RelayEnv:          []string{RelayChildEnv + "=1"},
		RelayProfile:      os.Getenv(RelayProfileEnv),
		RelayAllocProfile: os.Getenv(RelayAllocProfileEnv),
		Log:               os.Stderr,
	})
	if err != nil {
		b.Fatal(err)
	}
	fmt.Println(cmp.Table())
	for _, r := range cmp.Relays {
		b.ReportMetric(r.PPSPerCore(), r.Relay+"-pps/core")
		b.ReportMetric(float64(r.Load.Latency.P99-cmp.Baseline.Load.Latency.P99)/1e3, r.Relay+"-added-p99-µs")
		b.ReportMetric(100*r.Load.LossRatio(), r.Relay+"-loss-%")
		if a := r.AllocsPerPacket(); a >= 0 {
			b.ReportMetric(a, r.Relay+"-allocs/packet")
		}
	}
	b.ReportMetric(0, "ns/op")
}

// BenchmarkSIPCallRate finds the highest rate of short calls (no hold)
// with < 0.1% failed calls through Kamailio and, when
// SWITCHYARD_BENCH_SIP_TARGET=host:port names the gateway's SIP listener,
// through the gateway (its dial plan must send "(.*)" to
// sip:$1@127.0.0.1:SWITCHYARD_BENCH_SIP_UAS_PORT, default 5090).
func BenchmarkSIPCallRate(b *testing.B) {
	benchEnv(b)
	sipPeers(b)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmp, err := CompareCallRate(ctx, SIPCompareOptions{
		Dir:              b.TempDir(),
		Kamailio:         true,
		KamailioChildren: envInt(b, "SWITCHYARD_BENCH_KAMAILIO_CHILDREN", 4),
		Gateway:          gatewayTarget(b),
		Rate:             RateConfig{Step: envDuration(b, "SWITCHYARD_BENCH_SIP_STEP", 4*time.Second)},
		Log:              os.Stderr,
	})
	if err != nil {
		b.Fatal(err)
	}
	fmt.Println(cmp.Table())
	for _, r := range cmp.Rates {
		if r.Best != nil {
			b.ReportMetric(float64(r.Best.Rate), r.Target.Name+"-calls/s")
			b.ReportMetric(float64(r.Best.CPUPerCall())/1e3, r.Target.Name+"-cpu-µs/call")
		}
	}
	b.ReportMetric(0, "ns/op")
}

// BenchmarkSIPConcurrentCalls ramps to SWITCHYARD_BENCH_SIP_CALLS (default
// 12,000) concurrent calls at SWITCHYARD_BENCH_SIP_RAMP calls/s (default
// 600), through Kamailio and the gateway as for BenchmarkSIPCallRate.
func BenchmarkSIPConcurrentCalls(b *testing.B) {
	benchEnv(b)
	sipPeers(b)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmp, err := CompareConcurrency(ctx, SIPCompareOptions{
		Dir:              b.TempDir(),
		Kamailio:         true,
		KamailioChildren: envInt(b, "SWITCHYARD_BENCH_KAMAILIO_CHILDREN", 4),
		Gateway:          gatewayTarget(b),
		Concurrency: ConcurrencyConfig{
			Rate:     envInt(b, "SWITCHYARD_BENCH_SIP_RAMP", 600),
			MaxCalls: envInt(b, "SWITCHYARD_BENCH_SIP_CALLS", 12000),
		},
		Log: os.Stderr,
	})
	if err != nil {
		b.Fatal(err)
	}
	fmt.Println(cmp.Table())
	for _, r := range cmp.Concurrency {
		b.ReportMetric(float64(r.Peak), r.Target.Name+"-concurrent")
	}
	b.ReportMetric(0, "ns/op")
}
