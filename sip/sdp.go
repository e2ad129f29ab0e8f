package sip

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"

	"github.com/switchyard/switchyard/call"
)

// maxSDPSize bounds a session description we parse; larger bodies are refused
// before any parsing work.
const maxSDPSize = 64 << 10

// maxMediaLines bounds the m-lines of one session description.
const maxMediaLines = 16

// maxFormats bounds the formats of one m-line.
const maxFormats = 64

// mediaDesc is one m-line of a session description, in this package's terms.
// Directions are as written in the SDP: the sender's own point of view.
type mediaDesc struct {
	Media   string // audio, video, application, text, image
	Port    int
	Proto   string
	Formats []string

	// ID is the stream ID: a=mid when present, else the m-line index.
	ID      string
	Mid     string
	Role    call.Role
	Carried bool // RTP audio, main video or content this package can carry
	Content string

	Dir      call.Direction
	Addr     netip.Addr // media-level c=, else session-level
	RTCPPort int        // a=rtcp port; 0 when absent
	RTCPMux  bool

	Codecs     []call.Codec // media codecs in preference order
	Events     []call.Codec // telephone-event formats
	Comfort    []call.Codec // CN formats (kept so answers may echo them)
	MaxBitrate uint32       // bits per second, b=TIAS or b=AS
	Crypto     []string     // a=crypto values
}

// Disabled reports whether the m-line is refused (port 0).
func (m *mediaDesc) Disabled() bool { return m.Port == 0 }

// Secure reports whether the profile is SRTP (RTP/SAVP, RTP/SAVPF).
func (m *mediaDesc) Secure() bool { return strings.Contains(strings.ToUpper(m.Proto), "SAVP") }

// OnHold reports whether the sender of this m-line asked for hold: it does
// not want to receive (sendonly, inactive) or gave the null address.
func (m *mediaDesc) OnHold() bool {
	if m.Dir == call.SendOnly || m.Dir == call.Inactive {
		return true
	}
	return m.Addr.IsValid() && m.Addr.IsUnspecified()
}

// sessionDesc is a parsed session description.
type sessionDesc struct {
	SessionID uint64
	Version   uint64
	Addr      netip.Addr // session-level c=
	Media     []mediaDesc
}

// parseSDP reads a session description that arrived from the network.
func parseSDP(body []byte) (*sessionDesc, error) {
	if len(body) == 0 {
		return nil, errors.New("empty session description")
	}
	if len(body) > maxSDPSize {
		return nil, fmt.Errorf("session description of %d bytes exceeds %d", len(body), maxSDPSize)
	}
	var s sdp.SessionDescription
	if err := s.UnmarshalString(string(body)); err != nil {
		return nil, fmt.Errorf("parse SDP: %w", err)
	}
	if len(s.MediaDescriptions) > maxMediaLines {
		return nil, fmt.Errorf("SDP has %d m-lines, more than %d", len(s.MediaDescriptions), maxMediaLines)
	}
	d := &sessionDesc{SessionID: s.Origin.SessionID, Version: s.Origin.SessionVersion}
	if s.ConnectionInformation != nil {
		d.Addr = connAddr(s.ConnectionInformation)
	}
	sessDir := call.SendRecv
	for _, a := range s.Attributes {
		if dir, ok := parseDirection(a.Key); ok {
			sessDir = dir
		}
	}
	sessBitrate := bandwidth(s.Bandwidth)
	videos := 0
	audios := 0
	for i, md := range s.MediaDescriptions {
		m, err := parseMedia(i, md, d.Addr, sessDir)
		if err != nil {
			return nil, err
		}
		if m.MaxBitrate == 0 {
			m.MaxBitrate = sessBitrate
		}
		// One audio and one main video are carried; a further one is refused.
		switch {
		case m.Carried && m.Role == call.RoleAudio:
			audios++
			if audios > 1 {
				m.Carried = false
			}
		case m.Carried && m.Role == call.RoleVideo:
			videos++
			if videos > 1 {
				m.Carried = false
			}
		}
		d.Media = append(d.Media, m)
	}
	return d, nil
}

