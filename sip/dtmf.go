package sip

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/switchyard/switchyard/call"
)

// SIP INFO bodies that carry DTMF and picture fast update requests.
const (
	ctDTMFRelay    = "application/dtmf-relay"
	ctDTMF         = "application/dtmf"
	ctMediaControl = "application/media_control+xml"
)

// maxINFOBody bounds an INFO body we look into.
const maxINFOBody = 4096

// defaultDTMFDuration is the digit length, in milliseconds, used when the far
// side gives none.
const defaultDTMFDuration = 160

// errUnsupportedINFO reports an INFO body type we do not interpret.
var errUnsupportedINFO = errors.New("unsupported INFO content type")

// mediaControlPFU is the RFC 5168 request for a video keyframe.
const mediaControlPFU = `<?xml version="1.0" encoding="utf-8" ?>` + "\r\n" +
	`<media_control><vc_primitive><to_encoder><picture_fast_update/></to_encoder></vc_primitive></media_control>` + "\r\n"

// parseINFO turns an INFO body into the event it carries: EventDTMF for
// application/dtmf-relay and application/dtmf, EventKeyframeRequest for a
// media_control picture_fast_update. Other types are errUnsupportedINFO.
func parseINFO(contentType string, body []byte) (call.Event, error) {
	if len(body) > maxINFOBody {
		return call.Event{}, fmt.Errorf("INFO body of %d bytes exceeds %d", len(body), maxINFOBody)
	}
	mt, _, _ := strings.Cut(contentType, ";")
	switch strings.ToLower(strings.TrimSpace(mt)) {
	case ctDTMFRelay:
		return parseDTMFRelay(body)
	case ctDTMF:
		d, ok := dtmfDigit(strings.TrimSpace(string(body)))
		if !ok {
			return call.Event{}, fmt.Errorf("application/dtmf body %q is not a digit", truncate(body, 16))
		}
		return call.Event{Kind: call.EventDTMF, Digit: d, Duration: defaultDTMFDuration}, nil
	case ctMediaControl:
		if bytes.Contains(bytes.ToLower(body), []byte("picture_fast_update")) {
			return call.Event{Kind: call.EventKeyframeRequest}, nil
		}
		return call.Event{}, errors.New("media_control body without picture_fast_update")
	}
	return call.Event{}, fmt.Errorf("%w %q", errUnsupportedINFO, truncate([]byte(mt), 64))
}

// parseDTMFRelay reads "Signal=5\r\nDuration=160\r\n".
func parseDTMFRelay(body []byte) (call.Event, error) {
	ev := call.Event{Kind: call.EventDTMF, Duration: defaultDTMFDuration}
	found := false
	for line := range strings.SplitSeq(strings.ReplaceAll(string(body), "\r", "\n"), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		switch k {
		case "signal":
			d, ok := dtmfDigit(v)
			if !ok {
				return call.Event{}, fmt.Errorf("dtmf-relay Signal %q is not a digit", truncate([]byte(v), 16))
			}
			ev.Digit, found = d, true
		case "duration":
			n, err := strconv.ParseUint(v, 10, 16)
			if err != nil {
				return call.Event{}, fmt.Errorf("dtmf-relay Duration %q: %w", truncate([]byte(v), 16), err)
			}
			if n > 0 {
				ev.Duration = uint16(n)
			}
		}
	}
	if !found {
		return call.Event{}, errors.New("dtmf-relay body has no Signal")
	}
	return ev, nil
}

// dtmfDigit reads one digit as INFO bodies write it: the character itself,
// or the RFC 4733 event number 10-16 for * # A B C D and flash.
func dtmfDigit(s string) (byte, bool) {
	if len(s) == 1 {
		d := s[0]
		if d >= 'a' && d <= 'd' {
			d -= 'a' - 'A'
		}
		if call.ValidDTMF(d) {
			return d, true
		}
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 10 || n > 16 {
		return 0, false
	}
	return "*#ABCDF"[n-10], true
}

// dtmfRelayBody renders an application/dtmf-relay body.
func dtmfRelayBody(digit byte, durationMS uint16) []byte {
	if durationMS == 0 {
		durationMS = defaultDTMFDuration
	}
	return []byte("Signal=" + string(digit) + "\r\nDuration=" + strconv.Itoa(int(durationMS)) + "\r\n")
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
	}
	return string(b)
}
