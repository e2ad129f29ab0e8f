package gateway

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/rules"
)

const baseConfig = `
api:
  listen: 127.0.0.1:0
gateway:
  shutdown_grace: 1s
dialplan:
  rules:
    - name: ext
      match: '(\d{4})'
      replace: 'sip:$1@pbx.example.com'
      target: sip
`

func writeConfig(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func newTestGateway(t *testing.T, body string) (*Gateway, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "switchyard.yaml")
	writeConfig(t, path, body)
	g, err := New(Options{ConfigPath: path, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return g, path
}

func TestRouteAndReload(t *testing.T) {
	g, path := newTestGateway(t, baseConfig)
	ds, err := g.Route(&rules.Request{Protocol: call.ProtocolSIP, Dialed: "1234"})
	if err != nil || len(ds) == 0 || ds[0].Rule != "ext" {
		t.Fatalf("Route(1234) = %+v, %v", ds, err)
	}
	if _, err := g.Route(&rules.Request{Protocol: call.ProtocolSIP, Dialed: "alice"}); call.CauseOf(err) != call.NoRoute {
		t.Fatalf("Route(alice) cause = %v (%v), want no_route", call.CauseOf(err), err)
	}

	// A valid new file takes effect.
	writeConfig(t, path, baseConfig+`
    - name: names
      match: '([a-z]+)'
      replace: 'sip:$1@pbx.example.com'
      target: sip
`)
	if err := g.Reload(); err != nil {
		t.Fatal(err)
	}
	if ds, err := g.Route(&rules.Request{Protocol: call.ProtocolSIP, Dialed: "alice"}); err != nil || ds[0].Rule != "names" {
		t.Fatalf("after reload Route(alice) = %+v, %v", ds, err)
	}

	// A broken file is rejected and the one in force stays.
	writeConfig(t, path, baseConfig+"    - name: broken\n      match: '(('\n")
	err = g.Reload()
	if err == nil || !strings.Contains(err.Error(), "dialplan.rules[1].match") {
		t.Fatalf("broken reload error = %v", err)
	}
	if ds, err := g.Route(&rules.Request{Protocol: call.ProtocolSIP, Dialed: "alice"}); err != nil || ds[0].Rule != "names" {
		t.Fatalf("after rejected reload Route(alice) = %+v, %v", ds, err)
	}
	st := g.Status()
	if st.Reloads != 1 || st.LastReloadErr == "" {
		t.Errorf("status after reloads: %+v", st)
	}
}

func TestAdmission(t *testing.T) {
	g, path := newTestGateway(t, baseConfig+"\n")
	writeConfig(t, path, strings.Replace(baseConfig, "shutdown_grace: 1s", "shutdown_grace: 1s\n  max_calls: 2", 1))
	if err := g.Reload(); err != nil {
		t.Fatal(err)
	}
	r1, err := g.Admit()
	if err != nil {
		t.Fatal(err)
	}
	r2, err := g.Admit()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Admit(); call.CauseOf(err) != call.Capacity {
		t.Fatalf("third call: %v, want capacity", err)
	}
	r1()
	r1() // releasing twice must not free two slots
	if g.Status().Calls != 1 {
		t.Fatalf("calls = %d after one release", g.Status().Calls)
	}
	r3, err := g.Admit()
	if err != nil {
		t.Fatal(err)
	}
	r2()
	r3()

	writeConfig(t, path, strings.Replace(baseConfig, "shutdown_grace: 1s", "shutdown_grace: 1s\n  maintenance: true", 1))
	if err := g.Reload(); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Route(&rules.Request{Protocol: call.ProtocolSIP, Dialed: "1234"}); call.CauseOf(err) != call.Maintenance {
		t.Fatalf("maintenance Route: %v", err)
	}
	if _, err := g.Admit(); call.CauseOf(err) != call.Maintenance {
		t.Fatalf("maintenance Admit: %v", err)
	}
}

func TestRunServesAPIAndStops(t *testing.T) {
	g, path := newTestGateway(t, baseConfig)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- g.Run(ctx) }()

	var base string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if ls := g.Status().Listeners; len(ls) > 0 {
			base = strings.TrimPrefix(ls[0], "admin api ")
			break
		}
	}
	if base == "" {
		t.Fatal("admin API did not start")
	}
	get := func(p string) (int, string) {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Errorf("/healthz = %d", code)
	}
	if code, body := get("/api/v1/status"); code != 200 || !strings.Contains(body, `"version": "test"`) {
		t.Errorf("/api/v1/status = %d %s", code, body)
	}
	code, body := get("/api/v1/route?alias=1234&from=sip")
	var ex rules.Explanation
	if err := json.Unmarshal([]byte(body), &ex); code != 200 || err != nil || len(ex.Decisions) == 0 || ex.Decisions[0].Rule != "ext" {
		t.Errorf("/api/v1/route = %d %s (%v)", code, body, err)
	}
	if code, body := get("/api/v1/route?alias=1234&from=carrier-pigeon"); code != 400 || !strings.Contains(body, `"cause": "bad_request"`) {
		t.Errorf("bad route query = %d %s", code, body)
	}

	writeConfig(t, path, strings.Replace(baseConfig, "shutdown_grace: 1s", "shutdown_grace: 1s\n  maintenance: true", 1))
	resp, err := http.Post(base+"/api/v1/reload", "", nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("reload: %v %v", resp, err)
	}
	resp.Body.Close()
	if code, body := get("/readyz"); code != 503 || !strings.Contains(body, "maintenance") {
		t.Errorf("/readyz in maintenance = %d %s", code, body)
	}
	writeConfig(t, path, "dialplan: {rules: [{name: x, match: '(('}]}")
	resp, err = http.Post(base+"/api/v1/reload", "", nil)
	if err != nil || resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad reload: %v %v", resp, err)
	}
	resp.Body.Close()

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("admin API still answers after stop")
	}
}

func TestAPIToken(t *testing.T) {
	g, _ := newTestGateway(t, strings.Replace(baseConfig, "listen: 127.0.0.1:0", "listen: 127.0.0.1:0\n  token: s3cret", 1))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = g.Run(ctx) }()
	var base string
	for deadline := time.Now().Add(5 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if ls := g.Status().Listeners; len(ls) > 0 {
			base = strings.TrimPrefix(ls[0], "admin api ")
		}
	}
	if base == "" {
		t.Fatal("admin API did not start")
	}
	resp, err := http.Get(base + "/api/v1/status")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("status without token = %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/status", nil)
	req.Header.Set("Authorization", "Bearer s3cret")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status with token = %d", resp.StatusCode)
	}
	resp, err = http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("healthz needs no token, got %d", resp.StatusCode)
	}
}