func parseMedia(index int, md *sdp.MediaDescription, sessAddr netip.Addr, sessDir call.Direction) (mediaDesc, error) {
	m := mediaDesc{
		Media:   strings.ToLower(md.MediaName.Media),
		Port:    md.MediaName.Port.Value,
		Proto:   strings.Join(md.MediaName.Protos, "/"),
		Formats: md.MediaName.Formats,
		ID:      strconv.Itoa(index),
		Dir:     sessDir,
		Addr:    sessAddr,
	}
	if m.Port < 0 || m.Port > 65535 {
		return m, fmt.Errorf("m-line %d: port %d out of range", index, m.Port)
	}
	if len(m.Formats) > maxFormats {
		return m, fmt.Errorf("m-line %d: %d formats, more than %d", index, len(m.Formats), maxFormats)
	}
	if md.ConnectionInformation != nil {
		if a := connAddr(md.ConnectionInformation); a.IsValid() {
			m.Addr = a
		}
	}
	m.MaxBitrate = bandwidth(md.Bandwidth)
	rtpmap := map[uint8]call.Codec{}
	fmtp := map[uint8]string{}
	ptime := uint16(0)
	h224 := false
	for _, a := range md.Attributes {
		if dir, ok := parseDirection(a.Key); ok {
			m.Dir = dir
			continue
		}
		switch strings.ToLower(a.Key) {
		case "mid":
			m.Mid = a.Value
			if a.Value != "" && len(a.Value) <= 32 {
				m.ID = a.Value
			}
		case "rtpmap":
			pt, c, ok := parseRTPMap(a.Value)
			if ok {
				rtpmap[pt] = c
				if c.Name == "H224" {
					h224 = true
				}
			}
		case "fmtp":
			ptStr, params, _ := strings.Cut(a.Value, " ")
			if pt, err := strconv.ParseUint(ptStr, 10, 8); err == nil {
				fmtp[uint8(pt)] = strings.TrimSpace(params)
			}
		case "ptime":
			if n, err := strconv.ParseUint(strings.TrimSpace(a.Value), 10, 16); err == nil {
				ptime = uint16(n)
			}
		case "rtcp":
			portStr, _, _ := strings.Cut(strings.TrimSpace(a.Value), " ")
			if n, err := strconv.Atoi(portStr); err == nil && n > 0 && n <= 65535 {
				m.RTCPPort = n
			}
		case "rtcp-mux":
			m.RTCPMux = true
		case "crypto":
			if len(m.Crypto) < 8 {
				m.Crypto = append(m.Crypto, strings.TrimSpace(a.Value))
			}
		case "content":
			m.Content = strings.ToLower(strings.TrimSpace(a.Value))
		}
	}
	rtp := strings.HasPrefix(strings.ToUpper(m.Proto), "RTP/")
	for _, f := range m.Formats {
		pt, err := strconv.ParseUint(f, 10, 8)
		if err != nil || pt > 127 || !rtp {
			continue
		}
		c, ok := rtpmap[uint8(pt)]
		if !ok {
			st, known := staticPayloads[uint8(pt)]
			if !known {
				continue
			}
			c = call.Codec{Name: st.name, ClockRate: st.rate, Channels: st.channels}
		}
		c.PayloadType = uint8(pt)
		c.FMTP = fmtp[uint8(pt)]
		if m.Media == "audio" {
			c.PacketTime = ptime
			if c.Channels == 0 {
				c.Channels = 1
			}
		} else {
			c.Channels = 0
		}
		switch {
		case c.Name == telephoneEvent:
			m.Events = append(m.Events, c)
		case c.Name == "CN":
			m.Comfort = append(m.Comfort, c)
		case auxiliaryCodec(c.Name):
		default:
			m.Codecs = append(m.Codecs, c)
		}
	}
	switch {
	case m.Media == "audio" && rtp:
		m.Role, m.Carried = call.RoleAudio, true
	case m.Media == "video" && rtp:
		switch m.Content {
		case "", "main", "alt":
			m.Role, m.Carried = call.RoleVideo, true
		default: // slides, speaker, sl
			m.Role, m.Carried = call.RoleContent, true
		}
	case m.Media == "application" && strings.Contains(strings.ToUpper(m.Proto), "BFCP"):
		m.Role = call.RoleContent
	case m.Media == "application" && rtp && h224:
		m.Role = call.RoleFECC
	default:
		m.Role = call.RoleFECC
		if m.Media == "audio" {
			m.Role = call.RoleAudio
		} else if m.Media == "video" {
			m.Role = call.RoleVideo
		}
	}
	if m.Carried && len(m.Codecs) == 0 {
		m.Carried = false
	}
	return m, nil
}

