package gateway

import (
	"context"

	"github.com/switchyard/switchyard/call"
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
