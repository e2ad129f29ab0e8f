package gateway

import (
	"context"
	"fmt"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/config"
	"github.com/switchyard/switchyard/rtpio"
	"github.com/switchyard/switchyard/sip"
	"github.com/switchyard/switchyard/webrtc"
)

// Listener is a protocol's inbound side: it accepts calls until ctx ends.
type Listener interface {
	// Run listens, logs what it listens on, and hands every new call to
	// accept; it returns when ctx ends, after ending the legs it owns.
	Run(ctx context.Context, accept func(call.InboundLeg)) error
	// Addrs lists what it listens on ("udp 0.0.0.0:5060").
	Addrs() []string
}

// protocolSlot is one registered protocol.
type protocolSlot struct {
	proto    call.Protocol
	listener Listener
	dialer   call.Dialer
}

// Register adds a protocol's listener and dialer (either may be nil). It must
// be called before Run. Adding a protocol to the gateway is one Register call.
func (g *Gateway) Register(p call.Protocol, l Listener, d call.Dialer) {
	g.protocols = append(g.protocols, protocolSlot{proto: p, listener: l, dialer: d})
}

// dialer returns the registered dialer for p.
func (g *Gateway) dialer(p call.Protocol) (call.Dialer, error) {
	for _, s := range g.protocols {
		if s.proto == p && s.dialer != nil {
			return s.dialer, nil
		}
	}
	return nil, call.Errorf(call.DialOutFailed, "no %s dialer in this gateway", p)
}

// BuildProtocols creates the media port allocator and every protocol server
// the configuration enables, and registers them. The command line calls it
// before Run; a gateway built without it routes but places no calls (tests of
// the dial plan and the API).
func (g *Gateway) BuildProtocols() error {
	cfg := g.Config()
	alloc, err := rtpio.NewAllocator(cfg.Media)
	if err != nil {
		return fmt.Errorf("media: %w", err)
	}
	g.media = alloc

	sipSrv, err := sip.NewServer(cfg.SIP, alloc, g.log.With("protocol", "sip"))
	if err != nil {
		return fmt.Errorf("sip: %w", err)
	}
	g.sip = sipSrv
	g.Register(call.ProtocolSIP, sipSrv, sipSrv.Dialer())

	webSrv, err := webrtc.NewServer(cfg.WebRTC, g.log.With("protocol", "webrtc"))
	if err != nil {
		return fmt.Errorf("webrtc: %w", err)
	}
	g.webrtc = webSrv
	g.Register(call.ProtocolWebRTC, webSrv, webSrv.Dialer())
	return nil
}

// reconfigureProtocols applies a reloaded configuration to the running
// protocol servers (credentials, trunk options, registrar users; listen
// addresses need a restart).
func (g *Gateway) reconfigureProtocols(old, cfg *config.Config) error {
	if g.sip == nil {
		return nil
	}
	if cfg.SIP.Listen != old.SIP.Listen || cfg.SIP.TLS != old.SIP.TLS {
		g.log.Warn("sip listen or tls settings changed; restart to apply them")
	}
	if cfg.Media.RTPPorts != old.Media.RTPPorts || cfg.Media.BindIP != old.Media.BindIP {
		g.log.Warn("media port range or bind address changed; restart to apply them")
	}
	return g.sip.Reconfigure(cfg.SIP)
}

// protocolStatus reports each protocol's own state for the status API.
func (g *Gateway) protocolStatus() map[string]any {
	out := map[string]any{}
	if g.media != nil {
		out["media"] = map[string]any{"ports_in_use": g.media.InUse()}
	}
	if g.sip != nil {
		out["sip"] = map[string]any{"trunks": g.sip.TrunkStatus(), "registrations": g.sip.Registrations()}
	}
	if g.webrtc != nil {
		out["webrtc"] = g.webrtc.Status()
	}
	return out
}
