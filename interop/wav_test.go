package interop

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"
)

// wavSamples reads a mono or multi-channel 16-bit PCM WAV file: its
// samples (interleaved) and sample rate. It walks the RIFF chunks, so the
// extra chunks some writers add are skipped.
func wavSamples(data []byte) ([]int16, int, error) {
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WAVE" {
		return nil, 0, errors.New("not a RIFF WAVE file")
	}
	rate, bits := 0, 0
	for rest := data[12:]; len(rest) >= 8; {
		id, size := string(rest[:4]), binary.LittleEndian.Uint32(rest[4:8])
		rest = rest[8:]
		if uint64(size) > uint64(len(rest)) {
			if id != "data" {
				return nil, 0, fmt.Errorf("%q chunk of %d bytes, %d left", id, size, len(rest))
			}
			size = uint32(len(rest)) // a writer stopped before fixing the size
		}
		body := rest[:size]
		switch id {
		case "fmt ":
			if len(body) < 16 {
				return nil, 0, errors.New("short fmt chunk")
			}
			if format := binary.LittleEndian.Uint16(body[0:2]); format != 1 && format != 0xfffe {
				return nil, 0, fmt.Errorf("format %d is not PCM", format)
			}
			rate = int(binary.LittleEndian.Uint32(body[4:8]))
			bits = int(binary.LittleEndian.Uint16(body[14:16]))
		case "data":
			if rate <= 0 || bits != 16 {
				return nil, 0, fmt.Errorf("data before a usable fmt chunk (rate %d, %d bits)", rate, bits)
			}
			samples := make([]int16, len(body)/2)
			for i := range samples {
				samples[i] = int16(binary.LittleEndian.Uint16(body[2*i:]))
			}
			return samples, rate, nil
		}
		next := uint64(size) + uint64(size%2) // chunks are padded to even sizes
		if next > uint64(len(rest)) {
			break
		}
		rest = rest[next:]
	}
	return nil, 0, errors.New("no data chunk")
}

// toneWAV is a 440 Hz tone as an 8 kHz mono 16-bit WAV file, which
// baresip's aufile source plays once (at its end, the source stops).
func toneWAV(d time.Duration) []byte {
	const rate = 8000
	n := int(d.Seconds() * rate)
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString("RIFF")
	_ = binary.Write(&b, le, uint32(36+2*n))
	b.WriteString("WAVEfmt ")
	// fmt chunk: PCM, 1 channel, 8000 Hz, 16000 bytes/s, 2-byte frames, 16 bits.
	_ = binary.Write(&b, le, struct {
		Size                      uint32
		Format, Channels          uint16
		Rate, ByteRate            uint32
		BlockAlign, BitsPerSample uint16
	}{16, 1, 1, rate, 2 * rate, 2, 16})
	b.WriteString("data")
	_ = binary.Write(&b, le, uint32(2*n))
	samples := make([]int16, n)
	for i := range samples {
		samples[i] = int16(8000 * math.Sin(2*math.Pi*440*float64(i)/rate))
	}
	_ = binary.Write(&b, le, samples)
	return b.Bytes()
}

func TestWAVSamples(t *testing.T) {
	tone := toneWAV(time.Second)
	tests := []struct {
		name    string
		data    []byte
		samples int
		fails   bool
	}{
		{"tone", tone, 8000, false},
		{"data size past the end", tone[:len(tone)-100], 8000 - 50, false},
		{"no data chunk", tone[:36], 0, true},
		{"not RIFF", []byte("RIFX0000WAVE"), 0, true},
		{"empty", nil, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			samples, rate, err := wavSamples(tc.data)
			if (err != nil) != tc.fails {
				t.Fatalf("error %v, want failure %v", err, tc.fails)
			}
			if err == nil && (len(samples) != tc.samples || rate != 8000) {
				t.Errorf("%d samples at %d Hz, want %d at 8000", len(samples), rate, tc.samples)
			}
		})
	}
}

// FuzzWAVSamples: a truncated or lying WAV file never panics the reader.
func FuzzWAVSamples(f *testing.F) {
	f.Add(toneWAV(10 * time.Millisecond))
	f.Add([]byte("RIFF\x04\x00\x00\x00WAVEdata\xff\xff\xff\xff"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEfmt \x01\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		samples, _, err := wavSamples(data)
		if err == nil && len(samples) > len(data)/2 {
			t.Fatalf("%d samples from %d bytes", len(samples), len(data))
		}
	})
}
