// Package webclient is a browser stand-in for tests of the WebRTC leg: a
// pion peer with an Opus microphone, a VP8 camera and the web app's data
// channel, that calls through the signalling API (create call, event
// stream, candidates, messages) exactly as the web app does, and counts
// what comes back.
//
// It is test support, not a client library: it takes a testing.TB and
// fails the test on any surprise. It speaks the API's JSON on the wire and
// does not import package webrtc, so that tests on either side of the API
// can use it.
package webclient

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// DataChannelLabel is the label of the web app's data channel.
const DataChannelLabel = "switchyard"

// API returns a pion API like a browser's: default codecs with
// telephone-events, default interceptors, host candidates over UDP4 on
// every interface, loopback included.
func API(t testing.TB) *webrtc.API {
	t.Helper()
	return APIWith(t, func(se *webrtc.SettingEngine) {
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	})
}

// APIWith is API with further settings.
func APIWith(t testing.TB, tune func(*webrtc.SettingEngine)) *webrtc.API {
	t.Helper()
	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	// Browsers offer telephone-events at 48 and 8 kHz (RTCDTMFSender).
	for _, te := range []struct {
		pt   webrtc.PayloadType
		rate uint32
	}{{110, 48000}, {126, 8000}} {
		if err := me.RegisterCodec(webrtc.RTPCodecParameters{
			RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: "audio/telephone-event", ClockRate: te.rate, SDPFmtpLine: "0-16"},
			PayloadType:        te.pt,
		}, webrtc.RTPCodecTypeAudio); err != nil {
			t.Fatal(err)
		}
	}
	reg := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(me, reg); err != nil {
		t.Fatal(err)
	}
	se := webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	if tune != nil {
		tune(&se)
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se))
}

// Event is one server-sent event.
type Event struct {
	ID   string
	Type string
	Data string
}

// Events reads a server-sent event stream.
type Events struct {
	resp *http.Response
	ch   chan Event
}

// OpenEvents opens an event stream; a status other than 200 fails t.
func OpenEvents(t testing.TB, url string) *Events {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("events: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("events: %s: %s", resp.Status, b)
	}
	s := &Events{resp: resp, ch: make(chan Event, 64)}
	go func() {
		defer close(s.ch)
		sc := bufio.NewScanner(resp.Body)
		var ev Event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Type != "" {
					s.ch <- ev
				}
				ev = Event{}
			case strings.HasPrefix(line, "id: "):
				ev.ID = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.Type = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.Data = line[6:]
			}
		}
	}()
	t.Cleanup(func() { resp.Body.Close() })
	return s
}

// Next waits for the next event of one of the types, skipping others.
func (s *Events) Next(t testing.TB, timeout time.Duration, types ...string) Event {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case ev, ok := <-s.ch:
			if !ok {
				t.Fatalf("event stream ended while waiting for %v", types)
			}
			for _, typ := range types {
				if ev.Type == typ {
					return ev
				}
			}
		case <-deadline:
			t.Fatalf("no %v event within %s", types, timeout)
		}
	}
}

// Created is the create-call response.
type Created struct {
	ID        string `json:"id"`
	Token     string `json:"token"`
	ExpiresIn int    `json:"expires_in"`
	Events    string `json:"events"`
	SDP       string `json:"sdp"`
}

// Browser is a pion peer that calls like the web app.
type Browser struct {
	T      testing.TB
	Base   string
	PC     *webrtc.PeerConnection
	Audio  *webrtc.TrackLocalStaticRTP
	Video  *webrtc.TrackLocalStaticRTP
	DC     *webrtc.DataChannel
	DCMsgs chan string
	Call   Created
	Events *Events
	// First is closed when the first media packet arrives; FirstAt says when.
	First   chan struct{}
	FirstAt time.Time

	mu       sync.Mutex
	received map[string]int
	payloads map[string][][]byte
}

// Opus is what New's microphone sends.
func Opus() webrtc.RTPCodecCapability {
	return webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}
}

// VP8 is what New's camera sends.
func VP8() webrtc.RTPCodecCapability {
	return webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}
}

// New makes a browser with a microphone (Opus), a camera (VP8) and the
// data channel.
func New(t testing.TB, api *webrtc.API, base string) *Browser {
	t.Helper()
	return NewWith(t, api, base, Opus(), VP8())
}

