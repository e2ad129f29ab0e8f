package caps

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/h323/h225"
	"github.com/switchyard/switchyard/h323/h245"
	"github.com/switchyard/switchyard/h323/q931"
	"github.com/switchyard/switchyard/h323/tpkt"
	"github.com/switchyard/switchyard/internal/pcap"
	"github.com/switchyard/switchyard/internal/testpeer"
)

// captured holds the decoded messages of one capture of a real H.323
// stack, each with its encoding.
type captured struct {
	file  string
	ras   []*h225.RasMessage
	uuies []*h225.H323UserInformation
	h245  []*h245.MultimediaSystemControlMessage // tunnelled and on H.245 connections
	raw   map[*h245.MultimediaSystemControlMessage][]byte
	fast  [][]byte // fastStart elements
}

// signallingPort reports whether the captured stacks listen for H.225.0
// call signalling on p (see the captures' README).
func signallingPort(p uint16) bool { return p == 1720 || p == 1721 || p == 11720 || p == 11721 }

// readCapture decodes the RAS, call signalling and H.245 messages of one
// shared capture.
func readCapture(t testing.TB, name string) *captured {
	t.Helper()
	path := testpeer.SharedFile(t, "captures", name)
	pkts, err := pcap.ReadPackets(path)
	if err != nil {
		t.Fatal(err)
	}
	c := &captured{file: name, raw: map[*h245.MultimediaSystemControlMessage][]byte{}}
	addH245 := func(b []byte, where string) {
		m := new(h245.MultimediaSystemControlMessage)
		if err := m.UnmarshalPER(b); err != nil {
			t.Fatalf("%s: %s: %v", name, where, err)
		}
		c.h245 = append(c.h245, m)
		c.raw[m] = b
	}
	for i, p := range pkts {
		if p.Proto == pcap.ProtoUDP && (p.Src.Port() == 1719 || p.Dst.Port() == 1719) && len(p.Payload) > 1 {
			m := new(h225.RasMessage)
			if err := m.UnmarshalPER(p.Payload); err != nil {
				t.Fatalf("%s packet %d: RAS: %v", name, i+1, err)
			}
			c.ras = append(c.ras, m)
		}
	}
	for _, conn := range pcap.ReassembleTCP(pkts) {
		for _, s := range []pcap.Stream{conn.ClientToServer, conn.ServerToClient} {
			for rest, n := s.Data, 1; len(rest) > 0; n++ {
				payload, r, err := tpkt.Split(rest, 1<<16)
				if err != nil {
					t.Fatalf("%s %s->%s TPKT %d: %v", name, s.Src, s.Dst, n, err)
				}
				rest = r
				where := fmt.Sprintf("%s->%s TPKT %d", s.Src, s.Dst, n)
				if len(payload) == 0 {
					continue
				}
				if !signallingPort(conn.Server.Port()) {
					addH245(payload, where)
					continue
				}
				q, err := q931.Unmarshal(payload)
				if err != nil {
					t.Fatalf("%s %s: %v", name, where, err)
				}
				uu, err := q.H225()
				if err != nil {
					t.Fatalf("%s %s: %v", name, where, err)
				}
				ui := new(h225.H323UserInformation)
				if err := ui.UnmarshalPER(uu); err != nil {
					t.Fatalf("%s %s: %v", name, where, err)
				}
				c.uuies = append(c.uuies, ui)
				if ui.H323UuPdu.H245Control != nil {
					for _, b := range *ui.H323UuPdu.H245Control {
						addH245(b, where+" h245Control")
					}
				}
				if s, err := ParseSetup(ui); err == nil {
					c.fast = append(c.fast, s.FastStart...)
				} else if a, err := ParseAnswer(ui); err == nil {
					c.fast = append(c.fast, a.FastStart...)
				}
			}
		}
	}
	return c
}

func allCaptures(t testing.TB) []*captured {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(testpeer.SharedFile(t, "captures"), "*.pcap"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no captures: %v", err)
	}
	var out []*captured
	for _, f := range files {
		out = append(out, readCapture(t, filepath.Base(f)))
	}
	return out
}

