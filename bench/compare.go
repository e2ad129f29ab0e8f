package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"time"
)

// RTPCompareOptions is a side-by-side media relay run.
type RTPCompareOptions struct {
	Config RTPConfig
	// Dir receives configuration files and logs.
	Dir string
	// Relays to measure after the baseline, in order: "rtpengine",
	// "switchyard", "switchyard-read" (Switchyard reading its tracks with
	// ReadRTP goroutines instead of forwarding through rtpio's receive
	// engine) (default rtpengine and switchyard).
	Relays []string
	// RtpengineThreads is rtpengine's num-threads (default 2).
	RtpengineThreads int
	// RelayCommand starts Switchyard's relay process (see ServeRelay), with
	// RelayEnv added to its environment.
	RelayCommand []string
	RelayEnv     []string
	// RelayProfile and RelayAllocProfile, when set, are where the relay
	// process writes a CPU profile and a profile of every allocation
	// (go tool pprof).
	RelayProfile, RelayAllocProfile string
	// Log receives progress lines (nil: none).
	Log io.Writer
}

// RTPComparison is the outcome of CompareRTP.
type RTPComparison struct {
	Machine  string
	Baseline RTPResult
	Relays   []RTPResult
}

// CompareRTP measures the generator talking to itself (the baseline), then
// each relay with the same load, one after the other in the same run.
func CompareRTP(ctx context.Context, opts RTPCompareOptions) (RTPComparison, error) {
	if len(opts.Relays) == 0 {
		opts.Relays = []string{"rtpengine", "switchyard"}
	}
	logf := logger(opts.Log)
	out := RTPComparison{Machine: Machine()}
	logf("rtp: baseline, %d streams", opts.Config.withDefaults().Streams)
	base, err := RunRTP(ctx, opts.Config, nil)
	if err != nil {
		return out, fmt.Errorf("baseline: %w", err)
	}
	out.Baseline = base
	logf("rtp: baseline: %v", base.Load)
	for _, name := range opts.Relays {
		res, err := runRelay(ctx, opts, name)
		if err != nil {
			return out, err
		}
		logf("rtp: %s: %v; relay CPU %v (%.2f cores)", name, res.Load, res.RelayCPU, res.RelayCores)
		out.Relays = append(out.Relays, res)
	}
	out.Machine = Machine() // with the load average after the runs
	return out, nil
}

func runRelay(ctx context.Context, opts RTPCompareOptions, name string) (RTPResult, error) {
	dir, err := os.MkdirTemp(opts.Dir, name+"-")
	if err != nil {
		return RTPResult{}, err
	}
	switch name {
	case "rtpengine":
		r, err := StartRtpengine(ctx, RtpengineConfig{Dir: dir, Threads: opts.RtpengineThreads})
		if err != nil {
			return RTPResult{}, err
		}
		defer r.Stop()
		rel := &RtpengineRelay{R: r}
		res, err := RunRTP(ctx, opts.Config, rel)
		if cerr := rel.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err == nil && r.Exited() {
			err = fmt.Errorf("rtpengine exited during the run:\n%s", r.LogTail())
		}
		return res, err
	case "switchyard", "switchyard-read":
		if len(opts.RelayCommand) == 0 {
			return RTPResult{}, errors.New("switchyard relay: no relay command")
		}
		env := opts.RelayEnv
		if opts.RelayProfile != "" {
			env = append(env[:len(env):len(env)], RelayProfileEnv+"="+opts.RelayProfile)
		}
		if opts.RelayAllocProfile != "" {
			env = append(env[:len(env):len(env)], RelayAllocProfileEnv+"="+opts.RelayAllocProfile)
		}
		rel, err := StartSwitchyardRelay(opts.RelayCommand, env, dir)
		if err != nil {
			return RTPResult{}, err
		}
		rel.Read = name == "switchyard-read"
		res, err := RunRTP(ctx, opts.Config, rel)
		if cerr := rel.Close(); err == nil && cerr != nil {
			err = cerr
		}
		return res, err
	}
	return RTPResult{}, fmt.Errorf("unknown relay %q (want rtpengine, switchyard or switchyard-read)", name)
}

// GatewayTarget is a SIP listener of a running gateway whose dial plan
// sends every call to sip:USER@127.0.0.1:UASPort (a rule matching "(.*)").
type GatewayTarget struct {
	Addr    netip.AddrPort
	UASPort int
	// PID is the gateway's process; 0 finds the process that holds Addr's
	// UDP port.
	PID int
}

// SIPCompareOptions is a side-by-side SIP run: Kamailio as a stateful proxy
// and, when Gateway is set, the gateway, each between the same SIPp UAC and
// UAS.
type SIPCompareOptions struct {
	Dir              string
	Kamailio         bool
	KamailioChildren int
	Gateway          *GatewayTarget
	Rate             RateConfig
	Concurrency      ConcurrencyConfig
	Log              io.Writer
}

