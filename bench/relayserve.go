package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"

	"github.com/switchyard/switchyard/bridge"
	"github.com/switchyard/switchyard/rtpio"
)

// RelayProfileEnv, when set in the relay process's environment, names a
// file for a CPU profile of the relay from set-up to tear-down;
// RelayAllocProfileEnv names a file for a profile of every allocation made
// after set-up (go tool pprof -sample_index=alloc_objects).
const (
	RelayProfileEnv      = "SWITCHYARD_BENCH_RELAY_CPUPROFILE"
	RelayAllocProfileEnv = "SWITCHYARD_BENCH_RELAY_ALLOCPROFILE"
)

// relayRequest asks the relay process for one relayed call per stream: media
// from From[i] is to reach To[i].
type relayRequest struct {
	Ports string   `json:"ports"` // rtpio port range, "first-last"
	From  []string `json:"from"`
	To    []string `json:"to"`
	// Read makes Join read each track with ReadRTP instead of having the
	// session forward through rtpio's receive engine.
	Read bool `json:"read,omitempty"`
}

// relayReply gives the address each stream must send to.
type relayReply struct {
	Targets []string `json:"targets"`
	Detail  string   `json:"detail"`
	Error   string   `json:"error,omitempty"`
}

// ServeRelay is the body of the relay process of the benchmark. It reads
// one request (a JSON line) from in, builds for every stream what the
// gateway builds for a call whose media relays: two rtpio sessions, one
// facing the sender and one facing the receiver, each wrapped in a leg, and
// bridge.Join between them. It answers with the sender-facing addresses
// (a JSON line on out), then relays until in closes or ctx ends, and tears
// every call down before it returns. Meanwhile each line "stats" on in is
// answered with the process's allocation counts (a JSON line).
func ServeRelay(ctx context.Context, in io.Reader, out io.Writer) error {
	rd := bufio.NewReader(in)
	line, err := rd.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("relay: read request: %w", err)
	}
	var req relayRequest
	if err := json.Unmarshal(line, &req); err != nil {
		return fmt.Errorf("relay: request: %w", err)
	}
	// The calls end (cancel) before ServeRelay waits for their Joins (wg).
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	targets, err := setupRelays(ctx, &wg, req)
	path := "rtpio receive engine (Forward)"
	if req.Read {
		path = "a ReadRTP goroutine per direction"
	}
	reply := relayReply{
		Targets: targets,
		Detail:  fmt.Sprintf("rtpio + bridge.Join, %s, %s, GOMAXPROCS %d", path, runtime.Version(), runtime.GOMAXPROCS(0)),
	}
	if err != nil {
		reply.Error = err.Error()
	}
	b, _ := json.Marshal(reply)
	if _, werr := out.Write(append(b, '\n')); werr != nil {
		return fmt.Errorf("relay: write reply: %w", werr)
	}
	if err != nil {
		return err
	}
	if path := os.Getenv(RelayProfileEnv); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("relay: cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("relay: cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	if path := os.Getenv(RelayAllocProfileEnv); path != "" {
		runtime.MemProfileRate = 1 // every allocation from here on
		defer func() {
			if f, err := os.Create(path); err == nil {
				runtime.GC() // the profile covers allocations up to the last GC
				_ = pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		}()
	}
	// Relay until the harness closes our input, answering its questions.
	// The reader stops when in closes (if ctx ends first, it stays blocked
	// on in until then).
	go func() {
		defer cancel()
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				return
			}
			if strings.TrimSpace(line) != "stats" {
				continue
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b, _ := json.Marshal(relayStats{Mallocs: ms.Mallocs, GC: ms.NumGC, HeapBytes: ms.HeapAlloc})
			if _, err := out.Write(append(b, '\n')); err != nil {
				return
			}
		}
	}()
	<-ctx.Done()
	return nil
}

// relayStats is the relay process's answer to "stats": its heap
// allocations so far.
type relayStats struct {
	Mallocs   uint64 `json:"mallocs"`
	GC        uint32 `json:"gc"`
	HeapBytes uint64 `json:"heap_bytes"`
}

// setupRelays opens the sessions and starts one Join per stream; the Joins
// end when ctx does.
func setupRelays(ctx context.Context, wg *sync.WaitGroup, req relayRequest) ([]string, error) {
	if len(req.From) != len(req.To) {
		return nil, fmt.Errorf("relay: %d senders but %d receivers", len(req.From), len(req.To))
	}
	alloc, err := rtpio.NewAllocator(rtpio.Config{RTPPorts: req.Ports, BindIP: "127.0.0.1"})
	if err != nil {
		return nil, fmt.Errorf("relay: %w", err)
	}
	targets := make([]string, len(req.From))
	for i := range req.From {
		from, err1 := netip.ParseAddrPort(req.From[i])
		to, err2 := netip.ParseAddrPort(req.To[i])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("relay: stream %d: bad address %q or %q", i, req.From[i], req.To[i])
		}
		in, err := alloc.Open()
		if err != nil {
			return nil, fmt.Errorf("relay: stream %d: %w", i, err)
		}
		outSess, err := alloc.Open()
		if err != nil {
			_ = in.Close()
			return nil, fmt.Errorf("relay: stream %d: %w", i, err)
		}
		// As the SDP of each side would say; rtcp-mux keeps the
		// sessions' reports on the generator's own sockets.
		in.SetRemote(from, netip.AddrPort{}, true)
		outSess.SetRemote(to, netip.AddrPort{}, true)
		in.SetClockRate(8000)
		outSess.SetClockRate(8000)
		a := newBenchLeg(fmt.Sprintf("in%d", i), in, req.Read)
		b := newBenchLeg(fmt.Sprintf("out%d", i), outSess, req.Read)
		wg.Go(func() { bridge.Join(ctx, a, b, bridge.JoinOptions{}) })
		targets[i] = in.LocalAddr().String()
	}
	return targets, nil
}
