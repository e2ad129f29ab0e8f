package caps

import (
	"errors"
	"fmt"
	"slices"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/h323/h245"
)

// CapabilitySet is a TerminalCapabilitySet: a capability table and the
// descriptors that say which entries can be used at the same time.
type CapabilitySet struct {
	// SequenceNumber is the TCS sequence number (0..255), echoed by the
	// TerminalCapabilitySetAck.
	SequenceNumber uint8
	// Entries is the capability table.
	Entries []Entry
	// Descriptors are the capability descriptors.
	Descriptors []Descriptor
	// Unsupported lists, after ParseTCS, the numbers of the entries this
	// package does not describe (they are not in Entries). Builders ignore
	// it.
	Unsupported []uint16
}

// Descriptor is one capability descriptor: simultaneous capabilities, each
// an alternative set of capability table entry numbers (the terminal can
// use one entry of every set at the same time).
type Descriptor struct {
	Number       uint8
	Simultaneous [][]uint16
}

// maximumAudioDelayJitter is announced in the H.225.0 multiplex capability
// (milliseconds), as common H.323 stacks do.
const maximumAudioDelayJitter = 250

// TCS returns the TerminalCapabilitySet of s: H.225.0 multiplex
// capability (with the H.264 packetization modes the table uses), the
// capability table and the descriptors.
func (s CapabilitySet) TCS() (h245.TerminalCapabilitySet, error) {
	var table []h245.CapabilityTableEntry
	packetization := map[uint8]bool{}
	seen := map[uint16]bool{}
	for _, e := range s.Entries {
		if seen[e.Number] {
			return h245.TerminalCapabilitySet{}, fmt.Errorf("%w: capability table entry %d twice", ErrInvalid, e.Number)
		}
		seen[e.Number] = true
		c, err := e.Capability()
		if err != nil {
			return h245.TerminalCapabilitySet{}, err
		}
		table = append(table, c)
		for _, m := range e.Media {
			if m.Format == FormatH264 {
				packetization[m.H264.PacketizationMode] = true
			}
		}
	}
	var descs []h245.CapabilityDescriptor
	for _, d := range s.Descriptors {
		var sim []h245.AlternativeCapabilitySet
		for _, set := range d.Simultaneous {
			var alt h245.AlternativeCapabilitySet
			for _, n := range set {
				if !seen[n] {
					return h245.TerminalCapabilitySet{}, fmt.Errorf("%w: descriptor %d names capability %d, not in the table", ErrInvalid, d.Number, n)
				}
				alt = append(alt, h245.CapabilityTableEntryNumber(n))
			}
			if len(alt) == 0 {
				return h245.TerminalCapabilitySet{}, fmt.Errorf("%w: descriptor %d has an empty alternative set", ErrInvalid, d.Number)
			}
			sim = append(sim, alt)
		}
		cd := h245.CapabilityDescriptor{CapabilityDescriptorNumber: h245.CapabilityDescriptorNumber(d.Number)}
		if len(sim) > 0 {
			cd.SimultaneousCapabilities = &sim
		}
		descs = append(descs, cd)
	}
	mux := h245.MultiplexCapability{
		Choice:          h245.MultiplexCapabilityChoiceH2250Capability,
		H2250Capability: h2250Capability(packetization),
	}
	t := h245.TerminalCapabilitySet{
		SequenceNumber:      h245.SequenceNumber(s.SequenceNumber),
		ProtocolIdentifier:  slices.Clone(oidH245),
		MultiplexCapability: &mux,
	}
	if len(table) > 0 {
		t.CapabilityTable = &table
	}
	if len(descs) > 0 {
		t.CapabilityDescriptors = &descs
	}
	return t, nil
}

// Message returns the TerminalCapabilitySet request of s.
func (s CapabilitySet) Message() (h245.MultimediaSystemControlMessage, error) {
	t, err := s.TCS()
	if err != nil {
		return h245.MultimediaSystemControlMessage{}, err
	}
	return Request(h245.RequestMessage{Choice: h245.RequestMessageChoiceTerminalCapabilitySet, TerminalCapabilitySet: &t}), nil
}

