package caps

import (
	"errors"
	"reflect"
	"testing"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/h323/h245"
)

func TestEntryRoundTrip(t *testing.T) {
	cases := []Entry{
		{Number: 1, Direction: Receive, Media: []Media{G711(false, 20)}},
		{Number: 2, Direction: Transmit, Media: []Media{G722(30)}},
		{Number: 3, Direction: ReceiveAndTransmit, Media: []Media{G7221(32000, 20)}},
		{Number: 4, Direction: Receive, Media: []Media{H264Media(H264{Profile: H264ProfileHigh, Level: 85, MaxMBPS: 245}, 2048000)}},
		{Number: 5, Direction: Receive, Media: []Media{
			H264Media(H264{Profile: H264ProfileBaseline, Level: 64}, 1024000).AsContent(),
			H263(Pictures{CIF: 1, QCIF: 1}, H263Options{}, 1024000).AsContent(),
		}},
		{Number: 6, Direction: ReceiveAndTransmit, Media: []Media{H224(64000)}},
		{Number: 7, Direction: ReceiveAndTransmit, Control: ControlH239},
		{Number: 8, Direction: Receive, Control: ControlDTMF},
		{Number: 9, Direction: Transmit, Control: ControlBasicString},
		{Number: 10, Direction: ReceiveAndTransmit, Control: ControlHookflash},
		{Number: 11, Direction: Receive, Media: []Media{{Format: FormatTelephoneEvent, PayloadType: 101, Events: "0-16"}}},
		{Number: 65535, Direction: Transmit, Media: []Media{H261(Pictures{QCIF: 1}, 64000)}},
	}
	for _, e := range cases {
		c, err := e.Capability()
		if err != nil {
			t.Fatalf("entry %d: %v", e.Number, err)
		}
		got, _ := roundTrip(t, &c)
		p, err := ParseEntry(got)
		if err != nil {
			t.Fatalf("entry %d: %v", e.Number, err)
		}
		if !reflect.DeepEqual(p, e) {
			t.Errorf("entry %d parses to %+v, want %+v", e.Number, p, e)
		}
	}
	for _, bad := range []Entry{
		{Number: 0, Media: []Media{G711(true, 20)}},
		{Number: 1},
		{Number: 1, Control: ControlDTMF, Media: []Media{G711(true, 20)}},
		{Number: 1, Media: []Media{G711(true, 20), G722(20)}},
		{Number: 1, Media: []Media{H261(Pictures{CIF: 1}, 0), H261(Pictures{QCIF: 1}, 0)}},
		{Number: 1, Direction: Transmit, Media: []Media{{Format: FormatTelephoneEvent, PayloadType: 101}}},
		{Number: 1, Media: []Media{{Format: FormatTelephoneEvent, PayloadType: 10}}},
		{Number: 1, Control: Control(99)},
	} {
		if _, err := bad.Capability(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: error %v, want ErrInvalid", bad, err)
		}
	}
}

// sampleOffer is what a SIP or WebRTC leg might hand the H.323 leg.
func sampleOffer() call.Offer {
	return call.Offer{Streams: []call.StreamOffer{
		{ID: "0", Role: call.RoleAudio, Codecs: []call.Codec{
			{Name: "OPUS", PayloadType: 111, ClockRate: 48000, Channels: 2},
			{Name: "G722", PayloadType: 9, ClockRate: 8000, Channels: 1},
			{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1, PacketTime: 20},
			{Name: "PCMA", PayloadType: 8, ClockRate: 8000, Channels: 1, PacketTime: 20},
			{Name: "telephone-event", PayloadType: 101, ClockRate: 8000, Channels: 1, FMTP: "0-16"},
		}},
		{ID: "1", Role: call.RoleVideo, MaxBitrate: 2048000, Codecs: []call.Codec{
			{Name: "VP8", PayloadType: 96, ClockRate: 90000},
			{Name: "H264", PayloadType: 97, ClockRate: 90000, FMTP: "profile-level-id=640028;packetization-mode=1"},
			{Name: "H264", PayloadType: 98, ClockRate: 90000, FMTP: "profile-level-id=42e01f;packetization-mode=1"},
			{Name: "H263", PayloadType: 34, ClockRate: 90000, FMTP: "CIF=1;QCIF=1"},
		}},
		{ID: "2", Role: call.RoleContent, MaxBitrate: 1024000, Codecs: []call.Codec{
			{Name: "H264", PayloadType: 99, ClockRate: 90000, FMTP: "profile-level-id=42e01f;packetization-mode=1"},
		}},
		{ID: "3", Role: call.RoleFECC, Codecs: []call.Codec{{Name: "H224", PayloadType: 100, ClockRate: 4800}}},
		{ID: "4", Role: call.RoleVideo, Disabled: true, Codecs: []call.Codec{{Name: "H261", PayloadType: 31, ClockRate: 90000}}},
	}}
}

