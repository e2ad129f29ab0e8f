package webrtc

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pion/stun/v4"
	"github.com/pion/webrtc/v4"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/internal/testpeer"
	"github.com/switchyard/switchyard/webrtc/internal/webclient"
)

// echoCall places a browser call to echo with api and pcCfg and returns
// the browser once media has come back.
func echoCall(t *testing.T, base string, api *webrtc.API, pcCfg webrtc.Configuration) *webclient.Browser {
	t.Helper()
	b := webclient.New(t, api, base)
	if len(pcCfg.ICEServers) > 0 || pcCfg.ICETransportPolicy != webrtc.ICETransportPolicyAll {
		if err := b.PC.SetConfiguration(pcCfg); err != nil {
			t.Fatal(err)
		}
	}
	if st, body := b.Dial("echo", nil); st != http.StatusCreated {
		t.Fatalf("create call: %d %s", st, body)
	}
	b.Answer(10 * time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go pump(ctx, b.Audio, b.Video)
	select {
	case <-b.First:
	case <-time.After(15 * time.Second):
		t.Fatal("no media came back")
	}
	return b
}

// selectedPair is the browser's selected candidate pair.
func selectedPair(t *testing.T, b *webclient.Browser) *webrtc.ICECandidatePair {
	t.Helper()
	pair, err := b.PC.SCTP().Transport().ICETransport().GetSelectedCandidatePair()
	if err != nil || pair == nil {
		t.Fatalf("no selected pair: %v", err)
	}
	return pair
}

// TestICETCPFallback: a client that can use only TCP (UDP blocked)
// reaches the gateway's ICE-TCP port.
func TestICETCPFallback(t *testing.T) {
	cfg := testConfig()
	cfg.ICE.TCP = "127.0.0.1:0"
	_, base := runServer(t, cfg, echoAccept(t, nil))

	api := webclient.APIWith(t, func(se *webrtc.SettingEngine) {
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeTCP4})
		se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	})

	b := echoCall(t, base, api, webrtc.Configuration{})
	if p := selectedPair(t, b); p.Local.Protocol != webrtc.ICEProtocolTCP {
		t.Errorf("selected pair %s, want TCP", p)
	}
}

// TestPublicIPInCandidates: with a 1:1 NAT address configured, our
// candidates carry it instead of the interface address.
func TestPublicIPInCandidates(t *testing.T) {
	cfg := testConfig()
	cfg.ICE.PublicIPs = []string{"203.0.113.7"}
	s := engineServer(t, cfg)
	far := []call.Stream{{ID: "a", Role: call.RoleAudio, Codec: call.Codec{Name: "OPUS", ClockRate: 48000, Channels: 2}}}
	l, _ := answerFor(t, s, chromeOffer(t), nil, far)
	cands := 0
	for _, line := range strings.Split(l.answerSDP, "\r\n") {
		if !strings.HasPrefix(line, "a=candidate:") {
			continue
		}
		cands++
		if !strings.Contains(line, " 203.0.113.7 ") || strings.Contains(line, "127.0.0.1") {
			t.Errorf("candidate %q", line)
		}
	}
	if cands == 0 {
		t.Error("no candidates")
	}
}

// coturn runs an independent TURN server (Debian coturn) on loopback with
// the TURN REST API shared secret, and returns its port.
func coturn(t *testing.T, secret string) int {
	t.Helper()
	bin := testpeer.Require(t, "turnserver", "coturn")
	port := freeUDPPort(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "-n",
		"--listening-ip=127.0.0.1", fmt.Sprintf("--listening-port=%d", port), "--relay-ip=127.0.0.1",
		"--min-port=49152", "--max-port=65535", "--use-auth-secret", "--static-auth-secret="+secret,
		"--realm=switchyard.test", "--allow-loopback-peers", "--no-cli", "--no-tls", "--no-dtls",
		"--pidfile="+filepath.Join(dir, "turn.pid"), "--log-file=stdout", "--simple-log", "--no-stdout-log=false")
	logf, err := os.Create(filepath.Join(dir, "turn.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("turnserver: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		_ = logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "turn.log"))
			t.Logf("turnserver log:\n%s", b)
		}
	})
	// Wait until it answers a STUN binding request on its port.
	deadline := time.Now().Add(10 * time.Second)
	for !stunAnswers(port) {
		if time.Now().After(deadline) {
			t.Fatal("turnserver does not answer STUN")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return port
}

// stunAnswers sends one binding request to 127.0.0.1:port.
func stunAnswers(port int) bool {
	c, err := net.Dial("udp4", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return false
	}
	defer c.Close()
	req, err := stun.Build(stun.TransactionID, stun.BindingRequest)
	if err != nil {
		return false
	}
	if _, err := c.Write(req.Raw); err != nil {
		return false
	}
	_ = c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	buf := make([]byte, 1500)
	n, err := c.Read(buf)
	return err == nil && stun.IsMessage(buf[:n])
}

func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// TestTURNRelayWithCoturn: the TURN server and time-limited credentials
// handed to browsers work with an independent TURN server: a client that
// may only use relayed candidates reaches echo through coturn.
func TestTURNRelayWithCoturn(t *testing.T) {
	if testing.Short() {
		t.Skip("runs coturn")
	}
	const secret = "correct-horse-battery"
	port := coturn(t, secret)
	cfg := testConfig()
	cfg.ICE.Servers = []ICEServer{{URLs: []string{fmt.Sprintf("turn:127.0.0.1:%d?transport=udp", port)}, Secret: secret}}
	_, base := runServer(t, cfg, echoAccept(t, nil))

	resp, err := http.Get(base + "/api/v1/config")
	if err != nil {
		t.Fatal(err)
	}
	var conf configResponse
	err = json.NewDecoder(resp.Body).Decode(&conf)
	resp.Body.Close()
	if err != nil || len(conf.ICEServers) != 1 {
		t.Fatalf("config %+v %v", conf, err)
	}
	var servers []webrtc.ICEServer
	for _, s := range conf.ICEServers {
		servers = append(servers, webrtc.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}
	b := echoCall(t, base, clientAPI(t), webrtc.Configuration{ICEServers: servers, ICETransportPolicy: webrtc.ICETransportPolicyRelay})
	if p := selectedPair(t, b); p.Local.Typ != webrtc.ICECandidateTypeRelay {
		t.Errorf("selected pair %s, want a relayed local candidate", p)
	}
}
