package wirecheck

import (
	"net/netip"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/h323/caps"
	"github.com/switchyard/switchyard/h323/h225"
	"github.com/switchyard/switchyard/h323/h245"
)

// The scenario: a gateway (Switchyard) registers with a gatekeeper, is
// admitted, and places two calls to an endpoint: call A with fast start and
// H.245 tunnelled in H.225.0, call B with a separate H.245 connection.
var (
	gwIP = netip.MustParseAddr("10.0.0.1")
	gkIP = netip.MustParseAddr("10.0.0.2")
	epIP = netip.MustParseAddr("10.0.0.3")

	gwRAS     = netip.AddrPortFrom(gwIP, 1719)
	gkRAS     = netip.AddrPortFrom(gkIP, 1719)
	gwSignal  = netip.AddrPortFrom(gwIP, 1720)
	gkSignal  = netip.AddrPortFrom(gkIP, 1721)
	epSignal  = netip.AddrPortFrom(epIP, 1720)
	gwCallerA = netip.AddrPortFrom(gwIP, 41001) // call A's TCP client port
	gwCallerB = netip.AddrPortFrom(gwIP, 41002)
	gwH245B   = netip.AddrPortFrom(gwIP, 41003) // call B's H.245 client port
	epH245    = netip.AddrPortFrom(epIP, h245Port)

	gwAudioRTP  = netip.AddrPortFrom(gwIP, 50000)
	gwAudioRTCP = netip.AddrPortFrom(gwIP, 50001)
	gwVideoRTP  = netip.AddrPortFrom(gwIP, 50002)
	gwVideoRTCP = netip.AddrPortFrom(gwIP, 50003)
	gwSlideRTCP = netip.AddrPortFrom(gwIP, 50005)
	epAudioRTP  = netip.AddrPortFrom(epIP, 60000)
	epAudioRTCP = netip.AddrPortFrom(epIP, 60001)
	epVideoRTP  = netip.AddrPortFrom(epIP, 60002)
	epVideoRTCP = netip.AddrPortFrom(epIP, 60003)
	epSlideRTP  = netip.AddrPortFrom(epIP, 60004)
	epSlideRTCP = netip.AddrPortFrom(epIP, 60005)

	gwVendor   = caps.Vendor{CountryCode: 0xb5, Manufacturer: 0x5359, Product: "Switchyard", Version: "0.1"}
	epVendor   = caps.Vendor{CountryCode: 9, Manufacturer: 61, Product: "Room 1001", Version: "2.0"}
	gwEndpoint = caps.Endpoint{Kind: caps.KindGateway, Vendor: gwVendor}
	epEndpoint = caps.Endpoint{Kind: caps.KindTerminal, Vendor: epVendor}
	gwAliases  = []caps.Alias{caps.H323ID("switchyard-gw"), caps.E164("4420")}
	epAliases  = []caps.Alias{caps.H323ID("room-1001"), caps.E164("1001")}

	confA = caps.GUID{0x4a, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x01}
	callA = caps.GUID{0xca, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x0a}
	confB = caps.GUID{0x4b, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x02}
	callB = caps.GUID{0xcb, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x0b}
)

const (
	h245Port    = 30000
	endpointID  = "Switchyard_ep1"
	gatekeeper  = "Lab-GK"
	callRefA    = 0x1234
	callRefB    = 0x1235
	contentChan = 5
	videoChan   = 2
	dtmfDigit   = "5"
	dtmfLength  = 240
)

