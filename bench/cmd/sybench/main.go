// Command sybench runs Switchyard's side-by-side benchmarks from the command
// line: the RTP relay against rtpengine, and SIP call handling against a
// Kamailio stateful proxy, with the same load generators. It prints a
// Markdown table (or JSON with -json) on standard output and progress on
// standard error.
//
//	sybench rtp [-streams 1000] [-window 20s] [-relays rtpengine,switchyard]
//	sybench sip-rate [-target 127.0.0.1:5060 -uas-port 5090] [-kamailio=true]
//	sybench sip-concurrent [-target ...] [-calls 12000] [-ramp 600]
//
// It is a benchmark driver, not a load-testing product: peers come from
// Debian packages (rtpengine-daemon, kamailio, sip-tester) and everything runs
// on 127.0.0.1. The hidden subcommand relay-child is the relay process that
// the rtp subcommand starts.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/switchyard/switchyard/bench"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "sybench:", err)
		os.Exit(1)
	}
}

const usage = `usage: sybench rtp|sip-rate|sip-concurrent [flags]   (sybench CMD -h for flags)`

func run(args []string) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch args[0] {
	case "rtp":
		return runRTP(ctx, args[1:])
	case "sip-rate", "sip-concurrent":
		return runSIP(ctx, args[0], args[1:])
	case "relay-child":
		return bench.ServeRelay(ctx, os.Stdin, os.Stdout)
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}

func runRTP(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("sybench rtp", flag.ContinueOnError)
	streams := fs.Int("streams", 1000, "concurrent streams")
	rate := fs.Int("rate", 50, "packets per second per stream")
	size := fs.Int("size", 172, "bytes per packet, RTP header included")
	warmup := fs.Duration("warmup", 3*time.Second, "load before the measurement window")
	window := fs.Duration("window", 20*time.Second, "measurement window")
	senders := fs.Int("senders", 0, "sender goroutines of the generator (0: one per core)")
	tick := fs.Duration("tick", 250*time.Microsecond, "the generator's pacing tick: packets leave in bursts of at most a tick's worth")
	relays := fs.String("relays", "rtpengine,switchyard", "relays to measure after the baseline")
	threads := fs.Int("rtpengine-threads", 2, "rtpengine num-threads")
	profile := fs.String("relay-cpuprofile", "", "write a CPU profile of Switchyard's relay to this file")
	allocProfile := fs.String("relay-allocprofile", "", "write a profile of every allocation of Switchyard's relay to this file (slows it down)")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var names []string
	for _, n := range strings.Split(*relays, ",") {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		if !bench.ValidRelay(n) {
			return fmt.Errorf("-relays: unknown relay %q", n)
		}
		names = append(names, n)
	}
	if *warmup+*window > 60*time.Second {
		return errors.New("-warmup plus -window must stay within 60 s")
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "sybench-rtp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cmp, err := bench.CompareRTP(ctx, bench.RTPCompareOptions{
		Config: bench.RTPConfig{
			Streams: *streams, Rate: *rate, Size: *size, Senders: *senders, Tick: *tick,
			Warmup: *warmup, Duration: *window,
		},
		Dir:               dir,
		Relays:            names,
		RtpengineThreads:  *threads,
		RelayCommand:      []string{exe, "relay-child"},
		RelayProfile:      *profile,
		RelayAllocProfile: *allocProfile,
		Log:               os.Stderr,
	})
	if err != nil {
		return err
	}
	return emit(cmp, cmp.Table(), *asJSON)
}

func runSIP(ctx context.Context, cmd string, args []string) error {
	fs := flag.NewFlagSet("sybench "+cmd, flag.ContinueOnError)
	target := fs.String("target", "", "the gateway's SIP listener, host:port (empty: Kamailio only)")
	uasPort := fs.Int("uas-port", 5090, "port of the SIPp UAS that the gateway's dial plan sends calls to")
	pid := fs.Int("pid", 0, "the gateway's process id (0: the process holding the target's UDP port)")
	kamailio := fs.Bool("kamailio", true, "measure Kamailio as well")
	children := fs.Int("kamailio-children", 4, "Kamailio UDP worker processes")
	rates := fs.String("rates", "250,500,750,1000,1250,1500,2000,2500,3000,4000", "call rates to try, in order (sip-rate)")
	step := fs.Duration("step", 4*time.Second, "how long each rate is offered (sip-rate)")
	budget := fs.Duration("budget", 60*time.Second, "time bound of each target's rate search (sip-rate)")
	calls := fs.Int("calls", 12000, "calls placed, the highest concurrency tried (sip-concurrent)")
	ramp := fs.Int("ramp", 600, "call rate of the ramp (sip-concurrent)")
	hold := fs.Duration("hold", 0, "hold time of each call (sip-concurrent; 0: ramp length + 2 s)")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	opts := bench.SIPCompareOptions{
		Kamailio:         *kamailio,
		KamailioChildren: *children,
		Rate:             bench.RateConfig{Step: *step, Budget: *budget},
		Concurrency:      bench.ConcurrencyConfig{Rate: *ramp, MaxCalls: *calls, Hold: *hold},
		Log:              os.Stderr,
	}
	for _, r := range strings.Split(*rates, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(r))
		if err != nil || n <= 0 {
			return fmt.Errorf("-rates: %q is not a call rate", r)
		}
		opts.Rate.Rates = append(opts.Rate.Rates, n)
	}
	if *target != "" {
		addr, err := netip.ParseAddrPort(*target)
		if err != nil {
			return fmt.Errorf("-target: %w", err)
		}
		opts.Gateway = &bench.GatewayTarget{Addr: addr, UASPort: *uasPort, PID: *pid}
	}
	dir, err := os.MkdirTemp("", "sybench-sip-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	opts.Dir = dir
	var cmp bench.SIPComparison
	if cmd == "sip-rate" {
		cmp, err = bench.CompareCallRate(ctx, opts)
	} else {
		cmp, err = bench.CompareConcurrency(ctx, opts)
	}
	if err != nil {
		return err
	}
	return emit(cmp, cmp.Table(), *asJSON)
}

func emit(v any, table string, asJSON bool) error {
	if !asJSON {
		_, err := fmt.Print(table)
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
