package caps

import (
	"fmt"

	"github.com/switchyard/switchyard/h323/h245"
)

// Direction says which way a capability applies, from the point of view
// of the terminal that sends the TerminalCapabilitySet.
type Direction uint8

// Capability directions: receive...Capability (what the terminal can
// receive, the usual kind), transmit...Capability and
// receiveAndTransmit...Capability.
const (
	Receive Direction = iota
	Transmit
	ReceiveAndTransmit
)

var directionNames = [...]string{Receive: "receive", Transmit: "transmit", ReceiveAndTransmit: "receiveAndTransmit"}

// String returns the H.245 prefix of the direction.
func (d Direction) String() string {
	if int(d) < len(directionNames) {
		return directionNames[d]
	}
	return fmt.Sprintf("Direction(%d)", uint8(d))
}

// Control names a capability that is not a media format.
type Control uint8

// The control capabilities: the H.239 control capability
// (genericControlCapability 0.0.8.239.1.1) and the user input
// capabilities that say how DTMF may travel in UserInputIndication.
const (
	ControlNone Control = iota
	ControlH239
	ControlDTMF        // userInputCapability dtmf: signal indications
	ControlBasicString // userInputCapability basicString: alphanumeric indications
	ControlHookflash   // userInputCapability hookflash
)

var controlNames = [...]string{
	ControlNone: "none", ControlH239: "H.239 control", ControlDTMF: "dtmf",
	ControlBasicString: "basicString", ControlHookflash: "hookflash",
}

// String returns the name of the control capability.
func (c Control) String() string {
	if int(c) < len(controlNames) {
		return controlNames[c]
	}
	return fmt.Sprintf("Control(%d)", uint8(c))
}

// Entry is one entry of a capability table.
type Entry struct {
	// Number is the capabilityTableEntryNumber (1..65535).
	Number uint16
	// Direction applies to media and user input capabilities.
	Direction Direction
	// Media holds the format of a media capability: one value, or several
	// Content values for an H.239 extended video capability that lists
	// several video capabilities. Telephone events are a Media of their
	// own (receiveRTPAudioTelephonyEventCapability, receive only).
	Media []Media
	// Control is set, and Media empty, for a control capability.
	Control Control
}

// Capability returns the H.245 capability table entry.
func (e Entry) Capability() (h245.CapabilityTableEntry, error) {
	c, err := e.capability()
	if err != nil {
		return h245.CapabilityTableEntry{}, fmt.Errorf("capability %d: %w", e.Number, err)
	}
	if e.Number == 0 {
		return h245.CapabilityTableEntry{}, fmt.Errorf("%w: capability table entry number 0", ErrInvalid)
	}
	return h245.CapabilityTableEntry{CapabilityTableEntryNumber: h245.CapabilityTableEntryNumber(e.Number), Capability: &c}, nil
}

