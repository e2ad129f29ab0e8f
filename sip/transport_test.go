package sip

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/switchyard/switchyard/call"
)

// readRaw reads one request from a plain TCP stream.
func readRaw(t *testing.T, conn net.Conn, r *bufio.Reader) *sip.Request {
	t.Helper()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	var head strings.Builder
	length := 0
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("read request: %v", err)
		}
		head.WriteString(line)
		if k, v, ok := strings.Cut(line, ":"); ok && (strings.EqualFold(strings.TrimSpace(k), "Content-Length") || strings.TrimSpace(k) == "l") {
			length, _ = strconv.Atoi(strings.TrimSpace(v))
		}
		if line == "\r\n" {
			break
		}
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(r, body); err != nil {
		t.Fatalf("read body: %v", err)
	}
	msg, err := sip.ParseMessage(append([]byte(head.String()), body...))
	if err != nil {
		t.Fatalf("parse request: %v\n%s", err, head.String())
	}
	return msg.(*sip.Request)
}

// respondRaw answers req on a plain TCP connection.
func respondRaw(t *testing.T, conn net.Conn, req *sip.Request, status int, reason string, hdrs ...sip.Header) {
	t.Helper()
	res := sip.NewResponseFromRequest(req, status, reason, nil)
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	if _, err := conn.Write([]byte(res.String())); err != nil {
		t.Fatal(err)
	}
}

// answerRaw reads one INVITE from a plain TCP connection, answers it with
// status and returns it.
func answerRaw(t *testing.T, conn net.Conn, status int, reason string) *sip.Request {
	t.Helper()
	req := readRaw(t, conn, bufio.NewReader(conn))
	respondRaw(t, conn, req, status, reason)
	return req
}

func TestLargeInviteSwitchesToTCP(t *testing.T) {
	ts := startServer(t, testConfig(), nil, nil)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	// Many video codecs with long fmtp lines: far beyond 1300 bytes.
	var codecs []call.Codec
	for i := range 12 {
		codecs = append(codecs, call.Codec{Name: "H264", PayloadType: uint8(96 + i), ClockRate: 90000,
			FMTP: fmt.Sprintf("profile-level-id=42e0%02x;packetization-mode=1;max-mbps=245760;max-fs=8160;max-br=%d", 10+i, 5000+i)})
	}
	offer := call.Offer{Streams: []call.StreamOffer{
		{ID: "a", Role: call.RoleAudio, Codecs: audioOffer().Streams[0].Codecs},
		{ID: "v", Role: call.RoleVideo, Codecs: codecs},
	}}
	port := ln.Addr().(*net.TCPAddr).Port
	target := call.Target{Protocol: call.ProtocolSIP, URI: fmt.Sprintf("sip:bob@127.0.0.1:%d", port), Transport: "UDP", Caller: "alice"}
	errc := make(chan error, 1)
	go func() {
		_, err := ts.Dialer().Dial(context.Background(), target, offer, nil)
		errc <- err
	}()
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req := answerRaw(t, conn, 486, "Busy Here")
	if n := len(req.String()); n <= maxUDPRequest {
		t.Errorf("INVITE of %d bytes went over TCP", n)
	}
	if v := req.Via(); v == nil || v.Transport != "TCP" {
		t.Errorf("Via transport: %v", req.Via())
	}
	if c := call.CauseOf(<-errc); c != call.Busy {
		t.Errorf("dial cause %s, want busy", c)
	}
}

