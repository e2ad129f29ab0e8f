package call

import "testing"

func TestCodecSameFormat(t *testing.T) {
	tests := []struct {
		a, b Codec
		want bool
	}{
		{Codec{Name: "PCMU", PayloadType: 0, ClockRate: 8000}, Codec{Name: "pcmu", PayloadType: 0, ClockRate: 8000, Channels: 1}, true},
		{Codec{Name: "OPUS", ClockRate: 48000, Channels: 2}, Codec{Name: "OPUS", ClockRate: 48000, Channels: 1}, false},
		{Codec{Name: "H264", ClockRate: 90000, FMTP: "profile-level-id=42e01f;packetization-mode=1"},
			Codec{Name: "H264", ClockRate: 90000, FMTP: "packetization-mode=1; profile-level-id=42E028"}, true},
		{Codec{Name: "H264", ClockRate: 90000, FMTP: "profile-level-id=42e01f;packetization-mode=1"},
			Codec{Name: "H264", ClockRate: 90000, FMTP: "profile-level-id=42e01f"}, false},
		{Codec{Name: "H264", ClockRate: 90000, FMTP: "profile-level-id=640028;packetization-mode=1"},
			Codec{Name: "H264", ClockRate: 90000, FMTP: "profile-level-id=42e01f;packetization-mode=1"}, false},
		{Codec{Name: "VP8", ClockRate: 90000}, Codec{Name: "H264", ClockRate: 90000}, false},
	}
	for i, tt := range tests {
		if got := tt.a.SameFormat(tt.b); got != tt.want {
			t.Errorf("%d: %v.SameFormat(%v) = %v", i, tt.a, tt.b, got)
		}
	}
}

func TestNamesRoundTrip(t *testing.T) {
	for _, p := range Protocols() {
		got, err := ParseProtocol(p.String())
		if err != nil || got != p {
			t.Errorf("protocol %v: %v %v", p, got, err)
		}
	}
	if _, err := ParseProtocol("smtp"); err == nil {
		t.Error("ParseProtocol accepted smtp")
	}
	for _, r := range Roles() {
		got, err := ParseRole(r.String())
		if err != nil || got != r {
			t.Errorf("role %v: %v %v", r, got, err)
		}
	}
	if SendOnly.Reverse() != RecvOnly || !SendRecv.Sends() || RecvOnly.Sends() || !RecvOnly.Receives() {
		t.Error("direction helpers wrong")
	}
	for _, d := range []byte("0123456789*#ABCDF") {
		if !ValidDTMF(d) {
			t.Errorf("ValidDTMF(%q) = false", d)
		}
	}
	if ValidDTMF('x') || ValidDTMF(0) {
		t.Error("ValidDTMF accepted junk")
	}
}
