package call

import (
	"fmt"
	"strings"
)

// Cause is why a call or leg ended or failed. Each cause has one entry in the
// catalogue, which says what every protocol sees.
type Cause uint8

// The causes. Normal ends are LocalHangup and RemoteHangup.
const (
	CauseNone Cause = iota
	// Routing.
	NoRoute
	InvalidTransform
	// The outbound leg.
	DialOutFailed
	NotFound
	Rejected
	Busy
	NoAnswer
	Unavailable
	// Ends of an established call.
	RemoteHangup
	LocalHangup
	// Time and media.
	Timeout
	MediaTimeout
	ICEFailed
	CodecMismatch
	// The gateway's own limits and policy.
	Capacity
	Maintenance
	Unauthorized
	Forbidden
	BadRequest
	Internal
	causeCount
)

// CatalogueEntry is what one cause means to each protocol and to people.
type CatalogueEntry struct {
	Cause Cause
	// Name is the stable identifier used in configuration, logs, call records
	// and the API (snake_case).
	Name string
	// SIPStatus and SIPReason are the final response to an INVITE that fails
	// with this cause (a BYE's Reason header carries the same code).
	SIPStatus int
	SIPReason string
	// Q931 is the Q.931 cause value in ReleaseComplete; H225Reason the
	// H.225.0 ReleaseCompleteReason alternative.
	Q931       uint8
	H225Reason string
	// HTTPStatus is the status of an API or WebRTC signalling request that
	// fails with this cause.
	HTTPStatus int
	// Admin is for the operator's log: what happened, precisely.
	Admin string
	// User is for the person who placed the call: what they can do.
	User string
}

// catalogue is indexed by Cause; it is a constant table.
var catalogue = [causeCount]CatalogueEntry{
	CauseNone: {CauseNone, "none", 0, "", 0, "", 200,
		"No failure.",
		""},
	NoRoute: {NoRoute, "no_route", 404, "Not Found", 1, "unreachableDestination", 404,
		"The dialed address matched no local service, alias or routing rule.",
		"Cannot connect to that address. Check it and try again."},
	InvalidTransform: {InvalidTransform, "invalid_transform", 500, "Invalid Route Transform", 28, "badFormatAddress", 500,
		"A routing rule matched, but its transform produced an address that is not valid for the target protocol; nothing was sent.",
		"The call could not be placed. Please contact your administrator."},
	DialOutFailed: {DialOutFailed, "dial_out_failed", 502, "Bad Gateway", 27, "unreachableDestination", 502,
		"A routing rule matched, but the outbound call could not be placed (no transport, connection refused, or an unexpected failure response).",
		"The call could not be placed."},
	NotFound: {NotFound, "not_found", 404, "Not Found", 1, "calledPartyNotRegistered", 404,
		"The far side does not know the dialed user or number.",
		"That address does not exist. Check it and try again."},
	Rejected: {Rejected, "rejected", 603, "Decline", 21, "destinationRejection", 403,
		"The far side rejected the call.",
		"The person you are calling declined the call."},
	Busy: {Busy, "busy", 486, "Busy Here", 17, "inConf", 409,
		"The far side is busy.",
		"The person you are calling is busy. Try again later."},
	NoAnswer: {NoAnswer, "no_answer", 480, "Temporarily Unavailable", 19, "undefinedReason", 504,
		"The far side was alerted but nobody answered in time.",
		"The person you are calling did not answer."},
	Unavailable: {Unavailable, "unavailable", 503, "Service Unavailable", 41, "gatewayResources", 503,
		"The far side or its server is temporarily unavailable.",
		"The person you are calling cannot be reached right now. Try again later."},
	RemoteHangup: {RemoteHangup, "remote_hangup", 200, "OK", 16, "undefinedReason", 200,
		"The far side ended the call.",
		"The other participant has disconnected."},
	LocalHangup: {LocalHangup, "local_hangup", 487, "Request Terminated", 16, "undefinedReason", 200,
		"The call was ended from this side (the caller hung up, or an operator disconnected it).",
		"The call has ended."},
	Timeout: {Timeout, "timeout", 408, "Request Timeout", 102, "unreachableDestination", 504,
		"The far side did not respond in time (no answer to the call request).",
		"The call could not be placed: there was no response."},
	MediaTimeout: {MediaTimeout, "media_timeout", 408, "Media Timeout", 102, "undefinedReason", 504,
		"No media arrived from a leg for longer than the media timeout.",
		"The call was lost: no audio or video arrived."},
	ICEFailed: {ICEFailed, "ice_failed", 488, "ICE Failed", 38, "unreachableDestination", 502,
		"ICE connectivity checks failed: no candidate pair could carry media.",
		"Call failed: a firewall may be blocking media."},
	CodecMismatch: {CodecMismatch, "codec_mismatch", 488, "Not Acceptable Here", 65, "neededFeatureNotSupported", 406,
		"The two sides share no codec and the gateway cannot transcode between them.",
		"The call could not be placed: the devices have no media format in common."},
	Capacity: {Capacity, "capacity", 503, "Service Unavailable", 34, "gatewayResources", 503,
		"The gateway has no capacity left for this call (call, transcode or port limit reached).",
		"The service is busy. Please try again shortly."},
	Maintenance: {Maintenance, "maintenance", 503, "Service Unavailable", 41, "gatewayResources", 503,
		"The gateway is in maintenance mode and accepts no new calls.",
		"The service is under maintenance. Please try again later."},
	Unauthorized: {Unauthorized, "unauthorized", 401, "Unauthorized", 21, "securityDenied", 401,
		"The caller did not authenticate, or its credentials were wrong.",
		"Sign-in failed. Check your credentials."},
	Forbidden: {Forbidden, "forbidden", 403, "Forbidden", 21, "noPermission", 403,
		"Policy does not allow this caller to reach this destination.",
		"You are not allowed to make this call."},
	BadRequest: {BadRequest, "bad_request", 400, "Bad Request", 100, "undefinedReason", 400,
		"The request was malformed or the dialed address is not valid (empty, too long or not UTF-8).",
		"That address is not valid. Check it and try again."},
	Internal: {Internal, "internal", 500, "Server Internal Error", 127, "undefinedReason", 500,
		"An internal error ended the call; the log has the details.",
		"Something went wrong. Please try again."},
}

