package gateway

import (
	"github.com/switchyard/switchyard/bridge"
	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/rules"
)

// reserveTranscodes takes, before the caller is answered, the transcoder slots
// the call will use: two (one per direction) for each role whose answered
// codec differs from the far side's. When they do not fit the call is refused
// with the capacity cause, rather than answered with a stream missing or
// degrading every call. The returned function gives the slots back.
func (g *Gateway) reserveTranscodes(answer, far []call.Stream) (release func(), err error) {
	var releases []func()
	release = func() {
		for _, r := range releases {
			r()
		}
	}
	for _, a := range answer {
		for _, f := range far {
			if f.Role != a.Role || a.Codec.SameFormat(f.Codec) {
				continue
			}
			video := a.Role == call.RoleVideo || a.Role == call.RoleContent
			for range 2 {
				r, err := g.transcoders.Acquire(video)
				if err != nil {
					release()
					return nil, call.Errorf(call.Capacity, "no transcoder free for %s %s ⇄ %s: %v", a.Role, a.Codec, f.Codec, err)
				}
				releases = append(releases, r)
			}
			break
		}
	}
	return release, nil
}

// transcodeOptions bounds the bridge's transcoders by the rule's media
// policy. The slots were reserved by reserveTranscodes, so the bridge itself
// is not limited again.
func transcodeOptions(p rules.MediaPolicy) *bridge.TranscodeOptions {
	o := &bridge.TranscodeOptions{}
	if p.MaxBitrateOut > 0 {
		o.MaxBitrate = uint32(p.MaxBitrateOut) * 1000
	}
	return o
}
