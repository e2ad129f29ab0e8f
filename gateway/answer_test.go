package gateway

import (
	"testing"

	"github.com/switchyard/switchyard/call"
)

func TestAnswerStreams(t *testing.T) {
	var (
		pcmu = call.Codec{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1}
		pcma = call.Codec{Name: "PCMA", PayloadType: 8, ClockRate: 8000, Channels: 1}
		g729 = call.Codec{Name: "G729", PayloadType: 18, ClockRate: 8000, Channels: 1}
		opus = call.Codec{Name: "OPUS", PayloadType: 111, ClockRate: 48000, Channels: 2}
		tevt = call.Codec{Name: "telephone-event", PayloadType: 101, ClockRate: 8000}
		vp8  = call.Codec{Name: "VP8", PayloadType: 97, ClockRate: 90000}
		h264 = call.Codec{Name: "H264", PayloadType: 102, ClockRate: 90000, FMTP: "profile-level-id=42e01f;packetization-mode=1"}
		h261 = call.Codec{Name: "H261", PayloadType: 31, ClockRate: 90000}
	)
	audio := func(cs ...call.Codec) call.StreamOffer {
		return call.StreamOffer{ID: "a", Role: call.RoleAudio, Codecs: cs}
	}
	video := func(cs ...call.Codec) call.StreamOffer {
		return call.StreamOffer{ID: "v", Role: call.RoleVideo, Codecs: cs}
	}
	far := func(c call.Codec, r call.Role) call.Stream {
		return call.Stream{ID: "x" + r.String(), Role: r, Codec: c}
	}
	cases := []struct {
		name     string
		offer    []call.StreamOffer
		out      []call.Stream
		want     []string // answered codec names, in order
		mismatch bool
	}{
		{"common codec relays", []call.StreamOffer{audio(pcma, pcmu)}, []call.Stream{far(call.Codec{Name: "PCMU", PayloadType: 0, ClockRate: 8000}, call.RoleAudio)}, []string{"PCMU"}, false},
		{"caller's first transcodable", []call.StreamOffer{audio(tevt, g729, pcma, pcmu)}, []call.Stream{far(opus, call.RoleAudio)}, []string{"PCMA"}, false},
		{"video transcodes", []call.StreamOffer{audio(pcmu), video(h261, vp8)}, []call.Stream{far(pcmu, call.RoleAudio), far(h264, call.RoleVideo)}, []string{"PCMU", "VP8"}, false},
		{"untranscodable video left out", []call.StreamOffer{audio(pcmu), video(h261)}, []call.Stream{far(opus, call.RoleAudio), far(h264, call.RoleVideo)}, []string{"PCMU"}, false},
		{"nothing transcodes", []call.StreamOffer{audio(g729)}, []call.Stream{far(opus, call.RoleAudio)}, nil, true},
		{"far side has no codec we know", []call.StreamOffer{audio(pcmu)}, []call.Stream{far(g729, call.RoleAudio)}, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := answerStreams(call.Offer{Streams: tc.offer}, tc.out)
			if tc.mismatch {
				if call.CauseOf(err) != call.CodecMismatch {
					t.Fatalf("got %v, %v; want codec_mismatch", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("answered %+v, want %v", got, tc.want)
			}
			for i, s := range got {
				if s.Codec.Name != tc.want[i] {
					t.Fatalf("answered %+v, want %v", got, tc.want)
				}
				// The caller's own stream ID and payload type.
				for _, so := range tc.offer {
					if so.Role != s.Role {
						continue
					}
					if so.ID != s.ID {
						t.Fatalf("stream ID %s for role %s", s.ID, s.Role)
					}
					for _, c := range so.Codecs {
						if c.Name == s.Codec.Name && c.PayloadType != s.Codec.PayloadType {
							t.Fatalf("%s answered with payload type %d, the caller offered %d", c.Name, s.Codec.PayloadType, c.PayloadType)
						}
					}
				}
			}
		})
	}
}

// TestAnswerStreamsDirection: the caller's stream runs the other way from the
// far side's (both seen from their own party): a far side that only sends
// (the test source, music on hold) leaves the caller receiving only.
func TestAnswerStreamsDirection(t *testing.T) {
	pcmu := call.Codec{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1}
	cases := []struct {
		far, want call.Direction
	}{
		{call.SendRecv, call.SendRecv},
		{call.SendOnly, call.RecvOnly},
		{call.RecvOnly, call.SendOnly},
		{call.Inactive, call.Inactive},
	}
	for _, tc := range cases {
		t.Run(tc.far.String(), func(t *testing.T) {
			offer := call.Offer{Streams: []call.StreamOffer{{ID: "a", Role: call.RoleAudio, Codecs: []call.Codec{pcmu}}}}
			got, err := answerStreams(offer, []call.Stream{{ID: "x", Role: call.RoleAudio, Codec: pcmu, Direction: tc.far}})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Direction != tc.want {
				t.Fatalf("far side %s: answered %+v, want the caller %s", tc.far, got, tc.want)
			}
		})
	}
}
