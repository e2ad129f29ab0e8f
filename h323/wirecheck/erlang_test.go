package wirecheck

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/h323/internal/asn1"
	"github.com/switchyard/switchyard/h323/per"
	"github.com/switchyard/switchyard/internal/testpeer"
)

// perValue is a value of the generated types.
type perValue interface {
	Encode(*per.Encoder) error
	Decode(*per.Decoder) error
}

// golden is one value encoded by both sides.
type golden struct {
	name   string
	module string // ASN.1 module of the type
	typ    string // ASN.1 type
	value  perValue
	fresh  func() perValue // a zero value of the same type, to decode into
}

const (
	modH225 = "H323-MESSAGES"
	modH245 = "MULTIMEDIA-SYSTEM-CONTROL"
)

// goldenValues are the scenario's messages as the cross-check encodes
// them: RAS messages, H323-UserInformation of call signalling (with
// fastStart and tunnelled H.245), fastStart OpenLogicalChannels and H.245
// messages.
func goldenValues(t testing.TB, s *scenario) []golden {
	t.Helper()
	ras := func(name string, v perValue) golden {
		return golden{name, modH225, "RasMessage", v, func() perValue { return reflect.New(reflect.TypeOf(v).Elem()).Interface().(perValue) }}
	}
	uuie := func(name string, v perValue) golden {
		return golden{name, modH225, "H323-UserInformation", v, func() perValue { return reflect.New(reflect.TypeOf(v).Elem()).Interface().(perValue) }}
	}
	msc := func(name string, v perValue) golden {
		return golden{name, modH245, "MultimediaSystemControlMessage", v, func() perValue { return reflect.New(reflect.TypeOf(v).Elem()).Interface().(perValue) }}
	}
	olc := func(name string, v perValue) golden {
		return golden{name, modH245, "OpenLogicalChannel", v, func() perValue { return reflect.New(reflect.TypeOf(v).Elem()).Interface().(perValue) }}
	}
	tunnelled, err := tunnelledUUIE(s)
	if err != nil {
		t.Fatal(err)
	}
	out := []golden{
		ras("GRQ", &s.grq), ras("RRQ", &s.rrq), ras("RCF", &s.rcf), ras("ARQ", &s.arq), ras("ACF", &s.acf),
		ras("DRQ", &s.drq), ras("URQ", &s.urq),
		uuie("Setup with fastStart and tunnelling", &s.setupA), uuie("Connect with fastStart", &s.connectA),
		uuie("ReleaseComplete", &s.releaseA), uuie("Setup with h245Address", &s.setupB), uuie("Connect with h245Address", &s.connectB),
		uuie("ReleaseComplete inConf", &s.releaseB), uuie("Facility with tunnelled TCS and MSD", tunnelled),
		msc("TCS with H.264 and H.239", &s.tcs), msc("TCSAck", &s.tcsAck), msc("MSD", &s.msd), msc("MSDAck", &s.msdAck),
		msc("OLC H.239 content H.264", &s.olc), msc("OLCAck", &s.olcAck), msc("UserInputIndication signal", &s.uii),
		msc("UserInputIndication alphanumeric", &s.uiiString), msc("videoFastUpdatePicture", &s.vfu),
		msc("H.239 presentationTokenRequest", &s.h239Req), msc("H.239 presentationTokenResponse", &s.h239Resp),
		msc("CloseLogicalChannel", &s.clc), msc("endSessionCommand", &s.endSession),
	}
	for i := range s.fastStartA {
		out = append(out, olc(fmt.Sprintf("fastStart proposal %d", i), &s.fastStartA[i]))
	}
	for i := range s.fastAnswerA {
		out = append(out, olc(fmt.Sprintf("fastStart answer %d", i), &s.fastAnswerA[i]))
	}
	return out
}

