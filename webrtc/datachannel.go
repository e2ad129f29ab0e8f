package webrtc

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/pion/webrtc/v4"

	"github.com/switchyard/switchyard/call"
)

// dataChannelLabel is the label of the data channel the web app opens.
// Other channels are ignored.
const dataChannelLabel = "switchyard"

// Limits on what a client may send in one message.
const (
	maxDigits       = 32
	maxChatBytes    = 4096
	maxClientMsg    = 8192
	dtmfDurationMS  = 100
	clientMsgDigits = "0123456789*#ABCD"
)

// clientMessage is what the web app sends over the data channel or the
// signalling API: {"type":"dtmf","digits":"123#"}, {"type":"chat","text":
// "hi"}, {"type":"content","active":true}, {"type":"hangup"}.
type clientMessage struct {
	Type   string `json:"type"`
	Digits string `json:"digits,omitempty"`
	Text   string `json:"text,omitempty"`
	Active *bool  `json:"active,omitempty"`
}

// serverMessage is what the leg sends the client over the data channel.
type serverMessage struct {
	Type     string `json:"type"`
	Digit    string `json:"digit,omitempty"`
	Duration uint16 `json:"duration,omitempty"`
	Text     string `json:"text,omitempty"`
	Active   *bool  `json:"active,omitempty"`
	Cause    string `json:"cause,omitempty"`
	Message  string `json:"message,omitempty"`
}

// errBadMessage wraps what is wrong with a client message (HTTP 400).
var errBadMessage = errors.New("bad message")

// parseClientMessage decodes and checks one client message.
func parseClientMessage(b []byte) (clientMessage, error) {
	var m clientMessage
	if len(b) > maxClientMsg {
		return m, fmt.Errorf("%w: longer than %d bytes", errBadMessage, maxClientMsg)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%w: %v", errBadMessage, err)
	}
	return m, m.check()
}

func (m *clientMessage) check() error {
	switch m.Type {
	case "dtmf":
		m.Digits = strings.ToUpper(m.Digits)
		if m.Digits == "" || len(m.Digits) > maxDigits {
			return fmt.Errorf("%w: digits must hold 1 to %d characters", errBadMessage, maxDigits)
		}
		for i := range len(m.Digits) {
			if !strings.ContainsRune(clientMsgDigits, rune(m.Digits[i])) {
				return fmt.Errorf("%w: %q is not a DTMF digit (0-9 * # A-D)", errBadMessage, m.Digits[i])
			}
		}
	case "chat":
		if m.Text == "" || len(m.Text) > maxChatBytes || !utf8.ValidString(m.Text) {
			return fmt.Errorf("%w: text must be 1 to %d bytes of UTF-8", errBadMessage, maxChatBytes)
		}
	case "content":
		if m.Active == nil {
			return fmt.Errorf("%w: content needs active true or false", errBadMessage)
		}
	case "hangup":
	default:
		return fmt.Errorf("%w: unknown type %q (want dtmf, chat, content or hangup)", errBadMessage, m.Type)
	}
	return nil
}

// onClientMessage acts on a checked client message.
func (l *leg) onClientMessage(m clientMessage) {
	switch m.Type {
	case "dtmf":
		id := l.streamOfRole(call.RoleAudio)
		for i := range len(m.Digits) {
			l.emit(call.Event{Kind: call.EventDTMF, Stream: id, Digit: m.Digits[i], Duration: dtmfDurationMS})
		}
	case "chat":
		l.emit(call.Event{Kind: call.EventChat, Text: m.Text})
	case "content":
		kind := call.EventFloorReleased
		if *m.Active {
			kind = call.EventFloorRequest
		}
		l.emit(call.Event{Kind: kind, Stream: l.streamOfRole(call.RoleContent)})
	case "hangup":
		// Ending closes the data channel this may run on: not here.
		go l.end(call.RemoteHangup, reasonClientHangup, "the client hung up", true)
	}
}

// streamOfRole is the ID of the leg's first stream of a role, or "".
func (l *leg) streamOfRole(r call.Role) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.streams {
		if s.Role == r {
			return s.ID
		}
	}
	return ""
}

// attachDataChannel takes the client's data channel.
func (l *leg) attachDataChannel(dc *webrtc.DataChannel) {
	l.mu.Lock()
	if l.state == stateEnded {
		l.mu.Unlock()
		return
	}
	l.dc = dc
	l.mu.Unlock()
	dc.OnMessage(func(msg webrtc.DataChannelMessage) {
		m, err := parseClientMessage(msg.Data)
		if err != nil {
			l.log.Debug("webrtc: bad data channel message", "err", err)
			return
		}
		l.onClientMessage(m)
	})
}

// sendClientMessage writes one message to the data channel.
func sendClientMessage(dc *webrtc.DataChannel, m serverMessage) error {
	if dc == nil || dc.ReadyState() != webrtc.DataChannelStateOpen {
		return errors.New("the data channel is not open")
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return dc.SendText(string(b))
}

// notify tells the client something: over the data channel when it is
// open, else on the web app's event stream.
func (l *leg) notify(m serverMessage) {
	l.mu.Lock()
	dc := l.dc
	l.mu.Unlock()
	if sendClientMessage(dc, m) == nil {
		return
	}
	if l.client != nil {
		l.client.add(m.Type, m)
	}
}
