package bench

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// SIPTarget is what the UAC calls: a proxy or the gateway, listening on
// Addr, whose work happens in the process tree of PID.
type SIPTarget struct {
	Name   string
	Detail string
	Addr   netip.AddrPort
	PID    int
	// UASPID is the SIPp UAS behind the target, whose CPU time is
	// reported next to the target's (0: not measured).
	UASPID int
}

// RateConfig drives a call-rate search.
type RateConfig struct {
	// Rates are tried in order until one fails (default 250, 500, 750,
	// 1000, 1250, 1500, 2000, 2500, 3000, 4000).
	Rates []int
	// Step is how long each rate is offered (default 4 s).
	Step time.Duration
	// Budget bounds the whole search (default 60 s); rates that would not
	// fit are not tried.
	Budget time.Duration
	// MaxFailRatio is the highest failed-call ratio that passes (default
	// 0.001, i.e. 0.1%).
	MaxFailRatio float64
}

func (c RateConfig) withDefaults() RateConfig {
	if len(c.Rates) == 0 {
		c.Rates = []int{250, 500, 750, 1000, 1250, 1500, 2000, 2500, 3000, 4000}
	}
	if c.Step == 0 {
		c.Step = 4 * time.Second
	}
	if c.Budget == 0 {
		c.Budget = 60 * time.Second
	}
	if c.MaxFailRatio == 0 {
		c.MaxFailRatio = 0.001
	}
	return c
}

// RateStep is one offered rate.
type RateStep struct {
	Rate       int
	Calls      int
	Successful uint64
	Failed     uint64
	Retrans    uint64
	// Achieved is the rate at which SIPp really created the calls; below
	// the offered rate, SIPp itself could not keep up.
	Achieved float64
	// ResponseTime is the average INVITE-to-200 time.
	ResponseTime time.Duration
	// TargetCPU is the target's CPU time while SIPp ran; SIPpCPU is the
	// UAC's and the UAS's together, on the same cores.
	TargetCPU, SIPpCPU time.Duration
	Wall               time.Duration
	Pass               bool
	Why                string // why the step failed
}

// CPUPerCall is the target's CPU time per successful call.
func (s RateStep) CPUPerCall() time.Duration {
	if s.Successful == 0 {
		return 0
	}
	return s.TargetCPU / time.Duration(s.Successful)
}

// RateResult is a call-rate search.
type RateResult struct {
	Target SIPTarget
	Steps  []RateStep
	// Best is the highest passing step (nil when none passed).
	Best *RateStep
	// LoadAverage is the system's 1-minute load average at the end.
	LoadAverage float64
}

// SearchCallRate offers increasing call rates of short calls (no hold) to
// the target until a rate fails: more than MaxFailRatio failed calls, or
// SIPp could not create the calls at 95% of the offered rate.
func SearchCallRate(ctx context.Context, sipp SIPp, target SIPTarget, cfg RateConfig) (RateResult, error) {
	cfg = cfg.withDefaults()
	res := RateResult{Target: target}
	deadline := time.Now().Add(cfg.Budget)
	for _, rate := range cfg.Rates {
		// A step takes its offered time plus a few seconds of set-up and
		// tail; skip it if the budget cannot hold it.
		if time.Until(deadline) < cfg.Step+3*time.Second {
			break
		}
		step, err := runRateStep(ctx, sipp, target, rate, cfg, time.Until(deadline))
		if err != nil {
			return res, fmt.Errorf("%s at %d calls/s: %w", target.Name, rate, err)
		}
		res.Steps = append(res.Steps, step)
		if !step.Pass {
			break
		}
	}
	for i := range res.Steps {
		if res.Steps[i].Pass {
			res.Best = &res.Steps[i]
		}
	}
	res.LoadAverage = LoadAverage()
	return res, nil
}

func runRateStep(ctx context.Context, sipp SIPp, target SIPTarget, rate int, cfg RateConfig, left time.Duration) (RateStep, error) {
	calls := max(1, int(float64(rate)*cfg.Step.Seconds()))
	step := RateStep{Rate: rate, Calls: calls}
	cpu, uas := &CPUMeter{PID: target.PID}, &CPUMeter{PID: target.UASPID}
	out, err := sipp.RunUAC(ctx, UACRun{
		Target:  target.Addr,
		Rate:    rate,
		Calls:   calls,
		Limit:   max(calls, 100),
		Timeout: left,
		OnStart: func() { cpu.Start(); uas.Start() },
	})
	cpu.Stop()
	uas.Stop()
	if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		// SIPp was still waiting for calls when the budget ran out.
		step.Failed, step.Why = uint64(calls), "SIPp did not finish within the time budget"
		return step, nil
	}
	if err != nil {
		return step, err
	}
	if err := cpu.Err(); err != nil {
		return step, err
	}
	if target.UASPID != 0 {
		step.SIPpCPU = uas.CPU()
	}
	step.SIPpCPU += out.CPU
	step.Successful, step.Failed = out.Final.Successful, out.Final.Failed
	step.Retrans, step.ResponseTime = out.Final.Retrans, out.Final.ResponseTime
	step.TargetCPU, step.Wall = cpu.CPU(), out.Wall
	if at, ok := CreationTime(out.Rows, uint64(calls)); ok && at > 0 {
		step.Achieved = float64(calls) / at.Seconds()
	}
	// Calls SIPp never completed (killed, or still open) count as failed.
	if done := step.Successful + step.Failed; done < uint64(calls) {
		step.Failed += uint64(calls) - done
	}
	failRatio := float64(step.Failed) / float64(calls)
	switch {
	case failRatio > cfg.MaxFailRatio:
		step.Why = fmt.Sprintf("%.2f%% of calls failed", 100*failRatio)
	case step.Achieved < 0.95*float64(rate):
		step.Why = fmt.Sprintf("calls created at only %.0f/s", step.Achieved)
	default:
		step.Pass = true
	}
	return step, nil
}

