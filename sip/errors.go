package sip

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"

	"github.com/switchyard/switchyard/call"
)

// This file maps SIP statuses to causes and back, in one place.

// rejectStatus is the final response to an INVITE refused with cause. Causes
// whose catalogue status is not a failure (the normal hangups) are answered
// 480, the generic "cannot take the call now".
func rejectStatus(c call.Cause) (int, string) {
	e := c.Entry()
	if e.SIPStatus < 300 || e.SIPStatus > 699 {
		return sip.StatusTemporarilyUnavailable, "Temporarily Unavailable"
	}
	return e.SIPStatus, e.SIPReason
}

// byeCode is the status a BYE's Reason header carries for cause: the
// catalogue's SIP status (200 when the cause has none).
func byeCode(c call.Cause) int {
	if code := c.SIPStatus(); code >= 100 && code <= 699 {
		return code
	}
	return 200
}

// reasonHeader renders `Reason: SIP;cause=<status>;text="<admin message>"`
// (RFC 3326) for cause.
func reasonHeader(c call.Cause, code int) sip.Header {
	text := strings.NewReplacer(`"`, `'`, "\\", "/", "\r", " ", "\n", " ").Replace(c.Entry().Admin)
	return sip.NewHeader("Reason", "SIP;cause="+strconv.Itoa(code)+`;text="`+text+`"`)
}

// parseReason reads the cause code of a Reason header with protocol SIP,
// or returns ok=false.
func parseReason(v string) (code int, ok bool) {
	for part := range strings.SplitSeq(v, ",") {
		fields := strings.Split(part, ";")
		if !strings.EqualFold(strings.TrimSpace(fields[0]), "SIP") {
			continue
		}
		for _, f := range fields[1:] {
			k, val, _ := strings.Cut(strings.TrimSpace(f), "=")
			if strings.EqualFold(strings.TrimSpace(k), "cause") {
				n, err := strconv.Atoi(strings.TrimSpace(val))
				if err == nil && n >= 100 && n <= 699 {
					return n, true
				}
			}
		}
	}
	return 0, false
}

// responseError is the *call.Error for a final failure response.
func responseError(res *sip.Response) *call.Error {
	c := call.FromSIPStatus(res.StatusCode)
	if c == call.CauseNone {
		c = call.Internal
	}
	return &call.Error{Cause: c, Detail: fmt.Sprintf("far side answered %d %s", res.StatusCode, res.Reason)}
}

// transactionError maps a failed client transaction to a cause: no response
// at all is a timeout, a transport failure means the call could not be placed.
func transactionError(what string, err error) *call.Error {
	detail := what
	if err != nil {
		detail += ": " + err.Error()
	}
	switch {
	case errors.Is(err, sip.ErrTransactionTimeout), errors.Is(err, context.DeadlineExceeded):
		return &call.Error{Cause: call.Timeout, Detail: detail, Err: err}
	case errors.Is(err, context.Canceled):
		return &call.Error{Cause: call.LocalHangup, Detail: detail, Err: err}
	}
	return &call.Error{Cause: call.DialOutFailed, Detail: detail, Err: err}
}

// errorCause wraps err with cause unless it already carries one.
func errorCause(c call.Cause, what string, err error) error {
	var ce *call.Error
	if errors.As(err, &ce) {
		return err
	}
	return &call.Error{Cause: c, Detail: what + ": " + err.Error(), Err: err}
}
