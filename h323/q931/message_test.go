package q931

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

func TestUnmarshalErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"header only partly", []byte{0x08, 0x02, 0x00}, ErrTruncated},
		{"not q931", []byte{0x09, 0x02, 0, 1, 0x05}, ErrProtocol},
		{"call ref length 1", []byte{0x08, 0x01, 0x01, 0x05, 0x28}, ErrCallReference},
		{"call ref length 0", []byte{0x08, 0x00, 0x05, 0x04, 0x01}, ErrCallReference},
		{"spare bits in call ref length", []byte{0x08, 0x12, 0, 1, 0x05}, ErrCallReference},
		{"element without length", []byte{0x08, 0x02, 0, 1, 0x05, 0x28}, ErrTruncated},
		{"element overruns", []byte{0x08, 0x02, 0, 1, 0x05, 0x28, 0x05, 'a'}, ErrTruncated},
		{"user-user one length octet", []byte{0x08, 0x02, 0, 1, 0x05, 0x7e, 0x00}, ErrTruncated},
		{"user-user overruns", []byte{0x08, 0x02, 0, 1, 0x05, 0x7e, 0x01, 0x00, 0x05}, ErrTruncated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m Message
			if err := m.Unmarshal(tc.in); !errors.Is(err, tc.want) {
				t.Errorf("err %v, want %v", err, tc.want)
			}
		})
	}
}

func TestUnmarshalElements(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want Message
	}{
		{
			name: "no elements",
			in:   []byte{0x08, 0x02, 0x80, 0x01, 0x02},
			want: Message{CallRef: 1, FromDestination: true, Type: CallProceeding},
		},
		{
			name: "user-user two-octet length",
			in:   []byte{0x08, 0x02, 0x12, 0x34, 0x05, 0xa1, 0x28, 0x01, 'x', 0x7e, 0x00, 0x02, 0x05, 0xaa},
			want: Message{CallRef: 0x1234, Type: Setup, IEs: []IE{
				{ID: IESendingComplete},
				{ID: IEDisplay, Data: []byte("x")},
				{ID: IEUserUser, Data: []byte{0x05, 0xaa}},
			}},
		},
		{
			name: "unknown type and element kept",
			in:   []byte{0x08, 0x02, 0x00, 0x07, 0x99, 0x1c, 0x00, 0x55, 0x02, 0x01, 0x02},
			want: Message{CallRef: 7, Type: MessageType(0x99), IEs: []IE{
				{ID: IEFacility, Data: []byte{}},
				{ID: 0x55, Data: []byte{1, 2}},
			}},
		},
		{
			name: "non-locking shift applies to one element",
			in: []byte{0x08, 0x02, 0, 1, 0x7b,
				0x9e,             // non-locking shift to codeset 6
				0x7e, 0x01, 0xaa, // codeset 6: one-octet length
				0x7e, 0x00, 0x01, 0x05, // codeset 0 again: two-octet length
			},
			want: Message{CallRef: 1, Type: Information, IEs: []IE{
				{ID: 0x9e},
				{ID: 0x7e, Codeset: 6, Data: []byte{0xaa}},
				{ID: IEUserUser, Data: []byte{0x05}},
			}},
		},
		{
			name: "locking shift applies to the rest",
			in: []byte{0x08, 0x02, 0, 1, 0x7b,
				0x95,             // locking shift to codeset 5
				0x7e, 0x01, 0xaa, // codeset 5
				0xa1,             // single octet in codeset 5
				0x7e, 0x01, 0xbb, // still codeset 5
			},
			want: Message{CallRef: 1, Type: Information, IEs: []IE{
				{ID: 0x95},
				{ID: 0x7e, Codeset: 5, Data: []byte{0xaa}},
				{ID: 0xa1, Codeset: 5},
				{ID: 0x7e, Codeset: 5, Data: []byte{0xbb}},
			}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m Message
			if err := m.Unmarshal(tc.in); err != nil {
				t.Fatal(err)
			}
			if m.CallRef != tc.want.CallRef || m.FromDestination != tc.want.FromDestination || m.Type != tc.want.Type {
				t.Errorf("header %+v, want %+v", m, tc.want)
			}
			if !slices.EqualFunc(m.IEs, tc.want.IEs, func(a, b IE) bool {
				return a.ID == b.ID && a.Codeset == b.Codeset && bytes.Equal(a.Data, b.Data)
			}) {
				t.Errorf("elements %v, want %v", m.IEs, tc.want.IEs)
			}
			out, err := m.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, tc.in) {
				t.Errorf("re-encoded % x, want % x", out, tc.in)
			}
		})
	}
}

