package bench

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"
)

// The SIPp scenarios and the Kamailio configuration template ship inside the
// harness, so the sybench command runs from any directory.
//
//go:embed testdata/uac.xml testdata/uas.xml testdata/kamailio.cfg.tmpl
var files embed.FS

// writeFile copies an embedded file into dir and returns its path.
func writeFile(dir, name string) (string, error) {
	b, err := files.ReadFile("testdata/" + name)
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return "", fmt.Errorf("write %s: %w", p, err)
	}
	return p, nil
}
