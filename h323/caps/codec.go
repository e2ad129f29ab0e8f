package caps

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/switchyard/switchyard/call"
)

// RTP encoding names and clock rates of the formats (RFC 3551, RFC 4587,
// RFC 4629, RFC 5577, RFC 6184, RFC 4573, RFC 4733).
const (
	nameH224           = "H224"
	nameTelephoneEvent = "TELEPHONE-EVENT"
)

// Codec returns the call.Codec of m: RTP encoding name, static payload
// type (or m.PayloadType for formats with a dynamic one), clock rate,
// packet time and SDP format parameters. H.264 profile and level become
// an RFC 6184 profile-level-id.
func (m Media) Codec() (call.Codec, error) {
	c := call.Codec{PacketTime: m.PacketTime}
	switch m.Format {
	case FormatG711Ulaw:
		c.Name, c.PayloadType, c.ClockRate, c.Channels = "PCMU", 0, 8000, 1
	case FormatG711Alaw:
		c.Name, c.PayloadType, c.ClockRate, c.Channels = "PCMA", 8, 8000, 1
	case FormatG722:
		// RFC 3551: G.722's RTP clock runs at 8000 Hz although it samples
		// at 16000 Hz.
		c.Name, c.PayloadType, c.ClockRate, c.Channels = "G722", 9, 8000, 1
	case FormatG7221:
		rate := m.MaxBitRate
		if rate == 0 {
			rate = defaultG7221Rate * 100
		}
		c.Name, c.PayloadType, c.ClockRate, c.Channels = "G7221", m.PayloadType, 16000, 1
		c.FMTP = "bitrate=" + strconv.FormatUint(uint64(rate), 10)
	case FormatH261:
		c.Name, c.PayloadType, c.ClockRate = "H261", 31, 90000
		c.FMTP = pictureFMTP(m.Pictures)
		if m.StillImage {
			c.FMTP += ";D=1"
		}
	case FormatH263:
		c.Name, c.PayloadType, c.ClockRate = "H263", 34, 90000
		c.FMTP = pictureFMTP(m.Pictures)
		for _, a := range [...]struct {
			on   bool
			name string
		}{
			{m.H263.UnrestrictedVector, "D"}, {m.H263.ArithmeticCoding, "E"},
			{m.H263.AdvancedPrediction, "F"}, {m.H263.PBFrames, "G"},
		} {
			if a.on {
				c.FMTP += ";" + a.name + "=1"
			}
		}
	case FormatH264:
		f, err := m.H264.fmtp()
		if err != nil {
			return call.Codec{}, err
		}
		c.Name, c.PayloadType, c.ClockRate, c.FMTP = "H264", m.PayloadType, 90000, f
	case FormatH224:
		c.Name, c.PayloadType, c.ClockRate = nameH224, m.PayloadType, 4800
	case FormatTelephoneEvent:
		c.Name, c.PayloadType, c.ClockRate, c.Channels, c.FMTP = nameTelephoneEvent, m.PayloadType, 8000, 1, m.Events
	default:
		return call.Codec{}, fmt.Errorf("%w: format %v", ErrUnsupported, m.Format)
	}
	if !m.Format.IsAudio() || m.Format == FormatTelephoneEvent {
		c.PacketTime = 0
	}
	return c, nil
}

// pictureFMTP renders picture formats as RFC 4587 / RFC 4629 parameters,
// largest picture first.
func pictureFMTP(p Pictures) string {
	var parts []string
	for _, f := range [...]struct {
		name string
		mpi  uint8
	}{{"CIF16", p.CIF16}, {"CIF4", p.CIF4}, {"CIF", p.CIF}, {"QCIF", p.QCIF}, {"SQCIF", p.SQCIF}} {
		if f.mpi != 0 {
			parts = append(parts, f.name+"="+strconv.Itoa(int(f.mpi)))
		}
	}
	return strings.Join(parts, ";")
}

// FromCodec returns the H.245 media of a call.Codec in a stream of role r
// (RoleContent marks H.239 content). Codecs that H.323 cannot carry with
// this package are ErrUnsupported.
func FromCodec(c call.Codec, r call.Role) (Media, error) {
	m := Media{PacketTime: c.PacketTime, Content: r == call.RoleContent}
	params := fmtpParams(c.FMTP)
	switch strings.ToUpper(c.Name) {
	case "PCMU":
		m.Format = FormatG711Ulaw
	case "PCMA":
		m.Format = FormatG711Alaw
	case "G722":
		m.Format = FormatG722
	case "G7221":
		if c.ClockRate != 16000 {
			return Media{}, fmt.Errorf("%w: G.722.1 at %d Hz (only 16000 Hz)", ErrUnsupported, c.ClockRate)
		}
		m.Format, m.PayloadType, m.MaxBitRate = FormatG7221, c.PayloadType, 24000
		if v, ok := params["bitrate"]; ok {
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil || (n != 24000 && n != 32000) {
				return Media{}, fmt.Errorf("%w: G.722.1 bitrate %q", ErrUnsupported, v)
			}
			m.MaxBitRate = uint32(n)
		}
	case "H261":
		m.Format = FormatH261
		m.Pictures = parsePictures(params)
		if m.Pictures == (Pictures{}) {
			m.Pictures = Pictures{QCIF: 1, CIF: 1}
		}
		m.Pictures = Pictures{QCIF: min(m.Pictures.QCIF, 4), CIF: min(m.Pictures.CIF, 4)}
		m.StillImage = params["d"] == "1"
	case "H263", "H263-1998", "H263-2000":
		m.Format = FormatH263
		m.Pictures = parsePictures(params)
		if m.Pictures == (Pictures{}) {
			m.Pictures = Pictures{QCIF: 1, CIF: 1}
		}
		m.H263 = H263Options{
			UnrestrictedVector: params["d"] == "1", ArithmeticCoding: params["e"] == "1",
			AdvancedPrediction: params["f"] == "1", PBFrames: params["g"] == "1",
		}
	case "H264":
		h, err := parseH264FMTP(c.FMTP)
		if err != nil {
			return Media{}, err
		}
		m.Format, m.H264, m.PayloadType = FormatH264, h, c.PayloadType
	case nameH224:
		m.Format, m.PayloadType = FormatH224, c.PayloadType
	case nameTelephoneEvent:
		m.Format, m.PayloadType, m.Events = FormatTelephoneEvent, c.PayloadType, c.FMTP
		if m.Events == "" {
			m.Events = "0-15"
		}
	default:
		return Media{}, fmt.Errorf("%w: codec %s", ErrUnsupported, c)
	}
	if !m.Format.IsAudio() || m.Format == FormatTelephoneEvent {
		m.PacketTime = 0
	}
	if m.Content && !m.Format.IsVideo() {
		return Media{}, fmt.Errorf("%w: %s as H.239 content", ErrUnsupported, c)
	}
	return m, nil
}

// fmtpParams splits an fmtp string into lower-case keys and their values.
func fmtpParams(fmtp string) map[string]string {
	out := make(map[string]string)
	for part := range strings.SplitSeq(fmtp, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok {
			out[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
	}
	return out
}

// parsePictures reads RFC 4587 / RFC 4629 picture format parameters. An
// MPI outside 1..32 is left out.
func parsePictures(params map[string]string) Pictures {
	get := func(k string) uint8 {
		n, err := strconv.ParseUint(params[k], 10, 8)
		if err != nil || n < 1 || n > 32 {
			return 0
		}
		return uint8(n)
	}
	return Pictures{SQCIF: get("sqcif"), QCIF: get("qcif"), CIF: get("cif"), CIF4: get("cif4"), CIF16: get("cif16")}
}
