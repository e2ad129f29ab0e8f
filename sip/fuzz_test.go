package sip

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/switchyard/switchyard/call"
)

// Fuzz targets for the parsers of what arrives from the network: session
// descriptions, INFO bodies, and whole requests through sipgo's parser and
// our handlers.

func FuzzParseSDP(f *testing.F) {
	f.Add([]byte(roomOffer))
	f.Add([]byte("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 0 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAAA\r\na=inactive\r\n"))
	f.Add([]byte("v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\nc=IN IP6 ::1\r\nb=AS:99999999999\r\nt=0 0\r\nm=video 9 RTP/AVPF 96\r\na=rtpmap:96 H264/90000/x\r\na=rtcp:70000\r\na=fmtp:96\r\n"))
	f.Add([]byte("v=0\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := parseSDP(data)
		if err != nil {
			return
		}
		o := d.offer()
		if len(o.Streams) != len(d.Media) {
			t.Fatalf("%d streams for %d m-lines", len(o.Streams), len(d.Media))
		}
		// Whatever parses can be answered and the answer parses again.
		decs, err := planAnswer(d, firstCodecs(o), call.SRTPBestEffort)
		if err != nil {
			return
		}
		media := make([]mediaDesc, len(decs))
		for i, dec := range decs {
			if !dec.Accept {
				media[i] = refusedLine(d.Media[i])
				continue
			}
			media[i] = mediaDesc{Media: d.Media[i].Media, Port: 4000, Proto: d.Media[i].Proto, Codecs: dec.Codecs, Events: dec.Events, Dir: dec.Dir}
		}
		body := buildSDP(sdpOrigin{1, 1}, d.Addr, media, false)
		if d.Addr.IsValid() {
			if _, err := parseSDP(body); err != nil {
				t.Fatalf("our answer does not parse: %v\n%s", err, body)
			}
		}
	})
}

func FuzzParseINFO(f *testing.F) {
	f.Add("application/dtmf-relay", []byte("Signal=5\r\nDuration=160\r\n"))
	f.Add("application/dtmf", []byte("#"))
	f.Add("application/media_control+xml", []byte(mediaControlPFU))
	f.Add("application/dtmf-relay;x=y", []byte("Signal=16\nDuration=99999999\n"))
	f.Fuzz(func(t *testing.T, ctype string, body []byte) {
		ev, err := parseINFO(ctype, body)
		if err != nil {
			return
		}
		if ev.Kind == call.EventDTMF && !call.ValidDTMF(ev.Digit) {
			t.Fatalf("invalid digit %q from %q", ev.Digit, body)
		}
	})
}

// fakeTx is a server transaction that records responses.
type fakeTx struct {
	mu        sync.Mutex
	responses []*sip.Response
	done      chan struct{}
	once      sync.Once
}

func newFakeTx() *fakeTx { return &fakeTx{done: make(chan struct{})} }

func (tx *fakeTx) Terminate()                         { tx.once.Do(func() { close(tx.done) }) }
func (tx *fakeTx) OnTerminate(sip.FnTxTerminate) bool { return true }
func (tx *fakeTx) Done() <-chan struct{}              { return tx.done }
func (tx *fakeTx) Err() error                         { return nil }
func (tx *fakeTx) Acks() <-chan *sip.Request          { return nil }
func (tx *fakeTx) OnCancel(sip.FnTxCancel) bool       { return true }
func (tx *fakeTx) Respond(res *sip.Response) error {
	tx.mu.Lock()
	tx.responses = append(tx.responses, res)
	tx.mu.Unlock()
	return nil
}

// FuzzInboundRequest feeds bytes through sipgo's parser and, when they make
// a request, through our handlers: nothing may panic, and an INVITE gets a
// final answer.
func FuzzInboundRequest(f *testing.F) {
	seeds := []string{
		"INVITE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nContact: <sip:a@127.0.0.1:5070>\r\nContent-Type: application/sdp\r\nContent-Length: " +
			itoa(len(roomOffer)) + "\r\n\r\n" + roomOffer,
		"INVITE sip:bob@127.0.0.1 SIP/2.0\r\nv: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK2\r\nf: <sip:a@127.0.0.1>;tag=1\r\nt: <sip:bob@127.0.0.1>\r\ni: c2\r\nCSeq: 1 INVITE\r\nm: <sip:a@127.0.0.1:5070>\r\nSession-Expires: 10\r\nRequire: 100rel\r\nl: 0\r\n\r\n",
		"BYE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK3\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:bob@127.0.0.1>;tag=2\r\nCall-ID: c1\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n",
		"INFO sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK4\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:bob@127.0.0.1>;tag=2\r\nCall-ID: c1\r\nCSeq: 3 INFO\r\nContent-Type: application/dtmf-relay\r\nContent-Length: 10\r\n\r\nSignal=5\r\n",
		"OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK5\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: c5\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	cfg := testConfig()
	srv, err := NewServer(cfg, testAllocator(f, 0), testLogger(f))
	if err != nil {
		f.Fatal(err)
	}
	srv.mu.Lock()
	srv.running = true
	srv.accept = func(l call.InboundLeg) { _ = l.Reject(context.Background(), call.Busy) }
	srv.mu.Unlock()
	f.Cleanup(func() {
		srv.wg.Wait()
		_ = srv.ua.Close()
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := sip.ParseMessage(data)
		if err != nil {
			return
		}
		req, ok := msg.(*sip.Request)
		if !ok {
			return
		}
		tx := newFakeTx()
		handled := make(chan struct{})
		go func() {
			defer close(handled)
			dispatch(srv, req, tx)
		}()
		select {
		case <-handled:
		case <-time.After(5 * time.Second):
			t.Fatalf("handler did not return for:\n%q", data)
		}
		if req.Method == sip.INVITE {
			if to := req.To(); to != nil && !to.Params.Has("tag") {
				tx.mu.Lock()
				final := false
				for _, r := range tx.responses {
					if r.StatusCode >= 200 {
						final = true
					}
				}
				tx.mu.Unlock()
				if !final {
					t.Fatalf("INVITE got no final response:\n%s", strings.TrimSpace(string(data)))
				}
			}
		}
	})
}

// dispatch passes a request to the handler the server registers for it.
func dispatch(srv *Server, req *sip.Request, tx sip.ServerTransaction) {
	switch req.Method {
	case sip.INVITE:
		srv.onInvite(req, tx)
	case sip.ACK:
		srv.onAck(req, tx)
	case sip.BYE:
		srv.onBye(req, tx)
	case sip.CANCEL:
		srv.onCancel(req, tx)
	case sip.OPTIONS:
		srv.onOptions(req, tx)
	case sip.INFO:
		srv.onInfo(req, tx)
	case sip.UPDATE:
		srv.onUpdate(req, tx)
	case sip.MESSAGE:
		srv.onMessage(req, tx)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
