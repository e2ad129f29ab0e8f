package h245_test

import (
	"bytes"
	"path/filepath"
	"slices"
	"testing"

	"github.com/switchyard/switchyard/h323/h245"
	"github.com/switchyard/switchyard/h323/per"
	"github.com/switchyard/switchyard/h323/tpkt"
	"github.com/switchyard/switchyard/internal/pcap"
	"github.com/switchyard/switchyard/internal/testpeer"
)

// isCallSignallingPort reports the TCP ports of H.225.0 call signalling in
// the captures; every other TPKT connection there carries H.245.
func isCallSignallingPort(p uint16) bool {
	switch p {
	case 1720, 1721, 11720, 11721:
		return true
	}
	return false
}

// captureH245 returns the H.245 messages that the captured stacks sent on
// separate H.245 TCP connections (the tunnelled and fastStart ones are
// covered by package h225's capture test). Without the shared captures it
// returns nothing.
func captureH245(t testing.TB) [][]byte {
	dir, err := testpeer.FindSharedDir()
	if err != nil {
		return nil
	}
	files, err := filepath.Glob(filepath.Join(dir, "captures", "*.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	var out [][]byte
	for _, f := range files {
		pkts, err := pcap.ReadPackets(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, c := range pcap.ReassembleTCP(pkts) {
			if isCallSignallingPort(c.Server.Port()) {
				continue
			}
			for _, s := range []pcap.Stream{c.ClientToServer, c.ServerToClient} {
				for rest := s.Data; len(rest) > 0; {
					payload, r, err := tpkt.Split(rest, 1<<16)
					if err != nil {
						t.Fatalf("%s %s->%s: %v", filepath.Base(f), s.Src, s.Dst, err)
					}
					rest = r
					if len(payload) > 0 {
						out = append(out, payload)
					}
				}
			}
		}
	}
	return out
}

// TestCapturesH245Streams decodes every message of the captures' separate
// H.245 connections completely and re-encodes it byte for byte.
func TestCapturesH245Streams(t *testing.T) {
	testpeer.SharedFile(t, "captures")
	msgs := captureH245(t)
	if len(msgs) == 0 {
		t.Fatal("no H.245 connection in the captures")
	}
	for i, data := range msgs {
		var v h245.MultimediaSystemControlMessage
		var d per.Decoder
		d.Reset(data)
		if err := v.Decode(&d); err != nil {
			t.Errorf("message %d: %v", i, err)
			continue
		}
		if d.BitsLeft() >= 8 {
			t.Errorf("message %d: %d bits left", i, d.BitsLeft())
		}
		var e per.Encoder
		if err := v.Encode(&e); err != nil || !bytes.Equal(e.Bytes(), data) {
			t.Errorf("message %d: re-encoding differs (%v)\n got %x\nwant %x", i, err, e.Bytes(), data)
		}
	}
	t.Logf("%d messages", len(msgs))
}
