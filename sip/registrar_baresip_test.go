package sip

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/switchyard/switchyard/internal/testpeer"
)

// statusLog records the status of every response the registrar sent.
type statusLog struct {
	mu       sync.Mutex
	statuses []int
}

func (l *statusLog) add(code int) {
	l.mu.Lock()
	l.statuses = append(l.statuses, code)
	l.mu.Unlock()
}

func (l *statusLog) get() []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.statuses)
}

// observedRegistrar runs our registrar on a stack and records its answers.
func observedRegistrar(t *testing.T) (*sipStack, *registration, *statusLog) {
	cfg := DefaultConfig()
	cfg.Registrar.Users = []User{{Username: "alice", Password: "secret"}}
	log := &statusLog{}
	var reg *registration
	stack := newSIPStackOn(t, "127.0.0.1:0", func(s *sipStack) {
		reg = newRegistration(cfg, s, regTestLogger(t))
		s.srv.OnRegister(func(req *sip.Request, tx sip.ServerTransaction) {
			res := reg.registrar.handle(req)
			log.add(res.StatusCode)
			_ = tx.Respond(res)
		})
	})
	return stack, reg, log
}

// baresip runs baresip headless with one account registering to registrar.
type baresip struct {
	cmd  *exec.Cmd
	out  *bytes.Buffer
	port int
	done chan struct{}
}

func startBaresip(t *testing.T, registrar *sipStack, password string) *baresip {
	t.Helper()
	bin := testpeer.Require(t, "baresip", "baresip-core")
	dir := t.TempDir()
	port := regFreeUDPPort(t)
	config := fmt.Sprintf("poll_method\tepoll\nsip_listen\t127.0.0.1:%d\nmodule_path\t/usr/lib/baresip/modules\nmodule_app\taccount.so\n", port)
	account := fmt.Sprintf("<sip:alice@%s>;auth_pass=%s;regint=60\n", registrar.addr, password)
	for name, body := range map[string]string{"config": config, "accounts": account} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // hard bound
	// -t bounds baresip's own life too; -s traces SIP for the failure log.
	cmd := exec.CommandContext(ctx, bin, "-f", dir, "-t", "40", "-s")
	cmd.Dir = dir
	b := &baresip{cmd: cmd, out: &bytes.Buffer{}, port: port, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = b.out, b.out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start baresip: %v", err)
	}
	go func() {
		_ = cmd.Wait()
		cancel()
		close(b.done)
	}()
	t.Cleanup(func() {
		b.stop(syscall.SIGKILL)
		if t.Failed() {
			t.Logf("baresip output:\n%s", b.out.String())
		}
	})
	return b
}

// stop signals baresip (by its PID) and waits up to 5 s for it to exit.
func (b *baresip) stop(sig syscall.Signal) bool {
	select {
	case <-b.done:
		return true
	default:
	}
	_ = b.cmd.Process.Signal(sig)
	select {
	case <-b.done:
		return true
	case <-time.After(5 * time.Second):
		_ = b.cmd.Process.Kill()
		<-b.done
		return false
	}
}

func regWaitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRegistrarBaresip: baresip registers to our registrar with digest;
// the binding appears, and disappears when baresip quits (it unregisters).
func TestRegistrarBaresip(t *testing.T) {
	stack, reg, log := observedRegistrar(t)
	b := startBaresip(t, stack, "secret")
	regWaitFor(t, 10*time.Second, "alice's binding", func() bool { return reg.registrar.hasBinding("alice") })
	if got := log.get(); len(got) < 2 || got[0] != 401 || got[len(got)-1] != 200 {
		t.Fatalf("registrar answered %v, want a 401 challenge then 200", got)
	}
	bind := reg.registrar.lookup("sip:alice@127.0.0.1")
	if len(bind) != 1 || int(bind[0].Source.Port()) != b.port || bind[0].Transport != "UDP" {
		t.Fatalf("binding %+v, want source port %d", bind, b.port)
	}
	if left := time.Until(bind[0].Expires); left < 55*time.Second || left > 61*time.Second {
		t.Errorf("binding expires in %s, want ~60s (regint=60)", left)
	}
	if !reg.registrar.fromSource("sip:alice@127.0.0.1", bind[0].Source) {
		t.Error("baresip's address is not a registered source")
	}
	// SIGINT: baresip unregisters on its way out.
	if !b.stop(syscall.SIGINT) {
		t.Fatal("baresip did not quit on SIGINT")
	}
	regWaitFor(t, 5*time.Second, "the binding to go", func() bool { return !reg.registrar.hasBinding("alice") })
}

// TestRegistrarBaresipWrongPassword: with a wrong password baresip gets a
// challenge, then 401 for its first answer and 403 after that; no binding.
func TestRegistrarBaresipWrongPassword(t *testing.T) {
	stack, reg, log := observedRegistrar(t)
	startBaresip(t, stack, "wrong")
	regWaitFor(t, 15*time.Second, "a 403", func() bool { return slices.Contains(log.get(), 403) })
	got := log.get()
	if got[0] != 401 || !slices.Contains(got, 403) || slices.Contains(got, 200) {
		t.Fatalf("registrar answered %v", got)
	}
	if reg.registrar.hasBinding("alice") {
		t.Fatal("wrong password registered")
	}
	t.Logf("registrar answered %v", got)
}
