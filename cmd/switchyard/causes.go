package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/switchyard/switchyard/call"
)

func newCausesCmd() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "causes",
		Short: "List the cause catalogue: what each failure means to SIP, H.323, HTTP and people",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output, "text", "json", "markdown"); err != nil {
				return err
			}
			entries := call.Catalogue()[1:]
			w := cmd.OutOrStdout()
			switch output {
			case "json":
				return writeJSON(w, entries)
			case "markdown":
				_, err := fmt.Fprint(w, call.CatalogueMarkdown())
				return err
			}
			tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CAUSE\tSIP\tQ.931\tH.225.0\tHTTP\tADMIN MESSAGE")
			for _, e := range entries {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%d\t%s\n", e.Name, e.SIPStatus, e.Q931, e.H225Reason, e.HTTPStatus, e.Admin)
			}
			return tw.Flush()
		},
	}
	outputFlag(cmd, &output, "text, json, markdown")
	return cmd
}
