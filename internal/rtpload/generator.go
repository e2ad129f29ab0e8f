package rtpload

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"time"
)

// Config sets up a Generator. Zero fields take the defaults noted.
type Config struct {
	// Streams is the number of streams (required, at least 1).
	Streams int
	// Rate is packets per second per stream (default 50: 20 ms G.711).
	Rate int
	// Size is the UDP payload of each packet: RTP header plus payload
	// (default 172: 12 + 160 bytes of G.711).
	Size int
	// PayloadType is the RTP payload type (default 0, PCMU).
	PayloadType uint8
	// Senders is the number of sender goroutines (default GOMAXPROCS).
	Senders int
	// Tick is the shortest sleep of a sender (default 250 µs): each wake-up
	// sends every packet that has come due, so packets leave in bursts of
	// at most a tick's worth. Shorter ticks pace more smoothly and cost the
	// generator more CPU time.
	Tick time.Duration
	// Warmup is sent before the measurement window (default 2 s);
	// Duration is the window (default 10 s); Drain is how long the
	// receivers wait for packets in flight after the last send (default
	// 500 ms).
	Warmup, Duration, Drain time.Duration
	// Addr is the local address the sockets bind (default 127.0.0.1).
	Addr netip.Addr
	// RecvBuffer is the receive buffer size of each socket in bytes
	// (default 256 KiB; the kernel may cap it at net.core.rmem_max).
	RecvBuffer int
	// OnWindow, when set, is called as the measurement window opens
	// (begin true) and as it closes, so a caller can sample the CPU time of
	// a relay over exactly the window.
	OnWindow func(begin bool)
}

// lateAfter is how far behind its slot a send may be before it counts as late.
const lateAfter = 2 * time.Millisecond

func (c *Config) withDefaults() (Config, error) {
	out := *c
	if out.Streams < 1 {
		return out, fmt.Errorf("rtpload: %d streams: need at least 1", out.Streams)
	}
	if out.Rate == 0 {
		out.Rate = 50
	}
	if out.Rate < 1 || out.Rate > 10000 {
		return out, fmt.Errorf("rtpload: rate %d pps per stream out of range 1..10000", out.Rate)
	}
	if out.Size == 0 {
		out.Size = 172
	}
	if out.Size < MinPacketSize || out.Size > MaxPacketSize {
		return out, fmt.Errorf("rtpload: packet size %d out of range %d..%d", out.Size, MinPacketSize, MaxPacketSize)
	}
	if out.Senders <= 0 {
		out.Senders = runtime.GOMAXPROCS(0)
	}
	out.Senders = min(out.Senders, out.Streams)
	if out.Tick == 0 {
		out.Tick = 250 * time.Microsecond
	}
	if out.Tick < 0 || out.Tick > 10*time.Millisecond {
		return out, fmt.Errorf("rtpload: tick %v out of range 0..10ms", out.Tick)
	}
	if out.Warmup == 0 {
		out.Warmup = 2 * time.Second
	}
	if out.Duration == 0 {
		out.Duration = 10 * time.Second
	}
	if out.Drain == 0 {
		out.Drain = 500 * time.Millisecond
	}
	if out.Warmup < 0 || out.Duration < 0 || out.Drain < 0 {
		return out, errors.New("rtpload: negative warm-up, duration or drain")
	}
	if !out.Addr.IsValid() {
		out.Addr = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	if out.RecvBuffer == 0 {
		out.RecvBuffer = 256 << 10
	}
	return out, nil
}

// Generator owns the sockets of every stream and runs the load.
type Generator struct {
	cfg     Config
	streams []*stream
	epoch   time.Time
	latency Histogram
}

// New opens two loopback UDP sockets per stream. Call SetTarget (or
// Loopback) for every stream before Run, and Close at the end.
func New(cfg Config) (*Generator, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	g := &Generator{cfg: c, epoch: time.Now()}
	period := int64(time.Second) / int64(c.Rate)
	for i := range c.Streams {
		st := &stream{
			id:    uint32(i),
			ssrc:  0x5e000000 | uint32(i),
			phase: period * int64(i) / int64(c.Streams),
		}
		g.streams = append(g.streams, st)
		if st.send, err = g.listen(); err != nil {
			g.Close()
			return nil, fmt.Errorf("rtpload: stream %d send socket: %w", i, err)
		}
		if st.recv, st.recvAddr, err = openRecv(c.Addr, c.RecvBuffer); err != nil {
			g.Close()
			return nil, fmt.Errorf("rtpload: stream %d receive socket: %w", i, err)
		}
	}
	return g, nil
}

func (g *Generator) listen() (*net.UDPConn, error) {
	return net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(g.cfg.Addr, 0)))
}

