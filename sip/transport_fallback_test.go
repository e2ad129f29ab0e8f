package sip

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/call"
)

// bigOffer is an audio offer (PCMU first, then many Opus variants) large
// enough that the INVITE carrying it exceeds maxUDPRequest.
func bigOffer() call.Offer {
	o := audioOffer()
	for i := range 8 {
		o.Streams[0].Codecs = append(o.Streams[0].Codecs, call.Codec{Name: "opus", PayloadType: uint8(100 + i),
			ClockRate: 48000, Channels: 2,
			FMTP: fmt.Sprintf("maxplaybackrate=48000;sprop-maxcapturerate=48000;maxaveragebitrate=%d;useinbandfec=1;usedtx=0", 16000*(i+1))})
	}
	return o
}

// TestLargeInviteFallsBackToUDP: an INVITE above 1300 bytes goes over TCP
// (RFC 3261 §18.1.1); SIPp listens on UDP only, so the connection is
// refused and the INVITE goes over UDP after all, and the call connects.
func TestLargeInviteFallsBackToUDP(t *testing.T) {
	_, run, l, err := dialSIPp(t, testConfig(), "uas_answer.xml", "u1", bigOffer(), false)
	if err != nil {
		t.Fatalf("dial: %v\n%s", err, lastBytes(run.out.String(), 3000))
	}
	if s := l.Streams(); len(s) == 0 || !strings.EqualFold(s[0].Codec.Name, "PCMU") {
		t.Errorf("streams: %+v", s)
	}
	if err := l.Hangup(context.Background(), call.LocalHangup); err != nil {
		t.Errorf("hangup: %v", err)
	}
	run.expectSuccess(20 * time.Second)
}
