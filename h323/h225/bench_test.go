package h225_test

import (
	"strings"
	"testing"

	"github.com/switchyard/switchyard/h323/h225"
	"github.com/switchyard/switchyard/h323/per"
)

// setupFromCall2 returns the encoded H323-UserInformation of the Setup with
// fastStart in the call2 capture.
func setupFromCall2(b testing.TB) []byte {
	b.Helper()
	for _, m := range captureMessages(b) {
		if m.kind == capUUIE && strings.HasPrefix(m.where, "call2-") && strings.HasSuffix(m.where, " Setup") {
			return m.data
		}
	}
	b.Fatal("no Setup in call2")
	return nil
}

func BenchmarkDecodeSetupFastStart(b *testing.B) {
	data := setupFromCall2(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	var d per.Decoder
	var v h225.H323UserInformation
	for b.Loop() {
		d.Reset(data)
		if err := v.Decode(&d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeSetupFastStart(b *testing.B) {
	var v h225.H323UserInformation
	if err := v.UnmarshalPER(setupFromCall2(b)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var e per.Encoder
	for b.Loop() {
		e.Reset()
		if err := v.Encode(&e); err != nil {
			b.Fatal(err)
		}
	}
}