// h2250Capability is the multiplex capability of an RTP terminal without
// multipoint abilities: no multicast, no MC, RTCP and UDP.
func h2250Capability(packetization map[uint8]bool) *h245.H2250Capability {
	noMultipoint := func() h245.MultipointCapability {
		return h245.MultipointCapability{MediaDistributionCapability: []h245.MediaDistributionCapability{{}}}
	}
	c := &h245.H2250Capability{
		MaximumAudioDelayJitter:                maximumAudioDelayJitter,
		ReceiveMultipointCapability:            noMultipoint(),
		TransmitMultipointCapability:           noMultipoint(),
		ReceiveAndTransmitMultipointCapability: noMultipoint(),
		LogicalChannelSwitchingCapability:      new(false),
		T120DynamicPortCapability:              new(false),
	}
	var pts []h245.RTPPayloadType
	for _, mode := range []uint8{0, 1} {
		if !packetization[mode] {
			continue
		}
		oid := oidH264PacketizationSingleNAL
		if mode == 1 {
			oid = oidH264PacketizationNonInterleaved
		}
		pts = append(pts, h245.RTPPayloadType{PayloadDescriptor: h245.RTPPayloadTypePayloadDescriptor{
			Choice: h245.RTPPayloadTypePayloadDescriptorChoiceOID, OID: slices.Clone(oid),
		}})
	}
	if len(pts) > 0 {
		c.MediaPacketizationCapability.RTPPayloadType = &pts
	}
	return c
}

// ParseTCS returns the capability set of a received TerminalCapabilitySet.
// Entries this package does not describe are left out and listed in
// Unsupported; descriptors keep their numbers as sent. When the multiplex
// capability announces H.264 non-interleaved packetization, every H.264
// entry gets PacketizationMode 1.
func ParseTCS(t *h245.TerminalCapabilitySet) (CapabilitySet, error) {
	s := CapabilitySet{SequenceNumber: uint8(t.SequenceNumber)}
	mode1 := false
	if m := t.MultiplexCapability; m != nil && m.H2250Capability != nil {
		if pts := m.H2250Capability.MediaPacketizationCapability.RTPPayloadType; pts != nil {
			for _, p := range *pts {
				if p.PayloadDescriptor.Choice == h245.RTPPayloadTypePayloadDescriptorChoiceOID &&
					p.PayloadDescriptor.OID.Equal(oidH264PacketizationNonInterleaved) {
					mode1 = true
				}
			}
		}
	}
	if t.CapabilityTable != nil {
		for i := range *t.CapabilityTable {
			e, err := ParseEntry(&(*t.CapabilityTable)[i])
			if errors.Is(err, ErrUnsupported) {
				s.Unsupported = append(s.Unsupported, e.Number)
				continue
			}
			if err != nil {
				return CapabilitySet{}, err
			}
			if len(e.Media) == 0 && e.Control == ControlNone {
				continue // an entry removed by this TCS
			}
			for j := range e.Media {
				if e.Media[j].Format == FormatH264 && mode1 {
					e.Media[j].H264.PacketizationMode = 1
				}
			}
			s.Entries = append(s.Entries, e)
		}
	}
	if t.CapabilityDescriptors != nil {
		for _, d := range *t.CapabilityDescriptors {
			desc := Descriptor{Number: uint8(d.CapabilityDescriptorNumber)}
			if d.SimultaneousCapabilities != nil {
				for _, alt := range *d.SimultaneousCapabilities {
					set := make([]uint16, len(alt))
					for i, n := range alt {
						set[i] = uint16(n)
					}
					desc.Simultaneous = append(desc.Simultaneous, set)
				}
			}
			s.Descriptors = append(s.Descriptors, desc)
		}
	}
	return s, nil
}

// Entry returns the entry with the given number.
func (s CapabilitySet) Entry(n uint16) (Entry, bool) {
	for _, e := range s.Entries {
		if e.Number == n {
			return e, true
		}
	}
	return Entry{}, false
}

