package caps

import (
	"errors"
	"github.com/switchyard/switchyard/call"
	"net/netip"
	"reflect"
	"testing"

	"github.com/switchyard/switchyard/h323/h225"
)

func TestSetupRoundTrip(t *testing.T) {
	fs, err := FastStart(olcCases[0].olc, olcCases[2].olc)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []Setup{
		{CallID: testCallID, ConferenceID: testConfID, Source: testAliases, Dest: []Alias{H323ID("bob")},
			Endpoint: gwEndpoint, DestCallSignal: peerSignal, SourceCallSignal: gwSignal,
			FastStart: fs, Tunnelling: true, MediaWaitForConnect: true},
		{CallID: testCallID, ConferenceID: testConfID, Endpoint: gwEndpoint, H245: netip.MustParseAddrPort("192.0.2.1:30000"), EndpointID: "ep1"},
	} {
		ui, err := s.UserInformation()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := roundTrip(t, &ui)
		p, err := ParseSetup(got)
		if err != nil || !reflect.DeepEqual(p, s) {
			t.Errorf("ParseSetup = %+v, %v; want %+v", p, err, s)
		}
		if _, err := ParseAnswer(got); !errors.Is(err, ErrUnsupported) {
			t.Errorf("Setup as answer: %v", err)
		}
	}
}

func TestAnswerRoundTrip(t *testing.T) {
	fs, err := FastStart(OLCCase("H.261"))
	if err != nil {
		t.Fatal(err)
	}
	a := Answer{CallID: testCallID, ConferenceID: testConfID, Endpoint: Endpoint{Kind: KindMCU, Vendor: testVendor},
		H245: netip.MustParseAddrPort("192.0.2.1:30001"), FastStart: fs, Tunnelling: true}
	for name, build := range map[string]func() (h225.H323UserInformation, error){
		"callProceeding": a.CallProceeding, "alerting": a.Alerting, "connect": a.Connect,
	} {
		ui, err := build()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := roundTrip(t, &ui)
		p, err := ParseAnswer(got)
		want := a
		if name != "connect" {
			want.ConferenceID = GUID{}
		}
		if err != nil || !reflect.DeepEqual(p, want) {
			t.Errorf("%s: ParseAnswer = %+v, %v; want %+v", name, p, err, want)
		}
	}
}

// OLCCase returns the channel of the named olcCases entry.
func OLCCase(name string) OLC {
	for _, c := range olcCases {
		if c.name == name {
			return c.olc
		}
	}
	panic("no OLC case " + name)
}

func TestReleaseComplete(t *testing.T) {
	for _, r := range []ReleaseComplete{
		{CallID: testCallID, Reason: "inConf", Tunnelling: true},
		{CallID: testCallID, Reason: "undefinedReason"},
		{CallID: testCallID},
	} {
		ui, err := r.UserInformation()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := roundTrip(t, &ui)
		p, err := ParseReleaseComplete(got)
		if err != nil || p != r {
			t.Errorf("ParseReleaseComplete = %+v, %v; want %+v", p, err, r)
		}
	}
	if _, err := (ReleaseComplete{Reason: "gone fishing"}).UserInformation(); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown reason: %v", err)
	}
	if _, err := (ReleaseComplete{Reason: "securityError"}).UserInformation(); !errors.Is(err, ErrUnsupported) {
		t.Errorf("securityError: %v", err)
	}
}

// TestCauseReasons checks that every H.225.0 reason of the call cause
// catalogue builds a ReleaseComplete.
func TestCauseReasons(t *testing.T) {
	for _, e := range call.Catalogue() {
		if e.H225Reason == "" {
			continue
		}
		r := ReleaseComplete{CallID: testCallID, Reason: e.H225Reason}
		ui, err := r.UserInformation()
		if err != nil {
			t.Errorf("%s: %v", e.Name, err)
			continue
		}
		got, _ := roundTrip(t, &ui)
		if p, err := ParseReleaseComplete(got); err != nil || p.Reason != e.H225Reason {
			t.Errorf("%s: parsed %+v, %v", e.Name, p, err)
		}
	}
}