func TestFromOffer(t *testing.T) {
	s, err := FromOffer(sampleOffer(), 3)
	if err != nil {
		t.Fatal(err)
	}
	bl := H264{Profile: H264ProfileBaseline, Level: 71, PacketizationMode: 1}
	want := CapabilitySet{
		SequenceNumber: 3,
		Entries: []Entry{
			{Number: 1, Media: []Media{G722(0)}},
			{Number: 2, Media: []Media{G711(true, 20)}},
			{Number: 3, Media: []Media{G711(false, 20)}},
			{Number: 4, Media: []Media{{Format: FormatTelephoneEvent, PayloadType: 101, Events: "0-16"}}},
			{Number: 5, Media: []Media{{Format: FormatH264, PayloadType: 97, MaxBitRate: 2048000, H264: H264{Profile: H264ProfileHigh, Level: 85, PacketizationMode: 1}}}},
			{Number: 6, Media: []Media{{Format: FormatH264, PayloadType: 98, MaxBitRate: 2048000, H264: bl}}},
			{Number: 7, Media: []Media{{Format: FormatH263, MaxBitRate: 2048000, Pictures: Pictures{CIF: 1, QCIF: 1}}}},
			{Number: 8, Media: []Media{{Format: FormatH264, PayloadType: 99, MaxBitRate: 1024000, H264: bl, Content: true}}},
			{Number: 9, Direction: ReceiveAndTransmit, Media: []Media{{Format: FormatH224, PayloadType: 100}}},
			{Number: 10, Direction: ReceiveAndTransmit, Control: ControlH239},
			{Number: 11, Control: ControlBasicString},
			{Number: 12, Control: ControlDTMF},
		},
		Descriptors: []Descriptor{{Number: 1, Simultaneous: [][]uint16{{1, 2, 3}, {5, 6, 7}, {8}, {9}, {10}, {11, 12, 4}}}},
	}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("FromOffer:\n got %+v\nwant %+v", s, want)
	}

	msg, err := s.Message()
	if err != nil {
		t.Fatal(err)
	}
	got, _ := roundTrip(t, &msg)
	parsed, err := ParseTCS(got.Request.TerminalCapabilitySet)
	if err != nil {
		t.Fatal(err)
	}
	// What is lost on the wire: payload types of formats that have a
	// dynamic one (a TCS has none), G.722's default packet time spelled
	// out, H.224's default rate.
	want.Entries[0].Media[0].PacketTime = 20
	for _, n := range []int{4, 5, 7} {
		want.Entries[n].Media[0].PayloadType = 0
	}
	want.Entries[8].Media[0] = H224(64000)
	if !reflect.DeepEqual(parsed, want) {
		t.Fatalf("ParseTCS:\n got %+v\nwant %+v", parsed, want)
	}

	o := parsed.Offer()
	wantOffer := call.Offer{Streams: []call.StreamOffer{
		{ID: "audio", Role: call.RoleAudio, Codecs: []call.Codec{
			{Name: "G722", PayloadType: 9, ClockRate: 8000, Channels: 1, PacketTime: 20},
			{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1, PacketTime: 20},
			{Name: "PCMA", PayloadType: 8, ClockRate: 8000, Channels: 1, PacketTime: 20},
			{Name: "TELEPHONE-EVENT", PayloadType: 101, ClockRate: 8000, Channels: 1, FMTP: "0-16"},
		}},
		{ID: "video", Role: call.RoleVideo, MaxBitrate: 2048000, Codecs: []call.Codec{
			{Name: "H264", PayloadType: 96, ClockRate: 90000, FMTP: "profile-level-id=640028;packetization-mode=1"},
			{Name: "H264", PayloadType: 97, ClockRate: 90000, FMTP: "profile-level-id=42e01f;packetization-mode=1"},
			{Name: "H263", PayloadType: 34, ClockRate: 90000, FMTP: "CIF=1;QCIF=1"},
		}},
		{ID: "content", Role: call.RoleContent, MaxBitrate: 1024000, Codecs: []call.Codec{
			{Name: "H264", PayloadType: 98, ClockRate: 90000, FMTP: "profile-level-id=42e01f;packetization-mode=1"},
		}},
		{ID: "fecc", Role: call.RoleFECC, MaxBitrate: 64000, Codecs: []call.Codec{{Name: "H224", PayloadType: 99, ClockRate: 4800}}},
	}}
	if !reflect.DeepEqual(o, wantOffer) {
		t.Fatalf("Offer:\n got %+v\nwant %+v", o, wantOffer)
	}
	if !parsed.Has(ControlH239) || !parsed.Has(ControlDTMF) || parsed.Has(ControlHookflash) {
		t.Error("Has")
	}
}

