package wirecheck

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/switchyard/switchyard/h323/caps"
	"github.com/switchyard/switchyard/h323/h225"
	"github.com/switchyard/switchyard/h323/h245"
	"github.com/switchyard/switchyard/h323/per"
	"github.com/switchyard/switchyard/h323/q931"
	"github.com/switchyard/switchyard/h323/tpkt"
	"github.com/switchyard/switchyard/internal/pcap"
	"github.com/switchyard/switchyard/internal/testpeer"
)

// tcs20 is a TerminalCapabilitySet of 20 capabilities, as a video room
// system announces: six audio formats, six video, three content, camera
// control, and four control capabilities.
func tcs20() h245.MultimediaSystemControlMessage {
	h264 := func(profile, level uint8, rate uint32) caps.Media {
		return caps.H264Media(caps.H264{Profile: profile, Level: level, PacketizationMode: 1}, rate)
	}
	media := [][]caps.Media{
		{caps.G711(true, 20), caps.G711(false, 20), caps.G722(20), caps.G7221(24000, 20), caps.G7221(32000, 20),
			{Format: caps.FormatTelephoneEvent, PayloadType: 101, Events: "0-16"}},
		{h264(caps.H264ProfileHigh, 92, 4096000), h264(caps.H264ProfileMain, 85, 4096000), h264(caps.H264ProfileBaseline, 71, 2048000),
			h264(caps.H264ProfileBaseline, 36, 768000), caps.H263(caps.Pictures{QCIF: 1, CIF: 1, CIF4: 2}, caps.H263Options{}, 2048000),
			caps.H261(caps.Pictures{QCIF: 1, CIF: 1}, 1920000)},
		{h264(caps.H264ProfileBaseline, 71, 1024000).AsContent(), caps.H263(caps.Pictures{CIF: 1}, caps.H263Options{}, 1024000).AsContent(),
			caps.H261(caps.Pictures{CIF: 1}, 1024000).AsContent()},
		{caps.H224(64000)},
	}
	var s caps.CapabilitySet
	var sim [][]uint16
	for _, group := range media {
		var set []uint16
		for _, m := range group {
			n := uint16(len(s.Entries) + 1)
			dir := caps.Receive
			if m.Format == caps.FormatH224 {
				dir = caps.ReceiveAndTransmit
			}
			s.Entries = append(s.Entries, caps.Entry{Number: n, Direction: dir, Media: []caps.Media{m}})
			set = append(set, n)
		}
		sim = append(sim, set)
	}
	var ui []uint16
	for _, c := range []caps.Control{caps.ControlH239, caps.ControlBasicString, caps.ControlDTMF, caps.ControlHookflash} {
		n := uint16(len(s.Entries) + 1)
		s.Entries = append(s.Entries, caps.Entry{Number: n, Direction: caps.ReceiveAndTransmit, Control: c})
		ui = append(ui, n)
	}
	s.Descriptors = []caps.Descriptor{{Number: 1, Simultaneous: append(sim, ui[:1], ui[1:])}}
	if len(s.Entries) != 20 {
		panic(fmt.Sprintf("tcs20 has %d capabilities", len(s.Entries)))
	}
	return must(s.Message())
}

// call2Setup returns the H323-UserInformation of the real stack's Setup
// with 52 fast start proposals (call2 capture).
func call2Setup(b *testing.B) []byte {
	b.Helper()
	pkts, err := pcap.ReadPackets(testpeer.SharedFile(b, "captures", "call2-faststart-sepH245.pcap"))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range pcap.ReassembleTCP(pkts) {
		if c.Server.Port() != 1720 {
			continue
		}
		payload, _, err := tpkt.Split(c.ClientToServer.Data, 1<<16)
		if err != nil {
			b.Fatal(err)
		}
		m, err := q931.Unmarshal(payload)
		if err != nil || m.Type != q931.Setup {
			continue
		}
		uu, err := m.H225()
		if err != nil {
			b.Fatal(err)
		}
		return uu
	}
	b.Fatal("no Setup in call2")
	return nil
}

