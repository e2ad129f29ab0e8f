package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/switchyard/switchyard/api"
	"github.com/switchyard/switchyard/config"
	"github.com/switchyard/switchyard/rules"
)

// exitNoRoute is route's exit status when the dial plan refuses the alias.
const exitNoRoute = 3

func newRouteCmd() *cobra.Command {
	var cfgPath, output, from, source, direction, trunk, caller string
	var registered bool
	cmd := &cobra.Command{
		Use:   "route ALIAS [-c FILE] [--from PROTOCOL] [--registered] [--source IP]",
		Short: "Show where the dial plan sends ALIAS, and why each earlier rule did not match",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output, "text", "json"); err != nil {
				return err
			}
			params := map[string]string{"alias": args[0], "from": from, "source": source, "direction": direction,
				"trunk": trunk, "caller": caller}
			if registered {
				params["registered"] = "true"
			}
			req, err := api.RequestFromQuery(func(k string) string { return params[k] },
				func(k string) bool { _, ok := params[k]; return ok })
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			cfg, err := config.Load(cfgPath, os.Getenv)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			engine, err := rules.New(cfg.Dialplan)
			if err != nil {
				return &exitError{code: 1, err: fmt.Errorf("%s: %w", cfg.Source, err)}
			}
			ex := engine.Explain(req)
			w := cmd.OutOrStdout()
			if output == "json" {
				if err := writeJSON(w, ex); err != nil {
					return err
				}
			} else {
				printExplanation(w, req, ex)
			}
			if len(ex.Decisions) == 0 {
				return &exitError{code: exitNoRoute, err: fmt.Errorf("%s refused: %s", args[0], ex.Cause)}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&cfgPath, "config", "c", "", "configuration file (default: the embedded default)")
	f.StringVar(&from, "from", "sip", "protocol the call arrives on: sip, h323, webrtc, rtsp, rtmp")
	f.BoolVar(&registered, "registered", false, "the caller is registered to this gateway")
	f.StringVar(&source, "source", "", "the caller's IP address")
	f.StringVar(&direction, "direction", "incoming", "incoming, or outgoing (a dial-out from the API)")
	f.StringVar(&trunk, "trunk", "", "the trunk the call arrives from")
	f.StringVar(&caller, "caller", "", "the calling party")
	outputFlag(cmd, &output, "text, json")
	return cmd
}

func printExplanation(w io.Writer, req *rules.Request, ex rules.Explanation) {
	src := "any source"
	if req.Source.IsValid() {
		src = "source " + req.Source.String()
	}
	reg := "unregistered"
	if req.Registered {
		reg = "registered"
	}
	fmt.Fprintf(w, "dialed   %q from %s (%s, %s, %s)\n", req.Dialed, req.Protocol, directionName(req.Direction), reg, src)
	if len(ex.Decisions) == 0 {
		fmt.Fprintf(w, "result   refused: %s", ex.Cause)
		if ex.Detail != "" {
			fmt.Fprintf(w, " (%s)", ex.Detail)
		}
		fmt.Fprintln(w)
	}
	for i, d := range ex.Decisions {
		label := "decision"
		if i > 0 {
			label = fmt.Sprintf("fallback %d", i)
		}
		fmt.Fprintf(w, "%-8s %s\n", label, describeDecision(d))
		if d.Kind != rules.DecisionService {
			fmt.Fprintf(w, "%-8s %s\n", "", describePolicy(d.Policy))
		}
	}
	if len(ex.Trace) == 0 {
		return
	}
	fmt.Fprintln(w, "trace")
	for _, s := range ex.Trace {
		mark := "  no "
		if s.Matched {
			mark = "  YES"
		}
		name := s.Kind + " " + s.Name
		if s.Kind == "rule" {
			name = fmt.Sprintf("rule %s (priority %d)", s.Name, s.Priority)
		}
		fmt.Fprintf(w, "%s %-44s %s\n", mark, name, s.Reason)
	}
}

func describeDecision(d rules.Decision) string {
	if d.Kind == rules.DecisionService {
		return fmt.Sprintf("local service %s", d.Service)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", d.Target, d.Transformed)
	if d.ToRegistered {
		b.WriteString(" (registered contact)")
	}
	if d.Trunk != "" {
		fmt.Fprintf(&b, " via trunk %s", d.Trunk)
	}
	switch {
	case d.Rule != "":
		fmt.Fprintf(&b, " [rule %s", d.Rule)
		if d.OnFailure == rules.OnFailureContinue {
			b.WriteString(", on failure continue")
		}
		b.WriteString("]")
	case d.Alias != "":
		fmt.Fprintf(&b, " [alias %s]", d.Alias)
	}
	return b.String()
}

func describePolicy(p rules.MediaPolicy) string {
	codecs := "all codecs"
	if len(p.Codecs) > 0 {
		names := make([]string, len(p.Codecs))
		for i, c := range p.Codecs {
			names[i] = string(c)
		}
		codecs = "codecs " + strings.Join(names, ",")
	}
	rate := func(kbps int) string {
		if kbps == 0 {
			return "uncapped"
		}
		return fmt.Sprintf("%d kbit/s", kbps)
	}
	return fmt.Sprintf("media %s, %s, srtp %s, dtmf %s, content %s, fecc %s, bitrate in %s out %s",
		p.CallType, codecs, p.SRTP, p.DTMF, onOff(p.Content), onOff(p.FECC), rate(p.MaxBitrateIn), rate(p.MaxBitrateOut))
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func directionName(d rules.Direction) string {
	if d == rules.DirectionOutgoing {
		return "outgoing"
	}
	return "incoming"
}
