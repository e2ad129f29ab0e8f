package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildBinary compiles the command once per test binary run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "switchyard")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// logWatcher collects a process's log lines and waits for one.
type logWatcher struct {
	lines chan string
	all   strings.Builder
}

func watch(r io.Reader) *logWatcher {
	w := &logWatcher{lines: make(chan string, 256)}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			w.lines <- sc.Text()
		}
		close(w.lines)
	}()
	return w
}

func (w *logWatcher) waitFor(t *testing.T, substr string) string {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case l, ok := <-w.lines:
			if !ok {
				t.Fatalf("process ended before logging %q; log:\n%s", substr, w.all.String())
			}
			w.all.WriteString(l + "\n")
			if strings.Contains(l, substr) {
				return l
			}
		case <-timeout:
			t.Fatalf("no log line with %q in 15s; log:\n%s", substr, w.all.String())
		}
	}
}

// sipLoopback keeps the protocol listeners of test runs (SIP, WebRTC's HTTPS
// and ICE) on loopback ports the system picks.
const sipLoopback = "sip: {listen: {udp: '127.0.0.1:0', tcp: '127.0.0.1:0', tls: ''}}\n" +
	"webrtc: {listen: '127.0.0.1:0', ice: {udp: '127.0.0.1:0', tcp: ''}}\n" +
	"media: {rtp_ports: '31000-31999'}\n"

// TestRunReloadAndStop runs the real binary: it logs what it listens on,
// reloads on SIGHUP (rejecting a broken file and keeping the old one), and
// stops cleanly on SIGINT.
func TestRunReloadAndStop(t *testing.T) {
	bin := buildBinary(t)
	addr := freePort(t)
	cfgPath := filepath.Join(t.TempDir(), "sy.yaml")
	write := func(body string) {
		if err := os.WriteFile(cfgPath, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("gateway: {shutdown_grace: 1s}\n" + sipLoopback)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "run", "-c", cfgPath)
	cmd.Env = append(os.Environ(), "SWITCHYARD_API_LISTEN="+addr)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logs := watch(stderr)
	line := logs.waitFor(t, `msg=listening service="admin api"`)
	if !strings.Contains(line, addr) {
		t.Errorf("listening line %q does not name the admin api at %s", line, addr)
	}

	routeRule := func() string {
		resp, err := http.Get("http://" + addr + "/api/v1/route?alias=4321")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if body := routeRule(); !strings.Contains(body, "no_route") {
		t.Fatalf("before reload: %s", body)
	}

	write("gateway: {shutdown_grace: 1s}\n" + sipLoopback + "dialplan:\n  rules:\n    - {name: ext, match: '(\\d{4})', replace: 'sip:$1@pbx.example.com', target: sip}\n")
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	logs.waitFor(t, "configuration reloaded")
	if body := routeRule(); !strings.Contains(body, `"rule": "ext"`) {
		t.Fatalf("after reload: %s", body)
	}

	write("dialplan: {rules: [{name: bad, match: '(('}]}\n")
	_ = cmd.Process.Signal(syscall.SIGHUP)
	logs.waitFor(t, "reload rejected")
	if body := routeRule(); !strings.Contains(body, `"rule": "ext"`) {
		t.Fatalf("after rejected reload the old rules are gone: %s", body)
	}

	// `switchyard reload` goes through the admin API: rejected, old rules kept.
	out, err := exec.Command(bin, "reload", "--api", "http://"+addr).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "reload rejected") || !strings.Contains(string(out), "dialplan.rules[0].match") {
		t.Errorf("reload of a broken file: %v\n%s", err, out)
	}
	write(sipLoopback + "dialplan:\n  rules:\n    - {name: ext2, match: '(\\d{4})', replace: 'sip:$1@pbx.example.com', target: sip}\n")
	if out, err := exec.Command(bin, "reload", "--api", "http://"+addr).CombinedOutput(); err != nil || !strings.Contains(string(out), "configuration reloaded") {
		t.Errorf("reload: %v\n%s", err, out)
	}
	if body := routeRule(); !strings.Contains(body, `"rule": "ext2"`) {
		t.Fatalf("after API reload: %s", body)
	}

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	logs.waitFor(t, "switchyard stopped")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGINT: %v", err)
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	bin := buildBinary(t)
	cfgPath := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(cfgPath, []byte("gateway:\n  max_calls: -5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "run", "-c", cfgPath).CombinedOutput()
	if err == nil {
		t.Fatal("run accepted an invalid configuration")
	}
	if !strings.Contains(string(out), "bad.yaml:2") || !strings.Contains(string(out), "gateway.max_calls") {
		t.Errorf("error output does not point at the line and field:\n%s", out)
	}
}
