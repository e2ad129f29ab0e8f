package wirecheck

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchyard/switchyard/h323/caps"
	"github.com/switchyard/switchyard/h323/h225"
	"github.com/switchyard/switchyard/h323/h245"
	"github.com/switchyard/switchyard/h323/q931"
	"github.com/switchyard/switchyard/h323/tpkt"
	"github.com/switchyard/switchyard/internal/pcap"
)

// capture writes the scenario's messages into a pcap and remembers which
// frame carries which message.
type capture struct {
	w      *pcap.Writer
	buf    bytes.Buffer
	t      time.Time
	frames int
	// frame maps a message name to its frame number (1-based).
	frame map[string]int
	order []string
}

func newCapture(t testing.TB) *capture {
	t.Helper()
	c := &capture{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), frame: map[string]int{}}
	w, err := pcap.NewWriter(&c.buf, pcap.LinkEthernet)
	if err != nil {
		t.Fatal(err)
	}
	w.SegmentSize = 32000 // one message, one frame
	c.w = w
	return c
}

func (c *capture) next() time.Time {
	c.t = c.t.Add(20 * time.Millisecond)
	return c.t
}

func (c *capture) mark(name string) {
	c.frames++
	if name == "" {
		return
	}
	if _, dup := c.frame[name]; dup {
		panic("message name used twice: " + name)
	}
	c.frame[name] = c.frames
	c.order = append(c.order, name)
}

func (c *capture) ras(t testing.TB, name string, src, dst netip.AddrPort, m *h225.RasMessage) {
	t.Helper()
	b, err := m.MarshalPER()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := c.w.WriteUDP(c.next(), src, dst, b); err != nil {
		t.Fatal(err)
	}
	c.mark(name)
}

func (c *capture) handshake(t testing.TB, client, server netip.AddrPort) {
	t.Helper()
	if err := c.w.TCPHandshake(c.next(), client, server); err != nil {
		t.Fatal(err)
	}
	c.frames += 3
}

func (c *capture) close(t testing.TB, a, b netip.AddrPort) {
	t.Helper()
	if err := c.w.TCPClose(c.next(), a, b); err != nil {
		t.Fatal(err)
	}
	c.frames += 2
}

func (c *capture) tcp(t testing.TB, name string, src, dst netip.AddrPort, payload []byte) {
	t.Helper()
	pkt, err := tpkt.Append(nil, payload)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.w.WriteTCP(c.next(), src, dst, pkt); err != nil {
		t.Fatal(err)
	}
	c.mark(name)
}

