package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// NGClient speaks rtpengine's ng control protocol: each request is a cookie,
// a space and a bencoded dictionary in one UDP datagram; the reply carries
// the same cookie. A client is not safe for concurrent use.
type NGClient struct {
	conn    *net.UDPConn
	timeout time.Duration
	buf     []byte
	seq     uint64
	prefix  string
}

// DialNG opens a control connection to rtpengine's ng listener.
func DialNG(addr netip.AddrPort) (*NGClient, error) {
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(addr))
	if err != nil {
		return nil, fmt.Errorf("ng dial %s: %w", addr, err)
	}
	var r [4]byte
	_, _ = rand.Read(r[:])
	return &NGClient{conn: conn, timeout: 2 * time.Second, buf: make([]byte, 65535), prefix: hex.EncodeToString(r[:])}, nil
}

// Close closes the connection.
func (c *NGClient) Close() error { return c.conn.Close() }

// Call sends one command and returns the reply dictionary. A reply whose
// "result" is "error" becomes an error carrying rtpengine's reason. Lost
// datagrams are retried up to three times.
func (c *NGClient) Call(ctx context.Context, req map[string]any) (map[string]any, error) {
	c.seq++
	cookie := fmt.Sprintf("%s_%d", c.prefix, c.seq)
	msg := append([]byte(cookie), ' ')
	msg, err := AppendBencode(msg, req)
	if err != nil {
		return nil, fmt.Errorf("ng %v: %w", req["command"], err)
	}
	for attempt := 0; attempt < 3; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if _, err := c.conn.Write(msg); err != nil {
			return nil, fmt.Errorf("ng %v: send: %w", req["command"], err)
		}
		reply, err := c.read(ctx, cookie)
		if err == nil {
			if reply["result"] == "error" {
				return reply, fmt.Errorf("ng %v: rtpengine: %v", req["command"], reply["error-reason"])
			}
			return reply, nil
		}
		if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
			return nil, fmt.Errorf("ng %v: %w", req["command"], err)
		}
	}
	return nil, fmt.Errorf("ng %v: no reply after 3 attempts", req["command"])
}

// read waits for the reply with cookie, skipping stale replies to earlier
// attempts.
func (c *NGClient) read(ctx context.Context, cookie string) (map[string]any, error) {
	deadline := time.Now().Add(c.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := c.conn.SetReadDeadline(deadline); err != nil {
		return nil, err
	}
	for {
		n, err := c.conn.Read(c.buf)
		if err != nil {
			return nil, err
		}
		got, body, ok := cutSpace(c.buf[:n])
		if !ok || string(got) != cookie {
			continue
		}
		v, err := DecodeBencode(body)
		if err != nil {
			return nil, fmt.Errorf("reply: %w", err)
		}
		dict, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("reply is a %T, not a dictionary", v)
		}
		return dict, nil
	}
}

func cutSpace(b []byte) (before, after []byte, ok bool) {
	for i, c := range b {
		if c == ' ' {
			return b[:i], b[i+1:], true
		}
	}
	return nil, nil, false
}

// Ping checks that rtpengine answers.
func (c *NGClient) Ping(ctx context.Context) error {
	reply, err := c.Call(ctx, map[string]any{"command": "ping"})
	if err != nil {
		return err
	}
	if reply["result"] != "pong" {
		return fmt.Errorf("ng ping: result %v", reply["result"])
	}
	return nil
}

// Offer passes the caller's SDP through rtpengine and returns the SDP to give
// the callee (rtpengine's callee-facing address and port).
func (c *NGClient) Offer(ctx context.Context, callID, fromTag, sdp string) (string, error) {
	return c.sdpCommand(ctx, map[string]any{
		"command":  "offer",
		"call-id":  callID,
		"from-tag": fromTag,
		"sdp":      sdp,
		"replace":  []string{"origin", "session-connection"},
		"ICE":      "remove",
	})
}

// Answer passes the callee's SDP through rtpengine and returns the SDP to give
// the caller (rtpengine's caller-facing address and port).
func (c *NGClient) Answer(ctx context.Context, callID, fromTag, toTag, sdp string) (string, error) {
	return c.sdpCommand(ctx, map[string]any{
		"command":  "answer",
		"call-id":  callID,
		"from-tag": fromTag,
		"to-tag":   toTag,
		"sdp":      sdp,
		"replace":  []string{"origin", "session-connection"},
		"ICE":      "remove",
	})
}

// Delete ends a call.
func (c *NGClient) Delete(ctx context.Context, callID, fromTag string) error {
	_, err := c.Call(ctx, map[string]any{"command": "delete", "call-id": callID, "from-tag": fromTag})
	return err
}

func (c *NGClient) sdpCommand(ctx context.Context, req map[string]any) (string, error) {
	reply, err := c.Call(ctx, req)
	if err != nil {
		return "", err
	}
	sdp, ok := reply["sdp"].(string)
	if !ok {
		return "", fmt.Errorf("ng %v: reply without sdp: %v", req["command"], reply)
	}
	return sdp, nil
}