// Has reports whether the set holds the control capability c.
func (s CapabilitySet) Has(c Control) bool {
	for _, e := range s.Entries {
		if e.Control == c {
			return true
		}
	}
	return false
}

// FromOffer returns the capability set that announces what an offer can
// receive: one entry per codec H.245 can describe (others are skipped), one
// alternative set per stream in the offer's order, the H.239 control
// capability when there is a content stream, and the user input
// capabilities (DTMF as signals and strings, RFC 4733 telephone events
// when the audio stream offers them) when there is an audio stream. A
// stream the offer only sends gets transmit capabilities; disabled and
// inactive streams are left out. A stream's MaxBitrate becomes the rate of
// its video and data capabilities.
func FromOffer(o call.Offer, seq uint8) (CapabilitySet, error) {
	s := CapabilitySet{SequenceNumber: seq}
	desc := Descriptor{Number: 1}
	var userInput []uint16
	content, audio := false, false
	add := func(e Entry) uint16 {
		e.Number = uint16(len(s.Entries) + 1)
		s.Entries = append(s.Entries, e)
		return e.Number
	}
	for _, st := range o.Streams {
		if st.Disabled || st.Direction == call.Inactive {
			continue
		}
		dir := Receive
		if st.Direction == call.SendOnly {
			dir = Transmit
		}
		var set []uint16
		for _, c := range st.Codecs {
			m, err := FromCodec(c, st.Role)
			if errors.Is(err, ErrUnsupported) {
				continue
			}
			if err != nil {
				return CapabilitySet{}, fmt.Errorf("stream %s codec %s: %w", st.ID, c, err)
			}
			if m.Role() != st.Role && !(m.Format == FormatTelephoneEvent && st.Role == call.RoleAudio) {
				continue // a format that cannot play this stream's role
			}
			if m.Format == FormatTelephoneEvent {
				if dir == Receive && m.PayloadType >= 96 && m.PayloadType <= 127 {
					userInput = append(userInput, add(Entry{Direction: Receive, Media: []Media{m}}))
				}
				continue
			}
			if m.MaxBitRate == 0 && st.MaxBitrate != 0 && !m.Format.IsAudio() {
				m.MaxBitRate = st.MaxBitrate
			}
			d := dir
			if m.Format == FormatH224 && dir == Receive {
				d = ReceiveAndTransmit // H.224 is a two-way protocol
			}
			set = append(set, add(Entry{Direction: d, Media: []Media{m}}))
		}
		if len(set) == 0 {
			continue
		}
		desc.Simultaneous = append(desc.Simultaneous, set)
		content = content || st.Role == call.RoleContent
		audio = audio || st.Role == call.RoleAudio
	}
	if content {
		desc.Simultaneous = append(desc.Simultaneous, []uint16{add(Entry{Direction: ReceiveAndTransmit, Control: ControlH239})})
	}
	if audio {
		ui := []uint16{
			add(Entry{Direction: Receive, Control: ControlBasicString}),
			add(Entry{Direction: Receive, Control: ControlDTMF}),
		}
		desc.Simultaneous = append(desc.Simultaneous, append(ui, userInput...))
	}
	if len(s.Entries) > 256 {
		return CapabilitySet{}, fmt.Errorf("%w: %d capabilities (at most 256)", ErrInvalid, len(s.Entries))
	}
	if len(desc.Simultaneous) > 0 {
		s.Descriptors = []Descriptor{desc}
	}
	return s, nil
}

