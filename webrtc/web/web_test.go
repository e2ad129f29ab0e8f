package web

import (
	"io"
	"io/fs"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestHandlerServesTheApp(t *testing.T) {
	h := Handler()
	for _, tt := range []struct{ path, ctype, contains string }{
		{"/", "text/html", `<script src="app.js" defer></script>`},
		{"/app.js", "javascript", "/api/v1/calls"},
		{"/style.css", "text/css", ".controls"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
		body, _ := io.ReadAll(rec.Body)
		if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Type"), tt.ctype) || !strings.Contains(string(body), tt.contains) {
			t.Errorf("GET %s: %d %q", tt.path, rec.Code, rec.Header().Get("Content-Type"))
		}
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("GET %s: CSP %q", tt.path, csp)
		}
	}
}

// TestNoInlineCode: the content security policy forbids inline scripts,
// styles and event handlers; the page must not need them.
func TestNoInlineCode(t *testing.T) {
	b, err := fs.ReadFile(Files(), "index.html")
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	for _, re := range []string{`<script>`, `<style`, ` style="`, ` on[a-z]+="`} {
		if regexp.MustCompile(re).MatchString(html) {
			t.Errorf("index.html has inline code matching %s", re)
		}
	}
	// Every element the script looks up exists.
	js, _ := fs.ReadFile(Files(), "app.js")
	for _, m := range regexp.MustCompile(`\$\('([a-z-]+)'\)`).FindAllStringSubmatch(string(js), -1) {
		if !strings.Contains(html, `id="`+m[1]+`"`) {
			t.Errorf("app.js uses #%s, which index.html lacks", m[1])
		}
	}
}

// TestScriptParses checks the script's syntax with Node.js when it is
// installed.
func TestScriptParses(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	js, _ := fs.ReadFile(Files(), "app.js")
	p := filepath.Join(t.TempDir(), "app.js")
	if err := os.WriteFile(p, js, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(node, "--check", p).CombinedOutput(); err != nil {
		t.Fatalf("app.js: %v\n%s", err, out)
	}
}
