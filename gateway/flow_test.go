package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
)

const flowConfig = `
api: {listen: ""}
gateway: {shutdown_grace: 1s}
dialplan:
  rules:
    - name: primary
      priority: 10
      match: '(\d{4})'
      replace: 'sip:$1@primary.example.com'
      target: sip
      on_failure: continue
    - name: backup
      priority: 20
      match: '(\d{4})'
      replace: 'sip:$1@backup.example.com'
      target: sip
    - name: audio-only
      priority: 30
      match: 'a(\d+)'
      replace: 'sip:$1@primary.example.com'
      target: sip
      call_type: audio
`

var pcmuOffer = call.Offer{Streams: []call.StreamOffer{
	{ID: "0", Role: call.RoleAudio, Codecs: []call.Codec{{Name: "PCMU", PayloadType: 0, ClockRate: 8000}}},
	{ID: "1", Role: call.RoleVideo, Codecs: []call.Codec{{Name: "H264", PayloadType: 109, ClockRate: 90000, FMTP: "packetization-mode=1"}}},
}}

// startFlow runs a gateway with a fake SIP dialer and returns a function
// that places an inbound call and waits for its record.
func startFlow(t *testing.T, d *fakeDialer) (*Gateway, func(*fakeLeg) Record) {
	t.Helper()
	g, _ := newTestGateway(t, flowConfig)
	g.Register(call.ProtocolSIP, nil, d)
	records := make(chan Record, 4)
	g.OnRecord(func(r Record) { records <- r })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	accept := g.accept(ctx)
	return g, func(in *fakeLeg) Record {
		accept(in)
		select {
		case r := <-records:
			return r
		case <-time.After(10 * time.Second):
			t.Fatal("no call record")
			return Record{}
		}
	}
}

