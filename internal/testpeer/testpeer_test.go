package testpeer

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

const sampleJSON = `[
 {"_index":"p","_source":{"layers":{
   "frame":{"frame.number":"1"},
   "tcp":{"tcp.port":["1720","30006"],
     "tcp.flags_tree":{"tcp.flags.syn_tree":{"_ws.expert":{
       "tcp.connection.syn":"","_ws.expert.message":"Connection establish request (SYN)",
       "_ws.expert.severity":"2097152","_ws.expert.group":"33554432"}}}},
   "q931":{"q931.message_type":"0x05","q931.called_party_number.digit":"1234",
     "q931.ie":[{"q931.ie.type":"0x70"},{"q931.ie.type":"0x7e"}]},
   "_ws.malformed":{"_ws.expert":{"_ws.malformed.expert":"",
     "_ws.expert.message":"Malformed Packet (Exception occurred)",
     "_ws.expert.severity":"8388608","_ws.expert.group":"117440512"},
     "_ws.malformed":"Malformed Packet"}
 }}}
]`

func TestParseAndFields(t *testing.T) {
	pkts, err := parseTsharkJSON([]byte(sampleJSON))
	if err != nil {
		t.Fatal(err)
	}
	if len(pkts) != 1 {
		t.Fatalf("got %d packets, want 1", len(pkts))
	}
	p := pkts[0]
	tests := []struct {
		field string
		want  []string
	}{
		{"frame.number", []string{"1"}},
		{"tcp.port", []string{"1720", "30006"}},
		{"q931.message_type", []string{"0x05"}},
		{"q931.ie.type", []string{"0x70", "0x7e"}},
		{"h225.h323_message_body", nil},
	}
	for _, tc := range tests {
		t.Run(tc.field, func(t *testing.T) {
			got := Strings(p, tc.field)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Strings(%q) = %q, want %q", tc.field, got, tc.want)
			}
			if Has(p, tc.field) != (tc.want != nil) {
				t.Errorf("Has(%q) = %v", tc.field, !(tc.want != nil))
			}
		})
	}
}

func TestProblems(t *testing.T) {
	pkts, err := parseTsharkJSON([]byte(sampleJSON))
	if err != nil {
		t.Fatal(err)
	}
	got := Problems(pkts[0])
	if len(got) != 2 {
		t.Fatalf("Problems = %v, want 2 entries", got)
	}
	errs := ProblemsAtLeast(pkts[0], SeverityWarn)
	if len(errs) != 1 || errs[0].Kind != "_ws.malformed" || errs[0].Severity != SeverityError ||
		errs[0].Field != "_ws.malformed.expert" || errs[0].Message != "Malformed Packet (Exception occurred)" {
		t.Errorf("ProblemsAtLeast(warn) = %v, want the malformed entry", errs)
	}
	chat := ProblemsAtLeast(pkts[0], SeverityChat)
	found := false
	for _, c := range chat {
		if c.Field == "tcp.connection.syn" && c.Severity == SeverityChat {
			found = true
		}
	}
	if !found {
		t.Errorf("SYN chat entry not found in %v", chat)
	}
}

func TestParseEmpty(t *testing.T) {
	pkts, err := parseTsharkJSON([]byte("  \n"))
	if err != nil || pkts != nil {
		t.Fatalf("parse empty = %v, %v", pkts, err)
	}
	if _, err := parseTsharkJSON([]byte("[{")); err == nil {
		t.Fatal("parse truncated JSON: no error")
	}
}

func TestSharedDir(t *testing.T) {
	dir := SharedDir(t)
	if _, err := os.Stat(filepath.Join(dir, "captures")); err != nil {
		t.Fatalf("shared dir %s has no captures: %v", dir, err)
	}
	root := RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repo root %s has no go.mod: %v", root, err)
	}
}

func TestSharedDirOverride(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv(SharedEnv, tmp)
	if got := SharedDir(t); got != tmp {
		t.Fatalf("SharedDir with %s=%s = %s", SharedEnv, tmp, got)
	}
}

func TestTsharkCapture(t *testing.T) {
	pcap := SharedFile(t, "captures", "call1.pcap")
	pkts := Tshark(t, pcap, "-d", "udp.port==1719,h225")
	if len(pkts) == 0 {
		t.Fatal("tshark decoded no packets")
	}
	var setups int
	for _, p := range pkts {
		for _, mt := range Strings(p, "q931.message_type") {
			if mt == "0x05" {
				setups++
			}
		}
		if bad := ProblemsAtLeast(p, SeverityWarn); len(bad) > 0 {
			t.Errorf("frame %v: %v", Strings(p, "frame.number"), bad)
		}
	}
	if setups != 1 {
		t.Errorf("got %d Q.931 Setup messages, want 1", setups)
	}
}