// Catalogue returns every cause's entry in Cause order, CauseNone first.
func Catalogue() []CatalogueEntry {
	out := make([]CatalogueEntry, len(catalogue))
	copy(out, catalogue[:])
	return out
}

// Entry returns the cause's catalogue entry; an unknown cause reads as Internal.
func (c Cause) Entry() CatalogueEntry {
	if c >= causeCount {
		return catalogue[Internal]
	}
	return catalogue[c]
}

// String returns the cause's stable name.
func (c Cause) String() string { return c.Entry().Name }

// SIPStatus returns the SIP final response code for the cause.
func (c Cause) SIPStatus() int { return c.Entry().SIPStatus }

// Q931 returns the Q.931 cause value.
func (c Cause) Q931() uint8 { return c.Entry().Q931 }

// HTTPStatus returns the HTTP status for the cause.
func (c Cause) HTTPStatus() int { return c.Entry().HTTPStatus }

// MarshalText implements encoding.TextMarshaler.
func (c Cause) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *Cause) UnmarshalText(b []byte) error {
	v, ok := ParseCause(string(b))
	if !ok {
		return fmt.Errorf("unknown cause %q", b)
	}
	*c = v
	return nil
}

// ParseCause looks a cause up by name.
func ParseCause(name string) (Cause, bool) {
	for i := range catalogue {
		if strings.EqualFold(catalogue[i].Name, name) {
			return Cause(i), true
		}
	}
	return CauseNone, false
}

// Error is an error that carries a Cause. Detail says what happened in this
// instance, for the admin log; Err is the underlying error, if any.
type Error struct {
	Cause  Cause
	Detail string
	Err    error
}

// Errorf returns an *Error with the cause and a formatted detail. A %w verb
// wraps the underlying error as with fmt.Errorf.
func Errorf(cause Cause, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Cause: cause, Detail: err.Error(), Err: unwrapOne(err)}
}

func unwrapOne(err error) error {
	if u, ok := err.(interface{ Unwrap() error }); ok {
		return u.Unwrap()
	}
	return nil
}

// Error renders "name: detail".
func (e *Error) Error() string {
	if e.Detail == "" {
		return e.Cause.String()
	}
	return e.Cause.String() + ": " + e.Detail
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// CauseOf returns the cause carried by err (searching its wrap chain), None
// for nil, and Internal for an error that carries no cause.
func CauseOf(err error) Cause {
	if err == nil {
		return CauseNone
	}
	for e := err; e != nil; {
		if ce, ok := e.(*Error); ok {
			return ce.Cause
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			e = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, inner := range u.Unwrap() {
				if c := CauseOf(inner); c != Internal {
					return c
				}
			}
			return Internal
		default:
			e = nil
		}
	}
	return Internal
}
