package bench

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Daemon is a peer program the harness started in the foreground. Its
// output goes to a log file in the scenario's temporary directory.
type Daemon struct {
	Name    string
	PID     int
	LogPath string
	cmd     *exec.Cmd
	done    chan struct{}
	waitErr error
}

// StartDaemon starts path with args, output to logPath.
func StartDaemon(name, path string, args []string, logPath string) (*Daemon, error) {
	log, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	d := &Daemon{Name: name, PID: cmd.Process.Pid, LogPath: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		d.waitErr = cmd.Wait()
		log.Close()
		close(d.done)
	}()
	return d, nil
}

// Exited reports whether the process has ended.
func (d *Daemon) Exited() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// LogTail returns the last lines of the daemon's output, for error messages.
func (d *Daemon) LogTail() string {
	b, err := os.ReadFile(d.LogPath)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(bytes.ToValidUTF8(b, nil))), "\n")
	return strings.Join(lines[max(0, len(lines)-15):], "\n")
}

// Stop sends SIGTERM to the daemon and to every process it started (by
// PID), waits up to five seconds, then sends SIGKILL to what is left.
func (d *Daemon) Stop() error {
	if d.Exited() {
		return nil
	}
	pids, err := Descendants(d.PID)
	if err != nil {
		pids = []int{d.PID}
	}
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGTERM)
	}
	select {
	case <-d.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(d.PID, syscall.SIGKILL)
		<-d.done
	}
	// Children that outlived their parent: still ours only if they are in
	// the process group the daemon was started in.
	for _, pid := range pids[1:] {
		if st, err := readProcStat(pid); err == nil && st.pgrp == d.PID {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	var ee *exec.ExitError
	if d.waitErr != nil && !errors.As(d.waitErr, &ee) {
		return fmt.Errorf("stop %s: %w", d.Name, d.waitErr)
	}
	return nil
}
