package bench

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"
	"time"
)

// KamailioConfig starts Kamailio as the stateful proxy of the SIP benchmark.
type KamailioConfig struct {
	// Binary is the kamailio program (default "kamailio" on PATH, from the
	// Debian package kamailio).
	Binary string
	// Dir receives the configuration, pid file and log.
	Dir string
	// UAS is where every new call is relayed.
	UAS netip.AddrPort
	// Children is the number of UDP worker processes (default 4).
	Children int
	// SharedMB and PrivateMB size Kamailio's memory pools (default 512, 16).
	SharedMB, PrivateMB int
}

// Kamailio is a running proxy.
type Kamailio struct {
	*Daemon
	Addr     netip.AddrPort
	Children int
}

// StartKamailio writes the proxy configuration (tm, sl, rr, maxfwd,
// textops, pv: record-route every INVITE and t_relay it to the UAS) and
// starts Kamailio in the foreground (-DD), logging to stderr (-E). It
// returns once the SIP port is bound.
func StartKamailio(ctx context.Context, cfg KamailioConfig) (*Kamailio, error) {
	if cfg.Binary == "" {
		cfg.Binary = "kamailio"
	}
	bin, err := exec.LookPath(cfg.Binary)
	if err != nil {
		return nil, fmt.Errorf("kamailio: %w (install the Debian package kamailio)", err)
	}
	if cfg.Children <= 0 {
		cfg.Children = 4
	}
	if cfg.SharedMB <= 0 {
		cfg.SharedMB = 512
	}
	if cfg.PrivateMB <= 0 {
		cfg.PrivateMB = 16
	}
	modules, err := kamailioModulePath()
	if err != nil {
		return nil, err
	}
	port, err := FreeUDPPort()
	if err != nil {
		return nil, err
	}
	text, err := files.ReadFile("testdata/kamailio.cfg.tmpl")
	if err != nil {
		return nil, err
	}
	tmpl, err := template.New("kamailio.cfg").Parse(string(text))
	if err != nil {
		return nil, fmt.Errorf("kamailio config template: %w", err)
	}
	var out bytes.Buffer
	if err := tmpl.Execute(&out, struct {
		Port, Children  int
		UAS, ModulePath string
	}{port, cfg.Children, cfg.UAS.String(), modules}); err != nil {
		return nil, fmt.Errorf("kamailio config template: %w", err)
	}
	conf := filepath.Join(cfg.Dir, "kamailio.cfg")
	if err := os.WriteFile(conf, out.Bytes(), 0o644); err != nil {
		return nil, fmt.Errorf("kamailio config: %w", err)
	}
	runDir := filepath.Join(cfg.Dir, "kamailio-run")
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return nil, err
	}
	check, err := exec.CommandContext(ctx, bin, "-c", "-f", conf, "-L", modules).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("kamailio rejects its configuration: %w\n%s", err, check)
	}
	args := []string{
		"-f", conf, "-DD", "-E",
		"-m", fmt.Sprint(cfg.SharedMB), "-M", fmt.Sprint(cfg.PrivateMB),
		"-P", filepath.Join(cfg.Dir, "kamailio.pid"),
		"-Y", runDir, "-w", cfg.Dir, "-L", modules,
	}
	d, err := StartDaemon("kamailio", bin, args, filepath.Join(cfg.Dir, "kamailio.log"))
	if err != nil {
		return nil, err
	}
	if err := waitUDPBound(port, 10*time.Second, d); err != nil {
		d.Stop()
		return nil, fmt.Errorf("kamailio: %w\n%s", err, d.LogTail())
	}
	// The workers are forked after the socket is bound; give them a moment.
	time.Sleep(300 * time.Millisecond)
	return &Kamailio{
		Daemon:   d,
		Addr:     netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(port)),
		Children: cfg.Children,
	}, nil
}

// kamailioModulePath finds the directory of Kamailio's modules.
func kamailioModulePath() (string, error) {
	candidates, _ := filepath.Glob("/usr/lib/*/kamailio/modules")
	candidates = append(candidates, "/usr/lib/kamailio/modules", "/usr/lib64/kamailio/modules", "/usr/local/lib64/kamailio/modules")
	for _, dir := range candidates {
		if _, err := os.Stat(filepath.Join(dir, "tm.so")); err == nil {
			return dir, nil
		}
	}
	return "", fmt.Errorf("kamailio: no module directory with tm.so found")
}

// KamailioVersion returns Kamailio's version.
func KamailioVersion(binary string) string {
	if binary == "" {
		binary = "kamailio"
	}
	out, _ := exec.Command(binary, "-v").CombinedOutput()
	first, _, _ := strings.Cut(string(out), "\n")
	v := strings.TrimSpace(strings.TrimPrefix(first, "version:"))
	return strings.TrimSpace(strings.TrimPrefix(v, "kamailio"))
}
