package bench

import (
	"os"
	"strings"
	"testing"
	"time"
)

// A cut-down SIPp statistics file: the columns the parser reads, in SIPp's
// order, plus one it ignores.
const sippCSV = "StartTime;CurrentTime;ElapsedTime(C);TotalCallCreated;CurrentCall;SuccessfulCall(C);FailedCall(C);Retransmissions(C);ResponseTime1(C);\n" +
	"2026-11-21\t11:24:43.080620\t1795260283.080620;2026-11-21\t11:24:44.080620\t1795260284.080620;00:00:01;200;10;190;0;0;00:00:00:001500;\n" +
	"2026-11-21\t11:24:43.080620\t1795260283.080620;2026-11-21\t11:24:45.080620\t1795260285.080620;00:00:02;400;600;190;1;3;00:00:00:002000;\n" +
	"2026-11-21\t11:24:43.080620\t1795260283.080620;2026-11-21\t11:24:46.580620\t1795260286.580620;00:00:03;400;900;390;9;7;00:00:01:000000;\n"

func TestParseSIPpStats(t *testing.T) {
	rows, err := ParseSIPpStats(strings.NewReader(sippCSV))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	want := SIPpRow{At: 2 * time.Second, Created: 400, Current: 600, Successful: 190, Failed: 1, Retrans: 3, ResponseTime: 2 * time.Millisecond}
	if rows[1] != want {
		t.Errorf("row 2 = %+v, want %+v", rows[1], want)
	}
	if rows[2].At != 3500*time.Millisecond || rows[2].ResponseTime != time.Second {
		t.Errorf("row 3 = %+v", rows[2])
	}
	tests := []struct {
		calls uint64
		at    time.Duration
		ok    bool
	}{
		{100, 500 * time.Millisecond, true},
		{200, time.Second, true},
		{300, 1500 * time.Millisecond, true},
		{400, 2 * time.Second, true},
		{401, 0, false},
	}
	for _, tt := range tests {
		at, ok := CreationTime(rows, tt.calls)
		if at != tt.at || ok != tt.ok {
			t.Errorf("CreationTime(%d) = %v %v, want %v %v", tt.calls, at, ok, tt.at, tt.ok)
		}
	}
	if got := PeakBeforeFailure(rows); got != 600 {
		t.Errorf("PeakBeforeFailure = %d, want 600", got)
	}
}

func TestParseSIPpStatsErrors(t *testing.T) {
	for _, in := range []string{
		"",
		"StartTime;CurrentTime\n",
		strings.Replace(sippCSV, "1795260284.080620", "x", 1),
	} {
		if _, err := ParseSIPpStats(strings.NewReader(in)); err == nil {
			t.Errorf("no error for %.40q", in)
		}
	}
}

func TestParseProcStat(t *testing.T) {
	line := "1234 (kamailio (udp) x) S 1200 1234 1200 0 -1 4194560 100 0 0 0 250 75 3 4 20 0 1 0 5 1000 10 18446744073709551615\n"
	st, err := parseProcStat(1234, []byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if st.ppid != 1200 || st.pgrp != 1234 || st.cpu != 3250*time.Millisecond {
		t.Errorf("parsed %+v", st)
	}
	if _, err := parseProcStat(1, []byte("1 (x) S 1")); err == nil {
		t.Error("short line parsed")
	}
}

func TestTreeCPUSelf(t *testing.T) {
	if _, err := readProcStat(1); err != nil {
		t.Skip("no /proc")
	}
	// Burn a little CPU and see it in our own tree.
	before, err := TreeCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	self := SelfCPU()
	for x := 0; SelfCPU()-self < 60*time.Millisecond; x++ {
		_ = x * x
	}
	after, err := TreeCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if d := after - before; d < 30*time.Millisecond {
		t.Errorf("TreeCPU grew by %v after 60ms of work", d)
	}
	if _, err := TreeCPU(1 << 30); err == nil {
		t.Error("CPU of a process that does not exist")
	}
}

func FuzzParseSIPpStats(f *testing.F) {
	f.Add(sippCSV)
	f.Add("StartTime;CurrentTime;TotalCallCreated;CurrentCall;SuccessfulCall(C);FailedCall(C)\n1;2;3;4;5;6\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := ParseSIPpStats(strings.NewReader(in))
		if err != nil {
			return
		}
		if len(rows) > strings.Count(in, "\n")+1 {
			t.Fatalf("%d rows from %d lines", len(rows), strings.Count(in, "\n")+1)
		}
		_, _ = CreationTime(rows, 10)
		_ = PeakBeforeFailure(rows)
	})
}
