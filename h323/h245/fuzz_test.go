package h245_test

import (
	"reflect"
	"testing"

	"github.com/switchyard/switchyard/h323/h245"
	"github.com/switchyard/switchyard/h323/per"
)

func FuzzDecodeMultimediaSystemControlMessage(f *testing.F) {
	for _, s := range captureH245(f) {
		f.Add(s)
	}
	for _, m := range testMessages() {
		b, err := m.msg.MarshalPER()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v, w h245.MultimediaSystemControlMessage
		var d per.Decoder
		d.Reset(data)
		if err := v.Decode(&d); err != nil {
			return
		}
		var e per.Encoder
		if err := v.Encode(&e); err != nil {
			t.Fatalf("decoded value does not re-encode: %v", err)
		}
		d.Reset(e.Bytes())
		if err := w.Decode(&d); err != nil {
			t.Fatalf("re-encoding does not decode: %v", err)
		}
		var e2 per.Encoder
		if err := w.Encode(&e2); err != nil || string(e2.Bytes()) != string(e.Bytes()) {
			t.Fatalf("re-encoding is not stable (%v)", err)
		}
		if !reflect.DeepEqual(v.Choice, w.Choice) {
			t.Fatalf("choice changed")
		}
	})
}
