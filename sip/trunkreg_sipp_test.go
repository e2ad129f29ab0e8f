package sip

import (
	"bytes"
	"context"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/testpeer"
)

// sippPeer is SIPp playing a UAS scenario from testdata, such as
// trunkreg_registrar.xml: a registrar that challenges with digest and
// accepts gw/pw.
type sippPeer struct {
	t       *testing.T
	cmd     *exec.Cmd
	addr    netip.AddrPort
	msgFile string
	done    chan struct{}
}

// regFreeUDPPort returns a loopback UDP port that was free a moment ago.
func regFreeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// startSIPpRegistrar starts SIPp as a digest registrar on 127.0.0.1:port.
func startSIPpRegistrar(t *testing.T, port int, dir string) *sippPeer {
	t.Helper()
	return startSIPp(t, "trunkreg_registrar.xml", port, dir)
}

// startSIPp starts SIPp with a scenario of testdata on 127.0.0.1:port; it
// is killed when the test ends or stop is called.
func startSIPp(t *testing.T, scenarioFile string, port int, dir string) *sippPeer {
	t.Helper()
	bin := testpeer.Require(t, "sipp", "sip-tester")
	scenario, err := filepath.Abs(filepath.Join("testdata", scenarioFile))
	if err != nil {
		t.Fatal(err)
	}
	msgFile := filepath.Join(dir, "sipp-"+strconv.Itoa(port)+"-"+strconv.FormatInt(time.Now().UnixNano(), 36)+".log")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // hard bound on the peer's life
	cmd := exec.CommandContext(ctx, bin, "-sf", scenario, "-i", "127.0.0.1", "-p", strconv.Itoa(port),
		"-t", "u1", "-nostdin", "-trace_msg", "-message_file", msgFile)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start sipp: %v", err)
	}
	s := &sippPeer{t: t, cmd: cmd, addr: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port)),
		msgFile: msgFile, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		cancel()
		close(s.done)
	}()
	t.Cleanup(s.stop)
	// Wait until SIPp listens: its UDP port is taken.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.ListenPacket("udp", s.addr.String())
		if err != nil {
			break
		}
		c.Close()
		select {
		case <-s.done:
			t.Fatalf("sipp exited: %s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("sipp did not start listening")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return s
}

// stop kills SIPp (by its PID) and waits for it.
func (s *sippPeer) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Kill()
	<-s.done
}

// messages returns SIPp's message log.
func (s *sippPeer) messages() string {
	b, _ := os.ReadFile(s.msgFile)
	return string(b)
}

// count returns how many messages SIPp received that start with prefix.
func (s *sippPeer) count(prefix string) int {
	n := 0
	for _, m := range strings.Split(s.messages(), "----------------------------------------------") {
		if strings.Contains(m, "message received") && strings.Contains(m, "\n"+prefix) {
			n++
		}
	}
	return n
}

// received counts REGISTER requests SIPp received, and among them those
// with credentials and those with Expires: 0.
func (s *sippPeer) received() (registers, authorized, unregisters int) {
	for _, m := range strings.Split(s.messages(), "----------------------------------------------") {
		if !strings.Contains(m, "message received") {
			continue
		}
		i := strings.Index(m, "REGISTER sip:")
		if i < 0 {
			continue
		}
		body := m[i:]
		registers++
		if strings.Contains(body, "\nAuthorization: Digest") {
			authorized++
			if strings.Contains(body, "\nExpires: 0") {
				unregisters++
			}
		}
	}
	return
}

