package h245_test

import (
	"testing"

	"github.com/switchyard/switchyard/h323/h245"
	"github.com/switchyard/switchyard/h323/per"
)

// BenchmarkDecodeTCS decodes a terminalCapabilitySet with 20 capabilities.
func BenchmarkDecodeTCS(b *testing.B) {
	data, err := terminalCapabilitySet().MarshalPER()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	var d per.Decoder
	var v h245.MultimediaSystemControlMessage
	for b.Loop() {
		d.Reset(data)
		if err := v.Decode(&d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeTCS encodes the same message into a reused Encoder.
func BenchmarkEncodeTCS(b *testing.B) {
	v := terminalCapabilitySet()
	b.ReportAllocs()
	var e per.Encoder
	for b.Loop() {
		e.Reset()
		if err := v.Encode(&e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeOLC decodes the G.711 OpenLogicalChannel request.
func BenchmarkDecodeOLC(b *testing.B) {
	data, err := openLogicalChannelG711().MarshalPER()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var d per.Decoder
	var v h245.MultimediaSystemControlMessage
	for b.Loop() {
		d.Reset(data)
		if err := v.Decode(&d); err != nil {
			b.Fatal(err)
		}
	}
}
