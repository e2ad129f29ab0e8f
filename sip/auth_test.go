package sip

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/switchyard/switchyard/call"
)

// digestParams splits a Digest credentials header into its parameters.
func digestParams(v string) map[string]string {
	out := map[string]string{}
	v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "Digest"))
	for part := range strings.SplitSeq(v, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok {
			out[strings.ToLower(k)] = strings.Trim(val, `"`)
		}
	}
	return out
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// TestProxyDigestSHA256 challenges an outbound INVITE with 407 and
// SHA-256 (RFC 8760) and checks the answer by recomputing RFC 7616's
// response here.
func TestProxyDigestSHA256(t *testing.T) {
	cfg := testConfig()
	cfg.Trunks = []Trunk{{Name: "proxy", Username: "gw", AuthUsername: "gw-auth", Password: "s3cret"}}
	ts := startServer(t, cfg, nil, nil)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	target := call.Target{Protocol: call.ProtocolSIP, URI: fmt.Sprintf("sip:bob@%s", ln.Addr()), Transport: "TCP",
		Caller: "alice", Trunk: "proxy"}
	errc := make(chan error, 1)
	go func() {
		_, err := ts.Dialer().Dial(context.Background(), target, audioOffer(), nil)
		errc <- err
	}()
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	first := readRaw(t, conn, r)
	respondRaw(t, conn, first, 407, "Proxy Authentication Required",
		sip.NewHeader("Proxy-Authenticate", `Digest realm="proxy.test", nonce="n0nce42", algorithm=SHA-256, qop="auth"`))
	var second *sip.Request
	for second == nil {
		req := readRaw(t, conn, r)
		if req.Method == sip.INVITE {
			second = req
		}
	}
	h := second.GetHeader("Proxy-Authorization")
	if h == nil {
		t.Fatalf("second INVITE has no Proxy-Authorization:\n%s", second)
	}
	p := digestParams(h.Value())
	ha1 := sha256Hex("gw-auth:proxy.test:s3cret")
	ha2 := sha256Hex("INVITE:" + p["uri"])
	want := sha256Hex(strings.Join([]string{ha1, p["nonce"], p["nc"], p["cnonce"], p["qop"], ha2}, ":"))
	if p["username"] != "gw-auth" || p["algorithm"] != "SHA-256" || p["qop"] != "auth" || p["response"] != want {
		t.Errorf("credentials %q; want response %s", h.Value(), want)
	}
	b1, _ := first.Via().Params.Get("branch")
	b2, _ := second.Via().Params.Get("branch")
	if first.CSeq().SeqNo+1 != second.CSeq().SeqNo || b1 == b2 {
		t.Errorf("retry CSeq %d after %d, branch %v after %v", second.CSeq().SeqNo, first.CSeq().SeqNo, second.Via(), first.Via())
	}
	respondRaw(t, conn, second, 486, "Busy Here")
	if c := call.CauseOf(<-errc); c != call.Busy {
		t.Errorf("dial cause %s, want busy", c)
	}
}
