package call

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestCatalogueComplete(t *testing.T) {
	names := map[string]bool{}
	for i, e := range Catalogue() {
		if e.Cause != Cause(i) {
			t.Errorf("entry %d has Cause %d", i, e.Cause)
		}
		if e.Name == "" || names[e.Name] {
			t.Errorf("entry %d: empty or duplicate name %q", i, e.Name)
		}
		names[e.Name] = true
		if Cause(i) == CauseNone {
			continue
		}
		if e.SIPStatus < 200 || e.SIPStatus > 699 || e.SIPReason == "" {
			t.Errorf("%s: SIP status %d %q", e.Name, e.SIPStatus, e.SIPReason)
		}
		if e.Q931 == 0 || e.Q931 > 127 {
			t.Errorf("%s: Q.931 cause %d out of range", e.Name, e.Q931)
		}
		if e.H225Reason == "" || e.HTTPStatus < 200 || e.HTTPStatus > 599 {
			t.Errorf("%s: H.225 %q HTTP %d", e.Name, e.H225Reason, e.HTTPStatus)
		}
		if e.Admin == "" || e.User == "" {
			t.Errorf("%s: missing admin or user message", e.Name)
		}
		got, ok := ParseCause(e.Name)
		if !ok || got != Cause(i) {
			t.Errorf("ParseCause(%q) = %v, %v", e.Name, got, ok)
		}
	}
	// The causes the architecture requires.
	for _, n := range []string{"no_route", "invalid_transform", "dial_out_failed", "rejected", "busy",
		"no_answer", "remote_hangup", "local_hangup", "timeout", "media_timeout", "ice_failed",
		"codec_mismatch", "capacity", "maintenance", "unauthorized", "forbidden", "bad_request", "internal"} {
		if !names[n] {
			t.Errorf("catalogue lacks %q", n)
		}
	}
}

func TestCauseOf(t *testing.T) {
	base := io.ErrUnexpectedEOF
	ce := Errorf(Busy, "callee said 486: %w", base)
	tests := []struct {
		name string
		err  error
		want Cause
	}{
		{"nil", nil, CauseNone},
		{"plain", errors.New("x"), Internal},
		{"direct", ce, Busy},
		{"wrapped", fmt.Errorf("dial: %w", ce), Busy},
		{"joined", errors.Join(errors.New("a"), ce), Busy},
	}
	for _, tt := range tests {
		if got := CauseOf(tt.err); got != tt.want {
			t.Errorf("%s: CauseOf = %v, want %v", tt.name, got, tt.want)
		}
	}
	if !errors.Is(ce, base) {
		t.Error("Errorf with %w does not unwrap to the base error")
	}
	if got := ce.Error(); got != "busy: callee said 486: unexpected EOF" {
		t.Errorf("Error() = %q", got)
	}
	if Cause(200).String() != "internal" {
		t.Error("unknown cause does not read as internal")
	}
}

func TestFromSIPStatus(t *testing.T) {
	tests := map[int]Cause{200: CauseNone, 401: Unauthorized, 403: Forbidden, 404: NotFound,
		408: Timeout, 480: NoAnswer, 486: Busy, 487: LocalHangup, 488: CodecMismatch, 500: DialOutFailed,
		503: Unavailable, 600: Busy, 603: Rejected, 302: DialOutFailed, 100: Internal}
	for status, want := range tests {
		if got := FromSIPStatus(status); got != want {
			t.Errorf("FromSIPStatus(%d) = %v, want %v", status, got, want)
		}
	}
}

// TestCausesDocUpToDate keeps docs/causes.md identical to the catalogue.
// Regenerate with: go run ./cmd/switchyard causes -o markdown > docs/causes.md
func TestCausesDocUpToDate(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "docs", "causes.md"))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != CatalogueMarkdown() {
		t.Fatal("docs/causes.md differs from the catalogue; regenerate it: go run ./cmd/switchyard causes -o markdown > docs/causes.md")
	}
}