// ConcurrencyConfig drives a concurrent-call ramp.
type ConcurrencyConfig struct {
	// Rate is the call rate of the ramp (default 600 calls/s).
	Rate int
	// MaxCalls is the number of calls placed, and so the highest
	// concurrency tried (default 12000).
	MaxCalls int
	// Hold is how long each call stays up (default: the ramp's length plus
	// 2 s, so that every call is up at the ramp's end).
	Hold time.Duration
	// Timeout bounds the run (default ramp + hold + 15 s).
	Timeout time.Duration
}

func (c ConcurrencyConfig) withDefaults() ConcurrencyConfig {
	if c.Rate == 0 {
		c.Rate = 600
	}
	if c.MaxCalls == 0 {
		c.MaxCalls = 12000
	}
	ramp := time.Duration(float64(c.MaxCalls) / float64(c.Rate) * float64(time.Second))
	if c.Hold == 0 {
		c.Hold = ramp + 2*time.Second
	}
	if c.Timeout == 0 {
		c.Timeout = ramp + c.Hold + 15*time.Second
	}
	return c
}

// ConcurrencyResult is a concurrent-call ramp.
type ConcurrencyResult struct {
	Target SIPTarget
	Config ConcurrencyConfig
	// Peak is the most calls SIPp had up at once before the first failure
	// (all of the ramp when nothing failed).
	Peak                uint64
	Successful, Failed  uint64
	FirstFailureAt      time.Duration // 0 when nothing failed
	TargetCPU, SIPpCPU  time.Duration
	LoadAverage         float64
	ReachedMax          bool // every call was up at once and all succeeded
	UACExitCode         int
	ResponseTime        time.Duration
	Retransmissions     uint64
	CallsNeverCompleted uint64
}

// RampConcurrentCalls places MaxCalls calls at Rate, each held for Hold, so
// that concurrency climbs to MaxCalls; the ceiling is the concurrency
// reached before the first call failed.
func RampConcurrentCalls(ctx context.Context, sipp SIPp, target SIPTarget, cfg ConcurrencyConfig) (ConcurrencyResult, error) {
	cfg = cfg.withDefaults()
	res := ConcurrencyResult{Target: target, Config: cfg}
	cpu, uas := &CPUMeter{PID: target.PID}, &CPUMeter{PID: target.UASPID}
	out, err := sipp.RunUAC(ctx, UACRun{
		Target:  target.Addr,
		Rate:    cfg.Rate,
		Calls:   cfg.MaxCalls,
		Limit:   cfg.MaxCalls,
		Hold:    cfg.Hold,
		Timeout: cfg.Timeout,
		OnStart: func() { cpu.Start(); uas.Start() },
	})
	cpu.Stop()
	uas.Stop()
	if err != nil {
		return res, fmt.Errorf("%s: %w", target.Name, err)
	}
	res.UACExitCode = out.ExitCode
	res.Peak = PeakBeforeFailure(out.Rows)
	res.Successful, res.Failed = out.Final.Successful, out.Final.Failed
	if done := res.Successful + res.Failed; done < uint64(cfg.MaxCalls) {
		res.CallsNeverCompleted = uint64(cfg.MaxCalls) - done
	}
	for _, r := range out.Rows {
		if r.Failed > 0 {
			res.FirstFailureAt = r.At
			break
		}
	}
	res.TargetCPU = cpu.CPU()
	if target.UASPID != 0 {
		res.SIPpCPU = uas.CPU()
	}
	res.SIPpCPU += out.CPU
	res.ResponseTime, res.Retransmissions = out.Final.ResponseTime, out.Final.Retrans
	res.ReachedMax = res.Failed == 0 && res.CallsNeverCompleted == 0 && res.Peak >= uint64(cfg.MaxCalls)*99/100
	res.LoadAverage = LoadAverage()
	return res, nil
}
