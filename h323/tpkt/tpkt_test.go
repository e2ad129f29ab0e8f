package tpkt

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/switchyard/switchyard/internal/pcap"
	"github.com/switchyard/switchyard/internal/testpeer"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name        string
		in          []byte
		max         int
		wantPayload []byte
		wantRest    []byte
		wantErr     error
	}{
		{"one packet", []byte{3, 0, 0, 6, 0xaa, 0xbb}, 0, []byte{0xaa, 0xbb}, []byte{}, nil},
		{"packet and rest", []byte{3, 0, 0, 5, 1, 3, 0}, 0, []byte{1}, []byte{3, 0}, nil},
		{"keep-alive", []byte{3, 0, 0, 4}, 0, []byte{}, []byte{}, nil},
		{"reserved tolerated", []byte{3, 9, 0, 5, 7}, 0, []byte{7}, []byte{}, nil},
		{"empty", nil, 0, nil, nil, ErrIncomplete},
		{"short header", []byte{3, 0, 0}, 0, nil, nil, ErrIncomplete},
		{"short payload", []byte{3, 0, 0, 8, 1, 2}, 0, nil, nil, ErrIncomplete},
		{"bad version", []byte{4, 0, 0, 8}, 0, nil, nil, ErrVersion},
		{"bad version early", []byte{0x45}, 0, nil, nil, ErrVersion},
		{"length 3", []byte{3, 0, 0, 3}, 0, nil, nil, ErrLength},
		{"length 0", []byte{3, 0, 0, 0}, 0, nil, nil, ErrLength},
		{"over max", []byte{3, 0, 0, 9, 1, 2, 3, 4, 5}, 8, nil, nil, ErrTooLong},
		{"at max", []byte{3, 0, 0, 8, 1, 2, 3, 4}, 8, []byte{1, 2, 3, 4}, []byte{}, nil},
		{"max 65535 length", append([]byte{3, 0, 0xff, 0xff}, make([]byte, 10)...), 0, nil, nil, ErrIncomplete},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, rest, err := Split(tc.in, tc.max)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err %v, want %v", err, tc.wantErr)
				}
				if !bytes.Equal(rest, tc.in) {
					t.Errorf("rest % x, want the input back", rest)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(p, tc.wantPayload) || !bytes.Equal(rest, tc.wantRest) {
				t.Errorf("payload % x rest % x", p, rest)
			}
			if cap(p) != len(p) {
				t.Errorf("payload capacity %d reaches past the packet", cap(p))
			}
		})
	}
}

func TestReader(t *testing.T) {
	stream := []byte{3, 0, 0, 6, 1, 2, 3, 0, 0, 4, 3, 0, 0, 5, 9}
	rd := NewReader(bytes.NewReader(stream), 0)
	var got [][]byte
	for {
		p, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, bytes.Clone(p))
	}
	want := [][]byte{{1, 2}, {}, {9}}
	if len(got) != len(want) {
		t.Fatalf("got %d packets, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Errorf("packet %d: % x, want % x", i, got[i], want[i])
		}
	}
}

func TestReaderErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		max     int
		wantErr error
	}{
		{"clean EOF", nil, 0, io.EOF},
		{"EOF in header", []byte{3, 0}, 0, io.ErrUnexpectedEOF},
		{"EOF in payload", []byte{3, 0, 0, 9, 1}, 0, io.ErrUnexpectedEOF},
		{"bad version", []byte{2, 0, 0, 4}, 0, ErrVersion},
		{"short length", []byte{3, 0, 0, 2}, 0, ErrLength},
		{"over max", []byte{3, 0, 0x10, 0}, 1024, ErrTooLong},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewReader(bytes.NewReader(tc.in), tc.max).Next(); !errors.Is(err, tc.wantErr) {
				t.Errorf("Reader.Next: %v, want %v", err, tc.wantErr)
			}
			if _, err := ReadPacket(bytes.NewReader(tc.in), tc.max); !errors.Is(err, tc.wantErr) {
				t.Errorf("ReadPacket: %v, want %v", err, tc.wantErr)
			}
		})
	}
}

