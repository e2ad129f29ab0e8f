package transcode

import (
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
)

// sourcePackets encodes a tone as 20 ms RTP packets of codec c, sent in
// real time starting at 0.
func sourcePackets(t testing.TB, c call.Codec, rate int, dur time.Duration, freq float64) []timedPacket {
	t.Helper()
	enc, err := NewAudioEncoder(c, rate, 1, PathOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	var out []timedPacket
	frame := rate / 50
	for i := 0; time.Duration(i)*20*time.Millisecond < dur; i++ {
		at := time.Duration(i) * 20 * time.Millisecond
		if err := enc.Write(tone(frame, rate, freq, 16000, i*frame), func(p *rtp.Packet) error {
			out = append(out, timedPacket{at, clonePacket(p)})
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// decodeAll decodes packets of codec c into one PCM stream, mono.
func decodeAll(t testing.TB, c call.Codec, pkts []timedPacket) ([]int16, int) {
	t.Helper()
	d, err := NewAudioDecoder(c)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var out []int16
	rate := 0
	for i := range pkts {
		pcm, r, ch, err := d.Decode(&pkts[i].p)
		if err != nil {
			t.Fatal(err)
		}
		rate = r
		for k := 0; k < len(pcm); k += ch {
			out = append(out, pcm[k])
		}
	}
	return out, rate
}

// steady returns the part of pcm after the tone has started, skipping the
// codecs' start-up, of length n samples.
func steady(pcm []int16, rate int, n int) []int16 {
	start := 0
	for start < len(pcm) && pcm[start] < 4000 && pcm[start] > -4000 {
		start++
	}
	start += rate / 5
	if start+n > len(pcm) {
		return nil
	}
	return pcm[start : start+n]
}

func TestToneThroughCodecChain(t *testing.T) {
	in := sourcePackets(t, pcmu, 8000, 2*time.Second, 1000)
	var paths []*Path
	for _, hop := range [][2]call.Codec{{pcmu, opus}, {opus, g722}, {g722, pcmu}} {
		p, err := NewPath(hop[0], hop[1], PathOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		paths = append(paths, p)
	}
	out := chain(t, paths, in, 2300*time.Millisecond, 5*time.Millisecond)
	pcm, rate := decodeAll(t, pcmu, out)
	win := steady(pcm, rate, rate) // one second
	if win == nil {
		t.Fatalf("only %d samples came out", len(pcm))
	}
	freq, snr := toneAnalysis(win, rate)
	t.Logf("G.711 → Opus → G.722 → G.711: %.2f Hz, SNR %.1f dB, %d packets out", freq, snr, len(out))
	if freq < 990 || freq > 1010 {
		t.Errorf("frequency %.2f Hz, want 1000 ± 1%%", freq)
	}
	if snr < 20 {
		t.Errorf("SNR %.1f dB, want at least 20", snr)
	}
	for i := 1; i < len(out); i++ {
		if out[i].p.SequenceNumber != out[i-1].p.SequenceNumber+1 || out[i].p.Timestamp != out[i-1].p.Timestamp+160 {
			t.Fatalf("packet %d: seq %d ts %d after seq %d ts %d", i, out[i].p.SequenceNumber, out[i].p.Timestamp, out[i-1].p.SequenceNumber, out[i-1].p.Timestamp)
		}
	}
}

func TestAudioPairs(t *testing.T) {
	codecs := []call.Codec{pcmu, pcma, g722, opus, aac}
	for _, from := range codecs {
		for _, to := range codecs {
			if from.Name == to.Name {
				continue
			}
			t.Run(from.Name+"-"+to.Name, func(t *testing.T) {
				rate := 8000
				if from.Name == "OPUS" || from.Name == "MPEG4-GENERIC" {
					rate = 48000
				} else if from.Name == "G722" {
					rate = 16000
				}
				in := sourcePackets(t, from, rate, time.Second, 1000)
				p, err := NewPath(from, to, PathOptions{})
				if err != nil {
					t.Fatal(err)
				}
				defer p.Close()
				out := chain(t, []*Path{p}, in, 1200*time.Millisecond, 5*time.Millisecond)
				pcm, orate := decodeAll(t, to, out)
				win := steady(pcm, orate, orate/2)
				if win == nil {
					t.Fatalf("%d samples out", len(pcm))
				}
				freq, snr := toneAnalysis(win, orate)
				if freq < 990 || freq > 1010 || snr < 20 {
					t.Errorf("%.1f Hz, SNR %.1f dB", freq, snr)
				}
			})
		}
	}
}
