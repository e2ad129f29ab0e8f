package caps

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/switchyard/switchyard/h323/h225"
	"github.com/switchyard/switchyard/h323/h245"
)

func TestMSD(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	m := NewMSD(GatewayOnly, rnd)
	if m.Number > maxStatusDeterminationNumber {
		t.Fatalf("number %d", m.Number)
	}
	msg, err := m.Message()
	if err != nil {
		t.Fatal(err)
	}
	got, _ := roundTrip(t, &msg)
	if p, ok := ParseMSD(got); !ok || p != m {
		t.Errorf("ParseMSD = %+v, %v", p, ok)
	}
	if _, err := (MSD{Number: 1 << 24}).Message(); !errors.Is(err, ErrInvalid) {
		t.Errorf("25-bit number: %v", err)
	}
	cases := []struct {
		local, remote MSD
		want          Decision
	}{
		{MSD{GatewayOnly, 5}, MSD{TerminalOnly, 9}, Master},
		{MSD{TerminalOnly, 5}, MSD{MCUWithAVMP, 9}, Slave},
		{MSD{GatewayOnly, 5}, MSD{GatewayOnly, 9}, Master},
		{MSD{GatewayOnly, 9}, MSD{GatewayOnly, 5}, Slave},
		{MSD{GatewayOnly, 5}, MSD{GatewayOnly, 5}, Indeterminate},
		{MSD{GatewayOnly, 0}, MSD{GatewayOnly, 1 << 23}, Indeterminate},
		{MSD{GatewayOnly, 0xfffff0}, MSD{GatewayOnly, 3}, Master},
	}
	for _, c := range cases {
		if got := Decide(c.local, c.remote); got != c.want {
			t.Errorf("Decide(%+v, %+v) = %v, want %v", c.local, c.remote, got, c.want)
		}
	}
	for _, d := range []Decision{Master, Slave} {
		ack, err := MSDAck(d)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := roundTrip(t, &ack)
		if p, ok := ParseMSDAck(got); !ok || p != d {
			t.Errorf("ParseMSDAck = %v, %v; want %v", p, ok, d)
		}
	}
	if _, err := MSDAck(Indeterminate); !errors.Is(err, ErrInvalid) {
		t.Errorf("MSDAck(indeterminate): %v", err)
	}
}

