package caps

import (
	"fmt"
	"net/netip"

	"github.com/switchyard/switchyard/h323/h225"
)

// GRQ is a GatekeeperRequest: discovery of a gatekeeper.
type GRQ struct {
	Seq      uint16
	RAS      netip.AddrPort // where the endpoint receives RAS
	Endpoint Endpoint
	// GatekeeperID asks for one gatekeeper; empty asks any.
	GatekeeperID string
	Aliases      []Alias
}

// RasMessage returns the gatekeeperRequest.
func (g GRQ) RasMessage() (h225.RasMessage, error) {
	ras, err := H225Address(g.RAS)
	if err != nil {
		return h225.RasMessage{}, fmt.Errorf("GRQ rasAddress: %w", err)
	}
	et, err := g.Endpoint.EndpointType()
	if err != nil {
		return h225.RasMessage{}, fmt.Errorf("GRQ: %w", err)
	}
	r := &h225.GatekeeperRequest{
		RequestSeqNum:      h225.RequestSeqNum(g.Seq),
		ProtocolIdentifier: h225Protocol(),
		RasAddress:         ras,
		EndpointType:       et,
	}
	if r.GatekeeperIdentifier, err = optIdentifier[h225.GatekeeperIdentifier](g.GatekeeperID); err != nil {
		return h225.RasMessage{}, fmt.Errorf("GRQ: %w", err)
	}
	if r.EndpointAlias, err = aliasList(g.Aliases); err != nil {
		return h225.RasMessage{}, fmt.Errorf("GRQ: %w", err)
	}
	return h225.RasMessage{Choice: h225.RasMessageChoiceGatekeeperRequest, GatekeeperRequest: r}, nil
}

// ParseGRQ returns the request of a gatekeeperRequest.
func ParseGRQ(r *h225.GatekeeperRequest) (GRQ, error) {
	ras, err := ParseH225Address(&r.RasAddress)
	if err != nil {
		return GRQ{}, fmt.Errorf("GRQ rasAddress: %w", err)
	}
	return GRQ{
		Seq: uint16(r.RequestSeqNum), RAS: ras, Endpoint: ParseEndpoint(&r.EndpointType),
		GatekeeperID: identifierOf(r.GatekeeperIdentifier), Aliases: parseAliases(r.EndpointAlias),
	}, nil
}

// RRQ is a RegistrationRequest. A lightweight refresh (KeepAlive) names
// the EndpointID the gatekeeper assigned.
type RRQ struct {
	Seq          uint16
	CallSignal   netip.AddrPort
	RAS          netip.AddrPort
	Endpoint     Endpoint
	Aliases      []Alias
	GatekeeperID string
	// TTL is the registration lifetime asked for, in seconds; 0 leaves it
	// to the gatekeeper.
	TTL        uint32
	KeepAlive  bool
	EndpointID string
	// DiscoveryComplete says a GRQ/GCF exchange came first.
	DiscoveryComplete bool
}

// RasMessage returns the registrationRequest.
func (q RRQ) RasMessage() (h225.RasMessage, error) {
	cs, err := H225Address(q.CallSignal)
	if err != nil {
		return h225.RasMessage{}, fmt.Errorf("RRQ callSignalAddress: %w", err)
	}
	ras, err := H225Address(q.RAS)
	if err != nil {
		return h225.RasMessage{}, fmt.Errorf("RRQ rasAddress: %w", err)
	}
	et, err := q.Endpoint.EndpointType()
	if err != nil {
		return h225.RasMessage{}, fmt.Errorf("RRQ: %w", err)
	}
	r := &h225.RegistrationRequest{
		RequestSeqNum:      h225.RequestSeqNum(q.Seq),
		ProtocolIdentifier: h225Protocol(),
		DiscoveryComplete:  q.DiscoveryComplete,
		CallSignalAddress:  []h225.TransportAddress{cs},
		RasAddress:         []h225.TransportAddress{ras},
		TerminalType:       et,
		EndpointVendor:     *et.Vendor,
		KeepAlive:          new(q.KeepAlive),
		WillSupplyUUIEs:    new(false),
		MaintainConnection: new(false),
	}
	if r.TerminalAlias, err = aliasList(q.Aliases); err != nil {
		return h225.RasMessage{}, fmt.Errorf("RRQ: %w", err)
	}
	if r.GatekeeperIdentifier, err = optIdentifier[h225.GatekeeperIdentifier](q.GatekeeperID); err != nil {
		return h225.RasMessage{}, fmt.Errorf("RRQ: %w", err)
	}
	if r.EndpointIdentifier, err = optIdentifier[h225.EndpointIdentifier](q.EndpointID); err != nil {
		return h225.RasMessage{}, fmt.Errorf("RRQ: %w", err)
	}
	if q.TTL != 0 {
		r.TimeToLive = new(h225.TimeToLive(q.TTL))
	}
	return h225.RasMessage{Choice: h225.RasMessageChoiceRegistrationRequest, RegistrationRequest: r}, nil
}

