// Package sip is Switchyard's SIP protocol leg: the listeners (UDP, TCP, TLS),
// inbound calls as call.InboundLeg, outbound calls through a call.Dialer, SDP
// offer/answer mapped to call.Offer and call.Stream, mid-call changes
// (re-INVITE, UPDATE, hold), RFC 4028 session timers, DTMF by RFC 4733 and
// SIP INFO, and media over rtpio sessions.
//
// It speaks SIP through sipgo's transport and transaction layers and keeps
// its own dialog state, so that every in-dialog request (BYE with a Reason,
// re-INVITE, UPDATE, INFO, session refreshes) is built here. The registrar,
// server-side digest checks, trunk registration and OPTIONS keepalives live
// in this package's registrar*, digest*, trunkreg* and keepalive* files.
//
// It is not a proxy and not a B2BUA by itself: it knows nothing about the
// other side of a call. The gateway joins a SIP leg to another leg through
// the bridge, which sees only call.Leg.
package sip
