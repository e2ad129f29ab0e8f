package sip

import (
	"context"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// noBuild stops sipgo from adding headers of its own to a request we built.
func noBuild(*sipgo.Client, *sip.Request) error { return nil }

// transportName normalizes a transport to UDP, TCP or TLS.
func transportName(t string) string {
	switch strings.ToUpper(strings.TrimSpace(t)) {
	case "TCP":
		return "TCP"
	case "TLS", "SIPS":
		return "TLS"
	}
	return "UDP"
}

// listenPort is our listening port for a transport, 0 when we do not listen
// on it.
func (s *Server) listenPort(transport string) int {
	if ap, ok := s.listenAddr(transport); ok {
		return int(ap.Port())
	}
	return 0
}

// externalIP is the configured external address for a trunk (its own, else
// the global one), or "".
func (s *Server) externalIP(trunk *Trunk) string {
	if trunk != nil && trunk.ExternalIP != "" {
		return trunk.ExternalIP
	}
	return s.config().ExternalIP
}

// advertisedHost is the address we write into Via, Contact and SDP for a
// peer at dest: the trunk's or the configured external IP, else the listen
// address when it is a specific one, else the local address that routes to
// dest.
func (s *Server) advertisedHost(dest string, trunk *Trunk) string {
	if ext := s.externalIP(trunk); ext != "" {
		return ext
	}
	for _, t := range []string{"udp", "tcp", "tls"} {
		if ap, ok := s.listenAddr(t); ok && !ap.Addr().IsUnspecified() {
			return ap.Addr().String()
		}
	}
	if dest == "" {
		return "127.0.0.1"
	}
	host, _, err := net.SplitHostPort(dest)
	if err != nil {
		host = dest
	}
	host = strings.Trim(host, "[]")
	if net.ParseIP(host) == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
		cancel()
		if err == nil && len(ips) > 0 {
			host = ips[0].IP.String()
		}
	}
	return sourceIPFor(host).String()
}

// contact is our Contact for a transport.
func (s *Server) contact(user, host, transport string) *sip.ContactHeader {
	if user == "" || strings.ContainsAny(user, " \t<>\"") {
		user = "switchyard"
	}
	u := sip.Uri{Scheme: "sip", User: user, Host: host, Port: s.listenPort(transport), UriParams: sip.NewParams()}
	if u.Port == 0 && transport == "UDP" {
		u.Port = s.listenPort("udp")
	}
	switch transport {
	case "TCP":
		u.UriParams.Add("transport", "tcp")
	case "TLS":
		u.UriParams.Add("transport", "tls")
	}
	return &sip.ContactHeader{Address: u}
}

// prepareRequest adds our Via and decides how the request leaves: over the
// UDP listener's socket, or over TCP when it is too large for UDP. A CANCEL
// keeps the Via it was built with.
func (s *Server) prepareRequest(req *sip.Request, host string, compact bool) {
	s.decorate(&req.MessageData, compact)
	if req.Body() == nil {
		req.SetBody(nil)
	}
	transport := transportName(req.Transport())
	req.SetTransport(transport)
	if !req.IsCancel() || req.Via() == nil {
		req.RemoveHeader("Via")
		via := &sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: transport,
			Host: host, Port: s.listenPort(transport), Params: sip.NewParams()}
		via.Params.Add("branch", sip.GenerateBranchN(16))
		via.Params.Add("rport", "")
		req.PrependHeader(via)
	}
	s.mu.Lock()
	delete(s.movedToTCP, req)
	s.mu.Unlock()
	if transport == "UDP" && !req.IsCancel() && !req.IsAck() && len(req.String()) > maxUDPRequest {
		// RFC 3261 §18.1.1: too large for UDP with an unknown path MTU.
		transport = "TCP"
		req.SetTransport(transport)
		via := req.Via()
		via.Transport = transport
		via.Port = s.listenPort("tcp")
		s.mu.Lock()
		s.movedToTCP[req] = struct{}{}
		s.mu.Unlock()
	}
	s.setLaddr(req, transport)
}

// setLaddr makes a UDP request leave from the listener's socket.
func (s *Server) setLaddr(req *sip.Request, transport string) {
	req.Laddr = sip.Addr{}
	if transport == "UDP" {
		s.mu.Lock()
		if s.udpAddr.IP != nil {
			s.udpAddr.Copy(&req.Laddr)
		}
		s.mu.Unlock()
	}
}

// transact sends a prepared request in a client transaction. A request
// that prepareRequest moved from UDP to TCP for its size goes over UDP after
// all when no TCP connection to the far side can be made: RFC 3261
// §18.1.1 asks for that retry, and many endpoints listen on UDP only.
func (s *Server) transact(ctx context.Context, req *sip.Request) (sip.ClientTransaction, error) {
	tx, err := s.client.TransactionRequest(ctx, req, noBuild)
	s.mu.Lock()
	_, moved := s.movedToTCP[req]
	delete(s.movedToTCP, req)
	s.mu.Unlock()
	if err == nil || !moved || ctx.Err() != nil {
		return tx, err
	}
	s.log.Info("sip: no TCP connection for a request too large for UDP; sending it over UDP",
		"method", req.Method, "destination", req.Destination(), "error", err)
	req.SetTransport("UDP")
	if via := req.Via(); via != nil {
		via.Transport = "UDP"
		via.Port = s.listenPort("udp")
	}
	s.setLaddr(req, "UDP")
	return s.client.TransactionRequest(ctx, req, noBuild)
}

// do sends a prepared request and waits for its final response.
func (s *Server) do(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	tx, err := s.transact(ctx, req)
	if err != nil {
		return nil, err
	}
	defer tx.Terminate()
	for {
		select {
		case res := <-tx.Responses():
			if res.IsProvisional() {
				continue
			}
			return res, nil
		case <-tx.Done():
			if err := tx.Err(); err != nil {
				return nil, err
			}
			return nil, sip.ErrTransactionTerminated
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// write sends a prepared request outside any transaction (an ACK to a 2xx).
func (s *Server) write(req *sip.Request) error {
	return s.client.WriteRequest(req, noBuild)
}

// intHeader reads a header holding a number of seconds (with parameters
// after ';'), or returns -1.
func intHeader(m interface{ GetHeader(string) sip.Header }, names ...string) (int, string) {
	for _, n := range names {
		h := m.GetHeader(n)
		if h == nil {
			continue
		}
		v, params, _ := strings.Cut(h.Value(), ";")
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
			return n, params
		}
	}
	return -1, ""
}

// hasOption reports whether a Supported/Require-style header lists tag.
func hasOption(m interface{ GetHeaders(string) []sip.Header }, tag string, names ...string) bool {
	for _, n := range names {
		for _, h := range m.GetHeaders(n) {
			for opt := range strings.SplitSeq(h.Value(), ",") {
				if strings.EqualFold(strings.TrimSpace(opt), tag) {
					return true
				}
			}
		}
	}
	return false
}
