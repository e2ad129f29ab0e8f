package pcap

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchyard/switchyard/internal/testpeer"
)

// h225Ports are the call-signalling ports of the captures (README).
var h225Ports = map[uint16]bool{1720: true, 1721: true, 11720: true, 11721: true}

func capturePaths(t *testing.T) []string {
	t.Helper()
	dir := filepath.Join(testpeer.SharedDir(t), "captures")
	paths, err := filepath.Glob(filepath.Join(dir, "*.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no captures in %s", dir)
	}
	return paths
}

// countLines counts tshark's one-line summaries beside a capture.
func countLines(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			n++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCaptures(t *testing.T) {
	for _, path := range capturePaths(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			recs, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			summary := strings.TrimSuffix(path, ".pcap") + ".txt"
			if want := countLines(t, summary); len(recs) != want {
				t.Errorf("read %d records, tshark summary lists %d frames", len(recs), want)
			}
			for i, rec := range recs {
				if rec.LinkType != LinkEthernet {
					t.Fatalf("record %d: link type %s", i+1, rec.LinkType)
				}
				if i > 0 && rec.Time.Before(recs[i-1].Time) {
					t.Errorf("record %d: time %v before previous %v", i+1, rec.Time, recs[i-1].Time)
				}
			}
			pkts, err := DecodeAll(recs)
			if err != nil {
				t.Fatal(err)
			}
			var signalling int
			for _, c := range ReassembleTCP(pkts) {
				if !h225Ports[c.Server.Port()] {
					continue
				}
				signalling++
				for _, s := range []Stream{c.ClientToServer, c.ServerToClient} {
					if s.Missing != 0 {
						t.Errorf("%s→%s: %d bytes missing", s.Src, s.Dst, s.Missing)
					}
					if len(s.Data) < 4 || s.Data[0] != 3 || s.Data[1] != 0 {
						t.Errorf("%s→%s: stream does not begin with a TPKT header: % x", s.Src, s.Dst, s.Data[:min(len(s.Data), 8)])
					}
					if !s.FIN {
						t.Errorf("%s→%s: no FIN", s.Src, s.Dst)
					}
				}
			}
			if signalling == 0 {
				t.Error("no call-signalling connection found")
			}
		})
	}
}

func TestCapturesFirstTimestamp(t *testing.T) {
	// tshark prints frame 1 of call1 at epoch 1795258681.660130113.
	recs, err := ReadFile(filepath.Join(testpeer.SharedDir(t), "captures", "call1.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	if got := recs[0].Time.UnixNano(); got != 1795258681660130113 {
		t.Errorf("first record at %d ns, want 1795258681660130113", got)
	}
}
