package caps

import (
	"fmt"

	"github.com/switchyard/switchyard/h323/h225"
	"github.com/switchyard/switchyard/h323/h245"
	"github.com/switchyard/switchyard/h323/per"
)

// Tunnel encodes H.245 messages into the h245Control field of an
// h323-uu-pdu, after any already there, and sets h245Tunneling (H.323
// 8.2.1).
func Tunnel(pdu *h225.H323UUPDU, msgs ...h245.MultimediaSystemControlMessage) error {
	var list [][]byte
	if pdu.H245Control != nil {
		list = *pdu.H245Control
	}
	var e per.Encoder
	for i := range msgs {
		e.Reset()
		if err := msgs[i].Encode(&e); err != nil {
			return fmt.Errorf("tunnel H.245 message %d: %w", i, err)
		}
		list = append(list, append([]byte(nil), e.Bytes()...))
	}
	pdu.H245Tunneling = new(true)
	if len(list) > 0 {
		pdu.H245Control = &list
	}
	return nil
}

// Tunnelled decodes the H.245 messages carried in the h245Control field of
// an h323-uu-pdu, in order.
func Tunnelled(pdu *h225.H323UUPDU) ([]h245.MultimediaSystemControlMessage, error) {
	if pdu.H245Control == nil {
		return nil, nil
	}
	list := *pdu.H245Control
	out := make([]h245.MultimediaSystemControlMessage, len(list))
	var d per.Decoder
	for i, b := range list {
		d.Reset(b)
		if err := out[i].Decode(&d); err != nil {
			return nil, fmt.Errorf("h245Control element %d: %w", i, err)
		}
	}
	return out, nil
}

// TunnelsH245 reports whether the sender of pdu tunnels H.245
// (h245Tunneling set).
func TunnelsH245(pdu *h225.H323UUPDU) bool {
	return pdu.H245Tunneling != nil && *pdu.H245Tunneling
}

// TunnelMessage returns an H323-UserInformation whose only purpose is to
// carry H.245 messages: message body "empty" (H.225.0 version 4 and later)
// with the messages tunnelled in h245Control. Q.931 sends it in a Facility
// message.
func TunnelMessage(msgs ...h245.MultimediaSystemControlMessage) (h225.H323UserInformation, error) {
	ui := h225.H323UserInformation{H323UuPdu: h225.H323UUPDU{
		H323MessageBody: h225.H323UUPDUH323MessageBody{Choice: h225.H323UUPDUH323MessageBodyChoiceEmpty},
	}}
	if err := Tunnel(&ui.H323UuPdu, msgs...); err != nil {
		return h225.H323UserInformation{}, err
	}
	return ui, nil
}