func TestUserInput(t *testing.T) {
	for _, u := range []UserInput{
		{Signal: true, Digits: "5", Duration: 250},
		{Signal: true, Digits: "#"},
		{Signal: true, Digits: "!", Duration: 100},
		{Digits: "1234#"},
	} {
		msg, err := u.Message()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := roundTrip(t, &msg)
		if p, ok := ParseUserInput(got); !ok || p != u {
			t.Errorf("ParseUserInput = %+v, %v; want %+v", p, ok, u)
		}
	}
	for _, bad := range []UserInput{{Signal: true, Digits: "12"}, {Signal: true, Digits: "x"}, {}} {
		if _, err := bad.Message(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

func TestVideoFastUpdate(t *testing.T) {
	m := VideoFastUpdate(102)
	got, _ := roundTrip(t, &m)
	if n, ok := ParseVideoFastUpdate(got); !ok || n != 102 {
		t.Errorf("ParseVideoFastUpdate = %d, %v", n, ok)
	}
	if _, ok := ParseVideoFastUpdate(&h245.MultimediaSystemControlMessage{}); ok {
		t.Error("empty message parsed")
	}
}

func TestH239(t *testing.T) {
	cases := []struct {
		h      H239
		choice h245.MultimediaSystemControlMessageChoice
	}{
		{H239{Kind: H239PresentationTokenRequest, TerminalLabel: 0, ChannelID: 104, SymmetryBreaking: 6}, h245.MultimediaSystemControlMessageChoiceRequest},
		{H239{Kind: H239PresentationTokenResponse, TerminalLabel: 0, ChannelID: 104}, h245.MultimediaSystemControlMessageChoiceResponse},
		{H239{Kind: H239PresentationTokenResponse, ChannelID: 104, Reject: true}, h245.MultimediaSystemControlMessageChoiceResponse},
		{H239{Kind: H239PresentationTokenRelease, TerminalLabel: 1, ChannelID: 104}, h245.MultimediaSystemControlMessageChoiceCommand},
		{H239{Kind: H239PresentationTokenIndicateOwner, TerminalLabel: 1, ChannelID: 104}, h245.MultimediaSystemControlMessageChoiceIndication},
		{H239{Kind: H239FlowControlReleaseRequest, ChannelID: 104, BitRate: 5120}, h245.MultimediaSystemControlMessageChoiceRequest},
		{H239{Kind: H239FlowControlReleaseResponse, ChannelID: 104, BitRate: 5120}, h245.MultimediaSystemControlMessageChoiceResponse},
		{H239{Kind: H239FlowControlReleaseResponse, ChannelID: 104, Reject: true}, h245.MultimediaSystemControlMessageChoiceResponse},
	}
	for _, c := range cases {
		msg, err := c.h.Message()
		if err != nil {
			t.Fatal(err)
		}
		if msg.Choice != c.choice {
			t.Errorf("%v travels as %v, want %v", c.h.Kind, msg.Choice, c.choice)
		}
		got, _ := roundTrip(t, &msg)
		p, err := ParseH239(got)
		if err != nil || p != c.h {
			t.Errorf("ParseH239 = %+v, %v; want %+v", p, err, c.h)
		}
	}
	for _, bad := range []H239{{Kind: 0}, {Kind: 7}, {Kind: H239PresentationTokenRequest, SymmetryBreaking: 0}, {Kind: H239PresentationTokenRequest, SymmetryBreaking: 128}} {
		if _, err := bad.Message(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	vfu := VideoFastUpdate(1)
	if _, err := ParseH239(&vfu); !errors.Is(err, ErrUnsupported) {
		t.Errorf("VFU as H.239: %v", err)
	}
	if H239PresentationTokenRequest.String() != "presentationTokenRequest" || H239Kind(9).String() != "H239Kind(9)" {
		t.Error("H239Kind.String")
	}
}

func TestTunnel(t *testing.T) {
	set, err := FromOffer(sampleOffer(), 1)
	if err != nil {
		t.Fatal(err)
	}
	tcs, err := set.Message()
	if err != nil {
		t.Fatal(err)
	}
	msd, _ := MSD{TerminalType: GatewayOnly, Number: 12345}.Message()
	ui, err := TunnelMessage(tcs, msd)
	if err != nil {
		t.Fatal(err)
	}
	if err := Tunnel(&ui.H323UuPdu, VideoFastUpdate(3)); err != nil {
		t.Fatal(err)
	}
	got, _ := roundTrip(t, &ui)
	if !TunnelsH245(&got.H323UuPdu) || got.H323UuPdu.H323MessageBody.Choice != h225.H323UUPDUH323MessageBodyChoiceEmpty {
		t.Error("tunnelling flag or body")
	}
	msgs, err := Tunnelled(&got.H323UuPdu)
	if err != nil {
		t.Fatal(err)
	}
	want := []h245.MultimediaSystemControlMessage{tcs, msd, VideoFastUpdate(3)}
	if !reflect.DeepEqual(msgs, want) {
		t.Errorf("Tunnelled = %+v", msgs)
	}
	got.H323UuPdu.H245Control = &[][]byte{{0xff, 0xff}}
	if _, err := Tunnelled(&got.H323UuPdu); err == nil {
		t.Error("malformed h245Control: no error")
	}
	empty := h225.H323UUPDU{}
	if m, err := Tunnelled(&empty); m != nil || err != nil || TunnelsH245(&empty) {
		t.Error("empty PDU")
	}
}

func TestEndSession(t *testing.T) {
	m := EndSession()
	got, _ := roundTrip(t, &m)
	if got.Command.EndSessionCommand.Choice != h245.EndSessionCommandChoiceDisconnect {
		t.Error("endSessionCommand")
	}
}
