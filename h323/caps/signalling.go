package caps

import (
	"fmt"
	"net/netip"

	"github.com/switchyard/switchyard/h323/h225"
)

// Setup is the H.225.0 Setup-UUIE of a point-to-point call.
type Setup struct {
	CallID       GUID
	ConferenceID GUID
	// Source and Dest are the caller's and the called aliases.
	Source []Alias
	Dest   []Alias
	// Endpoint describes the caller (sourceInfo).
	Endpoint         Endpoint
	DestCallSignal   netip.AddrPort
	SourceCallSignal netip.AddrPort
	// H245 is the caller's H.245 listening address, when it offers a
	// separate H.245 connection.
	H245 netip.AddrPort
	// EndpointID is set when the caller is registered with a gatekeeper.
	EndpointID string
	// FastStart holds fastStart elements (see FastStart).
	FastStart [][]byte
	// Tunnelling offers H.245 tunnelling (h245Tunneling).
	Tunnelling          bool
	MediaWaitForConnect bool
}

// newPDU returns an h323-uu-pdu around a message body, with h245Tunneling
// set as asked (a mandatory extension addition since H.225.0 version 2).
func newPDU(body h225.H323UUPDUH323MessageBody, tunnelling bool) h225.H323UserInformation {
	return h225.H323UserInformation{H323UuPdu: h225.H323UUPDU{H323MessageBody: body, H245Tunneling: new(tunnelling)}}
}

func optFastStart(elems [][]byte) *[][]byte {
	if len(elems) == 0 {
		return nil
	}
	return &elems
}

func fastStartOf(p *[][]byte) [][]byte {
	if p == nil {
		return nil
	}
	return *p
}

// UserInformation returns the H323-UserInformation of the Setup.
func (s Setup) UserInformation() (h225.H323UserInformation, error) {
	src, err := s.Endpoint.EndpointType()
	if err != nil {
		return h225.H323UserInformation{}, fmt.Errorf("Setup: %w", err)
	}
	u := &h225.SetupUUIE{
		ProtocolIdentifier:  h225Protocol(),
		SourceInfo:          src,
		ConferenceID:        h225.ConferenceIdentifier(s.ConferenceID[:]),
		ConferenceGoal:      h225.SetupUUIEConferenceGoal{Choice: h225.SetupUUIEConferenceGoalChoiceCreate},
		CallType:            h225.CallType{Choice: h225.CallTypeChoicePointToPoint},
		CallIdentifier:      callIdentifier(s.CallID),
		FastStart:           optFastStart(s.FastStart),
		MediaWaitForConnect: new(s.MediaWaitForConnect),
		CanOverlapSend:      new(false),
		MultipleCalls:       new(false),
		MaintainConnection:  new(false),
	}
	if u.SourceAddress, err = aliasList(s.Source); err != nil {
		return h225.H323UserInformation{}, fmt.Errorf("Setup sourceAddress: %w", err)
	}
	if u.DestinationAddress, err = aliasList(s.Dest); err != nil {
		return h225.H323UserInformation{}, fmt.Errorf("Setup destinationAddress: %w", err)
	}
	if u.DestCallSignalAddress, err = optH225Address(s.DestCallSignal); err != nil {
		return h225.H323UserInformation{}, fmt.Errorf("Setup destCallSignalAddress: %w", err)
	}
	if u.SourceCallSignalAddress, err = optH225Address(s.SourceCallSignal); err != nil {
		return h225.H323UserInformation{}, fmt.Errorf("Setup sourceCallSignalAddress: %w", err)
	}
	if u.H245Address, err = optH225Address(s.H245); err != nil {
		return h225.H323UserInformation{}, fmt.Errorf("Setup h245Address: %w", err)
	}
	if u.EndpointIdentifier, err = optIdentifier[h225.EndpointIdentifier](s.EndpointID); err != nil {
		return h225.H323UserInformation{}, fmt.Errorf("Setup: %w", err)
	}
	return newPDU(h225.H323UUPDUH323MessageBody{Choice: h225.H323UUPDUH323MessageBodyChoiceSetup, Setup: u}, s.Tunnelling), nil
}

