package testpeer

import (
	"os/exec"
	"testing"
)

// Require returns the path of an independent peer program. When the binary
// is not on PATH the test is skipped with a message naming the Debian
// package to install (a failure when CI=true).
func Require(t testing.TB, binary, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(binary)
	if err != nil {
		skipOrFatal(t, "testpeer: %s not found: install Debian package %s", binary, debianPackage)
	}
	return p
}