func TestOfferWithoutDescriptors(t *testing.T) {
	s := CapabilitySet{Entries: []Entry{
		{Number: 7, Media: []Media{H261(Pictures{CIF: 1}, 384000)}},
		{Number: 3, Media: []Media{G711(false, 20)}},
		{Number: 4, Direction: Transmit, Media: []Media{G711(true, 20)}},
		{Number: 9, Direction: Transmit, Media: []Media{H224(6400)}},
	}}
	o := s.Offer()
	want := call.Offer{Streams: []call.StreamOffer{
		{ID: "video", Role: call.RoleVideo, MaxBitrate: 384000, Codecs: []call.Codec{{Name: "H261", PayloadType: 31, ClockRate: 90000, FMTP: "CIF=1"}}},
		{ID: "audio", Role: call.RoleAudio, Codecs: []call.Codec{
			{Name: "PCMA", PayloadType: 8, ClockRate: 8000, Channels: 1, PacketTime: 20},
			{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1, PacketTime: 20},
		}},
		{ID: "fecc", Role: call.RoleFECC, Direction: call.SendOnly, MaxBitrate: 6400, Codecs: []call.Codec{{Name: "H224", PayloadType: 96, ClockRate: 4800}}},
	}}
	if !reflect.DeepEqual(o, want) {
		t.Fatalf("Offer:\n got %+v\nwant %+v", o, want)
	}
}

func TestTCSErrors(t *testing.T) {
	for _, s := range []CapabilitySet{
		{Entries: []Entry{{Number: 1, Media: []Media{G711(true, 20)}}, {Number: 1, Media: []Media{G722(20)}}}},
		{Entries: []Entry{{Number: 1, Media: []Media{G711(true, 20)}}}, Descriptors: []Descriptor{{Simultaneous: [][]uint16{{2}}}}},
		{Entries: []Entry{{Number: 1, Media: []Media{G711(true, 20)}}}, Descriptors: []Descriptor{{Simultaneous: [][]uint16{{}}}}},
	} {
		if _, err := s.TCS(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v", s, err)
		}
	}
	// Unsupported entries are listed, removals skipped.
	tcs := h245.TerminalCapabilitySet{CapabilityTable: &[]h245.CapabilityTableEntry{
		{CapabilityTableEntryNumber: 1, Capability: &h245.Capability{Choice: h245.CapabilityChoiceReceiveAudioCapability,
			ReceiveAudioCapability: &h245.AudioCapability{Choice: h245.AudioCapabilityChoiceG729, G729: 2}}},
		{CapabilityTableEntryNumber: 2},
		{CapabilityTableEntryNumber: 3, Capability: &h245.Capability{Choice: h245.CapabilityChoiceReceiveAudioCapability,
			ReceiveAudioCapability: &h245.AudioCapability{Choice: h245.AudioCapabilityChoiceG711Ulaw64k, G711Ulaw64k: 20}}},
	}}
	s, err := ParseTCS(&tcs)
	if err != nil || len(s.Entries) != 1 || s.Entries[0].Number != 3 || !reflect.DeepEqual(s.Unsupported, []uint16{1}) {
		t.Errorf("ParseTCS = %+v, %v", s, err)
	}
}

func TestTCSAck(t *testing.T) {
	m := TCSAck(7)
	got, _ := roundTrip(t, &m)
	if got.Response.TerminalCapabilitySetAck.SequenceNumber != 7 {
		t.Error("sequence number")
	}
}
