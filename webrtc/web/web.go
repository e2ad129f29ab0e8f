// Package web is the gateway's browser app: plain HTML, CSS and JavaScript,
// embedded in the binary and served as they are (no build step, no
// framework). A person types an alias (echo, sip:alice@pbx, a room system's
// address) and is in the call: camera and microphone preview, mute, video
// off, DTMF keypad, presentation (screen share as a second video track with
// the content role), chat, connection statistics, and the cause's user
// message when a call fails.
//
// It is not the signalling API: the app talks to the endpoints of package
// webrtc, which serves this handler at /.
package web

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed static
var static embed.FS

// Handler serves the app. Responses carry a content security policy that
// allows only the app's own scripts and styles.
func Handler() http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; media-src 'self' blob: mediastream:; connect-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
		h.Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
}

// Files returns the app's files, for tests and for serving elsewhere.
func Files() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err)
	}
	return sub
}
