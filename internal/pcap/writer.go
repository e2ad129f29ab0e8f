package pcap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"
)

// Writer writes a classic pcap file (little-endian, microsecond
// timestamps) and synthesizes the frames it holds: Ethernet or raw IP
// framing, IPv4 or IPv6 headers and UDP or TCP segments with correct
// lengths and checksums. TCP sequence and acknowledgement numbers are kept
// per flow, so an independent decoder sees well-formed connections.
//
// A Writer is not safe for concurrent use.
type Writer struct {
	w    io.Writer
	link LinkType
	// SegmentSize is the largest TCP payload put in one segment; WriteTCP
	// splits longer payloads. Zero means 1460.
	SegmentSize int

	flows   map[tuple]*flowState
	nextISN uint32
	ipID    uint16
	buf     []byte
}

type flowState struct {
	seq uint32 // next sequence number this side sends
}

// Fixed, locally administered MAC addresses of synthesized Ethernet frames.
var (
	macSrc = [6]byte{0x02, 0, 0, 0, 0, 0x01}
	macDst = [6]byte{0x02, 0, 0, 0, 0, 0x02}
)

// ErrWriter reports a frame the Writer cannot build.
var ErrWriter = errors.New("pcap: cannot write frame")

// NewWriter writes the file header to w. The link type must be
// LinkEthernet, LinkRaw, LinkIPv4 (IPv4 traffic only) or LinkIPv6 (IPv6
// traffic only).
func NewWriter(w io.Writer, link LinkType) (*Writer, error) {
	switch link {
	case LinkEthernet, LinkRaw, LinkIPv4, LinkIPv6:
	default:
		return nil, fmt.Errorf("%w: link type %s", ErrWriter, link)
	}
	var h [classicHeaderLen]byte
	binary.LittleEndian.PutUint32(h[0:4], magicMicro)
	binary.LittleEndian.PutUint16(h[4:6], 2)
	binary.LittleEndian.PutUint16(h[6:8], 4)
	binary.LittleEndian.PutUint32(h[16:20], MaxSnapLen)
	binary.LittleEndian.PutUint32(h[20:24], uint32(link))
	if _, err := w.Write(h[:]); err != nil {
		return nil, fmt.Errorf("pcap: write file header: %w", err)
	}
	return &Writer{
		w:       w,
		link:    link,
		flows:   make(map[tuple]*flowState),
		nextISN: 0x1000_0000,
		ipID:    1,
	}, nil
}

// WriteFrame writes one record holding frame, which must already be in the
// Writer's link type.
func (w *Writer) WriteFrame(t time.Time, frame []byte) error {
	if len(frame) > MaxSnapLen {
		return fmt.Errorf("%w: frame of %d bytes", ErrWriter, len(frame))
	}
	var h [classicRecordLen]byte
	binary.LittleEndian.PutUint32(h[0:4], uint32(t.Unix()))
	binary.LittleEndian.PutUint32(h[4:8], uint32(t.Nanosecond()/1000))
	binary.LittleEndian.PutUint32(h[8:12], uint32(len(frame)))
	binary.LittleEndian.PutUint32(h[12:16], uint32(len(frame)))
	if _, err := w.w.Write(h[:]); err != nil {
		return fmt.Errorf("pcap: write record header: %w", err)
	}
	if _, err := w.w.Write(frame); err != nil {
		return fmt.Errorf("pcap: write record: %w", err)
	}
	return nil
}

// WriteUDP writes one UDP datagram from src to dst.
func (w *Writer) WriteUDP(t time.Time, src, dst netip.AddrPort, payload []byte) error {
	return w.writeSegment(t, src, dst, ProtoUDP, 0, 0, 0, payload)
}

// WriteTCP writes payload from src to dst as one or more TCP segments
// (PSH|ACK), advancing the flow's sequence number. The acknowledgement
// number is what the other direction has sent so far. A connection does
// not need a handshake first, but TCPHandshake makes it look complete.
// An empty payload writes nothing.
func (w *Writer) WriteTCP(t time.Time, src, dst netip.AddrPort, payload []byte) error {
	size := w.SegmentSize
	if size <= 0 {
		size = 1460
	}
	for len(payload) > 0 {
		n := min(len(payload), size)
		if err := w.tcp(t, src, dst, FlagPSH|FlagACK, payload[:n]); err != nil {
			return err
		}
		payload = payload[n:]
	}
	return nil
}

// TCPHandshake writes SYN, SYN-ACK and ACK between client and server.
func (w *Writer) TCPHandshake(t time.Time, client, server netip.AddrPort) error {
	if err := w.tcp(t, client, server, FlagSYN, nil); err != nil {
		return err
	}
	if err := w.tcp(t, server, client, FlagSYN|FlagACK, nil); err != nil {
		return err
	}
	return w.tcp(t, client, server, FlagACK, nil)
}

// TCPClose writes a FIN-ACK from src to dst and the ACK that answers it.
func (w *Writer) TCPClose(t time.Time, src, dst netip.AddrPort) error {
	if err := w.tcp(t, src, dst, FlagFIN|FlagACK, nil); err != nil {
		return err
	}
	return w.tcp(t, dst, src, FlagACK, nil)
}

