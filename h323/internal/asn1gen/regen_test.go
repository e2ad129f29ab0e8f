package main

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/switchyard/switchyard/internal/testpeer"
)

// generateArgs reads the asn1gen arguments of a package's go:generate line.
func generateArgs(t *testing.T, pkgDir string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(pkgDir, "gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// "//go:generate go run <path of this command> args..."
		if rest, ok := strings.CutPrefix(sc.Text(), "//go:generate go run "); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				return f[1:]
			}
		}
	}
	t.Fatalf("%s/gen.go has no asn1gen go:generate line", pkgDir)
	return nil
}

// TestGeneratedUpToDate regenerates the h225 and h245 packages (from the
// shared ASN.1 modules) and the gentest package into a temporary directory
// and compares the result with the files in the repository.
func TestGeneratedUpToDate(t *testing.T) {
	root := testpeer.RepoRoot(t)
	for _, pkg := range []string{"h323/h245", "h323/h225", "h323/internal/asn1gen/gentest"} {
		t.Run(pkg, func(t *testing.T) {
			if !strings.HasSuffix(pkg, "gentest") {
				testpeer.SharedFile(t, "asn1", "h245.asn")
			}
			pkgDir := filepath.Join(root, filepath.FromSlash(pkg))
			args := generateArgs(t, pkgDir)
			// Module paths are relative to the package directory, as
			// go generate runs there.
			for i := 0; i+1 < len(args); i++ {
				if args[i] == "-module" {
					args[i+1] = filepath.Join(pkgDir, args[i+1])
				}
			}
			out := t.TempDir()
			if err := run(append(args, "-out", out)); err != nil {
				t.Fatal(err)
			}
			want, err := filepath.Glob(filepath.Join(pkgDir, "*_gen*.go"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := filepath.Glob(filepath.Join(out, "*_gen*.go"))
			if err != nil {
				t.Fatal(err)
			}
			base := func(ps []string) []string {
				var out []string
				for _, p := range ps {
					out = append(out, filepath.Base(p))
				}
				slices.Sort(out)
				return out
			}
			if !slices.Equal(base(got), base(want)) {
				t.Fatalf("generated files %v, repository has %v: run go generate ./h323/...", base(got), base(want))
			}
			for _, name := range base(got) {
				a, err := os.ReadFile(filepath.Join(out, name))
				if err != nil {
					t.Fatal(err)
				}
				b, err := os.ReadFile(filepath.Join(pkgDir, name))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(a, b) {
					t.Errorf("%s/%s is not what the generator writes: run go generate ./h323/...", pkg, name)
				}
				if len(a) > 1<<20 {
					t.Errorf("%s/%s is %d bytes, above 1 MiB", pkg, name, len(a))
				}
			}
		})
	}
}

// TestDeterministic runs the generator twice on the same input.
func TestDeterministic(t *testing.T) {
	testpeer.SharedFile(t, "asn1", "h245.asn")
	root := testpeer.RepoRoot(t)
	pkgDir := filepath.Join(root, "h323", "h225")
	args := generateArgs(t, pkgDir)
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "-module" {
			args[i+1] = filepath.Join(pkgDir, args[i+1])
		}
	}
	cfg, err := parseArgs(args)
	if err != nil {
		t.Fatal(err)
	}
	a, err := generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}
}
