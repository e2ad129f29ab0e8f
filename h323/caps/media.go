package caps

import (
	"fmt"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/h323/h245"
)

// Format names a media format this package describes.
type Format uint8

// The formats. FormatTelephoneEvent is RFC 4733 events in the audio
// channel, announced by receiveRTPAudioTelephonyEventCapability; it has no
// logical channel of its own.
const (
	FormatUnknown Format = iota
	FormatG711Ulaw
	FormatG711Alaw
	FormatG722
	FormatG7221
	FormatH261
	FormatH263
	FormatH264
	FormatH224
	FormatTelephoneEvent
)

var formatNames = [...]string{
	FormatUnknown: "unknown", FormatG711Ulaw: "G.711 µ-law", FormatG711Alaw: "G.711 A-law",
	FormatG722: "G.722", FormatG7221: "G.722.1", FormatH261: "H.261", FormatH263: "H.263",
	FormatH264: "H.264", FormatH224: "H.224", FormatTelephoneEvent: "telephone-event",
}

// String returns the recommendation's name of the format.
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return fmt.Sprintf("Format(%d)", uint8(f))
}

// IsVideo reports whether f is a video format.
func (f Format) IsVideo() bool { return f == FormatH261 || f == FormatH263 || f == FormatH264 }

// IsAudio reports whether f is an audio format (telephone events
// included).
func (f Format) IsAudio() bool {
	return f == FormatG711Ulaw || f == FormatG711Alaw || f == FormatG722 || f == FormatG7221 || f == FormatTelephoneEvent
}

// Pictures holds the minimum picture interval (MPI, in units of 1/29.97 s)
// of each picture format an H.261 or H.263 capability supports; 0 means
// the format is not supported. H.261 knows only QCIF and CIF, with MPIs
// 1..4; H.263 MPIs are 1..32.
type Pictures struct {
	SQCIF, QCIF, CIF, CIF4, CIF16 uint8
}

// H263Options are the H.263 annexes of the base capability: D
// (unrestricted motion vectors), E (syntax-based arithmetic coding), F
// (advanced prediction) and G (PB-frames).
type H263Options struct {
	UnrestrictedVector, ArithmeticCoding, AdvancedPrediction, PBFrames bool
}

// Media is one media format as H.245 describes it in a capability or a
// logical channel's data type. Only the fields of its Format are used.
type Media struct {
	Format Format
	// Content marks video sent as H.239 content (presentation): the
	// capability is an extendedVideoCapability with the role label
	// "presentation" around the video capability.
	Content bool
	// PacketTime is the audio packetization interval in milliseconds.
	// For G.711 and G.722 it is H.245's frame count (1..256, one frame per
	// millisecond as H.323 stacks use it); for G.722.1 a multiple of the
	// 20 ms frame. Builders use 20 when it is 0.
	PacketTime uint16
	// MaxBitRate is the format's maximum bit rate in bit/s (H.245 counts
	// 100 bit/s, so it is rounded down). Builders use a default when it is
	// 0: 24 kbit/s for G.722.1, 1920 kbit/s for video, 64 kbit/s for
	// H.224.
	MaxBitRate uint32
	// Pictures are the H.261 and H.263 picture formats.
	Pictures Pictures
	// StillImage is H.261 Annex D still image transmission.
	StillImage bool
	// H263 are the H.263 annexes.
	H263 H263Options
	// H264 are the H.264 parameters.
	H264 H264
	// PayloadType is the RTP payload type of a format with a dynamic one
	// (telephone events in a capability; in a logical channel the OLC's
	// dynamicRTPPayloadType is used instead). 0 when not known.
	PayloadType uint8
	// Events is the RFC 4733 event list of telephone events ("0-16").
	Events string
}

// Role returns the stream role the format plays in a call.
func (m Media) Role() call.Role {
	switch {
	case m.Content:
		return call.RoleContent
	case m.Format.IsVideo():
		return call.RoleVideo
	case m.Format == FormatH224:
		return call.RoleFECC
	}
	return call.RoleAudio
}