func parseDirection(key string) (call.Direction, bool) {
	switch strings.ToLower(key) {
	case "sendrecv":
		return call.SendRecv, true
	case "sendonly":
		return call.SendOnly, true
	case "recvonly":
		return call.RecvOnly, true
	case "inactive":
		return call.Inactive, true
	}
	return 0, false
}

// parseRTPMap reads "96 H264/90000" or "111 opus/48000/2".
func parseRTPMap(v string) (uint8, call.Codec, bool) {
	ptStr, enc, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok {
		return 0, call.Codec{}, false
	}
	pt, err := strconv.ParseUint(ptStr, 10, 8)
	if err != nil || pt > 127 {
		return 0, call.Codec{}, false
	}
	parts := strings.Split(strings.TrimSpace(enc), "/")
	if len(parts) < 2 || parts[0] == "" || len(parts[0]) > 32 {
		return 0, call.Codec{}, false
	}
	rate, err := strconv.ParseUint(parts[1], 10, 32)
	if err != nil || rate == 0 {
		return 0, call.Codec{}, false
	}
	c := call.Codec{Name: strings.ToUpper(parts[0]), ClockRate: uint32(rate)}
	if len(parts) > 2 {
		if ch, err := strconv.ParseUint(parts[2], 10, 8); err == nil {
			c.Channels = uint8(ch)
		}
	}
	return uint8(pt), c, true
}

