package q931

import "fmt"

// NumberType is the type of number of a party number element.
type NumberType uint8

// Types of number.
const (
	NumberUnknown         NumberType = 0
	NumberInternational   NumberType = 1
	NumberNational        NumberType = 2
	NumberNetworkSpecific NumberType = 3
	NumberSubscriber      NumberType = 4
	NumberAbbreviated     NumberType = 6
)

// NumberingPlan is the numbering plan of a party number element.
type NumberingPlan uint8

// Numbering plans.
const (
	PlanUnknown  NumberingPlan = 0
	PlanE164     NumberingPlan = 1 // ISDN/telephony numbering plan
	PlanX121     NumberingPlan = 3 // data
	PlanF69      NumberingPlan = 4 // telex
	PlanNational NumberingPlan = 8
	PlanPrivate  NumberingPlan = 9
)

// Presentation indicators (octet 3a).
const (
	PresentationAllowed      = 0
	PresentationRestricted   = 1
	PresentationNotAvailable = 2
)

// Screening indicators (octet 3a).
const (
	ScreeningUserNotScreened = 0
	ScreeningUserPassed      = 1
	ScreeningUserFailed      = 2
	ScreeningNetwork         = 3
)

// Reasons for redirection (octet 3b of the Redirecting number).
const (
	RedirectUnknown        = 0x0
	RedirectBusy           = 0x1
	RedirectNoReply        = 0x2
	RedirectDeflection     = 0x4
	RedirectDTEOutOfOrder  = 0x9
	RedirectForwardedByDTE = 0xa
	RedirectUnconditional  = 0xf
)

// PartyNumber is the contents of the Calling party number (0x6c), Called
// party number (0x70), Connected number (0x4c) and Redirecting number
// (0x74) elements.
type PartyNumber struct {
	Type NumberType
	Plan NumberingPlan
	// HasPresentation says octet 3a (presentation and screening) is
	// present; Called party number has none.
	HasPresentation bool
	Presentation    uint8
	Screening       uint8
	// HasReason says octet 3b (reason for redirection) is present; only
	// the Redirecting number has one, and only after octet 3a.
	HasReason bool
	Reason    uint8
	// Digits are the number digits (IA5 characters).
	Digits string
}

// ParsePartyNumber decodes the contents of a party number element.
func ParsePartyNumber(data []byte) (PartyNumber, error) {
	var p PartyNumber
	if len(data) < 1 {
		return p, fmt.Errorf("%w: party number without octet 3", ErrInvalidIE)
	}
	p.Type = NumberType(data[0] >> 4 & 0x07)
	p.Plan = NumberingPlan(data[0] & 0x0f)
	ext, i := data[0]&0x80 == 0, 1
	if ext {
		if i >= len(data) {
			return p, fmt.Errorf("%w: party number octet 3a missing", ErrInvalidIE)
		}
		p.HasPresentation = true
		p.Presentation = data[i] >> 5 & 0x03
		p.Screening = data[i] & 0x03
		ext = data[i]&0x80 == 0
		i++
	}
	if ext {
		if i >= len(data) {
			return p, fmt.Errorf("%w: party number octet 3b missing", ErrInvalidIE)
		}
		if data[i]&0x80 == 0 {
			return p, fmt.Errorf("%w: party number octet 3 group longer than 3b", ErrInvalidIE)
		}
		p.HasReason = true
		p.Reason = data[i] & 0x0f
		i++
	}
	p.Digits = string(data[i:])
	return p, nil
}

// Data encodes the element contents.
func (p PartyNumber) Data() ([]byte, error) {
	if p.Type > 7 || p.Plan > 0x0f || p.Presentation > 3 || p.Screening > 3 || p.Reason > 0x0f ||
		(p.HasReason && !p.HasPresentation) {
		return nil, fmt.Errorf("%w: party number field out of range: %+v", ErrInvalidIE, p)
	}
	if len(p.Digits) > 0xff-3 {
		return nil, fmt.Errorf("%w: number of %d digits", ErrTooLong, len(p.Digits))
	}
	d := make([]byte, 0, 3+len(p.Digits))
	o3 := byte(p.Type)<<4 | byte(p.Plan)
	if !p.HasPresentation {
		o3 |= 0x80
	}
	d = append(d, o3)
	if p.HasPresentation {
		o3a := p.Presentation<<5 | p.Screening
		if !p.HasReason {
			o3a |= 0x80
		}
		d = append(d, o3a)
	}
	if p.HasReason {
		d = append(d, 0x80|p.Reason)
	}
	return append(d, p.Digits...), nil
}

// IE encodes the number as the element id (IECallingPartyNumber,
// IECalledPartyNumber, IEConnectedNumber or IERedirectingNumber).
func (p PartyNumber) IE(id IEID) (IE, error) {
	d, err := p.Data()
	if err != nil {
		return IE{}, err
	}
	return IE{ID: id, Data: d}, nil
}

func (m *Message) partyNumber(id IEID) (PartyNumber, error) {
	d, err := m.data(id)
	if err != nil {
		return PartyNumber{}, err
	}
	p, err := ParsePartyNumber(d)
	if err != nil {
		return p, fmt.Errorf("%s: %w", id, err)
	}
	return p, nil
}

func (m *Message) setPartyNumber(id IEID, p PartyNumber) error {
	ie, err := p.IE(id)
	if err != nil {
		return fmt.Errorf("%s: %w", id, err)
	}
	m.Set(ie)
	return nil
}

// CallingPartyNumber returns the Calling party number element.
func (m *Message) CallingPartyNumber() (PartyNumber, error) {
	return m.partyNumber(IECallingPartyNumber)
}

// SetCallingPartyNumber sets the Calling party number element.
func (m *Message) SetCallingPartyNumber(p PartyNumber) error {
	return m.setPartyNumber(IECallingPartyNumber, p)
}

// CalledPartyNumber returns the Called party number element.
func (m *Message) CalledPartyNumber() (PartyNumber, error) {
	return m.partyNumber(IECalledPartyNumber)
}

// SetCalledPartyNumber sets the Called party number element.
func (m *Message) SetCalledPartyNumber(p PartyNumber) error {
	return m.setPartyNumber(IECalledPartyNumber, p)
}

// ConnectedNumber returns the Connected number element.
func (m *Message) ConnectedNumber() (PartyNumber, error) {
	return m.partyNumber(IEConnectedNumber)
}

// SetConnectedNumber sets the Connected number element.
func (m *Message) SetConnectedNumber(p PartyNumber) error {
	return m.setPartyNumber(IEConnectedNumber, p)
}

// RedirectingNumber returns the Redirecting number element.
func (m *Message) RedirectingNumber() (PartyNumber, error) {
	return m.partyNumber(IERedirectingNumber)
}

// SetRedirectingNumber sets the Redirecting number element.
func (m *Message) SetRedirectingNumber(p PartyNumber) error {
	return m.setPartyNumber(IERedirectingNumber, p)
}