// ParseRRQ returns the request of a registrationRequest: its first IP call
// signalling and RAS addresses, and the endpoint vendor.
func ParseRRQ(r *h225.RegistrationRequest) (RRQ, error) {
	q := RRQ{
		Seq: uint16(r.RequestSeqNum), DiscoveryComplete: r.DiscoveryComplete,
		Endpoint: ParseEndpoint(&r.TerminalType), Aliases: parseAliases(r.TerminalAlias),
		GatekeeperID: identifierOf(r.GatekeeperIdentifier), EndpointID: identifierOf(r.EndpointIdentifier),
	}
	q.Endpoint.Vendor = parseVendor(&r.EndpointVendor)
	var err error
	if q.CallSignal, err = firstAddress(r.CallSignalAddress); err != nil {
		return RRQ{}, fmt.Errorf("RRQ callSignalAddress: %w", err)
	}
	if q.RAS, err = firstAddress(r.RasAddress); err != nil {
		return RRQ{}, fmt.Errorf("RRQ rasAddress: %w", err)
	}
	if r.TimeToLive != nil {
		q.TTL = uint32(*r.TimeToLive)
	}
	if r.KeepAlive != nil {
		q.KeepAlive = *r.KeepAlive
	}
	return q, nil
}

// firstAddress returns the first IP address of a list, or the zero
// AddrPort when the list has none.
func firstAddress(l []h225.TransportAddress) (netip.AddrPort, error) {
	for i := range l {
		a, err := ParseH225Address(&l[i])
		if err == nil {
			return a, nil
		}
	}
	return netip.AddrPort{}, nil
}

// RCF is a RegistrationConfirm.
type RCF struct {
	Seq uint16
	// CallSignal is the gatekeeper's call signalling address.
	CallSignal   netip.AddrPort
	Aliases      []Alias
	GatekeeperID string
	EndpointID   string
	TTL          uint32
}

// RasMessage returns the registrationConfirm.
func (c RCF) RasMessage() (h225.RasMessage, error) {
	var cs []h225.TransportAddress
	if c.CallSignal.IsValid() {
		a, err := H225Address(c.CallSignal)
		if err != nil {
			return h225.RasMessage{}, fmt.Errorf("RCF callSignalAddress: %w", err)
		}
		cs = append(cs, a)
	}
	if c.EndpointID == "" {
		return h225.RasMessage{}, fmt.Errorf("%w: RCF without endpointIdentifier", ErrInvalid)
	}
	eid, err := optIdentifier[h225.EndpointIdentifier](c.EndpointID)
	if err != nil {
		return h225.RasMessage{}, fmt.Errorf("RCF: %w", err)
	}
	r := &h225.RegistrationConfirm{
		RequestSeqNum:      h225.RequestSeqNum(c.Seq),
		ProtocolIdentifier: h225Protocol(),
		CallSignalAddress:  cs,
		EndpointIdentifier: *eid,
		WillRespondToIRR:   new(false),
		MaintainConnection: new(false),
	}
	if r.TerminalAlias, err = aliasList(c.Aliases); err != nil {
		return h225.RasMessage{}, fmt.Errorf("RCF: %w", err)
	}
	if r.GatekeeperIdentifier, err = optIdentifier[h225.GatekeeperIdentifier](c.GatekeeperID); err != nil {
		return h225.RasMessage{}, fmt.Errorf("RCF: %w", err)
	}
	if c.TTL != 0 {
		r.TimeToLive = new(h225.TimeToLive(c.TTL))
	}
	return h225.RasMessage{Choice: h225.RasMessageChoiceRegistrationConfirm, RegistrationConfirm: r}, nil
}

