package q931

import "testing"

// sampleSetup is a Setup shaped like an H.323 endpoint's: bearer
// capability, display, calling and called numbers and a 160-byte H.225 PDU.
func sampleSetup(tb testing.TB) []byte {
	tb.Helper()
	m := Message{Type: Setup, CallRef: 0x0b49}
	pdu := make([]byte, 160)
	for i := range pdu {
		pdu[i] = byte(i)
	}
	for _, err := range []error{
		m.SetBearerCapability(BearerCapability{TransferCapability: TransferUnrestrictedDigital, TransferRate: Rate384k, Layer1: Layer1H221}),
		m.SetDisplay("alice"),
		m.SetCallingPartyNumber(PartyNumber{Plan: PlanE164, HasPresentation: true, Digits: "2001"}),
		m.SetCalledPartyNumber(PartyNumber{Plan: PlanE164, Digits: "1001"}),
		m.SetH225(pdu),
	} {
		if err != nil {
			tb.Fatal(err)
		}
	}
	b, err := m.Marshal()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func BenchmarkSetupUnmarshal(b *testing.B) {
	setup := sampleSetup(b)
	var m Message
	b.ReportAllocs()
	b.SetBytes(int64(len(setup)))
	for b.Loop() {
		if err := m.Unmarshal(setup); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSetupMarshal(b *testing.B) {
	m, err := Unmarshal(sampleSetup(b))
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		if buf, err = m.AppendBinary(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkSetupMarshalNew(b *testing.B) {
	m, err := Unmarshal(sampleSetup(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Marshal(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSetupCalledNumber(b *testing.B) {
	m, err := Unmarshal(sampleSetup(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.CalledPartyNumber(); err != nil {
			b.Fatal(err)
		}
	}
}
