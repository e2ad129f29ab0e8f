package tpkt

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func FuzzSplit(f *testing.F) {
	f.Add([]byte{3, 0, 0, 4}, 0)
	f.Add([]byte{3, 0, 0, 6, 1, 2, 3, 0, 0, 5, 9}, 100)
	f.Add([]byte{3, 0, 0xff, 0xff, 1}, 0)
	f.Add([]byte{3, 0, 0, 3}, 0)
	f.Add([]byte{0x45, 0, 0, 20}, 0)
	f.Fuzz(func(t *testing.T, data []byte, max int) {
		// Split and Reader must agree on every packet.
		rd := NewReader(bytes.NewReader(data), max)
		rest := data
		for {
			p, r, splitErr := Split(rest, max)
			q, readErr := rd.Next()
			if splitErr != nil {
				if readErr == nil {
					t.Fatalf("Split: %v, Reader read % x", splitErr, q)
				}
				if errors.Is(splitErr, ErrIncomplete) && !errors.Is(readErr, io.EOF) && !errors.Is(readErr, io.ErrUnexpectedEOF) {
					t.Fatalf("Split incomplete, Reader: %v", readErr)
				}
				return
			}
			if readErr != nil || !bytes.Equal(p, q) {
				t.Fatalf("Split % x, Reader % x (%v)", p, q, readErr)
			}
			if len(p)+HeaderLen > clampMax(max) || len(r) >= len(rest) {
				t.Fatalf("packet of %d bytes, max %d, progress %d→%d", len(p), max, len(rest), len(r))
			}
			rest = r
		}
	})
}