// ParseRCF returns the confirmation of a registrationConfirm.
func ParseRCF(r *h225.RegistrationConfirm) (RCF, error) {
	c := RCF{
		Seq: uint16(r.RequestSeqNum), Aliases: parseAliases(r.TerminalAlias),
		GatekeeperID: identifierOf(r.GatekeeperIdentifier), EndpointID: string(r.EndpointIdentifier),
	}
	var err error
	if c.CallSignal, err = firstAddress(r.CallSignalAddress); err != nil {
		return RCF{}, fmt.Errorf("RCF callSignalAddress: %w", err)
	}
	if r.TimeToLive != nil {
		c.TTL = uint32(*r.TimeToLive)
	}
	return c, nil
}

// URQ is an UnregistrationRequest.
type URQ struct {
	Seq          uint16
	CallSignal   netip.AddrPort
	Aliases      []Alias
	EndpointID   string
	GatekeeperID string
}

// RasMessage returns the unregistrationRequest.
func (u URQ) RasMessage() (h225.RasMessage, error) {
	cs, err := H225Address(u.CallSignal)
	if err != nil {
		return h225.RasMessage{}, fmt.Errorf("URQ callSignalAddress: %w", err)
	}
	r := &h225.UnregistrationRequest{
		RequestSeqNum:     h225.RequestSeqNum(u.Seq),
		CallSignalAddress: []h225.TransportAddress{cs},
	}
	if r.EndpointAlias, err = aliasList(u.Aliases); err != nil {
		return h225.RasMessage{}, fmt.Errorf("URQ: %w", err)
	}
	if r.EndpointIdentifier, err = optIdentifier[h225.EndpointIdentifier](u.EndpointID); err != nil {
		return h225.RasMessage{}, fmt.Errorf("URQ: %w", err)
	}
	if r.GatekeeperIdentifier, err = optIdentifier[h225.GatekeeperIdentifier](u.GatekeeperID); err != nil {
		return h225.RasMessage{}, fmt.Errorf("URQ: %w", err)
	}
	return h225.RasMessage{Choice: h225.RasMessageChoiceUnregistrationRequest, UnregistrationRequest: r}, nil
}

// ParseURQ returns the request of an unregistrationRequest.
func ParseURQ(r *h225.UnregistrationRequest) (URQ, error) {
	cs, err := firstAddress(r.CallSignalAddress)
	if err != nil {
		return URQ{}, fmt.Errorf("URQ callSignalAddress: %w", err)
	}
	return URQ{
		Seq: uint16(r.RequestSeqNum), CallSignal: cs, Aliases: parseAliases(r.EndpointAlias),
		EndpointID: identifierOf(r.EndpointIdentifier), GatekeeperID: identifierOf(r.GatekeeperIdentifier),
	}, nil
}

// ARQ is an AdmissionRequest for a point-to-point call.
type ARQ struct {
	Seq            uint16
	EndpointID     string
	Dest           []Alias
	DestCallSignal netip.AddrPort
	Src            []Alias
	SrcCallSignal  netip.AddrPort
	// BandWidth is the call's bandwidth in units of 100 bit/s, both
	// directions together.
	BandWidth     uint32
	CallReference uint16
	ConferenceID  GUID
	CallID        GUID
	// AnswerCall is set by the called endpoint.
	AnswerCall   bool
	GatekeeperID string
	CanMapAlias  bool
}

