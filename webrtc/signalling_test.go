package webrtc

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/webrtc/internal/webclient"
)

// pionOffer is a browser-like offer (audio, video, data channel) made by a
// pion peer. withCandidates false strips the candidates, as a browser
// whose addresses are hidden would send it.
func pionOffer(t testing.TB, withCandidates bool) string {
	t.Helper()
	b := webclient.New(t, clientAPI(t), "")
	sdp := b.Offer()
	if !withCandidates {
		sdp = regexp.MustCompile(`a=(candidate|end-of-candidates)[^\r\n]*\r\n`).ReplaceAllString(sdp, "")
	}
	_ = b.PC.Close()
	return sdp
}

func postJSON(t testing.TB, url, token string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest("POST", url, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, rb
}

// errorOf decodes a signalling error body.
func errorOf(t testing.TB, body []byte) failureBody {
	t.Helper()
	var e apiError
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	return e.Error
}

func TestCreateCallRefusals(t *testing.T) {
	_, base := runServer(t, testConfig(), rejectAccept(call.NoRoute))
	offer := pionOffer(t, true)
	tests := []struct {
		name   string
		body   any
		status int
		cause  call.Cause
	}{
		{"not json", "{", 400, call.BadRequest},
		{"no alias", createCallRequest{SDP: offer}, 400, call.BadRequest},
		{"control character", createCallRequest{Alias: "echo\x00", SDP: offer}, 400, call.BadRequest},
		{"long alias", createCallRequest{Alias: strings.Repeat("a", maxAliasBytes+1), SDP: offer}, 400, call.BadRequest},
		{"no offer", createCallRequest{Alias: "echo"}, 400, call.BadRequest},
		{"bad offer", createCallRequest{Alias: "echo", SDP: "v=0\r\nbogus"}, 400, call.BadRequest},
		{"bad role", createCallRequest{Alias: "echo", SDP: offer, Roles: map[string]string{"1": "slides"}}, 400, call.BadRequest},
		{"too large", createCallRequest{Alias: "echo", SDP: strings.Repeat("x", maxRequestBytes)}, 400, call.BadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, body := postJSON(t, base+"/api/v1/calls", "", tt.body)
			if st != tt.status {
				t.Fatalf("status %d, want %d: %s", st, tt.status, body)
			}
			e := errorOf(t, body)
			if e.Cause != tt.cause || e.Message != tt.cause.Entry().User || e.Status != tt.status {
				t.Errorf("error %+v", e)
			}
		})
	}
	t.Run("config", func(t *testing.T) {
		resp, err := http.Get(base + "/api/v1/config")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var c configResponse
		if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || c.TokenTTL != 120 || !c.Enabled {
			t.Errorf("config %+v %v", c, err)
		}
	})
	t.Run("unknown call", func(t *testing.T) {
		if st, body := postJSON(t, base+"/api/v1/calls/nope/refresh", "x", nil); st != 404 || errorOf(t, body).Cause != call.NotFound {
			t.Errorf("%d %s", st, body)
		}
	})
	t.Run("web app", func(t *testing.T) {
		resp, err := http.Get(base + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.Contains(string(b), "app.js") || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Errorf("GET /: %d %q", resp.StatusCode, resp.Header)
		}
	})
}

func TestDisabledServerRefusesOffers(t *testing.T) {
	cfg := testConfig()
	cfg.Enabled = false
	_, base := runServer(t, cfg, rejectAccept(call.NoRoute))
	st, body := postJSON(t, base+"/api/v1/calls", "", createCallRequest{Alias: "echo", SDP: pionOffer(t, true)})
	if st != 503 || errorOf(t, body).Cause != call.Unavailable {
		t.Errorf("%d %s", st, body)
	}
}

// createCall posts an offer and opens the event stream.
func createCall(t testing.TB, base, alias, offer string) (createCallResponse, *webclient.Events) {
	t.Helper()
	st, body := postJSON(t, base+"/api/v1/calls", "", createCallRequest{Alias: alias, SDP: offer})
	if st != http.StatusCreated {
		t.Fatalf("create call: %d %s", st, body)
	}
	var cr createCallResponse
	if err := json.Unmarshal(body, &cr); err != nil {
		t.Fatal(err)
	}
	return cr, openEvents(t, base+cr.Events+"?token="+cr.Token)
}

