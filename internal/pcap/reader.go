package pcap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// Reader reads the records of a classic pcap or pcapng file in order.
//
// It never allocates more than the input justifies: lengths read from the
// file are checked against fixed bounds, and buffers grow only as bytes
// actually arrive.
type Reader struct {
	r      io.Reader
	format Format
	order  binary.ByteOrder
	hdr    [16]byte
	buf    []byte

	// classic pcap
	nano    bool
	snapLen uint32
	link    LinkType

	// pcapng: the interfaces of the current section
	ifaces []iface
}

// ErrFormat reports a file that is neither classic pcap nor pcapng, or whose
// structure is broken.
var ErrFormat = errors.New("pcap: bad file format")

// NewReader reads the file header (classic pcap) or the first section
// header block (pcapng) from r and returns a Reader positioned at the first
// record.
func NewReader(r io.Reader) (*Reader, error) {
	rd := &Reader{r: r}
	if _, err := io.ReadFull(r, rd.hdr[:4]); err != nil {
		return nil, fmt.Errorf("pcap: read magic: %w", eofUnexpected(err))
	}
	switch {
	case binary.LittleEndian.Uint32(rd.hdr[:4]) == blockSHB:
		rd.format = FormatPcapNG
		if err := rd.readSHB(4); err != nil {
			return nil, err
		}
	default:
		rd.format = FormatPcap
		if err := rd.readClassicHeader(); err != nil {
			return nil, err
		}
	}
	return rd, nil
}

// Format reports whether the file is classic pcap or pcapng.
func (r *Reader) Format() Format { return r.format }

// LinkType is the link type of a classic pcap file, or of the first
// interface of a pcapng file seen so far (0 when none was described yet).
// Each Record carries its own link type.
func (r *Reader) LinkType() LinkType {
	if r.format == FormatPcapNG {
		if len(r.ifaces) == 0 {
			return 0
		}
		return r.ifaces[0].link
	}
	return r.link
}

// Next returns the next record, or io.EOF after the last one. Record.Data
// is valid until the following call to Next.
func (r *Reader) Next() (Record, error) {
	if r.format == FormatPcapNG {
		return r.nextNG()
	}
	return r.nextClassic()
}

// ReadAll reads every remaining record; each record's Data is its own copy.
func (r *Reader) ReadAll() ([]Record, error) {
	var out []Record
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("record %d: %w", len(out)+1, err)
		}
		rec.Data = slices.Clone(rec.Data)
		out = append(out, rec)
	}
}

// ReadFile reads every record of the capture file at path.
func ReadFile(path string) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rd, err := NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	recs, err := rd.ReadAll()
	if err != nil {
		return recs, fmt.Errorf("%s: %w", path, err)
	}
	return recs, nil
}

// read returns the next n bytes of input in the reader's buffer. The buffer
// grows at most to twice the bytes actually read (or 4 KiB), so a length
// field that lies costs no more memory than the bytes behind it.
func (r *Reader) read(n int) ([]byte, error) {
	if n <= cap(r.buf) {
		b := r.buf[:n]
		if _, err := io.ReadFull(r.r, b); err != nil {
			return nil, eofUnexpected(err)
		}
		return b, nil
	}
	b := r.buf[:0]
	for len(b) < n {
		step := min(n-len(b), max(len(b), 4096))
		b = slices.Grow(b, step)
		m, err := io.ReadFull(r.r, b[len(b):len(b)+step])
		b = b[:len(b)+m]
		if err != nil {
			r.buf = b
			return nil, eofUnexpected(err)
		}
	}
	r.buf = b
	return b, nil
}

// eofUnexpected turns io.EOF inside a structure into io.ErrUnexpectedEOF.
func eofUnexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
