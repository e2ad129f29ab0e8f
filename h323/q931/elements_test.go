package q931

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestCause(t *testing.T) {
	tests := []struct {
		name string
		c    Cause
		data []byte
	}{
		{"normal clearing", Cause{Value: CauseNormalClearing}, []byte{0x80, 0x90}},
		{"busy, public remote", Cause{Location: LocationPublicRemote, Value: CauseUserBusy}, []byte{0x84, 0x91}},
		{"with recommendation", Cause{Location: LocationTransit, HasRecommendation: true, Recommendation: 1, Value: CauseNoAnswer}, []byte{0x03, 0x81, 0x93}},
		{"with diagnostics", Cause{CodingStandard: CodingNational, Value: CauseRecoveryOnTimerExpiry, Diagnostics: []byte("303")}, []byte{0xc0, 0xe6, '3', '0', '3'}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ie, err := tc.c.IE()
			if err != nil {
				t.Fatal(err)
			}
			if ie.ID != IECause || !bytes.Equal(ie.Data, tc.data) {
				t.Fatalf("encoded %s % x, want % x", ie.ID, ie.Data, tc.data)
			}
			got, err := ParseCause(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.c) {
				t.Errorf("decoded %+v, want %+v", got, tc.c)
			}
		})
	}
	bad := [][]byte{nil, {0x80}, {0x00, 0x01}, {0x80, 0x10}, {0x00, 0x81}}
	for _, d := range bad {
		if _, err := ParseCause(d); !errors.Is(err, ErrInvalidIE) {
			t.Errorf("ParseCause(% x): %v", d, err)
		}
	}
	if _, err := (Cause{Value: 200}).IE(); err == nil {
		t.Error("cause value 200 encoded")
	}
}

func TestCauseValueString(t *testing.T) {
	tests := []struct {
		v    CauseValue
		want string
	}{
		{CauseUnallocatedNumber, "unallocated number"},
		{CauseNormalClearing, "normal call clearing"},
		{CauseUserBusy, "user busy"},
		{CauseNoUserResponding, "no user responding"},
		{CauseNoAnswer, "no answer from user"},
		{CauseCallRejected, "call rejected"},
		{CauseDestinationOutOfOrder, "destination out of order"},
		{CauseInvalidNumberFormat, "invalid number format"},
		{CauseNormalUnspecified, "normal, unspecified"},
		{CauseNoCircuitAvailable, "no circuit/channel available"},
		{CauseNetworkOutOfOrder, "network out of order"},
		{CauseTemporaryFailure, "temporary failure"},
		{CauseSwitchingEquipmentCongestion, "switching equipment congestion"},
		{CauseResourceUnavailable, "resource unavailable, unspecified"},
		{CauseBearerCapabilityNotAvailable, "bearer capability not presently available"},
		{CauseBearerCapabilityNotImplemented, "bearer capability not implemented"},
		{CauseIncompatibleDestination, "incompatible destination"},
		{CauseRecoveryOnTimerExpiry, "recovery on timer expiry"},
		{CauseInterworkingUnspecified, "interworking, unspecified"},
		{CauseValue(120), "cause 120"},
	}
	for _, tc := range tests {
		if got := tc.v.String(); got != tc.want {
			t.Errorf("%d: %q, want %q", uint8(tc.v), got, tc.want)
		}
	}
	numbers := map[CauseValue]uint8{
		CauseUnallocatedNumber: 1, CauseNormalClearing: 16, CauseUserBusy: 17, CauseNoUserResponding: 18,
		CauseNoAnswer: 19, CauseCallRejected: 21, CauseDestinationOutOfOrder: 27, CauseInvalidNumberFormat: 28,
		CauseNormalUnspecified: 31, CauseNoCircuitAvailable: 34, CauseNetworkOutOfOrder: 38,
		CauseTemporaryFailure: 41, CauseSwitchingEquipmentCongestion: 42, CauseResourceUnavailable: 47,
		CauseBearerCapabilityNotAvailable: 58, CauseBearerCapabilityNotImplemented: 65,
		CauseIncompatibleDestination: 88, CauseRecoveryOnTimerExpiry: 102, CauseInterworkingUnspecified: 127,
	}
	for v, n := range numbers {
		if uint8(v) != n {
			t.Errorf("%s = %d, want %d", v, uint8(v), n)
		}
	}
}