// TestErlangAgrees encodes every golden value with Erlang's asn1
// application (aligned PER) from a term written from our Go value, and
// requires the octets we produce; it then decodes Erlang's octets with
// our decoder and requires the value back.
func TestErlangAgrees(t *testing.T) {
	escript := testpeer.Require(t, "escript", "erlang-base")
	requireAsn1ct(t, testpeer.Require(t, "erl", "erlang-base"))
	files := map[string]string{
		modH245:                  testpeer.SharedFile(t, "asn1", "h245.asn"),
		"H235-SECURITY-MESSAGES": testpeer.SharedFile(t, "asn1", "h235.asn"),
		modH225:                  testpeer.SharedFile(t, "asn1", "h225.asn"),
	}
	set, err := asn1.Load(files[modH245], files["H235-SECURITY-MESSAGES"], files[modH225])
	if err != nil {
		t.Fatalf("load ASN.1 modules: %v", err)
	}
	cases := goldenValues(t, buildScenario())
	dir := t.TempDir()
	modDir := erlangModuleDir(t, dir, files)
	var list bytes.Buffer
	var w termWriter
	for _, c := range cases {
		a := set.Lookup(c.module, c.typ)
		if a == nil {
			t.Fatalf("%s: no type %s.%s", c.name, c.module, c.typ)
		}
		var term strings.Builder
		if err := w.write(&term, a.Type, reflect.ValueOf(c.value)); err != nil {
			t.Fatalf("%s: Erlang term: %v", c.name, err)
		}
		fmt.Fprintf(&list, "%s\t%s\t%s\n", c.module, c.typ, term.String())
	}
	casesFile := filepath.Join(dir, "cases")
	if err := os.WriteFile(casesFile, list.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	args := []string{filepath.Join("testdata", "encode.escript"), modDir, casesFile}
	for _, m := range []string{modH245, "H235-SECURITY-MESSAGES", modH225} { // imported modules first
		args = append(args, m+"="+files[m])
	}
	cmd := exec.CommandContext(ctx, escript, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("escript: %v\n%s\n%s", err, out, stderr.Bytes())
	}
	t.Logf("Erlang (compiling the modules unless cached) encoded %d values in %v", len(cases), time.Since(start).Round(time.Millisecond))
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		if l := sc.Text(); !strings.HasPrefix(l, "NOTICE") {
			lines = append(lines, l)
		}
	}
	if len(lines) != len(cases) {
		t.Fatalf("escript printed %d lines for %d cases:\n%s\n%s", len(lines), len(cases), out, stderr.Bytes())
	}
	agree := 0
	for i, c := range cases {
		want := lines[i]
		if strings.HasPrefix(want, "error") {
			t.Errorf("%s: Erlang could not encode it: %s", c.name, want)
			continue
		}
		var e per.Encoder
		if err := c.value.Encode(&e); err != nil {
			t.Errorf("%s: encode: %v", c.name, err)
			continue
		}
		got := hex.EncodeToString(e.Bytes())
		if got != want {
			t.Errorf("%s:\n ours   %s\n Erlang %s", c.name, got, want)
			continue
		}
		raw, _ := hex.DecodeString(want)
		back := c.fresh()
		d := per.NewDecoder(raw)
		if err := back.Decode(d); err != nil {
			t.Errorf("%s: decode Erlang's octets: %v", c.name, err)
			continue
		}
		if !reflect.DeepEqual(back, c.value) {
			t.Errorf("%s: Erlang's octets decode to another value", c.name)
			continue
		}
		agree++
	}
	t.Logf("%d of %d values: identical octets from Erlang's asn1 and ours, and ours decode Erlang's", agree, len(cases))
}

// erlangModuleDir returns the directory Erlang compiles the modules into:
// a cache directory named by a hash of the modules and the script, so that
// the slow compilation happens once per machine, or tmp when there is no
// user cache directory.
func erlangModuleDir(t *testing.T, tmp string, files map[string]string) string {
	t.Helper()
	h := sha256.New()
	for _, p := range []string{files[modH245], files["H235-SECURITY-MESSAGES"], files[modH225], filepath.Join("testdata", "encode.escript")} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		h.Write(b)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return tmp
	}
	dir := filepath.Join(cache, "switchyard", "wirecheck-asn1-"+hex.EncodeToString(h.Sum(nil))[:16])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return tmp
	}
	return dir
}

// requireAsn1ct skips the test (fails it when CI=true) when Erlang lacks
// the asn1 application.
func requireAsn1ct(t *testing.T, erl string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, erl, "-noshell", "-eval",
		"case code:which(asn1ct) of non_existing -> halt(1); _ -> halt(0) end.")
	if err := cmd.Run(); err != nil {
		msg := fmt.Sprintf("Erlang's asn1 application is missing (%v): install Debian package erlang-asn1", err)
		if testpeer.InCI() {
			t.Fatal(msg + " (CI=true: a missing peer is a failure)")
		}
		t.Skip(msg)
	}
}
