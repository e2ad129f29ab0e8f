package transcode

import (
	"testing"
	"time"

	"github.com/pion/rtp"
)

func jbPkt(seq uint16, ts uint32, ssrc uint32) *rtp.Packet {
	return &rtp.Packet{Header: rtp.Header{SequenceNumber: seq, Timestamp: ts, SSRC: ssrc}, Payload: []byte{byte(seq)}}
}

// drain pops everything due at now and returns the sequence numbers and
// the total loss reported.
func drain(j *jitterBuffer, now time.Duration) (seqs []uint16, lost int) {
	var out jbPacket
	for {
		ok, _ := j.pop(now, &out)
		if !ok {
			return seqs, lost
		}
		seqs = append(seqs, out.SequenceNumber)
		lost += out.Lost
	}
}

func TestJitterBufferVideo(t *testing.T) {
	ms := time.Millisecond
	cases := []struct {
		name     string
		arrivals []uint16 // all at t=0
		at       time.Duration
		want     []uint16
		lost     int
	}{
		{"in order", []uint16{10, 11, 12}, 0, []uint16{10, 11, 12}, 0},
		{"reordered", []uint16{10, 12, 11, 13}, 0, []uint16{10, 11, 12, 13}, 0},
		{"duplicate", []uint16{10, 11, 11, 12}, 0, []uint16{10, 11, 12}, 0},
		{"gap waits", []uint16{10, 12}, 5 * ms, []uint16{10}, 0},
		{"gap declared lost", []uint16{10, 12}, 30 * ms, []uint16{10, 12}, 1},
		{"wraps", []uint16{65534, 65535, 0, 1}, 0, []uint16{65534, 65535, 0, 1}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			j := newJitterBuffer(90000, false, 64, 0, 0)
			for _, s := range tc.arrivals {
				j.push(jbPkt(s, 3000, 1), 0)
			}
			got, lost := drain(j, tc.at)
			if len(got) != len(tc.want) || lost != tc.lost {
				t.Fatalf("got %v lost %d, want %v lost %d", got, lost, tc.want, tc.lost)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v want %v", got, tc.want)
				}
			}
		})
	}
}

func TestJitterBufferLateSourceAndJump(t *testing.T) {
	j := newJitterBuffer(90000, false, 64, 0, 0)
	j.push(jbPkt(10, 0, 1), 0)
	j.push(jbPkt(11, 0, 1), 0)
	drain(j, 0)
	j.push(jbPkt(10, 0, 1), 0) // after its turn
	if s := j.snapshot(); s.Late != 1 || s.Delay <= DefaultMinDelay {
		t.Fatalf("late packet: %+v", s)
	}
	j.push(jbPkt(500, 0, 2), 0) // a new source
	if got, _ := drain(j, 0); len(got) != 1 || got[0] != 500 {
		t.Fatalf("after source change got %v", got)
	}
	j.push(jbPkt(5000, 0, 2), 0) // a jump beyond the ring
	if got, _ := drain(j, 0); len(got) != 1 || got[0] != 5000 || j.snapshot().Resets != 2 {
		t.Fatalf("after jump got %v, %+v", got, j.snapshot())
	}
}

func TestJitterBufferAudioPlayout(t *testing.T) {
	ms := time.Millisecond
	j := newJitterBuffer(8000, true, 64, 0, 0)
	// 20 ms packets; the second arrives 15 ms late.
	j.push(jbPkt(1, 0, 1), 0)
	j.push(jbPkt(2, 160, 1), 35*ms)
	j.push(jbPkt(3, 320, 1), 40*ms)
	if got, _ := drain(j, 19*ms); len(got) != 0 {
		t.Fatalf("released %v before the 20 ms delay", got)
	}
	if got, _ := drain(j, 20*ms); len(got) != 1 {
		t.Fatalf("at 20 ms got %v", got)
	}
	if got, _ := drain(j, 60*ms); len(got) != 2 {
		t.Fatalf("at 60 ms got %v", got)
	}
	// Lost packet 4: 5 is released at its own playout time, with the loss.
	j.push(jbPkt(5, 640, 1), 80*ms)
	got, lost := drain(j, 100*ms)
	if len(got) != 1 || got[0] != 5 || lost != 1 {
		t.Fatalf("got %v lost %d", got, lost)
	}
}

func TestJitterBufferAdapts(t *testing.T) {
	j := newJitterBuffer(8000, true, 64, 0, 0)
	// Arrivals alternate 0 and 30 ms late: about 30 ms of jitter.
	for i := range 200 {
		late := time.Duration(i%2) * 30 * time.Millisecond
		j.push(jbPkt(uint16(i), uint32(i*160), 1), time.Duration(i)*20*time.Millisecond+late)
		drain(j, time.Duration(i)*20*time.Millisecond+late)
	}
	s := j.snapshot()
	if s.Delay < 40*time.Millisecond || s.Delay > DefaultMaxDelay {
		t.Fatalf("delay %v for jitter %v", s.Delay, s.Jitter)
	}
}

func BenchmarkJitterBuffer(b *testing.B) {
	j := newJitterBuffer(8000, false, 64, 0, 0)
	p := jbPkt(0, 0, 1)
	p.Payload = make([]byte, 160)
	var out jbPacket
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p.SequenceNumber, p.Timestamp = uint16(i), uint32(i*160)
		j.push(p, time.Duration(i)*20*time.Millisecond)
		j.pop(time.Duration(i)*20*time.Millisecond, &out)
		i++
	}
}