func TestBearerCapability(t *testing.T) {
	tests := []struct {
		name string
		b    BearerCapability
		data []byte
	}{
		{"H.323 video call", BearerCapability{TransferCapability: TransferUnrestrictedDigital, TransferRate: Rate384k, Layer1: Layer1H221}, []byte{0x88, 0x93, 0xa5}},
		{"speech G.711 A-law", BearerCapability{TransferCapability: TransferSpeech, TransferRate: Rate64k, Layer1: Layer1G711ALaw}, []byte{0x80, 0x90, 0xa3}},
		{"multirate", BearerCapability{TransferCapability: TransferUnrestrictedDigital, TransferRate: RateMultirate, RateMultiplier: 30, Layer1: Layer1H221}, []byte{0x88, 0x98, 0x9e, 0xa5}},
		{"no layer 1", BearerCapability{TransferCapability: Transfer3_1kHzAudio, TransferRate: Rate64k}, []byte{0x90, 0x90}},
		{"layer 1 extension and layer 2", BearerCapability{TransferCapability: TransferUnrestrictedDigital, TransferRate: Rate64k, Layer1: Layer1V110, Layer1Extra: []byte{0x0f, 0x80}, Rest: []byte{0xc2}}, []byte{0x88, 0x90, 0x21, 0x0f, 0x80, 0xc2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ie, err := tc.b.IE()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(ie.Data, tc.data) {
				t.Fatalf("encoded % x, want % x", ie.Data, tc.data)
			}
			got, err := ParseBearerCapability(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.b) {
				t.Errorf("decoded %+v, want %+v", got, tc.b)
			}
		})
	}
	bad := [][]byte{nil, {0x88}, {0x08, 0x90}, {0x88, 0x98}, {0x88, 0x90, 0x21}, {0x88, 0x90, 0xa0}}
	for _, d := range bad {
		if _, err := ParseBearerCapability(d); !errors.Is(err, ErrInvalidIE) {
			t.Errorf("ParseBearerCapability(% x): %v", d, err)
		}
	}
}

func TestPartyNumber(t *testing.T) {
	tests := []struct {
		name string
		p    PartyNumber
		data []byte
	}{
		{"called, unknown", PartyNumber{Digits: "1234"}, []byte{0x80, '1', '2', '3', '4'}},
		{"called, international E.164", PartyNumber{Type: NumberInternational, Plan: PlanE164, Digits: "4420"}, []byte{0x91, '4', '4', '2', '0'}},
		{"calling, presentation restricted", PartyNumber{Type: NumberNational, Plan: PlanE164, HasPresentation: true, Presentation: PresentationRestricted, Screening: ScreeningNetwork, Digits: "555"}, []byte{0x21, 0xa3, '5', '5', '5'}},
		{"redirecting with reason", PartyNumber{Plan: PlanPrivate, HasPresentation: true, HasReason: true, Reason: RedirectBusy, Digits: "7"}, []byte{0x09, 0x00, 0x81, '7'}},
		{"empty digits", PartyNumber{Plan: PlanE164}, []byte{0x81}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, id := range []IEID{IECallingPartyNumber, IECalledPartyNumber, IEConnectedNumber, IERedirectingNumber} {
				ie, err := tc.p.IE(id)
				if err != nil {
					t.Fatal(err)
				}
				if ie.ID != id || !bytes.Equal(ie.Data, tc.data) {
					t.Fatalf("encoded %s % x, want % x", ie.ID, ie.Data, tc.data)
				}
			}
			got, err := ParsePartyNumber(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.p) {
				t.Errorf("decoded %+v, want %+v", got, tc.p)
			}
		})
	}
	bad := [][]byte{nil, {0x01}, {0x01, 0x01}, {0x01, 0x01, 0x01}}
	for _, d := range bad {
		if _, err := ParsePartyNumber(d); !errors.Is(err, ErrInvalidIE) {
			t.Errorf("ParsePartyNumber(% x): %v", d, err)
		}
	}
	if _, err := (PartyNumber{HasReason: true}).Data(); err == nil {
		t.Error("reason without presentation encoded")
	}
}

