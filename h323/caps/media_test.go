package caps

import (
	"errors"
	"reflect"
	"testing"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/h323/h245"
)

// mediaCases are media values as the parsers return them (every default
// spelled out), with the codec each maps to.
var mediaCases = []struct {
	name  string
	media Media
	codec call.Codec
}{
	{"G.711 µ-law", G711(true, 20), call.Codec{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1, PacketTime: 20}},
	{"G.711 A-law", G711(false, 30), call.Codec{Name: "PCMA", PayloadType: 8, ClockRate: 8000, Channels: 1, PacketTime: 30}},
	{"G.722", G722(20), call.Codec{Name: "G722", PayloadType: 9, ClockRate: 8000, Channels: 1, PacketTime: 20}},
	{"G.722.1 24k", G7221(24000, 20), call.Codec{Name: "G7221", ClockRate: 16000, Channels: 1, FMTP: "bitrate=24000", PacketTime: 20}},
	{"G.722.1 32k 40ms", G7221(32000, 40), call.Codec{Name: "G7221", ClockRate: 16000, Channels: 1, FMTP: "bitrate=32000", PacketTime: 40}},
	{"H.261", H261(Pictures{QCIF: 1, CIF: 2}, 384000), call.Codec{Name: "H261", PayloadType: 31, ClockRate: 90000, FMTP: "CIF=2;QCIF=1"}},
	{"H.261 still", Media{Format: FormatH261, Pictures: Pictures{CIF: 1}, MaxBitRate: 621700, StillImage: true},
		call.Codec{Name: "H261", PayloadType: 31, ClockRate: 90000, FMTP: "CIF=1;D=1"}},
	{"H.263", H263(Pictures{SQCIF: 1, QCIF: 1, CIF: 1, CIF4: 2, CIF16: 4}, H263Options{UnrestrictedVector: true, AdvancedPrediction: true}, 1920000),
		call.Codec{Name: "H263", PayloadType: 34, ClockRate: 90000, FMTP: "CIF16=4;CIF4=2;CIF=1;QCIF=1;SQCIF=1;D=1;F=1"}},
	{"H.264 baseline 3.1", H264Media(H264{Profile: H264ProfileBaseline, Level: 71, PacketizationMode: 1}, 1920000),
		call.Codec{Name: "H264", ClockRate: 90000, FMTP: "profile-level-id=42e01f;packetization-mode=1"}},
	{"H.264 high 4.1 custom", H264Media(H264{Profile: H264ProfileHigh, Level: 92, MaxMBPS: 490, MaxFS: 36, MaxBRandCPB: 160}, 4000000),
		call.Codec{Name: "H264", ClockRate: 90000, FMTP: "profile-level-id=640029;packetization-mode=0;max-mbps=245000;max-fs=9216;max-br=4000"}},
	{"H.264 content", H264Media(H264{Profile: H264ProfileMain, Level: 64, PacketizationMode: 1}, 512000).AsContent(),
		call.Codec{Name: "H264", ClockRate: 90000, FMTP: "profile-level-id=4d001e;packetization-mode=1"}},
	{"H.263 content", H263(Pictures{CIF: 1}, H263Options{}, 512000).AsContent(),
		call.Codec{Name: "H263", PayloadType: 34, ClockRate: 90000, FMTP: "CIF=1"}},
	{"H.224", H224(64000), call.Codec{Name: "H224", ClockRate: 4800}},
}

func TestMediaDataTypeRoundTrip(t *testing.T) {
	for _, c := range mediaCases {
		t.Run(c.name, func(t *testing.T) {
			dt, err := c.media.DataType()
			if err != nil {
				t.Fatal(err)
			}
			got, _ := roundTrip(t, &dt)
			m, err := ParseDataType(got)
			if err != nil {
				t.Fatal(err)
			}
			want := c.media
			want.H264.PacketizationMode = 0 // travels in the channel parameters, not the data type
			if !reflect.DeepEqual(m, want) {
				t.Errorf("parsed %+v, want %+v", m, want)
			}
			if m.Role() != c.media.Role() {
				t.Errorf("role %v, want %v", m.Role(), c.media.Role())
			}
		})
	}
}

