package call

// FromSIPStatus maps a far side's final SIP response to an INVITE to a cause.
// 2xx maps to CauseNone.
func FromSIPStatus(status int) Cause {
	switch {
	case status >= 200 && status < 300:
		return CauseNone
	case status == 401 || status == 407:
		return Unauthorized
	case status == 403:
		return Forbidden
	case status == 404 || status == 484 || status == 604:
		return NotFound
	case status == 408:
		return Timeout
	case status == 480:
		return NoAnswer
	case status == 486 || status == 600:
		return Busy
	case status == 487:
		return LocalHangup
	case status == 488 || status == 415 || status == 606:
		return CodecMismatch
	case status == 503:
		return Unavailable
	case status == 603:
		return Rejected
	case status == 400:
		return BadRequest
	case status >= 300 && status < 700:
		return DialOutFailed
	}
	return Internal
}

// FromQ931 maps a far side's Q.931 cause value (in ReleaseComplete) to a cause.
// Normal clearing maps to RemoteHangup.
func FromQ931(value uint8) Cause {
	switch value {
	case 1, 2, 3, 22:
		return NotFound
	case 16, 31:
		return RemoteHangup
	case 17:
		return Busy
	case 18, 19:
		return NoAnswer
	case 21:
		return Rejected
	case 27, 38:
		return DialOutFailed
	case 28:
		return BadRequest
	case 34, 41, 42, 44, 47:
		return Unavailable
	case 57, 63, 87:
		return Forbidden
	case 58, 65, 79, 88:
		return CodecMismatch
	case 102:
		return Timeout
	}
	return DialOutFailed
}

// FromHTTPStatus maps an HTTP failure status from a far side (a WHIP/WHEP
// endpoint, an RTSP server's equivalent codes) to a cause.
func FromHTTPStatus(status int) Cause {
	switch {
	case status >= 200 && status < 300:
		return CauseNone
	case status == 400:
		return BadRequest
	case status == 401 || status == 407:
		return Unauthorized
	case status == 403:
		return Forbidden
	case status == 404 || status == 410:
		return NotFound
	case status == 406 || status == 415 || status == 488:
		return CodecMismatch
	case status == 408 || status == 504:
		return Timeout
	case status == 453 || status == 503:
		return Unavailable
	case status == 486:
		return Busy
	}
	return DialOutFailed
}
