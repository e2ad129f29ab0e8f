package call

import (
	"context"
	"net/netip"
)

// Incoming is what a protocol listener knows about a call that arrives, before
// the dial plan decides where it goes.
type Incoming struct {
	Protocol Protocol
	// Source is the caller's transport address.
	Source netip.AddrPort
	// Caller is the calling party (a SIP From URI, an H.323 alias, a browser's
	// display name); CallerName its display name when given.
	Caller     string
	CallerName string
	// Dialed is the destination as received (a SIP Request-URI, H.323
	// destinationAddress, the alias a browser asked for).
	Dialed string
	// Registered reports that the caller is registered to this gateway.
	Registered bool
	// Trunk names the configured trunk the call came from, if it matched one.
	Trunk string
	// CallID is the protocol's own call identifier (SIP Call-ID, H.225
	// callIdentifier), for logs and records.
	CallID string
}

// InboundLeg is a leg that a far side placed to the gateway: it waits for the
// gateway to ring, answer or refuse it.
type InboundLeg interface {
	Leg
	Incoming() Incoming
	// Offer is the caller's media offer; Empty when it sent none (SIP delayed
	// offer, H.323 without fast start), in which case Accept makes the offer.
	Offer() Offer
	// Ring tells the caller the far side is alerting (180, Alerting).
	Ring(ctx context.Context) error
	// Progress opens early media with the given streams (183 with SDP,
	// Progress) so the caller hears the far side's ringback or announcements.
	Progress(ctx context.Context, streams []Stream) error
	// Accept answers the call with the negotiated streams.
	Accept(ctx context.Context, streams []Stream) error
	// Reject refuses the call with the cause's code for the protocol.
	Reject(ctx context.Context, cause Cause) error
}

// SRTPMode is a leg's media encryption policy.
type SRTPMode uint8

// SRTP policies: none, offer it and accept plain RTP, insist on it.
const (
	SRTPOff SRTPMode = iota
	SRTPBestEffort
	SRTPRequired
)

// DTMFMode is how a leg sends DTMF digits to its far side.
type DTMFMode uint8

// DTMF modes: RFC 4733 telephone-events, SIP INFO, audio tones.
const (
	DTMFRFC4733 DTMFMode = iota
	DTMFInfo
	DTMFInband
)

// Target is where and how a dialer places an outbound leg: the dial plan's
// decision in the terms a protocol needs.
type Target struct {
	Protocol Protocol
	// URI is the destination in the protocol's syntax (sip:alice@pbx:5060,
	// h323:alias@host, rtsp://..., rtmp://...).
	URI string
	// Host, Port and Transport are where to send the first request; Port 0
	// means the protocol default.
	Host      string
	Port      int
	Transport string
	// Trunk names the configured trunk whose credentials and options apply.
	Trunk string
	// Caller and CallerName are presented as the calling party.
	Caller     string
	CallerName string
	// ToRegistered delivers to a contact registered to this gateway.
	ToRegistered bool
	// Media policy from the rule.
	SRTP            SRTPMode
	DTMF            DTMFMode
	Codecs          []string // allow-list of codec names; empty allows all
	MaxBitrateIn    uint32   // bits per second; 0 = no cap
	MaxBitrateOut   uint32
	AudioOnly       bool
	Content         bool
	FECC            bool
	DTMFAfterAnswer string // digits to send once answered
}

// Dialer places outbound legs for one protocol.
type Dialer interface {
	// Dial places the leg and blocks until the far side answers, fails, or
	// ctx ends (which cancels the attempt). progress receives EventRinging and
	// EventProgress while it waits; it may be nil. A failure is an *Error whose
	// Cause maps the far side's answer (FromSIPStatus, FromQ931, ...).
	Dial(ctx context.Context, t Target, offer Offer, progress func(Event)) (Leg, error)
}
