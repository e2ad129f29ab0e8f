package sip

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/switchyard/switchyard/call"
)

// This file holds RFC 4028 session timers and the leg's supervisor, which
// also enforces the media timeout.

// superviseTick is how often the supervisor looks at the timers.
const superviseTick = 250 * time.Millisecond

// sessionTimer is the negotiated session interval and who refreshes.
type sessionTimer struct {
	mu          sync.Mutex
	active      bool
	interval    time.Duration
	refresher   bool // we send the refreshes
	useUpdate   bool // the far side allows UPDATE: refresh without SDP
	nextRefresh time.Time
	expires     time.Time
}

// set starts or restarts the timer after a refresh (or the answer) at now.
func (t *sessionTimer) set(interval time.Duration, weRefresh bool, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if interval <= 0 {
		t.active = false
		return
	}
	t.active, t.interval, t.refresher = true, interval, weRefresh
	t.nextRefresh = now.Add(interval / 2)
	// RFC 4028 §10: the side that does not refresh sends BYE a little before
	// the session expires: the smaller of 32 s and a third of the interval.
	t.expires = now.Add(interval - min(32*time.Second, interval/3))
}

// refreshed restarts the timer with the current interval.
func (t *sessionTimer) refreshed(now time.Time) {
	t.mu.Lock()
	interval, weRefresh, active := t.interval, t.refresher, t.active
	t.mu.Unlock()
	if active {
		t.set(interval, weRefresh, now)
	}
}

// timerDue says what the timer wants now.
type timerDue uint8

const (
	timerIdle timerDue = iota
	timerRefresh
	timerExpired
)

func (t *sessionTimer) due(now time.Time) timerDue {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case !t.active:
		return timerIdle
	case t.refresher && !now.Before(t.nextRefresh):
		return timerRefresh
	case !t.refresher && !now.Before(t.expires):
		return timerExpired
	}
	return timerIdle
}

// postpone delays the next refresh attempt (after a 491).
func (t *sessionTimer) postpone(d time.Duration) {
	t.mu.Lock()
	t.nextRefresh = time.Now().Add(d)
	t.mu.Unlock()
}

func (t *sessionTimer) snapshot() (interval time.Duration, weRefresh, useUpdate, active bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.interval, t.refresher, t.useUpdate, t.active
}

// sessionExpires reads Session-Expires (or its compact form x): seconds and
// the refresher parameter ("uac", "uas" or "").
func sessionExpires(m interface{ GetHeader(string) sip.Header }) (secs int, refresher string) {
	secs, params := intHeader(m, "Session-Expires", "x")
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(k, "refresher") {
			refresher = strings.ToLower(strings.TrimSpace(v))
		}
	}
	return secs, refresher
}

func seconds(d time.Duration) int { return int((d + time.Second - 1) / time.Second) }

// uasTimer is the outcome of negotiating a session timer on a request we
// answer (INVITE, re-INVITE, UPDATE).
type uasTimer struct {
	interval  time.Duration
	weRefresh bool
	headers   []sip.Header
}

// negotiateUAS decides the session timer for a request we answer. A
// Session-Expires below our Min-SE is refused with 422 (returned as reject).
func (s *Server) negotiateUAS(req *sip.Request) (uasTimer, *statusReply) {
	st := s.config().SessionTimer
	if !st.Enabled {
		return uasTimer{}, nil
	}
	minSE := seconds(st.MinSE)
	se, refresher := sessionExpires(req)
	supported := hasOption(req, "timer", "Supported", "k", "Require")
	if se >= 0 && se < minSE {
		return uasTimer{}, &statusReply{status: 422, reason: "Session Interval Too Small",
			headers: []sip.Header{sip.NewHeader("Min-SE", strconv.Itoa(minSE))}}
	}
	interval := seconds(st.Expires)
	if se > 0 && se < interval {
		interval = se
	}
	if reqMin, _ := intHeader(req, "Min-SE"); reqMin > interval {
		interval = reqMin
	}
	if refresher != "uac" && refresher != "uas" {
		refresher = "uas"
		if supported {
			refresher = "uac"
		}
	}
	t := uasTimer{interval: time.Duration(interval) * time.Second, weRefresh: refresher == "uas"}
	t.headers = append(t.headers,
		sip.NewHeader("Session-Expires", strconv.Itoa(interval)+";refresher="+refresher))
	if supported {
		t.headers = append(t.headers, sip.NewHeader("Require", "timer"))
	}
	return t, nil
}

// uacTimerHeaders are what a request we send carries to ask for a session
// timer; minSE overrides our Min-SE after a 422.
func (s *Server) uacTimerHeaders(minSE int) []sip.Header {
	st := s.config().SessionTimer
	if !st.Enabled {
		return nil
	}
	ours := seconds(st.MinSE)
	interval := seconds(st.Expires)
	if minSE > ours {
		ours = minSE
	}
	if interval < ours {
		interval = ours
	}
	return []sip.Header{
		sip.NewHeader("Session-Expires", strconv.Itoa(interval)),
		sip.NewHeader("Min-SE", strconv.Itoa(ours)),
	}
}

