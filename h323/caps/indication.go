package caps

import (
	"fmt"
	"strings"

	"github.com/switchyard/switchyard/h323/h245"
)

// signalTypes are the characters a userInput signal may carry (H.245
// signalType: DTMF digits, A-D, and '!' for hookflash).
const signalTypes = "0123456789#*ABCD!"

// UserInput is a UserInputIndication: DTMF as a signal (one character with
// a duration) or as an alphanumeric string.
type UserInput struct {
	// Signal selects the signal form (userInputCapability dtmf); otherwise
	// the alphanumeric form (basicString).
	Signal bool
	// Digits is the signal's character, or the alphanumeric string.
	Digits string
	// Duration is the signal's duration in milliseconds, 0 when not given.
	Duration uint16
}

// Message returns the userInput indication.
func (u UserInput) Message() (h245.MultimediaSystemControlMessage, error) {
	var ui h245.UserInputIndication
	if u.Signal {
		if len(u.Digits) != 1 || !strings.Contains(signalTypes, u.Digits) {
			return h245.MultimediaSystemControlMessage{}, fmt.Errorf("%w: user input signal %q (one of %s)", ErrInvalid, u.Digits, signalTypes)
		}
		s := &h245.UserInputIndicationSignal{SignalType: u.Digits}
		if u.Duration != 0 {
			s.Duration = new(u.Duration)
		}
		ui = h245.UserInputIndication{Choice: h245.UserInputIndicationChoiceSignal, Signal: s}
	} else {
		if u.Digits == "" {
			return h245.MultimediaSystemControlMessage{}, fmt.Errorf("%w: empty alphanumeric user input", ErrInvalid)
		}
		ui = h245.UserInputIndication{Choice: h245.UserInputIndicationChoiceAlphanumeric, Alphanumeric: u.Digits}
	}
	return Indication(h245.IndicationMessage{Choice: h245.IndicationMessageChoiceUserInput, UserInput: &ui}), nil
}

// ParseUserInput returns the DTMF of a userInput indication (signal or
// alphanumeric), and false when msg is another message or another form of
// user input.
func ParseUserInput(msg *h245.MultimediaSystemControlMessage) (UserInput, bool) {
	if msg.Choice != h245.MultimediaSystemControlMessageChoiceIndication || msg.Indication == nil ||
		msg.Indication.Choice != h245.IndicationMessageChoiceUserInput || msg.Indication.UserInput == nil {
		return UserInput{}, false
	}
	ui := msg.Indication.UserInput
	switch {
	case ui.Choice == h245.UserInputIndicationChoiceAlphanumeric:
		return UserInput{Digits: ui.Alphanumeric}, true
	case ui.Choice == h245.UserInputIndicationChoiceSignal && ui.Signal != nil:
		u := UserInput{Signal: true, Digits: ui.Signal.SignalType}
		if ui.Signal.Duration != nil {
			u.Duration = *ui.Signal.Duration
		}
		return u, true
	}
	return UserInput{}, false
}

// VideoFastUpdate returns the miscellaneousCommand videoFastUpdatePicture
// that asks the sender of logical channel number for a full picture (a
// keyframe).
func VideoFastUpdate(channel uint16) h245.MultimediaSystemControlMessage {
	return Command(h245.CommandMessage{
		Choice: h245.CommandMessageChoiceMiscellaneousCommand,
		MiscellaneousCommand: &h245.MiscellaneousCommand{
			LogicalChannelNumber: h245.LogicalChannelNumber(channel),
			Type:                 h245.MiscellaneousCommandType{Choice: h245.MiscellaneousCommandTypeChoiceVideoFastUpdatePicture},
		},
	})
}

// ParseVideoFastUpdate returns the logical channel of a
// videoFastUpdatePicture command, and false when msg is another message.
func ParseVideoFastUpdate(msg *h245.MultimediaSystemControlMessage) (uint16, bool) {
	if msg.Choice != h245.MultimediaSystemControlMessageChoiceCommand || msg.Command == nil ||
		msg.Command.Choice != h245.CommandMessageChoiceMiscellaneousCommand || msg.Command.MiscellaneousCommand == nil {
		return 0, false
	}
	mc := msg.Command.MiscellaneousCommand
	if mc.Type.Choice != h245.MiscellaneousCommandTypeChoiceVideoFastUpdatePicture {
		return 0, false
	}
	return uint16(mc.LogicalChannelNumber), true
}
