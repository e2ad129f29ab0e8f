package caps

import (
	"fmt"

	"github.com/switchyard/switchyard/h323/h245"
)

// TerminalType is the H.245 terminalType of master/slave determination:
// the values of H.323 Table 1 (entity type and whether it holds an MC and
// MPs). The larger value becomes master.
type TerminalType uint8

// Terminal types of H.323 Table 1.
const (
	TerminalOnly          TerminalType = 50
	TerminalWithMC        TerminalType = 70
	GatewayOnly           TerminalType = 60
	GatewayWithMC         TerminalType = 80
	GatewayWithMCDataMP   TerminalType = 90
	GatewayWithMCAudioMP  TerminalType = 100
	GatewayWithMCAVMP     TerminalType = 110
	GatekeeperOnly        TerminalType = 120
	GatekeeperWithDataMP  TerminalType = 130
	GatekeeperWithAudioMP TerminalType = 140
	GatekeeperWithAVMP    TerminalType = 150
	MCUOnly               TerminalType = 160
	MCUWithDataMP         TerminalType = 170
	MCUWithAudioMP        TerminalType = 180
	MCUWithAVMP           TerminalType = 190
)

// maxStatusDeterminationNumber bounds the random number of H.245 C.2
// (24 bits).
const maxStatusDeterminationNumber = 1<<24 - 1

// Uint32Source supplies random numbers; math/rand/v2's *Rand and
// *ChaCha8 satisfy it. Master/slave determination draws from the caller's
// source so that tests are repeatable and production can use a
// cryptographic one.
type Uint32Source interface {
	Uint32() uint32
}

// MSD is a MasterSlaveDetermination request.
type MSD struct {
	TerminalType TerminalType
	// Number is the statusDeterminationNumber, 0..2^24-1.
	Number uint32
}

// NewMSD draws a statusDeterminationNumber from rnd.
func NewMSD(t TerminalType, rnd Uint32Source) MSD {
	return MSD{TerminalType: t, Number: rnd.Uint32() & maxStatusDeterminationNumber}
}

// Message returns the masterSlaveDetermination request.
func (m MSD) Message() (h245.MultimediaSystemControlMessage, error) {
	if m.Number > maxStatusDeterminationNumber {
		return h245.MultimediaSystemControlMessage{}, fmt.Errorf("%w: statusDeterminationNumber %d (24 bits)", ErrInvalid, m.Number)
	}
	return Request(h245.RequestMessage{
		Choice: h245.RequestMessageChoiceMasterSlaveDetermination,
		MasterSlaveDetermination: &h245.MasterSlaveDetermination{
			TerminalType:              uint8(m.TerminalType),
			StatusDeterminationNumber: m.Number,
		},
	}), nil
}

// ParseMSD returns the MasterSlaveDetermination of a message, and false
// when it is another message.
func ParseMSD(msg *h245.MultimediaSystemControlMessage) (MSD, bool) {
	if msg.Choice != h245.MultimediaSystemControlMessageChoiceRequest || msg.Request == nil ||
		msg.Request.Choice != h245.RequestMessageChoiceMasterSlaveDetermination || msg.Request.MasterSlaveDetermination == nil {
		return MSD{}, false
	}
	m := msg.Request.MasterSlaveDetermination
	return MSD{TerminalType: TerminalType(m.TerminalType), Number: m.StatusDeterminationNumber}, true
}

// Decision is the outcome of master/slave determination for the local
// terminal.
type Decision uint8

// Outcomes of H.245 C.2: Indeterminate means both sides drew numbers that
// cannot be ordered and determination must be repeated.
const (
	Indeterminate Decision = iota
	Master
	Slave
)

// String returns "master", "slave" or "indeterminate".
func (d Decision) String() string {
	switch d {
	case Master:
		return "master"
	case Slave:
		return "slave"
	}
	return "indeterminate"
}

// Decide applies H.245 C.2.1.3: the larger terminal type is master; with
// equal types, the difference of the status determination numbers modulo
// 2^24 decides (0 and 2^23 are indeterminate).
func Decide(local, remote MSD) Decision {
	switch {
	case local.TerminalType > remote.TerminalType:
		return Master
	case local.TerminalType < remote.TerminalType:
		return Slave
	}
	diff := (remote.Number - local.Number) & maxStatusDeterminationNumber
	switch {
	case diff == 0 || diff == 1<<23:
		return Indeterminate
	case diff < 1<<23:
		return Master
	}
	return Slave
}

// MSDAck returns the masterSlaveDeterminationAck carrying the decision for
// the remote terminal: a terminal that found itself master acknowledges
// with "slave".
func MSDAck(remote Decision) (h245.MultimediaSystemControlMessage, error) {
	var c h245.MasterSlaveDeterminationAckDecisionChoice
	switch remote {
	case Master:
		c = h245.MasterSlaveDeterminationAckDecisionChoiceMaster
	case Slave:
		c = h245.MasterSlaveDeterminationAckDecisionChoiceSlave
	default:
		return h245.MultimediaSystemControlMessage{}, fmt.Errorf("%w: acknowledge an indeterminate decision", ErrInvalid)
	}
	return Response(h245.ResponseMessage{
		Choice:                      h245.ResponseMessageChoiceMasterSlaveDeterminationAck,
		MasterSlaveDeterminationAck: &h245.MasterSlaveDeterminationAck{Decision: h245.MasterSlaveDeterminationAckDecision{Choice: c}},
	}), nil
}

// ParseMSDAck returns the decision a masterSlaveDeterminationAck gives the
// terminal that receives it, and false when msg is another message.
func ParseMSDAck(msg *h245.MultimediaSystemControlMessage) (Decision, bool) {
	if msg.Choice != h245.MultimediaSystemControlMessageChoiceResponse || msg.Response == nil ||
		msg.Response.Choice != h245.ResponseMessageChoiceMasterSlaveDeterminationAck || msg.Response.MasterSlaveDeterminationAck == nil {
		return Indeterminate, false
	}
	switch msg.Response.MasterSlaveDeterminationAck.Decision.Choice {
	case h245.MasterSlaveDeterminationAckDecisionChoiceMaster:
		return Master, true
	case h245.MasterSlaveDeterminationAckDecisionChoiceSlave:
		return Slave, true
	}
	return Indeterminate, true
}
