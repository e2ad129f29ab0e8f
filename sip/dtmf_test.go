package sip

import (
	"errors"
	"testing"

	"github.com/switchyard/switchyard/call"
)

func TestParseINFO(t *testing.T) {
	tests := []struct {
		name     string
		ctype    string
		body     string
		kind     call.EventKind
		digit    byte
		duration uint16
		err      bool
		unsupp   bool
	}{
		{"dtmf-relay", "application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", call.EventDTMF, '5', 160, false, false},
		{"dtmf-relay star", "application/dtmf-relay", "Signal=*\r\nDuration=250", call.EventDTMF, '*', 250, false, false},
		{"dtmf-relay numeric hash", "Application/DTMF-Relay; charset=x", "Signal= 11\nDuration= 100\n", call.EventDTMF, '#', 100, false, false},
		{"dtmf-relay lower letter", "application/dtmf-relay", "signal=b\r\n", call.EventDTMF, 'B', defaultDTMFDuration, false, false},
		{"dtmf-relay flash", "application/dtmf-relay", "Signal=16\r\nDuration=80\r\n", call.EventDTMF, 'F', 80, false, false},
		{"dtmf-relay no signal", "application/dtmf-relay", "Duration=160\r\n", 0, 0, 0, true, false},
		{"dtmf-relay bad digit", "application/dtmf-relay", "Signal=X\r\n", 0, 0, 0, true, false},
		{"dtmf-relay bad duration", "application/dtmf-relay", "Signal=1\r\nDuration=-3\r\n", 0, 0, 0, true, false},
		{"dtmf", "application/dtmf", "9\r\n", call.EventDTMF, '9', defaultDTMFDuration, false, false},
		{"dtmf bad", "application/dtmf", "99", 0, 0, 0, true, false},
		{"picture fast update", "application/media_control+xml", mediaControlPFU, call.EventKeyframeRequest, 0, 0, false, false},
		{"media control other", "application/media_control+xml", "<media_control/>", 0, 0, 0, true, false},
		{"unknown type", "text/plain", "hello", 0, 0, 0, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := parseINFO(tc.ctype, []byte(tc.body))
			if tc.err {
				if err == nil {
					t.Fatalf("no error; event %+v", ev)
				}
				if errors.Is(err, errUnsupportedINFO) != tc.unsupp {
					t.Errorf("unsupported = %v for %v", !tc.unsupp, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ev.Kind != tc.kind || ev.Digit != tc.digit || ev.Duration != tc.duration {
				t.Errorf("got %+v, want kind %s digit %q duration %d", ev, tc.kind, tc.digit, tc.duration)
			}
		})
	}
}

func TestDTMFRelayRoundTrip(t *testing.T) {
	for _, d := range []byte("0123456789*#ABCD") {
		ev, err := parseINFO(ctDTMFRelay, dtmfRelayBody(d, 120))
		if err != nil || ev.Digit != d || ev.Duration != 120 {
			t.Errorf("%q: %+v %v", d, ev, err)
		}
	}
}

func TestParseINFOTooLarge(t *testing.T) {
	body := make([]byte, maxINFOBody+1)
	if _, err := parseINFO(ctDTMF, body); err == nil {
		t.Error("accepted an oversized body")
	}
}
