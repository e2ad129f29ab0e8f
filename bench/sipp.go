package bench

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// SIPp runs SIPp (Debian package sip-tester) with the harness's scenarios.
type SIPp struct {
	// Binary is the sipp program (default "sipp" on PATH).
	Binary string
	// Dir holds the scenarios, statistics and logs.
	Dir string
}

func (s SIPp) binary() (string, error) {
	b := s.Binary
	if b == "" {
		b = "sipp"
	}
	p, err := exec.LookPath(b)
	if err != nil {
		return "", fmt.Errorf("sipp: %w (install the Debian package sip-tester)", err)
	}
	return p, nil
}

// loadArgs keep SIPp from giving up or throttling itself under load: large
// socket buffers, more messages per event loop, a watchdog that records
// late timers instead of ending the test.
var loadArgs = []string{
	"-nostdin",
	"-buff_size", "4194304",
	"-max_recv_loops", "10000",
	"-max_sched_loops", "10000",
	"-watchdog_major_maxtriggers", "100000",
	"-watchdog_minor_maxtriggers", "100000",
}

// StartUAS starts the answering side on 127.0.0.1:port.
func (s SIPp) StartUAS(port int) (*Daemon, error) {
	bin, err := s.binary()
	if err != nil {
		return nil, err
	}
	sf, err := writeFile(s.Dir, "uas.xml")
	if err != nil {
		return nil, err
	}
	mp, err := FreeUDPPort()
	if err != nil {
		return nil, err
	}
	args := append([]string{
		"-sf", sf, "-i", "127.0.0.1", "-p", strconv.Itoa(port), "-mp", strconv.Itoa(mp),
		"-trace_err", "-error_file", filepath.Join(s.Dir, fmt.Sprintf("uas-%d-errors.log", port)),
	}, loadArgs...)
	d, err := StartDaemon("sipp uas", bin, args, filepath.Join(s.Dir, fmt.Sprintf("uas-%d.log", port)))
	if err != nil {
		return nil, err
	}
	if err := waitUDPBound(port, 5*time.Second, d); err != nil {
		d.Stop()
		return nil, fmt.Errorf("sipp uas: %w\n%s", err, d.LogTail())
	}
	return d, nil
}

// UACRun is one run of the calling side.
type UACRun struct {
	Target  netip.AddrPort
	Service string        // the called user (default "1000")
	Rate    int           // calls per second
	Calls   int           // calls in total (-m)
	Hold    time.Duration // pause between ACK and BYE (-d)
	Limit   int           // concurrent calls allowed (-l; default Calls)
	// Timeout ends SIPp (killed by PID) if the run takes longer.
	Timeout time.Duration
	// OnStart, when set, is called as SIPp starts.
	OnStart func()
}

// UACResult is what SIPp's statistics say about a run.
type UACResult struct {
	Rows     []SIPpRow
	Final    SIPpRow
	ExitCode int
	Wall     time.Duration
	// CPU is SIPp's own user and system time.
	CPU time.Duration
	Log string
}

// RunUAC places the calls of run and returns SIPp's statistics.
func (s SIPp) RunUAC(ctx context.Context, run UACRun) (UACResult, error) {
	bin, err := s.binary()
	if err != nil {
		return UACResult{}, err
	}
	sf, err := writeFile(s.Dir, "uac.xml")
	if err != nil {
		return UACResult{}, err
	}
	if run.Service == "" {
		run.Service = "1000"
	}
	if run.Limit == 0 {
		run.Limit = run.Calls
	}
	if run.Timeout == 0 {
		run.Timeout = 60 * time.Second
	}
	mp, err := FreeUDPPort()
	if err != nil {
		return UACResult{}, err
	}
	tag := fmt.Sprintf("uac-%d-%d", run.Rate, time.Now().UnixNano())
	stats := filepath.Join(s.Dir, tag+".csv")
	logPath := filepath.Join(s.Dir, tag+".log")
	args := append([]string{
		"-sf", sf, "-s", run.Service, run.Target.String(),
		"-i", "127.0.0.1", "-mp", strconv.Itoa(mp),
		"-r", strconv.Itoa(run.Rate), "-rp", "1000",
		"-m", strconv.Itoa(run.Calls),
		"-l", strconv.Itoa(run.Limit),
		"-d", strconv.FormatInt(run.Hold.Milliseconds(), 10),
		"-recv_timeout", "8000",
		"-trace_stat", "-stf", stats, "-fd", "1",
		"-trace_err", "-error_file", filepath.Join(s.Dir, tag+"-errors.log"),
	}, loadArgs...)
	logFile, err := os.Create(logPath)
	if err != nil {
		return UACResult{}, err
	}
	defer logFile.Close()
	ctx, cancel := context.WithTimeout(ctx, run.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return UACResult{}, fmt.Errorf("sipp uac: %w", err)
	}
	if run.OnStart != nil {
		run.OnStart()
	}
	waitErr := cmd.Wait()
	res := UACResult{Wall: time.Since(start), Log: logPath}
	if ps := cmd.ProcessState; ps != nil {
		res.CPU = ps.UserTime() + ps.SystemTime()
	}
	var ee *exec.ExitError
	switch {
	case waitErr == nil:
	case errors.As(waitErr, &ee):
		res.ExitCode = ee.ExitCode()
	default:
		return res, fmt.Errorf("sipp uac: %w", waitErr)
	}
	if ctx.Err() != nil {
		return res, fmt.Errorf("sipp uac: no end after %v: %w", run.Timeout, ctx.Err())
	}
	// 0: every call succeeded; 1: some failed. Anything else (97 exit by
	// command, 99 no call processed, 255 fatal) is not a measurement.
	if res.ExitCode != 0 && res.ExitCode != 1 {
		return res, fmt.Errorf("sipp uac exited with status %d; see %s", res.ExitCode, logPath)
	}
	f, err := os.Open(stats)
	if err != nil {
		return res, fmt.Errorf("sipp uac statistics: %w", err)
	}
	defer f.Close()
	if res.Rows, err = ParseSIPpStats(f); err != nil {
		return res, err
	}
	if len(res.Rows) == 0 {
		return res, fmt.Errorf("sipp uac: no statistics rows in %s", stats)
	}
	res.Final = res.Rows[len(res.Rows)-1]
	return res, nil
}

// waitUDPBound waits until some process has bound 127.0.0.1:port (our own
// bind attempt fails), or d exits.
func waitUDPBound(port int, timeout time.Duration, d *Daemon) error {
	deadline := time.Now().Add(timeout)
	for {
		if udpPortTaken(port) {
			return nil
		}
		if d != nil && d.Exited() {
			return fmt.Errorf("exited before binding UDP port %d", port)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("UDP port %d not bound after %v", port, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// SIPpVersion returns SIPp's version line.
func SIPpVersion(binary string) string {
	if binary == "" {
		binary = "sipp"
	}
	out, _ := exec.Command(binary, "-v").CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "SIPp v") {
			return strings.TrimSuffix(strings.TrimSpace(line), ".")
		}
	}
	return "unknown"
}
