package tpkt

import (
	"bytes"
	"io"
	"testing"
)

func BenchmarkSplit(b *testing.B) {
	stream, _ := Append(nil, make([]byte, 250))
	b.ReportAllocs()
	b.SetBytes(int64(len(stream)))
	for b.Loop() {
		if _, _, err := Split(stream, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReaderNext(b *testing.B) {
	stream, _ := Append(nil, make([]byte, 250))
	r := bytes.NewReader(stream)
	rd := NewReader(r, 0)
	b.ReportAllocs()
	b.SetBytes(int64(len(stream)))
	for b.Loop() {
		r.Reset(stream)
		if _, err := rd.Next(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWritePacket(b *testing.B) {
	w := NewWriter(io.Discard)
	p := make([]byte, 250)
	b.ReportAllocs()
	b.SetBytes(int64(len(p) + HeaderLen))
	for b.Loop() {
		if err := w.WritePacket(p); err != nil {
			b.Fatal(err)
		}
	}
}
