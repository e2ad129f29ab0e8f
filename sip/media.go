package sip

import (
	"net/netip"
	"strconv"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/rtpio"
)

// This file applies offer/answer decisions to the leg's media lines: it
// opens and closes rtpio sessions, sets keys and remote addresses, and
// renders our session description.

// defaultSuite is the SDES suite we offer.
const defaultSuite = rtpio.SuiteAES128SHA1_80

// mediaName is the m-line media type of a role.
func mediaName(r call.Role) string {
	switch r {
	case call.RoleAudio:
		return "audio"
	case call.RoleVideo, call.RoleContent:
		return "video"
	}
	return "application"
}

// lineAt returns line i, growing the table. Callers hold mediaMu.
func (l *leg) lineAt(i int) *mediaLine {
	for len(l.lines) <= i {
		l.lines = append(l.lines, &mediaLine{})
	}
	return l.lines[i]
}

// openSession gives a line its rtpio session and track. Callers hold mediaMu.
func (l *leg) openSession(ln *mediaLine, s call.Stream) error {
	if ln.sess != nil {
		return nil
	}
	sess, err := l.srv.media.Open()
	if err != nil {
		return errorCause(call.Capacity, "open media session", err)
	}
	ln.sess = sess
	ln.track = newTrack(l, sess, s)
	return nil
}

// closeSession releases a line's session. Callers hold mediaMu.
func (l *leg) closeSession(ln *mediaLine) {
	if ln.sess != nil {
		_ = ln.sess.Close()
		ln.sess, ln.track, ln.keys = nil, nil, nil
	}
}

// configureSession applies a negotiated line to its session: clock rate,
// remote addresses, feedback and the track's stream. Callers hold mediaMu.
func (l *leg) configureSession(ln *mediaLine) {
	if ln.sess == nil {
		return
	}
	d := ln.dec
	ln.sess.SetClockRate(d.Stream.Codec.ClockRate)
	r := ln.remote
	var rtpAddr, rtcpAddr netip.AddrPort
	if r.Addr.IsValid() && r.Port > 0 {
		rtpAddr = netip.AddrPortFrom(r.Addr, uint16(r.Port))
		if r.RTCPPort > 0 {
			rtcpAddr = netip.AddrPortFrom(r.Addr, uint16(r.RTCPPort))
		}
	}
	if r.Addr.IsValid() && r.Addr.IsUnspecified() {
		rtpAddr, rtcpAddr = netip.AddrPort{}, netip.AddrPort{}
	}
	ln.sess.SetRemote(rtpAddr, rtcpAddr, d.RTCPMux)
	id := d.Stream.ID
	ln.sess.SetFeedbackHandler(func(ev call.Event) {
		ev.Stream = id
		l.emit(ev)
	})
	ln.track.setStream(d.Stream, d.Events)
}

// localLine renders our m-line for a decision on an open session.
func (l *leg) localLine(ln *mediaLine, d lineDecision, proto, media, mid string) mediaDesc {
	m := mediaDesc{
		Media:      media,
		Proto:      proto,
		ID:         d.Stream.ID,
		Mid:        mid,
		Role:       d.Stream.Role,
		Carried:    true,
		Content:    d.Content,
		Dir:        d.Dir,
		RTCPMux:    d.RTCPMux,
		Codecs:     d.Codecs,
		Events:     d.Events,
		MaxBitrate: d.MaxBitrate,
	}
	if ln.sess != nil {
		m.Port = int(ln.sess.LocalAddr().Port())
		if !d.RTCPMux {
			m.RTCPPort = m.Port + 1
		}
	}
	if d.LocalCrypto != "" {
		m.Crypto = []string{d.LocalCrypto}
	}
	return m
}

// refusedLine is an m-line we refuse, in the far side's terms.
func refusedLine(r mediaDesc) mediaDesc {
	return mediaDesc{Media: r.Media, Proto: r.Proto, Formats: r.Formats, Mid: r.Mid, ID: r.ID, Role: r.Role}
}

// installAnswer applies our answer to a remote offer: sessions for accepted
// lines (SRTP when the decision says), refused lines closed. It returns our
// session description. Callers hold mediaMu.
func (l *leg) installAnswer(remote *sessionDesc, decs []lineDecision) ([]byte, error) {
	for i := range remote.Media {
		ln := l.lineAt(i)
		r := remote.Media[i]
		ln.remote = r
		d := decs[i]
		if !d.Accept {
			l.closeSession(ln)
			ln.dec = lineDecision{}
			ln.local = refusedLine(r)
			continue
		}
		if err := l.openSession(ln, d.Stream); err != nil {
			return nil, err
		}
		if d.RemoteCrypto != "" {
			tag, rkeys, err := rtpio.ParseCrypto(d.RemoteCrypto)
			if err != nil {
				return nil, errorCause(call.CodecMismatch, "far side's a=crypto", err)
			}
			attr, keys := d.LocalCrypto, ln.keys
			if attr == "" {
				// Keep the keys of an earlier answer (a 183, a re-INVITE).
				attr = ln.dec.LocalCrypto
			}
			if keys == nil || attr == "" || keys.Suite != rkeys.Suite {
				attr, keys, err = rtpio.GenerateCrypto(tag, rkeys.Suite)
				if err != nil {
					return nil, errorCause(call.Internal, "SRTP keys", err)
				}
			}
			if err := ln.sess.SetSRTP(keys, rkeys); err != nil {
				return nil, errorCause(call.Internal, "SRTP", err)
			}
			ln.keys, d.LocalCrypto = keys, attr
		} else if ln.keys != nil {
			if err := ln.sess.SetSRTP(nil, nil); err != nil {
				return nil, errorCause(call.Internal, "SRTP", err)
			}
			ln.keys, d.LocalCrypto = nil, ""
		}
		ln.dec = d
		ln.local = l.localLine(ln, d, r.Proto, r.Media, r.Mid)
		l.configureSession(ln)
	}
	for i := len(remote.Media); i < len(l.lines); i++ {
		l.closeSession(l.lines[i])
	}
	if len(l.lines) > len(remote.Media) {
		l.lines = l.lines[:len(remote.Media)]
	}
	return l.renderSDP(), nil
}

