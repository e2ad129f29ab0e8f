package bench

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/switchyard/switchyard/internal/rtpload"
)

// Relay is a media relay under test. Setup arranges one call per stream so
// that packets sent from from[i] reach to[i], and returns the address
// stream i must send to.
type Relay interface {
	Name() string
	// Detail describes the relay's set-up (version, threads) for the table.
	Detail() string
	Setup(ctx context.Context, from, to []netip.AddrPort) ([]netip.AddrPort, error)
	// PID is the process doing the relaying, whose CPU time is measured.
	PID() int
	Close() error
}

// AllocCounter is a Relay that can say how many heap allocations it has
// made so far, so that allocations per packet are measured over the window.
type AllocCounter interface {
	Mallocs() (uint64, error)
}

// RTPConfig is one media load.
type RTPConfig struct {
	Streams  int           // concurrent streams (default 1000)
	Rate     int           // packets per second per stream (default 50)
	Size     int           // bytes per packet, RTP header included (default 172)
	Senders  int           // generator sender goroutines (default GOMAXPROCS)
	Tick     time.Duration // generator pacing tick (default 250 µs)
	Warmup   time.Duration // default 3 s
	Duration time.Duration // measurement window (default 20 s)
}

func (c RTPConfig) withDefaults() RTPConfig {
	if c.Streams == 0 {
		c.Streams = 1000
	}
	if c.Rate == 0 {
		c.Rate = 50
	}
	if c.Size == 0 {
		c.Size = 172
	}
	if c.Warmup == 0 {
		c.Warmup = 3 * time.Second
	}
	if c.Duration == 0 {
		c.Duration = 20 * time.Second
	}
	return c
}

// RTPResult is one relay's run.
type RTPResult struct {
	Relay, Detail string
	Load          rtpload.Report
	// RelayCPU is the relay process's CPU time over the window and
	// RelayCores the cores it kept busy on average.
	RelayCPU   time.Duration
	RelayCores float64
	// GeneratorCPU is the load generator's own CPU time over the window
	// (this process).
	GeneratorCPU time.Duration
	// LoadAverage is the system's 1-minute load average after the run.
	LoadAverage float64
	// RelayMallocs is the relay's heap allocations over the window, for
	// relays that count them (AllocCounter); -1 when unknown.
	RelayMallocs int64
}

// AllocsPerPacket is RelayMallocs per delivered packet (-1 when unknown).
func (r RTPResult) AllocsPerPacket() float64 {
	if r.RelayMallocs < 0 || r.Load.Delivered == 0 {
		return -1
	}
	return float64(r.RelayMallocs) / float64(r.Load.Delivered)
}

// PPSPerCore is the relay's forwarding rate per fully busy core: packets
// delivered per second of relay CPU time.
func (r RTPResult) PPSPerCore() float64 {
	if r.RelayCPU <= 0 {
		return 0
	}
	return float64(r.Load.Delivered) / r.RelayCPU.Seconds()
}

// CPUPerPacket is the relay's CPU time per delivered packet.
func (r RTPResult) CPUPerPacket() time.Duration {
	if r.Load.Delivered == 0 {
		return 0
	}
	return r.RelayCPU / time.Duration(r.Load.Delivered)
}