// G711 returns a G.711 capability (µ-law when ulaw is set, else A-law)
// with a packet time in milliseconds.
func G711(ulaw bool, packetTime uint16) Media {
	f := FormatG711Alaw
	if ulaw {
		f = FormatG711Ulaw
	}
	return Media{Format: f, PacketTime: packetTime}
}

// G722 returns a G.722 (64 kbit/s) capability.
func G722(packetTime uint16) Media { return Media{Format: FormatG722, PacketTime: packetTime} }

// G7221 returns a G.722.1 capability at 24000 or 32000 bit/s.
func G7221(bitRate uint32, packetTime uint16) Media {
	return Media{Format: FormatG7221, MaxBitRate: bitRate, PacketTime: packetTime}
}

// H261 returns an H.261 capability.
func H261(p Pictures, maxBitRate uint32) Media {
	return Media{Format: FormatH261, Pictures: p, MaxBitRate: maxBitRate}
}

// H263 returns an H.263 capability.
func H263(p Pictures, opts H263Options, maxBitRate uint32) Media {
	return Media{Format: FormatH263, Pictures: p, H263: opts, MaxBitRate: maxBitRate}
}

// H264Media returns an H.264 capability.
func H264Media(h H264, maxBitRate uint32) Media {
	return Media{Format: FormatH264, H264: h, MaxBitRate: maxBitRate}
}

// H224 returns the H.224 (far-end camera control) data capability.
func H224(maxBitRate uint32) Media { return Media{Format: FormatH224, MaxBitRate: maxBitRate} }

// AsContent returns m marked as H.239 content.
func (m Media) AsContent() Media { m.Content = true; return m }

// Defaults of the builders, in H.245 units of 100 bit/s.
const (
	defaultVideoRate = 19200 // 1920 kbit/s
	defaultG7221Rate = 240   // 24 kbit/s
	defaultH224Rate  = 640   // 64 kbit/s, as H.323 stacks announce it
	defaultFrames    = 20
)

// rate100 converts m.MaxBitRate to H.245's units of 100 bit/s, with a
// default and an upper bound.
func (m Media) rate100(def, max uint32) uint32 {
	if m.MaxBitRate == 0 {
		return def
	}
	r := m.MaxBitRate / 100
	if r == 0 {
		r = 1
	}
	return min(r, max)
}

func (m Media) frames() uint16 {
	if m.PacketTime == 0 {
		return defaultFrames
	}
	return min(m.PacketTime, 256)
}

// AudioCapability returns the H.245 audio capability of an audio format.
func (m Media) AudioCapability() (h245.AudioCapability, error) {
	switch m.Format {
	case FormatG711Ulaw:
		return h245.AudioCapability{Choice: h245.AudioCapabilityChoiceG711Ulaw64k, G711Ulaw64k: m.frames()}, nil
	case FormatG711Alaw:
		return h245.AudioCapability{Choice: h245.AudioCapabilityChoiceG711Alaw64k, G711Alaw64k: m.frames()}, nil
	case FormatG722:
		return h245.AudioCapability{Choice: h245.AudioCapabilityChoiceG72264k, G72264k: m.frames()}, nil
	case FormatG7221:
		frames := max(m.frames()/20, 1)
		return h245.AudioCapability{
			Choice: h245.AudioCapabilityChoiceGenericAudioCapability,
			GenericAudioCapability: &h245.GenericCapability{
				CapabilityIdentifier: standardID(oidG7221),
				MaxBitRate:           new(m.rate100(defaultG7221Rate, 480)),
				Collapsing:           &[]h245.GenericParameter{paramUnsignedMin(g7221ParamFrames, frames)},
			},
		}, nil
	}
	return h245.AudioCapability{}, fmt.Errorf("%w: %v is not an audio format with a capability", ErrInvalid, m.Format)
}

// g7221ParamFrames is G.722.1 Annex A's parameter: maximum frames per
// packet.
const g7221ParamFrames = 1

// H.239 role labels (the booleanArray of the extended video capability's
// parameter 1).
const (
	h239ParamRoleLabel   = 1
	h239RolePresentation = 1
)