func (e Entry) capability() (h245.Capability, error) {
	if e.Control != ControlNone {
		if len(e.Media) != 0 {
			return h245.Capability{}, fmt.Errorf("%w: entry with both media and %v", ErrInvalid, e.Control)
		}
		return e.controlCapability()
	}
	if len(e.Media) == 0 {
		return h245.Capability{}, fmt.Errorf("%w: entry without media or control", ErrInvalid)
	}
	m := e.Media[0]
	switch {
	case m.Format == FormatTelephoneEvent:
		if len(e.Media) != 1 || e.Direction != Receive {
			return h245.Capability{}, fmt.Errorf("%w: telephone events are one receive capability", ErrInvalid)
		}
		if m.PayloadType < 96 || m.PayloadType > 127 {
			return h245.Capability{}, fmt.Errorf("%w: telephone-event payload type %d (96..127)", ErrInvalid, m.PayloadType)
		}
		events := m.Events
		if events == "" {
			events = "0-15"
		}
		return h245.Capability{
			Choice: h245.CapabilityChoiceReceiveRTPAudioTelephonyEventCapability,
			ReceiveRTPAudioTelephonyEventCapability: &h245.AudioTelephonyEventCapability{
				DynamicRTPPayloadType: m.PayloadType, AudioTelephoneEvent: events,
			},
		}, nil
	case m.Format.IsVideo():
		v, err := videoEntry(e.Media)
		if err != nil {
			return h245.Capability{}, err
		}
		c := h245.Capability{}
		switch e.Direction {
		case Receive:
			c.Choice, c.ReceiveVideoCapability = h245.CapabilityChoiceReceiveVideoCapability, &v
		case Transmit:
			c.Choice, c.TransmitVideoCapability = h245.CapabilityChoiceTransmitVideoCapability, &v
		default:
			c.Choice, c.ReceiveAndTransmitVideoCapability = h245.CapabilityChoiceReceiveAndTransmitVideoCapability, &v
		}
		return c, nil
	}
	if len(e.Media) != 1 {
		return h245.Capability{}, fmt.Errorf("%w: %d %v formats in one entry", ErrInvalid, len(e.Media), m.Format)
	}
	if m.Format == FormatH224 {
		d, err := m.DataCapability()
		if err != nil {
			return h245.Capability{}, err
		}
		c := h245.Capability{}
		switch e.Direction {
		case Receive:
			c.Choice, c.ReceiveDataApplicationCapability = h245.CapabilityChoiceReceiveDataApplicationCapability, &d
		case Transmit:
			c.Choice, c.TransmitDataApplicationCapability = h245.CapabilityChoiceTransmitDataApplicationCapability, &d
		default:
			c.Choice, c.ReceiveAndTransmitDataApplicationCapability = h245.CapabilityChoiceReceiveAndTransmitDataApplicationCapability, &d
		}
		return c, nil
	}
	a, err := m.AudioCapability()
	if err != nil {
		return h245.Capability{}, err
	}
	c := h245.Capability{}
	switch e.Direction {
	case Receive:
		c.Choice, c.ReceiveAudioCapability = h245.CapabilityChoiceReceiveAudioCapability, &a
	case Transmit:
		c.Choice, c.TransmitAudioCapability = h245.CapabilityChoiceTransmitAudioCapability, &a
	default:
		c.Choice, c.ReceiveAndTransmitAudioCapability = h245.CapabilityChoiceReceiveAndTransmitAudioCapability, &a
	}
	return c, nil
}

// videoEntry builds the video capability of an entry: one format, or an
// extended video capability listing several content formats.
func videoEntry(ms []Media) (h245.VideoCapability, error) {
	if len(ms) == 1 {
		return ms[0].VideoCapability()
	}
	var x h245.VideoCapability
	for i, m := range ms {
		if !m.Content || !m.Format.IsVideo() {
			return h245.VideoCapability{}, fmt.Errorf("%w: several formats in one entry must all be content video", ErrInvalid)
		}
		v, err := m.VideoCapability()
		if err != nil {
			return h245.VideoCapability{}, err
		}
		if i == 0 {
			x = v
			continue
		}
		x.ExtendedVideoCapability.VideoCapability = append(x.ExtendedVideoCapability.VideoCapability, v.ExtendedVideoCapability.VideoCapability...)
	}
	return x, nil
}

func (e Entry) controlCapability() (h245.Capability, error) {
	if e.Control == ControlH239 {
		return h245.Capability{
			Choice:                   h245.CapabilityChoiceGenericControlCapability,
			GenericControlCapability: &h245.GenericCapability{CapabilityIdentifier: standardID(oidH239Control)},
		}, nil
	}
	var u h245.UserInputCapability
	switch e.Control {
	case ControlDTMF:
		u.Choice = h245.UserInputCapabilityChoiceDTMF
	case ControlBasicString:
		u.Choice = h245.UserInputCapabilityChoiceBasicString
	case ControlHookflash:
		u.Choice = h245.UserInputCapabilityChoiceHookflash
	default:
		return h245.Capability{}, fmt.Errorf("%w: control capability %v", ErrInvalid, e.Control)
	}
	c := h245.Capability{}
	switch e.Direction {
	case Receive:
		c.Choice, c.ReceiveUserInputCapability = h245.CapabilityChoiceReceiveUserInputCapability, &u
	case Transmit:
		c.Choice, c.TransmitUserInputCapability = h245.CapabilityChoiceTransmitUserInputCapability, &u
	default:
		c.Choice, c.ReceiveAndTransmitUserInputCapability = h245.CapabilityChoiceReceiveAndTransmitUserInputCapability, &u
	}
	return c, nil
}