func TestCompactHeadersAndExternalIP(t *testing.T) {
	cfg := testConfig()
	cfg.ExternalIP = "192.0.2.99"
	cfg.Trunks = []Trunk{{Name: "pbx", CompactHeaders: true, TrimSDP: true, FromDomain: "example.net"}}
	ts := startServer(t, cfg, nil, nil)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	target := call.Target{Protocol: call.ProtocolSIP, URI: fmt.Sprintf("sip:bob@127.0.0.1:%d", port), Transport: "TCP",
		Caller: "sip:alice@somewhere", CallerName: "Alice", Trunk: "pbx"}
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
	req := answerRaw(t, conn, 603, "Decline")
	if c := call.CauseOf(<-errc); c != call.Rejected {
		t.Errorf("dial cause %s", c)
	}
	for _, h := range []string{"Via", "From", "To", "Call-ID", "Contact", "Content-Type", "Content-Length"} {
		if req.GetHeader(h) == nil {
			t.Errorf("missing %s", h)
		}
	}
	if from := req.From(); from.Address.Host != "example.net" || from.Address.User != "alice" || from.DisplayName != "Alice" {
		t.Errorf("From: %s", from.Value())
	}
	if c := req.Contact(); c.Address.Host != "192.0.2.99" {
		t.Errorf("Contact: %s", c.Value())
	}
	body := string(req.Body())
	if !strings.Contains(body, "c=IN IP4 192.0.2.99") || !strings.Contains(body, "o=- ") || strings.Contains(body, "a=rtpmap:0 ") {
		t.Errorf("SDP:\n%s", body)
	}
}

// TestCompactForm checks the wire form of a prepared request.
func TestCompactForm(t *testing.T) {
	ts := startServer(t, testConfig(), nil, nil)
	var d dialog
	d.callID, d.localTag, d.remoteTag = "cid", "lt", "rt"
	d.local = sip.Uri{Scheme: "sip", User: "a", Host: "192.0.2.1"}
	d.remote = sip.Uri{Scheme: "sip", User: "b", Host: "192.0.2.2"}
	d.target = d.remote
	d.transport = "UDP"
	req := d.newRequest(sip.INVITE)
	req.AppendHeader(ts.contact("a", "192.0.2.1", "UDP"))
	req.AppendHeader(sip.NewHeader("Supported", "timer"))
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody([]byte("v=0\r\n"))
	for _, compact := range []bool{false, true} {
		r := req.Clone()
		ts.prepareRequest(r, "192.0.2.1", compact)
		wire := r.String()
		for full, short := range map[string]string{"Via": "v", "From": "f", "To": "t", "Call-ID": "i", "Contact": "m",
			"Content-Type": "c", "Content-Length": "l", "Supported": "k"} {
			name := full
			if compact {
				name = short
			}
			if !strings.Contains(wire, "\r\n"+name+": ") {
				t.Errorf("compact=%v: no %q header in\n%s", compact, name, wire)
			}
		}
		// Our own parser reads both forms back.
		msg, err := sip.ParseMessage([]byte(wire))
		if err != nil {
			t.Fatalf("compact=%v: %v", compact, err)
		}
		if msg.From() == nil || msg.CallID() == nil || msg.Via() == nil {
			t.Errorf("compact=%v: headers not parsed back", compact)
		}
	}
}

func TestOptions(t *testing.T) {
	ts := startServer(t, testConfig(), nil, nil)
	conn, err := net.Dial("udp4", ts.addr("udp").String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	local := conn.LocalAddr().String()
	msg := "OPTIONS sip:" + ts.addr("udp").String() + " SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP " + local + ";branch=z9hG4bK-opt1;rport\r\n" +
		"From: <sip:probe@127.0.0.1>;tag=p1\r\nTo: <sip:gw@127.0.0.1>\r\nCall-ID: opt-1\r\nCSeq: 1 OPTIONS\r\n" +
		"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
	if _, err := conn.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sip.ParseMessage(buf[:n])
	if err != nil {
		t.Fatal(err)
	}
	r := res.(*sip.Response)
	if r.StatusCode != 200 {
		t.Fatalf("OPTIONS answered %d", r.StatusCode)
	}
	for h, want := range map[string]string{"Allow": "INVITE", "Accept": "application/sdp", "Supported": "timer"} {
		v := r.GetHeader(h)
		if v == nil || !strings.Contains(v.Value(), want) {
			t.Errorf("%s: %v", h, v)
		}
	}
}
