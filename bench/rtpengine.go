package bench

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// RtpengineConfig starts rtpengine for a benchmark.
type RtpengineConfig struct {
	// Binary is the rtpengine program (default "rtpengine" on PATH, from
	// the Debian package rtpengine-daemon).
	Binary string
	// Dir receives the configuration file, pid file and log.
	Dir string
	// Threads is rtpengine's num-threads: the worker threads that forward
	// packets in user space (default 2).
	Threads int
	// PortMin and PortMax bound the media ports (default 16384-24575,
	// below the kernel's ephemeral ports that the load generator uses;
	// each call takes four: RTP and RTCP on both sides).
	PortMin, PortMax int
}

// Rtpengine is a running rtpengine with an ng control connection.
type Rtpengine struct {
	*Daemon
	NG      *NGClient
	NGAddr  netip.AddrPort
	Threads int
}

// StartRtpengine writes a configuration for user-space forwarding on
// 127.0.0.1 (no kernel table) and starts rtpengine in the foreground, logging
// to stderr. It returns once rtpengine answers an ng ping.
func StartRtpengine(ctx context.Context, cfg RtpengineConfig) (*Rtpengine, error) {
	if cfg.Binary == "" {
		cfg.Binary = "rtpengine"
	}
	bin, err := exec.LookPath(cfg.Binary)
	if err != nil {
		return nil, fmt.Errorf("rtpengine: %w (install the Debian package rtpengine-daemon)", err)
	}
	if cfg.Threads <= 0 {
		cfg.Threads = 2
	}
	if cfg.PortMin == 0 {
		cfg.PortMin, cfg.PortMax = 16384, 24575
	}
	ngPort, err := FreeUDPPort()
	if err != nil {
		return nil, err
	}
	ngAddr := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(ngPort))
	conf := filepath.Join(cfg.Dir, "rtpengine.conf")
	pidFile := filepath.Join(cfg.Dir, "rtpengine.pid")
	text := strings.Join([]string{
		"[rtpengine]",
		"table = -1",
		"interface = 127.0.0.1",
		"listen-ng = " + ngAddr.String(),
		fmt.Sprintf("port-min = %d", cfg.PortMin),
		fmt.Sprintf("port-max = %d", cfg.PortMax),
		fmt.Sprintf("num-threads = %d", cfg.Threads),
		"media-num-threads = 0",
		"timeout = 120",
		"delete-delay = 0",
		"log-level = 4",
		"foreground = true",
		"log-stderr = true",
		"pidfile = " + pidFile,
		"",
	}, "\n")
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		return nil, fmt.Errorf("rtpengine config: %w", err)
	}
	args := []string{
		"--config-file=" + conf,
		"--table=-1", "--foreground", "--log-stderr",
		"--interface=127.0.0.1",
		"--listen-ng=" + ngAddr.String(),
		"--pidfile=" + pidFile,
	}
	d, err := StartDaemon("rtpengine", bin, args, filepath.Join(cfg.Dir, "rtpengine.log"))
	if err != nil {
		return nil, err
	}
	r := &Rtpengine{Daemon: d, NGAddr: ngAddr, Threads: cfg.Threads}
	if r.NG, err = DialNG(ngAddr); err != nil {
		d.Stop()
		return nil, err
	}
	r.NG.timeout = 200 * time.Millisecond
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := r.NG.Ping(ctx)
		if err == nil {
			break
		}
		if d.Exited() || time.Now().After(deadline) || ctx.Err() != nil {
			r.Stop()
			return nil, fmt.Errorf("rtpengine did not answer ng ping: %w\n%s", err, d.LogTail())
		}
		time.Sleep(100 * time.Millisecond)
	}
	r.NG.timeout = 2 * time.Second
	return r, nil
}

// Stop closes the control connection and stops the daemon.
func (r *Rtpengine) Stop() error {
	if r.NG != nil {
		r.NG.Close()
	}
	return r.Daemon.Stop()
}

// Version returns rtpengine's version string.
func RtpengineVersion(binary string) string {
	if binary == "" {
		binary = "rtpengine"
	}
	out, err := exec.Command(binary, "--version").CombinedOutput()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(out)), "Version:"))
}
