package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// outputFlag adds -o/--output to a command.
func outputFlag(cmd *cobra.Command, p *string, allowed string) {
	cmd.Flags().StringVarP(p, "output", "o", "text", "output format: "+allowed)
}

func checkOutput(v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fmt.Errorf("unknown output format %q (want one of %v)", v, allowed)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