// TestReaderAllocBound: a length beyond the maximum is refused before any
// buffer is made for it.
func TestReaderAllocBound(t *testing.T) {
	in := []byte{3, 0, 0xff, 0xff, 1, 2}
	tests := []struct {
		name string
		max  int
	}{
		{"over max", 100},
		{"truncated", MaxLen},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range 100 {
				if _, err := NewReader(bytes.NewReader(in), tc.max).Next(); err == nil {
					t.Fatal("no error")
				}
			}
			runtime.ReadMemStats(&after)
			perRead := (after.TotalAlloc - before.TotalAlloc) / 100
			// The claimed length may be honoured up to the maximum, but
			// an over-max claim must cost nothing like it.
			limit := uint64(1024)
			if tc.max == MaxLen {
				limit += MaxLen
			}
			if perRead > limit {
				t.Errorf("%d bytes allocated per read", perRead)
			}
		})
	}
}

func TestWriterRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	payloads := [][]byte{{}, {1}, bytes.Repeat([]byte{7}, 1000), make([]byte, MaxPayload)}
	for _, p := range payloads {
		if err := w.WritePacket(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.WritePacket(make([]byte, MaxPayload+1)); !errors.Is(err, ErrTooLong) {
		t.Errorf("oversized payload: %v", err)
	}
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, MaxLen)
	sc.Split(ScanPackets)
	i := 0
	for sc.Scan() {
		if i >= len(payloads) || !bytes.Equal(sc.Bytes(), payloads[i]) {
			t.Fatalf("packet %d: %d bytes", i, len(sc.Bytes()))
		}
		i++
	}
	if err := sc.Err(); err != nil || i != len(payloads) {
		t.Fatalf("scanned %d packets, err %v", i, err)
	}
}

func TestScanTruncated(t *testing.T) {
	sc := bufio.NewScanner(bytes.NewReader([]byte{3, 0, 0, 5, 1, 3, 0}))
	sc.Split(ScanPackets)
	n := 0
	for sc.Scan() {
		n++
	}
	if n != 1 || sc.Err() == nil {
		t.Errorf("scanned %d packets, err %v; want 1 and an error", n, sc.Err())
	}
}

func TestWriterZeroAlloc(t *testing.T) {
	w := NewWriter(io.Discard)
	p := make([]byte, 300)
	_ = w.WritePacket(p)
	if a := testing.AllocsPerRun(100, func() { _ = w.WritePacket(p) }); a != 0 {
		t.Errorf("WritePacket: %v allocations", a)
	}
	stream, _ := Append(nil, p)
	if a := testing.AllocsPerRun(100, func() { _, _, _ = Split(stream, 0) }); a != 0 {
		t.Errorf("Split: %v allocations", a)
	}
	r := bytes.NewReader(nil)
	rd := NewReader(r, 0)
	r.Reset(stream)
	_, _ = rd.Next()
	if a := testing.AllocsPerRun(100, func() { r.Reset(stream); _, _ = rd.Next() }); a != 0 {
		t.Errorf("Reader.Next: %v allocations", a)
	}
}

// TestCaptureStreams: every call-signalling stream of the reference
// captures splits into whole TPKT packets.
func TestCaptureStreams(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(testpeer.SharedDir(t), "captures", "*.pcap"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no captures: %v", err)
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			pkts, err := pcap.ReadPackets(path)
			if err != nil {
				t.Fatal(err)
			}
			var packets int
			for _, c := range pcap.ReassembleTCP(pkts) {
				for _, s := range []pcap.Stream{c.ClientToServer, c.ServerToClient} {
					rest := s.Data
					for len(rest) > 0 {
						var err error
						if _, rest, err = Split(rest, 0); err != nil {
							t.Fatalf("%s→%s: %v", s.Src, s.Dst, err)
						}
						packets++
					}
				}
			}
			if packets == 0 {
				t.Error("no TPKT packets")
			}
		})
	}
}