func TestMediaCodec(t *testing.T) {
	for _, c := range mediaCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.media.Codec()
			if err != nil {
				t.Fatal(err)
			}
			if got != c.codec {
				t.Errorf("Codec() = %+v, want %+v", got, c.codec)
			}
			back, err := FromCodec(got, c.media.Role())
			if err != nil {
				t.Fatal(err)
			}
			want := c.media
			if want.Format != FormatG7221 {
				want.MaxBitRate = 0 // a call.Codec carries no bit rate but G.722.1's
			}
			if !reflect.DeepEqual(back, want) {
				t.Errorf("FromCodec = %+v, want %+v", back, want)
			}
		})
	}
}

func TestH264ProfileLevelID(t *testing.T) {
	cases := []struct {
		h    H264
		plid string
	}{
		{H264{Profile: H264ProfileBaseline, Level: 15}, "42e00a"},
		{H264{Profile: H264ProfileBaseline, Level: 19}, "42f00b"},
		{H264{Profile: H264ProfileBaseline, Level: 22}, "42e00b"},
		{H264{Profile: H264ProfileBaseline, Level: 71}, "42e01f"},
		{H264{Profile: H264ProfileMain, Level: 64}, "4d001e"},
		{H264{Profile: H264ProfileExtended, Level: 43}, "580014"},
		{H264{Profile: H264ProfileHigh, Level: 92}, "640029"},
		{H264{Profile: H264ProfileHigh, Level: 19}, "640009"},
		{H264{Profile: H264ProfileHigh10, Level: 106}, "6e0032"},
		{H264{Profile: H264ProfileHigh422, Level: 113}, "7a0033"},
		{H264{Profile: H264ProfileHigh444, Level: 120}, "f40034"},
		{H264{Profile: H264ProfileBaseline | H264ProfileHigh, Level: 85}, "640028"},
	}
	for _, c := range cases {
		got, err := c.h.ProfileLevelID()
		if err != nil || got != c.plid {
			t.Errorf("%+v: ProfileLevelID = %q, %v; want %q", c.h, got, err, c.plid)
			continue
		}
		p, l, err := ParseProfileLevelID(c.plid)
		wantP := c.h.Profile
		if wantP == H264ProfileBaseline|H264ProfileHigh {
			wantP = H264ProfileHigh
		}
		if err != nil || p != wantP || l != c.h.Level {
			t.Errorf("ParseProfileLevelID(%q) = %d, %d, %v; want %d, %d", c.plid, p, l, err, wantP, c.h.Level)
		}
	}
	for _, bad := range []string{"", "42e0", "zzzzzz", "2ae01f", "42e0ff"} {
		if _, _, err := ParseProfileLevelID(bad); err == nil {
			t.Errorf("ParseProfileLevelID(%q): no error", bad)
		}
	}
	if _, err := (H264{Profile: H264ProfileBaseline, Level: 16}).ProfileLevelID(); !errors.Is(err, ErrInvalid) {
		t.Errorf("level 16: %v", err)
	}
}

func TestFromCodecUnsupported(t *testing.T) {
	for _, c := range []struct {
		codec call.Codec
		role  call.Role
	}{
		{call.Codec{Name: "OPUS", ClockRate: 48000, Channels: 2}, call.RoleAudio},
		{call.Codec{Name: "VP8", ClockRate: 90000}, call.RoleVideo},
		{call.Codec{Name: "H264", ClockRate: 90000, FMTP: "profile-level-id=f00029"}, call.RoleVideo},
		{call.Codec{Name: "H264", ClockRate: 90000, FMTP: "packetization-mode=2"}, call.RoleVideo},
		{call.Codec{Name: "G7221", ClockRate: 32000}, call.RoleAudio},
		{call.Codec{Name: "PCMU", ClockRate: 8000}, call.RoleContent},
	} {
		if _, err := FromCodec(c.codec, c.role); !errors.Is(err, ErrUnsupported) {
			t.Errorf("FromCodec(%v, %v) = %v, want ErrUnsupported", c.codec, c.role, err)
		}
	}
}

