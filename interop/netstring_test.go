package interop

import (
	"bufio"
	"bytes"
	"testing"
)

func TestReadNetstring(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  []string
		fails bool
	}{
		{"two messages", `5:hello,2:{},`, []string{"hello", "{}"}, false},
		{"empty", `0:,`, []string{""}, false},
		{"no comma", `3:abc;`, nil, true},
		{"short", `9:abc`, nil, true},
		{"negative", `-1:,`, nil, true},
		{"too long", `99999999999:x,`, nil, true},
		{"not a number", `x:y,`, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := bufio.NewReader(bytes.NewReader([]byte(tc.in)))
			var got []string
			var err error
			for {
				var msg []byte
				if msg, err = readNetstring(r); err != nil {
					break
				}
				got = append(got, string(msg))
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %q, want %q (last error %v)", got, tc.want, err)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("message %d: %q, want %q", i, got[i], tc.want[i])
				}
			}
			if tc.fails && len(got) == 0 && err == nil {
				t.Error("no error")
			}
		})
	}
}

// FuzzReadNetstring: baresip's control connection never panics the reader
// nor makes it allocate more than the bound.
func FuzzReadNetstring(f *testing.F) {
	for _, s := range []string{`5:hello,`, `0:,`, `3:abc`, `1048576:`, `-5:x,`, `12:{"event":true},`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bufio.NewReader(bytes.NewReader(data))
		for range 64 {
			msg, err := readNetstring(r)
			if err != nil {
				return
			}
			if len(msg) > maxNetstring {
				t.Fatalf("message of %d bytes", len(msg))
			}
		}
	})
}