// ParseSetup returns the Setup of an H323-UserInformation whose body is a
// Setup-UUIE; another body is ErrUnsupported.
func ParseSetup(ui *h225.H323UserInformation) (Setup, error) {
	b := &ui.H323UuPdu.H323MessageBody
	if b.Choice != h225.H323UUPDUH323MessageBodyChoiceSetup || b.Setup == nil {
		return Setup{}, fmt.Errorf("%w: message body %v is not setup", ErrUnsupported, b.Choice)
	}
	u := b.Setup
	s := Setup{
		Source: parseAliases(u.SourceAddress), Dest: parseAliases(u.DestinationAddress),
		Endpoint: ParseEndpoint(&u.SourceInfo), EndpointID: identifierOf(u.EndpointIdentifier),
		FastStart: fastStartOf(u.FastStart), Tunnelling: TunnelsH245(&ui.H323UuPdu),
	}
	var err error
	if s.ConferenceID, err = guidOf(u.ConferenceID); err != nil {
		return Setup{}, fmt.Errorf("Setup conferenceID: %w", err)
	}
	if s.CallID, err = parseCallIdentifier(u.CallIdentifier); err != nil {
		return Setup{}, fmt.Errorf("Setup callIdentifier: %w", err)
	}
	if s.DestCallSignal, err = parseOptH225Address(u.DestCallSignalAddress); err != nil {
		return Setup{}, fmt.Errorf("Setup destCallSignalAddress: %w", err)
	}
	if s.SourceCallSignal, err = parseOptH225Address(u.SourceCallSignalAddress); err != nil {
		return Setup{}, fmt.Errorf("Setup sourceCallSignalAddress: %w", err)
	}
	if s.H245, err = parseOptH225Address(u.H245Address); err != nil {
		return Setup{}, fmt.Errorf("Setup h245Address: %w", err)
	}
	if u.MediaWaitForConnect != nil {
		s.MediaWaitForConnect = *u.MediaWaitForConnect
	}
	return s, nil
}

// Answer is what the called side says in CallProceeding, Alerting and
// Connect: who it is, where its H.245 listens, the fast start channels it
// accepted, and whether it tunnels H.245.
type Answer struct {
	CallID GUID
	// ConferenceID is used by Connect only.
	ConferenceID GUID
	// Endpoint describes the called side (destinationInfo).
	Endpoint   Endpoint
	H245       netip.AddrPort
	FastStart  [][]byte
	Tunnelling bool
}

// Message kinds of Answer.
const (
	bodyCallProceeding = h225.H323UUPDUH323MessageBodyChoiceCallProceeding
	bodyAlerting       = h225.H323UUPDUH323MessageBodyChoiceAlerting
	bodyConnect        = h225.H323UUPDUH323MessageBodyChoiceConnect
)

// CallProceeding returns the CallProceeding-UUIE of the answer.
func (a Answer) CallProceeding() (h225.H323UserInformation, error) {
	return a.userInformation(bodyCallProceeding)
}

// Alerting returns the Alerting-UUIE of the answer.
func (a Answer) Alerting() (h225.H323UserInformation, error) { return a.userInformation(bodyAlerting) }

// Connect returns the Connect-UUIE of the answer.
func (a Answer) Connect() (h225.H323UserInformation, error) { return a.userInformation(bodyConnect) }

func (a Answer) userInformation(kind h225.H323UUPDUH323MessageBodyChoice) (h225.H323UserInformation, error) {
	dest, err := a.Endpoint.EndpointType()
	if err != nil {
		return h225.H323UserInformation{}, fmt.Errorf("%v: %w", kind, err)
	}
	h245, err := optH225Address(a.H245)
	if err != nil {
		return h225.H323UserInformation{}, fmt.Errorf("%v h245Address: %w", kind, err)
	}
	pid := h225Protocol()
	body := h225.H323UUPDUH323MessageBody{Choice: kind}
	switch kind {
	case bodyCallProceeding:
		body.CallProceeding = &h225.CallProceedingUUIE{
			ProtocolIdentifier: pid, DestinationInfo: dest, H245Address: h245, CallIdentifier: callIdentifier(a.CallID),
			FastStart: optFastStart(a.FastStart), MultipleCalls: new(false), MaintainConnection: new(false),
		}
	case bodyAlerting:
		body.Alerting = &h225.AlertingUUIE{
			ProtocolIdentifier: pid, DestinationInfo: dest, H245Address: h245, CallIdentifier: callIdentifier(a.CallID),
			FastStart: optFastStart(a.FastStart), MultipleCalls: new(false), MaintainConnection: new(false),
		}
	default:
		body.Connect = &h225.ConnectUUIE{
			ProtocolIdentifier: pid, H245Address: h245, DestinationInfo: dest,
			ConferenceID:   h225.ConferenceIdentifier(a.ConferenceID[:]),
			CallIdentifier: callIdentifier(a.CallID), FastStart: optFastStart(a.FastStart),
			MultipleCalls: new(false), MaintainConnection: new(false),
		}
	}
	return newPDU(body, a.Tunnelling), nil
}

