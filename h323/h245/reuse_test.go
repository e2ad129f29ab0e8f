package h245_test

import (
	"reflect"
	"testing"

	"github.com/switchyard/switchyard/h323/h245"
	"github.com/switchyard/switchyard/h323/per"
)

// reuseSeeds returns encoded messages: the built test messages and the
// captured ones.
func reuseSeeds(t testing.TB) [][]byte {
	var out [][]byte
	for _, m := range testMessages() {
		b, err := m.msg.MarshalPER()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return append(out, captureH245(t)...)
}

// TestDecodeIntoReusedMessage decodes every test and captured message, in
// turn, into one MultimediaSystemControlMessage: each decode gives what a
// decode into a zero value gives, and decoding the same message again does
// not allocate.
func TestDecodeIntoReusedMessage(t *testing.T) {
	var reused h245.MultimediaSystemControlMessage
	var d per.Decoder
	for i, b := range reuseSeeds(t) {
		var fresh h245.MultimediaSystemControlMessage
		d.Reset(b)
		if err := fresh.Decode(&d); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		d.Reset(b)
		if err := reused.Decode(&d); err != nil {
			t.Fatalf("message %d: into a reused value: %v", i, err)
		}
		if !reflect.DeepEqual(&reused, &fresh) {
			t.Fatalf("message %d: decoding into a reused value differs from a fresh decode", i)
		}
		n := testing.AllocsPerRun(5, func() {
			d.Reset(b)
			if err := reused.Decode(&d); err != nil {
				t.Fatal(err)
			}
		})
		if n != 0 {
			t.Errorf("message %d (%s): %v allocations decoding it again", i, fresh.Choice, n)
		}
	}
}

// FuzzDecodeIntoReusedMessage decodes the input into a zero value and into
// one that holds another message: both must agree.
func FuzzDecodeIntoReusedMessage(f *testing.F) {
	prev := reuseSeeds(f)
	for _, s := range prev {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var fresh, reused h245.MultimediaSystemControlMessage
		var d per.Decoder
		d.Reset(data)
		if err := fresh.Decode(&d); err != nil {
			return
		}
		d.Reset(prev[len(data)%len(prev)])
		if err := reused.Decode(&d); err != nil {
			t.Fatal(err)
		}
		d.Reset(data)
		if err := reused.Decode(&d); err != nil {
			t.Fatalf("decodes into a zero value but not into a reused one: %v", err)
		}
		if !reflect.DeepEqual(&reused, &fresh) {
			t.Fatal("decoding into a reused value differs from a fresh decode")
		}
	})
}

// BenchmarkDecodeTCSFresh decodes the 20-capability terminalCapabilitySet
// into a new value each time: what a first decode costs, without reuse.
func BenchmarkDecodeTCSFresh(b *testing.B) {
	data, err := terminalCapabilitySet().MarshalPER()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	var d per.Decoder
	for b.Loop() {
		var v h245.MultimediaSystemControlMessage
		d.Reset(data)
		if err := v.Decode(&d); err != nil {
			b.Fatal(err)
		}
	}
}
