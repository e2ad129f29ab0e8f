package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchyard/switchyard/api"
	"github.com/switchyard/switchyard/config"
	"github.com/switchyard/switchyard/rtpio"
	"github.com/switchyard/switchyard/rules"
	"github.com/switchyard/switchyard/sip"
	"github.com/switchyard/switchyard/transcode"
	"github.com/switchyard/switchyard/webrtc"
)

// Options are what the command line gives the gateway besides the file.
type Options struct {
	// ConfigPath is the file to load and reload; empty means the embedded default.
	ConfigPath string
	// Getenv reads environment overrides; nil means none.
	Getenv func(string) string
	// Version is reported by the status API.
	Version string
	// Logger receives the gateway's logs; LogLevel, when set, is adjusted on
	// reload to the configured level.
	Logger   *slog.Logger
	LogLevel *slog.LevelVar
	// Records receives one JSON line per call record; nil writes records
	// into the log instead.
	Records io.Writer
}

// state is one loaded configuration and the dial plan built from it. It is
// replaced whole on reload and never changed in place.
type state struct {
	cfg      *config.Config
	engine   *rules.Engine
	loadedAt time.Time
}

// Gateway is one Switchyard node.
type Gateway struct {
	opts    Options
	log     *slog.Logger
	started time.Time

	state     atomic.Pointer[state]
	admission admission

	reloadMu      sync.Mutex // serializes reloads
	reloads       atomic.Int64
	lastReloadErr atomic.Pointer[string]

	listenersMu sync.Mutex
	listeners   []string

	protocols   []protocolSlot
	transcoders *transcode.Limiter
	media       *rtpio.Allocator
	sip         *sip.Server
	webrtc      *webrtc.Server
	calls       sync.WaitGroup // one per call in progress

	recordsMu sync.Mutex
	onRecord  func(Record)
}

// New loads the configuration and builds the dial plan. Nothing listens yet.
func New(opts Options) (*Gateway, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	g := &Gateway{opts: opts, log: opts.Logger, started: time.Now()}
	st, err := g.load()
	if err != nil {
		return nil, err
	}
	g.install(st)
	return g, nil
}

// FromConfig builds a gateway from an already loaded configuration (tests and
// embedding); Reload then re-reads opts.ConfigPath.
func FromConfig(cfg *config.Config, opts Options) (*Gateway, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	engine, err := rules.New(cfg.Dialplan)
	if err != nil {
		return nil, fmt.Errorf("dial plan: %w", err)
	}
	g := &Gateway{opts: opts, log: opts.Logger, started: time.Now()}
	g.install(&state{cfg: cfg, engine: engine, loadedAt: time.Now()})
	return g, nil
}

func (g *Gateway) load() (*state, error) {
	cfg, err := config.Load(g.opts.ConfigPath, g.opts.Getenv)
	if err != nil {
		return nil, err
	}
	engine, err := rules.New(cfg.Dialplan)
	if err != nil {
		return nil, fmt.Errorf("%s: dial plan: %w", cfg.Source, err)
	}
	return &state{cfg: cfg, engine: engine, loadedAt: time.Now()}, nil
}

func (g *Gateway) install(st *state) {
	g.state.Store(st)
	if g.transcoders == nil {
		g.transcoders = transcode.NewLimiter(st.cfg.Transcode)
	} else {
		g.transcoders.SetLimits(st.cfg.Transcode)
	}
	g.admission.configure(st.cfg.Gateway.MaxCalls, st.cfg.Gateway.Maintenance)
	if g.opts.LogLevel != nil {
		g.opts.LogLevel.Set(st.cfg.Log.SlogLevel())
	}
}

// Config returns the configuration in force.
func (g *Gateway) Config() *config.Config { return g.state.Load().cfg }

// NodeName is the configured node name or the host name.
func (g *Gateway) NodeName() string {
	if n := g.Config().Gateway.Name; n != "" {
		return n
	}
	if h, err := os.Hostname(); err == nil {
		return h
	}
	return "switchyard"
}

// Reload reads the configuration again and, if it is valid, puts it in force
// for new calls; calls in progress keep the decisions they were given. An
// invalid configuration is rejected and the one in force stays.
func (g *Gateway) Reload() error {
	g.reloadMu.Lock()
	defer g.reloadMu.Unlock()
	old := g.state.Load()
	st, err := g.load()
	if err != nil {
		msg := err.Error()
		g.lastReloadErr.Store(&msg)
		g.log.Error("configuration reload rejected; keeping the configuration in force", "source", old.cfg.Source, "error", err)
		return err
	}
	if err := g.reconfigureProtocols(old.cfg, st.cfg); err != nil {
		msg := err.Error()
		g.lastReloadErr.Store(&msg)
		g.log.Error("configuration reload rejected by a protocol; keeping the configuration in force", "error", err)
		return err
	}
	if st.cfg.API != old.cfg.API {
		g.log.Warn("api settings changed; restart to apply them", "listen", old.cfg.API.Listen, "new_listen", st.cfg.API.Listen)
		st.cfg.API = old.cfg.API
	}
	g.install(st)
	g.reloads.Add(1)
	g.lastReloadErr.Store(nil)
	g.log.Info("configuration reloaded", "source", st.cfg.Source, "rules", len(st.cfg.Dialplan.Rules),
		"aliases", len(st.cfg.Dialplan.Aliases), "maintenance", st.cfg.Gateway.Maintenance, "max_calls", st.cfg.Gateway.MaxCalls)
	return nil
}

