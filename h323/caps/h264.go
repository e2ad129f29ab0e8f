package caps

import (
	"fmt"
	"strconv"
	"strings"
)

// H.241 profile bits: the booleanArray of the H.264 capability's Profile
// parameter (41). A capability may set several.
const (
	H264ProfileBaseline uint8 = 64
	H264ProfileMain     uint8 = 32
	H264ProfileExtended uint8 = 16
	H264ProfileHigh     uint8 = 8
	H264ProfileHigh10   uint8 = 4
	H264ProfileHigh422  uint8 = 2
	H264ProfileHigh444  uint8 = 1
)

// H.241 generic parameter identifiers of the H.264 capability.
const (
	h264ParamCustomMaxMBPS     = 3
	h264ParamCustomMaxFS       = 4
	h264ParamCustomMaxDPB      = 5
	h264ParamCustomMaxBRandCPB = 6
	h264ParamProfile           = 41
	h264ParamLevel             = 42
)

// H264 holds the parameters of an H.264 capability (H.241 8.3) in H.241
// units, so that a received capability re-builds to the same parameters.
type H264 struct {
	// Profile is the H.241 profile bit set (H264ProfileBaseline, ...).
	Profile uint8
	// Level is the H.241 level value: 15 for level 1, 19 for 1b, then
	// 22, 29, 36, 43, ... in steps of 7 up to 120 for level 5.2 (see
	// H264Level).
	Level uint8
	// MaxMBPS is CustomMaxMBPS in units of 500 macroblocks per second, 0
	// when the level's value applies.
	MaxMBPS uint16
	// MaxFS is CustomMaxFS in units of 256 macroblocks, 0 when absent.
	MaxFS uint16
	// MaxDPB is CustomMaxDPB in units of 32768 bytes, 0 when absent. It
	// has no fmtp counterpart here (RFC 6184 counts max-dpb in other
	// units) and only travels between H.245 values.
	MaxDPB uint16
	// MaxBRandCPB is CustomMaxBRandCPB in units of 25000 bit/s, 0 when
	// absent.
	MaxBRandCPB uint16
	// PacketizationMode is the RFC 6184 packetization mode (0: single NAL
	// unit, 1: non-interleaved), carried in mediaPacketization rather than
	// in the capability itself.
	PacketizationMode uint8
}

// h264Levels lists level_idc of the H.264 levels in the order of H.241's
// level values 15, 22, 29, ... (level 1b is apart, value 19).
var h264Levels = [...]uint8{10, 11, 12, 13, 20, 21, 22, 30, 31, 32, 40, 41, 42, 50, 51, 52}

// h241Level1b is the H.241 level value of H.264 level 1b.
const h241Level1b = 19

// H264Level returns the H.241 level value of an H.264 level_idc (10 for
// level 1, 31 for 3.1, ...). Level 1b has no level_idc of its own: pass 9.
func H264Level(levelIDC uint8) (uint8, error) {
	if levelIDC == 9 {
		return h241Level1b, nil
	}
	for i, l := range h264Levels {
		if l == levelIDC {
			return uint8(15 + 7*i), nil
		}
	}
	return 0, fmt.Errorf("%w: H.264 level_idc %d", ErrInvalid, levelIDC)
}

// h264LevelIDC returns the H.264 level_idc of an H.241 level value, and
// whether it is level 1b (which profile-level-id signals with level_idc 11
// and constraint_set3_flag, or level_idc 9 in the High profiles).
func h264LevelIDC(level uint8) (idc uint8, is1b bool, err error) {
	if level == h241Level1b {
		return 11, true, nil
	}
	if level >= 15 && (level-15)%7 == 0 && int(level-15)/7 < len(h264Levels) {
		return h264Levels[(level-15)/7], false, nil
	}
	return 0, false, fmt.Errorf("%w: H.241 level value %d", ErrInvalid, level)
}

// h264Profiles maps H.241 profile bits to profile_idc and the constraint
// byte written in an RFC 6184 profile-level-id, most capable first. H.323
// Baseline endpoints send what RFC 6184 calls Constrained Baseline (no FMO,
// ASO or redundant slices), so Baseline maps to 42e0, the profile that
// WebRTC and most SIP endpoints offer, and relays without transcoding.
var h264Profiles = [...]struct {
	bit, idc, constraints uint8
}{
	{H264ProfileHigh444, 0xf4, 0x00},
	{H264ProfileHigh422, 0x7a, 0x00},
	{H264ProfileHigh10, 0x6e, 0x00},
	{H264ProfileHigh, 0x64, 0x00},
	{H264ProfileMain, 0x4d, 0x00},
	{H264ProfileExtended, 0x58, 0x00},
	{H264ProfileBaseline, 0x42, 0xe0},
}

