package webrtc

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/nack"
	"github.com/pion/interceptor/pkg/report"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// engine is the pion side of the server: the API every PeerConnection is
// made from (codecs, interceptors, settings) and the ICE sockets they share.
type engine struct {
	api     *webrtc.API
	closers []io.Closer
	addrs   []string
}

// newEngine binds the ICE UDP (and TCP) sockets and builds the API.
func newEngine(cfg ICE, log *slog.Logger) (*engine, error) {
	e := &engine{}
	ok := false
	defer func() {
		if !ok {
			e.close()
		}
	}()
	logs := pionLogs{log: log}
	se := webrtc.SettingEngine{LoggerFactory: logs}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetICETimeouts(min(cfg.FailedTimeout/3, 5*time.Second), cfg.FailedTimeout, 2*time.Second)
	se.SetIncludeLoopbackCandidate(cfg.Loopback)
	// The first RTP packet of a stream is read before OnTrack fires; media
	// flows as soon as DTLS is up.
	se.SetHandleUndeclaredSSRCWithoutAnswer(true)

	udpHost, udpPort, err := splitAddr(cfg.UDP)
	if err != nil {
		return nil, fmt.Errorf("ice.udp: %w", err)
	}
	v4only := udpHost.IsValid() && udpHost.Is4()
	networks := []webrtc.NetworkType{webrtc.NetworkTypeUDP4}
	if !v4only {
		networks = append(networks, webrtc.NetworkTypeUDP6)
	}
	if !udpHost.IsValid() || udpHost.IsUnspecified() {
		opts := []ice.UDPMuxFromPortOption{ice.UDPMuxFromPortWithLogger(logs.NewLogger("udpmux"))}
		if cfg.Loopback {
			opts = append(opts, ice.UDPMuxFromPortWithLoopback())
		}
		if udpHost.IsValid() && udpHost.Is4() {
			opts = append(opts, ice.UDPMuxFromPortWithNetworks(ice.NetworkTypeUDP4))
		}
		mux, err := ice.NewMultiUDPMuxFromPort(udpPort, opts...)
		if err != nil {
			return nil, fmt.Errorf("ice.udp %s: %w", cfg.UDP, err)
		}
		e.closers = append(e.closers, mux)
		for _, a := range mux.GetListenAddresses() {
			e.addrs = append(e.addrs, "udp "+a.String())
		}
		se.SetICEUDPMux(mux)
	} else {
		conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(udpHost, uint16(udpPort))))
		if err != nil {
			return nil, fmt.Errorf("ice.udp: %w", err)
		}
		_ = conn.SetReadBuffer(4 << 20)
		_ = conn.SetWriteBuffer(4 << 20)
		mux := webrtc.NewICEUDPMux(logs.NewLogger("udpmux"), conn)
		e.closers = append(e.closers, mux)
		e.addrs = append(e.addrs, "udp "+conn.LocalAddr().String())
		se.SetICEUDPMux(mux)
		if udpHost.IsLoopback() {
			se.SetIncludeLoopbackCandidate(true)
		}
	}

	if cfg.TCP != "" {
		tcpHost, tcpPort, err := splitAddr(cfg.TCP)
		if err != nil {
			return nil, fmt.Errorf("ice.tcp: %w", err)
		}
		ln, err := net.ListenTCP("tcp", net.TCPAddrFromAddrPort(netip.AddrPortFrom(unspecifiedIfZero(tcpHost), uint16(tcpPort))))
		if err != nil {
			return nil, fmt.Errorf("ice.tcp: %w", err)
		}
		mux := webrtc.NewICETCPMux(logs.NewLogger("tcpmux"), ln, 64)
		e.closers = append(e.closers, mux)
		e.addrs = append(e.addrs, "tcp "+ln.Addr().String())
		se.SetICETCPMux(mux)
		networks = append(networks, webrtc.NetworkTypeTCP4)
		if !v4only {
			networks = append(networks, webrtc.NetworkTypeTCP6)
		}
		if tcpHost.IsValid() && !tcpHost.IsUnspecified() {
			want := tcpHost
			se.SetIPFilter(func(ip net.IP) bool {
				a, ok := netip.AddrFromSlice(ip)
				return !ok || a.Unmap() == want || (udpHost.IsValid() && a.Unmap() == udpHost)
			})
		}
	}
	se.SetNetworkTypes(networks)
	se.DisableActiveTCP(true)

	if len(cfg.PublicIPs) > 0 {
		if err := se.SetICEAddressRewriteRules(webrtc.ICEAddressRewriteRule{
			External:        append([]string(nil), cfg.PublicIPs...),
			AsCandidateType: webrtc.ICECandidateTypeHost,
			Mode:            webrtc.ICEAddressRewriteReplace,
		}); err != nil {
			return nil, fmt.Errorf("ice.public_ips: %w", err)
		}
	}

	me := &webrtc.MediaEngine{}
	if err := registerCodecs(me); err != nil {
		return nil, err
	}
	reg := &interceptor.Registry{}
	if err := registerInterceptors(me, reg); err != nil {
		return nil, err
	}
	e.api = webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se))
	ok = true
	return e, nil
}

