package main

import "testing"

func TestGoName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"H323-UserInformation", "H323UserInformation"},
		{"setup-UUIE", "SetupUUIE"},
		{"H323-UU-PDU", "H323UUPDU"},
		{"h323-message-body", "H323MessageBody"},
		{"ipAddress", "IPAddress"},
		{"ip6Address", "IP6Address"},
		{"ipxAddress", "IpxAddress"},
		{"url-ID", "URLID"},
		{"gatekeeperId", "GatekeeperID"},
		{"protocolIdentifier", "ProtocolIdentifier"},
		{"rfc-number", "RfcNumber"},
		{"tokenOID", "TokenOID"},
		{"TBCD-STRING", "TBCDSTRING"},
		{"rtpPayloadType", "RTPPayloadType"},
		{"h245Tunneling", "H245Tunneling"},
	}
	for _, tc := range tests {
		if got := goName(tc.in); got != tc.want {
			t.Errorf("goName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTitleAllCaps(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SIGNED", "Signed"}, {"ENCRYPTED", "Encrypted"}, {"HASHED", "Hashed"},
		{"UUIE", "UUIE"}, {"Setup", "Setup"},
	}
	for _, tc := range tests {
		if got := titleAllCaps(tc.in); got != tc.want {
			t.Errorf("titleAllCaps(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
