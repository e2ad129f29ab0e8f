package sip

import (
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/switchyard/switchyard/call"
)

func TestRejectStatus(t *testing.T) {
	tests := []struct {
		cause  call.Cause
		status int
	}{
		{call.Busy, 486},
		{call.Rejected, 603},
		{call.NoRoute, 404},
		{call.Capacity, 503},
		{call.Maintenance, 503},
		{call.CodecMismatch, 488},
		{call.Timeout, 408},
		{call.Forbidden, 403},
		{call.Internal, 500},
		{call.LocalHangup, 487},
		// Normal ends have no failure status: 480.
		{call.RemoteHangup, 480},
		{call.CauseNone, 480},
	}
	for _, tc := range tests {
		code, reason := rejectStatus(tc.cause)
		if code != tc.status || reason == "" {
			t.Errorf("%s: %d %q, want %d", tc.cause, code, reason, tc.status)
		}
	}
}

func TestStatusToCause(t *testing.T) {
	tests := []struct {
		status int
		cause  call.Cause
	}{
		{486, call.Busy}, {600, call.Busy}, {404, call.NotFound}, {408, call.Timeout},
		{480, call.NoAnswer}, {487, call.LocalHangup}, {488, call.CodecMismatch},
		{503, call.Unavailable}, {603, call.Rejected}, {401, call.Unauthorized},
		{407, call.Unauthorized}, {403, call.Forbidden}, {500, call.DialOutFailed},
	}
	for _, tc := range tests {
		res := sip.NewResponse(tc.status, "x")
		if got := responseError(res); got.Cause != tc.cause {
			t.Errorf("%d: cause %s, want %s", tc.status, got.Cause, tc.cause)
		}
	}
}

func TestReasonHeader(t *testing.T) {
	for _, c := range call.Catalogue()[1:] {
		h := reasonHeader(c.Cause, byeCode(c.Cause))
		v := h.Value()
		if !strings.HasPrefix(v, "SIP;cause=") || !strings.Contains(v, `;text="`) || strings.ContainsAny(v, "\r\n") {
			t.Errorf("%s: Reason %q", c.Name, v)
		}
		code, ok := parseReason(v)
		if !ok || code != byeCode(c.Cause) {
			t.Errorf("%s: parsed %d %v from %q", c.Name, code, ok, v)
		}
	}
	if code := byeCode(call.Timeout); code != 408 {
		t.Errorf("timeout BYE code %d", code)
	}
	for _, bad := range []string{"", "Q.850;cause=16", "SIP;cause=abc", "SIP;cause=99", "SIP"} {
		if _, ok := parseReason(bad); ok {
			t.Errorf("parseReason(%q) accepted", bad)
		}
	}
	if code, ok := parseReason(`Q.850;cause=16, SIP;cause=486;text="Busy"`); !ok || code != 486 {
		t.Errorf("multi-value Reason: %d %v", code, ok)
	}
}