// gwOffer is what the gateway offers the H.323 side: audio, H.264 main
// video, H.264 content and camera control.
func gwOffer() call.Offer {
	return call.Offer{Streams: []call.StreamOffer{
		{ID: "audio", Role: call.RoleAudio, Codecs: []call.Codec{
			{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1, PacketTime: 20},
			{Name: "PCMA", PayloadType: 8, ClockRate: 8000, Channels: 1, PacketTime: 20},
			{Name: "G722", PayloadType: 9, ClockRate: 8000, Channels: 1, PacketTime: 20},
			{Name: "G7221", PayloadType: 121, ClockRate: 16000, Channels: 1, FMTP: "bitrate=32000", PacketTime: 20},
			{Name: "telephone-event", PayloadType: 101, ClockRate: 8000, Channels: 1, FMTP: "0-16"},
		}},
		{ID: "video", Role: call.RoleVideo, MaxBitrate: 1920000, Codecs: []call.Codec{
			{Name: "H264", PayloadType: 109, ClockRate: 90000, FMTP: "profile-level-id=640028;packetization-mode=1;max-mbps=245760;max-fs=8192"},
			{Name: "H264", PayloadType: 97, ClockRate: 90000, FMTP: "profile-level-id=42e01f;packetization-mode=1"},
			{Name: "H263", PayloadType: 34, ClockRate: 90000, FMTP: "CIF4=2;CIF=1;QCIF=1"},
			{Name: "H261", PayloadType: 31, ClockRate: 90000, FMTP: "CIF=1;QCIF=1"},
		}},
		{ID: "content", Role: call.RoleContent, MaxBitrate: 1024000, Codecs: []call.Codec{
			{Name: "H264", PayloadType: 98, ClockRate: 90000, FMTP: "profile-level-id=42e01f;packetization-mode=1"},
		}},
		{ID: "fecc", Role: call.RoleFECC, Codecs: []call.Codec{{Name: "H224", PayloadType: 100, ClockRate: 4800}}},
	}}
}

// scenario holds every message of the pcap, built with package caps.
type scenario struct {
	grq, rrq, rcf, arq, acf, drq, urq h225.RasMessage

	// Call A: fast start, H.245 tunnelled.
	setupA, connectA, releaseA h225.H323UserInformation
	fastStartA                 []h245.OpenLogicalChannel // the caller's proposals
	fastAnswerA                []h245.OpenLogicalChannel // the channels Connect accepts

	// H.245 messages (tunnelled in call A, on the H.245 connection in B).
	tcs, tcsAck, msd, msdAck, olc, olcAck, uii, uiiString, vfu, h239Req, h239Resp, clc, endSession h245.MultimediaSystemControlMessage

	// Call B: separate H.245 connection.
	setupB, connectB, releaseB h225.H323UserInformation
}

