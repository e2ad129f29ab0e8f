package call

import (
	"fmt"
	"strings"
)

// CatalogueMarkdown renders the cause catalogue as the Markdown document
// docs/causes.md. A test keeps the document identical to this rendering.
func CatalogueMarkdown() string {
	var b strings.Builder
	b.WriteString("# Causes\n\n")
	b.WriteString("Every failure a caller or an operator sees is one of these causes. The table is\n")
	b.WriteString("rendered from the catalogue in package `call` (`switchyard causes -o markdown`);\n")
	b.WriteString("a test fails when this file and the code disagree.\n\n")
	b.WriteString("- **SIP**: the final response to an INVITE that fails with the cause; a BYE carries\n")
	b.WriteString("  the same code in its `Reason` header.\n")
	b.WriteString("- **Q.931** and **H.225.0**: the cause value and ReleaseCompleteReason in an H.323\n")
	b.WriteString("  ReleaseComplete.\n")
	b.WriteString("- **HTTP**: the status of an API, WebRTC or WHIP/WHEP request that fails with the cause.\n\n")
	b.WriteString("| cause | SIP | Q.931 | H.225.0 reason | HTTP | admin message | user message |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, e := range catalogue[1:] {
		fmt.Fprintf(&b, "| `%s` | %d %s | %d | `%s` | %d | %s | %s |\n",
			e.Name, e.SIPStatus, e.SIPReason, e.Q931, e.H225Reason, e.HTTPStatus, e.Admin, e.User)
	}
	b.WriteString("\n## Far-side failures mapped back\n\n")
	b.WriteString("When the outbound leg fails, the far side's answer becomes a cause, and the inbound\n")
	b.WriteString("leg is answered with that cause's code for its own protocol:\n\n")
	b.WriteString("| far side says | cause |\n|---|---|\n")
	for _, s := range []int{400, 401, 403, 404, 407, 408, 415, 480, 484, 486, 487, 488, 500, 502, 503, 600, 603, 604, 606} {
		fmt.Fprintf(&b, "| SIP %d | `%s` |\n", s, FromSIPStatus(s))
	}
	for _, q := range []uint8{1, 16, 17, 18, 19, 21, 27, 28, 31, 34, 38, 41, 47, 58, 65, 88, 102, 127} {
		fmt.Fprintf(&b, "| Q.931 cause %d | `%s` |\n", q, FromQ931(q))
	}
	return b.String()
}