// installOffer prepares our offer: lines[i] takes decs[i]; accepted lines
// get a session (and SDES keys when srtp is not off), the others are
// refused with port 0. Callers hold mediaMu.
func (l *leg) installOffer(decs []lineDecision, srtp call.SRTPMode) ([]byte, error) {
	for i, d := range decs {
		ln := l.lineAt(i)
		if !d.Accept {
			l.closeSession(ln)
			ln.dec = lineDecision{}
			ref := ln.local
			if ref.Media == "" {
				ref = mediaDesc{Media: mediaName(d.Stream.Role), Proto: "RTP/AVP", Formats: []string{"0"}}
			}
			ln.local = refusedLine(ref)
			ln.local.Port = 0
			continue
		}
		if err := l.openSession(ln, d.Stream); err != nil {
			return nil, err
		}
		proto := "RTP/AVP"
		if srtp != call.SRTPOff {
			if ln.keys == nil {
				attr, keys, err := rtpio.GenerateCrypto(1, defaultSuite)
				if err != nil {
					return nil, errorCause(call.Internal, "SRTP keys", err)
				}
				ln.keys, d.LocalCrypto = keys, attr
			} else {
				d.LocalCrypto = ln.dec.LocalCrypto
				if d.LocalCrypto == "" {
					attr, keys, err := rtpio.GenerateCrypto(1, defaultSuite)
					if err != nil {
						return nil, errorCause(call.Internal, "SRTP keys", err)
					}
					ln.keys, d.LocalCrypto = keys, attr
				}
			}
			if srtp == call.SRTPRequired {
				proto = "RTP/SAVP"
			}
		}
		d.RTCPMux = false
		ln.dec = d
		ln.local = l.localLine(ln, d, proto, mediaName(d.Stream.Role), "")
		ln.track.setStream(d.Stream, d.Events)
	}
	for i := len(decs); i < len(l.lines); i++ {
		l.closeSession(l.lines[i])
	}
	if len(l.lines) > len(decs) {
		l.lines = l.lines[:len(decs)]
	}
	return l.renderSDP(), nil
}

// applyRemoteAnswer takes the far side's answer to our offer in l.lines.
// Callers hold mediaMu.
func (l *leg) applyRemoteAnswer(answer *sessionDesc) error {
	offered := make([]lineDecision, len(l.lines))
	for i, ln := range l.lines {
		offered[i] = ln.dec
	}
	decs, err := applyAnswer(offered, answer, l.pol.srtp == call.SRTPRequired)
	if err != nil {
		return err
	}
	for i, d := range decs {
		ln := l.lines[i]
		ln.remote = answer.Media[i]
		if !d.Accept {
			l.closeSession(ln)
			ln.dec = lineDecision{}
			ln.local.Port = 0
			continue
		}
		if d.RemoteCrypto != "" && ln.keys != nil {
			_, rkeys, err := rtpio.ParseCrypto(d.RemoteCrypto)
			if err != nil {
				return errorCause(call.CodecMismatch, "far side's a=crypto", err)
			}
			if err := ln.sess.SetSRTP(ln.keys, rkeys); err != nil {
				return errorCause(call.Internal, "SRTP", err)
			}
		} else if ln.sess != nil {
			if err := ln.sess.SetSRTP(nil, nil); err != nil {
				return errorCause(call.Internal, "SRTP", err)
			}
		}
		d.Stream.ID = ln.dec.Stream.ID
		ln.dec = d
		l.configureSession(ln)
	}
	return nil
}

// renderSDP renders our session description from the lines and bumps the
// o= version. Callers hold mediaMu.
func (l *leg) renderSDP() []byte {
	media := make([]mediaDesc, len(l.lines))
	for i, ln := range l.lines {
		media[i] = ln.local
		if media[i].Media == "" {
			media[i] = mediaDesc{Media: "audio", Proto: "RTP/AVP", Formats: []string{"0"}}
		}
	}
	l.origin.Version++
	l.lastBody = buildSDP(l.origin, l.mediaIP(), media, l.pol.trim)
	return l.lastBody
}

// farOnHold reports whether the far side's last description holds every
// accepted line. Callers hold mediaMu.
func (l *leg) farOnHold() bool {
	any := false
	for _, ln := range l.lines {
		if !ln.dec.Accept {
			continue
		}
		any = true
		if !ln.remote.OnHold() {
			return false
		}
	}
	return any
}

// uniqueID returns id, or a variant of it not used by another line.
// Callers hold mediaMu.
func (l *leg) uniqueID(id string, except int) string {
	taken := func(s string) bool {
		for i, ln := range l.lines {
			if i != except && ln.dec.Accept && ln.dec.Stream.ID == s {
				return true
			}
		}
		return false
	}
	if id != "" && !taken(id) {
		return id
	}
	for n := 0; ; n++ {
		c := "m" + strconv.Itoa(except) + "-" + strconv.Itoa(n)
		if !taken(c) {
			return c
		}
	}
}
