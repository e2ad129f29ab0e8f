package bench

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestBencodeEncode(t *testing.T) {
	tests := []struct {
		v    any
		want string
	}{
		{"spam", "4:spam"},
		{"", "0:"},
		{[]byte{0, 1}, "2:\x00\x01"},
		{42, "i42e"},
		{int64(-7), "i-7e"},
		{0, "i0e"},
		{true, "3:yes"},
		{[]string{"a", "bc"}, "l1:a2:bce"},
		{[]any{1, "x", []any{}}, "li1e1:xlee"},
		{map[string]any{"z": 1, "a": "b", "m": map[string]any{}}, "d1:a1:b1:mde1:zi1ee"},
	}
	for _, tt := range tests {
		got, err := AppendBencode(nil, tt.v)
		if err != nil || string(got) != tt.want {
			t.Errorf("AppendBencode(%v) = %q, %v; want %q", tt.v, got, err, tt.want)
		}
	}
	if _, err := AppendBencode(nil, map[string]any{"x": 1.5}); err == nil {
		t.Error("float encoded without error")
	}
}

func TestBencodeRoundTrip(t *testing.T) {
	v := map[string]any{
		"command": "offer",
		"call-id": "abc@host",
		"flags":   []any{"trust-address", "port-latching"},
		"replace": []any{"origin"},
		"sdp":     "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n",
		"n":       int64(-12345),
		"nested":  map[string]any{"list": []any{int64(1), "two", map[string]any{}}},
	}
	b, err := AppendBencode(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeBencode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, v) {
		t.Errorf("round trip:\n got %#v\nwant %#v", got, v)
	}
}

func TestBencodeDecodeErrors(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"", ErrBencodeSyntax},
		{"i42", ErrBencodeSyntax},
		{"ie", ErrBencodeSyntax},
		{"i-e", ErrBencodeSyntax},
		{"i03e", ErrBencodeSyntax},
		{"i-0e", ErrBencodeSyntax},
		{"i1x2e", ErrBencodeSyntax},
		{"i99999999999999999999e", ErrBencodeSyntax},
		{"5:abc", ErrBencodeSyntax},
		{"2147483648:x", ErrBencodeSyntax},
		{"3abc", ErrBencodeSyntax},
		{"l1:a", ErrBencodeSyntax},
		{"d1:a", ErrBencodeSyntax},
		{"di1ei2ee", ErrBencodeSyntax},
		{"x", ErrBencodeSyntax},
		{"i1ei2e", ErrBencodeTrail},
		{strings.Repeat("l", 100) + strings.Repeat("e", 100), ErrBencodeDepth},
	}
	for _, tt := range tests {
		if _, err := DecodeBencode([]byte(tt.in)); !errors.Is(err, tt.want) {
			t.Errorf("DecodeBencode(%.30q) error %v, want %v", tt.in, err, tt.want)
		}
	}
}

func FuzzBencode(f *testing.F) {
	for _, s := range []string{
		"d6:result2:ok3:sdp10:v=0\r\no=- 1e",
		"d7:command4:pinge",
		"li1ei-2e0:d1:ali3eeee",
		"i9223372036854775807e",
		"99999999999:",
		"d1:xd1:xd1:xd1:xleeeee",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := DecodeBencode(b)
		if err != nil {
			return
		}
		// Whatever decodes re-encodes to bytes that decode to the same value.
		out, err := AppendBencode(nil, v)
		if err != nil {
			t.Fatalf("re-encode %#v: %v", v, err)
		}
		w, err := DecodeBencode(out)
		if err != nil || !reflect.DeepEqual(v, w) {
			t.Fatalf("re-decoded %#v, %v; want %#v", w, err, v)
		}
		if len(out) > len(b) {
			t.Fatalf("canonical form %d bytes longer than input %d", len(out), len(b))
		}
	})
}
