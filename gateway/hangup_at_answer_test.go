package gateway

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchyard/switchyard/call"
)

// byeAtAnswer is a caller whose BYE crosses our 200 OK: answering fails,
// and the leg already reports why it ended while its Done channel is still
// open (a SIP leg closes Done only after its media sockets).
type byeAtAnswer struct{ *fakeLeg }

func (l byeAtAnswer) Accept(context.Context, []call.Stream) error {
	return errors.New("sip: leg ended")
}

func (l byeAtAnswer) Err() error {
	return call.Errorf(call.RemoteHangup, "the far side sent BYE")
}

// TestFlowCallerHangsUpAtAnswer: the call record blames the caller, with
// its cause, not the gateway with internal.
func TestFlowCallerHangsUpAtAnswer(t *testing.T) {
	d := &fakeDialer{legs: make(chan *fakeLeg, 1)}
	g, _ := newTestGateway(t, flowConfig)
	g.Register(call.ProtocolSIP, nil, d)
	records := make(chan Record, 1)
	g.OnRecord(func(r Record) { records <- r })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in := newFakeLeg("in", call.Inbound, nil)
	in.inc, in.offer = sipIncoming("1234"), pcmuOffer
	g.accept(ctx)(byeAtAnswer{in})
	out := <-d.legs
	var rec Record
	select {
	case rec = <-records:
	case <-time.After(10 * time.Second):
		t.Fatal("no call record")
	}
	if rec.Cause != call.RemoteHangup.String() || rec.EndedBy != "in" {
		t.Errorf("record: cause %q ended by %q (%s), want %s ended by the caller", rec.Cause, rec.EndedBy, rec.Detail, call.RemoteHangup)
	}
	if out.Err() == nil {
		t.Error("the far side was not hung up")
	}
}
