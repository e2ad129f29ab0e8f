// Package rules is Switchyard's dial plan: it decides where a call goes.
//
// A protocol listener describes an incoming call (or an API dial-out) as a
// Request; Engine.Route answers with an ordered list of Decisions or a
// *call.Error. The engine checks, in this order: the gateway's local
// services (echo, test pattern), the configured aliases (a name that stands
// for a call string such as an RTSP camera URL), and the routing rules,
// sorted by priority. A rule filters on direction, inbound protocol,
// registration, source address or trunk, matches the dialed alias with an
// anchored RE2 expression, rewrites it with a replace template and carries
// a media policy. A rule may say on_failure: continue, and then the next
// matching rule is returned too, as a fallback the gateway tries when the
// first dial-out fails.
//
// Call strings (sip:, sips:, h323:, host##alias, tel:, rtsp://, rtmp://,
// the TrueConf-style #sip: prefixes, plain aliases) are parsed into an
// Address by ParseCallString. Addresses without a host are completed from
// the trunk roles (default SIP trunk, default gatekeeper, default VoIP
// server), and tel: numbers get their leading '+' rewritten to the trunk's
// international prefix. A result that is not dialable for its protocol is
// the cause invalid_transform: nothing is sent.
//
// Explain gives the same outcome together with a trace that says, for every
// rule looked at, why it did or did not match; the CLI prints it.
//
// Route is on the call set-up path: it does not allocate for rules that do
// not match, an index of literal prefixes, suffixes and required
// substrings keeps most rules from ever running their expression, and the
// usual shapes of expression (a literal with one run of digits or of any
// characters) are matched without the regexp machinery.
//
// The package is pure: it does no I/O (no DNS, no registrar lookups), holds
// no global state, and an Engine is immutable and safe for concurrent use.
// It does not place calls, watch configuration files or know any protocol
// stack; loading YAML and reloading on SIGHUP belong to the config package
// and the gateway.
package rules
