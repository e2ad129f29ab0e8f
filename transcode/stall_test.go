package transcode

import (
	"cmp"
	"slices"
	"testing"
	"time"
)

// TestAudioStallsKeepRealTime: a sender that stalls now and then (its
// packets held back, then arriving together, as from a starved process)
// makes the path conceal the late packets' time; when they arrive after
// all they are dropped, and the jitter buffer's delay grows, rather than
// played on top of the concealment. The output then carries as much media
// time as went by, not a packet more for every late one.
func TestAudioStallsKeepRealTime(t *testing.T) {
	tests := []struct {
		name  string
		stall time.Duration
	}{
		{"no stalls", 0},
		{"40 ms stalls", 40 * time.Millisecond},
		{"60 ms stalls", 60 * time.Millisecond},
		{"100 ms stalls", 100 * time.Millisecond},
	}
	const dur = 5 * time.Second
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := sourcePackets(t, pcmu, 8000, dur, 440)
			for i := range in {
				// Every 25th packet and the two after it are held back to
				// arrive together, tc.stall after the first was due.
				if k := i % 25; k < 3 && tc.stall > 0 {
					in[i].at += tc.stall - time.Duration(k)*20*time.Millisecond
				}
			}
			slices.SortStableFunc(in, func(a, b timedPacket) int { return cmp.Compare(a.at, b.at) })
			p, err := NewPath(pcmu, pcma, PathOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			until := dur + 300*time.Millisecond
			out := chain(t, []*Path{p}, in, until, time.Millisecond)
			continuous(t, out, 160)
			s := p.Stats()
			// One packet per 20 ms of the run, give or take the start.
			want := int(until / (20 * time.Millisecond))
			t.Logf("%d packets in, %d out (want about %d); concealed %d, late %d, lost %d, delay %v",
				len(in), len(out), want, s.Concealed, s.Jitter.Late, s.Jitter.Lost, s.Jitter.Delay)
			if len(out) < want-3 || len(out) > want+2 {
				t.Errorf("%d packets out over %v, want %d ± 2: the output runs off real time", len(out), until, want)
			}
			if tc.stall >= 60*time.Millisecond && s.Jitter.Late == 0 {
				t.Errorf("no late packet counted with %v stalls", tc.stall)
			}
		})
	}
}