// flow returns the sequence state of src→dst, creating both directions of
// the connection on first use.
func (w *Writer) flow(src, dst netip.AddrPort) (this, peer *flowState) {
	this = w.flows[tuple{src, dst}]
	if this == nil {
		this = &flowState{seq: w.isn()}
		w.flows[tuple{src, dst}] = this
	}
	peer = w.flows[tuple{dst, src}]
	if peer == nil {
		peer = &flowState{seq: w.isn()}
		w.flows[tuple{dst, src}] = peer
	}
	return this, peer
}

func (w *Writer) isn() uint32 {
	n := w.nextISN
	w.nextISN += 0x0100_0000
	return n
}

func (w *Writer) tcp(t time.Time, src, dst netip.AddrPort, flags TCPFlags, payload []byte) error {
	this, peer := w.flow(src, dst)
	var ack uint32
	if flags&FlagACK != 0 {
		ack = peer.seq
	}
	if err := w.writeSegment(t, src, dst, ProtoTCP, this.seq, ack, flags, payload); err != nil {
		return err
	}
	this.seq += uint32(len(payload))
	if flags&(FlagSYN|FlagFIN) != 0 {
		this.seq++
	}
	return nil
}

// writeSegment builds link, IP and transport headers around payload in
// the Writer's buffer and writes the record.
func (w *Writer) writeSegment(t time.Time, src, dst netip.AddrPort, proto Proto, seq, ack uint32, flags TCPFlags, payload []byte) error {
	sa, da := src.Addr().Unmap(), dst.Addr().Unmap()
	if !sa.IsValid() || !da.IsValid() || sa.Is4() != da.Is4() {
		return fmt.Errorf("%w: addresses %s and %s", ErrWriter, src, dst)
	}
	v4 := sa.Is4()
	if (w.link == LinkIPv4 && !v4) || (w.link == LinkIPv6 && v4) {
		return fmt.Errorf("%w: %s to %s on link type %s", ErrWriter, src, dst, w.link)
	}
	thLen := 8
	if proto == ProtoTCP {
		thLen = 20
	}
	ipLen := 40
	if v4 {
		ipLen = 20
	}
	if thLen+len(payload) > 0xffff-ipLen {
		return fmt.Errorf("%w: %d-byte payload does not fit one IP packet", ErrWriter, len(payload))
	}
	linkLen := 0
	if w.link == LinkEthernet {
		linkLen = 14
	}
	n := linkLen + ipLen + thLen + len(payload)
	if cap(w.buf) < n {
		w.buf = make([]byte, n)
	}
	b := w.buf[:n]
	clear(b)

	if w.link == LinkEthernet {
		copy(b[0:6], macDst[:])
		copy(b[6:12], macSrc[:])
		typ := uint16(etherIPv6)
		if v4 {
			typ = etherIPv4
		}
		binary.BigEndian.PutUint16(b[12:14], typ)
	}
	ip := b[linkLen : linkLen+ipLen]
	seg := b[linkLen+ipLen:]
	if v4 {
		ip[0] = 0x45
		binary.BigEndian.PutUint16(ip[2:4], uint16(ipLen+len(seg)))
		binary.BigEndian.PutUint16(ip[4:6], w.ipID)
		w.ipID++
		ip[6] = 0x40 // don't fragment
		ip[8] = 64
		ip[9] = byte(proto)
		s, d := sa.As4(), da.As4()
		copy(ip[12:16], s[:])
		copy(ip[16:20], d[:])
		binary.BigEndian.PutUint16(ip[10:12], fold(sum16(0, ip)))
	} else {
		ip[0] = 0x60
		binary.BigEndian.PutUint16(ip[4:6], uint16(len(seg)))
		ip[6] = byte(proto)
		ip[7] = 64
		s, d := sa.As16(), da.As16()
		copy(ip[8:24], s[:])
		copy(ip[24:40], d[:])
	}

	binary.BigEndian.PutUint16(seg[0:2], src.Port())
	binary.BigEndian.PutUint16(seg[2:4], dst.Port())
	copy(seg[thLen:], payload)
	csumAt := 6
	if proto == ProtoTCP {
		binary.BigEndian.PutUint32(seg[4:8], seq)
		binary.BigEndian.PutUint32(seg[8:12], ack)
		seg[12] = 5 << 4
		seg[13] = byte(flags)
		binary.BigEndian.PutUint16(seg[14:16], 0xffff) // window
		csumAt = 16
	} else {
		binary.BigEndian.PutUint16(seg[4:6], uint16(len(seg)))
	}
	c := fold(sum16(pseudoSum(sa, da, proto, len(seg)), seg))
	if c == 0 && proto == ProtoUDP {
		c = 0xffff // zero means "no checksum" in UDP
	}
	binary.BigEndian.PutUint16(seg[csumAt:csumAt+2], c)
	return w.WriteFrame(t, b)
}