func TestFromCodecDefaults(t *testing.T) {
	m, err := FromCodec(call.Codec{Name: "H264", PayloadType: 109, ClockRate: 90000, FMTP: "packetization-mode=1;max-br=1000;max-mbps=40500;level-asymmetry-allowed=1"}, call.RoleVideo)
	if err != nil {
		t.Fatal(err)
	}
	want := Media{Format: FormatH264, PayloadType: 109, H264: H264{Profile: H264ProfileBaseline, Level: 71, MaxMBPS: 81, MaxBRandCPB: 40, PacketizationMode: 1}}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("FromCodec = %+v, want %+v", m, want)
	}
	m, err = FromCodec(call.Codec{Name: "H261", ClockRate: 90000, FMTP: "CIF=8;QCIF=2"}, call.RoleVideo)
	if err != nil || m.Pictures != (Pictures{CIF: 4, QCIF: 2}) {
		t.Errorf("H.261 MPIs clamp: %+v %v", m.Pictures, err)
	}
	m, err = FromCodec(call.Codec{Name: "telephone-event", PayloadType: 101, ClockRate: 8000}, call.RoleAudio)
	if err != nil || m.Events != "0-15" || m.PayloadType != 101 {
		t.Errorf("telephone-event: %+v %v", m, err)
	}
}

// TestMediaBuildErrors checks that impossible media are refused.
func TestMediaBuildErrors(t *testing.T) {
	for _, m := range []Media{
		{Format: FormatUnknown},
		{Format: FormatTelephoneEvent, PayloadType: 101},
		{Format: FormatH261},
		{Format: FormatH261, Pictures: Pictures{CIF: 5}},
		{Format: FormatH261, Pictures: Pictures{CIF4: 1}},
		{Format: FormatH263},
		{Format: FormatH263, Pictures: Pictures{CIF: 33}},
		{Format: FormatH264},
		{Format: FormatH264, H264: H264{Profile: H264ProfileHigh, Level: 200}},
	} {
		if _, err := m.DataType(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: DataType error %v, want ErrInvalid", m, err)
		}
	}
}

// TestParseLenient checks the forms received capabilities take in the
// field: G.722.1 maxBitRate in bit/s, H.264 limits as unsignedMin, unknown
// parameters.
func TestParseLenient(t *testing.T) {
	g := &h245.GenericCapability{
		CapabilityIdentifier: standardID(oidG7221), MaxBitRate: new(uint32(32000)),
		Collapsing: &[]h245.GenericParameter{paramUnsignedMin(g7221ParamFrames, 2)},
	}
	m, err := ParseAudioCapability(&h245.AudioCapability{Choice: h245.AudioCapabilityChoiceGenericAudioCapability, GenericAudioCapability: g})
	if err != nil || m.MaxBitRate != 32000 || m.PacketTime != 40 {
		t.Errorf("G.722.1 in bit/s: %+v %v", m, err)
	}
	h := &h245.GenericCapability{
		CapabilityIdentifier: standardID(oidH264), MaxBitRate: new(uint32(5120)),
		Collapsing: &[]h245.GenericParameter{
			paramUnsignedMin(h264ParamCustomMaxFS, 12), paramBooleanArray(h264ParamProfile, 64),
			paramUnsignedMin(h264ParamLevel, 43), paramUnsignedMax(9, 1400),
		},
	}
	ms, err := ParseVideoCapability(&h245.VideoCapability{Choice: h245.VideoCapabilityChoiceGenericVideoCapability, GenericVideoCapability: h})
	want := Media{Format: FormatH264, MaxBitRate: 512000, H264: H264{Profile: 64, Level: 43, MaxFS: 12}}
	if err != nil || len(ms) != 1 || !reflect.DeepEqual(ms[0], want) {
		t.Errorf("H.264: %+v %v", ms, err)
	}
	h.Collapsing = &[]h245.GenericParameter{paramBooleanArray(h264ParamProfile, 64)}
	if _, err := ParseVideoCapability(&h245.VideoCapability{Choice: h245.VideoCapabilityChoiceGenericVideoCapability, GenericVideoCapability: h}); !errors.Is(err, ErrInvalid) {
		t.Errorf("H.264 without level: %v", err)
	}
	x := &h245.VideoCapability{Choice: h245.VideoCapabilityChoiceExtendedVideoCapability,
		ExtendedVideoCapability: &h245.ExtendedVideoCapability{VideoCapability: []h245.VideoCapability{{Choice: h245.VideoCapabilityChoiceH261VideoCapability, H261VideoCapability: &h245.H261VideoCapability{CifMPI: new(uint8(1)), MaxBitRate: 100}}}}}
	if _, err := ParseVideoCapability(x); !errors.Is(err, ErrUnsupported) {
		t.Errorf("extended video without H.239: %v", err)
	}
}