// TestCaptureTCS parses the capability sets of call1 (the H323Plus
// endpoint's TCS) into the codecs a gateway would offer across.
func TestCaptureTCS(t *testing.T) {
	c := readCapture(t, "call1.pcap")
	var sets []CapabilitySet
	for _, m := range c.h245 {
		if m.Choice == h245.MultimediaSystemControlMessageChoiceRequest && m.Request.Choice == h245.RequestMessageChoiceTerminalCapabilitySet {
			s, err := ParseTCS(m.Request.TerminalCapabilitySet)
			if err != nil {
				t.Fatal(err)
			}
			sets = append(sets, s)
		}
	}
	if len(sets) != 2 {
		t.Fatalf("%d capability sets in call1, want 2", len(sets))
	}
	for i, s := range sets {
		if len(s.Unsupported) == 0 {
			t.Errorf("set %d: the non-standard audio codecs were not reported unsupported", i)
		}
		if !s.Has(ControlH239) || !s.Has(ControlDTMF) || !s.Has(ControlBasicString) || !s.Has(ControlHookflash) {
			t.Errorf("set %d: control capabilities missing", i)
		}
		o := s.Offer()
		want := map[call.Role][]string{
			call.RoleAudio:   {"PCMA/8000", "PCMU/8000", "G722/8000", "G7221/16000", "G7221/16000", "TELEPHONE-EVENT/8000"},
			call.RoleVideo:   {"H261/90000"},
			call.RoleContent: {"H261/90000"},
			call.RoleFECC:    {"H224/4800"},
		}
		if len(o.Streams) != len(want) {
			t.Errorf("set %d: %d streams, want %d: %+v", i, len(o.Streams), len(want), o.Streams)
		}
		for r, names := range want {
			st, ok := o.Find(r)
			if !ok {
				t.Errorf("set %d: no %v stream", i, r)
				continue
			}
			var got []string
			for _, c := range st.Codecs {
				got = append(got, c.String())
			}
			if !slices.Equal(got, names) {
				t.Errorf("set %d %v: codecs %v, want %v", i, r, got, names)
			}
		}
		a, _ := o.Find(call.RoleAudio)
		if len(a.Codecs) != 6 {
			continue
		}
		if a.Codecs[0].Name != "PCMA" || a.Codecs[0].PacketTime != 20 || a.Codecs[5].FMTP != "0-16" || a.Codecs[5].PayloadType != 101 {
			t.Errorf("set %d audio %+v", i, a.Codecs)
		}
		if a.Codecs[3].FMTP != "bitrate=24000" || a.Codecs[4].FMTP != "bitrate=32000" {
			t.Errorf("set %d G.722.1 %+v (maxBitRate sent in bit/s)", i, a.Codecs[3:5])
		}
		v, _ := o.Find(call.RoleVideo)
		if v.Codecs[0].FMTP != "CIF=1" || v.MaxBitrate != 621700 {
			t.Errorf("set %d video %+v", i, v)
		}
	}
}