func TestFlowBridgesAndRecords(t *testing.T) {
	d := &fakeDialer{legs: make(chan *fakeLeg, 1)}
	_, place := startFlow(t, d)
	in := newFakeLeg("in", call.Inbound, []call.Stream{
		{ID: "0", Role: call.RoleAudio, Codec: pcmuOffer.Streams[0].Codecs[0]},
		{ID: "1", Role: call.RoleVideo, Codec: pcmuOffer.Streams[1].Codecs[0]}})
	in.inc, in.offer = sipIncoming("1234"), pcmuOffer

	recc := make(chan Record, 1)
	go func() { recc <- place(in) }()
	out := <-d.legs
	<-in.answered
	in.mu.Lock()
	accepted := in.accepted
	in.mu.Unlock()
	if len(accepted) != 2 || accepted[0].Codec.PayloadType != 0 || accepted[1].Codec.PayloadType != 109 {
		t.Fatalf("caller answered with %+v (want its own payload types)", accepted)
	}

	// A packet from the caller reaches the callee rewritten to the callee's payload type.
	in.tracks["0"].in <- rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SSRC: 1, SequenceNumber: 7}, Payload: []byte{1, 2}}
	select {
	case p := <-out.tracks["out-0"].out:
		if p.PayloadType != 100 || p.Payload[1] != 2 {
			t.Errorf("callee got %+v", p.Header)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no media relayed")
	}

	out.end(call.RemoteHangup)
	out.events <- call.Event{Kind: call.EventHangup, Cause: call.RemoteHangup}
	rec := <-recc
	if rec.Rule != "primary" || rec.Cause != "remote_hangup" || len(rec.Legs) != 2 || rec.Answered.IsZero() {
		t.Errorf("record = %+v", rec)
	}
	if rec.Transformed != "sip:1234@primary.example.com" {
		t.Errorf("transformed = %q", rec.Transformed)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.hungUp != call.RemoteHangup {
		t.Errorf("caller leg ended with %v, want remote_hangup", in.hungUp)
	}
	if in.rang == 0 {
		t.Error("ringing was not passed to the caller")
	}
}

func TestFlowFallbackAndFailureCauses(t *testing.T) {
	// The primary destination is busy: the continue rule falls back to backup.
	d := &fakeDialer{legs: make(chan *fakeLeg, 1), fail: map[string]call.Cause{"sip:1234@primary.example.com": call.Busy}}
	_, place := startFlow(t, d)
	in := newFakeLeg("in", call.Inbound, nil)
	in.inc, in.offer = sipIncoming("1234"), pcmuOffer
	recc := make(chan Record, 1)
	go func() { recc <- place(in) }()
	out := <-d.legs
	<-in.answered
	out.end(call.RemoteHangup)
	out.events <- call.Event{Kind: call.EventHangup, Cause: call.RemoteHangup}
	rec := <-recc
	if rec.Rule != "backup" || rec.Attempts != 2 {
		t.Errorf("fallback record = %+v", rec)
	}

	// Both fail: the caller gets the last failure's cause.
	d.fail["sip:1234@backup.example.com"] = call.NotFound
	in2 := newFakeLeg("in2", call.Inbound, nil)
	in2.inc, in2.offer = sipIncoming("1234"), pcmuOffer
	rec = place(in2)
	if in2.rejected != call.NotFound || rec.Cause != "not_found" {
		t.Errorf("caller rejected with %v, record cause %q", in2.rejected, rec.Cause)
	}

	// No rule: no_route, and nothing is dialed.
	before := len(d.targets)
	in3 := newFakeLeg("in3", call.Inbound, nil)
	in3.inc, in3.offer = sipIncoming("nobody"), pcmuOffer
	rec = place(in3)
	if in3.rejected != call.NoRoute || len(d.targets) != before || !strings.Contains(rec.Detail, "nobody") {
		t.Errorf("no route: rejected %v, dialed %d, record %+v", in3.rejected, len(d.targets)-before, rec)
	}
}

func TestFlowPolicyShapesOfferAndTarget(t *testing.T) {
	d := &fakeDialer{legs: make(chan *fakeLeg, 1), fail: map[string]call.Cause{"sip:99@primary.example.com": call.Rejected}}
	_, place := startFlow(t, d)
	in := newFakeLeg("in", call.Inbound, nil)
	in.inc, in.offer = sipIncoming("a99"), pcmuOffer
	place(in)
	if len(d.targets) != 1 {
		t.Fatalf("targets = %+v", d.targets)
	}
	tg := d.targets[0]
	if !tg.AudioOnly || tg.Content || tg.Host != "primary.example.com" || tg.Caller != "sip:alice@192.0.2.1" {
		t.Errorf("target = %+v", tg)
	}
	if in.rejected != call.Rejected {
		t.Errorf("caller rejected with %v, want rejected", in.rejected)
	}
}

func TestFlowEchoAndAdmission(t *testing.T) {
	d := &fakeDialer{legs: make(chan *fakeLeg, 1)}
	g, place := startFlow(t, d)
	in := newFakeLeg("in", call.Inbound, []call.Stream{{ID: "0", Role: call.RoleAudio, Codec: pcmuOffer.Streams[0].Codecs[0]}})
	in.inc, in.offer = sipIncoming("echo"), pcmuOffer
	recc := make(chan Record, 1)
	go func() { recc <- place(in) }()
	<-in.answered
	in.tracks["0"].in <- rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SSRC: 1, SequenceNumber: 1}, Payload: []byte{9}}
	select {
	case p := <-in.tracks["0"].out:
		if p.Payload[0] != 9 {
			t.Errorf("echo returned %v", p.Payload)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("echo returned nothing")
	}
	if g.Status().Calls != 1 {
		t.Errorf("calls in progress = %d", g.Status().Calls)
	}
	in.end(call.RemoteHangup)
	in.events <- call.Event{Kind: call.EventHangup, Cause: call.RemoteHangup}
	rec := <-recc
	if rec.Service != "echo" || rec.Cause != "remote_hangup" {
		t.Errorf("echo record = %+v", rec)
	}
	if g.Status().Calls != 0 {
		t.Errorf("call slot not released: %d", g.Status().Calls)
	}
}

func TestRecordsAreJSONLines(t *testing.T) {
	path := t.TempDir() + "/sy.yaml"
	writeConfig(t, path, flowConfig)
	var buf syncBuffer
	g, err := New(Options{ConfigPath: path, Records: &buf})
	if err != nil {
		t.Fatal(err)
	}
	in := newFakeLeg("in", call.Inbound, nil)
	in.inc, in.offer = sipIncoming("nobody"), pcmuOffer
	g.handleInbound(context.Background(), in)
	var rec struct {
		Type, Cause, Dialed string
		Legs                []LegRecord
	}
	line := strings.TrimSpace(buf.String())
	if strings.Count(line, "\n") != 0 {
		t.Fatalf("want one line, got %q", line)
	}
	if err := json.Unmarshal([]byte(line), &rec); err != nil {
		t.Fatalf("record is not JSON: %v\n%s", err, line)
	}
	if rec.Type != "call_record" || rec.Cause != "no_route" || rec.Dialed != "nobody" || len(rec.Legs) != 1 {
		t.Errorf("record = %+v", rec)
	}
}