// Run starts the listeners and blocks until ctx is done, then stops them:
// new calls are refused and calls in progress get shutdown_grace to end.
func (g *Gateway) Run(ctx context.Context) error {
	st := g.state.Load()
	g.log.Info("switchyard starting", "version", g.opts.Version, "node", g.NodeName(), "config", st.cfg.Source,
		"rules", len(st.cfg.Dialplan.Rules), "aliases", len(st.cfg.Dialplan.Aliases), "services", len(st.cfg.Dialplan.Services))

	// Listeners stop with runCtx; calls get their own context, which ends
	// only after the shutdown grace, so that calls in progress can finish.
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	callsCtx, hangupAll := context.WithCancel(context.WithoutCancel(ctx))
	defer hangupAll()
	var wg sync.WaitGroup
	errc := make(chan error, 1+len(g.protocols))
	fail := func(err error) {
		select {
		case errc <- err:
		default:
		}
		cancel()
	}

	if st.cfg.API.Listen != "" {
		srv := api.New(st.cfg.API, g, g.log.With("component", "api"))
		ln, err := srv.Listen()
		if err != nil {
			return err
		}
		g.addListener("admin api http://" + ln.Addr().String())
		g.log.Info("listening", "service", "admin api", "addr", ln.Addr().String(), "auth", st.cfg.API.Token != "")
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.Serve(runCtx, ln); err != nil {
				fail(err)
			}
		}()
	} else {
		g.log.Info("admin api disabled (api.listen is empty)")
	}

	accept := g.accept(callsCtx)
	for _, p := range g.protocols {
		if p.listener == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := p.listener.Run(runCtx, accept); err != nil && runCtx.Err() == nil {
				fail(fmt.Errorf("%s listener: %w", p.proto, err))
			}
		}()
	}

	<-runCtx.Done()
	var runErr error
	select {
	case runErr = <-errc:
	default:
	}
	g.drain(st.cfg.Gateway.ShutdownGrace)
	hangupAll()
	g.calls.Wait()
	cancel()
	wg.Wait()
	g.log.Info("switchyard stopped")
	return runErr
}

// drain refuses new calls and waits up to grace for active calls to end.
func (g *Gateway) drain(grace time.Duration) {
	g.admission.close()
	n := g.admission.active()
	if n == 0 {
		return
	}
	g.log.Info("waiting for calls to end", "calls", n, "grace", grace)
	deadline := time.Now().Add(grace)
	for g.admission.active() > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := g.admission.active(); n > 0 {
		g.log.Warn("shutdown grace expired with calls still up", "calls", n)
	}
}

func (g *Gateway) addListener(s string) {
	g.listenersMu.Lock()
	g.listeners = append(g.listeners, s)
	g.listenersMu.Unlock()
}

// Route decides where a call goes: admission first (maintenance), then the
// dial plan. The error is a *call.Error carrying the cause.
func (g *Gateway) Route(req *rules.Request) ([]rules.Decision, error) {
	if err := g.admission.check(); err != nil {
		return nil, err
	}
	return g.state.Load().engine.Route(req)
}

// Admit reserves a call slot for an admitted call; release returns it. A node
// in maintenance or at max_calls refuses with that cause.
func (g *Gateway) Admit() (release func(), err error) { return g.admission.acquire() }

// Explain is the dial plan's dry run, for the API and the CLI.
func (g *Gateway) Explain(req *rules.Request) rules.Explanation {
	return g.state.Load().engine.Explain(req)
}

// Status reports the node's state for the API.
func (g *Gateway) Status() api.Status {
	st := g.state.Load()
	g.listenersMu.Lock()
	listeners := append([]string(nil), g.listeners...)
	g.listenersMu.Unlock()
	for _, p := range g.protocols {
		if p.listener != nil {
			listeners = append(listeners, p.listener.Addrs()...)
		}
	}
	s := api.Status{
		Node: g.NodeName(), Version: g.opts.Version, Started: g.started,
		Calls: g.admission.active(), MaxCalls: st.cfg.Gateway.MaxCalls, Maintenance: st.cfg.Gateway.Maintenance,
		ConfigSource: st.cfg.Source, ConfigLoaded: st.loadedAt, Reloads: int(g.reloads.Load()),
		Rules: len(st.cfg.Dialplan.Rules), Listeners: listeners, Protocols: g.protocolStatus(),
	}
	if e := g.lastReloadErr.Load(); e != nil {
		s.LastReloadErr = *e
	}
	return s
}

// errClosed is returned by admission once the node is stopping.
var errClosed = errors.New("node is shutting down")

// mediaTimeout is how long a leg may send nothing before the call ends.
func (g *Gateway) mediaTimeout() time.Duration { return g.state.Load().cfg.Media.MediaTimeout }
