package bridge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/rtpio"
)

// sessionLeg is a fake leg whose tracks are real rtpio sessions.
type sessionLeg struct {
	*fakeLeg
	tracks   map[string]call.Track
	sessions []*rtpio.Session
}

type sessionTrack struct {
	*rtpio.Session
	stream call.Stream
}

func (t sessionTrack) Stream() call.Stream { return t.stream }

// forwardingTrack is a sessionTrack that relays through the session's
// receive engine, as a protocol's track does: it filters out of ForwardRTP
// what it filters out of ReadRTP, here telephone-events (PT 101), which it
// counts.
type forwardingTrack struct {
	sessionTrack
	filtered *atomic.Int64
}

func (t forwardingTrack) RTPSession() *rtpio.Session { return t.Session }

func (t forwardingTrack) ReadRTP(p *rtp.Packet) error {
	for {
		if err := t.Session.ReadRTP(p); err != nil {
			return err
		}
		if p.PayloadType != 101 {
			return nil
		}
		t.filtered.Add(1)
	}
}

func (t forwardingTrack) ForwardRTP(ctx context.Context, dst call.Track, fn func(*rtp.Packet)) error {
	if !rtpio.CanForwardTo(dst) {
		return errors.ErrUnsupported
	}
	return t.Session.Forward(ctx, func(p *rtp.Packet) {
		if p.PayloadType == 101 {
			t.filtered.Add(1)
			return
		}
		fn(p)
	})
}

// newSessionLeg wraps s; with forward set, its track is a forwardingTrack
// counting what it filters in filtered.
func newSessionLeg(id string, s *rtpio.Session, stream call.Stream, forward bool, filtered *atomic.Int64) *sessionLeg {
	var tr call.Track = sessionTrack{s, stream}
	if forward {
		tr = forwardingTrack{sessionTrack{s, stream}, filtered}
	}
	return &sessionLeg{
		fakeLeg:  newFakeLeg(id, stream),
		tracks:   map[string]call.Track{stream.ID: tr},
		sessions: []*rtpio.Session{s},
	}
}

func (l *sessionLeg) Track(id string) (call.Track, bool) {
	t, ok := l.tracks[id]
	return t, ok
}

func (l *sessionLeg) Hangup(ctx context.Context, cause call.Cause) error {
	err := l.fakeLeg.Hangup(ctx, cause)
	for _, s := range l.sessions {
		_ = s.Close()
	}
	return err
}

func (l *sessionLeg) remoteHangup(cause call.Cause) {
	for _, s := range l.sessions {
		_ = s.Close()
	}
	l.fakeLeg.remoteHangup(cause)
}

// TestJoinLoopbackRTPIO sends RTP from a phone over UDP into one leg's
// session, through Join, and out of the other leg's session (SRTP on that
// side) to a second phone, and checks what arrives: with tracks the relay
// reads, and with tracks that forward through rtpio's receive engine and
// filter telephone-events on the way.
func TestJoinLoopbackRTPIO(t *testing.T) {
	for _, forward := range []bool{false, true} {
		t.Run(map[bool]string{false: "read", true: "forward"}[forward], func(t *testing.T) {
			testJoinLoopbackRTPIO(t, forward)
		})
	}
}

