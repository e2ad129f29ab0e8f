package tpkt

import (
	"errors"
	"fmt"
	"io"
)

// Reader reads TPKT packets from a byte stream, reusing one buffer: after
// the first packets it reads without allocating.
type Reader struct {
	r   io.Reader
	max int
	hdr [HeaderLen]byte
	buf []byte
}

// NewReader returns a Reader that accepts packets up to max bytes, header
// included (values outside 4..MaxLen mean MaxLen).
func NewReader(r io.Reader, max int) *Reader {
	return &Reader{r: r, max: clampMax(max)}
}

// Next reads one packet and returns its payload, valid until the next call.
// It returns io.EOF when the stream ends cleanly between packets and
// io.ErrUnexpectedEOF (wrapped) when it ends inside one.
func (r *Reader) Next() ([]byte, error) {
	n, err := readHeader(r.r, &r.hdr, r.max)
	if err != nil {
		return nil, err
	}
	if cap(r.buf) < n-HeaderLen {
		r.buf = make([]byte, n-HeaderLen)
	}
	payload := r.buf[:n-HeaderLen]
	if _, err := io.ReadFull(r.r, payload); err != nil {
		return nil, fmt.Errorf("tpkt: read payload of %d bytes: %w", len(payload), unexpected(err))
	}
	return payload, nil
}

// ReadPacket reads one packet of at most max bytes (header included) from
// r and returns its payload in a new slice of exactly the payload's size.
func ReadPacket(r io.Reader, max int) ([]byte, error) {
	var hdr [HeaderLen]byte
	n, err := readHeader(r, &hdr, clampMax(max))
	if err != nil {
		return nil, err
	}
	payload := make([]byte, n-HeaderLen)
	if _, err := io.ReadFull(r, payload); err != nil {
		return nil, fmt.Errorf("tpkt: read payload of %d bytes: %w", len(payload), unexpected(err))
	}
	return payload, nil
}

func readHeader(r io.Reader, hdr *[HeaderLen]byte, max int) (int, error) {
	if k, err := io.ReadFull(r, hdr[:]); err != nil {
		if k == 0 && errors.Is(err, io.EOF) {
			return 0, io.EOF
		}
		return 0, fmt.Errorf("tpkt: read header: %w", unexpected(err))
	}
	return Header(*hdr, max)
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
