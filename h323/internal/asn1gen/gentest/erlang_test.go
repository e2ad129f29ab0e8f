package gentest

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/h323/per"
	"github.com/switchyard/switchyard/internal/testpeer"
)

// erlangScript compiles the module with Erlang's asn1 (aligned PER), then
// decodes every hex line of in.txt as a Top and writes its re-encoding (or
// an error) to out.txt.
const erlangScript = `
Dir = os:getenv("GENTEST_DIR"),
ok = asn1ct:compile(filename:join(Dir, "GEN-TEST.asn"), [per, {outdir, Dir}]),
code:add_patha(Dir),
{ok, In} = file:read_file(filename:join(Dir, "in.txt")),
Out = [case 'GEN-TEST':decode('Top', binary:decode_hex(L)) of
		{ok, V} ->
			case 'GEN-TEST':encode('Top', V) of
				{ok, B} -> binary:encode_hex(B);
				E -> io_lib:format("ERR encode ~0p", [E])
			end;
		E -> io_lib:format("ERR decode ~0p", [E])
	end || L <- binary:split(In, <<"\n">>, [global, trim_all])],
ok = file:write_file(filename:join(Dir, "out.txt"), lists:join("\n", Out)),
halt().
`

// TestErlangAgrees encodes random values of Top (only what this version
// knows) and has Erlang's asn1, an independent aligned-PER codec, decode
// and re-encode each one: the bytes must be the same.
//
// Empty Msg.digits and Msg.bits are left out: Erlang's asn1 (5.0) pads an
// empty NumericString (SIZE (0..6)) or BIT STRING (SIZE (0..16, ...)) to
// an octet boundary after its length, while X.691 10.9.3.3 NOTE 2 says
// that a zero-length octet-aligned bit-field adds no padding, which is
// what the per runtime does.

func TestErlangAgrees(t *testing.T) {
	erl := testpeer.Require(t, "erl", "erlang-asn1")
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "gentest.asn"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "GEN-TEST.asn"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	r := newRandomizer(7)
	r.known = true
	var in bytes.Buffer
	var encs [][]byte
	var e per.Encoder
	for range 300 {
		var v Top
		v.randomize(r, 0)
		fillEmpty(reflect.ValueOf(&v))
		e.Reset()
		if err := v.Encode(&e); err != nil {
			t.Fatal(err)
		}
		b := append([]byte(nil), e.Bytes()...)
		encs = append(encs, b)
		fmt.Fprintf(&in, "%X\n", b)
	}
	if err := os.WriteFile(filepath.Join(dir, "in.txt"), in.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(erl, "-noshell", "-eval", erlangScript)
	cmd.Env = append(os.Environ(), "GENTEST_DIR="+dir)
	cmd.Dir = dir
	done := make(chan struct{})
	timer := time.AfterFunc(2*time.Minute, func() {
		if cmd.Process != nil {
			_ = cmd.Process.Kill()
		}
	})
	defer timer.Stop()
	out, err := cmd.CombinedOutput()
	close(done)
	if err != nil {
		t.Fatalf("erl: %v\n%s", err, out)
	}
	res, err := os.ReadFile(filepath.Join(dir, "out.txt"))
	if err != nil {
		t.Fatalf("no output from erl: %v\n%s", err, out)
	}
	lines := strings.Split(string(res), "\n")
	if len(lines) != len(encs) {
		t.Fatalf("erl answered %d lines for %d values\n%s", len(lines), len(encs), out)
	}
	bad := 0
	for i, l := range lines {
		got, err := hex.DecodeString(l)
		if err != nil || !bytes.Equal(got, encs[i]) {
			bad++
			if bad <= 5 {
				t.Errorf("value %d: ours %X, Erlang's re-encoding %s", i, encs[i], l)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d values differ", bad, len(encs))
	}
}

// fillEmpty replaces every empty Msg.Digits in v by "7" and every empty
// Msg.Bits by a single 1 bit.
func fillEmpty(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			fillEmpty(v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			fillEmpty(v.Index(i))
		}
	case reflect.Struct:
		if m, ok := v.Addr().Interface().(*Msg); ok {
			if m.Digits != nil && *m.Digits == "" {
				m.Digits = new("7")
			}
			if m.Bits != nil && m.Bits.BitLength == 0 {
				m.Bits = &per.BitString{Bytes: []byte{0x80}, BitLength: 1}
			}
		}
		for i := range v.NumField() {
			fillEmpty(v.Field(i))
		}
	}
}
