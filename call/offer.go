package call

// StreamOffer is one proposed stream (an SDP m-line, an H.245 capability set
// entry, a WebRTC transceiver): the codecs its side accepts, in preference
// order.
type StreamOffer struct {
	ID        string
	Role      Role
	Direction Direction
	Codecs    []Codec
	// MaxBitrate is the side's ceiling in bits per second; 0 when none.
	MaxBitrate uint32
	// Disabled marks a stream the side declined or that the gateway cannot
	// carry (answered with port 0 in SDP); it keeps its place so that m-line
	// order is preserved.
	Disabled bool
}

// Offer is what one side proposes for a call.
type Offer struct {
	Streams []StreamOffer
}

// Empty reports whether the side made no offer (a SIP INVITE without SDP,
// an H.323 Setup without fast start).
func (o Offer) Empty() bool { return len(o.Streams) == 0 }

// Find returns the first enabled stream offer with the role.
func (o Offer) Find(r Role) (StreamOffer, bool) {
	for _, s := range o.Streams {
		if s.Role == r && !s.Disabled {
			return s, true
		}
	}
	return StreamOffer{}, false
}

// Common returns the codecs of a that b also accepts (same format, see
// Codec.SameFormat), in a's order, with a's payload types.
func Common(a, b []Codec) []Codec {
	var out []Codec
	for _, ca := range a {
		for _, cb := range b {
			if ca.SameFormat(cb) {
				out = append(out, ca)
				break
			}
		}
	}
	return out
}
