package caps

import (
	"testing"

	"github.com/switchyard/switchyard/h323/h245"
)

// BenchmarkOfferToTCS measures building a TerminalCapabilitySet from an
// offer, once per call leg.
func BenchmarkOfferToTCS(b *testing.B) {
	o := sampleOffer()
	b.ReportAllocs()
	for b.Loop() {
		s, err := FromOffer(o, 1)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.TCS(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTCSToOffer measures parsing a received TerminalCapabilitySet
// (the H323Plus endpoint's of call1) into an offer.
func BenchmarkTCSToOffer(b *testing.B) {
	c := readCapture(b, "call1.pcap")
	var tcs *h245.TerminalCapabilitySet
	for _, m := range c.h245 {
		if m.Choice == h245.MultimediaSystemControlMessageChoiceRequest && m.Request.TerminalCapabilitySet != nil {
			tcs = m.Request.TerminalCapabilitySet
			break
		}
	}
	if tcs == nil {
		b.Fatal("no TCS in call1")
	}
	b.ReportAllocs()
	for b.Loop() {
		s, err := ParseTCS(tcs)
		if err != nil {
			b.Fatal(err)
		}
		s.Offer()
	}
}

// BenchmarkOLC measures building and parsing an H.264 logical channel.
func BenchmarkOLC(b *testing.B) {
	o := OLCCase("H.264 mode 1")
	b.ReportAllocs()
	for b.Loop() {
		olc, err := o.OpenLogicalChannel()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ParseOLC(&olc); err != nil {
			b.Fatal(err)
		}
	}
}
