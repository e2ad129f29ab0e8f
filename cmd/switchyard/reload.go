package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/spf13/cobra"
)

func newReloadCmd() *cobra.Command {
	var apiURL, token string
	cmd := &cobra.Command{
		Use:   "reload [--api URL]",
		Short: "Ask a running node to reload its configuration (same as SIGHUP)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 10*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, apiURL+"/api/v1/reload", nil)
			if err != nil {
				return err
			}
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return fmt.Errorf("reach the node's admin api at %s: %w", apiURL, err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			var r struct {
				Result  string `json:"result"`
				Error   string `json:"error"`
				Message string `json:"message"`
			}
			_ = json.Unmarshal(body, &r)
			if resp.StatusCode != http.StatusOK {
				msg := r.Error
				if msg == "" {
					msg = r.Message
				}
				if msg == "" {
					msg = resp.Status
				}
				return &exitError{code: 1, err: fmt.Errorf("reload rejected (the node keeps its configuration):\n%s", indent(msg))}
			}
			fmt.Fprintln(cmd.OutOrStdout(), "configuration reloaded")
			return nil
		},
	}
	cmd.Flags().StringVar(&apiURL, "api", "http://127.0.0.1:8080", "the node's admin API base URL")
	cmd.Flags().StringVar(&token, "token", "", "admin API bearer token (api.token)")
	return cmd
}
