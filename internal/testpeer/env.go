package testpeer

import (
	"fmt"
	"os"
	"testing"
)

// InCI reports whether the tests run in continuous integration (CI=true),
// where a missing peer or missing reference data is a failure, not a skip.
func InCI() bool {
	return os.Getenv("CI") == "true"
}

// skipOrFatal skips the test locally and fails it in CI.
func skipOrFatal(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if InCI() {
		t.Fatal(msg + " (CI=true: a missing peer or reference is a failure)")
	}
	t.Skip(msg)
}
