package pcap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// Classic pcap magic numbers, as read in the file's own byte order.
const (
	magicMicro = 0xa1b2c3d4
	magicNano  = 0xa1b23c4d
)

const (
	classicHeaderLen = 24
	classicRecordLen = 16
)

// readClassicHeader reads the 24-byte global header; the magic is already
// in r.hdr[:4].
func (r *Reader) readClassicHeader() error {
	var h [classicHeaderLen]byte
	copy(h[:4], r.hdr[:4])
	if _, err := io.ReadFull(r.r, h[4:]); err != nil {
		return fmt.Errorf("pcap: read file header: %w", eofUnexpected(err))
	}
	switch {
	case binary.LittleEndian.Uint32(h[:4]) == magicMicro:
		r.order = binary.LittleEndian
	case binary.BigEndian.Uint32(h[:4]) == magicMicro:
		r.order = binary.BigEndian
	case binary.LittleEndian.Uint32(h[:4]) == magicNano:
		r.order, r.nano = binary.LittleEndian, true
	case binary.BigEndian.Uint32(h[:4]) == magicNano:
		r.order, r.nano = binary.BigEndian, true
	default:
		return fmt.Errorf("%w: magic %x", ErrFormat, h[:4])
	}
	if major := r.order.Uint16(h[4:6]); major != 2 {
		return fmt.Errorf("%w: version %d", ErrFormat, major)
	}
	r.snapLen = r.order.Uint32(h[16:20])
	// The upper bits of the link-type field carry FCS information.
	r.link = LinkType(r.order.Uint32(h[20:24]) & 0x03ffffff)
	return nil
}

func (r *Reader) nextClassic() (Record, error) {
	h := r.hdr[:classicRecordLen]
	n, err := io.ReadFull(r.r, h)
	if n == 0 && errors.Is(err, io.EOF) {
		return Record{}, io.EOF
	}
	if err != nil {
		return Record{}, fmt.Errorf("pcap: read record header: %w", eofUnexpected(err))
	}
	sec := r.order.Uint32(h[0:4])
	frac := r.order.Uint32(h[4:8])
	capLen := r.order.Uint32(h[8:12])
	origLen := r.order.Uint32(h[12:16])
	if capLen > MaxSnapLen {
		return Record{}, fmt.Errorf("%w: record length %d exceeds %d", ErrFormat, capLen, MaxSnapLen)
	}
	data, err := r.read(int(capLen))
	if err != nil {
		return Record{}, fmt.Errorf("pcap: read record of %d bytes: %w", capLen, err)
	}
	nsec := int64(frac)
	if !r.nano {
		nsec *= 1000
	}
	return Record{
		Time:     time.Unix(int64(sec), nsec).UTC(),
		LinkType: r.link,
		OrigLen:  int(origLen),
		Data:     data,
	}, nil
}
