package tpkt

import (
	"fmt"
	"io"
)

// Writer frames payloads as TPKT packets. Each packet goes to the
// underlying writer in a single Write call, so on a TCP connection a small
// packet is not split by Nagle-less writes of header and body. The Writer
// reuses one buffer and does not allocate once it has grown.
//
// A Writer is not safe for concurrent use.
type Writer struct {
	w   io.Writer
	buf []byte
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w}
}

// WritePacket writes payload as one packet.
func (w *Writer) WritePacket(payload []byte) error {
	b, err := Append(w.buf[:0], payload)
	if err != nil {
		return err
	}
	w.buf = b
	if _, err := w.w.Write(b); err != nil {
		return fmt.Errorf("tpkt: write packet of %d bytes: %w", len(b), err)
	}
	return nil
}

// WritePacket writes payload as one packet to w (one Write call, one
// allocation). Use a Writer on hot paths.
func WritePacket(w io.Writer, payload []byte) error {
	return NewWriter(w).WritePacket(payload)
}
