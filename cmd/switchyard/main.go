// Command switchyard runs the Switchyard protocol gateway and its tools:
// run the daemon, check a configuration, explain how an alias routes, reload a
// running node, list the cause catalogue.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// exitError carries a process exit status through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func main() {
	root := newRootCmd()
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "switchyard:", err)
		var ee *exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "switchyard",
		Short: "Switchyard: a SIP, H.323, WebRTC, RTSP and RTMP gateway",
		Long: "Switchyard bridges calls between protocols: a call arrives on one, the dial plan\n" +
			"picks a route, and the gateway dials the other side and carries the media.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newRunCmd(), newCheckCmd(), newRouteCmd(), newReloadCmd(), newCausesCmd(), newVersionCmd())
	return root
}