func connAddr(ci *sdp.ConnectionInformation) netip.Addr {
	if ci == nil || ci.Address == nil {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(ci.Address.Address)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// bandwidth returns b=TIAS in bits/s, or b=AS converted from kbit/s.
func bandwidth(bs []sdp.Bandwidth) uint32 {
	var as, tias uint64
	for _, b := range bs {
		switch strings.ToUpper(b.Type) {
		case "TIAS":
			tias = b.Bandwidth
		case "AS":
			as = b.Bandwidth * 1000
		}
	}
	v := tias
	if v == 0 {
		v = as
	}
	if v > 1<<32-1 {
		v = 1<<32 - 1
	}
	return uint32(v)
}

// offer converts a remote session description to a call.Offer. Streams this
// package cannot carry (BFCP, H.224, a second audio) are kept, disabled, so
// that the answer refuses them in place.
func (d *sessionDesc) offer() call.Offer {
	o := call.Offer{Streams: make([]call.StreamOffer, 0, len(d.Media))}
	for i := range d.Media {
		m := &d.Media[i]
		o.Streams = append(o.Streams, call.StreamOffer{
			ID:         m.ID,
			Role:       m.Role,
			Direction:  m.Dir,
			Codecs:     append([]call.Codec(nil), m.Codecs...),
			MaxBitrate: m.MaxBitrate,
			Disabled:   m.Disabled() || !m.Carried,
		})
	}
	return o
}

// sdpOrigin is our o= line's identity; Version grows with each new offer or
// answer that changes the session.
type sdpOrigin struct {
	SessionID uint64
	Version   uint64
}

// buildSDP renders our session description. addr is written in o= and in
// the session-level c=; media with Port 0 are refused lines.
func buildSDP(o sdpOrigin, addr netip.Addr, media []mediaDesc, trim bool) []byte {
	addrType := "IP4"
	if addr.Is6() && !addr.Is4In6() {
		addrType = "IP6"
	}
	s := sdp.SessionDescription{
		Version: 0,
		Origin: sdp.Origin{
			Username: "-", SessionID: o.SessionID, SessionVersion: o.Version,
			NetworkType: "IN", AddressType: addrType, UnicastAddress: addr.Unmap().String(),
		},
		SessionName: "Switchyard",
		ConnectionInformation: &sdp.ConnectionInformation{
			NetworkType: "IN", AddressType: addrType, Address: &sdp.Address{Address: addr.Unmap().String()},
		},
		TimeDescriptions: []sdp.TimeDescription{{Timing: sdp.Timing{}}},
	}
	for i := range media {
		s.MediaDescriptions = append(s.MediaDescriptions, buildMedia(&media[i], trim))
	}
	b, err := s.Marshal()
	if err != nil {
		// Marshal fails only on values we never produce.
		return nil
	}
	return b
}

func buildMedia(m *mediaDesc, trim bool) *sdp.MediaDescription {
	md := &sdp.MediaDescription{
		MediaName: sdp.MediaName{
			Media:  m.Media,
			Port:   sdp.RangedPort{Value: m.Port},
			Protos: strings.Split(m.Proto, "/"),
		},
	}
	if m.Disabled() {
		md.MediaName.Formats = m.Formats
		if len(md.MediaName.Formats) == 0 {
			md.MediaName.Formats = []string{"0"}
		}
		if m.Mid != "" {
			md.Attributes = append(md.Attributes, sdp.NewAttribute("mid", m.Mid))
		}
		return md
	}
	all := make([]call.Codec, 0, len(m.Codecs)+len(m.Events)+len(m.Comfort))
	all = append(all, m.Codecs...)
	all = append(all, m.Events...)
	all = append(all, m.Comfort...)
	for _, c := range all {
		md.MediaName.Formats = append(md.MediaName.Formats, strconv.Itoa(int(c.PayloadType)))
	}
	if m.MaxBitrate > 0 {
		md.Bandwidth = append(md.Bandwidth,
			sdp.Bandwidth{Type: "AS", Bandwidth: uint64((m.MaxBitrate + 999) / 1000)},
			sdp.Bandwidth{Type: "TIAS", Bandwidth: uint64(m.MaxBitrate)})
	}
	if m.Mid != "" {
		md.Attributes = append(md.Attributes, sdp.NewAttribute("mid", m.Mid))
	}
	if m.Content != "" {
		md.Attributes = append(md.Attributes, sdp.NewAttribute("content", m.Content))
	}
	var ptime uint16
	for _, c := range all {
		_, static := staticPayloads[c.PayloadType]
		if !(trim && static && trimmablePayload(c.PayloadType)) {
			md.Attributes = append(md.Attributes, sdp.NewAttribute("rtpmap", rtpmapValue(c)))
		}
		if c.FMTP != "" {
			md.Attributes = append(md.Attributes, sdp.NewAttribute("fmtp", strconv.Itoa(int(c.PayloadType))+" "+c.FMTP))
		}
		if ptime == 0 && c.PacketTime > 0 {
			ptime = c.PacketTime
		}
	}
	if ptime > 0 {
		md.Attributes = append(md.Attributes, sdp.NewAttribute("ptime", strconv.Itoa(int(ptime))))
	}
	for _, c := range m.Crypto {
		md.Attributes = append(md.Attributes, sdp.NewAttribute("crypto", c))
	}
	if m.RTCPMux {
		md.Attributes = append(md.Attributes, sdp.NewPropertyAttribute("rtcp-mux"))
	} else if m.RTCPPort > 0 {
		md.Attributes = append(md.Attributes, sdp.NewAttribute("rtcp", strconv.Itoa(m.RTCPPort)))
	}
	md.Attributes = append(md.Attributes, sdp.NewPropertyAttribute(m.Dir.String()))
	return md
}

func rtpmapValue(c call.Codec) string {
	name := c.Name
	switch strings.ToUpper(name) {
	case telephoneEvent:
		name = "telephone-event"
	case "OPUS":
		name = "opus"
	}
	v := strconv.Itoa(int(c.PayloadType)) + " " + name + "/" + strconv.FormatUint(uint64(c.ClockRate), 10)
	if c.Channels > 1 {
		v += "/" + strconv.Itoa(int(c.Channels))
	}
	return v
}