// applyUACTimer takes the session timer from a 2xx to a request we sent.
// Without Session-Expires in the answer we refresh ourselves with the
// interval we asked for (RFC 4028 §7.4).
func (l *leg) applyUACTimer(req *sip.Request, res *sip.Response) {
	if !l.srv.config().SessionTimer.Enabled {
		return
	}
	se, refresher := sessionExpires(res)
	weRefresh := refresher != "uas"
	if se <= 0 {
		se, _ = sessionExpires(req)
		weRefresh = true
	}
	if se <= 0 {
		return
	}
	l.timer.mu.Lock()
	l.timer.useUpdate = hasOption(res, "UPDATE", "Allow") || l.timer.useUpdate
	l.timer.mu.Unlock()
	l.timer.set(time.Duration(se)*time.Second, weRefresh, time.Now())
}

// applyUASTimer installs a timer negotiated on a request we answered.
func (l *leg) applyUASTimer(req *sip.Request, t uasTimer) {
	if t.interval <= 0 {
		return
	}
	l.timer.mu.Lock()
	l.timer.useUpdate = hasOption(req, "UPDATE", "Allow") || l.timer.useUpdate
	l.timer.mu.Unlock()
	l.timer.set(t.interval, t.weRefresh, time.Now())
}

// supervise watches the session timer and the media timeout until the leg
// ends.
func (l *leg) supervise() {
	tick := time.NewTicker(superviseTick)
	defer tick.Stop()
	mediaTimeout := l.srv.media.Config().MediaTimeout
	for {
		select {
		case <-l.ctx.Done():
			return
		case now := <-tick.C:
			switch l.timer.due(now) {
			case timerRefresh:
				if !l.refreshSession() {
					return
				}
			case timerExpired:
				l.terminate(call.Timeout, "session timer expired: no refresh from the far side", true)
				return
			}
			if mediaTimeout > 0 && l.mediaTimedOut(now, mediaTimeout) {
				l.terminate(call.MediaTimeout, "no media from the far side for "+mediaTimeout.String(), true)
				return
			}
		}
	}
}

// mediaTimedOut reports whether every active session has been silent for
// longer than timeout. Calls on hold are exempt.
func (l *leg) mediaTimedOut(now time.Time, timeout time.Duration) bool {
	l.mediaMu.Lock()
	defer l.mediaMu.Unlock()
	if l.farHold || l.localHold {
		return false
	}
	any := false
	for _, ln := range l.lines {
		if !ln.dec.Accept || ln.sess == nil || !ln.dec.Stream.Direction.Sends() {
			continue
		}
		any = true
		if now.Sub(ln.sess.LastReceived()) < timeout {
			return false
		}
	}
	return any
}

// refreshSession sends the session refresh: UPDATE without SDP when the far
// side allows it, else a re-INVITE with our current description. It
// returns false when the refresh failed and the leg was ended.
func (l *leg) refreshSession() bool {
	// One offer of ours at a time: a renegotiation in progress refreshes
	// the session too; try again shortly.
	if !l.offerMu.TryLock() {
		l.timer.postpone(time.Second)
		return true
	}
	defer l.offerMu.Unlock()
	l.offering.Store(true)
	defer l.offering.Store(false)
	interval, _, useUpdate, _ := l.timer.snapshot()
	// A refresh that has not succeeded when the session would expire failed.
	ctx, cancel := context.WithTimeout(l.ctx, interval/2)
	defer cancel()
	hdrs := []sip.Header{
		sip.NewHeader("Session-Expires", strconv.Itoa(seconds(interval))+";refresher=uac"),
		sip.NewHeader("Supported", "timer"),
	}
	var res *sip.Response
	var req *sip.Request
	var err error
	if useUpdate {
		req = l.dlg.newRequest(sip.UPDATE)
		req.AppendHeader(l.ourContact())
		for _, h := range hdrs {
			req.AppendHeader(h)
		}
		res, err = l.send(ctx, req)
	} else {
		l.mediaMu.Lock()
		body := l.lastBody
		l.mediaMu.Unlock()
		req, res, err = l.reinvite(ctx, body, hdrs)
	}
	switch {
	case l.ended():
		return false
	case err != nil:
		l.terminate(call.Timeout, "session refresh failed: "+err.Error(), true)
		return false
	case res.StatusCode == sip.StatusRequestPending:
		l.timer.postpone(time.Second + time.Duration(time.Now().UnixNano()%int64(time.Second)))
		return true
	case res.StatusCode == 422:
		if minSE, _ := intHeader(res, "Min-SE"); minSE > 0 {
			l.timer.set(time.Duration(minSE)*time.Second, true, time.Now().Add(-time.Duration(minSE)*time.Second/2))
			return true
		}
		fallthrough
	case !res.IsSuccess():
		l.terminate(call.Timeout, "session refresh answered "+strconv.Itoa(res.StatusCode)+" "+res.Reason, true)
		return false
	}
	if useUpdate || len(res.Body()) == 0 {
		l.applyUACTimer(req, res)
		return true
	}
	l.mediaMu.Lock()
	if ans, perr := parseSDP(res.Body()); perr == nil {
		if aerr := l.applyRemoteAnswer(ans); aerr != nil {
			l.log.Info("sip session refresh answer not applied", "error", aerr)
		}
	}
	l.mediaMu.Unlock()
	l.applyUACTimer(req, res)
	return true
}
