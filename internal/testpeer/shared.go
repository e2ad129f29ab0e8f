package testpeer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// SharedEnv names the environment variable that overrides the location of
// the shared reference directory.
const SharedEnv = "SWITCHYARD_SHARED"

// RepoRoot returns the repository root: the nearest directory, walking up
// from the working directory, that holds go.mod. A test that cannot find it
// is skipped (failed when CI=true).
func RepoRoot(t testing.TB) string {
	t.Helper()
	root, err := findRepoRoot()
	if err != nil {
		skipOrFatal(t, "testpeer: %v", err)
	}
	return root
}

// SharedDir returns the shared reference directory that sits beside the
// repository root (the root's parent holds "shared"). The environment
// variable SWITCHYARD_SHARED overrides it. When the directory does not exist
// the test is skipped (failed when CI=true).
func SharedDir(t testing.TB) string {
	t.Helper()
	dir, err := FindSharedDir()
	if err != nil {
		skipOrFatal(t, "testpeer: shared reference directory not found: %v", err)
	}
	return dir
}

// SharedFile returns the path of a file below the shared directory, for
// example SharedFile(t, "captures", "call1.pcap"). A missing file is a skip
// (a failure when CI=true).
func SharedFile(t testing.TB, elem ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{SharedDir(t)}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		skipOrFatal(t, "testpeer: reference file missing: %v", err)
	}
	return p
}

// FindSharedDir locates the shared reference directory like SharedDir but
// returns an error instead of skipping, for callers (fuzz seed corpora)
// that merely use the data when it is there.
func FindSharedDir() (string, error) {
	return sharedDir()
}

func sharedDir() (string, error) {
	if dir := os.Getenv(SharedEnv); dir != "" {
		if err := checkDir(dir); err != nil {
			return "", fmt.Errorf("%s=%s: %w", SharedEnv, dir, err)
		}
		return dir, nil
	}
	root, err := findRepoRoot()
	if err != nil {
		return "", err
	}
	dir := filepath.Clean(filepath.Join(root, "..", "shared"))
	if err := checkDir(dir); err != nil {
		return "", err
	}
	return dir, nil
}

func checkDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	return nil
}

func findRepoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	for dir := wd; ; {
		_, err := os.Stat(filepath.Join(dir, "go.mod"))
		if err == nil {
			return dir, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("look for go.mod in %s: %w", dir, err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above %s", wd)
		}
		dir = parent
	}
}
