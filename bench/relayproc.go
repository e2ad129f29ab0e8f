package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// RelayChildEnv, set to 1 in a process's environment, makes the benchmark
// test binary act as the relay process (see ServeRelay) instead of running
// tests.
const RelayChildEnv = "SWITCHYARD_BENCH_RELAY_CHILD"

// SwitchyardRelay runs Switchyard's relay (rtpio sessions joined by
// bridge.Join) in a process of its own, so that its CPU time is measured
// apart from the load generator's, as rtpengine's is.
type SwitchyardRelay struct {
	// Ports is the rtpio port range (default 24576-32766, below the
	// kernel's ephemeral ports that the load generator uses).
	Ports string
	// Read makes the relay read its tracks with ReadRTP goroutines instead
	// of forwarding through rtpio's receive engine; it is then named
	// "switchyard-read".
	Read   bool
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	done   chan struct{}
	detail string
}

// StartSwitchyardRelay starts the relay process: command is its program
// and arguments, env is added to the environment; its standard error goes
// to relay.log in dir.
func StartSwitchyardRelay(command []string, env []string, dir string) (*SwitchyardRelay, error) {
	if len(command) == 0 {
		return nil, errors.New("relay: no command")
	}
	log, err := os.Create(filepath.Join(dir, "relay.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		log.Close()
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		log.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("relay: start %s: %w", command[0], err)
	}
	r := &SwitchyardRelay{Ports: "24576-32766", cmd: cmd, stdin: stdin, stdout: bufio.NewReader(stdout), done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		log.Close()
		close(r.done)
	}()
	return r, nil
}

// Name implements Relay.
func (r *SwitchyardRelay) Name() string {
	if r.Read {
		return "switchyard-read"
	}
	return "switchyard"
}

// Detail implements Relay.
func (r *SwitchyardRelay) Detail() string { return r.detail }

// PID implements Relay; it is -1 (nothing to measure) for a relay served
// inside this process.
func (r *SwitchyardRelay) PID() int {
	if r.cmd == nil {
		return -1
	}
	return r.cmd.Process.Pid
}

// Setup implements Relay. It can be called once per process.
func (r *SwitchyardRelay) Setup(ctx context.Context, from, to []netip.AddrPort) ([]netip.AddrPort, error) {
	req := relayRequest{Ports: r.Ports, Read: r.Read}
	for i := range from {
		req.From = append(req.From, from[i].String())
		req.To = append(req.To, to[i].String())
	}
	b, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	if _, err := r.stdin.Write(append(b, '\n')); err != nil {
		return nil, fmt.Errorf("relay: send request: %w", err)
	}
	type result struct {
		line []byte
		err  error
	}
	got := make(chan result, 1)
	go func() {
		line, err := r.stdout.ReadBytes('\n')
		got <- result{line, err}
	}()
	var res result
	select {
	case res = <-got:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(60 * time.Second):
		return nil, errors.New("relay: no reply to the set-up request")
	}
	if res.err != nil {
		return nil, fmt.Errorf("relay: read reply: %w", res.err)
	}
	var reply relayReply
	if err := json.Unmarshal(res.line, &reply); err != nil {
		return nil, fmt.Errorf("relay: reply: %w", err)
	}
	r.detail = reply.Detail
	if reply.Error != "" {
		return nil, errors.New(reply.Error)
	}
	targets := make([]netip.AddrPort, len(reply.Targets))
	for i, s := range reply.Targets {
		if targets[i], err = netip.ParseAddrPort(s); err != nil {
			return nil, fmt.Errorf("relay: target %d: %w", i, err)
		}
	}
	if len(targets) != len(from) {
		return nil, fmt.Errorf("relay: %d targets for %d streams", len(targets), len(from))
	}
	return targets, nil
}

// Mallocs implements AllocCounter: the relay process's heap allocations so
// far.
func (r *SwitchyardRelay) Mallocs() (uint64, error) {
	if _, err := io.WriteString(r.stdin, "stats\n"); err != nil {
		return 0, fmt.Errorf("relay: ask for stats: %w", err)
	}
	line, err := r.stdout.ReadBytes('\n')
	if err != nil {
		return 0, fmt.Errorf("relay: read stats: %w", err)
	}
	var st relayStats
	if err := json.Unmarshal(line, &st); err != nil {
		return 0, fmt.Errorf("relay: stats: %w", err)
	}
	return st.Mallocs, nil
}

// Close ends the relay process: closing its input makes it hang up every
// call and exit; after ten seconds it is killed by PID.
func (r *SwitchyardRelay) Close() error {
	_ = r.stdin.Close()
	select {
	case <-r.done:
		return nil
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(r.cmd.Process.Pid, syscall.SIGKILL)
		<-r.done
		return errors.New("relay: process did not stop within 10 s; killed")
	}
}
