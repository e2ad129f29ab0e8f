package sip

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/call"
)

// writeCertificate writes a self-signed certificate and key as PEM files.
func writeCertificate(t *testing.T) TLSFiles {
	t.Helper()
	cert, err := selfSignedCertificate([]string{"127.0.0.1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	key, err := x509.MarshalECPrivateKey(cert.PrivateKey.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	files := TLSFiles{Cert: filepath.Join(dir, "cert.pem"), Key: filepath.Join(dir, "key.pem")}
	if err := os.WriteFile(files.Cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(files.Key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: key}), 0o600); err != nil {
		t.Fatal(err)
	}
	return files
}

func TestTLSCall(t *testing.T) {
	files := writeCertificate(t)
	cfg := testConfig()
	cfg.Listen.TLS = "127.0.0.1:0"
	cfg.TLS = files
	callee := startServer(t, cfg, nil, nil)
	caller := startServer(t, cfg, nil, nil)
	target := sipTarget(callee, "TLS", "bob")
	out, in := connect(t, caller, callee, target, audioOffer())
	if got := in.Incoming().Source; !got.IsValid() {
		t.Errorf("source %v", got)
	}
	if err := out.Send(context.Background(), call.Event{Kind: call.EventDTMF, Digit: '3'}); err != nil {
		t.Fatal(err)
	}
	var e echo
	e.run(in)
	if ev := waitEvent(t, in, call.EventDTMF, 5*time.Second); ev.Digit != '3' {
		t.Errorf("DTMF over a TLS-signalled call: %+v", ev)
	}
	_ = in.Hangup(context.Background(), call.LocalHangup)
	if c := waitDone(t, out, 5*time.Second); c != call.RemoteHangup {
		t.Errorf("caller cause %s", c)
	}
}

func TestSelfSignedWhenNoCertificate(t *testing.T) {
	cfg := testConfig()
	cfg.Listen.TLS = "127.0.0.1:0"
	ts := startServer(t, cfg, nil, nil)
	if ts.tlsConf == nil || len(ts.tlsConf.Certificates) != 1 || ts.tlsConf.Certificates[0].Leaf == nil {
		t.Fatal("no generated certificate")
	}
	if _, ok := ts.listenAddr("tls"); !ok {
		t.Error("no TLS listener")
	}
	found := false
	for _, a := range ts.Addrs() {
		if len(a) > 4 && a[:4] == "tls " {
			found = true
		}
	}
	if !found {
		t.Errorf("Addrs %v lists no tls listener", ts.Addrs())
	}
}

func TestDTMFAfterAnswer(t *testing.T) {
	callee := startServer(t, testConfig(), nil, nil)
	caller := startServer(t, testConfig(), nil, nil)
	target := sipTarget(callee, "UDP", "bob")
	target.DTMF = call.DTMFInfo
	target.DTMFAfterAnswer = "12#"
	out, in := connect(t, caller, callee, target, audioOffer())
	var got []byte
	for len(got) < 3 {
		got = append(got, waitEvent(t, in, call.EventDTMF, 5*time.Second).Digit)
	}
	if string(got) != "12#" {
		t.Errorf("digits after answer %q", got)
	}
	_ = out.Hangup(context.Background(), call.LocalHangup)
	waitDone(t, in, 5*time.Second)
}

// TestCallToRegisteredContact: an endpoint (here a second gateway, through
// its trunk registration) registers to the gateway's registrar; a call with
// ToRegistered reaches it at the registered contact.
func TestCallToRegisteredContact(t *testing.T) {
	gwCfg := testConfig()
	gwCfg.Registrar.Enabled = true
	gwCfg.Registrar.Users = []User{{Username: "alice", Password: "wonder"}}
	gw := startServer(t, gwCfg, nil, nil)
	epCfg := testConfig()
	a := gw.addr("udp")
	epCfg.Trunks = []Trunk{{Name: "gw", Username: "alice", Password: "wonder", Registration: RegistrationPermanent,
		RegisterExpires: time.Hour, Host: a.Addr().String(), Port: int(a.Port()), Transport: "udp"}}
	endpoint := startServer(t, epCfg, nil, nil)
	for deadline := time.Now().Add(10 * time.Second); !gw.Registered("alice"); {
		if time.Now().After(deadline) {
			t.Fatalf("endpoint did not register: %+v", endpoint.TrunkStatus())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := gw.Dialer().Dial(context.Background(), call.Target{Protocol: call.ProtocolSIP, URI: "bob", ToRegistered: true}, audioOffer(), nil); call.CauseOf(err) != call.NotFound {
		t.Errorf("unregistered target: %v", err)
	}
	target := call.Target{Protocol: call.ProtocolSIP, URI: "alice", ToRegistered: true, Caller: "carol"}
	out, in := connect(t, gw, endpoint, target, audioOffer())
	if inc := in.Incoming(); inc.Caller == "" {
		t.Errorf("incoming %+v", inc)
	}
	_ = out.Hangup(context.Background(), call.LocalHangup)
	waitDone(t, in, 5*time.Second)
}

func TestAcceptPanicRefusesCall(t *testing.T) {
	callee := startServer(t, testConfig(), nil, func(*InboundLeg) { panic("accept function bug") })
	caller := startServer(t, testConfig(), nil, nil)
	_, err := caller.Dialer().Dial(context.Background(), sipTarget(callee, "UDP", "bob"), audioOffer(), nil)
	// 500 Server Internal Error, which a caller maps to dial_out_failed.
	if c := call.CauseOf(err); c != call.DialOutFailed || !strings.Contains(err.Error(), "500") {
		t.Errorf("dial: %v (cause %s)", err, c)
	}
}
