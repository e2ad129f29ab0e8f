package bridge

import (
	"testing"
	"time"

	"github.com/pion/rtp"
)

func pkt(ssrc uint32, pt uint8, seq uint16, ts uint32) *rtp.Packet {
	return &rtp.Packet{Header: rtp.Header{Version: 2, SSRC: ssrc, PayloadType: pt, SequenceNumber: seq, Timestamp: ts}, Payload: []byte{1}}
}

func TestRewriterMapsAndDrops(t *testing.T) {
	r := NewRewriter(0xabcd, 8000)
	r.Map(0, 0)
	r.Map(101, 96)
	p := pkt(1, 0, 10, 1000)
	if !r.Rewrite(p, 0) || p.SSRC != 0xabcd || p.PayloadType != 0 || p.SequenceNumber != 10 || p.Timestamp != 1000 {
		t.Fatalf("first packet rewritten to %+v", p.Header)
	}
	p = pkt(1, 101, 11, 1160)
	if !r.Rewrite(p, 20*time.Millisecond) || p.PayloadType != 96 {
		t.Fatalf("telephone-event pt = %d, want 96", p.PayloadType)
	}
	if r.Rewrite(pkt(1, 8, 12, 1320), 40*time.Millisecond) {
		t.Fatal("unmapped payload type 8 was not dropped")
	}
	if r.Rewrite(pkt(1, 200, 12, 1320), 40*time.Millisecond) {
		t.Fatal("payload type >= 128 was not dropped")
	}
}

func TestRewriterSourceSwitchIsContinuous(t *testing.T) {
	r := NewRewriter(7, 8000)
	r.Map(0, 0)
	var last *rtp.Packet
	for i := range 5 {
		last = pkt(1, 0, 65533+uint16(i), 4294967000+uint32(i)*160) // wraps both counters
		r.Rewrite(last, time.Duration(i)*20*time.Millisecond)
	}
	// A new source 100 ms after the last packet, with unrelated numbering.
	p := pkt(2, 0, 500, 90000)
	r.Rewrite(p, 4*20*time.Millisecond+100*time.Millisecond)
	if want := last.SequenceNumber + 1; p.SequenceNumber != want {
		t.Errorf("seq after switch = %d, want %d", p.SequenceNumber, want)
	}
	if want := last.Timestamp + 800; p.Timestamp != want { // 100 ms at 8 kHz
		t.Errorf("ts after switch = %d, want %d", p.Timestamp, want)
	}
	if p.SSRC != 7 {
		t.Errorf("ssrc = %d", p.SSRC)
	}
	// The new source's later packets keep its own spacing.
	q := pkt(2, 0, 501, 90160)
	r.Rewrite(q, 200*time.Millisecond)
	if q.SequenceNumber != p.SequenceNumber+1 || q.Timestamp != p.Timestamp+160 {
		t.Errorf("second packet of new source: seq %d ts %d", q.SequenceNumber, q.Timestamp)
	}
	if got := r.InboundSeq(q.SequenceNumber); got != 501 {
		t.Errorf("InboundSeq = %d, want 501", got)
	}
}

func TestRewriterKeepsLossAndReordering(t *testing.T) {
	r := NewRewriter(7, 90000)
	r.Map(96, 100)
	var got []uint16
	for i, seq := range []uint16{1, 2, 4, 3, 7} {
		p := pkt(9, 96, seq, uint32(seq)*3000)
		r.Rewrite(p, time.Duration(i)*time.Millisecond)
		got = append(got, p.SequenceNumber)
	}
	want := []uint16{1, 2, 4, 3, 7}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sequence numbers %v, want %v", got, want)
		}
	}
}

func BenchmarkRewrite(b *testing.B) {
	r := NewRewriter(7, 8000)
	r.Map(0, 0)
	p := pkt(1, 0, 0, 0)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p.SSRC, p.PayloadType, p.SequenceNumber, p.Timestamp = 1, 0, uint16(i), uint32(i)*160
		r.Rewrite(p, time.Duration(i)*20*time.Millisecond)
	}
}
