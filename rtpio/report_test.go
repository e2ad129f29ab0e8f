package rtpio

import (
	"bytes"
	"testing"

	"github.com/pion/rtcp"
)

// TestReportWriterMatchesPion checks our allocation-free report encoder
// against pion/rtcp's marshaller for every shape a session sends.
func TestReportWriterMatchesPion(t *testing.T) {
	block := rtcp.ReceptionReport{SSRC: 0x01020304, FractionLost: 12, TotalLost: 0x0abcde,
		LastSequenceNumber: 0x00011234, Jitter: 77, LastSenderReport: 0xdeadbeef, Delay: 65536}
	for _, cname := range []string{"a", "abcd", "0123456789abcdef", "twenty-two-characters!"} {
		for _, sender := range []bool{false, true} {
			for _, withBlock := range []bool{false, true} {
				for _, bye := range []bool{false, true} {
					c := reportContent{ssrc: 0xcafebabe, sender: sender, ntp: 0x1122334455667788, rtpTS: 9000,
						pkts: 50, octets: 8000, cname: cname, bye: bye}
					var blocks []rtcp.ReceptionReport
					if withBlock {
						c.block = &block
						blocks = []rtcp.ReceptionReport{block}
					}
					var first rtcp.Packet = &rtcp.ReceiverReport{SSRC: c.ssrc, Reports: blocks}
					if sender {
						first = &rtcp.SenderReport{SSRC: c.ssrc, NTPTime: c.ntp, RTPTime: c.rtpTS,
							PacketCount: c.pkts, OctetCount: c.octets, Reports: blocks}
					}
					pkts := []rtcp.Packet{first, &rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{
						Source: c.ssrc, Items: []rtcp.SourceDescriptionItem{{Type: rtcp.SDESCNAME, Text: cname}}}}}}
					if bye {
						pkts = append(pkts, &rtcp.Goodbye{Sources: []uint32{c.ssrc}})
					}
					want, err := rtcp.Marshal(pkts)
					if err != nil {
						t.Fatal(err)
					}
					var w reportWriter
					if got := w.build(&c); !bytes.Equal(got, want) {
						t.Errorf("cname %q sender %v block %v bye %v:\n got %x\nwant %x", cname, sender, withBlock, bye, got, want)
					}
				}
			}
		}
	}
}

func TestReportWriterAllocates(t *testing.T) {
	var w reportWriter
	block := rtcp.ReceptionReport{SSRC: 1}
	c := reportContent{ssrc: 2, sender: true, block: &block, cname: "0123456789abcdef"}
	if n := testing.AllocsPerRun(100, func() { w.build(&c) }); n != 0 {
		t.Errorf("report build allocates %v per run", n)
	}
}