// Config returns the configuration with defaults filled in.
func (g *Generator) Config() Config { return g.cfg }

// Streams returns the number of streams.
func (g *Generator) Streams() int { return len(g.streams) }

// SendAddr returns the local address stream i sends from (the address a relay
// learns, and the one to announce as the sender's media address).
func (g *Generator) SendAddr(i int) netip.AddrPort {
	return g.streams[i].send.LocalAddr().(*net.UDPAddr).AddrPort()
}

// RecvAddr returns the local address where stream i expects its packets.
func (g *Generator) RecvAddr(i int) netip.AddrPort {
	return g.streams[i].recvAddr
}

// SetTarget makes stream i send to addr (usually a relay's port).
func (g *Generator) SetTarget(i int, addr netip.AddrPort) { g.streams[i].to = addr }

// Loopback makes every stream send straight to its own receive socket: the
// baseline with no relay in between.
func (g *Generator) Loopback() {
	for i := range g.streams {
		g.SetTarget(i, g.RecvAddr(i))
	}
}

// Close closes every socket.
func (g *Generator) Close() error {
	var errs []error
	for _, st := range g.streams {
		if st.send != nil {
			if err := st.send.Close(); err != nil {
				errs = append(errs, err)
			}
		}
		if err := closeRecv(st.recv); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// now is the generator's monotonic clock in nanoseconds.
func (g *Generator) now() int64 { return int64(time.Since(g.epoch)) }

// Run sends for Warmup+Duration, waits Drain for packets in flight, and
// reports on the packets of the measurement window. It blocks; cancelling
// ctx ends the run early and returns ctx's error. Run resets all counters,
// so a Generator may run several times (not concurrently).
func (g *Generator) Run(ctx context.Context) (Report, error) {
	for i, st := range g.streams {
		if !st.to.IsValid() {
			return Report{}, fmt.Errorf("rtpload: stream %d has no target", i)
		}
		st.tx, st.rx = sendCounters{}, recvCounters{}
	}
	g.latency.Reset()
	stopReceivers, err := g.startReceivers()
	if err != nil {
		return Report{}, err
	}

	start := g.now() + int64(time.Millisecond)
	windowStart := start + int64(g.cfg.Warmup)
	windowEnd := windowStart + int64(g.cfg.Duration)
	var sendWG sync.WaitGroup
	for k := range g.cfg.Senders {
		var mine []*stream
		for i := k; i < len(g.streams); i += g.cfg.Senders {
			mine = append(mine, g.streams[i])
		}
		sendWG.Go(func() { g.send(ctx, mine, start, windowStart, windowEnd) })
	}

	err = g.sleepUntil(ctx, windowStart)
	if err == nil && g.cfg.OnWindow != nil {
		g.cfg.OnWindow(true)
	}
	if err == nil {
		err = g.sleepUntil(ctx, windowEnd)
	}
	if err == nil && g.cfg.OnWindow != nil {
		g.cfg.OnWindow(false)
	}
	sendWG.Wait() // the senders stop by themselves after the window's last slot
	if err == nil {
		err = g.sleepUntil(ctx, windowEnd+int64(g.cfg.Drain))
	}
	stopReceivers()
	if err != nil {
		return Report{}, err
	}
	return g.report(), nil
}

func (g *Generator) sleepUntil(ctx context.Context, at int64) error {
	d := time.Duration(at - g.now())
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (g *Generator) report() Report {
	r := Report{
		Streams: len(g.streams),
		Rate:    g.cfg.Rate,
		Window:  g.cfg.Duration,
		Latency: g.latency.Summary(),
	}
	for _, st := range g.streams {
		r.Sent += st.tx.measured
		r.SendErrors += st.tx.errors
		r.LateSends += st.tx.late
		r.Delivered += st.rx.measured
		r.Received += st.rx.received
		r.Duplicates += st.rx.dups
		r.Reordered += st.rx.reordered
		r.Misrouted += st.rx.misrouted
		r.Malformed += st.rx.malformed
		r.RTCP += st.rx.rtcp
		if st.rx.measured < st.tx.measured {
			lost := st.tx.measured - st.rx.measured
			r.Lost += lost
			r.StreamsWithLoss++
			r.WorstStreamLoss = max(r.WorstStreamLoss, lost)
		}
	}
	return r
}