// RasMessage returns the admissionRequest.
func (q ARQ) RasMessage() (h225.RasMessage, error) {
	if q.EndpointID == "" {
		return h225.RasMessage{}, fmt.Errorf("%w: ARQ without endpointIdentifier", ErrInvalid)
	}
	eid, err := optIdentifier[h225.EndpointIdentifier](q.EndpointID)
	if err != nil {
		return h225.RasMessage{}, fmt.Errorf("ARQ: %w", err)
	}
	src, err := aliasSlice(q.Src)
	if err != nil {
		return h225.RasMessage{}, fmt.Errorf("ARQ srcInfo: %w", err)
	}
	r := &h225.AdmissionRequest{
		RequestSeqNum:      h225.RequestSeqNum(q.Seq),
		CallType:           h225.CallType{Choice: h225.CallTypeChoicePointToPoint},
		EndpointIdentifier: *eid,
		SrcInfo:            src,
		BandWidth:          h225.BandWidth(q.BandWidth),
		CallReferenceValue: h225.CallReferenceValue(q.CallReference),
		ConferenceID:       h225.ConferenceIdentifier(q.ConferenceID[:]),
		AnswerCall:         q.AnswerCall,
		CanMapAlias:        new(q.CanMapAlias),
		CallIdentifier:     callIdentifier(q.CallID),
		WillSupplyUUIEs:    new(false),
		CanMapSrcAlias:     new(false),
	}
	if r.DestinationInfo, err = aliasList(q.Dest); err != nil {
		return h225.RasMessage{}, fmt.Errorf("ARQ destinationInfo: %w", err)
	}
	if r.DestCallSignalAddress, err = optH225Address(q.DestCallSignal); err != nil {
		return h225.RasMessage{}, fmt.Errorf("ARQ destCallSignalAddress: %w", err)
	}
	if r.SrcCallSignalAddress, err = optH225Address(q.SrcCallSignal); err != nil {
		return h225.RasMessage{}, fmt.Errorf("ARQ srcCallSignalAddress: %w", err)
	}
	if r.GatekeeperIdentifier, err = optIdentifier[h225.GatekeeperIdentifier](q.GatekeeperID); err != nil {
		return h225.RasMessage{}, fmt.Errorf("ARQ: %w", err)
	}
	return h225.RasMessage{Choice: h225.RasMessageChoiceAdmissionRequest, AdmissionRequest: r}, nil
}

// ParseARQ returns the request of an admissionRequest.
func ParseARQ(r *h225.AdmissionRequest) (ARQ, error) {
	q := ARQ{
		Seq: uint16(r.RequestSeqNum), EndpointID: string(r.EndpointIdentifier),
		Dest: parseAliases(r.DestinationInfo), Src: parseAliasSlice(r.SrcInfo),
		BandWidth: uint32(r.BandWidth), CallReference: uint16(r.CallReferenceValue),
		AnswerCall: r.AnswerCall, GatekeeperID: identifierOf(r.GatekeeperIdentifier),
	}
	var err error
	if q.ConferenceID, err = guidOf(r.ConferenceID); err != nil {
		return ARQ{}, fmt.Errorf("ARQ conferenceID: %w", err)
	}
	if q.CallID, err = parseCallIdentifier(r.CallIdentifier); err != nil {
		return ARQ{}, fmt.Errorf("ARQ callIdentifier: %w", err)
	}
	if q.DestCallSignal, err = parseOptH225Address(r.DestCallSignalAddress); err != nil {
		return ARQ{}, fmt.Errorf("ARQ destCallSignalAddress: %w", err)
	}
	if q.SrcCallSignal, err = parseOptH225Address(r.SrcCallSignalAddress); err != nil {
		return ARQ{}, fmt.Errorf("ARQ srcCallSignalAddress: %w", err)
	}
	if r.CanMapAlias != nil {
		q.CanMapAlias = *r.CanMapAlias
	}
	return q, nil
}

// ACF is an AdmissionConfirm.
type ACF struct {
	Seq       uint16
	BandWidth uint32
	// Routed says the gatekeeper routes call signalling (callModel
	// gatekeeperRouted); DestCallSignal is then the gatekeeper's address.
	Routed         bool
	DestCallSignal netip.AddrPort
	// IRRFrequency asks for InfoRequestResponse every so many seconds; 0
	// leaves it out.
	IRRFrequency uint16
}

