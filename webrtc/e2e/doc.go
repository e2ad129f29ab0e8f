// Package e2e holds the end-to-end tests of the WebRTC leg through the
// gateway's real call path: the echo service (service.NewEcho) joined by
// the bridge (bridge.Join), as the gateway does for the echo alias, called
// by a pion peer and by the embedded web app in headless Chromium
// (playwright-core; its Node.js driver and lock file are in testdata).
//
// It has no code of its own besides this comment: the tests use package
// webrtc's public API only, and live apart so that the package's unit
// tests do not depend on the bridge and the services.
package e2e
