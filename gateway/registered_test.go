package gateway

import (
	"testing"

	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/rules"
)

func TestTargetProtocol(t *testing.T) {
	tests := []struct {
		name string
		d    rules.Decision
		want call.Protocol
	}{
		{"sip rule", rules.Decision{Target: call.ProtocolSIP}, call.ProtocolSIP},
		{"h323 rule", rules.Decision{Target: call.ProtocolH323}, call.ProtocolH323},
		{"registered contact", rules.Decision{ToRegistered: true}, call.ProtocolSIP},
		{"registered with a protocol", rules.Decision{ToRegistered: true, Target: call.ProtocolH323}, call.ProtocolH323},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := targetProtocol(tc.d); got != tc.want {
				t.Errorf("targetProtocol = %s, want %s", got, tc.want)
			}
		})
	}
}
