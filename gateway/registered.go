package gateway

import (
	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/rules"
)

// targetProtocol is the protocol whose dialer places a decision. A
// `target: registered` decision leaves the protocol to the registrar that
// holds the contact; SIP's registrar is the gateway's only one, so such a
// call goes to the SIP dialer, which also reports an address nobody
// registered (not_found).
func targetProtocol(d rules.Decision) call.Protocol {
	if d.ToRegistered && d.Target == call.ProtocolUnknown {
		return call.ProtocolSIP
	}
	return d.Target
}