// VideoCapability returns the H.245 video capability of a video format;
// content is wrapped in an H.239 extended video capability.
func (m Media) VideoCapability() (h245.VideoCapability, error) {
	inner, err := m.baseVideo()
	if err != nil || !m.Content {
		return inner, err
	}
	return h245.VideoCapability{
		Choice: h245.VideoCapabilityChoiceExtendedVideoCapability,
		ExtendedVideoCapability: &h245.ExtendedVideoCapability{
			VideoCapability: []h245.VideoCapability{inner},
			VideoCapabilityExtension: &[]h245.GenericCapability{{
				CapabilityIdentifier: standardID(oidH239ExtendedVideo),
				Collapsing:           &[]h245.GenericParameter{paramBooleanArray(h239ParamRoleLabel, h239RolePresentation)},
			}},
		},
	}, nil
}

func (m Media) baseVideo() (h245.VideoCapability, error) {
	p := m.Pictures
	switch m.Format {
	case FormatH261:
		if p.QCIF == 0 && p.CIF == 0 {
			return h245.VideoCapability{}, fmt.Errorf("%w: H.261 capability without QCIF or CIF", ErrInvalid)
		}
		if p.QCIF > 4 || p.CIF > 4 || p.SQCIF != 0 || p.CIF4 != 0 || p.CIF16 != 0 {
			return h245.VideoCapability{}, fmt.Errorf("%w: H.261 pictures %+v (QCIF and CIF, MPI 1..4)", ErrInvalid, p)
		}
		return h245.VideoCapability{
			Choice: h245.VideoCapabilityChoiceH261VideoCapability,
			H261VideoCapability: &h245.H261VideoCapability{
				QcifMPI:                optMPI(p.QCIF),
				CifMPI:                 optMPI(p.CIF),
				MaxBitRate:             uint16(m.rate100(defaultVideoRate, 19200)),
				StillImageTransmission: m.StillImage,
				VideoBadMBsCap:         new(false),
			},
		}, nil
	case FormatH263:
		if p == (Pictures{}) {
			return h245.VideoCapability{}, fmt.Errorf("%w: H.263 capability without a picture format", ErrInvalid)
		}
		if p.SQCIF > 32 || p.QCIF > 32 || p.CIF > 32 || p.CIF4 > 32 || p.CIF16 > 32 {
			return h245.VideoCapability{}, fmt.Errorf("%w: H.263 pictures %+v (MPI 1..32)", ErrInvalid, p)
		}
		return h245.VideoCapability{
			Choice: h245.VideoCapabilityChoiceH263VideoCapability,
			H263VideoCapability: &h245.H263VideoCapability{
				SqcifMPI:           optMPI(p.SQCIF),
				QcifMPI:            optMPI(p.QCIF),
				CifMPI:             optMPI(p.CIF),
				Cif4MPI:            optMPI(p.CIF4),
				Cif16MPI:           optMPI(p.CIF16),
				MaxBitRate:         m.rate100(defaultVideoRate, 192400),
				UnrestrictedVector: m.H263.UnrestrictedVector,
				ArithmeticCoding:   m.H263.ArithmeticCoding,
				AdvancedPrediction: m.H263.AdvancedPrediction,
				PbFrames:           m.H263.PBFrames,
				ErrorCompensation:  new(false),
			},
		}, nil
	case FormatH264:
		g, err := m.H264.capability(m.rate100(defaultVideoRate, 1<<32-1))
		if err != nil {
			return h245.VideoCapability{}, err
		}
		return h245.VideoCapability{Choice: h245.VideoCapabilityChoiceGenericVideoCapability, GenericVideoCapability: &g}, nil
	}
	return h245.VideoCapability{}, fmt.Errorf("%w: %v is not a video format", ErrInvalid, m.Format)
}

func optMPI(v uint8) *uint8 {
	if v == 0 {
		return nil
	}
	return &v
}

func mpi(v *uint8) uint8 {
	if v == nil {
		return 0
	}
	return *v
}