// ProfileLevelID returns the RFC 6184 profile-level-id (six hexadecimal
// digits) of the most capable profile in h.Profile at h.Level.
func (h H264) ProfileLevelID() (string, error) {
	idc, is1b, err := h264LevelIDC(h.Level)
	if err != nil {
		return "", err
	}
	for _, p := range h264Profiles {
		if h.Profile&p.bit == 0 {
			continue
		}
		c := p.constraints
		if is1b {
			if p.idc == 0x42 || p.idc == 0x4d || p.idc == 0x58 {
				c |= 0x10 // constraint_set3_flag with level_idc 11
			} else {
				idc = 9
			}
		}
		return fmt.Sprintf("%02x%02x%02x", p.idc, c, idc), nil
	}
	return "", fmt.Errorf("%w: H.241 profile bits %#x name no H.264 profile", ErrInvalid, h.Profile)
}

// ParseProfileLevelID returns the H.241 profile bit and level value of an
// RFC 6184 profile-level-id.
func ParseProfileLevelID(plid string) (profile, level uint8, err error) {
	if len(plid) != 6 {
		return 0, 0, fmt.Errorf("%w: profile-level-id %q", ErrInvalid, plid)
	}
	v, err := strconv.ParseUint(plid, 16, 32)
	if err != nil {
		return 0, 0, fmt.Errorf("%w: profile-level-id %q", ErrInvalid, plid)
	}
	idc, constraints, levelIDC := uint8(v>>16), uint8(v>>8), uint8(v)
	for _, p := range h264Profiles {
		if p.idc == idc {
			profile = p.bit
		}
	}
	if profile == 0 {
		return 0, 0, fmt.Errorf("%w: H.264 profile_idc %#x", ErrUnsupported, idc)
	}
	if levelIDC == 11 && constraints&0x10 != 0 && (idc == 0x42 || idc == 0x4d || idc == 0x58) {
		return profile, h241Level1b, nil
	}
	level, err = H264Level(levelIDC)
	if err != nil {
		return 0, 0, err
	}
	return profile, level, nil
}

// fmtp returns the SDP format parameters of the capability.
func (h H264) fmtp() (string, error) {
	plid, err := h.ProfileLevelID()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "profile-level-id=%s;packetization-mode=%d", plid, h.PacketizationMode)
	if h.MaxMBPS != 0 {
		fmt.Fprintf(&b, ";max-mbps=%d", uint32(h.MaxMBPS)*500)
	}
	if h.MaxFS != 0 {
		fmt.Fprintf(&b, ";max-fs=%d", uint32(h.MaxFS)*256)
	}
	if h.MaxBRandCPB != 0 {
		fmt.Fprintf(&b, ";max-br=%d", uint32(h.MaxBRandCPB)*25)
	}
	return b.String(), nil
}

// parseH264FMTP reads the H.264 parameters of an SDP fmtp line. Custom
// limits are rounded down to H.241 units; max-br (kbit/s) maps to
// CustomMaxBRandCPB (25 kbit/s units).
func parseH264FMTP(fmtp string) (H264, error) {
	h := H264{}
	plid := "42e01f"
	for part := range strings.SplitSeq(fmtp, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if k == "profile-level-id" {
			plid = v
			continue
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			continue // not a parameter of ours, or not a number
		}
		switch k {
		case "packetization-mode":
			if n > 1 {
				return H264{}, fmt.Errorf("%w: H.264 packetization-mode %d", ErrUnsupported, n)
			}
			h.PacketizationMode = uint8(n)
		case "max-mbps":
			h.MaxMBPS = clamp16(n / 500)
		case "max-fs":
			h.MaxFS = clamp16(n / 256)
		case "max-br":
			h.MaxBRandCPB = clamp16(n / 25)
		}
	}
	var err error
	if h.Profile, h.Level, err = ParseProfileLevelID(plid); err != nil {
		return H264{}, err
	}
	return h, nil
}

func clamp16(n uint64) uint16 {
	if n > 0xffff {
		return 0xffff
	}
	return uint16(n)
}