// q931Message wraps an H323-UserInformation in a Q.931 message as H.225.0
// sends it.
func q931Message(t testing.TB, typ q931.MessageType, ref uint16, fromDest bool, ui *h225.H323UserInformation, decorate func(*q931.Message) error) []byte {
	t.Helper()
	uu, err := ui.MarshalPER()
	if err != nil {
		t.Fatalf("%v UUIE: %v", typ, err)
	}
	m := &q931.Message{Type: typ, CallRef: ref, FromDestination: fromDest}
	if decorate != nil {
		if err := decorate(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.SetH225(uu); err != nil {
		t.Fatal(err)
	}
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tunnel returns a Facility carrying H.245 messages (body "empty").
func tunnel(t testing.TB, ref uint16, fromDest bool, msgs ...h245.MultimediaSystemControlMessage) []byte {
	t.Helper()
	ui, err := caps.TunnelMessage(msgs...)
	if err != nil {
		t.Fatal(err)
	}
	return q931Message(t, q931.Facility, ref, fromDest, &ui, nil)
}

func (c *capture) h245(t testing.TB, name string, src, dst netip.AddrPort, m *h245.MultimediaSystemControlMessage) {
	t.Helper()
	b, err := m.MarshalPER()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	c.tcp(t, name, src, dst, b)
}

// writeScenario writes the whole scenario and returns the capture.
func writeScenario(t testing.TB, s *scenario) *capture {
	t.Helper()
	c := newCapture(t)

	c.ras(t, "GRQ", gwRAS, gkRAS, &s.grq)
	c.ras(t, "RRQ", gwRAS, gkRAS, &s.rrq)
	c.ras(t, "RCF", gkRAS, gwRAS, &s.rcf)
	c.ras(t, "ARQ", gwRAS, gkRAS, &s.arq)
	c.ras(t, "ACF", gkRAS, gwRAS, &s.acf)

	// Call A: fast start and tunnelled H.245.
	c.handshake(t, gwCallerA, epSignal)
	c.tcp(t, "Setup A", gwCallerA, epSignal, q931Message(t, q931.Setup, callRefA, false, &s.setupA, func(m *q931.Message) error {
		if err := m.SetBearerCapability(q931.BearerCapability{TransferCapability: q931.TransferUnrestrictedDigital, TransferRate: q931.Rate384k, Layer1: q931.Layer1H221}); err != nil {
			return err
		}
		if err := m.SetDisplay("Switchyard"); err != nil {
			return err
		}
		if err := m.SetCallingPartyNumber(q931.PartyNumber{Plan: q931.PlanE164, Digits: "4420"}); err != nil {
			return err
		}
		return m.SetCalledPartyNumber(q931.PartyNumber{Plan: q931.PlanE164, Digits: "1001"})
	}))
	c.tcp(t, "Connect A", epSignal, gwCallerA, q931Message(t, q931.Connect, callRefA, true, &s.connectA, nil))
	c.tcp(t, "TCS+MSD", gwCallerA, epSignal, tunnel(t, callRefA, false, s.tcs, s.msd))
	c.tcp(t, "TCSAck+MSDAck", epSignal, gwCallerA, tunnel(t, callRefA, true, s.tcsAck, s.msdAck))
	c.tcp(t, "H239Req+OLC", gwCallerA, epSignal, tunnel(t, callRefA, false, s.h239Req, s.olc))
	c.tcp(t, "H239Resp+OLCAck", epSignal, gwCallerA, tunnel(t, callRefA, true, s.h239Resp, s.olcAck))
	c.tcp(t, "UII+VFU", gwCallerA, epSignal, tunnel(t, callRefA, false, s.uii, s.vfu))
	c.tcp(t, "CLC", gwCallerA, epSignal, tunnel(t, callRefA, false, s.clc))
	release := q931Message(t, q931.ReleaseComplete, callRefA, false, &s.releaseA, func(m *q931.Message) error {
		return m.SetCause(q931.Cause{Location: q931.LocationUser, Value: q931.CauseNormalClearing})
	})
	c.tcp(t, "ReleaseComplete A", gwCallerA, epSignal, release)
	c.close(t, gwCallerA, epSignal)
	c.ras(t, "DRQ", gwRAS, gkRAS, &s.drq)

	// Call B: a separate H.245 connection, decoded as H.245 on its port.
	c.handshake(t, gwCallerB, epSignal)
	c.tcp(t, "Setup B", gwCallerB, epSignal, q931Message(t, q931.Setup, callRefB, false, &s.setupB, func(m *q931.Message) error {
		return m.SetBearerCapability(q931.BearerCapability{TransferCapability: q931.TransferUnrestrictedDigital, TransferRate: q931.Rate384k, Layer1: q931.Layer1H221})
	}))
	c.tcp(t, "Connect B", epSignal, gwCallerB, q931Message(t, q931.Connect, callRefB, true, &s.connectB, nil))
	c.handshake(t, gwH245B, epH245)
	for _, m := range []struct {
		name     string
		fromPeer bool
		msg      *h245.MultimediaSystemControlMessage
	}{
		{"B TCS", false, &s.tcs}, {"B MSD", false, &s.msd}, {"B TCSAck", true, &s.tcsAck}, {"B MSDAck", true, &s.msdAck},
		{"B OLC", false, &s.olc}, {"B OLCAck", true, &s.olcAck}, {"B H239Req", false, &s.h239Req},
		{"B UII", false, &s.uiiString}, {"B VFU", false, &s.vfu}, {"B EndSession", false, &s.endSession},
	} {
		src, dst := gwH245B, epH245
		if m.fromPeer {
			src, dst = dst, src
		}
		c.h245(t, m.name, src, dst, m.msg)
	}
	c.close(t, gwH245B, epH245)
	c.tcp(t, "ReleaseComplete B", epSignal, gwCallerB, q931Message(t, q931.ReleaseComplete, callRefB, true, &s.releaseB, func(m *q931.Message) error {
		return m.SetCause(q931.Cause{Location: q931.LocationUser, Value: q931.CauseUserBusy})
	}))
	c.close(t, gwCallerB, epSignal)
	c.ras(t, "URQ", gwRAS, gkRAS, &s.urq)
	return c
}

// save writes the capture to a file in dir.
func (c *capture) save(t testing.TB, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "wirecheck.pcap")
	if err := os.WriteFile(p, c.buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func (c *capture) String() string {
	return fmt.Sprintf("%d frames", c.frames)
}
