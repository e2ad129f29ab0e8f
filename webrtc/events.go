package webrtc

import (
	"encoding/json"
	"sync"
)

// eventLogDepth is how many client events a call keeps for clients that
// connect (or reconnect) late; older ones are dropped.
const eventLogDepth = 128

// clientEvent is one event for the web app's event stream.
type clientEvent struct {
	ID   int64
	Type string
	Data []byte // JSON
}

// eventLog holds a call's client events in order and wakes the event
// streams that wait for more. It is closed when the call ends; a stream
// drains what is left and stops.
type eventLog struct {
	mu     sync.Mutex
	events []clientEvent
	next   int64
	wake   chan struct{} // closed and replaced on every change
	closed bool
}

func newEventLog() *eventLog {
	return &eventLog{next: 1, wake: make(chan struct{})}
}

// add appends an event; data is marshalled to JSON. It does nothing once
// the log is closed.
func (l *eventLog) add(typ string, data any) {
	b, err := json.Marshal(data)
	if err != nil {
		b = []byte("{}")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	if len(l.events) == eventLogDepth {
		copy(l.events, l.events[1:])
		l.events = l.events[:eventLogDepth-1]
	}
	l.events = append(l.events, clientEvent{ID: l.next, Type: typ, Data: b})
	l.next++
	close(l.wake)
	l.wake = make(chan struct{})
}

// close ends the log: streams send what is left and finish.
func (l *eventLog) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	l.closed = true
	close(l.wake)
}

// since returns the events after id, a channel that is closed when more
// arrive, and whether the log is closed.
func (l *eventLog) since(id int64) ([]clientEvent, <-chan struct{}, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []clientEvent
	for _, e := range l.events {
		if e.ID > id {
			out = append(out, e)
		}
	}
	return out, l.wake, l.closed
}