// RasMessage returns the admissionConfirm.
func (c ACF) RasMessage() (h225.RasMessage, error) {
	dest, err := H225Address(c.DestCallSignal)
	if err != nil {
		return h225.RasMessage{}, fmt.Errorf("ACF destCallSignalAddress: %w", err)
	}
	model := h225.CallModelChoiceDirect
	if c.Routed {
		model = h225.CallModelChoiceGatekeeperRouted
	}
	r := &h225.AdmissionConfirm{
		RequestSeqNum:         h225.RequestSeqNum(c.Seq),
		BandWidth:             h225.BandWidth(c.BandWidth),
		CallModel:             h225.CallModel{Choice: model},
		DestCallSignalAddress: dest,
		WillRespondToIRR:      new(false),
		UuiesRequested:        &h225.UUIEsRequested{},
	}
	if c.IRRFrequency != 0 {
		r.IrrFrequency = new(c.IRRFrequency)
	}
	return h225.RasMessage{Choice: h225.RasMessageChoiceAdmissionConfirm, AdmissionConfirm: r}, nil
}

// ParseACF returns the confirmation of an admissionConfirm.
func ParseACF(r *h225.AdmissionConfirm) (ACF, error) {
	dest, err := ParseH225Address(&r.DestCallSignalAddress)
	if err != nil {
		return ACF{}, fmt.Errorf("ACF destCallSignalAddress: %w", err)
	}
	c := ACF{
		Seq: uint16(r.RequestSeqNum), BandWidth: uint32(r.BandWidth), DestCallSignal: dest,
		Routed: r.CallModel.Choice == h225.CallModelChoiceGatekeeperRouted,
	}
	if r.IrrFrequency != nil {
		c.IRRFrequency = *r.IrrFrequency
	}
	return c, nil
}

// DRQ is a DisengageRequest: the end of an admitted call.
type DRQ struct {
	Seq           uint16
	EndpointID    string
	ConferenceID  GUID
	CallID        GUID
	CallReference uint16
	// Forced marks a forced drop (by the gatekeeper); otherwise a normal
	// drop.
	Forced       bool
	AnsweredCall bool
	GatekeeperID string
}

// RasMessage returns the disengageRequest.
func (q DRQ) RasMessage() (h225.RasMessage, error) {
	if q.EndpointID == "" {
		return h225.RasMessage{}, fmt.Errorf("%w: DRQ without endpointIdentifier", ErrInvalid)
	}
	eid, err := optIdentifier[h225.EndpointIdentifier](q.EndpointID)
	if err != nil {
		return h225.RasMessage{}, fmt.Errorf("DRQ: %w", err)
	}
	reason := h225.DisengageReasonChoiceNormalDrop
	if q.Forced {
		reason = h225.DisengageReasonChoiceForcedDrop
	}
	r := &h225.DisengageRequest{
		RequestSeqNum:      h225.RequestSeqNum(q.Seq),
		EndpointIdentifier: *eid,
		ConferenceID:       h225.ConferenceIdentifier(q.ConferenceID[:]),
		CallReferenceValue: h225.CallReferenceValue(q.CallReference),
		DisengageReason:    h225.DisengageReason{Choice: reason},
		CallIdentifier:     callIdentifier(q.CallID),
		AnsweredCall:       new(q.AnsweredCall),
	}
	if r.GatekeeperIdentifier, err = optIdentifier[h225.GatekeeperIdentifier](q.GatekeeperID); err != nil {
		return h225.RasMessage{}, fmt.Errorf("DRQ: %w", err)
	}
	return h225.RasMessage{Choice: h225.RasMessageChoiceDisengageRequest, DisengageRequest: r}, nil
}

// ParseDRQ returns the request of a disengageRequest.
func ParseDRQ(r *h225.DisengageRequest) (DRQ, error) {
	q := DRQ{
		Seq: uint16(r.RequestSeqNum), EndpointID: string(r.EndpointIdentifier),
		CallReference: uint16(r.CallReferenceValue), GatekeeperID: identifierOf(r.GatekeeperIdentifier),
		Forced: r.DisengageReason.Choice == h225.DisengageReasonChoiceForcedDrop,
	}
	var err error
	if q.ConferenceID, err = guidOf(r.ConferenceID); err != nil {
		return DRQ{}, fmt.Errorf("DRQ conferenceID: %w", err)
	}
	if q.CallID, err = parseCallIdentifier(r.CallIdentifier); err != nil {
		return DRQ{}, fmt.Errorf("DRQ callIdentifier: %w", err)
	}
	if r.AnsweredCall != nil {
		q.AnsweredCall = *r.AnsweredCall
	}
	return q, nil
}