func TestRejectedCallTellsTheCause(t *testing.T) {
	for _, cause := range []call.Cause{call.Busy, call.NoRoute, call.Capacity} {
		t.Run(cause.String(), func(t *testing.T) {
			srv, base := runServer(t, testConfig(), rejectAccept(cause))
			cr, ev := createCall(t, base, "bob", pionOffer(t, true))
			if cr.SDP != "" {
				t.Error("a refused call has an answer")
			}
			e := ev.Next(t, 5*time.Second, "failed", "answer")
			var f failure
			if err := json.Unmarshal([]byte(e.Data), &f); err != nil || e.Type != "failed" {
				t.Fatalf("%s %s", e.Type, e.Data)
			}
			if f.Cause != cause || f.Message != cause.Entry().User || f.Status != cause.HTTPStatus() {
				t.Errorf("failure %+v", f)
			}
			waitLegs(t, srv, 0)
			// The ended call's events stay readable for a late client.
			late := openEvents(t, base+cr.Events+"?token="+cr.Token)
			if e := late.Next(t, 5*time.Second, "failed"); !strings.Contains(e.Data, cause.String()) {
				t.Errorf("late stream: %s", e.Data)
			}
			if st, _ := postJSON(t, base+"/api/v1/calls/"+cr.ID+"/messages", cr.Token, clientMessage{Type: "chat", Text: "hi"}); st != 404 {
				t.Errorf("message to an ended call: %d, want 404", st)
			}
		})
	}
}

// holdAccept keeps every call ringing: it reports the leg and never
// answers, like a dial-out that takes long.
func holdAccept(legs chan<- call.InboundLeg) func(call.InboundLeg) {
	return func(in call.InboundLeg) {
		_ = in.Ring(context.Background())
		legs <- in
	}
}

// TestTokenExpiryEndsCall: a call whose page stops refreshing its token
// ends with the timeout cause and the token_expired reason; refreshing
// keeps it; an expired token is refused.
func TestTokenExpiryEndsCall(t *testing.T) {
	legs := make(chan call.InboundLeg, 1)
	cfg := testConfig()
	srv, err := NewServer(cfg, testLog())
	if err != nil {
		t.Fatal(err)
	}
	srv.cfg.TokenTTL = time.Second // below what Validate allows, to keep the test short
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = srv.Run(ctx, holdAccept(legs)) }()
	<-srv.Ready()
	base := "http://" + strings.TrimPrefix(srv.Addrs()[0], "http ")

	cr, ev := createCall(t, base, "slow", pionOffer(t, true))
	in := <-legs
	ev.Next(t, 2*time.Second, "ringing")
	for range 5 {
		time.Sleep(300 * time.Millisecond)
		if st, body := postJSON(t, base+"/api/v1/calls/"+cr.ID+"/refresh", cr.Token, nil); st != 200 {
			t.Fatalf("refresh: %d %s", st, body)
		}
	}
	select {
	case <-in.Done():
		t.Fatal("the call ended although its token was refreshed")
	default:
	}
	select {
	case <-in.Done():
	case <-time.After(3 * time.Second):
		t.Fatal("the call did not end when its token expired")
	}
	if c := call.CauseOf(in.Err()); c != call.Timeout {
		t.Errorf("cause %s, want timeout", c)
	}
	e := ev.Next(t, 2*time.Second, "failed")
	var f failure
	_ = json.Unmarshal([]byte(e.Data), &f)
	if f.Reason != reasonTokenExpired || f.Hint == "" || f.Cause != call.Timeout {
		t.Errorf("failure %+v", f)
	}
	if err := in.Accept(context.Background(), nil); err == nil {
		t.Error("an expired call accepted an answer")
	}
}