// RunRTP runs the load through relay, or straight from the generator to
// itself when relay is nil (the baseline).
func RunRTP(ctx context.Context, cfg RTPConfig, relay Relay) (RTPResult, error) {
	cfg = cfg.withDefaults()
	res := RTPResult{Relay: "none (baseline)", Detail: "generator to itself", RelayMallocs: -1}
	allocs, _ := relay.(AllocCounter)
	var mallocs [2]uint64
	var mallocErr error
	sampleMallocs := func(i int) {
		if allocs == nil || mallocErr != nil {
			return
		}
		mallocs[i], mallocErr = allocs.Mallocs()
	}
	relayCPU := &CPUMeter{PID: -1}
	selfCPU := &CPUMeter{}
	if relay != nil {
		res.Relay, res.Detail = relay.Name(), relay.Detail()
		relayCPU.PID = relay.PID()
	}
	g, err := rtpload.New(rtpload.Config{
		Streams:  cfg.Streams,
		Rate:     cfg.Rate,
		Size:     cfg.Size,
		Senders:  cfg.Senders,
		Tick:     cfg.Tick,
		Warmup:   cfg.Warmup,
		Duration: cfg.Duration,
		OnWindow: func(begin bool) {
			if begin {
				selfCPU.Start()
				relayCPU.Start()
				sampleMallocs(0)
				return
			}
			selfCPU.Stop()
			relayCPU.Stop()
			sampleMallocs(1)
		},
	})
	if err != nil {
		return res, err
	}
	defer g.Close()
	if relay == nil {
		g.Loopback()
	} else {
		from := make([]netip.AddrPort, g.Streams())
		to := make([]netip.AddrPort, g.Streams())
		for i := range from {
			from[i], to[i] = g.SendAddr(i), g.RecvAddr(i)
		}
		targets, err := relay.Setup(ctx, from, to)
		if err != nil {
			return res, fmt.Errorf("%s: set up %d streams: %w", relay.Name(), cfg.Streams, err)
		}
		for i, t := range targets {
			g.SetTarget(i, t)
		}
		res.Detail = relay.Detail() // some relays know theirs only now
	}
	rep, err := g.Run(ctx)
	if err != nil {
		return res, fmt.Errorf("%s: %w", res.Relay, err)
	}
	if err := relayCPU.Err(); err != nil {
		return res, fmt.Errorf("%s: %w", res.Relay, err)
	}
	res.Load = rep
	if allocs != nil {
		if mallocErr != nil {
			return res, fmt.Errorf("%s: %w", res.Relay, mallocErr)
		}
		res.RelayMallocs = int64(mallocs[1] - mallocs[0])
	}
	res.RelayCPU, res.RelayCores = relayCPU.CPU(), relayCPU.Cores()
	res.GeneratorCPU = selfCPU.CPU()
	res.LoadAverage = LoadAverage()
	return res, nil
}

// RtpengineRelay relays through a running rtpengine, one call per stream set
// up with ng offer and answer.
type RtpengineRelay struct {
	R     *Rtpengine
	calls []string
}

// Name implements Relay.
func (r *RtpengineRelay) Name() string { return "rtpengine" }

// Detail implements Relay.
func (r *RtpengineRelay) Detail() string {
	return fmt.Sprintf("rtpengine %s, user space (table -1), %d threads", RtpengineVersion(""), r.R.Threads)
}

// PID implements Relay.
func (r *RtpengineRelay) PID() int { return r.R.PID }

// Setup implements Relay: the caller side offers the sender's address, the
// callee side answers with the receiver's, and the sender sends to the port
// rtpengine put in the answer it returns to the caller.
func (r *RtpengineRelay) Setup(ctx context.Context, from, to []netip.AddrPort) ([]netip.AddrPort, error) {
	targets := make([]netip.AddrPort, len(from))
	run := time.Now().UnixNano()
	for i := range from {
		callID := fmt.Sprintf("sybench-%d-%d", run, i)
		fromTag, toTag := fmt.Sprintf("a%d", i), fmt.Sprintf("b%d", i)
		if _, err := r.R.NG.Offer(ctx, callID, fromTag, AudioSDP(from[i], uint64(i+1))); err != nil {
			return nil, fmt.Errorf("stream %d: %w", i, err)
		}
		r.calls = append(r.calls, callID)
		sdp, err := r.R.NG.Answer(ctx, callID, fromTag, toTag, AudioSDP(to[i], uint64(i+1)))
		if err != nil {
			return nil, fmt.Errorf("stream %d: %w", i, err)
		}
		if targets[i], err = AudioAddr(sdp); err != nil {
			return nil, fmt.Errorf("stream %d: answer from rtpengine: %w", i, err)
		}
	}
	return targets, nil
}

// Close deletes the calls; rtpengine keeps running.
func (r *RtpengineRelay) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i, id := range r.calls {
		if err := r.R.NG.Delete(ctx, id, fmt.Sprintf("a%d", i)); err != nil {
			return err
		}
	}
	r.calls = nil
	return nil
}
