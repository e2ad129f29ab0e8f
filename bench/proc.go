package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of the CPU times in /proc/PID/stat. It is
// 100 on every Linux architecture Debian ships.
const clockTicks = 100

// procStat is the part of /proc/PID/stat the harness reads.
type procStat struct {
	pid, ppid, pgrp int
	cpu             time.Duration // utime + stime
}

// readProcStat parses /proc/PID/stat.
func readProcStat(pid int) (procStat, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, err
	}
	return parseProcStat(pid, b)
}

// parseProcStat reads ppid, utime and stime out of a /proc/PID/stat line. The
// command name (field 2) may hold spaces and parentheses, so the fields are
// counted from the last ')'.
func parseProcStat(pid int, b []byte) (procStat, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state); ppid is field 4, utime 14, stime 15.
	if len(f) < 13 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f)+2)
	}
	ppid, err1 := strconv.Atoi(f[1])
	pgrp, err4 := strconv.Atoi(f[2])
	utime, err2 := strconv.ParseUint(f[11], 10, 64)
	stime, err3 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		return procStat{}, fmt.Errorf("/proc/%d/stat: bad numbers", pid)
	}
	ticks := utime + stime
	return procStat{pid: pid, ppid: ppid, pgrp: pgrp, cpu: time.Duration(ticks) * time.Second / clockTicks}, nil
}

// allProcs reads the stat line of every process.
func allProcs() ([]procStat, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var out []procStat
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, err := readProcStat(pid); err == nil { // it may have exited
			out = append(out, st)
		}
	}
	return out, nil
}

// Descendants returns pid and every process below it.
func Descendants(pid int) ([]int, error) {
	procs, err := allProcs()
	if err != nil {
		return nil, err
	}
	children := map[int][]int{}
	for _, p := range procs {
		children[p.ppid] = append(children[p.ppid], p.pid)
	}
	out := []int{pid}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out, nil
}

// TreeCPU returns the user plus system CPU time used so far by pid and all
// its descendants (Kamailio works in child processes; rtpengine in threads,
// which /proc/PID/stat already sums). Resolution is 10 ms.
func TreeCPU(pid int) (time.Duration, error) {
	pids, err := Descendants(pid)
	if err != nil {
		return 0, err
	}
	var total time.Duration
	for i, p := range pids {
		st, err := readProcStat(p)
		if err != nil {
			if i == 0 {
				return 0, fmt.Errorf("cpu of process %d: %w", pid, err)
			}
			continue
		}
		total += st.cpu
	}
	return total, nil
}

// SelfCPU returns the CPU time this process has used (getrusage).
func SelfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// CPUMeter measures the CPU time a process tree uses over a window.
type CPUMeter struct {
	PID        int // 0 measures this process (getrusage); -1 nothing
	start, end time.Duration
	wallStart  time.Time
	wall       time.Duration
	err        error
}

func (m *CPUMeter) sample() time.Duration {
	if m.PID < 0 {
		return 0
	}
	if m.PID == 0 {
		return SelfCPU()
	}
	c, err := TreeCPU(m.PID)
	if err != nil && m.err == nil {
		m.err = err
	}
	return c
}

// Start samples the CPU time at the start of the window.
func (m *CPUMeter) Start() { m.start, m.wallStart = m.sample(), time.Now() }

// Stop samples it at the end.
func (m *CPUMeter) Stop() { m.end, m.wall = m.sample(), time.Since(m.wallStart) }

// CPU returns the CPU time used in the window.
func (m *CPUMeter) CPU() time.Duration { return m.end - m.start }

// Cores returns the average number of cores busy in the window.
func (m *CPUMeter) Cores() float64 {
	if m.wall <= 0 {
		return 0
	}
	return m.CPU().Seconds() / m.wall.Seconds()
}

// Err returns the first error met while sampling.
func (m *CPUMeter) Err() error { return m.err }

// LoadAverage returns the 1-minute load average.
func LoadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}

// Machine describes where the numbers were taken.
func Machine() string {
	model := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	return fmt.Sprintf("%d cores (%s), %s, load average %.2f", runtime.NumCPU(), model, runtime.Version(), LoadAverage())
}

// PIDByUDPPort finds the process that holds a UDP socket bound to port on
// any address: the outermost one when several processes share the socket
// (Kamailio's children inherit their parent's). It needs permission to read
// other processes' /proc/PID/fd.
func PIDByUDPPort(port uint16) (int, error) {
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/net/udp", "/proc/net/udp6"} {
		b, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for i, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if i == 0 || len(f) < 10 {
				continue
			}
			_, hexPort, ok := strings.Cut(f[1], ":")
			if !ok {
				continue
			}
			if p, err := strconv.ParseUint(hexPort, 16, 16); err == nil && uint16(p) == port {
				inodes["socket:["+f[9]+"]"] = true
			}
		}
	}
	if len(inodes) == 0 {
		return 0, fmt.Errorf("no UDP socket on port %d", port)
	}
	procs, err := allProcs()
	if err != nil {
		return 0, err
	}
	holders := map[int]int{} // pid -> ppid
	for _, p := range procs {
		fds, _ := filepath.Glob(fmt.Sprintf("/proc/%d/fd/*", p.pid))
		for _, fd := range fds {
			if link, err := os.Readlink(fd); err == nil && inodes[link] {
				holders[p.pid] = p.ppid
				break
			}
		}
	}
	for pid, ppid := range holders {
		if _, parentHolds := holders[ppid]; !parentHolds {
			return pid, nil
		}
	}
	return 0, fmt.Errorf("no process holds UDP port %d (or /proc/PID/fd is not readable)", port)
}
