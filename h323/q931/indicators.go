package q931

import "fmt"

// CallState is the Call state element (0x14).
type CallState struct {
	CodingStandard CodingStandard
	Value          uint8 // CallState* constants (6 bits)
}

// Call state values (user side, Q.931 4.5.7).
const (
	CallStateNull                   = 0
	CallStateCallInitiated          = 1
	CallStateOverlapSending         = 2
	CallStateOutgoingCallProceeding = 3
	CallStateCallDelivered          = 4
	CallStateCallPresent            = 6
	CallStateCallReceived           = 7
	CallStateConnectRequest         = 8
	CallStateIncomingCallProceeding = 9
	CallStateActive                 = 10
	CallStateDisconnectRequest      = 11
	CallStateDisconnectIndication   = 12
	CallStateReleaseRequest         = 19
	CallStateOverlapReceiving       = 25
)

// ParseCallState decodes the contents of a Call state element.
func ParseCallState(data []byte) (CallState, error) {
	if len(data) != 1 {
		return CallState{}, fmt.Errorf("%w: call state of %d bytes", ErrInvalidIE, len(data))
	}
	return CallState{CodingStandard: CodingStandard(data[0] >> 6), Value: data[0] & 0x3f}, nil
}

// IE encodes the Call state element.
func (c CallState) IE() (IE, error) {
	if c.CodingStandard > 3 || c.Value > 0x3f {
		return IE{}, fmt.Errorf("%w: call state field out of range: %+v", ErrInvalidIE, c)
	}
	return IE{ID: IECallState, Data: []byte{byte(c.CodingStandard)<<6 | c.Value}}, nil
}

// CallState returns the message's Call state element.
func (m *Message) CallState() (CallState, error) {
	d, err := m.data(IECallState)
	if err != nil {
		return CallState{}, err
	}
	return ParseCallState(d)
}

// SetCallState sets the message's Call state element.
func (m *Message) SetCallState(c CallState) error {
	ie, err := c.IE()
	if err != nil {
		return err
	}
	m.Set(ie)
	return nil
}

// ProgressIndicator is the Progress indicator element (0x1e).
type ProgressIndicator struct {
	CodingStandard CodingStandard
	Location       Location
	Description    uint8 // Progress* constants (7 bits)
}

// Progress descriptions.
const (
	ProgressNotEndToEndISDN     = 1
	ProgressDestinationNotISDN  = 2
	ProgressOriginationNotISDN  = 3
	ProgressReturnedToISDN      = 4
	ProgressInterworking        = 5
	ProgressInbandInfoAvailable = 8
)

// ParseProgressIndicator decodes the contents of a Progress indicator.
func ParseProgressIndicator(data []byte) (ProgressIndicator, error) {
	if len(data) != 2 || data[0]&0x80 == 0 || data[1]&0x80 == 0 {
		return ProgressIndicator{}, fmt.Errorf("%w: progress indicator % x", ErrInvalidIE, data)
	}
	return ProgressIndicator{
		CodingStandard: CodingStandard(data[0] >> 5 & 0x03),
		Location:       Location(data[0] & 0x0f),
		Description:    data[1] & 0x7f,
	}, nil
}

// IE encodes the Progress indicator element.
func (p ProgressIndicator) IE() (IE, error) {
	if p.CodingStandard > 3 || p.Location > 0x0f || p.Description > 0x7f {
		return IE{}, fmt.Errorf("%w: progress indicator field out of range: %+v", ErrInvalidIE, p)
	}
	return IE{ID: IEProgressIndicator, Data: []byte{
		0x80 | byte(p.CodingStandard)<<5 | byte(p.Location),
		0x80 | p.Description,
	}}, nil
}

// ProgressIndicator returns the message's first Progress indicator (a
// message may carry two: see GetAll).
func (m *Message) ProgressIndicator() (ProgressIndicator, error) {
	d, err := m.data(IEProgressIndicator)
	if err != nil {
		return ProgressIndicator{}, err
	}
	return ParseProgressIndicator(d)
}

// SetProgressIndicator sets the message's first Progress indicator.
func (m *Message) SetProgressIndicator(p ProgressIndicator) error {
	ie, err := p.IE()
	if err != nil {
		return err
	}
	m.Set(ie)
	return nil
}

// NotificationIndicator is the Notification indicator element (0x27).
type NotificationIndicator struct {
	Description uint8 // Notify* constants (7 bits)
	// Extra are octets after the description (extended descriptions), raw.
	Extra []byte
}

// Notification descriptions.
const (
	NotifyUserSuspended       = 0x00
	NotifyUserResumed         = 0x01
	NotifyBearerServiceChange = 0x02
)

// ParseNotificationIndicator decodes a Notification indicator.
func ParseNotificationIndicator(data []byte) (NotificationIndicator, error) {
	if len(data) < 1 {
		return NotificationIndicator{}, fmt.Errorf("%w: empty notification indicator", ErrInvalidIE)
	}
	n := NotificationIndicator{Description: data[0] & 0x7f}
	if len(data) > 1 {
		n.Extra = data[1:]
	}
	return n, nil
}

// IE encodes the Notification indicator element. The description octet
// carries the extension bit unless Extra follows.
func (n NotificationIndicator) IE() (IE, error) {
	if n.Description > 0x7f || len(n.Extra) > 0xff-1 {
		return IE{}, fmt.Errorf("%w: notification indicator out of range: %+v", ErrInvalidIE, n)
	}
	o := n.Description
	if len(n.Extra) == 0 {
		o |= 0x80
	}
	return IE{ID: IENotificationIndicator, Data: append([]byte{o}, n.Extra...)}, nil
}

// NotificationIndicator returns the message's Notification indicator.
func (m *Message) NotificationIndicator() (NotificationIndicator, error) {
	d, err := m.data(IENotificationIndicator)
	if err != nil {
		return NotificationIndicator{}, err
	}
	return ParseNotificationIndicator(d)
}

// SetNotificationIndicator sets the message's Notification indicator.
func (m *Message) SetNotificationIndicator(n NotificationIndicator) error {
	ie, err := n.IE()
	if err != nil {
		return err
	}
	m.Set(ie)
	return nil
}

// Signal is the value of the Signal element (0x34).
type Signal uint8

// Signal values.
const (
	SignalDialToneOn        Signal = 0x00
	SignalRingBackToneOn    Signal = 0x01
	SignalInterceptToneOn   Signal = 0x02
	SignalCongestionToneOn  Signal = 0x03
	SignalBusyToneOn        Signal = 0x04
	SignalConfirmToneOn     Signal = 0x05
	SignalAnswerToneOn      Signal = 0x06
	SignalCallWaitingToneOn Signal = 0x07
	SignalOffHookWarningOn  Signal = 0x08
	SignalPreemptionToneOn  Signal = 0x09
	SignalTonesOff          Signal = 0x3f
	SignalAlertingPattern0  Signal = 0x40 // patterns 0-7: 0x40-0x47
	SignalAlertingOff       Signal = 0x4f
)

// Signal returns the message's Signal element.
func (m *Message) Signal() (Signal, error) {
	d, err := m.data(IESignal)
	if err != nil {
		return 0, err
	}
	if len(d) != 1 {
		return 0, fmt.Errorf("%w: signal of %d bytes", ErrInvalidIE, len(d))
	}
	return Signal(d[0]), nil
}

// SetSignal sets the message's Signal element.
func (m *Message) SetSignal(s Signal) {
	m.Set(IE{ID: IESignal, Data: []byte{byte(s)}})
}