// Offer returns what the capability set says its sender can receive, as a
// call.Offer: one stream per alternative set of the first descriptor that
// holds media (telephone events join the audio stream), and the formats of
// later descriptors merged into the first stream of the same role. Without
// descriptors, every entry counts, one stream per role. Formats with a
// dynamic RTP payload type get one from 96 up, so that codecs are told
// apart; the logical channel fixes the real one. A set of transmit-only
// entries makes a send-only stream.
func (s CapabilitySet) Offer() call.Offer {
	byNumber := make(map[uint16]Entry, len(s.Entries))
	for _, e := range s.Entries {
		byNumber[e.Number] = e
	}
	descs := s.Descriptors
	if len(descs) == 0 {
		var all []uint16
		for _, e := range s.Entries {
			all = append(all, e.Number)
		}
		descs = []Descriptor{{Simultaneous: [][]uint16{all}}}
	}
	var streams []call.StreamOffer
	var events []call.Codec
	alloc := newPTAllocator(s.Entries)
	for di, d := range descs {
		for _, set := range d.Simultaneous {
			byRole := map[call.Role]*call.StreamOffer{}
			var order []call.Role
			for _, n := range set {
				e, ok := byNumber[n]
				if !ok {
					continue
				}
				for _, m := range e.Media {
					c, err := m.Codec()
					if err != nil {
						continue
					}
					if m.Format == FormatTelephoneEvent {
						if !slices.Contains(events, c) {
							events = append(events, c)
						}
						continue
					}
					if c.PayloadType == 0 && m.Format != FormatG711Ulaw {
						c.PayloadType = alloc.next()
					}
					r := m.Role()
					st := byRole[r]
					if st == nil {
						st = &call.StreamOffer{Role: r, Direction: call.SendOnly}
						byRole[r] = st
						order = append(order, r)
					}
					if e.Direction != Transmit {
						st.Direction = call.SendRecv
					}
					if !m.Format.IsAudio() {
						st.MaxBitrate = max(st.MaxBitrate, m.MaxBitRate)
					}
					if !containsFormat(st.Codecs, c) {
						st.Codecs = append(st.Codecs, c)
					}
				}
			}
			for _, r := range order {
				st := byRole[r]
				if di > 0 {
					if i := slices.IndexFunc(streams, func(x call.StreamOffer) bool { return x.Role == r }); i >= 0 {
						for _, c := range st.Codecs {
							if !containsFormat(streams[i].Codecs, c) {
								streams[i].Codecs = append(streams[i].Codecs, c)
							}
						}
						continue
					}
				}
				streams = append(streams, *st)
			}
		}
	}
	if len(events) > 0 {
		if i := slices.IndexFunc(streams, func(x call.StreamOffer) bool { return x.Role == call.RoleAudio }); i >= 0 {
			streams[i].Codecs = append(streams[i].Codecs, events...)
		}
	}
	count := map[call.Role]int{}
	for i := range streams {
		r := streams[i].Role
		count[r]++
		streams[i].ID = r.String()
		if count[r] > 1 {
			streams[i].ID = fmt.Sprintf("%s-%d", r, count[r])
		}
	}
	return call.Offer{Streams: streams}
}

// containsFormat reports whether cs holds a codec equal to c but for its
// payload type.
func containsFormat(cs []call.Codec, c call.Codec) bool {
	for _, x := range cs {
		x.PayloadType = c.PayloadType
		if x == c {
			return true
		}
	}
	return false
}

// ptAllocator hands out dynamic RTP payload types that the set does not
// already use.
type ptAllocator struct {
	used [128]bool
	n    uint8
}

func newPTAllocator(entries []Entry) *ptAllocator {
	a := &ptAllocator{n: 96}
	for _, e := range entries {
		for _, m := range e.Media {
			if m.PayloadType < 128 {
				a.used[m.PayloadType] = true
			}
		}
	}
	return a
}

func (a *ptAllocator) next() uint8 {
	for a.n < 127 && a.used[a.n] {
		a.n++
	}
	pt := a.n
	if a.n < 127 {
		a.n++
	}
	return pt
}

// TCSAck returns the TerminalCapabilitySetAck of sequence number seq.
func TCSAck(seq uint8) h245.MultimediaSystemControlMessage {
	return Response(h245.ResponseMessage{
		Choice:                   h245.ResponseMessageChoiceTerminalCapabilitySetAck,
		TerminalCapabilitySetAck: &h245.TerminalCapabilitySetAck{SequenceNumber: h245.SequenceNumber(seq)},
	})
}
