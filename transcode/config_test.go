package transcode

import (
	"errors"
	"sync"
	"testing"

	"github.com/switchyard/switchyard/call"
)

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		name   string
		cfg    Config
		fields []string
	}{
		{"default", DefaultConfig(), nil},
		{"off", Config{}, nil},
		{"negative", Config{MaxVideo: -1, MaxAudio: -2}, []string{"max_video", "max_audio"}},
		{"absurd", Config{MaxVideo: 1, MaxAudio: 10_000_000}, []string{"max_audio"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			var got []string
			for _, e := range unjoin(err) {
				var fe *FieldError
				if !errors.As(e, &fe) {
					t.Fatalf("error without a field: %v", e)
				}
				got = append(got, fe.FieldPath())
			}
			if len(got) != len(tc.fields) {
				t.Fatalf("fields %v, want %v", got, tc.fields)
			}
			for i := range got {
				if got[i] != tc.fields[i] {
					t.Fatalf("fields %v, want %v", got, tc.fields)
				}
			}
		})
	}
}

func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestLimiter(t *testing.T) {
	l := NewLimiter(Config{MaxVideo: 1, MaxAudio: 2})
	r1, err := l.Acquire(true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Acquire(true); call.CauseOf(err) != call.Capacity {
		t.Fatalf("second video transcode: %v", err)
	}
	a1, _ := l.Acquire(false)
	a2, err := l.Acquire(false)
	if err != nil {
		t.Fatal(err)
	}
	if v, a := l.InUse(); v != 1 || a != 2 {
		t.Fatalf("in use %d/%d", v, a)
	}
	r1()
	r1() // twice is harmless
	a1()
	a2()
	if v, a := l.InUse(); v != 0 || a != 0 {
		t.Fatalf("in use %d/%d after release", v, a)
	}
	var nilLimiter *Limiter
	if rel, err := nilLimiter.Acquire(true); err != nil || rel == nil {
		t.Fatal("a nil limiter refuses")
	}
	off := NewLimiter(Config{})
	if _, err := off.Acquire(false); err == nil {
		t.Fatal("max_audio 0 allowed a transcode")
	}
	// Concurrent use.
	l.SetLimits(Config{MaxVideo: 50, MaxAudio: 50})
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			if rel, err := l.Acquire(false); err == nil {
				rel()
			}
		})
	}
	wg.Wait()
	if _, a := l.InUse(); a != 0 {
		t.Fatalf("%d audio transcodes left", a)
	}
}

func TestExtend(t *testing.T) {
	offer := call.Offer{Streams: []call.StreamOffer{
		{ID: "a", Role: call.RoleAudio, Codecs: []call.Codec{pcmu, {Name: "telephone-event", PayloadType: 101, ClockRate: 8000}, {Name: "OPUS", PayloadType: 96, ClockRate: 48000, Channels: 2}}},
		{ID: "v", Role: call.RoleVideo, Codecs: []call.Codec{{Name: "H264", PayloadType: 102, ClockRate: 90000, FMTP: "profile-level-id=42e01f;packetization-mode=1"}}},
		{ID: "x", Role: call.RoleVideo, Codecs: []call.Codec{{Name: "H261", PayloadType: 31, ClockRate: 90000}}},
		{ID: "d", Role: call.RoleVideo, Disabled: true, Codecs: []call.Codec{vp8}},
		{ID: "f", Role: call.RoleFECC, Codecs: []call.Codec{{Name: "H224", PayloadType: 100, ClockRate: 4800}}},
	}}
	orig := len(offer.Streams[0].Codecs)
	got := Extend(offer)
	if len(offer.Streams[0].Codecs) != orig {
		t.Fatal("Extend changed its input")
	}
	names := func(cs []call.Codec) (out []string) {
		for _, c := range cs {
			out = append(out, c.Name)
		}
		return out
	}
	a := got.Streams[0].Codecs
	if n := names(a); len(n) != 5 || n[0] != "PCMU" || n[2] != "OPUS" || n[3] != "G722" || n[4] != "PCMA" {
		t.Fatalf("audio %v", n)
	}
	seen := map[uint8]bool{}
	for _, c := range a {
		if seen[c.PayloadType] {
			t.Fatalf("payload type %d twice in %+v", c.PayloadType, a)
		}
		seen[c.PayloadType] = true
	}
	v := got.Streams[1].Codecs
	if n := names(v); len(n) != 5 || n[1] != "VP8" || n[2] != "H264" || v[2].FMTP == v[0].FMTP {
		t.Fatalf("video %v", n)
	}
	if v[0].PayloadType == v[2].PayloadType {
		t.Fatal("duplicate payload type 102")
	}
	if len(got.Streams[2].Codecs) != 1 || len(got.Streams[3].Codecs) != 1 || len(got.Streams[4].Codecs) != 1 {
		t.Fatal("untranscodable, disabled or FECC streams were extended")
	}
	if c, ok := TranscodableFrom(offer.Streams[0].Codecs, g722); !ok || c.Name != "PCMU" {
		t.Fatalf("TranscodableFrom: %v %v", c, ok)
	}
}
