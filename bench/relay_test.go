package bench

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"
)

// TestSwitchyardRelayLoopback runs a few streams through ServeRelay in this
// process (rtpio sessions joined by bridge.Join), forwarding through the
// receive engine and reading with ReadRTP, and checks that every packet
// arrives.
func TestSwitchyardRelayLoopback(t *testing.T) {
	for _, read := range []bool{false, true} {
		t.Run(map[bool]string{false: "forward", true: "read"}[read], func(t *testing.T) {
			testSwitchyardRelayLoopback(t, read)
		})
	}
}

func testSwitchyardRelayLoopback(t *testing.T, read bool) {
	in, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, out, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- ServeRelay(context.Background(), in, out) }()
	rel := &SwitchyardRelay{Ports: freeRange(t), Read: read, stdin: inW, stdout: bufio.NewReader(outR)}
	res, err := runRelayLoad(t, rel)
	inW.Close()
	if serr := <-done; serr != nil {
		t.Fatal(serr)
	}
	if err != nil {
		t.Fatal(err)
	}
	l := res.Load
	if l.Sent == 0 || l.Lost != 0 || l.Misrouted != 0 || l.Malformed != 0 || l.Duplicates != 0 {
		t.Errorf("through the relay: %v", l)
	}
	if want := map[bool]string{false: "receive engine", true: "ReadRTP"}[read]; !strings.Contains(res.Detail, "bridge.Join") || !strings.Contains(res.Detail, want) {
		t.Errorf("detail %q", res.Detail)
	}
	if res.RelayMallocs < 0 {
		t.Errorf("relay allocations not measured")
	}
	t.Logf("%v; relay allocations in the window: %d", l, res.RelayMallocs)
}

// freeRange returns an rtpio port range of 32 ports on 127.0.0.1 that was
// free a moment ago.
func freeRange(t *testing.T) string {
	t.Helper()
	for range 50 {
		first := 20000 + 2*rand.IntN(4000)
		free := true
		for p := first; p < first+32 && free; p++ {
			free = !udpPortTaken(p)
		}
		if free {
			return fmt.Sprintf("%d-%d", first, first+31)
		}
	}
	t.Fatal("no free port range on 127.0.0.1")
	return ""
}

// runRelayLoad sends four streams through rel for half a second.
func runRelayLoad(t *testing.T, rel Relay) (RTPResult, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return RunRTP(ctx, RTPConfig{Streams: 4, Rate: 100, Warmup: 200 * time.Millisecond, Duration: 500 * time.Millisecond}, rel)
}
