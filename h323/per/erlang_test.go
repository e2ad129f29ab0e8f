package per

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestErlangCrossCheck encodes every case of crossCases with Erlang's asn1
// application (an independent aligned-PER implementation) and with this
// package, and requires identical octets; it then decodes Erlang's octets
// with this package and requires the original value back.
func TestErlangCrossCheck(t *testing.T) {
	escript, err := exec.LookPath("escript")
	if err != nil {
		msg := "escript not found: install the Debian packages erlang-base and erlang-asn1"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: a missing peer is a failure)")
		}
		t.Skip(msg)
	}
	cases := crossCases()
	dir := t.TempDir()
	var list bytes.Buffer
	for _, c := range cases {
		fmt.Fprintf(&list, "%sT\t{'%sT',true,%s,true}\n", c.typ, c.typ, c.erl)
	}
	casesFile := filepath.Join(dir, "cases")
	if err := os.WriteFile(casesFile, list.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, escript, filepath.Join("testdata", "encode.escript"),
		filepath.Join("testdata", "PerTest.asn"), dir, casesFile)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("escript: %v\n%s\n%s", err, out, stderr.Bytes())
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) != len(cases) {
		t.Fatalf("escript printed %d lines for %d cases:\n%s", len(lines), len(cases), stderr.Bytes())
	}
	shapes := map[string]bool{}
	differ := 0
	for i, c := range cases {
		name := c.typ + "/" + c.name
		shapes[c.typ] = true
		want := lines[i]
		if strings.HasPrefix(want, "error") {
			t.Errorf("%s: Erlang could not encode %s: %s", name, short(c.erl), want)
			continue
		}
		var e Encoder
		e.WriteBit(true)
		if err := c.enc(&e); err != nil {
			t.Errorf("%s: encode: %v", name, err)
			continue
		}
		e.WriteBit(true)
		got := hex.EncodeToString(e.Bytes())
		if c.erlangDiffers != "" {
			if got != c.x691 {
				t.Errorf("%s: value %s\n got %s\nwant %s (X.691)", name, short(c.erl), short(got), c.x691)
			}
			if want == c.x691 {
				t.Errorf("%s: Erlang now agrees with X.691 (%s): drop the exception", name, c.erlangDiffers)
			}
			differ++
			continue
		}
		if got != want {
			t.Errorf("%s: value %s\n got %s\nwant %s", name, short(c.erl), short(got), short(want))
			continue
		}
		raw, _ := hex.DecodeString(want)
		d := NewDecoder(raw)
		if p, err := d.ReadBit(); err != nil || !p {
			t.Errorf("%s: decode leading bit: %v %v", name, p, err)
			continue
		}
		if err := c.check(d); err != nil {
			t.Errorf("%s: decode Erlang's octets: %v", name, err)
			continue
		}
		if q, err := d.ReadBit(); err != nil || !q || d.BitsLeft() >= 8 {
			t.Errorf("%s: decode trailing bit: %v %v, %d bits left", name, q, err, d.BitsLeft())
		}
	}
	t.Logf("%d values of %d types: %d agree with Erlang asn1, %d follow X.691 where Erlang departs from it",
		len(cases), len(shapes), len(cases)-differ, differ)
}

// short abbreviates long hex strings and values in failure messages.
func short(s string) string {
	if len(s) <= 160 {
		return s
	}
	return fmt.Sprintf("%s...(%d chars)...%s", s[:100], len(s), s[len(s)-40:])
}
