package bench

import (
	"net/netip"
	"testing"
)

func TestAudioAddr(t *testing.T) {
	tests := []struct {
		name string
		sdp  string
		want string
	}{
		{"ours", AudioSDP(netip.MustParseAddrPort("127.0.0.1:40000"), 1), "127.0.0.1:40000"},
		{"media-level c", "v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 5000 RTP/AVP 0\r\nc=IN IP4 10.0.0.2\r\n", "10.0.0.2:5000"},
		{"video first", "v=0\r\nc=IN IP4 10.0.0.1\r\nm=video 6000 RTP/AVP 96\r\nc=IN IP4 10.0.0.9\r\nm=audio 5000 RTP/AVP 0\r\n", "10.0.0.1:5000"},
		{"audio then video", "v=0\r\nm=audio 5000 RTP/AVP 0\r\nc=IN IP4 10.0.0.3\r\nm=video 6000 RTP/AVP 96\r\nc=IN IP4 10.0.0.9\r\n", "10.0.0.3:5000"},
		{"LF only", "v=0\nc=IN IP4 127.0.0.1\nm=audio 30000 RTP/AVP 0 101\n", "127.0.0.1:30000"},
		{"no audio", "v=0\r\nc=IN IP4 10.0.0.1\r\nm=video 6000 RTP/AVP 96\r\n", ""},
		{"no address", "v=0\r\nm=audio 5000 RTP/AVP 0\r\n", ""},
		{"bad port", "v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 99999 RTP/AVP 0\r\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AudioAddr(tt.sdp)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("got %v, want an error", got)
				}
				return
			}
			if err != nil || got.String() != tt.want {
				t.Fatalf("got %v, %v; want %s", got, err, tt.want)
			}
		})
	}
}

func FuzzAudioAddr(f *testing.F) {
	f.Add(AudioSDP(netip.MustParseAddrPort("127.0.0.1:40000"), 1))
	f.Add("v=0\r\nc=IN IP4 10.0.0.1\r\nm=video 6000 RTP/AVP 96\r\nc=IN IP4 10.0.0.9\r\nm=audio 5000 RTP/AVP 0\r\n")
	f.Add("m=audio 1 RTP/AVP 0\nc=IN IP4 1.2.3.4/127\n")
	f.Fuzz(func(t *testing.T, sdp string) {
		a, err := AudioAddr(sdp)
		if err == nil && (!a.IsValid() || !a.Addr().Is4()) {
			t.Fatalf("AudioAddr returned %v without an error", a)
		}
	})
}
