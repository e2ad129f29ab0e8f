// Command asn1gen generates Go types with aligned PER Encode and Decode
// methods from ASN.1 modules, for the H.323 message packages (h225, h245).
//
// It reads the modules with package asn1, walks every type reachable from
// the -root types and writes, into the -out directory, the type
// declarations (types_gen.go), their codecs (codec_gen.go, split into more
// files when large) and a support file (support_gen.go), all gofmt'ed and
// deterministic. Types of modules named by -import are referenced from the
// package that holds them instead of being generated again.
//
// The generated Decode methods reuse the memory their receiver holds
// (pointed-to values, slice capacity, equal strings) and give the value a
// decode into a zero value gives; the generated random tests check both.
// Encoding writes each SEQUENCE preamble with one call and open types in
// place.
//
// It is not a general ASN.1 compiler: it supports the constructs the H.323
// modules use and fails loudly on the others (REAL, time types, EMBEDDED
// PDV, DEFAULT values of structured types).
//
// Usage (from a go:generate line):
//
//	go run ../internal/asn1gen -package h225 -primary H323-MESSAGES \
//		-module ../../../shared/asn1/h225.asn -module ... \
//		-root H323-MESSAGES.RasMessage -root H323-MESSAGES.H323-UserInformation \
//		-import MULTIMEDIA-SYSTEM-CONTROL=github.com/switchyard/switchyard/h323/h245
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "asn1gen:", err)
		os.Exit(1)
	}
}

// parseArgs turns command-line arguments into a config.
func parseArgs(args []string) (config, error) {
	fs := flag.NewFlagSet("asn1gen", flag.ContinueOnError)
	var cfg config
	var modules, roots, prefixes, imports listFlag
	fs.StringVar(&cfg.pkg, "package", "", "Go package name")
	fs.StringVar(&cfg.primary, "primary", "", "module whose type names are never prefixed")
	fs.StringVar(&cfg.out, "out", ".", "output directory")
	fs.Var(&modules, "module", "ASN.1 module file (repeatable)")
	fs.Var(&roots, "root", "root type Module.Type (repeatable)")
	fs.Var(&prefixes, "prefix", "Module=Prefix for names that collide (repeatable)")
	fs.Var(&imports, "import", "Module=importpath: take that module's types from another package (repeatable)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if cfg.pkg == "" || cfg.primary == "" || len(modules) == 0 || len(roots) == 0 {
		return cfg, fmt.Errorf("-package, -primary, -module and -root are required")
	}
	cfg.modules, cfg.roots = modules, roots
	cfg.prefixes = make(map[string]string)
	cfg.imports = make(map[string]string)
	for _, p := range prefixes {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return cfg, fmt.Errorf("-prefix %q: want Module=Prefix", p)
		}
		cfg.prefixes[k] = v
	}
	for _, p := range imports {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return cfg, fmt.Errorf("-import %q: want Module=importpath", p)
		}
		cfg.imports[k] = v
	}
	return cfg, nil
}

func run(args []string) error {
	cfg, err := parseArgs(args)
	if err != nil {
		return err
	}
	files, err := generate(cfg)
	if err != nil {
		return err
	}
	return writeFiles(cfg.out, files)
}