// capability returns the H.264 generic capability (H.241 8.3): Profile,
// Level, then the custom limits that are set.
func (h H264) capability(rate100 uint32) (h245.GenericCapability, error) {
	if h.Profile == 0 {
		return h245.GenericCapability{}, fmt.Errorf("%w: H.264 capability without a profile", ErrInvalid)
	}
	if _, _, err := h264LevelIDC(h.Level); err != nil {
		return h245.GenericCapability{}, err
	}
	ps := []h245.GenericParameter{
		paramBooleanArray(h264ParamProfile, h.Profile),
		paramUnsignedMin(h264ParamLevel, uint16(h.Level)),
	}
	for _, c := range [...]struct {
		id uint8
		v  uint16
	}{
		{h264ParamCustomMaxMBPS, h.MaxMBPS},
		{h264ParamCustomMaxFS, h.MaxFS},
		{h264ParamCustomMaxDPB, h.MaxDPB},
		{h264ParamCustomMaxBRandCPB, h.MaxBRandCPB},
	} {
		if c.v != 0 {
			ps = append(ps, paramUnsignedMax(c.id, c.v))
		}
	}
	return h245.GenericCapability{
		CapabilityIdentifier: standardID(oidH264),
		MaxBitRate:           &rate100,
		Collapsing:           &ps,
	}, nil
}

// DataCapability returns the H.245 data application capability of H.224.
func (m Media) DataCapability() (h245.DataApplicationCapability, error) {
	if m.Format != FormatH224 {
		return h245.DataApplicationCapability{}, fmt.Errorf("%w: %v is not a data format", ErrInvalid, m.Format)
	}
	return h245.DataApplicationCapability{
		Application: h245.DataApplicationCapabilityApplication{
			Choice: h245.DataApplicationCapabilityApplicationChoiceH224,
			H224:   &h245.DataProtocolCapability{Choice: h245.DataProtocolCapabilityChoiceHdlcFrameTunnelling},
		},
		MaxBitRate: m.rate100(defaultH224Rate, 1<<32-1),
	}, nil
}

// DataType returns the data type of a logical channel carrying m.
func (m Media) DataType() (h245.DataType, error) {
	switch {
	case m.Format == FormatH224:
		d, err := m.DataCapability()
		if err != nil {
			return h245.DataType{}, err
		}
		return h245.DataType{Choice: h245.DataTypeChoiceData, Data: &d}, nil
	case m.Format.IsVideo():
		v, err := m.VideoCapability()
		if err != nil {
			return h245.DataType{}, err
		}
		return h245.DataType{Choice: h245.DataTypeChoiceVideoData, VideoData: &v}, nil
	case m.Format == FormatTelephoneEvent:
		return h245.DataType{}, fmt.Errorf("%w: telephone events travel in the audio channel", ErrInvalid)
	}
	a, err := m.AudioCapability()
	if err != nil {
		return h245.DataType{}, err
	}
	return h245.DataType{Choice: h245.DataTypeChoiceAudioData, AudioData: &a}, nil
}

// ParseDataType returns the media of a logical channel's data type.
// nullData (the forward side of a reverse fast start proposal) and formats
// this package does not describe are ErrUnsupported; an H.239 extended
// video data type must hold exactly one video capability.
func ParseDataType(d *h245.DataType) (Media, error) {
	switch {
	case d.Choice == h245.DataTypeChoiceAudioData && d.AudioData != nil:
		return ParseAudioCapability(d.AudioData)
	case d.Choice == h245.DataTypeChoiceVideoData && d.VideoData != nil:
		ms, err := ParseVideoCapability(d.VideoData)
		if err != nil {
			return Media{}, err
		}
		if len(ms) != 1 {
			return Media{}, fmt.Errorf("%w: video data type with %d video capabilities", ErrInvalid, len(ms))
		}
		return ms[0], nil
	case d.Choice == h245.DataTypeChoiceData && d.Data != nil:
		return ParseDataCapability(d.Data)
	}
	return Media{}, fmt.Errorf("%w: data type %v", ErrUnsupported, d.Choice)
}

