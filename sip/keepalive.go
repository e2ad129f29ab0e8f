package sip

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// OPTIONS keepalives to trunks that set options_interval: a trunk that
// stops answering is unreachable in TrunkStatus until it answers again, and
// a registration in back-off is retried as soon as it does.

// options sends one OPTIONS to the trunk and returns the final response's
// status.
func (c *trunkClient) options(ctx context.Context) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	to := trunkRequestURI(c.trunk)
	to.UriParams = nil
	req, err := c.newRequest(sip.OPTIONS, to, randomToken(16), randomToken(8), 1)
	if err != nil {
		return 0, err
	}
	req.AppendHeader(sip.NewHeader("Accept", "application/sdp"))
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	res, err := c.net.trunkRegSend(ctx, c.trunk, req)
	if err != nil {
		return 0, fmt.Errorf("OPTIONS to %s: %w", req.Destination(), err)
	}
	return res.StatusCode, nil
}

func keepaliveEqual(a, b Trunk) bool {
	return a.OptionsInterval == b.OptionsInterval && strings.EqualFold(a.Host, b.Host) && a.Port == b.Port &&
		strings.EqualFold(a.Transport, b.Transport) && a.OutboundProxy == b.OutboundProxy && a.ExternalIP == b.ExternalIP
}

func (m *trunkManager) startKeepaliveLocked(e *trunkEntry) {
	if m.runCtx == nil || e.cfg.OptionsInterval <= 0 || e.keepalive != nil {
		return
	}
	ctx, cancel := context.WithCancel(m.runCtx)
	h := &loopHandle{cancel: cancel, done: make(chan struct{})}
	e.keepalive = h
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		defer close(h.done)
		m.keepaliveLoop(ctx, e, h)
	}()
}

// keepaliveLoop sends OPTIONS every interval; a trunk that does not answer
// is unreachable until it answers again. Any final response counts as an
// answer: the trunk is alive even when it does not like OPTIONS.
func (m *trunkManager) keepaliveLoop(ctx context.Context, e *trunkEntry, h *loopHandle) {
	m.mu.Lock()
	cfg := e.cfg
	m.mu.Unlock()
	timeout := min(m.requestTimeout, max(cfg.OptionsInterval, time.Second))
	client := newTrunkClient(cfg, m.net, timeout)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		status, err := client.options(ctx)
		if ctx.Err() != nil {
			return
		}
		m.mu.Lock()
		if e.keepalive != h {
			m.mu.Unlock()
			return
		}
		if err != nil {
			if !e.down {
				e.down, e.downSince = true, m.now()
			}
			e.downErr = err.Error()
		} else if e.down {
			e.down, e.downErr = false, ""
			select { // retry a registration in back-off now
			case e.kick <- struct{}{}:
			default:
			}
		}
		m.logChangeLocked(e)
		m.mu.Unlock()
		if err == nil {
			m.log.Debug("sip trunk: keepalive answered", "trunk", cfg.Name, "status", status)
		}
		timer.Reset(cfg.OptionsInterval)
	}
}
