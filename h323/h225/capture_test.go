package h225_test

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/switchyard/switchyard/h323/h225"
	"github.com/switchyard/switchyard/h323/h245"
	"github.com/switchyard/switchyard/h323/per"
	"github.com/switchyard/switchyard/h323/q931"
	"github.com/switchyard/switchyard/h323/tpkt"
	"github.com/switchyard/switchyard/internal/pcap"
	"github.com/switchyard/switchyard/internal/testpeer"
)

// capKind says what a captured PER message is.
type capKind int

const (
	capRAS       capKind = iota // RasMessage on UDP 1719
	capUUIE                     // H323-UserInformation from a Q.931 User-user element
	capH245                     // MultimediaSystemControlMessage (own connection or tunnelled)
	capFastStart                // OpenLogicalChannel in a fastStart element
)

func (k capKind) String() string {
	return [...]string{"RAS", "UUIE", "H.245", "fastStart OLC"}[k]
}

// capMsg is one PER-encoded message found in a capture.
type capMsg struct {
	kind  capKind
	where string // file and origin, for messages
	data  []byte
}

// callSignallingPorts are the TCP ports on which the captured stacks listen
// for H.225.0 call signalling (see the captures' README).
func isCallSignallingPort(p uint16) bool {
	switch p {
	case 1720, 1721, 11720, 11721:
		return true
	}
	return false
}

// captureMessages extracts every RAS, H.225.0 and H.245 message of the
// shared captures: RAS from UDP 1719, UUIEs from TPKT/Q.931 on the call
// signalling ports, H.245 from the other TPKT connections, and the H.245
// messages carried inside UUIEs (h245Control, parallelH245Control,
// fastStart).
func captureMessages(t testing.TB) []capMsg {
	t.Helper()
	dir := testpeer.SharedFile(t, "captures")
	files, err := filepath.Glob(filepath.Join(dir, "*.pcap"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no captures in %s: %v", dir, err)
	}
	slices.Sort(files)
	var out []capMsg
	for _, f := range files {
		name := filepath.Base(f)
		pkts, err := pcap.ReadPackets(f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i, p := range pkts {
			if p.Proto == pcap.ProtoUDP && (p.Src.Port() == 1719 || p.Dst.Port() == 1719) && len(p.Payload) > 1 {
				out = append(out, capMsg{kind: capRAS, where: fmt.Sprintf("%s packet %d", name, i+1), data: p.Payload})
			}
		}
		for _, c := range pcap.ReassembleTCP(pkts) {
			signalling := isCallSignallingPort(c.Server.Port())
			for _, s := range []pcap.Stream{c.ClientToServer, c.ServerToClient} {
				if s.Missing > 0 {
					t.Fatalf("%s: stream %s->%s misses %d bytes", name, s.Src, s.Dst, s.Missing)
				}
				rest := s.Data
				for n := 1; len(rest) > 0; n++ {
					payload, r, err := tpkt.Split(rest, 1<<16)
					if err != nil {
						t.Fatalf("%s: stream %s->%s: TPKT %d: %v", name, s.Src, s.Dst, n, err)
					}
					rest = r
					where := fmt.Sprintf("%s %s->%s TPKT %d", name, s.Src, s.Dst, n)
					if len(payload) == 0 {
						continue // keep-alive
					}
					if !signalling {
						out = append(out, capMsg{kind: capH245, where: where, data: payload})
						continue
					}
					m, err := q931.Unmarshal(payload)
					if err != nil {
						t.Fatalf("%s: Q.931: %v", where, err)
					}
					uu, err := m.H225()
					if err != nil {
						t.Fatalf("%s: User-user: %v", where, err)
					}
					out = append(out, capMsg{kind: capUUIE, where: where + " " + m.Type.String(), data: uu})
					var ui h225.H323UserInformation
					if err := ui.UnmarshalPER(uu); err != nil {
						continue // reported by the round-trip test
					}
					out = append(out, innerH245(ui, where)...)
				}
			}
		}
	}
	return out
}

// innerH245 collects the H.245 encodings a decoded UUIE carries.
func innerH245(ui h225.H323UserInformation, where string) []capMsg {
	var out []capMsg
	pdu := ui.H323UuPdu
	if pdu.H245Control != nil {
		for i, b := range *pdu.H245Control {
			out = append(out, capMsg{kind: capH245, where: fmt.Sprintf("%s h245Control %d", where, i), data: b})
		}
	}
	collectOctetLists(reflect.ValueOf(&pdu.H323MessageBody), func(field string, list [][]byte) {
		kind := capH245
		if field == "FastStart" {
			kind = capFastStart
		}
		for i, b := range list {
			out = append(out, capMsg{kind: kind, where: fmt.Sprintf("%s %s %d", where, field, i), data: b})
		}
	})
	return out
}

// collectOctetLists walks v and reports every present FastStart and
// ParallelH245Control field.
func collectOctetLists(v reflect.Value, fn func(field string, list [][]byte)) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			collectOctetLists(v.Elem(), fn)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			name := v.Type().Field(i).Name
			f := v.Field(i)
			if (name == "FastStart" || name == "ParallelH245Control") && !f.IsNil() {
				fn(name, *f.Interface().(*[][]byte))
				continue
			}
			collectOctetLists(f, fn)
		}
	}
}

// decoder is a value that decodes from and encodes to aligned PER.
type decoder interface {
	Decode(*per.Decoder) error
	Encode(*per.Encoder) error
}

// checkRoundTrip decodes data into v, checks that the whole input was read
// (up to zero padding in the last octet), re-encodes and compares the bytes.
func checkRoundTrip(v decoder, data []byte) error {
	var d per.Decoder
	d.Reset(data)
	if err := v.Decode(&d); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	if left := d.BitsLeft(); left >= 8 {
		return fmt.Errorf("decode stopped with %d bits left", left)
	}
	var e per.Encoder
	if err := v.Encode(&e); err != nil {
		return fmt.Errorf("re-encode: %w", err)
	}
	if !bytes.Equal(e.Bytes(), data) {
		return fmt.Errorf("re-encoding differs:\n got %x\nwant %x", e.Bytes(), data)
	}
	return nil
}

func newFor(k capKind) decoder {
	switch k {
	case capRAS:
		return new(h225.RasMessage)
	case capUUIE:
		return new(h225.H323UserInformation)
	case capFastStart:
		return new(h245.OpenLogicalChannel)
	}
	return new(h245.MultimediaSystemControlMessage)
}

// TestCapturesRoundTrip decodes every message of the real stack's captures
// completely and re-encodes it byte for byte.
func TestCapturesRoundTrip(t *testing.T) {
	msgs := captureMessages(t)
	counts := make(map[capKind]int)
	for _, m := range msgs {
		v := newFor(m.kind)
		if err := checkRoundTrip(v, m.data); err != nil {
			var de *per.DecodeError
			if errors.As(err, &de) {
				t.Errorf("%s (%s): %v", m.where, m.kind, err)
				continue
			}
			t.Errorf("%s (%s): %v", m.where, m.kind, err)
			continue
		}
		counts[m.kind]++
	}
	for k := capRAS; k <= capFastStart; k++ {
		t.Logf("%s: %d messages round-trip", k, counts[k])
		if counts[k] == 0 {
			t.Errorf("no %s message found in the captures", k)
		}
	}
}
