package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/switchyard/switchyard/config"
	"github.com/switchyard/switchyard/rules"
)

func newCheckCmd() *cobra.Command {
	var cfgPath, output string
	cmd := &cobra.Command{
		Use:   "check [-c FILE]",
		Short: "Validate a configuration file and print a summary",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output, "text", "json"); err != nil {
				return err
			}
			cfg, err := config.Load(cfgPath, os.Getenv)
			if err == nil {
				_, err = rules.New(cfg.Dialplan)
			}
			if err != nil {
				return &exitError{code: 1, err: fmt.Errorf("configuration rejected:\n%s", indent(err.Error()))}
			}
			s := summarize(cfg)
			if output == "json" {
				return writeJSON(cmd.OutOrStdout(), s)
			}
			printSummary(cmd.OutOrStdout(), s)
			return nil
		},
	}
	cmd.Flags().StringVarP(&cfgPath, "config", "c", "", "configuration file (default: the embedded default)")
	outputFlag(cmd, &output, "text, json")
	return cmd
}

// summary is what `check` reports about a valid configuration.
type summary struct {
	Source        string   `json:"source"`
	Node          string   `json:"node"`
	APIListen     string   `json:"api_listen"`
	MaxCalls      int      `json:"max_calls"`
	Maintenance   bool     `json:"maintenance"`
	Services      []string `json:"services"`
	Aliases       int      `json:"aliases"`
	Trunks        []string `json:"trunks"`
	RulesEnabled  int      `json:"rules_enabled"`
	RulesDisabled int      `json:"rules_disabled"`
	Warnings      []string `json:"warnings"`
}

func summarize(cfg *config.Config) summary {
	s := summary{Source: cfg.Source, Node: cfg.Gateway.Name, APIListen: cfg.API.Listen,
		MaxCalls: cfg.Gateway.MaxCalls, Maintenance: cfg.Gateway.Maintenance, Aliases: len(cfg.Dialplan.Aliases),
		Services: []string{}, Trunks: []string{}, Warnings: []string{}}
	for _, sv := range cfg.Dialplan.Services {
		state := ""
		if sv.Enabled != nil && !*sv.Enabled {
			state = " (disabled)"
		}
		s.Services = append(s.Services, fmt.Sprintf("%s [%s]%s", sv.Name, strings.Join(sv.Aliases, ", "), state))
	}
	for _, t := range cfg.Dialplan.Trunks {
		line := fmt.Sprintf("%s %s %s", t.Name, t.Protocol, t.Host)
		if len(t.Roles) > 0 {
			roles := make([]string, len(t.Roles))
			for i, r := range t.Roles {
				roles[i] = string(r)
			}
			line += " roles=" + strings.Join(roles, ",")
		}
		s.Trunks = append(s.Trunks, line)
	}
	for _, r := range cfg.Dialplan.Rules {
		if r.Enabled != nil && !*r.Enabled {
			s.RulesDisabled++
		} else {
			s.RulesEnabled++
		}
	}
	if host, _, err := net.SplitHostPort(cfg.API.Listen); err == nil && cfg.API.Token == "" {
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			s.Warnings = append(s.Warnings, "api.listen is reachable beyond loopback and api.token is empty: anyone who reaches it can reload this node")
		}
	}
	if s.RulesEnabled == 0 {
		s.Warnings = append(s.Warnings, "no rule is enabled: only local services and aliases can be reached")
	}
	return s
}

func printSummary(w io.Writer, s summary) {
	fmt.Fprintf(w, "configuration OK: %s\n", s.Source)
	node := s.Node
	if node == "" {
		node = "(host name)"
	}
	fmt.Fprintf(w, "  node         %s\n", node)
	fmt.Fprintf(w, "  admin api    %s\n", orNone(s.APIListen, "disabled"))
	limit := "no limit"
	if s.MaxCalls > 0 {
		limit = fmt.Sprint(s.MaxCalls)
	}
	fmt.Fprintf(w, "  max calls    %s\n", limit)
	if s.Maintenance {
		fmt.Fprintf(w, "  maintenance  ON: new calls are refused\n")
	}
	fmt.Fprintf(w, "  services     %s\n", strings.Join(s.Services, "; "))
	fmt.Fprintf(w, "  aliases      %d\n", s.Aliases)
	fmt.Fprintf(w, "  trunks       %s\n", orNone(strings.Join(s.Trunks, "; "), "none"))
	fmt.Fprintf(w, "  rules        %d enabled, %d disabled\n", s.RulesEnabled, s.RulesDisabled)
	for _, warn := range s.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