// SIPComparison is the outcome of CompareCallRate or CompareConcurrency:
// one entry per target, Kamailio first.
type SIPComparison struct {
	Machine     string
	SIPp        string
	Rates       []RateResult
	Concurrency []ConcurrencyResult
}

// CompareCallRate searches the highest call rate of each target.
func CompareCallRate(ctx context.Context, opts SIPCompareOptions) (SIPComparison, error) {
	out := SIPComparison{SIPp: SIPpVersion("")}
	err := eachSIPTarget(ctx, opts, func(sipp SIPp, t SIPTarget) error {
		logger(opts.Log)("sip: call rate through %s", t.Name)
		r, err := SearchCallRate(ctx, sipp, t, opts.Rate)
		if err != nil {
			return err
		}
		for _, s := range r.Steps {
			logger(opts.Log)("sip: %s %d calls/s: %d ok, %d failed, created at %.0f/s, %v CPU per call %s",
				t.Name, s.Rate, s.Successful, s.Failed, s.Achieved, s.CPUPerCall(), s.Why)
		}
		out.Rates = append(out.Rates, r)
		return nil
	})
	out.Machine = Machine()
	return out, err
}

// CompareConcurrency ramps each target up to the configured number of
// concurrent calls.
func CompareConcurrency(ctx context.Context, opts SIPCompareOptions) (SIPComparison, error) {
	out := SIPComparison{SIPp: SIPpVersion("")}
	err := eachSIPTarget(ctx, opts, func(sipp SIPp, t SIPTarget) error {
		logger(opts.Log)("sip: concurrent calls through %s", t.Name)
		r, err := RampConcurrentCalls(ctx, sipp, t, opts.Concurrency)
		if err != nil {
			return err
		}
		logger(opts.Log)("sip: %s: peak %d concurrent calls, %d ok, %d failed", t.Name, r.Peak, r.Successful, r.Failed)
		out.Concurrency = append(out.Concurrency, r)
		return nil
	})
	out.Machine = Machine()
	return out, err
}

// eachSIPTarget sets up a UAS and Kamailio, then the UAS for the gateway,
// and runs fn against each target.
func eachSIPTarget(ctx context.Context, opts SIPCompareOptions, fn func(SIPp, SIPTarget) error) error {
	if !opts.Kamailio && opts.Gateway == nil {
		return errors.New("sip: no target: enable Kamailio or give the gateway's address")
	}
	if opts.Kamailio {
		dir, err := os.MkdirTemp(opts.Dir, "kamailio-")
		if err != nil {
			return err
		}
		sipp := SIPp{Dir: dir}
		port, err := FreeUDPPort()
		if err != nil {
			return err
		}
		uas, err := sipp.StartUAS(port)
		if err != nil {
			return err
		}
		k, err := StartKamailio(ctx, KamailioConfig{Dir: dir, UAS: loopback(port), Children: opts.KamailioChildren})
		if err != nil {
			uas.Stop()
			return err
		}
		t := SIPTarget{
			Name:   "kamailio",
			Detail: fmt.Sprintf("Kamailio %s, stateful proxy (tm, rr), %d UDP workers", KamailioVersion(""), k.Children),
			Addr:   k.Addr, PID: k.PID, UASPID: uas.PID,
		}
		err = fn(sipp, t)
		k.Stop()
		uas.Stop()
		if err != nil {
			return fmt.Errorf("kamailio: %w", err)
		}
	}
	if g := opts.Gateway; g != nil {
		dir, err := os.MkdirTemp(opts.Dir, "gateway-")
		if err != nil {
			return err
		}
		sipp := SIPp{Dir: dir}
		if udpPortTaken(g.UASPort) {
			return fmt.Errorf("gateway: UAS port %d is already in use", g.UASPort)
		}
		uas, err := sipp.StartUAS(g.UASPort)
		if err != nil {
			return err
		}
		defer uas.Stop()
		pid := g.PID
		if pid == 0 {
			if pid, err = PIDByUDPPort(g.Addr.Port()); err != nil {
				return fmt.Errorf("gateway: %w", err)
			}
		}
		t := SIPTarget{
			Name:   "switchyard",
			Detail: fmt.Sprintf("gateway at %s (pid %d), UAS on port %d", g.Addr, pid, g.UASPort),
			Addr:   g.Addr, PID: pid, UASPID: uas.PID,
		}
		if err := fn(sipp, t); err != nil {
			return fmt.Errorf("gateway: %w", err)
		}
	}
	return nil
}

func loopback(port int) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(port))
}

func logger(w io.Writer) func(format string, args ...any) {
	return func(format string, args ...any) {
		if w != nil {
			fmt.Fprintf(w, "%s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
		}
	}
}

// relayNames lists the relays CompareRTP knows.
var relayNames = []string{"rtpengine", "switchyard", "switchyard-read"}

// ValidRelay reports whether name is a relay CompareRTP can run.
func ValidRelay(name string) bool { return slices.Contains(relayNames, name) }
