package webrtc

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// defaultCredentialTTL is the life of TURN credentials made from a secret
// when the configuration gives none.
const defaultCredentialTTL = 12 * time.Hour

// turnUser is the user part of TURN REST credentials.
const turnUser = "switchyard"

// clientICEServer is an ICE server as RTCPeerConnection's configuration
// takes it.
type clientICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// clientICEServers returns the configured servers with credentials, making
// time-limited TURN credentials from secrets (TURN REST API: the username
// is the expiry as a Unix time and a user name, the credential the base64
// HMAC-SHA1 of the username under the shared secret).
func clientICEServers(servers []ICEServer, now time.Time) []clientICEServer {
	out := make([]clientICEServer, 0, len(servers))
	for _, s := range servers {
		c := clientICEServer{URLs: append([]string(nil), s.URLs...), Username: s.Username, Credential: s.Credential}
		if s.Secret != "" {
			ttl := s.CredentialTTL
			if ttl <= 0 {
				ttl = defaultCredentialTTL
			}
			c.Username = strconv.FormatInt(now.Add(ttl).Unix(), 10) + ":" + turnUser
			mac := hmac.New(sha1.New, []byte(s.Secret))
			mac.Write([]byte(c.Username))
			c.Credential = base64.StdEncoding.EncodeToString(mac.Sum(nil))
		}
		if !hasTURN(c.URLs) {
			c.Username, c.Credential = "", ""
		}
		out = append(out, c)
	}
	return out
}

func hasTURN(urls []string) bool {
	for _, u := range urls {
		if strings.HasPrefix(strings.ToLower(u), "turn") {
			return true
		}
	}
	return false
}

// linkHeaders renders ICE servers as WHIP/WHEP Link header values
// (RFC 9725 section 4.6).
func linkHeaders(servers []clientICEServer) []string {
	var out []string
	for _, s := range servers {
		for _, u := range s.URLs {
			v := fmt.Sprintf("<%s>; rel=\"ice-server\"", u)
			if s.Username != "" {
				v += fmt.Sprintf("; username=%q; credential=%q; credential-type=\"password\"", s.Username, s.Credential)
			}
			out = append(out, v)
		}
	}
	return out
}
