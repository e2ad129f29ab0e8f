package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/switchyard/switchyard/config"
	"github.com/switchyard/switchyard/gateway"
)

func newRunCmd() *cobra.Command {
	var cfgPath string
	cmd := &cobra.Command{
		Use:   "run [-c FILE]",
		Short: "Run the gateway (with the embedded default configuration when no file is given)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runGateway(cmd.Context(), cfgPath, os.Stderr)
		},
	}
	cmd.Flags().StringVarP(&cfgPath, "config", "c", "", "configuration file (default: the embedded default)")
	return cmd
}

// runGateway runs until SIGINT or SIGTERM; SIGHUP reloads the configuration.
func runGateway(parent context.Context, cfgPath string, logOut io.Writer) error {
	cfg, err := config.Load(cfgPath, os.Getenv)
	if err != nil {
		return err
	}
	level := new(slog.LevelVar)
	level.Set(cfg.Log.SlogLevel())
	hopts := &slog.HandlerOptions{Level: level}
	var handler slog.Handler = slog.NewTextHandler(logOut, hopts)
	if cfg.Log.Format == "json" {
		handler = slog.NewJSONHandler(logOut, hopts)
	}
	logger := slog.New(handler)

	records := logOut
	if cfg.Gateway.CallRecords != "" {
		f, err := os.OpenFile(cfg.Gateway.CallRecords, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
		if err != nil {
			return fmt.Errorf("call records: %w", err)
		}
		defer f.Close()
		records = f
	}
	gw, err := gateway.FromConfig(cfg, gateway.Options{
		ConfigPath: cfgPath, Getenv: os.Getenv, Version: version, Logger: logger, LogLevel: level, Records: records,
	})
	if err != nil {
		return err
	}
	if err := gw.BuildProtocols(); err != nil {
		return err
	}

	if parent == nil {
		parent = context.Background()
	}
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer stop()

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	reloaderDone := make(chan struct{})
	go func() {
		defer close(reloaderDone)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				logger.Info("SIGHUP: reloading configuration")
				_ = gw.Reload() // Reload logs the outcome
			}
		}
	}()

	err = gw.Run(ctx)
	stop()
	<-reloaderDone
	return err
}
