package caps

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/switchyard/switchyard/h323/h225"
	"github.com/switchyard/switchyard/h323/h245"
	"github.com/switchyard/switchyard/internal/testpeer"
)

// fuzzSeeds returns encodings from the shared captures (when present) and
// from this package's builders: H.245 messages, fastStart elements,
// H323-UserInformation and RAS messages.
func fuzzSeeds(f *testing.F) (msgs, fast, uuies, ras [][]byte) {
	f.Helper()
	for _, c := range olcCases {
		if b, err := FastStart(c.olc); err == nil {
			fast = append(fast, b...)
		}
		if m, err := c.olc.Message(); err == nil {
			if b, err := m.MarshalPER(); err == nil {
				msgs = append(msgs, b)
			}
		}
	}
	if s, err := FromOffer(sampleOffer(), 1); err == nil {
		if m, err := s.Message(); err == nil {
			if b, err := m.MarshalPER(); err == nil {
				msgs = append(msgs, b)
			}
		}
	}
	for _, h := range []H239{{Kind: H239PresentationTokenRequest, ChannelID: 5, SymmetryBreaking: 9}, {Kind: H239FlowControlReleaseResponse, Reject: true}} {
		if m, err := h.Message(); err == nil {
			if b, err := m.MarshalPER(); err == nil {
				msgs = append(msgs, b)
			}
		}
	}
	for _, rc := range rasCases() {
		if m, err := rc.build(); err == nil {
			if b, err := m.MarshalPER(); err == nil {
				ras = append(ras, b)
			}
		}
	}
	if ui, err := (ReleaseComplete{CallID: testCallID, Reason: "inConf"}).UserInformation(); err == nil {
		if b, err := ui.MarshalPER(); err == nil {
			uuies = append(uuies, b)
		}
	}
	dir, err := testpeer.FindSharedDir()
	if err != nil {
		return
	}
	if _, err := os.Stat(filepath.Join(dir, "captures", "call1.pcap")); err != nil {
		return
	}
	for _, name := range []string{"call1.pcap", "call2-faststart-sepH245.pcap", "gkcall1.pcap"} {
		c := readCapture(f, name)
		for _, m := range c.h245 {
			msgs = append(msgs, c.raw[m])
		}
		fast = append(fast, c.fast...)
		for _, ui := range c.uuies {
			if b, err := ui.MarshalPER(); err == nil {
				uuies = append(uuies, b)
			}
		}
		for _, r := range c.ras {
			if b, err := r.MarshalPER(); err == nil {
				ras = append(ras, b)
			}
		}
	}
	return
}

// parseH245 runs every parser of this package over a decoded H.245
// message. None may panic; a channel or set that parses must build again.
func parseH245(t *testing.T, m *h245.MultimediaSystemControlMessage) {
	ParseH239(m)
	ParseUserInput(m)
	ParseMSD(m)
	ParseMSDAck(m)
	ParseVideoFastUpdate(m)
	ParseCloseLogicalChannel(m)
	switch {
	case m.Choice == h245.MultimediaSystemControlMessageChoiceRequest && m.Request != nil:
		switch {
		case m.Request.TerminalCapabilitySet != nil:
			if s, err := ParseTCS(m.Request.TerminalCapabilitySet); err == nil {
				s.Offer()
			}
		case m.Request.OpenLogicalChannel != nil:
			if o, err := ParseOLC(m.Request.OpenLogicalChannel); err == nil {
				o.Codec()
				o.OpenLogicalChannel()
			}
		}
	case m.Choice == h245.MultimediaSystemControlMessageChoiceResponse && m.Response != nil && m.Response.OpenLogicalChannelAck != nil:
		ParseOLCAck(m.Response.OpenLogicalChannelAck)
	}
}

func FuzzTunnelled(f *testing.F) {
	msgs, _, _, _ := fuzzSeeds(f)
	for _, b := range msgs {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pdu := h225.H323UUPDU{H245Control: &[][]byte{data}}
		ms, err := Tunnelled(&pdu)
		if err != nil {
			return
		}
		for i := range ms {
			parseH245(t, &ms[i])
		}
	})
}

func FuzzParseFastStart(f *testing.F) {
	_, fast, _, _ := fuzzSeeds(f)
	for _, b := range fast {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		chans, _, err := ParseFastStart([][]byte{data})
		if err != nil {
			return
		}
		for _, o := range chans {
			o.Codec()
			olc, err := o.OpenLogicalChannel()
			if err != nil {
				continue
			}
			again, err := ParseOLC(&olc)
			if err != nil && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("a rebuilt channel does not parse: %v", err)
			}
			_ = again
		}
	})
}

func FuzzUserInformation(f *testing.F) {
	_, _, uuies, _ := fuzzSeeds(f)
	for _, b := range uuies {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var ui h225.H323UserInformation
		if err := ui.UnmarshalPER(data); err != nil {
			return
		}
		if s, err := ParseSetup(&ui); err == nil {
			ParseFastStart(s.FastStart)
			s.UserInformation()
		}
		if a, err := ParseAnswer(&ui); err == nil {
			ParseFastStart(a.FastStart)
		}
		if r, err := ParseReleaseComplete(&ui); err == nil {
			r.UserInformation()
		}
		if ms, err := Tunnelled(&ui.H323UuPdu); err == nil {
			for i := range ms {
				parseH245(t, &ms[i])
			}
		}
	})
}

func FuzzRAS(f *testing.F) {
	_, _, _, ras := fuzzSeeds(f)
	for _, b := range ras {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m h225.RasMessage
		if err := m.UnmarshalPER(data); err != nil {
			return
		}
		switch {
		case m.GatekeeperRequest != nil:
			ParseGRQ(m.GatekeeperRequest)
		case m.RegistrationRequest != nil:
			ParseRRQ(m.RegistrationRequest)
		case m.RegistrationConfirm != nil:
			ParseRCF(m.RegistrationConfirm)
		case m.UnregistrationRequest != nil:
			ParseURQ(m.UnregistrationRequest)
		case m.AdmissionRequest != nil:
			ParseARQ(m.AdmissionRequest)
		case m.AdmissionConfirm != nil:
			ParseACF(m.AdmissionConfirm)
		case m.DisengageRequest != nil:
			ParseDRQ(m.DisengageRequest)
		}
	})
}
