package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/bridge"
	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/webrtc/internal/webclient"
)

// TestEchoThroughTheBridge is a browser call to echo on the gateway's own
// path: a pion peer calls through the signalling API, the echo service
// answers, the bridge joins the legs and relays Opus and VP8 both ways
// without transcoding; DTMF and chat are reflected; the browser's hangup
// ends the bridge with remote_hangup and the call record shows relayed
// audio and video.
func TestEchoThroughTheBridge(t *testing.T) {
	results := make(chan bridge.Result, 1)
	srv, base := runServer(t, testConfig(), echoAccept(t, results))
	b := webclient.New(t, webclient.API(t), base)
	start := time.Now()
	if st, body := b.Dial("echo", nil); st != http.StatusCreated {
		t.Fatalf("create call: %d %s", st, body)
	}
	b.Answer(10 * time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go webclient.Pump(ctx, b.Audio, b.Video)
	select {
	case <-b.First:
		t.Logf("first media back %s after the offer", b.FirstAt.Sub(start).Round(time.Millisecond))
	case <-time.After(10 * time.Second):
		t.Fatal("no media came back")
	}
	b.WaitMedia(25, 12, 5*time.Second)
	for _, kind := range []string{"audio", "video"} {
		for _, p := range b.Payloads(kind) {
			if !strings.HasPrefix(string(p), kind+"-") {
				t.Fatalf("%s packet came back as %q", kind, p)
			}
		}
	}
	if st, body := b.Request("POST", "/messages", map[string]string{"type": "dtmf", "digits": "42"}); st != http.StatusNoContent {
		t.Fatalf("dtmf: %d %s", st, body)
	}
	if err := b.DC.SendText(`{"type":"chat","text":"ping"}`); err != nil {
		t.Fatal(err)
	}
	got := ""
	timeout := time.After(5 * time.Second)
	for !(strings.Contains(got, `"digit":"4"`) && strings.Contains(got, `"digit":"2"`) && strings.Contains(got, `"text":"ping"`)) {
		select {
		case m := <-b.DCMsgs:
			got += m
		case <-timeout:
			t.Fatalf("reflected over the data channel: %s", got)
		}
	}
	if st, _ := b.Request("DELETE", "", nil); st != http.StatusNoContent {
		t.Fatal("hangup failed")
	}
	var res bridge.Result
	select {
	case res = <-results:
	case <-time.After(10 * time.Second):
		t.Fatal("the bridge did not end")
	}
	if res.Cause != call.RemoteHangup {
		t.Errorf("bridge cause %s, want remote_hangup", res.Cause)
	}
	relayed := map[call.Role]uint64{}
	for _, s := range res.Streams {
		t.Logf("stream %s %s→%s %s %s: %d packets", s.Role, s.From, s.To, s.Path, s.Codec, s.Packets)
		if s.Path == bridge.PathRelay {
			relayed[s.Role] += s.Packets
		}
	}
	if relayed[call.RoleAudio] == 0 || relayed[call.RoleVideo] == 0 || len(res.Unbridged) != 0 {
		t.Errorf("relayed %v, unbridged %v", relayed, res.Unbridged)
	}
	waitLegs(t, srv, 0)
}