// TestCaptureChannels parses every logical channel, acknowledgement and
// command of the captures, and checks call1's in detail.
func TestCaptureChannels(t *testing.T) {
	counts := map[string]int{}
	for _, c := range allCaptures(t) {
		for _, m := range c.h245 {
			switch {
			case m.Choice == h245.MultimediaSystemControlMessageChoiceRequest && m.Request.Choice == h245.RequestMessageChoiceOpenLogicalChannel:
				if _, err := ParseOLC(m.Request.OpenLogicalChannel); err != nil && !errors.Is(err, ErrUnsupported) {
					t.Errorf("%s: OLC: %v", c.file, err)
				}
				counts["OLC"]++
			case m.Choice == h245.MultimediaSystemControlMessageChoiceResponse && m.Response.Choice == h245.ResponseMessageChoiceOpenLogicalChannelAck:
				if _, err := ParseOLCAck(m.Response.OpenLogicalChannelAck); err != nil {
					t.Errorf("%s: OLC ack: %v", c.file, err)
				}
				counts["OLCAck"]++
			}
			if _, err := ParseH239(m); err == nil {
				counts["H.239"]++
			} else if !errors.Is(err, ErrUnsupported) {
				t.Errorf("%s: H.239: %v", c.file, err)
			}
		}
		chans, skipped, err := ParseFastStart(c.fast)
		if err != nil {
			t.Errorf("%s: fastStart: %v", c.file, err)
		}
		counts["fastStart"] += len(chans)
		counts["fastStart skipped"] += len(skipped)
	}
	t.Logf("parsed %v", counts)
	if counts["OLC"] == 0 || counts["OLCAck"] == 0 || counts["H.239"] == 0 || counts["fastStart"] == 0 {
		t.Errorf("too little found: %v", counts)
	}

	c := readCapture(t, "call1.pcap")
	var olcs []OLC
	var acks []OLCAck
	var h239 []H239
	var vfu []uint16
	var input []UserInput
	var msd []MSD
	for _, m := range c.h245 {
		if m.Choice == h245.MultimediaSystemControlMessageChoiceRequest && m.Request.Choice == h245.RequestMessageChoiceOpenLogicalChannel {
			o, err := ParseOLC(m.Request.OpenLogicalChannel)
			if err != nil {
				t.Fatal(err)
			}
			olcs = append(olcs, o)
		}
		if m.Choice == h245.MultimediaSystemControlMessageChoiceResponse && m.Response.Choice == h245.ResponseMessageChoiceOpenLogicalChannelAck {
			a, err := ParseOLCAck(m.Response.OpenLogicalChannelAck)
			if err != nil {
				t.Fatal(err)
			}
			acks = append(acks, a)
		}
		if h, err := ParseH239(m); err == nil {
			h239 = append(h239, h)
			// Our builder writes the very octets the real stack sent.
			if b := mustEncode(t, h); !bytes.Equal(b, c.raw[m]) {
				t.Errorf("H.239 %v: we encode %x, the stack sent %x", h.Kind, b, c.raw[m])
			}
		}
		if n, ok := ParseVideoFastUpdate(m); ok {
			vfu = append(vfu, n)
			if b := encodeMsg(t, VideoFastUpdate(n)); !bytes.Equal(b, c.raw[m]) {
				t.Errorf("videoFastUpdatePicture: we encode %x, the stack sent %x", b, c.raw[m])
			}
		}
		if u, ok := ParseUserInput(m); ok {
			input = append(input, u)
		}
		if d, ok := ParseMSD(m); ok {
			msd = append(msd, d)
		}
	}
	formats := map[uint16]string{}
	for _, o := range olcs {
		cd, err := o.Codec()
		if err != nil {
			t.Fatal(err)
		}
		formats[o.Number] = fmt.Sprintf("%s s%d pt%d %v", cd, o.SessionID, cd.PayloadType, o.Media.Role())
		if !o.RTCP.IsValid() || o.RTP.IsValid() {
			t.Errorf("channel %d: RTP %v RTCP %v", o.Number, o.RTP, o.RTCP)
		}
	}
	wantFormats := map[uint16]string{
		101: "PCMA/8000 s1 pt8 audio",
		102: "H261/90000 s2 pt31 video",
		103: "H224/4800 s3 pt100 fecc",
		104: "H261/90000 s32 pt31 content",
	}
	for n, w := range wantFormats {
		if formats[n] != w {
			t.Errorf("channel %d: %q, want %q", n, formats[n], w)
		}
	}
	for _, a := range acks {
		if !a.RTP.IsValid() || !a.RTCP.IsValid() || a.RTCP.Port() != a.RTP.Port()+1 {
			t.Errorf("ack %+v", a)
		}
	}
	wantH239 := []H239{
		{Kind: H239PresentationTokenRequest, ChannelID: 104, SymmetryBreaking: 6},
		{Kind: H239PresentationTokenResponse, ChannelID: 104},
		{Kind: H239PresentationTokenIndicateOwner, ChannelID: 104},
	}
	slices.SortFunc(h239, func(a, b H239) int { return int(a.Kind) - int(b.Kind) })
	if !slices.Equal(h239, wantH239) {
		t.Errorf("H.239 %+v, want %+v", h239, wantH239)
	}
	if len(vfu) == 0 {
		t.Error("no videoFastUpdatePicture")
	}
	var digits string
	for _, u := range input {
		digits += u.Digits
	}
	if digits == "" {
		t.Error("no DTMF")
	}
	if len(msd) != 2 || msd[0].TerminalType != TerminalOnly {
		t.Errorf("MSD %+v", msd)
	}
	t.Logf("call1: DTMF %q, videoFastUpdate on %v", digits, vfu)
}

