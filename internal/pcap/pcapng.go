package pcap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"time"
)

// pcapng block types.
const (
	blockSHB = 0x0a0d0d0a // section header (same in both byte orders)
	blockIDB = 0x00000001 // interface description
	blockPB  = 0x00000002 // packet (obsolete)
	blockSPB = 0x00000003 // simple packet
	blockEPB = 0x00000006 // enhanced packet
)

const byteOrderMagic = 0x1a2b3c4d

// pcapng option codes of the interface description block.
const (
	optEnd      = 0
	optTSResol  = 9
	optTSOffset = 14
)

// iface is one pcapng interface description.
type iface struct {
	link     LinkType
	snapLen  uint32
	units    uint64 // timestamp units per second
	tsOffset int64  // seconds added to every timestamp
}

// readSHB reads a section header block whose first have bytes (4 at the
// start of the file, 8 in the middle) are already in r.hdr, and starts a
// new section. The block length is decoded only once the byte-order magic
// has told which byte order the section uses.
func (r *Reader) readSHB(have int) error {
	if _, err := io.ReadFull(r.r, r.hdr[have:12]); err != nil {
		return fmt.Errorf("pcapng: read section header: %w", eofUnexpected(err))
	}
	switch {
	case binary.LittleEndian.Uint32(r.hdr[8:12]) == byteOrderMagic:
		r.order = binary.LittleEndian
	case binary.BigEndian.Uint32(r.hdr[8:12]) == byteOrderMagic:
		r.order = binary.BigEndian
	default:
		return fmt.Errorf("%w: pcapng byte-order magic %x", ErrFormat, r.hdr[8:12])
	}
	total := r.order.Uint32(r.hdr[4:8])
	if total < 28 || total%4 != 0 || total > maxBlockLen {
		return fmt.Errorf("%w: section header length %d", ErrFormat, total)
	}
	body, err := r.read(int(total) - 12)
	if err != nil {
		return fmt.Errorf("pcapng: read section header: %w", err)
	}
	if major := r.order.Uint16(body[0:2]); major != 1 {
		return fmt.Errorf("%w: pcapng version %d", ErrFormat, major)
	}
	if trailer := r.order.Uint32(body[len(body)-4:]); trailer != total {
		return fmt.Errorf("%w: section header length %d, trailer %d", ErrFormat, total, trailer)
	}
	r.ifaces = r.ifaces[:0]
	return nil
}

func (r *Reader) nextNG() (Record, error) {
	for {
		n, err := io.ReadFull(r.r, r.hdr[:8])
		if n == 0 && errors.Is(err, io.EOF) {
			return Record{}, io.EOF
		}
		if err != nil {
			return Record{}, fmt.Errorf("pcapng: read block header: %w", eofUnexpected(err))
		}
		typ := r.order.Uint32(r.hdr[0:4])
		if typ == blockSHB {
			// A new section, possibly in the other byte order.
			if err := r.readSHB(8); err != nil {
				return Record{}, err
			}
			continue
		}
		total := r.order.Uint32(r.hdr[4:8])
		if total < 12 || total%4 != 0 || total > maxBlockLen {
			return Record{}, fmt.Errorf("%w: block type %#x length %d", ErrFormat, typ, total)
		}
		blk, err := r.read(int(total) - 8)
		if err != nil {
			return Record{}, fmt.Errorf("pcapng: read block type %#x of %d bytes: %w", typ, total, err)
		}
		if trailer := r.order.Uint32(blk[len(blk)-4:]); trailer != total {
			return Record{}, fmt.Errorf("%w: block type %#x length %d, trailer %d", ErrFormat, typ, total, trailer)
		}
		body := blk[:len(blk)-4]
		switch typ {
		case blockIDB:
			if err := r.addInterface(body); err != nil {
				return Record{}, err
			}
		case blockEPB:
			return r.enhancedPacket(body)
		case blockSPB:
			return r.simplePacket(body)
		case blockPB:
			return r.obsoletePacket(body)
		}
	}
}

func (r *Reader) addInterface(body []byte) error {
	if len(body) < 8 {
		return fmt.Errorf("%w: interface description of %d bytes", ErrFormat, len(body))
	}
	ifc := iface{
		link:    LinkType(r.order.Uint16(body[0:2])),
		snapLen: r.order.Uint32(body[4:8]),
		units:   1_000_000,
	}
	opts := body[8:]
	for len(opts) >= 4 {
		code := r.order.Uint16(opts[0:2])
		n := int(r.order.Uint16(opts[2:4]))
		if code == optEnd {
			break
		}
		padded := 4 + (n+3)&^3
		if n > len(opts)-4 {
			return fmt.Errorf("%w: interface option %d of %d bytes overruns block", ErrFormat, code, n)
		}
		val := opts[4 : 4+n]
		switch code {
		case optTSResol:
			if n != 1 {
				return fmt.Errorf("%w: if_tsresol of %d bytes", ErrFormat, n)
			}
			units, err := tsUnits(val[0])
			if err != nil {
				return err
			}
			ifc.units = units
		case optTSOffset:
			if n != 8 {
				return fmt.Errorf("%w: if_tsoffset of %d bytes", ErrFormat, n)
			}
			ifc.tsOffset = int64(r.order.Uint64(val))
		}
		if padded > len(opts) {
			break
		}
		opts = opts[padded:]
	}
	r.ifaces = append(r.ifaces, ifc)
	return nil
}

