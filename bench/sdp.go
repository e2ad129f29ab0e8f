package bench

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// AudioSDP returns a minimal SDP offer or answer: one PCMU audio stream at
// addr, 20 ms packets.
func AudioSDP(addr netip.AddrPort, sessionID uint64) string {
	ip := addr.Addr().String()
	return fmt.Sprintf("v=0\r\n"+
		"o=- %d 1 IN IP4 %s\r\n"+
		"s=-\r\n"+
		"c=IN IP4 %s\r\n"+
		"t=0 0\r\n"+
		"m=audio %d RTP/AVP 0\r\n"+
		"a=rtpmap:0 PCMU/8000\r\n"+
		"a=ptime:20\r\n"+
		"a=sendrecv\r\n", sessionID, ip, ip, addr.Port())
}

// ErrNoAudio is returned by AudioAddr for an SDP without a usable audio
// stream.
var ErrNoAudio = errors.New("sdp: no audio stream with an IPv4 connection address")

// AudioAddr returns the address and port of the first audio stream of sdp:
// the media-level c= line if there is one, else the session-level one.
func AudioAddr(sdp string) (netip.AddrPort, error) {
	var session, media netip.Addr
	port := -1
	inAudio, sessionLevel := false, true
	for line := range strings.Lines(sdp) {
		line = strings.TrimRight(line, "\r\n")
		switch {
		case strings.HasPrefix(line, "m="):
			if port >= 0 { // the audio section has ended
				return finishAudio(session, media, port)
			}
			sessionLevel = false
			f := strings.Fields(line[2:])
			inAudio = len(f) >= 2 && f[0] == "audio"
			if inAudio {
				p, err := strconv.ParseUint(f[1], 10, 16)
				if err != nil {
					return netip.AddrPort{}, fmt.Errorf("sdp: audio port %q: %w", f[1], err)
				}
				port = int(p)
			}
		case strings.HasPrefix(line, "c="):
			f := strings.Fields(line[2:])
			if len(f) < 3 || f[0] != "IN" || f[1] != "IP4" {
				continue
			}
			a, err := netip.ParseAddr(strings.SplitN(f[2], "/", 2)[0])
			if err != nil {
				return netip.AddrPort{}, fmt.Errorf("sdp: connection address %q: %w", f[2], err)
			}
			if sessionLevel {
				session = a
			} else if inAudio {
				media = a
			}
		}
	}
	if port < 0 {
		return netip.AddrPort{}, ErrNoAudio
	}
	return finishAudio(session, media, port)
}

func finishAudio(session, media netip.Addr, port int) (netip.AddrPort, error) {
	a := media
	if !a.IsValid() {
		a = session
	}
	if !a.IsValid() {
		return netip.AddrPort{}, ErrNoAudio
	}
	return netip.AddrPortFrom(a, uint16(port)), nil
}
