package service

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
)

func TestEchoAnswersOfferAndLoops(t *testing.T) {
	offer := call.Offer{Streams: []call.StreamOffer{
		{ID: "a", Role: call.RoleAudio, Codecs: []call.Codec{{Name: "telephone-event", PayloadType: 101, ClockRate: 8000},
			{Name: "OPUS", PayloadType: 111, ClockRate: 48000, Channels: 2}, {Name: "PCMU", ClockRate: 8000}}},
		{ID: "v", Role: call.RoleVideo, Codecs: []call.Codec{{Name: "VP8", PayloadType: 96, ClockRate: 90000}}},
		{ID: "bfcp", Role: call.RoleContent, Disabled: true},
		{ID: "fecc", Role: call.RoleFECC, Codecs: []call.Codec{{Name: "H224", PayloadType: 100, ClockRate: 4800}}},
	}}
	e := NewEcho("echo-1", offer)
	st := e.Streams()
	if len(st) != 2 || st[0].Codec.Name != "OPUS" || st[1].Codec.Name != "VP8" {
		t.Fatalf("echo streams = %+v", st)
	}
	tr, ok := e.Track("a")
	if !ok {
		t.Fatal("no audio track")
	}
	for i := range 3 {
		p := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111, SequenceNumber: uint16(i), SSRC: 5}, Payload: []byte{byte(i), 2, 3}}
		if err := tr.WriteRTP(p); err != nil {
			t.Fatal(err)
		}
	}
	var got rtp.Packet
	for i := range 3 {
		if err := tr.ReadRTP(&got); err != nil {
			t.Fatal(err)
		}
		if got.SequenceNumber != uint16(i) || got.Payload[0] != byte(i) || len(got.Payload) != 3 {
			t.Fatalf("packet %d came back as seq %d payload %v", i, got.SequenceNumber, got.Payload)
		}
	}

	if err := e.Send(context.Background(), call.Event{Kind: call.EventKeyframeRequest, Stream: "v"}); err != nil {
		t.Fatal(err)
	}
	if ev := <-e.Events(); ev.Kind != call.EventKeyframeRequest || ev.Stream != "v" {
		t.Fatalf("reflected event %+v", ev)
	}

	done := make(chan error, 1)
	go func() { done <- tr.ReadRTP(&got) }()
	time.Sleep(10 * time.Millisecond)
	_ = e.Hangup(context.Background(), call.LocalHangup)
	select {
	case err := <-done:
		if !errors.Is(err, ErrEnded) {
			t.Fatalf("ReadRTP after hangup = %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("ReadRTP did not return after hangup")
	}
	if call.CauseOf(e.Err()) != call.LocalHangup {
		t.Errorf("Err = %v", e.Err())
	}
	if _, open := <-e.Events(); open {
		t.Error("events channel still open after hangup")
	}
	_ = e.Hangup(context.Background(), call.Internal) // idempotent
}

func TestEchoDropsWhenFullWithoutBlocking(t *testing.T) {
	e := NewEcho("e", call.Offer{})
	if len(e.Streams()) != 2 {
		t.Fatalf("default offer gave %+v", e.Streams())
	}
	tr, _ := e.Track("0")
	p := &rtp.Packet{Header: rtp.Header{Version: 2}, Payload: make([]byte, 160)}
	for range loopDepth * 2 {
		if err := tr.WriteRTP(p); err != nil {
			t.Fatal(err)
		}
	}
	big := &rtp.Packet{Payload: make([]byte, 4000)}
	if err := tr.WriteRTP(big); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkEchoLoop(b *testing.B) {
	e := NewEcho("e", call.Offer{})
	tr, _ := e.Track("0")
	p := &rtp.Packet{Header: rtp.Header{Version: 2}, Payload: make([]byte, 160)}
	var got rtp.Packet
	b.ReportAllocs()
	for b.Loop() {
		_ = tr.WriteRTP(p)
		_ = tr.ReadRTP(&got)
	}
}