func TestMarshalErrors(t *testing.T) {
	tests := []struct {
		name string
		m    Message
		want error
	}{
		{"call ref over 15 bits", Message{CallRef: 0x8000}, ErrCallReference},
		{"display over 255", Message{IEs: []IE{{ID: IEDisplay, Data: make([]byte, 256)}}}, ErrTooLong},
		{"user-user over 65535", Message{IEs: []IE{{ID: IEUserUser, Data: make([]byte, 65536)}}}, ErrTooLong},
		{"user-user in codeset 6 over 255", Message{IEs: []IE{{ID: 0x9e}, {ID: IEUserUser, Data: make([]byte, 256)}}}, ErrTooLong},
		{"single octet with data", Message{IEs: []IE{{ID: IESendingComplete, Data: []byte{1}}}}, ErrInvalidIE},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.m.Marshal(); !errors.Is(err, tc.want) {
				t.Errorf("err %v, want %v", err, tc.want)
			}
		})
	}
}

func TestSetOrdering(t *testing.T) {
	var m Message
	m.SetH225([]byte{1})
	if err := m.SetCalledPartyNumber(PartyNumber{Digits: "100"}); err != nil {
		t.Fatal(err)
	}
	if err := m.SetBearerCapability(BearerCapability{TransferCapability: TransferUnrestrictedDigital, TransferRate: Rate384k, Layer1: Layer1H221}); err != nil {
		t.Fatal(err)
	}
	m.SetSendingComplete(true)
	if err := m.SetDisplay("alice"); err != nil {
		t.Fatal(err)
	}
	if err := m.SetCallingPartyNumber(PartyNumber{Digits: "200"}); err != nil {
		t.Fatal(err)
	}
	if err := m.SetDisplay("bob"); err != nil { // replaces
		t.Fatal(err)
	}
	var got []IEID
	for _, ie := range m.IEs {
		got = append(got, ie.ID)
	}
	want := []IEID{IESendingComplete, IEBearerCapability, IEDisplay, IECallingPartyNumber, IECalledPartyNumber, IEUserUser}
	if !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	if d, _ := m.Display(); d != "bob" {
		t.Errorf("display %q", d)
	}
	m.SetSendingComplete(false)
	m.Remove(IEDisplay)
	if m.SendingComplete() || m.Has(IEDisplay) || len(m.IEs) != 4 {
		t.Errorf("after removal: %v", m.IEs)
	}
	if _, err := m.Cause(); !errors.Is(err, ErrNotPresent) {
		t.Errorf("Cause of a message without one: %v", err)
	}
}

func TestMessageTypeString(t *testing.T) {
	tests := []struct {
		t    MessageType
		want string
	}{
		{Setup, "Setup"},
		{ReleaseComplete, "ReleaseComplete"},
		{StatusEnquiry, "StatusEnquiry"},
		{MessageType(0x99), "MessageType(0x99)"},
	}
	for _, tc := range tests {
		if got := tc.t.String(); got != tc.want {
			t.Errorf("%d: %q, want %q", uint8(tc.t), got, tc.want)
		}
	}
}

func TestCloneDoesNotAlias(t *testing.T) {
	in := []byte{0x08, 0x02, 0, 1, 0x05, 0x28, 0x01, 'x'}
	m, err := Unmarshal(in)
	if err != nil {
		t.Fatal(err)
	}
	c := m.Clone()
	in[7] = 'y'
	if d, _ := c.Display(); d != "x" {
		t.Errorf("clone display %q changed with the input", d)
	}
	if d, _ := m.Display(); d != "y" {
		t.Errorf("original display %q should alias the input", d)
	}
}

func TestZeroAlloc(t *testing.T) {
	setup := sampleSetup(t)
	var m Message
	if err := m.Unmarshal(setup); err != nil {
		t.Fatal(err)
	}
	if a := testing.AllocsPerRun(100, func() { _ = m.Unmarshal(setup) }); a != 0 {
		t.Errorf("Unmarshal into a reused Message: %v allocations", a)
	}
	buf := make([]byte, 0, 1024)
	if a := testing.AllocsPerRun(100, func() { _, _ = m.AppendBinary(buf[:0]) }); a != 0 {
		t.Errorf("AppendBinary: %v allocations", a)
	}
	if a := testing.AllocsPerRun(100, func() { _, _ = m.Marshal() }); a != 1 {
		t.Errorf("Marshal: %v allocations, want 1", a)
	}
}
