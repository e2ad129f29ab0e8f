package h225_test

import (
	"bytes"
	"reflect"
	"slices"
	"testing"

	"github.com/switchyard/switchyard/h323/h225"
	"github.com/switchyard/switchyard/h323/per"
)

// TestDecodeIntoReusedValues decodes every captured message (RAS, UUIE,
// H.245, fastStart) into one value per kind that holds the message decoded
// before it, forwards and backwards, and checks it against a decode into
// a zero value: the same value (reflect.DeepEqual) and the same
// re-encoding.
func TestDecodeIntoReusedValues(t *testing.T) {
	msgs := captureMessages(t)
	for _, order := range []string{"forwards", "backwards"} {
		if order == "backwards" {
			msgs = slices.Clone(msgs)
			slices.Reverse(msgs)
		}
		reused := make(map[capKind]decoder)
		var d per.Decoder
		var e1, e2 per.Encoder
		for _, m := range msgs {
			fresh := newFor(m.kind)
			d.Reset(m.data)
			if err := fresh.Decode(&d); err != nil {
				t.Fatalf("%s: %v", m.where, err)
			}
			r := reused[m.kind]
			if r == nil {
				r = newFor(m.kind)
				reused[m.kind] = r
			}
			d.Reset(m.data)
			if err := r.Decode(&d); err != nil {
				t.Fatalf("%s (%s): into a reused value: %v", m.where, order, err)
			}
			if !reflect.DeepEqual(r, fresh) {
				t.Fatalf("%s (%s): decoding into a reused value differs from a fresh decode", m.where, order)
			}
			e1.Reset()
			e2.Reset()
			if err := r.Encode(&e1); err != nil {
				t.Fatal(err)
			}
			if err := fresh.Encode(&e2); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(e1.Bytes(), e2.Bytes()) {
				t.Fatalf("%s (%s): reused value re-encodes differently", m.where, order)
			}
		}
	}
}

// TestDecodeAgainDoesNotAllocate decodes each captured message a second
// time into the value that holds it: nothing is allocated.
func TestDecodeAgainDoesNotAllocate(t *testing.T) {
	var d per.Decoder
	for _, m := range captureMessages(t) {
		v := newFor(m.kind)
		d.Reset(m.data)
		if err := v.Decode(&d); err != nil {
			t.Fatalf("%s: %v", m.where, err)
		}
		n := testing.AllocsPerRun(5, func() {
			d.Reset(m.data)
			if err := v.Decode(&d); err != nil {
				t.Fatal(err)
			}
		})
		if n != 0 {
			t.Errorf("%s (%s): %v allocations decoding it again", m.where, m.kind, n)
		}
	}
}

// FuzzDecodeIntoReused decodes the input into a zero H323-UserInformation
// and into one that holds a captured message: both must agree.
func FuzzDecodeIntoReused(f *testing.F) {
	// The captured messages, and one with an empty message body for when
	// the shared captures are not there.
	empty, err := uu(h225.H323UUPDUH323MessageBody{Choice: h225.H323UUPDUH323MessageBodyChoiceEmpty}, true, nil).MarshalPER()
	if err != nil {
		f.Fatal(err)
	}
	prev := append(fuzzSeeds(f, capUUIE), empty)
	for _, s := range prev {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var fresh, reused h225.H323UserInformation
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

// BenchmarkDecodeSetupFastStartFresh decodes the call2 Setup into a new
// value each time: what a first decode costs, without reuse.
func BenchmarkDecodeSetupFastStartFresh(b *testing.B) {
	data := setupFromCall2(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	var d per.Decoder
	for b.Loop() {
		var v h225.H323UserInformation
		d.Reset(data)
		if err := v.Decode(&d); err != nil {
			b.Fatal(err)
		}
	}
}
