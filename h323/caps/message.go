package caps

import "github.com/switchyard/switchyard/h323/h245"

// Request wraps a request in a MultimediaSystemControlMessage.
func Request(r h245.RequestMessage) h245.MultimediaSystemControlMessage {
	return h245.MultimediaSystemControlMessage{Choice: h245.MultimediaSystemControlMessageChoiceRequest, Request: &r}
}

// Response wraps a response in a MultimediaSystemControlMessage.
func Response(r h245.ResponseMessage) h245.MultimediaSystemControlMessage {
	return h245.MultimediaSystemControlMessage{Choice: h245.MultimediaSystemControlMessageChoiceResponse, Response: &r}
}

// Command wraps a command in a MultimediaSystemControlMessage.
func Command(c h245.CommandMessage) h245.MultimediaSystemControlMessage {
	return h245.MultimediaSystemControlMessage{Choice: h245.MultimediaSystemControlMessageChoiceCommand, Command: &c}
}

// Indication wraps an indication in a MultimediaSystemControlMessage.
func Indication(i h245.IndicationMessage) h245.MultimediaSystemControlMessage {
	return h245.MultimediaSystemControlMessage{Choice: h245.MultimediaSystemControlMessageChoiceIndication, Indication: &i}
}

// EndSession returns the endSessionCommand (disconnect) that closes the
// H.245 session.
func EndSession() h245.MultimediaSystemControlMessage {
	return Command(h245.CommandMessage{
		Choice:            h245.CommandMessageChoiceEndSessionCommand,
		EndSessionCommand: &h245.EndSessionCommand{Choice: h245.EndSessionCommandChoiceDisconnect},
	})
}
