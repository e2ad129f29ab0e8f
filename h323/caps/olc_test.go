package caps

import (
	"errors"
	"net/netip"
	"reflect"
	"testing"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/h323/h245"
)

var (
	addrA     = netip.MustParseAddr("192.0.2.10")
	addrB     = netip.MustParseAddr("2001:db8::20")
	rtpA      = netip.AddrPortFrom(addrA, 40000)
	rtcpA     = netip.AddrPortFrom(addrA, 40001)
	rtpB      = netip.AddrPortFrom(addrB, 50002)
	rtcpB     = netip.AddrPortFrom(addrB, 50003)
	olcH264BL = H264Media(H264{Profile: H264ProfileBaseline, Level: 71, PacketizationMode: 1}, 1920000)
)

var olcCases = []struct {
	name string
	olc  OLC
}{
	{"audio forward", OLC{Number: 101, Media: G711(false, 20), SessionID: SessionAudio, RTCP: rtcpA}},
	{"audio forward silence suppression", OLC{Number: 102, Media: G722(20), SessionID: SessionAudio, RTCP: rtcpA, SilenceSuppression: true}},
	{"audio reverse proposal", OLC{Number: 1, Reverse: true, Media: G711(true, 20), SessionID: SessionAudio, RTP: rtpA, RTCP: rtcpA}},
	{"G.722.1", OLC{Number: 103, Media: G7221(24000, 20), SessionID: SessionAudio, RTCP: rtcpB, PayloadType: 121}},
	{"H.261", OLC{Number: 104, Media: H261(Pictures{CIF: 1}, 621700), SessionID: SessionVideo, RTCP: rtcpA}},
	{"H.264 mode 1", OLC{Number: 105, Media: olcH264BL, SessionID: SessionVideo, RTCP: rtcpB, PayloadType: 97}},
	{"H.264 mode 0 reverse", OLC{Number: 2, Reverse: true, Media: H264Media(H264{Profile: H264ProfileHigh, Level: 92}, 4000000), SessionID: SessionVideo, RTP: rtpB, RTCP: rtcpB, PayloadType: 109}},
	{"H.239 content", OLC{Number: 106, Media: olcH264BL.AsContent(), SessionID: SessionContent, RTCP: rtcpA, PayloadType: 98}},
	{"H.224", OLC{Number: 107, Media: H224(64000), SessionID: SessionData, RTCP: rtcpA, PayloadType: 100}},
}

func TestOLCRoundTrip(t *testing.T) {
	for _, c := range olcCases {
		t.Run(c.name, func(t *testing.T) {
			msg, err := c.olc.Message()
			if err != nil {
				t.Fatal(err)
			}
			got, _ := roundTrip(t, &msg)
			o, err := ParseOLC(got.Request.OpenLogicalChannel)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(o, c.olc) {
				t.Errorf("parsed %+v, want %+v", o, c.olc)
			}
		})
	}
}

func TestOLCDefaults(t *testing.T) {
	o := OLC{Number: 9, Media: olcH264BL.AsContent(), PayloadType: 96}
	olc, err := o.OpenLogicalChannel()
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseOLC(&olc)
	if err != nil || p.SessionID != SessionContent {
		t.Errorf("content session %d, %v", p.SessionID, err)
	}
	c, err := p.Codec()
	want := call.Codec{Name: "H264", PayloadType: 96, ClockRate: 90000, FMTP: "profile-level-id=42e01f;packetization-mode=1"}
	if err != nil || c != want {
		t.Errorf("Codec = %+v, %v", c, err)
	}
	for r, s := range map[call.Role]uint8{call.RoleAudio: 1, call.RoleVideo: 2, call.RoleFECC: 3, call.RoleContent: 32} {
		if DefaultSession(r) != s {
			t.Errorf("DefaultSession(%v) = %d", r, DefaultSession(r))
		}
	}
	for _, bad := range []OLC{
		{Number: 0, Media: G711(true, 20)},
		{Number: 1, Media: G711(true, 20), PayloadType: 50},
		{Number: 1, Media: Media{Format: FormatTelephoneEvent}},
	} {
		if _, err := bad.OpenLogicalChannel(); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
	// A non-standard data type is unsupported but keeps its number.
	olc = h245.OpenLogicalChannel{ForwardLogicalChannelNumber: 77, ForwardLogicalChannelParameters: h245.OpenLogicalChannelForwardLogicalChannelParameters{
		DataType: h245.DataType{Choice: h245.DataTypeChoiceAudioData, AudioData: &h245.AudioCapability{Choice: h245.AudioCapabilityChoiceG729, G729: 2}},
	}}
	if p, err := ParseOLC(&olc); !errors.Is(err, ErrUnsupported) || p.Number != 77 {
		t.Errorf("G.729: %+v %v", p, err)
	}
}

func TestOLCAckRoundTrip(t *testing.T) {
	for _, a := range []OLCAck{
		{Number: 101, SessionID: 1, RTP: rtpA, RTCP: rtcpA},
		{Number: 102, SessionID: 32, RTP: rtpB, RTCP: rtcpB, PayloadType: 98},
		{Number: 103},
	} {
		msg, err := a.Message()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := roundTrip(t, &msg)
		p, err := ParseOLCAck(got.Response.OpenLogicalChannelAck)
		if err != nil || !reflect.DeepEqual(p, a) {
			t.Errorf("parsed %+v, %v; want %+v", p, err, a)
		}
	}
	if _, err := (OLCAck{Number: 1, PayloadType: 5}).Message(); !errors.Is(err, ErrInvalid) {
		t.Errorf("payload type 5: %v", err)
	}
}

func TestCloseLogicalChannel(t *testing.T) {
	m := CloseLogicalChannel(104)
	got, _ := roundTrip(t, &m)
	if n, ok := ParseCloseLogicalChannel(got); !ok || n != 104 {
		t.Errorf("ParseCloseLogicalChannel = %d, %v", n, ok)
	}
	ack := CloseLogicalChannelAck(104)
	got, _ = roundTrip(t, &ack)
	if got.Response.CloseLogicalChannelAck.ForwardLogicalChannelNumber != 104 {
		t.Error("CLC ack")
	}
	if _, ok := ParseCloseLogicalChannel(got); ok {
		t.Error("an ack parsed as a close")
	}
	rej := OLCReject(5)
	roundTrip(t, &rej)
}

func TestFastStart(t *testing.T) {
	var chans []OLC
	for _, c := range olcCases {
		chans = append(chans, c.olc)
	}
	elems, err := FastStart(chans...)
	if err != nil {
		t.Fatal(err)
	}
	got, skipped, err := ParseFastStart(elems)
	if err != nil || len(skipped) != 0 || !reflect.DeepEqual(got, chans) {
		t.Fatalf("ParseFastStart = %+v, %v, %v", got, skipped, err)
	}
	if _, err := DecodeFastStart([][]byte{elems[0], {0xff}}); err == nil {
		t.Error("malformed element: no error")
	}
	if _, err := DecodeFastStart([][]byte{append(elems[0], 0, 0, 0)}); !errors.Is(err, ErrInvalid) {
		t.Errorf("trailing octets: %v", err)
	}
}
