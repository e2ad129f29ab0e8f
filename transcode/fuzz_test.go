package transcode

import (
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
)

// fuzzPackets cuts data into packets: a length byte, a flags byte (marker,
// new timestamp, skip a sequence number) and the payload.
func fuzzPackets(data []byte, pt uint8, step uint32) []rtp.Packet {
	var out []rtp.Packet
	var ts uint32
	var seq uint16
	for len(data) >= 2 {
		n, flags := int(data[0]), data[1]
		data = data[2:]
		n = min(n, len(data))
		if flags&0x02 != 0 {
			ts += step
		}
		if flags&0x04 != 0 {
			seq++
		}
		out = append(out, rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, Timestamp: ts, SSRC: 9, Marker: flags&0x01 != 0}, Payload: data[:n]})
		data = data[n:]
		seq++
	}
	return out
}

// seedPackets encodes a few real packets of codec c for the corpus, in the
// fuzzPackets layout.
func seedPackets(f *testing.F, c call.Codec) []byte {
	var seed []byte
	add := func(p *rtp.Packet) error {
		if len(p.Payload) > 255 {
			p.Payload = p.Payload[:255]
		}
		flags := byte(0x02)
		if p.Marker {
			flags |= 0x01
		}
		seed = append(seed, byte(len(p.Payload)), flags)
		seed = append(seed, p.Payload...)
		return nil
	}
	if Video(c) {
		e, err := NewVideoEncoder(c, 64, 48, PathOptions{MTU: 250})
		if err != nil {
			f.Fatal(err)
		}
		defer e.Close()
		for i := range 3 {
			if _, err := e.Picture(); err != nil {
				f.Fatal(err)
			}
			if err := e.Encode(time.Duration(i)*33*time.Millisecond, add); err != nil {
				f.Fatal(err)
			}
		}
		return seed
	}
	e, err := NewAudioEncoder(c, 8000, 1, PathOptions{})
	if err != nil {
		f.Fatal(err)
	}
	defer e.Close()
	if err := e.Write(tone(480, 8000, 440, 9000, 0), add); err != nil {
		f.Fatal(err)
	}
	return seed
}

var fuzzVideo = []call.Codec{h264, vp8, h263p, h263}

// FuzzVideoDecode feeds arbitrary payloads through each video codec's
// depacketizer and decoder.
func FuzzVideoDecode(f *testing.F) {
	for i, c := range fuzzVideo {
		f.Add(byte(i), seedPackets(f, c))
	}
	f.Add(byte(0), []byte{20, 3, 0x67, 0x42, 0xE0, 0x1F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, kind byte, data []byte) {
		c := fuzzVideo[int(kind)%len(fuzzVideo)]
		d, err := NewVideoDecoder(c)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		pkts := fuzzPackets(data, c.PayloadType, 3000)
		for i := range pkts {
			lost := i > 0 && pkts[i].SequenceNumber != pkts[i-1].SequenceNumber+1
			_ = d.Decode(&pkts[i], lost, time.Duration(i)*time.Millisecond, func(img Image, _ uint32) error {
				if img.Width*img.Height > 2560*1600 {
					t.Fatalf("picture %dx%d", img.Width, img.Height)
				}
				return nil
			})
		}
	})
}

var fuzzAudio = []call.Codec{pcmu, g722, opus, aac}

// FuzzAudioPath feeds arbitrary payloads through audio paths (jitter
// buffer, decoder, concealment, encoder).
func FuzzAudioPath(f *testing.F) {
	for i, c := range fuzzAudio {
		f.Add(byte(i), seedPackets(f, c))
	}
	f.Fuzz(func(t *testing.T, kind byte, data []byte) {
		from := fuzzAudio[int(kind)%len(fuzzAudio)]
		to := pcmu
		if from.Name == "PCMU" {
			to = opus
		}
		p, err := NewPath(from, to, PathOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		pkts := fuzzPackets(data, from.PayloadType, from.ClockRate/50)
		for i := range pkts {
			now := time.Duration(i) * 20 * time.Millisecond
			p.Write(&pkts[i], now)
			if _, err := p.Process(now+30*time.Millisecond, func(*rtp.Packet) error { return nil }); err != nil {
				t.Fatal(err)
			}
		}
	})
}
