package caps

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/switchyard/switchyard/h323/per"
)

// perValue is a generated type with aligned-PER codecs.
type perValue interface {
	Encode(*per.Encoder) error
	Decode(*per.Decoder) error
}

// roundTrip encodes v, decodes the octets into a new value, requires that
// the decoder read the whole encoding and that the decoded value equals v,
// and returns the decoded value and the octets.
func roundTrip[T any, P interface {
	*T
	perValue
}](t *testing.T, v *T) (*T, []byte) {
	t.Helper()
	var e per.Encoder
	if err := P(v).Encode(&e); err != nil {
		t.Fatalf("encode %T: %v", v, err)
	}
	data := bytes.Clone(e.Bytes())
	got := new(T)
	d := per.NewDecoder(data)
	if err := P(got).Decode(d); err != nil {
		t.Fatalf("decode %T %x: %v", v, data, err)
	}
	if d.BitsLeft() >= 8 {
		t.Fatalf("decode %T stopped with %d bits left", v, d.BitsLeft())
	}
	if !reflect.DeepEqual(got, v) {
		t.Fatalf("%T decodes to a different value:\n got %+v\nwant %+v", v, got, v)
	}
	var e2 per.Encoder
	if err := P(got).Encode(&e2); err != nil || !bytes.Equal(e2.Bytes(), data) {
		t.Fatalf("%T re-encodes to %x (%v), want %x", v, e2.Bytes(), err, data)
	}
	return got, data
}