// ParseAudioCapability returns the media of an H.245 audio capability.
func ParseAudioCapability(a *h245.AudioCapability) (Media, error) {
	switch a.Choice {
	case h245.AudioCapabilityChoiceG711Ulaw64k:
		return Media{Format: FormatG711Ulaw, PacketTime: a.G711Ulaw64k}, nil
	case h245.AudioCapabilityChoiceG711Alaw64k:
		return Media{Format: FormatG711Alaw, PacketTime: a.G711Alaw64k}, nil
	case h245.AudioCapabilityChoiceG72264k:
		return Media{Format: FormatG722, PacketTime: a.G72264k}, nil
	case h245.AudioCapabilityChoiceGenericAudioCapability:
		g := a.GenericAudioCapability
		if g == nil || !isStandard(&g.CapabilityIdentifier, oidG7221) {
			return Media{}, fmt.Errorf("%w: generic audio capability %s", ErrUnsupported, genericName(g))
		}
		m := Media{Format: FormatG7221, MaxBitRate: defaultG7221Rate * 100, PacketTime: 20}
		if g.MaxBitRate != nil {
			m.MaxBitRate = g7221BitRate(*g.MaxBitRate)
		}
		for _, p := range paramList(g.Collapsing) {
			if id, ok := standardParam(&p); ok && id == g7221ParamFrames {
				n, err := paramUint(&p)
				if err != nil {
					return Media{}, fmt.Errorf("G.722.1 frames per packet: %w", err)
				}
				m.PacketTime = uint16(min(max(n, 1), 256)) * 20
			}
		}
		return m, nil
	}
	return Media{}, fmt.Errorf("%w: audio capability %v", ErrUnsupported, a.Choice)
}

// g7221BitRate reads G.722.1's maxBitRate. G.722.1 Annex A counts units of
// 100 bit/s (240, 320), but some stacks send the rate in bit/s (24000,
// 32000); no G.722.1 mode reaches 240 kbit/s, so large values are taken as
// bit/s.
func g7221BitRate(v uint32) uint32 {
	if v >= 2400 {
		return v
	}
	return v * 100
}

// genericName describes a generic capability for error messages.
func genericName(g *h245.GenericCapability) string {
	if g == nil {
		return "(missing)"
	}
	if g.CapabilityIdentifier.Choice == h245.CapabilityIdentifierChoiceStandard {
		return g.CapabilityIdentifier.Standard.String()
	}
	return g.CapabilityIdentifier.Choice.String()
}

// ParseVideoCapability returns the media of an H.245 video capability: one
// value, or for an H.239 extended video capability one value per video
// capability it lists that this package describes, each marked Content.
func ParseVideoCapability(v *h245.VideoCapability) ([]Media, error) {
	if v.Choice != h245.VideoCapabilityChoiceExtendedVideoCapability {
		m, err := parseBaseVideo(v)
		if err != nil {
			return nil, err
		}
		return []Media{m}, nil
	}
	x := v.ExtendedVideoCapability
	if x == nil {
		return nil, fmt.Errorf("%w: empty extended video capability", ErrInvalid)
	}
	if !isH239Extended(x) {
		return nil, fmt.Errorf("%w: extended video capability without the H.239 role label", ErrUnsupported)
	}
	var out []Media
	var firstErr error
	for i := range x.VideoCapability {
		m, err := parseBaseVideo(&x.VideoCapability[i])
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		m.Content = true
		out = append(out, m)
	}
	if len(out) == 0 {
		if firstErr == nil {
			firstErr = fmt.Errorf("%w: extended video capability lists no video capability", ErrInvalid)
		}
		return nil, firstErr
	}
	return out, nil
}

// isH239Extended reports whether an extended video capability carries the
// H.239 extension (0.0.8.239.1.2). Its role label, when present, says
// presentation or live; both are content here: the role Switchyard gives
// to the second video channel.
func isH239Extended(x *h245.ExtendedVideoCapability) bool {
	if x.VideoCapabilityExtension == nil {
		return false
	}
	for i := range *x.VideoCapabilityExtension {
		if isStandard(&(*x.VideoCapabilityExtension)[i].CapabilityIdentifier, oidH239ExtendedVideo) {
			return true
		}
	}
	return false
}