// must returns v, and panics (failing the test that builds the scenario)
// when a builder refused a value the scenario was written to satisfy.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func buildScenario() *scenario {
	s := &scenario{}
	s.grq = must(caps.GRQ{Seq: 1, RAS: gwRAS, Endpoint: gwEndpoint, GatekeeperID: gatekeeper, Aliases: gwAliases}.RasMessage())
	s.rrq = must(caps.RRQ{Seq: 2, CallSignal: gwSignal, RAS: gwRAS, Endpoint: gwEndpoint, Aliases: gwAliases,
		GatekeeperID: gatekeeper, TTL: 300, DiscoveryComplete: true}.RasMessage())
	s.rcf = must(caps.RCF{Seq: 2, CallSignal: gkSignal, Aliases: gwAliases, GatekeeperID: gatekeeper, EndpointID: endpointID, TTL: 300}.RasMessage())
	s.arq = must(caps.ARQ{Seq: 3, EndpointID: endpointID, Dest: epAliases[1:], DestCallSignal: epSignal, Src: gwAliases,
		SrcCallSignal: gwSignal, BandWidth: 7680, CallReference: callRefA, ConferenceID: confA, CallID: callA,
		GatekeeperID: gatekeeper, CanMapAlias: true}.RasMessage())
	s.acf = must(caps.ACF{Seq: 3, BandWidth: 7680, DestCallSignal: epSignal, IRRFrequency: 240}.RasMessage())
	s.drq = must(caps.DRQ{Seq: 4, EndpointID: endpointID, ConferenceID: confA, CallID: callA, CallReference: callRefA,
		AnsweredCall: true, GatekeeperID: gatekeeper}.RasMessage())
	s.urq = must(caps.URQ{Seq: 5, CallSignal: gwSignal, Aliases: gwAliases, EndpointID: endpointID, GatekeeperID: gatekeeper}.RasMessage())

	// Fast start: the gateway proposes to send and receive G.711 µ-law
	// and H.264, and the endpoint accepts the audio pair.
	h264 := caps.H264Media(caps.H264{Profile: caps.H264ProfileBaseline, Level: 71, PacketizationMode: 1}, 1920000)
	proposals := []caps.OLC{
		{Number: 1, Media: caps.G711(true, 20), RTCP: gwAudioRTCP},
		{Number: 1, Reverse: true, Media: caps.G711(true, 20), RTP: gwAudioRTP, RTCP: gwAudioRTCP},
		{Number: 2, Media: h264, RTCP: gwVideoRTCP, PayloadType: 97},
		{Number: 2, Reverse: true, Media: h264, RTP: gwVideoRTP, RTCP: gwVideoRTCP, PayloadType: 97},
	}
	for _, p := range proposals {
		s.fastStartA = append(s.fastStartA, must(p.OpenLogicalChannel()))
	}
	answers := []caps.OLC{
		{Number: 1, Media: caps.G711(true, 20), RTP: epAudioRTP, RTCP: epAudioRTCP},
		{Number: 11, Reverse: true, Media: caps.G711(true, 20), RTCP: epAudioRTCP},
	}
	for _, a := range answers {
		s.fastAnswerA = append(s.fastAnswerA, must(a.OpenLogicalChannel()))
	}
	setA := caps.Setup{CallID: callA, ConferenceID: confA, Source: gwAliases, Dest: epAliases, Endpoint: gwEndpoint,
		DestCallSignal: epSignal, SourceCallSignal: gwCallerA, EndpointID: endpointID, Tunnelling: true,
		FastStart: must(caps.EncodeFastStart(s.fastStartA))}
	s.setupA = must(setA.UserInformation())
	s.connectA = must(caps.Answer{CallID: callA, ConferenceID: confA, Endpoint: epEndpoint, Tunnelling: true,
		FastStart: must(caps.EncodeFastStart(s.fastAnswerA))}.Connect())
	s.releaseA = must(caps.ReleaseComplete{CallID: callA, Reason: "undefinedReason", Tunnelling: true}.UserInformation())

	set := must(caps.FromOffer(gwOffer(), 1))
	s.tcs = must(set.Message())
	s.tcsAck = caps.TCSAck(1)
	s.msd = must(caps.MSD{TerminalType: caps.GatewayOnly, Number: 0x5a5a5a}.Message())
	s.msdAck = must(caps.MSDAck(caps.Slave))
	content := caps.H264Media(caps.H264{Profile: caps.H264ProfileBaseline, Level: 71, PacketizationMode: 1}, 1024000).AsContent()
	s.olc = must(caps.OLC{Number: contentChan, Media: content, RTCP: gwSlideRTCP, PayloadType: 98}.Message())
	s.olcAck = must(caps.OLCAck{Number: contentChan, SessionID: caps.SessionContent, RTP: epSlideRTP, RTCP: epSlideRTCP, PayloadType: 98}.Message())
	s.uii = must(caps.UserInput{Signal: true, Digits: dtmfDigit, Duration: dtmfLength}.Message())
	s.uiiString = must(caps.UserInput{Digits: "1234#"}.Message())
	s.vfu = caps.VideoFastUpdate(videoChan)
	s.h239Req = must(caps.H239{Kind: caps.H239PresentationTokenRequest, TerminalLabel: 0, ChannelID: contentChan, SymmetryBreaking: 42}.Message())
	s.h239Resp = must(caps.H239{Kind: caps.H239PresentationTokenResponse, TerminalLabel: 0, ChannelID: contentChan}.Message())
	s.clc = caps.CloseLogicalChannel(contentChan)
	s.endSession = caps.EndSession()

	setB := caps.Setup{CallID: callB, ConferenceID: confB, Source: gwAliases, Dest: epAliases[:1], Endpoint: gwEndpoint,
		DestCallSignal: epSignal, H245: gwH245B}
	s.setupB = must(setB.UserInformation())
	s.connectB = must(caps.Answer{CallID: callB, ConferenceID: confB, Endpoint: epEndpoint, H245: epH245}.Connect())
	s.releaseB = must(caps.ReleaseComplete{CallID: callB, Reason: "inConf"}.UserInformation())
	return s
}

// tunnelledUUIE is a Facility's H323-UserInformation carrying the TCS
// and the MSD in h245Control.
func tunnelledUUIE(s *scenario) (*h225.H323UserInformation, error) {
	ui, err := caps.TunnelMessage(s.tcs, s.msd)
	if err != nil {
		return nil, err
	}
	return &ui, nil
}