// ParseEntry returns the entry of an H.245 capability table entry. A
// capability this package does not describe is ErrUnsupported (the
// returned Entry still has its Number); an entry without a capability (a
// removal) has neither Media nor Control.
func ParseEntry(t *h245.CapabilityTableEntry) (Entry, error) {
	e := Entry{Number: uint16(t.CapabilityTableEntryNumber)}
	c := t.Capability
	if c == nil {
		return e, nil
	}
	var err error
	switch c.Choice {
	case h245.CapabilityChoiceReceiveAudioCapability:
		e.Direction, err = Receive, e.audio(c.ReceiveAudioCapability)
	case h245.CapabilityChoiceTransmitAudioCapability:
		e.Direction, err = Transmit, e.audio(c.TransmitAudioCapability)
	case h245.CapabilityChoiceReceiveAndTransmitAudioCapability:
		e.Direction, err = ReceiveAndTransmit, e.audio(c.ReceiveAndTransmitAudioCapability)
	case h245.CapabilityChoiceReceiveVideoCapability:
		e.Direction, err = Receive, e.video(c.ReceiveVideoCapability)
	case h245.CapabilityChoiceTransmitVideoCapability:
		e.Direction, err = Transmit, e.video(c.TransmitVideoCapability)
	case h245.CapabilityChoiceReceiveAndTransmitVideoCapability:
		e.Direction, err = ReceiveAndTransmit, e.video(c.ReceiveAndTransmitVideoCapability)
	case h245.CapabilityChoiceReceiveDataApplicationCapability:
		e.Direction, err = Receive, e.data(c.ReceiveDataApplicationCapability)
	case h245.CapabilityChoiceTransmitDataApplicationCapability:
		e.Direction, err = Transmit, e.data(c.TransmitDataApplicationCapability)
	case h245.CapabilityChoiceReceiveAndTransmitDataApplicationCapability:
		e.Direction, err = ReceiveAndTransmit, e.data(c.ReceiveAndTransmitDataApplicationCapability)
	case h245.CapabilityChoiceReceiveUserInputCapability:
		e.Direction, err = Receive, e.userInput(c.ReceiveUserInputCapability)
	case h245.CapabilityChoiceTransmitUserInputCapability:
		e.Direction, err = Transmit, e.userInput(c.TransmitUserInputCapability)
	case h245.CapabilityChoiceReceiveAndTransmitUserInputCapability:
		e.Direction, err = ReceiveAndTransmit, e.userInput(c.ReceiveAndTransmitUserInputCapability)
	case h245.CapabilityChoiceGenericControlCapability:
		g := c.GenericControlCapability
		if g == nil || !isStandard(&g.CapabilityIdentifier, oidH239Control) {
			err = fmt.Errorf("%w: generic control capability %s", ErrUnsupported, genericName(g))
			break
		}
		e.Direction, e.Control = ReceiveAndTransmit, ControlH239
	case h245.CapabilityChoiceReceiveRTPAudioTelephonyEventCapability:
		t := c.ReceiveRTPAudioTelephonyEventCapability
		if t == nil {
			err = fmt.Errorf("%w: empty telephone event capability", ErrInvalid)
			break
		}
		e.Media = []Media{{Format: FormatTelephoneEvent, PayloadType: t.DynamicRTPPayloadType, Events: t.AudioTelephoneEvent}}
	default:
		err = fmt.Errorf("%w: capability %v", ErrUnsupported, c.Choice)
	}
	if err != nil {
		return Entry{Number: e.Number}, fmt.Errorf("capability %d: %w", e.Number, err)
	}
	return e, nil
}

func (e *Entry) audio(a *h245.AudioCapability) error {
	if a == nil {
		return fmt.Errorf("%w: empty audio capability", ErrInvalid)
	}
	m, err := ParseAudioCapability(a)
	if err != nil {
		return err
	}
	e.Media = []Media{m}
	return nil
}

func (e *Entry) video(v *h245.VideoCapability) error {
	if v == nil {
		return fmt.Errorf("%w: empty video capability", ErrInvalid)
	}
	ms, err := ParseVideoCapability(v)
	if err != nil {
		return err
	}
	e.Media = ms
	return nil
}

func (e *Entry) data(d *h245.DataApplicationCapability) error {
	if d == nil {
		return fmt.Errorf("%w: empty data capability", ErrInvalid)
	}
	m, err := ParseDataCapability(d)
	if err != nil {
		return err
	}
	e.Media = []Media{m}
	return nil
}

func (e *Entry) userInput(u *h245.UserInputCapability) error {
	if u == nil {
		return fmt.Errorf("%w: empty user input capability", ErrInvalid)
	}
	switch u.Choice {
	case h245.UserInputCapabilityChoiceDTMF:
		e.Control = ControlDTMF
	case h245.UserInputCapabilityChoiceBasicString:
		e.Control = ControlBasicString
	case h245.UserInputCapabilityChoiceHookflash:
		e.Control = ControlHookflash
	default:
		return fmt.Errorf("%w: user input capability %v", ErrUnsupported, u.Choice)
	}
	return nil
}