func testJoinLoopbackRTPIO(t *testing.T, forward bool) {
	defer checkGoroutines(t)()
	alloc := loopbackAllocator(t)
	open := func() *rtpio.Session {
		s, err := alloc.Open()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	phoneA, gwA, gwB, phoneB := open(), open(), open(), open()
	connect := func(x, y *rtpio.Session) {
		x.SetRemote(y.LocalAddr(), netip.AddrPort{}, false)
		y.SetRemote(x.LocalAddr(), netip.AddrPort{}, false)
	}
	connect(phoneA, gwA)
	connect(gwB, phoneB)
	_, kGW, _ := rtpio.GenerateCrypto(1, rtpio.SuiteAES128SHA1_80)
	_, kPhone, _ := rtpio.GenerateCrypto(1, rtpio.SuiteAES128SHA1_80)
	if err := gwB.SetSRTP(kGW, kPhone); err != nil {
		t.Fatal(err)
	}
	if err := phoneB.SetSRTP(kPhone, kGW); err != nil {
		t.Fatal(err)
	}

	opusA := call.Codec{Name: "OPUS", PayloadType: 111, ClockRate: 48000, Channels: 2}
	opusB := call.Codec{Name: "opus", PayloadType: 96, ClockRate: 48000, Channels: 2}
	var filtered atomic.Int64
	a := newSessionLeg("a", gwA, call.Stream{ID: "0", Role: call.RoleAudio, Codec: opusA}, forward, &filtered)
	b := newSessionLeg("b", gwB, call.Stream{ID: "audio", Role: call.RoleAudio, Codec: opusB}, forward, &filtered)
	res := joinAsync(context.Background(), a, b, JoinOptions{MediaTimeout: 5 * time.Second})

	const n = 50
	got := make(chan []rtp.Packet, 1)
	go func() {
		var out []rtp.Packet
		var p rtp.Packet
		for len(out) < n && phoneB.ReadRTP(&p) == nil {
			out = append(out, *p.Clone())
		}
		got <- out
	}()
	for i := range n {
		p := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111, SequenceNumber: uint16(65500 + i), Timestamp: uint32(960 * i), SSRC: 0xa11ce}, Payload: []byte(fmt.Sprintf("frame %d", i))}
		if err := phoneA.WriteRTP(p); err != nil {
			t.Fatal(err)
		}
		if i == n/2 && forward {
			// A telephone-event: the track takes it, the relay never sees it.
			dtmf := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 101, SequenceNumber: 1, SSRC: 0xa11ce}, Payload: []byte{5, 0x8a, 0, 160}}
			if err := phoneA.WriteRTP(dtmf); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(time.Millisecond)
	}
	var pkts []rtp.Packet
	select {
	case pkts = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("phone B did not receive the packets")
	}
	ssrc := pkts[0].SSRC
	for i, p := range pkts {
		if p.PayloadType != 96 || p.SSRC != ssrc || p.SequenceNumber != uint16(65500+i) || p.Timestamp != uint32(960*i) ||
			!bytes.Equal(p.Payload, []byte(fmt.Sprintf("frame %d", i))) {
			t.Fatalf("packet %d arrived as %v %q", i, p.Header, p.Payload)
		}
	}
	if ssrc == 0xa11ce {
		t.Error("SSRC not rewritten")
	}
	// And back: phone B to phone A, PT 96 becomes 111.
	if err := phoneB.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: 1, SSRC: 0xb0b}, Payload: []byte("hi")}); err != nil {
		t.Fatal(err)
	}
	back := make(chan rtp.Packet, 1)
	go func() {
		var p rtp.Packet
		if phoneA.ReadRTP(&p) == nil {
			back <- *p.Clone()
		}
	}()
	select {
	case p := <-back:
		if p.PayloadType != 111 || string(p.Payload) != "hi" {
			t.Fatalf("B to A arrived as %v %q", p.Header, p.Payload)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("phone A received nothing")
	}
	if st := gwB.Stats(); st.PacketsSent != n || st.AuthFailures != 0 {
		t.Errorf("gateway B session stats %+v", st)
	}

	a.remoteHangup(call.RemoteHangup)
	r := waitResult(t, res)
	if r.Cause != call.RemoteHangup || r.EndedBy != "a" {
		t.Errorf("result %+v", r)
	}
	for _, s := range r.Streams {
		if s.From == "a" && (s.Packets != n || s.Path != PathRelay || s.Dropped != 0) {
			t.Errorf("a to b stream %+v", s)
		}
	}
	if want := map[bool]int64{false: 0, true: 1}[forward]; filtered.Load() != want {
		t.Errorf("the track filtered %d telephone-events, want %d", filtered.Load(), want)
	}
	_ = phoneA.Close()
	_ = phoneB.Close()
}

// loopbackAllocator returns an rtpio allocator on 127.0.0.1 over a random
// range that is free now.
func loopbackAllocator(tb testing.TB) *rtpio.Allocator {
	tb.Helper()
	for range 50 {
		first := 20000 + 2*rand.IntN(15000)
		free := true
		for p := first; p < first+16 && free; p++ {
			c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: p})
			if err != nil {
				free = false
				continue
			}
			_ = c.Close()
		}
		if !free {
			continue
		}
		a, err := rtpio.NewAllocator(rtpio.Config{RTPPorts: fmt.Sprintf("%d-%d", first, first+15), BindIP: "127.0.0.1"})
		if err != nil {
			tb.Fatal(err)
		}
		return a
	}
	tb.Fatal("no free port range on 127.0.0.1")
	return nil
}