// benchCodec measures decoding and encoding of one encoded value.
func benchCodec(b *testing.B, data []byte, fresh func() perValue) {
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		var d per.Decoder
		v := fresh()
		for b.Loop() {
			d.Reset(data)
			if err := v.Decode(&d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encode", func(b *testing.B) {
		v := fresh()
		if err := v.Decode(per.NewDecoder(data)); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		var e per.Encoder
		for b.Loop() {
			e.Reset()
			if err := v.Encode(&e); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func encoded(v perValue) []byte {
	var e per.Encoder
	if err := v.Encode(&e); err != nil {
		panic(err)
	}
	return append([]byte(nil), e.Bytes()...)
}

func newUUIE() perValue { return new(h225.H323UserInformation) }
func newMSC() perValue  { return new(h245.MultimediaSystemControlMessage) }
func newRAS() perValue  { return new(h225.RasMessage) }

// BenchmarkSetupFastStart decodes and encodes a Setup with fast start:
// the scenario's (4 proposals, tunnelling) and the real stack's (52
// proposals).
func BenchmarkSetupFastStart(b *testing.B) {
	s := buildScenario()
	b.Run("built", func(b *testing.B) { benchCodec(b, encoded(&s.setupA), newUUIE) })
	b.Run("call2", func(b *testing.B) { benchCodec(b, call2Setup(b), newUUIE) })
}

// BenchmarkTCS20 decodes and encodes a TerminalCapabilitySet of 20
// capabilities.
func BenchmarkTCS20(b *testing.B) {
	m := tcs20()
	benchCodec(b, encoded(&m), newMSC)
}

// callMessages are the PER messages one gatewayed H.323 call costs the
// gateway when it registers with a gatekeeper, uses fast start and
// tunnelled H.245 with audio, video and content: each is encoded by one
// side and decoded by the other, and the gateway is one of the sides.
func callMessages(s *scenario) []struct {
	data  []byte
	fresh func() perValue
} {
	tcs := tcs20()
	msgs := []struct {
		v     perValue
		fresh func() perValue
		n     int
	}{
		{&s.arq, newRAS, 1}, {&s.acf, newRAS, 1}, {&s.drq, newRAS, 1}, {&s.acf, newRAS, 1}, // DCF: an ACF-sized stand-in
		{&s.setupA, newUUIE, 1}, {&s.connectA, newUUIE, 2}, // Connect, and CallProceeding/Alerting of its size
		{&s.releaseA, newUUIE, 1},
		{&tcs, newMSC, 2}, {&s.tcsAck, newMSC, 2}, {&s.msd, newMSC, 2}, {&s.msdAck, newMSC, 2},
		{&s.olc, newMSC, 6}, {&s.olcAck, newMSC, 6}, // audio, video, content each way
		{&s.h239Req, newMSC, 1}, {&s.h239Resp, newMSC, 1},
		{&s.vfu, newMSC, 4}, {&s.uii, newMSC, 4},
		{&s.clc, newMSC, 6}, {&s.endSession, newMSC, 2},
	}
	var out []struct {
		data  []byte
		fresh func() perValue
	}
	for _, m := range msgs {
		for range m.n {
			out = append(out, struct {
				data  []byte
				fresh func() perValue
			}{encoded(m.v), m.fresh})
		}
	}
	return out
}

// BenchmarkCallPER encodes and decodes every PER message of one call
// (callMessages): ns/op is the PER cost of a call, and the metric
// "%core@1000cps" the share of one core that 1,000 calls per second
// spend in PER.
func BenchmarkCallPER(b *testing.B) {
	msgs := callMessages(buildScenario())
	values := make([]perValue, len(msgs))
	for i, m := range msgs {
		values[i] = m.fresh()
	}
	var e per.Encoder
	var d per.Decoder
	b.ReportAllocs()
	for b.Loop() {
		for i, m := range msgs {
			d.Reset(m.data)
			if err := values[i].Decode(&d); err != nil {
				b.Fatal(err)
			}
			e.Reset()
			if err := values[i].Encode(&e); err != nil {
				b.Fatal(err)
			}
		}
	}
	perCall := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(float64(len(msgs)), "msgs/call")
	b.ReportMetric(perCall*1000/1e9*100, "%core@1000cps")
}

// TestCallMessagesRoundTrip checks that the benchmark's messages decode to
// the values they were encoded from.
func TestCallMessagesRoundTrip(t *testing.T) {
	s := buildScenario()
	for i, m := range callMessages(s) {
		v := m.fresh()
		if err := v.Decode(per.NewDecoder(m.data)); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if got := encoded(v); !reflect.DeepEqual(got, m.data) {
			t.Fatalf("message %d re-encodes differently", i)
		}
	}
}
