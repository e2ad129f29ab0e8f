package sip

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// The client side of digest: answering a registrar's or proxy's challenge
// on a request the gateway sends (trunk REGISTER and OPTIONS). sipgo's
// DoDigestAuth rebuilds the Via header itself; answering here keeps the
// server's own request preparation (advertised address, rport, the UDP
// listener's socket, compact form, TCP fallback) for the retry too.

var errNoUsableChallenge = errors.New("no digest challenge with a supported algorithm and qop")

// authorizeRequest answers the digest challenge of res (401 or 407) on req:
// it adds Authorization (or Proxy-Authorization), replacing an earlier one,
// and increments the CSeq. The caller sends req again with a new Via
// branch.
func authorizeRequest(req *sip.Request, res *sip.Response, username, password string) error {
	challengeHeader, credentialsHeader := "WWW-Authenticate", "Authorization"
	if res.StatusCode == sip.StatusProxyAuthRequired {
		challengeHeader, credentialsHeader = "Proxy-Authenticate", "Proxy-Authorization"
	}
	var lastErr error = errNoUsableChallenge
	for _, h := range res.GetHeaders(challengeHeader) {
		c, err := parseAuthorization(h.Value())
		if err != nil {
			lastErr = fmt.Errorf("%s: %w", challengeHeader, err)
			continue
		}
		v, ok := answerChallenge(&c, string(req.Method), req.Recipient.String(), username, password, randomToken(8))
		if !ok {
			continue
		}
		for req.RemoveHeader(credentialsHeader) {
		}
		req.AppendHeader(sip.NewHeader(credentialsHeader, v))
		if cs := req.CSeq(); cs != nil {
			cs.SeqNo++
		}
		return nil
	}
	return lastErr
}

// answerChallenge computes the credentials for one parsed challenge, or
// returns false when it uses an algorithm or qop this side does not speak.
func answerChallenge(c *authorization, method, uri, username, password, cnonce string) (string, bool) {
	if !strings.EqualFold(c.Scheme, "Digest") || c.Nonce == "" {
		return "", false
	}
	alg, sess, ok := parseDigestAlgorithm(c.Algorithm)
	if !ok {
		return "", false
	}
	qop := ""
	if c.QOP != "" {
		for opt := range strings.SplitSeq(c.QOP, ",") {
			if strings.EqualFold(strings.TrimSpace(opt), "auth") {
				qop = "auth"
			}
		}
		if qop == "" {
			return "", false // auth-int only: the gateway's requests carry no body worth it
		}
	}
	cred := newDigestCredential(username, c.Realm, password)
	a := authorization{Username: username, Realm: c.Realm, Nonce: c.Nonce, URI: uri, CNonce: cnonce, NC: "00000001"}
	var sum [sha256.Size]byte
	n := digestResponse(&sum, cred.ha1(alg), alg, sess, &a, qop, digestRequest{Method: method, URI: uri})
	var b strings.Builder
	fmt.Fprintf(&b, `Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s"`,
		digestQuote(username), digestQuote(c.Realm), digestQuote(c.Nonce), digestQuote(uri), hex.EncodeToString(sum[:n]))
	if c.Algorithm != "" {
		fmt.Fprintf(&b, ", algorithm=%s", c.Algorithm)
	}
	if qop != "" || sess {
		fmt.Fprintf(&b, `, cnonce="%s"`, cnonce)
	}
	if qop != "" {
		b.WriteString(", qop=auth, nc=00000001")
	}
	if c.Opaque != "" {
		fmt.Fprintf(&b, `, opaque="%s"`, digestQuote(c.Opaque))
	}
	return b.String(), true
}
