package webrtc

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Token errors, as the signalling API reports them (401).
var (
	errNoToken      = errors.New("no token: send Authorization: Bearer TOKEN")
	errBadToken     = errors.New("the token does not belong to this call")
	errExpiredToken = errors.New("the token has expired")
)

// token is a call's bearer token. It expires when it is not refreshed
// within its lifetime; the call then ends.
type token struct {
	value string
	ttl   time.Duration
	now   func() time.Time

	mu      sync.Mutex
	expires time.Time
}

// newToken makes a random token that lives ttl from now.
func newToken(ttl time.Duration, now func() time.Time) (*token, error) {
	v, err := randomID(32)
	if err != nil {
		return nil, err
	}
	return &token{value: v, ttl: ttl, now: now, expires: now().Add(ttl)}, nil
}

// check verifies a presented token in constant time.
func (t *token) check(presented string) error {
	if presented == "" {
		return errNoToken
	}
	if subtle.ConstantTimeCompare([]byte(presented), []byte(t.value)) != 1 {
		return errBadToken
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.now().Before(t.expires) {
		return errExpiredToken
	}
	return nil
}

// refresh extends the token's life by its TTL from now and returns the new
// expiry. An expired token cannot be refreshed.
func (t *token) refresh() (time.Time, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if !now.Before(t.expires) {
		return t.expires, errExpiredToken
	}
	t.expires = now.Add(t.ttl)
	return t.expires, nil
}

// remaining is the time until expiry (negative once expired).
func (t *token) remaining() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.expires.Sub(t.now())
}

// presentedToken reads a bearer token from the Authorization header, or
// from the token query parameter (EventSource cannot set headers).
func presentedToken(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if v, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(v)
		}
		return ""
	}
	return r.URL.Query().Get("token")
}

// randomID returns n random bytes, base64url without padding.
func randomID(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
