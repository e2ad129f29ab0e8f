package rtpio

import (
	"bytes"
	"errors"
	"testing"
)

func TestDTMFRoundTrip(t *testing.T) {
	tests := []struct {
		ev   DTMFEvent
		wire []byte
	}{
		{DTMFEvent{Digit: '0', Volume: 10, Duration: 160}, []byte{0, 10, 0, 160}},
		{DTMFEvent{Digit: '9', End: true, Volume: 10, Duration: 1280}, []byte{9, 0x8a, 0x05, 0x00}},
		{DTMFEvent{Digit: '*', Duration: 0xffff}, []byte{10, 0, 0xff, 0xff}},
		{DTMFEvent{Digit: '#', Volume: 63}, []byte{11, 63, 0, 0}},
		{DTMFEvent{Digit: 'A'}, []byte{12, 0, 0, 0}},
		{DTMFEvent{Digit: 'D', End: true}, []byte{15, 0x80, 0, 0}},
		{DTMFEvent{Digit: 'F', Duration: 800}, []byte{16, 0, 3, 32}},
	}
	for _, tt := range tests {
		got := AppendDTMF([]byte{0xee}, tt.ev)
		if !bytes.Equal(got[1:], tt.wire) || got[0] != 0xee {
			t.Errorf("AppendDTMF(%+v) = % x, want ee % x", tt.ev, got, tt.wire)
		}
		back, err := ParseDTMF(tt.wire)
		if err != nil || back != tt.ev {
			t.Errorf("ParseDTMF(% x) = %+v, %v; want %+v", tt.wire, back, err, tt.ev)
		}
	}
}

func TestDTMFEdges(t *testing.T) {
	if got := AppendDTMF(nil, DTMFEvent{Digit: 'x'}); len(got) != 0 {
		t.Errorf("invalid digit appended % x", got)
	}
	if got := AppendDTMF(nil, DTMFEvent{Digit: 'b', Volume: 200}); !bytes.Equal(got, []byte{13, 63, 0, 0}) {
		t.Errorf("lower-case digit, loud volume: % x", got)
	}
	// The R bit is ignored; extra bytes after the first event are ignored.
	if ev, err := ParseDTMF([]byte{5, 0x40 | 7, 0, 80, 1, 2, 3, 4}); err != nil || ev != (DTMFEvent{Digit: '5', Volume: 7, Duration: 80}) {
		t.Errorf("ParseDTMF with R bit: %+v %v", ev, err)
	}
	if _, err := ParseDTMF([]byte{1, 2, 3}); err == nil {
		t.Error("short payload accepted")
	}
	if _, err := ParseDTMF([]byte{17, 0, 0, 0}); !errors.Is(err, ErrDTMFEvent) {
		t.Errorf("event 17: %v, want ErrDTMFEvent", err)
	}
}