// ParseAnswer returns the answer of a CallProceeding, Alerting or Connect
// UUIE; another body is ErrUnsupported.
func ParseAnswer(ui *h225.H323UserInformation) (Answer, error) {
	b := &ui.H323UuPdu.H323MessageBody
	a := Answer{Tunnelling: TunnelsH245(&ui.H323UuPdu)}
	var dest *h225.EndpointType
	var h245 *h225.TransportAddress
	var cid *h225.CallIdentifier
	var fs *[][]byte
	switch {
	case b.Choice == bodyCallProceeding && b.CallProceeding != nil:
		u := b.CallProceeding
		dest, h245, cid, fs = &u.DestinationInfo, u.H245Address, u.CallIdentifier, u.FastStart
	case b.Choice == bodyAlerting && b.Alerting != nil:
		u := b.Alerting
		dest, h245, cid, fs = &u.DestinationInfo, u.H245Address, u.CallIdentifier, u.FastStart
	case b.Choice == bodyConnect && b.Connect != nil:
		u := b.Connect
		dest, h245, cid, fs = &u.DestinationInfo, u.H245Address, u.CallIdentifier, u.FastStart
		g, err := guidOf(u.ConferenceID)
		if err != nil {
			return Answer{}, fmt.Errorf("Connect conferenceID: %w", err)
		}
		a.ConferenceID = g
	default:
		return Answer{}, fmt.Errorf("%w: message body %v is not an answer", ErrUnsupported, b.Choice)
	}
	a.Endpoint, a.FastStart = ParseEndpoint(dest), fastStartOf(fs)
	var err error
	if a.CallID, err = parseCallIdentifier(cid); err != nil {
		return Answer{}, fmt.Errorf("%v callIdentifier: %w", b.Choice, err)
	}
	if a.H245, err = parseOptH225Address(h245); err != nil {
		return Answer{}, fmt.Errorf("%v h245Address: %w", b.Choice, err)
	}
	return a, nil
}

// ReleaseComplete is the ReleaseComplete-UUIE that ends a call.
type ReleaseComplete struct {
	CallID GUID
	// Reason is the ASN.1 name of the ReleaseCompleteReason alternative
	// ("undefinedReason", "inConf", ...: the H225Reason of the call cause
	// catalogue); empty leaves the reason out.
	Reason     string
	Tunnelling bool
}

// releaseReason returns the ReleaseCompleteReason alternative named name.
func releaseReason(name string) (h225.ReleaseCompleteReasonChoice, error) {
	for c := h225.ReleaseCompleteReasonChoice(1); c <= h225.ReleaseCompleteReasonChoiceHopCountExceeded; c++ {
		if c.String() == name {
			return c, nil
		}
	}
	return 0, fmt.Errorf("%w: ReleaseCompleteReason %q", ErrInvalid, name)
}

// UserInformation returns the H323-UserInformation of the ReleaseComplete.
// Reasons that carry a value (nonStandardReason, securityError,
// replaceWithConferenceInvite) are not supported.
func (r ReleaseComplete) UserInformation() (h225.H323UserInformation, error) {
	u := &h225.ReleaseCompleteUUIE{ProtocolIdentifier: h225Protocol(), CallIdentifier: callIdentifier(r.CallID)}
	if r.Reason != "" {
		c, err := releaseReason(r.Reason)
		if err != nil {
			return h225.H323UserInformation{}, err
		}
		switch c {
		case h225.ReleaseCompleteReasonChoiceNonStandardReason, h225.ReleaseCompleteReasonChoiceReplaceWithConferenceInvite,
			h225.ReleaseCompleteReasonChoiceSecurityError:
			return h225.H323UserInformation{}, fmt.Errorf("%w: ReleaseCompleteReason %s needs a value", ErrUnsupported, r.Reason)
		}
		u.Reason = &h225.ReleaseCompleteReason{Choice: c}
	}
	return newPDU(h225.H323UUPDUH323MessageBody{Choice: h225.H323UUPDUH323MessageBodyChoiceReleaseComplete, ReleaseComplete: u}, r.Tunnelling), nil
}

// ParseReleaseComplete returns the ReleaseComplete of an
// H323-UserInformation; another body is ErrUnsupported.
func ParseReleaseComplete(ui *h225.H323UserInformation) (ReleaseComplete, error) {
	b := &ui.H323UuPdu.H323MessageBody
	if b.Choice != h225.H323UUPDUH323MessageBodyChoiceReleaseComplete || b.ReleaseComplete == nil {
		return ReleaseComplete{}, fmt.Errorf("%w: message body %v is not releaseComplete", ErrUnsupported, b.Choice)
	}
	u := b.ReleaseComplete
	r := ReleaseComplete{Tunnelling: TunnelsH245(&ui.H323UuPdu)}
	if u.Reason != nil {
		r.Reason = u.Reason.Choice.String()
	}
	var err error
	if r.CallID, err = parseCallIdentifier(u.CallIdentifier); err != nil {
		return ReleaseComplete{}, fmt.Errorf("ReleaseComplete callIdentifier: %w", err)
	}
	return r, nil
}