// NewWith makes a browser whose microphone and camera send the given
// codecs (for example PCMU and H.264, as a SIP phone would).
func NewWith(t testing.TB, api *webrtc.API, base string, audioCodec, videoCodec webrtc.RTPCodecCapability) *Browser {
	t.Helper()
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	b := &Browser{T: t, Base: base, PC: pc, received: map[string]int{}, payloads: map[string][][]byte{},
		First: make(chan struct{}), DCMsgs: make(chan string, 16)}
	b.Audio, err = webrtc.NewTrackLocalStaticRTP(audioCodec, "audio", "cam")
	if err != nil {
		t.Fatal(err)
	}
	b.Video, err = webrtc.NewTrackLocalStaticRTP(videoCodec, "video", "cam")
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range []webrtc.TrackLocal{b.Audio, b.Video} {
		if _, err := pc.AddTrack(tr); err != nil {
			t.Fatal(err)
		}
	}
	if b.DC, err = pc.CreateDataChannel(DataChannelLabel, nil); err != nil {
		t.Fatal(err)
	}
	b.DC.OnMessage(func(m webrtc.DataChannelMessage) {
		select {
		case b.DCMsgs <- string(m.Data):
		default:
		}
	})
	var once sync.Once
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		kind := tr.Kind().String()
		for {
			p, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			b.mu.Lock()
			b.received[kind]++
			if len(b.payloads[kind]) < 200 {
				b.payloads[kind] = append(b.payloads[kind], append([]byte(nil), p.Payload...))
			}
			b.mu.Unlock()
			once.Do(func() {
				b.mu.Lock()
				b.FirstAt = time.Now()
				b.mu.Unlock()
				close(b.First)
			})
		}
	})
	return b
}

// Offer makes the offer and waits for our candidates.
func (b *Browser) Offer() string {
	offer, err := b.PC.CreateOffer(nil)
	if err != nil {
		b.T.Fatal(err)
	}
	if err := b.PC.SetLocalDescription(offer); err != nil {
		b.T.Fatal(err)
	}
	<-webrtc.GatheringCompletePromise(b.PC)
	return b.PC.LocalDescription().SDP
}

// Dial posts the offer for alias and returns the HTTP status and body; on
// 201 it opens the event stream.
func (b *Browser) Dial(alias string, roles map[string]string) (int, []byte) {
	body, _ := json.Marshal(map[string]any{"alias": alias, "sdp": b.Offer(), "name": "Test Browser", "roles": roles})
	resp, err := http.Post(b.Base+"/api/v1/calls", "application/json", bytes.NewReader(body))
	if err != nil {
		b.T.Fatal(err)
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return resp.StatusCode, rb
	}
	if err := json.Unmarshal(rb, &b.Call); err != nil {
		b.T.Fatal(err)
	}
	b.Events = OpenEvents(b.T, b.Base+b.Call.Events+"?token="+b.Call.Token)
	return resp.StatusCode, rb
}

// Answer applies the answer: from the create response, else from the
// event stream.
func (b *Browser) Answer(timeout time.Duration) {
	sdp := b.Call.SDP
	if sdp == "" {
		ev := b.Events.Next(b.T, timeout, "answer", "failed")
		if ev.Type == "failed" {
			b.T.Fatalf("call failed: %s", ev.Data)
		}
		var a struct{ SDP string }
		if err := json.Unmarshal([]byte(ev.Data), &a); err != nil {
			b.T.Fatal(err)
		}
		sdp = a.SDP
	}
	if err := b.PC.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp}); err != nil {
		b.T.Fatalf("apply the answer: %v\n%s", err, sdp)
	}
}

// Request sends an authenticated request about the call.
func (b *Browser) Request(method, path string, body any) (int, []byte) {
	var rd io.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, b.Base+"/api/v1/calls/"+b.Call.ID+path, rd)
	req.Header.Set("Authorization", "Bearer "+b.Call.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.T.Fatal(err)
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, rb
}

// Received returns how many packets of a kind ("audio", "video") arrived.
func (b *Browser) Received(kind string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.received[kind]
}

// Payloads returns the first payloads received of a kind.
func (b *Browser) Payloads(kind string) [][]byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([][]byte(nil), b.payloads[kind]...)
}

// WaitMedia waits until audio and video packets have come back.
func (b *Browser) WaitMedia(audio, video int, timeout time.Duration) {
	b.T.Helper()
	deadline := time.Now().Add(timeout)
	for b.Received("audio") < audio || b.Received("video") < video {
		if time.Now().After(deadline) {
			b.T.Fatalf("received %d audio and %d video packets, want %d and %d", b.Received("audio"), b.Received("video"), audio, video)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Pump writes numbered packets until ctx ends: 50 audio packets and 25
// video packets per second, payloads "audio-N" and "video-N".
func Pump(ctx context.Context, audio, video *webrtc.TrackLocalStaticRTP) {
	var seq uint16
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		seq++
		_ = audio.WriteRTP(Packet(111, seq, uint32(i*960), fmt.Sprintf("audio-%06d", i)))
		if i%2 == 0 {
			_ = video.WriteRTP(Packet(96, seq, uint32(i*1800), fmt.Sprintf("video-%06d", i)))
		}
	}
}

// Packet makes an RTP packet with a recognisable payload.
func Packet(pt uint8, seq uint16, ts uint32, payload string) *rtp.Packet {
	return &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, Timestamp: ts, Marker: true}, Payload: []byte(payload)}
}
