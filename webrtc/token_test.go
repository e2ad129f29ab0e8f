package webrtc

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestToken(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	tok, err := newToken(time.Minute, clk.now)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok.value) < 40 {
		t.Errorf("token %q is short", tok.value)
	}
	other, _ := newToken(time.Minute, clk.now)
	if other.value == tok.value {
		t.Error("two tokens are equal")
	}
	steps := []struct {
		advance   time.Duration
		refresh   bool
		presented string
		want      error
	}{
		{0, false, "", errNoToken},
		{0, false, "nope", errBadToken},
		{0, false, tok.value, nil},
		{50 * time.Second, true, tok.value, nil}, // refreshed: lives until 110 s
		{50 * time.Second, false, tok.value, nil},
		{9 * time.Second, false, tok.value, nil},
		{2 * time.Second, false, tok.value, errExpiredToken},
	}
	for i, s := range steps {
		clk.advance(s.advance)
		if s.refresh {
			if _, err := tok.refresh(); err != nil {
				t.Fatalf("step %d: refresh: %v", i, err)
			}
		}
		if err := tok.check(s.presented); !errors.Is(err, s.want) {
			t.Errorf("step %d: check = %v, want %v", i, err, s.want)
		}
	}
	if _, err := tok.refresh(); !errors.Is(err, errExpiredToken) {
		t.Errorf("refreshing an expired token: %v", err)
	}
	if tok.remaining() >= 0 {
		t.Errorf("remaining %s after expiry", tok.remaining())
	}
}

func TestPresentedToken(t *testing.T) {
	tests := []struct {
		header, query, want string
	}{
		{"Bearer abc", "", "abc"},
		{"Bearer  abc ", "xyz", "abc"},
		{"Basic abc", "xyz", ""},
		{"", "xyz", "xyz"},
		{"", "", ""},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/x?token="+tt.query, nil)
		if tt.header != "" {
			r.Header.Set("Authorization", tt.header)
		}
		if got := presentedToken(r); got != tt.want {
			t.Errorf("header %q query %q: %q, want %q", tt.header, tt.query, got, tt.want)
		}
	}
}

func TestClientICEServers(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	servers := []ICEServer{
		{URLs: []string{"stun:stun.example.com:3478"}, Username: "ignored", Credential: "ignored"},
		{URLs: []string{"turn:turn.example.com:3478?transport=udp"}, Username: "u", Credential: "p"},
		{URLs: []string{"turns:turn.example.com:5349"}, Secret: "north", CredentialTTL: time.Hour},
	}
	got := clientICEServers(servers, now)
	if got[0].Username != "" || got[0].Credential != "" {
		t.Errorf("STUN server got credentials: %+v", got[0])
	}
	if got[1].Username != "u" || got[1].Credential != "p" {
		t.Errorf("static TURN: %+v", got[1])
	}
	user := strconv.FormatInt(now.Add(time.Hour).Unix(), 10) + ":switchyard"
	mac := hmac.New(sha1.New, []byte("north"))
	mac.Write([]byte(user))
	if got[2].Username != user || got[2].Credential != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
		t.Errorf("TURN REST credentials: %+v", got[2])
	}
	links := linkHeaders(got)
	if len(links) != 3 || links[0] != `<stun:stun.example.com:3478>; rel="ice-server"` ||
		!strings.Contains(links[1], `username="u"; credential="p"; credential-type="password"`) {
		t.Errorf("links %q", links)
	}
}

func TestEventLog(t *testing.T) {
	l := newEventLog()
	evs, wake, closed := l.since(0)
	if len(evs) != 0 || closed {
		t.Fatal("new log not empty")
	}
	l.add("ringing", struct{}{})
	select {
	case <-wake:
	default:
		t.Fatal("add did not wake a waiter")
	}
	for i := range eventLogDepth + 10 {
		l.add("chat", map[string]int{"n": i})
	}
	evs, _, _ = l.since(0)
	if len(evs) != eventLogDepth || evs[len(evs)-1].ID != eventLogDepth+11 {
		t.Fatalf("log holds %d events, last %d", len(evs), evs[len(evs)-1].ID)
	}
	evs, _, _ = l.since(evs[len(evs)-2].ID)
	if len(evs) != 1 || string(evs[0].Data) != `{"n":137}` {
		t.Errorf("since: %+v", evs)
	}
	l.close()
	l.add("late", 1)
	if evs, _, closed := l.since(eventLogDepth + 11); !closed || len(evs) != 0 {
		t.Errorf("closed log: %d events, closed %v", len(evs), closed)
	}
}

func TestParseClientMessage(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		want clientMessage
	}{
		{`{"type":"dtmf","digits":"12a#*"}`, true, clientMessage{Type: "dtmf", Digits: "12A#*"}},
		{`{"type":"dtmf","digits":"x"}`, false, clientMessage{}},
		{`{"type":"dtmf","digits":""}`, false, clientMessage{}},
		{`{"type":"dtmf","digits":"` + strings.Repeat("1", maxDigits+1) + `"}`, false, clientMessage{}},
		{`{"type":"chat","text":"hello"}`, true, clientMessage{Type: "chat", Text: "hello"}},
		{`{"type":"chat","text":""}`, false, clientMessage{}},
		{`{"type":"chat","text":"` + strings.Repeat("é", maxChatBytes) + `"}`, false, clientMessage{}},
		{`{"type":"content"}`, false, clientMessage{}},
		{`{"type":"hangup"}`, true, clientMessage{Type: "hangup"}},
		{`{"type":"reboot"}`, false, clientMessage{}},
		{`[1,2]`, false, clientMessage{}},
		{strings.Repeat(" ", maxClientMsg+1), false, clientMessage{}},
	}
	for _, tt := range tests {
		m, err := parseClientMessage([]byte(tt.in))
		if (err == nil) != tt.ok {
			t.Errorf("%.40s: err %v", tt.in, err)
			continue
		}
		if tt.ok && (m.Type != tt.want.Type || m.Digits != tt.want.Digits || m.Text != tt.want.Text) {
			t.Errorf("%.40s: %+v, want %+v", tt.in, m, tt.want)
		}
		if !tt.ok && !errors.Is(err, errBadMessage) {
			t.Errorf("%.40s: %v is not errBadMessage", tt.in, err)
		}
	}
	on := true
	if m, err := parseClientMessage([]byte(`{"type":"content","active":true}`)); err != nil || *m.Active != on {
		t.Errorf("content: %+v %v", m, err)
	}
}