func TestMessageAccessors(t *testing.T) {
	m := Message{Type: Setup, CallRef: 42}
	calling := PartyNumber{Type: NumberNational, Plan: PlanE164, HasPresentation: true, Digits: "200"}
	called := PartyNumber{Plan: PlanE164, Digits: "100"}
	connected := PartyNumber{Digits: "101", HasPresentation: true, Screening: ScreeningNetwork}
	redirecting := PartyNumber{HasPresentation: true, HasReason: true, Reason: RedirectNoReply, Digits: "300"}
	cs := CallState{Value: CallStateActive}
	pi := ProgressIndicator{Location: LocationPublicRemote, Description: ProgressInbandInfoAvailable}
	ni := NotificationIndicator{Description: NotifyUserResumed}
	dt := DateTimeOf(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
	cause := Cause{Value: CauseUserBusy}
	steps := []error{
		m.SetCallingPartyNumber(calling),
		m.SetCalledPartyNumber(called),
		m.SetConnectedNumber(connected),
		m.SetRedirectingNumber(redirecting),
		m.SetCallState(cs),
		m.SetProgressIndicator(pi),
		m.SetNotificationIndicator(ni),
		m.SetDateTime(dt),
		m.SetCause(cause),
		m.SetDisplay("Alice"),
		m.SetKeypad("#"),
		m.SetH225([]byte{0x20, 0x01}),
	}
	m.SetSignal(SignalRingBackToneOn)
	m.SetMoreData(true)
	for i, err := range steps {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	raw, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	r, err := Unmarshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got, want any, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %+v, want %+v", name, got, want)
		}
	}
	v1, err := r.CallingPartyNumber()
	check("calling", v1, calling, err)
	v2, err := r.CalledPartyNumber()
	check("called", v2, called, err)
	v3, err := r.ConnectedNumber()
	check("connected", v3, connected, err)
	v4, err := r.RedirectingNumber()
	check("redirecting", v4, redirecting, err)
	v5, err := r.CallState()
	check("call state", v5, cs, err)
	v6, err := r.ProgressIndicator()
	check("progress", v6, pi, err)
	v7, err := r.NotificationIndicator()
	check("notification", v7, ni, err)
	v8, err := r.DateTime()
	check("date/time", v8, dt, err)
	if err == nil && !v8.Time(time.UTC).Equal(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)) {
		t.Errorf("date/time %v", v8.Time(time.UTC))
	}
	v9, err := r.Cause()
	check("cause", v9, cause, err)
	v10, err := r.Display()
	check("display", v10, "Alice", err)
	v11, err := r.Keypad()
	check("keypad", v11, "#", err)
	v12, err := r.Signal()
	check("signal", v12, SignalRingBackToneOn, err)
	v13, err := r.H225()
	check("h225", v13, []byte{0x20, 0x01}, err)
	if !r.MoreData() {
		t.Error("more data lost")
	}
	if r.String() == "" {
		t.Error("empty String")
	}
}

func TestTextElements(t *testing.T) {
	m := Message{Type: Information}
	m.Set(IE{ID: IEDisplay, Data: []byte("alice\x00")})
	if d, err := m.Display(); err != nil || d != "alice" {
		t.Errorf("display %q %v", d, err)
	}
	if err := m.SetDisplay(string(make([]byte, MaxDisplay+1))); !errors.Is(err, ErrTooLong) {
		t.Errorf("long display: %v", err)
	}
	tests := []struct {
		digits string
		ok     bool
	}{{"7", true}, {"123#*", true}, {"", false}, {"\x80", false}}
	for _, tc := range tests {
		if err := m.SetKeypad(tc.digits); (err == nil) != tc.ok {
			t.Errorf("SetKeypad(%q): %v", tc.digits, err)
		}
	}
	m.Set(IE{ID: IESignal, Data: []byte{1, 2}})
	if _, err := m.Signal(); !errors.Is(err, ErrInvalidIE) {
		t.Errorf("two-octet signal: %v", err)
	}
	m.Set(IE{ID: IEUserUser, Data: []byte{UserUserIA5, 'h'}})
	if _, err := m.H225(); !errors.Is(err, ErrInvalidIE) {
		t.Errorf("IA5 user-user as H.225: %v", err)
	}
}

func TestSmallElementsErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{"call state empty", func() error { _, err := ParseCallState(nil); return err }()},
		{"call state value", func() error { _, err := CallState{Value: 64}.IE(); return err }()},
		{"progress one octet", func() error { _, err := ParseProgressIndicator([]byte{0x80}); return err }()},
		{"progress no ext", func() error { _, err := ParseProgressIndicator([]byte{0x00, 0x88}); return err }()},
		{"progress description", func() error { _, err := ProgressIndicator{Description: 0x80}.IE(); return err }()},
		{"notification empty", func() error { _, err := ParseNotificationIndicator(nil); return err }()},
		{"date/time short", func() error { _, err := ParseDateTime([]byte{1, 2}); return err }()},
		{"date/time long", func() error { _, err := ParseDateTime(make([]byte, 7)); return err }()},
		{"date/time octets", func() error { _, err := DateTime{Octets: 2}.IE(); return err }()},
		{"user-user empty", func() error { _, err := ParseUserUser(nil); return err }()},
		{"user-user too long", func() error { _, err := UserUser{Info: make([]byte, MaxUserInfo+1)}.IE(); return err }()},
	}
	for _, tc := range tests {
		if tc.err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}