// TestTrunkRegistersToSIPp: a permanent trunk registers to SIPp (digest
// checked by SIPp), refreshes, notices the registrar going away
// (unreachable), registers again to a new one, and unregisters at shutdown.
func TestTrunkRegistersToSIPp(t *testing.T) {
	dir := t.TempDir()
	port := regFreeUDPPort(t)
	peer := startSIPpRegistrar(t, port, dir)
	m := testTrunkManager(t, newSIPStack(t))
	tr := trunkTo("pbx", peer.addr, RegistrationPermanent)
	tr.RegisterExpires = 2 * time.Second // refresh every second
	wrong := trunkTo("wrongpw", peer.addr, RegistrationPermanent)
	wrong.Password = "bad"
	m.apply([]Trunk{tr, wrong})
	stop := runManager(t, m)

	waitTrunkState(t, m, "pbx", TrunkRegistered, 5*time.Second)
	st := waitTrunkState(t, m, "wrongpw", TrunkAuthFailed, 5*time.Second)
	if !strings.Contains(st.LastError, "403") {
		t.Errorf("wrong password: %q, want SIPp's 403", st.LastError)
	}
	// Refreshes happen: SIPp sees more authorized REGISTERs.
	time.Sleep(2500 * time.Millisecond)
	if _, auth, _ := peer.received(); auth < 3 {
		t.Fatalf("SIPp saw %d authorized REGISTERs in 2.5 s, want refreshes", auth)
	}

	// The registrar restarts: unreachable, then registered again.
	peer.stop()
	st = waitTrunkState(t, m, "pbx", TrunkUnreachable, 5*time.Second)
	t.Logf("while SIPp is down: %+v", st)
	peer2 := startSIPpRegistrar(t, port, dir)
	waitTrunkState(t, m, "pbx", TrunkRegistered, 5*time.Second)
	if regs, auth, _ := peer2.received(); regs < 2 || auth < 1 {
		t.Fatalf("new SIPp saw %d REGISTERs, %d authorized", regs, auth)
	}

	stop()
	if _, _, unreg := peer2.received(); unreg < 1 {
		t.Fatalf("no authorized REGISTER with Expires: 0 at shutdown:\n%s", peer2.messages())
	}
	if st := waitTrunkState(t, m, "pbx", TrunkOff, time.Second); st.LastError != "" {
		t.Errorf("after shutdown: %+v", st)
	}
}

// TestTrunkBeforeCallSIPp: a before-call trunk registers for the first call,
// shares the registration with a second, and unregisters after the last.
func TestTrunkBeforeCallSIPp(t *testing.T) {
	dir := t.TempDir()
	peer := startSIPpRegistrar(t, regFreeUDPPort(t), dir)
	m := testTrunkManager(t, newSIPStack(t))
	tr := trunkTo("pbx", peer.addr, RegistrationBeforeCall)
	wrong := trunkTo("wrongpw", peer.addr, RegistrationBeforeCall)
	wrong.Password = "bad"
	m.apply([]Trunk{tr, wrong, trunkTo("perm", peer.addr, RegistrationOff)})
	runManager(t, m)

	if st := waitTrunkState(t, m, "pbx", TrunkOff, time.Second); st.Registration != RegistrationBeforeCall {
		t.Fatalf("idle before-call trunk %+v", st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	release1, err := m.acquire(ctx, "pbx")
	if err != nil {
		t.Fatal(err)
	}
	waitTrunkState(t, m, "pbx", TrunkRegistered, time.Second)
	release2, err := m.acquire(ctx, "PBX")
	if err != nil {
		t.Fatal(err)
	}
	if _, auth, _ := peer.received(); auth != 1 {
		t.Fatalf("second call re-registered: %d authorized REGISTERs", auth)
	}
	release1()
	release1() // idempotent
	time.Sleep(200 * time.Millisecond)
	if _, _, unreg := peer.received(); unreg != 0 {
		t.Fatal("unregistered while a call is up")
	}
	release2()
	waitTrunkState(t, m, "pbx", TrunkOff, 5*time.Second)
	if _, _, unreg := peer.received(); unreg != 1 {
		t.Fatalf("%d unregistrations after the last call, want 1:\n%s", unreg, peer.messages())
	}
	// The next call registers again.
	release3, err := m.acquire(ctx, "pbx")
	if err != nil {
		t.Fatal(err)
	}
	release3()
	waitTrunkState(t, m, "pbx", TrunkOff, 5*time.Second)
	if _, auth, unreg := peer.received(); auth != 4 || unreg != 2 {
		t.Fatalf("after two sessions: %d authorized, %d unregistrations, want 4 and 2", auth, unreg)
	}

	// Wrong credentials fail the call's registration with a cause.
	if _, err := m.acquire(ctx, "wrongpw"); err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("acquire with wrong password: %v", err)
	}
	waitTrunkState(t, m, "wrongpw", TrunkAuthFailed, time.Second)
	// Trunks that do not register before calls need nothing.
	release, err := m.acquire(ctx, "perm")
	if err != nil {
		t.Fatal(err)
	}
	release()
}
