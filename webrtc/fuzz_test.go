package webrtc

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/switchyard/switchyard/call"
)

// sdpSeeds are offers from the wild and their near misses.
func sdpSeeds(f *testing.F) {
	if b, err := os.ReadFile("testdata/chrome156-offer.sdp"); err == nil {
		f.Add(string(b))
	}
	f.Add("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0 101\r\na=mid:0\r\na=rtpmap:101 telephone-event/8000\r\na=sendonly\r\n")
	f.Add("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:v\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 profile-level-id=42e01f\r\nb=AS:4294967295999\r\n")
	f.Add("v=0\r\nm=audio 0 RTP/AVP 300\r\na=mid:\r\na=rtpmap:300 x/0/999\r\n")
	f.Add("")
}

// FuzzParseOffer: any offer is parsed or refused with bad_request, never a
// panic; what is accepted keeps the limits.
func FuzzParseOffer(f *testing.F) {
	sdpSeeds(f)
	f.Fuzz(func(t *testing.T, raw string) {
		ro, err := parseOffer(raw, map[string]call.Role{"1": call.RoleContent})
		if err != nil {
			if call.CauseOf(err) != call.BadRequest {
				t.Fatalf("cause %s for %v", call.CauseOf(err), err)
			}
			return
		}
		if len(ro.lines) > maxMediaLines || ro.candidates > maxCandidates {
			t.Fatalf("limits exceeded: %d lines, %d candidates", len(ro.lines), ro.candidates)
		}
		for _, s := range ro.offer.Streams {
			for _, c := range s.Codecs {
				if _, ok := supported(c); !ok {
					t.Fatalf("unsupported codec %s kept", c)
				}
			}
		}
	})
}

// FuzzParseFragment: trickle-ICE fragments from WHIP/WHEP clients.
func FuzzParseFragment(f *testing.F) {
	f.Add("a=ice-ufrag:EsAw\r\na=ice-pwd:P2uY\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\na=candidate:1 1 udp 2122260223 192.0.2.1 61764 typ host\r\na=end-of-candidates\r\n")
	f.Add("m=\nm=\na=candidate:\n")
	f.Add("x")
	f.Fuzz(func(t *testing.T, body string) {
		fr, err := parseFragment(body)
		if err == nil && len(fr.candidates) > maxCandidates {
			t.Fatalf("%d candidates", len(fr.candidates))
		}
	})
}

// FuzzClientMessage: data channel and API messages.
func FuzzClientMessage(f *testing.F) {
	for _, s := range []string{`{"type":"dtmf","digits":"123#"}`, `{"type":"chat","text":"hi"}`, `{"type":"content","active":false}`, `{"type":"hangup"}`, `{`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseClientMessage(b)
		if err != nil {
			return
		}
		switch m.Type {
		case "dtmf":
			for i := range len(m.Digits) {
				if !call.ValidDTMF(m.Digits[i]) {
					t.Fatalf("digit %q accepted", m.Digits[i])
				}
			}
		case "content":
			if m.Active == nil {
				t.Fatal("content without active accepted")
			}
		}
	})
}

// FuzzCreateCall: the create-call request body through the handler. The
// server is not running, so a well-formed request ends in 503; nothing may
// panic and nothing but JSON errors may come back.
func FuzzCreateCall(f *testing.F) {
	f.Add([]byte(`{"alias":"echo","sdp":"v=0\r\n","roles":{"1":"content"}}`))
	f.Add([]byte(`{"alias":"","sdp":""}`))
	f.Add([]byte(`[]`))
	if b, err := os.ReadFile("testdata/chrome156-offer.sdp"); err == nil {
		f.Add(append(append([]byte(`{"alias":"echo","sdp":`), quoteJSON(b)...), '}'))
	}
	s, err := NewServer(testConfig(), testLog())
	if err != nil {
		f.Fatal(err)
	}
	h := s.Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/v1/calls", bytes.NewReader(body)))
		if rec.Code == http.StatusCreated {
			t.Fatal("a call was created on a server that does not run")
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("content type %q", ct)
		}
	})
}

func quoteJSON(b []byte) []byte {
	out := []byte{'"'}
	for _, c := range b {
		switch c {
		case '\r':
			out = append(out, '\\', 'r')
		case '\n':
			out = append(out, '\\', 'n')
		case '"', '\\':
			out = append(out, '\\', c)
		default:
			out = append(out, c)
		}
	}
	return append(out, '"')
}