// TestICEFailureCauses: a browser that offers no candidate and sends no
// check ends with ice_failed and the no_candidates reason; one whose
// candidates cannot be reached ends with ice_failed too, reason ice_failed.
func TestICEFailureCauses(t *testing.T) {
	tests := []struct {
		name   string
		offer  func(testing.TB) string
		reason reason
	}{
		{"no candidates", func(t testing.TB) string { return pionOffer(t, false) }, reasonNoCandidates},
		{"unreachable candidates", func(t testing.TB) string {
			// The offer's peer is closed before it answers: its candidates
			// exist but nothing answers our checks.
			return pionOffer(t, true)
		}, reasonICEFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.ICE.ConnectTimeout = time.Second
			results := make(chan loopResult, 1)
			_, base := runServer(t, cfg, echoAccept(t, results))
			_, ev := createCall(t, base, "echo", tt.offer(t))
			ev.Next(t, 5*time.Second, "answer")
			e := ev.Next(t, 10*time.Second, "hangup", "failed")
			var f failure
			_ = json.Unmarshal([]byte(e.Data), &f)
			if f.Cause != call.ICEFailed || f.Reason != tt.reason || f.Message != call.ICEFailed.Entry().User || f.Hint == "" {
				t.Errorf("%s event %+v", e.Type, f)
			}
			select {
			case res := <-results:
				if res.Cause != call.ICEFailed {
					t.Errorf("far side saw %s, want ice_failed", res.Cause)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the far side did not see the end")
			}
		})
	}
}

func TestMessagesWaitForTheAnswer(t *testing.T) {
	legs := make(chan call.InboundLeg, 1)
	_, base := runServer(t, testConfig(), holdAccept(legs))
	cr, _ := createCall(t, base, "slow", pionOffer(t, true))
	in := <-legs
	if st, body := postJSON(t, base+"/api/v1/calls/"+cr.ID+"/messages", cr.Token, clientMessage{Type: "dtmf", Digits: "1"}); st != http.StatusConflict {
		t.Errorf("dtmf before the answer: %d %s", st, body)
	}
	if st, body := postJSON(t, base+"/api/v1/calls/"+cr.ID+"/messages", "wrong", clientMessage{Type: "hangup"}); st != http.StatusUnauthorized || errorOf(t, body).Cause != call.Unauthorized {
		t.Errorf("wrong token: %d %s", st, body)
	}
	if st, body := postJSON(t, base+"/api/v1/calls/"+cr.ID+"/candidates", cr.Token, map[string]any{"candidates": []map[string]any{{"candidate": "candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host", "sdpMid": "0"}}}); st != http.StatusNoContent {
		t.Errorf("early candidate: %d %s", st, body)
	}
	if st, body := postJSON(t, base+"/api/v1/calls/"+cr.ID+"/hangup", cr.Token, nil); st != http.StatusNoContent {
		t.Errorf("hangup: %d %s", st, body)
	}
	select {
	case <-in.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("hangup did not end the leg")
	}
	if c := call.CauseOf(in.Err()); c != call.RemoteHangup {
		t.Errorf("cause %s, want remote_hangup", c)
	}
}

func TestShutdownEndsLegs(t *testing.T) {
	legs := make(chan call.InboundLeg, 1)
	srv, err := NewServer(testConfig(), testLog())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- srv.Run(ctx, holdAccept(legs)) }()
	<-srv.Ready()
	base := "http://" + strings.TrimPrefix(srv.Addrs()[0], "http ")
	_, ev := createCall(t, base, "slow", pionOffer(t, true))
	in := <-legs
	if st := srv.Status(); st.Legs["web app"] != 1 || len(st.Addrs) < 2 || !st.Enabled {
		t.Errorf("status %+v", st)
	}
	if err := srv.Run(context.Background(), holdAccept(legs)); err == nil {
		t.Error("a second Run did not fail")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
	select {
	case <-in.Done():
	default:
		t.Fatal("Run returned with a leg still up")
	}
	if srv.Legs() != 0 {
		t.Errorf("%d legs left", srv.Legs())
	}
	_ = ev
}