// syncBuffer is a bytes.Buffer safe for the gateway's writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestFlowCallerHangsUpWhileDialing: a caller who gives up while the far side
// rings cancels the outbound attempt, and the record says the caller ended it.
func TestFlowCallerHangsUpWhileDialing(t *testing.T) {
	d := &fakeDialer{legs: make(chan *fakeLeg, 1), block: true, canceled: make(chan struct{})}
	_, place := startFlow(t, d)
	in := newFakeLeg("in", call.Inbound, nil)
	in.inc, in.offer = sipIncoming("1234"), pcmuOffer
	recc := make(chan Record, 1)
	go func() { recc <- place(in) }()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		in.mu.Lock()
		rang := in.rang
		in.mu.Unlock()
		if rang > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("dial never started")
		}
	}
	in.end(call.LocalHangup) // the caller sends CANCEL
	select {
	case <-d.canceled:
	case <-time.After(5 * time.Second):
		t.Fatal("the outbound dial was not cancelled")
	}
	rec := <-recc
	if rec.Cause != "local_hangup" || rec.EndedBy != "in" || rec.Attempts != 1 {
		t.Errorf("record = %+v", rec)
	}
}

// TestFlowTranscodeCapacity: when the far side answers with codecs the caller
// lacks, the call needs transcoders; with none free it is refused with the
// capacity cause before the caller is answered, and the far side is hung up.
func TestFlowTranscodeCapacity(t *testing.T) {
	path := t.TempDir() + "/sy.yaml"
	writeConfig(t, path, flowConfig+"transcode: {max_audio: 0, max_video: 0}\n")
	g, err := New(Options{ConfigPath: path})
	if err != nil {
		t.Fatal(err)
	}
	d := &fakeDialer{legs: make(chan *fakeLeg, 1), pickLast: true}
	g.Register(call.ProtocolSIP, nil, d)
	audioOnly := call.Offer{Streams: pcmuOffer.Streams[:1]}
	in := newFakeLeg("in", call.Inbound, nil)
	in.inc, in.offer = sipIncoming("1234"), audioOnly
	done := make(chan struct{})
	go func() { g.handleInbound(context.Background(), in); close(done) }()
	out := <-d.legs
	<-done
	if out.Streams()[0].Codec.SameFormat(pcmuOffer.Streams[0].Codecs[0]) {
		t.Fatalf("the outbound offer was not extended with transcodable codecs: far side chose %v", out.Streams()[0].Codec)
	}
	if in.rejected != call.Capacity {
		t.Errorf("caller rejected with %v, want capacity", in.rejected)
	}
	if out.hungUp != call.Capacity {
		t.Errorf("far side hung up with %v, want capacity", out.hungUp)
	}
	if len(d.targets) != 1 {
		t.Errorf("dialed %d times", len(d.targets))
	}
}

// TestFlowTranscodes: the far side picks a codec the caller does not have,
// the caller is answered with its own codec, and the bridge transcodes.
func TestFlowTranscodes(t *testing.T) {
	d := &fakeDialer{legs: make(chan *fakeLeg, 1), pickLast: true}
	_, place := startFlow(t, d)
	audioOnly := call.Offer{Streams: pcmuOffer.Streams[:1]}
	in := newFakeLeg("in", call.Inbound, []call.Stream{{ID: "0", Role: call.RoleAudio, Codec: audioOnly.Streams[0].Codecs[0]}})
	in.inc, in.offer = sipIncoming("1234"), audioOnly
	recc := make(chan Record, 1)
	go func() { recc <- place(in) }()
	out := <-d.legs
	<-in.answered
	far := out.Streams()[0].Codec
	if far.SameFormat(audioOnly.Streams[0].Codecs[0]) {
		t.Fatalf("far side chose the caller's codec %v; nothing to transcode", far)
	}
	payload := make([]byte, 160)
	for i := range payload {
		payload[i] = 0xff // µ-law silence
	}
	got := 0
	deadline := time.After(10 * time.Second)
	for i := 0; got < 5; i++ {
		if i < 200 {
			in.tracks["0"].in <- rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SSRC: 1,
				SequenceNumber: uint16(i), Timestamp: uint32(i) * 160}, Payload: payload}
		}
		select {
		case p := <-out.tracks["out-0"].out:
			if p.PayloadType != far.PayloadType {
				t.Fatalf("far side got payload type %d, want %d (%v)", p.PayloadType, far.PayloadType, far)
			}
			got++
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("no transcoded packets reached the far side (%v)", far)
		}
	}
	out.end(call.RemoteHangup)
	out.events <- call.Event{Kind: call.EventHangup, Cause: call.RemoteHangup}
	rec := <-recc
	var paths []string
	for _, s := range rec.Streams {
		paths = append(paths, s.Path)
	}
	if !strings.Contains(strings.Join(paths, ","), "transcode") {
		t.Errorf("record streams = %+v, want a transcode path", rec.Streams)
	}
}
