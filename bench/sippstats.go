package bench

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// SIPpRow is one line of a SIPp statistics file (-trace_stat), reduced to
// the cumulative counters the harness reads.
type SIPpRow struct {
	// At is the row's time since SIPp started.
	At         time.Duration
	Created    uint64 // TotalCallCreated
	Current    uint64 // CurrentCall
	Successful uint64 // SuccessfulCall(C)
	Failed     uint64 // FailedCall(C)
	Retrans    uint64 // Retransmissions(C)
	// ResponseTime is the average of the first response-time measure
	// (INVITE to 200 in our UAC scenario) since the start.
	ResponseTime time.Duration
}

// ParseSIPpStats reads a SIPp statistics CSV file (";"-separated, one
// header line).
func ParseSIPpStats(r io.Reader) ([]SIPpRow, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("sipp stats: %w", err)
		}
		return nil, fmt.Errorf("sipp stats: empty file")
	}
	col := map[string]int{}
	for i, name := range strings.Split(sc.Text(), ";") {
		col[strings.TrimSpace(name)] = i
	}
	for _, need := range []string{"StartTime", "CurrentTime", "TotalCallCreated", "CurrentCall", "SuccessfulCall(C)", "FailedCall(C)"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("sipp stats: no %s column", need)
		}
	}
	var rows []SIPpRow
	for line := 2; sc.Scan(); line++ {
		f := strings.Split(sc.Text(), ";")
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(f) {
				return strings.TrimSpace(f[i])
			}
			return ""
		}
		num := func(name string) uint64 {
			n, _ := strconv.ParseUint(get(name), 10, 64)
			return n
		}
		start, err1 := sippEpoch(get("StartTime"))
		now, err2 := sippEpoch(get("CurrentTime"))
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("sipp stats line %d: bad time", line)
		}
		rt, _ := sippDuration(get("ResponseTime1(C)"))
		rows = append(rows, SIPpRow{
			At:           now - start,
			Created:      num("TotalCallCreated"),
			Current:      num("CurrentCall"),
			Successful:   num("SuccessfulCall(C)"),
			Failed:       num("FailedCall(C)"),
			Retrans:      num("Retransmissions(C)"),
			ResponseTime: rt,
		})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("sipp stats: %w", err)
	}
	return rows, nil
}

// sippEpoch reads a SIPp time stamp "2026-11-21\t11:24:43.080620\t1795260283.080620"
// (date, time, and seconds since the epoch) as a duration since the epoch.
func sippEpoch(s string) (time.Duration, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return 0, fmt.Errorf("empty time stamp")
	}
	secs, frac, _ := strings.Cut(f[len(f)-1], ".")
	sec, err := strconv.ParseInt(secs, 10, 64)
	if err != nil {
		return 0, err
	}
	d := time.Duration(sec) * time.Second
	if frac != "" {
		frac = (frac + "000000000")[:9]
		ns, err := strconv.ParseInt(frac, 10, 64)
		if err != nil {
			return 0, err
		}
		d += time.Duration(ns)
	}
	return d, nil
}

// sippDuration reads SIPp's "hh:mm:ss:uuuuuu" durations.
func sippDuration(s string) (time.Duration, error) {
	f := strings.Split(s, ":")
	if len(f) != 4 {
		return 0, fmt.Errorf("duration %q", s)
	}
	var n [4]int64
	for i, p := range f {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("duration %q", s)
		}
		n[i] = v
	}
	return time.Duration(n[0])*time.Hour + time.Duration(n[1])*time.Minute +
		time.Duration(n[2])*time.Second + time.Duration(n[3])*time.Microsecond, nil
}

// CreationTime estimates when the calls-th call was created, interpolating
// between the statistics rows around it; ok is false if it never was.
func CreationTime(rows []SIPpRow, calls uint64) (at time.Duration, ok bool) {
	var prev SIPpRow
	for _, r := range rows {
		if r.Created >= calls {
			if r.Created == prev.Created {
				return r.At, true
			}
			frac := float64(calls-prev.Created) / float64(r.Created-prev.Created)
			return prev.At + time.Duration(frac*float64(r.At-prev.At)), true
		}
		prev = r
	}
	return 0, false
}

// PeakBeforeFailure returns the largest CurrentCall seen in rows up to and
// including the first row that shows a failed call.
func PeakBeforeFailure(rows []SIPpRow) uint64 {
	var peak uint64
	for _, r := range rows {
		peak = max(peak, r.Current)
		if r.Failed > 0 {
			break
		}
	}
	return peak
}
