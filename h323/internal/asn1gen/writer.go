package main

import (
	"bytes"
	"fmt"
)

// writer accumulates Go source.
type writer struct {
	bytes.Buffer
}

// p writes one formatted line.
func (w *writer) p(format string, args ...any) {
	fmt.Fprintf(&w.Buffer, format, args...)
	w.WriteByte('\n')
}
