package call

import (
	"fmt"
	"strings"
)

// Role says what a stream carries in the call.
type Role uint8

// The stream roles. Content is the presentation (BFCP-controlled video in SIP,
// the H.239 extended video channel in H.323, a screen-share track in WebRTC).
// FECC is far-end camera control data (H.281 over H.224).
const (
	RoleAudio Role = iota
	RoleVideo
	RoleContent
	RoleFECC
)

var roleNames = [...]string{RoleAudio: "audio", RoleVideo: "video", RoleContent: "content", RoleFECC: "fecc"}

// Roles lists every role in a stable order.
func Roles() []Role { return []Role{RoleAudio, RoleVideo, RoleContent, RoleFECC} }

// String returns the role's configuration name.
func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return fmt.Sprintf("role(%d)", uint8(r))
}

// ParseRole accepts the configuration names of the roles.
func ParseRole(s string) (Role, error) {
	for r, name := range roleNames {
		if strings.EqualFold(s, name) {
			return Role(r), nil
		}
	}
	return 0, fmt.Errorf("unknown stream role %q (want audio, video, content or fecc)", s)
}

// Direction is a stream's media direction as negotiated (SDP a=sendrecv and
// friends, H.245 logical channel directions).
type Direction uint8

// Media directions, seen from the leg's own side.
const (
	SendRecv Direction = iota
	SendOnly
	RecvOnly
	Inactive
)

var directionNames = [...]string{SendRecv: "sendrecv", SendOnly: "sendonly", RecvOnly: "recvonly", Inactive: "inactive"}

// String returns the SDP attribute name of the direction.
func (d Direction) String() string {
	if int(d) < len(directionNames) {
		return directionNames[d]
	}
	return fmt.Sprintf("direction(%d)", uint8(d))
}

// Sends reports whether media flows out of the leg's side.
func (d Direction) Sends() bool { return d == SendRecv || d == SendOnly }

// Receives reports whether media flows into the leg's side.
func (d Direction) Receives() bool { return d == SendRecv || d == RecvOnly }

// Reverse returns the direction as the far side sees it.
func (d Direction) Reverse() Direction {
	switch d {
	case SendOnly:
		return RecvOnly
	case RecvOnly:
		return SendOnly
	}
	return d
}

// Codec describes a negotiated media format. Names are the RTP encoding names
// in upper case as registered with IANA ("PCMU", "PCMA", "G722", "OPUS",
// "H264", "VP8", "H263-1998", "telephone-event" is kept as "TELEPHONE-EVENT").
type Codec struct {
	Name        string // RTP encoding name, upper case
	PayloadType uint8  // RTP payload type on this leg
	ClockRate   uint32 // RTP clock rate in Hz
	Channels    uint8  // audio channels; 0 for video and data
	FMTP        string // format parameters as in SDP a=fmtp, without the payload type
	// PacketTime is the audio packetization interval in milliseconds (SDP
	// a=ptime); 0 when not given.
	PacketTime uint16
}

// SameFormat reports whether two codec descriptions denote media that can be
// relayed without transcoding: same name, clock rate and channel count, and
// for H.264 the same packetization mode and profile. Payload types may differ:
// relay rewrites them.
func (c Codec) SameFormat(o Codec) bool {
	if !strings.EqualFold(c.Name, o.Name) || c.ClockRate != o.ClockRate || c.channels() != o.channels() {
		return false
	}
	if strings.EqualFold(c.Name, "H264") {
		return fmtpValue(c.FMTP, "packetization-mode", "0") == fmtpValue(o.FMTP, "packetization-mode", "0") &&
			h264Profile(c.FMTP) == h264Profile(o.FMTP)
	}
	return true
}

func (c Codec) channels() uint8 {
	if c.Channels == 0 && c.ClockRate != 90000 {
		return 1
	}
	return c.Channels
}

// String renders the codec as NAME/rate[/channels].
func (c Codec) String() string {
	s := fmt.Sprintf("%s/%d", c.Name, c.ClockRate)
	if c.Channels > 1 {
		s += fmt.Sprintf("/%d", c.Channels)
	}
	return s
}

// fmtpValue returns the value of one key in an fmtp string, or def.
func fmtpValue(fmtp, key, def string) string {
	for part := range strings.SplitSeq(fmtp, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.EqualFold(k, key) {
			return strings.TrimSpace(v)
		}
	}
	return def
}

// h264Profile returns the profile_idc and constraint byte of an H.264
// profile-level-id (the level is negotiable and left out), or "42e0" (the
// RFC 6184 default, constrained baseline) when absent.
func h264Profile(fmtp string) string {
	v := strings.ToLower(fmtpValue(fmtp, "profile-level-id", "42e01f"))
	if len(v) != 6 {
		return v
	}
	return v[:4]
}

// Stream is one negotiated media flow of a leg.
type Stream struct {
	ID        string // unique within the leg (SDP mid, H.245 channel number, track id)
	Role      Role
	Codec     Codec
	Direction Direction
	// MaxBitrate is the negotiated ceiling in bits per second (b=AS/TIAS,
	// H.245 maxBitRate, REMB); 0 when none was given.
	MaxBitrate uint32
}