// tsUnits decodes if_tsresol: 10^-n seconds, or 2^-n when the top bit is set.
func tsUnits(v byte) (uint64, error) {
	if v&0x80 != 0 {
		e := v & 0x7f
		if e > 63 {
			return 0, fmt.Errorf("%w: if_tsresol 2^-%d", ErrFormat, e)
		}
		return 1 << e, nil
	}
	if v > 19 {
		return 0, fmt.Errorf("%w: if_tsresol 10^-%d", ErrFormat, v)
	}
	u := uint64(1)
	for range v {
		u *= 10
	}
	return u, nil
}

func (r *Reader) iface(id uint32) (iface, error) {
	if uint64(id) >= uint64(len(r.ifaces)) {
		return iface{}, fmt.Errorf("%w: packet on interface %d, %d described", ErrFormat, id, len(r.ifaces))
	}
	return r.ifaces[id], nil
}

func (ifc iface) time(hi, lo uint32) time.Time {
	ts := uint64(hi)<<32 | uint64(lo)
	sec := ts / ifc.units
	frac := ts % ifc.units
	// frac < units, so frac*1e9/units < 1e9 and the division cannot overflow.
	h, l := bits.Mul64(frac, 1_000_000_000)
	nsec, _ := bits.Div64(h, l, ifc.units)
	return time.Unix(int64(sec)+ifc.tsOffset, int64(nsec)).UTC()
}

func (r *Reader) enhancedPacket(body []byte) (Record, error) {
	if len(body) < 20 {
		return Record{}, fmt.Errorf("%w: enhanced packet block of %d bytes", ErrFormat, len(body))
	}
	id := r.order.Uint32(body[0:4])
	ifc, err := r.iface(id)
	if err != nil {
		return Record{}, err
	}
	capLen := r.order.Uint32(body[12:16])
	origLen := r.order.Uint32(body[16:20])
	if uint64(capLen) > uint64(len(body)-20) {
		return Record{}, fmt.Errorf("%w: captured length %d overruns block of %d bytes", ErrFormat, capLen, len(body))
	}
	return Record{
		Time:      ifc.time(r.order.Uint32(body[4:8]), r.order.Uint32(body[8:12])),
		LinkType:  ifc.link,
		Interface: int(id),
		OrigLen:   int(origLen),
		Data:      body[20 : 20+capLen],
	}, nil
}

func (r *Reader) simplePacket(body []byte) (Record, error) {
	if len(body) < 4 {
		return Record{}, fmt.Errorf("%w: simple packet block of %d bytes", ErrFormat, len(body))
	}
	ifc, err := r.iface(0)
	if err != nil {
		return Record{}, err
	}
	origLen := r.order.Uint32(body[0:4])
	data := body[4:]
	if uint64(origLen) < uint64(len(data)) {
		data = data[:origLen]
	}
	if ifc.snapLen != 0 && uint64(len(data)) > uint64(ifc.snapLen) {
		data = data[:ifc.snapLen]
	}
	return Record{LinkType: ifc.link, OrigLen: int(origLen), Data: data}, nil
}

func (r *Reader) obsoletePacket(body []byte) (Record, error) {
	if len(body) < 20 {
		return Record{}, fmt.Errorf("%w: packet block of %d bytes", ErrFormat, len(body))
	}
	id := uint32(r.order.Uint16(body[0:2]))
	ifc, err := r.iface(id)
	if err != nil {
		return Record{}, err
	}
	capLen := r.order.Uint32(body[12:16])
	origLen := r.order.Uint32(body[16:20])
	if uint64(capLen) > uint64(len(body)-20) {
		return Record{}, fmt.Errorf("%w: captured length %d overruns block of %d bytes", ErrFormat, capLen, len(body))
	}
	return Record{
		Time:      ifc.time(r.order.Uint32(body[4:8]), r.order.Uint32(body[8:12])),
		LinkType:  ifc.link,
		Interface: int(id),
		OrigLen:   int(origLen),
		Data:      body[20 : 20+capLen],
	}, nil
}