func encodeMsg(t *testing.T, m h245.MultimediaSystemControlMessage) []byte {
	t.Helper()
	b, err := m.MarshalPER()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustEncode(t *testing.T, h H239) []byte {
	t.Helper()
	m, err := h.Message()
	if err != nil {
		t.Fatal(err)
	}
	return encodeMsg(t, m)
}

// TestCaptureRAS parses the gatekeeper dialogue of gkcall1.
func TestCaptureRAS(t *testing.T) {
	c := readCapture(t, "gkcall1.pcap")
	seen := map[h225.RasMessageChoice]int{}
	for _, m := range c.ras {
		seen[m.Choice]++
		var err error
		switch m.Choice {
		case h225.RasMessageChoiceGatekeeperRequest:
			_, err = ParseGRQ(m.GatekeeperRequest)
		case h225.RasMessageChoiceRegistrationRequest:
			var q RRQ
			q, err = ParseRRQ(m.RegistrationRequest)
			if err == nil && (q.GatekeeperID != "TestGK" || len(q.Aliases) != 2 || q.TTL != 60 || q.Endpoint.Vendor.Product != "H323Plus h323peer" ||
				(q.Aliases[1] != E164("1001") && q.Aliases[1] != E164("1002"))) {
				t.Errorf("RRQ %+v", q)
			}
		case h225.RasMessageChoiceRegistrationConfirm:
			var r RCF
			r, err = ParseRCF(m.RegistrationConfirm)
			if err == nil && (r.EndpointID == "" || r.CallSignal.Port() != 1721) {
				t.Errorf("RCF %+v", r)
			}
		case h225.RasMessageChoiceAdmissionRequest:
			var q ARQ
			q, err = ParseARQ(m.AdmissionRequest)
			if err == nil && (q.BandWidth != 100000 || q.CallID == (GUID{}) || q.ConferenceID == (GUID{})) {
				t.Errorf("ARQ %+v", q)
			}
		case h225.RasMessageChoiceAdmissionConfirm:
			var a ACF
			a, err = ParseACF(m.AdmissionConfirm)
			if err == nil && (!a.Routed || a.DestCallSignal.Port() != 1721 || a.IRRFrequency != 120) {
				t.Errorf("ACF %+v", a)
			}
		case h225.RasMessageChoiceDisengageRequest:
			_, err = ParseDRQ(m.DisengageRequest)
		case h225.RasMessageChoiceUnregistrationRequest:
			_, err = ParseURQ(m.UnregistrationRequest)
		}
		if err != nil {
			t.Errorf("%v: %v", m.Choice, err)
		}
	}
	for _, k := range []h225.RasMessageChoice{
		h225.RasMessageChoiceGatekeeperRequest, h225.RasMessageChoiceRegistrationRequest, h225.RasMessageChoiceRegistrationConfirm,
		h225.RasMessageChoiceAdmissionRequest, h225.RasMessageChoiceAdmissionConfirm, h225.RasMessageChoiceDisengageRequest,
		h225.RasMessageChoiceUnregistrationRequest,
	} {
		if seen[k] == 0 {
			t.Errorf("no %v in gkcall1", k)
		}
	}
}

// TestCaptureSignalling parses the Setup, answers and ReleaseComplete of
// every capture.
func TestCaptureSignalling(t *testing.T) {
	for _, c := range allCaptures(t) {
		var setups, answers, releases int
		for _, ui := range c.uuies {
			if s, err := ParseSetup(ui); err == nil {
				setups++
				if s.CallID == (GUID{}) || s.ConferenceID == (GUID{}) || len(s.Source) == 0 {
					t.Errorf("%s: Setup %+v", c.file, s)
				}
			} else if !errors.Is(err, ErrUnsupported) {
				t.Errorf("%s: Setup: %v", c.file, err)
			}
			if _, err := ParseAnswer(ui); err == nil {
				answers++
			} else if !errors.Is(err, ErrUnsupported) {
				t.Errorf("%s: answer: %v", c.file, err)
			}
			if r, err := ParseReleaseComplete(ui); err == nil {
				releases++
				if r.CallID == (GUID{}) {
					t.Errorf("%s: ReleaseComplete %+v", c.file, r)
				}
			} else if !errors.Is(err, ErrUnsupported) {
				t.Errorf("%s: ReleaseComplete: %v", c.file, err)
			}
			if _, err := Tunnelled(&ui.H323UuPdu); err != nil {
				t.Errorf("%s: tunnelled H.245: %v", c.file, err)
			}
		}
		if setups == 0 || answers == 0 || releases == 0 {
			t.Errorf("%s: %d setups, %d answers, %d releases", c.file, setups, answers, releases)
		}
	}
	// call2: the caller proposes 52 fast start channels; those with
	// standard media parse.
	c := readCapture(t, "call2-faststart-sepH245.pcap")
	var setup Setup
	for _, ui := range c.uuies {
		if s, err := ParseSetup(ui); err == nil {
			setup = s
			break
		}
	}
	chans, skipped, err := ParseFastStart(setup.FastStart)
	if err != nil || len(setup.FastStart) != 52 {
		t.Fatalf("call2 fastStart: %d elements, %v", len(setup.FastStart), err)
	}
	var rev, fwd int
	for _, o := range chans {
		if o.Reverse {
			rev++
			if !o.RTP.IsValid() {
				t.Errorf("reverse proposal without RTP address: %+v", o)
			}
		} else {
			fwd++
		}
	}
	t.Logf("call2 Setup: %d fast start channels parsed (%d forward, %d reverse), %d skipped", len(chans), fwd, rev, len(skipped))
	if fwd == 0 || rev == 0 {
		t.Error("expected forward and reverse proposals")
	}
}
