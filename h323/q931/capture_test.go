package q931

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/switchyard/switchyard/h323/tpkt"
	"github.com/switchyard/switchyard/internal/pcap"
	"github.com/switchyard/switchyard/internal/testpeer"
)

// callSignallingPorts are the H.225.0 call-signalling ports of the
// reference captures (see their README).
var callSignallingPorts = map[uint16]bool{1720: true, 1721: true, 11720: true, 11721: true}

type captured struct {
	file  string
	from  string
	index int // message number within the capture
	raw   []byte
}

func (c captured) String() string {
	return fmt.Sprintf("%s message %d from %s", c.file, c.index, c.from)
}

// captureMessages extracts every Q.931 message of the capture at path, in
// stream order per direction.
func captureMessages(t testing.TB, path string) []captured {
	t.Helper()
	pkts, err := pcap.ReadPackets(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []captured
	for _, c := range pcap.ReassembleTCP(pkts) {
		if !callSignallingPorts[c.Server.Port()] {
			continue
		}
		for _, s := range []pcap.Stream{c.ClientToServer, c.ServerToClient} {
			rest := s.Data
			for len(rest) > 0 {
				var payload []byte
				payload, rest, err = tpkt.Split(rest, 0)
				if err != nil {
					t.Fatalf("%s %s→%s: %v", filepath.Base(path), s.Src, s.Dst, err)
				}
				if len(payload) == 0 {
					continue // keep-alive
				}
				out = append(out, captured{file: filepath.Base(path), from: s.Src.String(), index: len(out) + 1, raw: payload})
			}
		}
	}
	return out
}

func capturePaths(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(testpeer.SharedDir(t), "captures", "*.pcap"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no captures: %v", err)
	}
	return paths
}

// TestCaptureRoundTrip: every Q.931 message of the reference captures
// decodes and re-encodes to identical bytes.
func TestCaptureRoundTrip(t *testing.T) {
	counts := map[MessageType]int{}
	var m Message
	for _, path := range capturePaths(t) {
		for _, c := range captureMessages(t, path) {
			if err := m.Unmarshal(c.raw); err != nil {
				t.Errorf("%s: %v", c, err)
				continue
			}
			counts[m.Type]++
			out, err := m.Marshal()
			if err != nil {
				t.Errorf("%s: marshal: %v", c, err)
				continue
			}
			if !bytes.Equal(out, c.raw) {
				t.Errorf("%s: re-encoded bytes differ\n got % x\nwant % x", c, out, c.raw)
			}
			if _, err := m.H225(); err != nil {
				t.Errorf("%s: %v", c, err)
			}
		}
	}
	// What tshark counts in the same captures.
	want := map[MessageType]int{
		Setup: 8, CallProceeding: 8, Connect: 8, ReleaseComplete: 14, Facility: 85, Information: 1,
	}
	for typ, n := range want {
		if counts[typ] != n {
			t.Errorf("%d %s messages, want %d", counts[typ], typ, n)
		}
	}
	if len(counts) != len(want) {
		t.Errorf("message types %v, want %v", counts, want)
	}
}

// TestCaptureTypedElements: every element of a type this package decodes
// parses, and its typed form re-encodes to the captured bytes.
func TestCaptureTypedElements(t *testing.T) {
	seen := map[IEID]int{}
	var m Message
	for _, path := range capturePaths(t) {
		for _, c := range captureMessages(t, path) {
			if err := m.Unmarshal(c.raw); err != nil {
				t.Fatalf("%s: %v", c, err)
			}
			for _, ie := range m.IEs {
				seen[ie.ID]++
				got, err := typedRoundTrip(ie)
				if errors.Is(err, errUntyped) {
					continue
				}
				if err != nil {
					t.Errorf("%s: %s: %v", c, ie, err)
					continue
				}
				if !bytes.Equal(got, ie.Data) {
					t.Errorf("%s: %s re-encoded % x, want % x", c, ie.ID, got, ie.Data)
				}
			}
		}
	}
	for _, id := range []IEID{IEBearerCapability, IECause, IEDisplay, IEKeypadFacility, IEUserUser} {
		if seen[id] == 0 {
			t.Errorf("captures hold no %s element", id)
		}
	}
	t.Logf("elements seen: %v", seen)
}

var errUntyped = errors.New("no typed form")

// typedRoundTrip decodes an element with its typed parser and encodes it
// back.
func typedRoundTrip(ie IE) ([]byte, error) {
	var out IE
	var err error
	switch ie.ID {
	case IEBearerCapability:
		var v BearerCapability
		if v, err = ParseBearerCapability(ie.Data); err == nil {
			out, err = v.IE()
		}
	case IECause:
		var v Cause
		if v, err = ParseCause(ie.Data); err == nil {
			out, err = v.IE()
		}
	case IECallState:
		var v CallState
		if v, err = ParseCallState(ie.Data); err == nil {
			out, err = v.IE()
		}
	case IEProgressIndicator:
		var v ProgressIndicator
		if v, err = ParseProgressIndicator(ie.Data); err == nil {
			out, err = v.IE()
		}
	case IENotificationIndicator:
		var v NotificationIndicator
		if v, err = ParseNotificationIndicator(ie.Data); err == nil {
			out, err = v.IE()
		}
	case IECallingPartyNumber, IECalledPartyNumber, IEConnectedNumber, IERedirectingNumber:
		var v PartyNumber
		if v, err = ParsePartyNumber(ie.Data); err == nil {
			out, err = v.IE(ie.ID)
		}
	case IEDateTime:
		var v DateTime
		if v, err = ParseDateTime(ie.Data); err == nil {
			out, err = v.IE()
		}
	case IEUserUser:
		var v UserUser
		if v, err = ParseUserUser(ie.Data); err == nil {
			out, err = v.IE()
		}
	case IEDisplay, IEKeypadFacility, IESignal:
		return ie.Data, nil // text and single values are their own form
	default:
		return nil, errUntyped
	}
	return out.Data, err
}

// TestCaptureAgainstTshark: tshark finds the same Q.931 messages, in the
// same order, with the same display texts and causes.
func TestCaptureAgainstTshark(t *testing.T) {
	for _, path := range capturePaths(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			pkts := testpeer.Tshark(t, path, "-Y", "q931", "-d", "udp.port==1719,h225")
			var want []string
			var wantCauses []string
			for _, p := range pkts {
				want = append(want, testpeer.Strings(p, "q931.message_type")...)
				wantCauses = append(wantCauses, testpeer.Strings(p, "q931.cause_value")...)
			}
			msgs := captureMessages(t, path)
			// Our messages are grouped per direction; tshark's are in
			// capture order. Compare as multisets.
			var got, gotCauses []string
			var m Message
			for _, c := range msgs {
				if err := m.Unmarshal(c.raw); err != nil {
					t.Fatal(err)
				}
				got = append(got, fmt.Sprintf("0x%02x", uint8(m.Type)))
				if cause, err := m.Cause(); err == nil {
					gotCauses = append(gotCauses, fmt.Sprint(uint8(cause.Value)))
				}
			}
			if !sameMultiset(got, want) {
				t.Errorf("message types %v, tshark %v", got, want)
			}
			if !sameMultiset(gotCauses, wantCauses) {
				t.Errorf("causes %v, tshark %v", gotCauses, wantCauses)
			}
		})
	}
}

func sameMultiset(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	n := map[string]int{}
	for _, s := range a {
		n[s]++
	}
	for _, s := range b {
		n[s]--
	}
	for _, v := range n {
		if v != 0 {
			return false
		}
	}
	return true
}
