// Package service holds the gateway's local services: call legs that the
// gateway answers itself instead of dialing out. Echo sends every stream back
// to the caller, so a new user can test a phone against the gateway in a
// minute. TestSource sends a moving test pattern with a clock and a 1 kHz
// tone, encoded in the caller's own codecs.
//
// A service is a call.Leg of protocol call.ProtocolLocal; the bridge joins it
// to the caller's leg like any other leg.
package service