func parseBaseVideo(v *h245.VideoCapability) (Media, error) {
	switch {
	case v.Choice == h245.VideoCapabilityChoiceH261VideoCapability && v.H261VideoCapability != nil:
		c := v.H261VideoCapability
		return Media{
			Format:     FormatH261,
			Pictures:   Pictures{QCIF: mpi(c.QcifMPI), CIF: mpi(c.CifMPI)},
			MaxBitRate: uint32(c.MaxBitRate) * 100,
			StillImage: c.StillImageTransmission,
		}, nil
	case v.Choice == h245.VideoCapabilityChoiceH263VideoCapability && v.H263VideoCapability != nil:
		c := v.H263VideoCapability
		return Media{
			Format: FormatH263,
			Pictures: Pictures{
				SQCIF: mpi(c.SqcifMPI), QCIF: mpi(c.QcifMPI), CIF: mpi(c.CifMPI),
				CIF4: mpi(c.Cif4MPI), CIF16: mpi(c.Cif16MPI),
			},
			MaxBitRate: c.MaxBitRate * 100,
			H263: H263Options{
				UnrestrictedVector: c.UnrestrictedVector,
				ArithmeticCoding:   c.ArithmeticCoding,
				AdvancedPrediction: c.AdvancedPrediction,
				PBFrames:           c.PbFrames,
			},
		}, nil
	case v.Choice == h245.VideoCapabilityChoiceGenericVideoCapability && v.GenericVideoCapability != nil:
		g := v.GenericVideoCapability
		if !isStandard(&g.CapabilityIdentifier, oidH264) {
			return Media{}, fmt.Errorf("%w: generic video capability %s", ErrUnsupported, genericName(g))
		}
		h, err := parseH264(g)
		if err != nil {
			return Media{}, err
		}
		m := Media{Format: FormatH264, H264: h}
		if g.MaxBitRate != nil {
			m.MaxBitRate = uint32(min(uint64(*g.MaxBitRate)*100, 1<<32-1))
		}
		return m, nil
	}
	return Media{}, fmt.Errorf("%w: video capability %v", ErrUnsupported, v.Choice)
}

// parseH264 reads the collapsing parameters of an H.264 capability.
// Unknown parameters are ignored; Profile and Level are required.
func parseH264(g *h245.GenericCapability) (H264, error) {
	var h H264
	var haveProfile, haveLevel bool
	for _, p := range paramList(g.Collapsing) {
		id, ok := standardParam(&p)
		if !ok {
			continue
		}
		var dst *uint16
		switch id {
		case h264ParamCustomMaxMBPS:
			dst = &h.MaxMBPS
		case h264ParamCustomMaxFS:
			dst = &h.MaxFS
		case h264ParamCustomMaxDPB:
			dst = &h.MaxDPB
		case h264ParamCustomMaxBRandCPB:
			dst = &h.MaxBRandCPB
		case h264ParamProfile, h264ParamLevel:
		default:
			continue
		}
		n, err := paramUint(&p)
		if err != nil {
			return H264{}, fmt.Errorf("H.264 parameter %d: %w", id, err)
		}
		switch id {
		case h264ParamProfile:
			h.Profile, haveProfile = uint8(n), true
		case h264ParamLevel:
			if n > 255 {
				return H264{}, fmt.Errorf("%w: H.264 level %d", ErrInvalid, n)
			}
			h.Level, haveLevel = uint8(n), true
		default:
			*dst = uint16(min(n, 0xffff))
		}
	}
	if !haveProfile || !haveLevel {
		return H264{}, fmt.Errorf("%w: H.264 capability without profile or level", ErrInvalid)
	}
	return h, nil
}

// ParseDataCapability returns the media of an H.245 data application
// capability: H.224 over HDLC frame tunnelling.
func ParseDataCapability(d *h245.DataApplicationCapability) (Media, error) {
	a := &d.Application
	if a.Choice != h245.DataApplicationCapabilityApplicationChoiceH224 || a.H224 == nil {
		return Media{}, fmt.Errorf("%w: data application %v", ErrUnsupported, a.Choice)
	}
	if a.H224.Choice != h245.DataProtocolCapabilityChoiceHdlcFrameTunnelling {
		return Media{}, fmt.Errorf("%w: H.224 over %v", ErrUnsupported, a.H224.Choice)
	}
	return Media{Format: FormatH224, MaxBitRate: uint32(min(uint64(d.MaxBitRate)*100, 1<<32-1))}, nil
}
