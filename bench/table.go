package bench

import (
	"fmt"
	"strings"
	"time"
)

// Table renders the comparison as Markdown, ready for docs/BENCHMARKS.md.
func (c RTPComparison) Table() string {
	var b strings.Builder
	cfg := c.Baseline.Load
	fmt.Fprintf(&b, "RTP relay: %d streams x %d pps (%.0f pps offered), %v window; %s\n\n",
		cfg.Streams, cfg.Rate, float64(cfg.Streams*cfg.Rate), cfg.Window, c.Machine)
	b.WriteString("| relay | set-up | delivered pps | loss | latency p50 / p90 / p99 / max | added p50 / p99 | relay CPU | pps per core | CPU per packet | allocs per packet | generator CPU |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|\n")
	row := func(r RTPResult, base *RTPResult) {
		l := r.Load.Latency
		added, cpu, ppc, cpp, apc := "-", "-", "-", "-", "-"
		if a := r.AllocsPerPacket(); a >= 0 {
			apc = fmt.Sprintf("%.4f", a)
		}
		if base != nil {
			added = fmt.Sprintf("%s / %s", us(l.P50-base.Load.Latency.P50), us(l.P99-base.Load.Latency.P99))
			cpu = fmt.Sprintf("%.2f s (%.2f cores)", r.RelayCPU.Seconds(), r.RelayCores)
			ppc = fmt.Sprintf("%.0f", r.PPSPerCore())
			cpp = us(r.CPUPerPacket())
		}
		fmt.Fprintf(&b, "| %s | %s | %.0f | %d (%.3f%%) | %s / %s / %s / %s | %s | %s | %s | %s | %s | %.2f s |\n",
			r.Relay, r.Detail, r.Load.DeliveredPPS(), r.Load.Lost, 100*r.Load.LossRatio(),
			us(l.P50), us(l.P90), us(l.P99), us(l.Max), added, cpu, ppc, cpp, apc, r.GeneratorCPU.Seconds())
	}
	row(c.Baseline, nil)
	var sy []*RTPResult
	var re *RTPResult
	for i := range c.Relays {
		r := &c.Relays[i]
		row(*r, &c.Baseline)
		switch {
		case strings.HasPrefix(r.Relay, "switchyard"):
			sy = append(sy, r)
		case r.Relay == "rtpengine":
			re = r
		}
	}
	b.WriteString("\nAdded latency is the relay's percentile minus the baseline's (the generator sending straight to itself).\n")
	for _, s := range sy {
		if re == nil || re.PPSPerCore() <= 0 {
			break
		}
		name := "Switchyard"
		if s.Relay != "switchyard" {
			name += " (" + strings.TrimPrefix(s.Relay, "switchyard-") + ")"
		}
		fmt.Fprintf(&b, "%s / rtpengine packets per second per core: %.2f.\n", name, s.PPSPerCore()/re.PPSPerCore())
	}
	for _, r := range append([]RTPResult{c.Baseline}, c.Relays...) {
		if n := r.Load; n.Duplicates+n.Misrouted+n.Malformed+n.SendErrors > 0 || n.LateSends > n.Sent/100 {
			fmt.Fprintf(&b, "%s: %d duplicates, %d misrouted, %d malformed, %d send errors, %d late sends (of %d).\n",
				r.Relay, n.Duplicates, n.Misrouted, n.Malformed, n.SendErrors, n.LateSends, n.Sent)
		}
	}
	return b.String()
}

// Table renders the SIP comparison as Markdown.
func (c SIPComparison) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "SIP: %s; %s. SIPp's UAC and UAS run on the same cores as the target.\n", c.SIPp, c.Machine)
	if len(c.Rates) > 0 {
		b.WriteString("\n| target | set-up | highest rate with < 0.1% failed | created at | INVITE to 200 | target CPU per call | SIPp CPU | next rate |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|\n")
		for _, r := range c.Rates {
			best, next := "none", "-"
			created, rt, cpc, sippCPU := "-", "-", "-", "-"
			if s := r.Best; s != nil {
				best = fmt.Sprintf("%d calls/s (%d calls, %d failed)", s.Rate, s.Calls, s.Failed)
				created = fmt.Sprintf("%.0f/s", s.Achieved)
				rt = s.ResponseTime.String()
				cpc = us(s.CPUPerCall())
				sippCPU = fmt.Sprintf("%.2f s", s.SIPpCPU.Seconds())
			}
			if n := len(r.Steps); n > 0 && !r.Steps[n-1].Pass {
				next = fmt.Sprintf("%d calls/s failed: %s", r.Steps[n-1].Rate, r.Steps[n-1].Why)
			} else if n > 0 {
				next = "not tried (the ladder or the time budget ended)"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", r.Target.Name, r.Target.Detail, best, created, rt, cpc, sippCPU, next)
		}
		b.WriteString("\nEvery rate tried:\n\n| target | offered | calls | ok | failed | created at | INVITE to 200 | retrans | target CPU | per call | SIPp CPU |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, r := range c.Rates {
			for _, s := range r.Steps {
				fmt.Fprintf(&b, "| %s | %d/s | %d | %d | %d | %.0f/s | %v | %d | %.2f s | %s | %.2f s |\n",
					r.Target.Name, s.Rate, s.Calls, s.Successful, s.Failed, s.Achieved, s.ResponseTime, s.Retrans,
					s.TargetCPU.Seconds(), us(s.CPUPerCall()), s.SIPpCPU.Seconds())
			}
		}
		if line := c.rateRatio(); line != "" {
			b.WriteString("\n" + line + "\n")
		}
	}
	if len(c.Concurrency) > 0 {
		b.WriteString("\n| target | ramp | peak concurrent calls before the first failure | ok | failed | never completed | all held | target CPU | SIPp CPU |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
		for _, r := range c.Concurrency {
			fmt.Fprintf(&b, "| %s | %d calls at %d/s, held %v | %d | %d | %d | %d | %v | %.2f s | %.2f s |\n",
				r.Target.Name, r.Config.MaxCalls, r.Config.Rate, r.Config.Hold, r.Peak, r.Successful, r.Failed,
				r.CallsNeverCompleted, r.ReachedMax, r.TargetCPU.Seconds(), r.SIPpCPU.Seconds())
		}
	}
	return b.String()
}

// rateRatio compares the gateway with Kamailio: best rates, and CPU per call
// at the highest rate both passed.
func (c SIPComparison) rateRatio() string {
	var k, g *RateResult
	for i := range c.Rates {
		switch c.Rates[i].Target.Name {
		case "kamailio":
			k = &c.Rates[i]
		case "switchyard":
			g = &c.Rates[i]
		}
	}
	if k == nil || g == nil || k.Best == nil || g.Best == nil {
		return ""
	}
	line := fmt.Sprintf("Switchyard / Kamailio highest rate: %.2f.", float64(g.Best.Rate)/float64(k.Best.Rate))
	for i := len(g.Steps) - 1; i >= 0; i-- {
		gs := g.Steps[i]
		for _, ks := range k.Steps {
			if ks.Rate == gs.Rate && ks.Pass && gs.Pass && ks.CPUPerCall() > 0 {
				return line + fmt.Sprintf(" CPU per call at %d calls/s: Switchyard %s, Kamailio %s, ratio %.2f.",
					gs.Rate, us(gs.CPUPerCall()), us(ks.CPUPerCall()), float64(gs.CPUPerCall())/float64(ks.CPUPerCall()))
			}
		}
	}
	return line
}

// us formats a duration in microseconds with one decimal.
func us(d time.Duration) string {
	return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond))
}