func unspecifiedIfZero(a netip.Addr) netip.Addr {
	if a.IsValid() {
		return a
	}
	return netip.IPv6Unspecified()
}

// splitAddr parses host:port; an empty host is the zero Addr.
func splitAddr(s string) (netip.Addr, int, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return netip.Addr{}, 0, err
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 0 || p > 65535 {
		return netip.Addr{}, 0, fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	if host == "" {
		return netip.Addr{}, p, nil
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, 0, fmt.Errorf("%q is not an IP address", host)
	}
	return a.Unmap(), p, nil
}

// registerCodecs registers the codec table and the header extensions that
// demultiplexing and congestion feedback need.
func registerCodecs(me *webrtc.MediaEngine) error {
	for _, s := range codecTable {
		if err := me.RegisterCodec(s.parameters(), s.kind); err != nil {
			return fmt.Errorf("register codec %s/%d: %w", s.name, s.clock, err)
		}
	}
	for _, kind := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeAudio, webrtc.RTPCodecTypeVideo} {
		if err := me.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: sdp.SDESMidURI}, kind); err != nil {
			return fmt.Errorf("register the mid header extension: %w", err)
		}
	}
	return nil
}

// registerInterceptors adds NACK generation and retransmission, RTCP
// sender and receiver reports, and transport-wide congestion control
// feedback for what browsers send us (their bandwidth estimate needs it).
// A congestion controller for what we send is left out: relayed media
// cannot change its bitrate here, the far side's sender can.
func registerInterceptors(me *webrtc.MediaEngine, reg *interceptor.Registry) error {
	gen, err := nack.NewGeneratorInterceptor()
	if err != nil {
		return fmt.Errorf("nack generator: %w", err)
	}
	resp, err := nack.NewResponderInterceptor()
	if err != nil {
		return fmt.Errorf("nack responder: %w", err)
	}
	reg.Add(resp)
	reg.Add(gen)
	rr, err := report.NewReceiverInterceptor()
	if err != nil {
		return fmt.Errorf("receiver reports: %w", err)
	}
	sr, err := report.NewSenderInterceptor()
	if err != nil {
		return fmt.Errorf("sender reports: %w", err)
	}
	reg.Add(rr)
	reg.Add(sr)
	if err := webrtc.ConfigureTWCCSender(me, reg); err != nil {
		return fmt.Errorf("transport-wide congestion feedback: %w", err)
	}
	return nil
}

// close releases the sockets.
func (e *engine) close() error {
	var errs []error
	for i := len(e.closers) - 1; i >= 0; i-- {
		if err := e.closers[i].Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	e.closers = nil
	return errors.Join(errs...)
}
