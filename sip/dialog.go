package sip

import (
	"strings"
	"sync"

	"github.com/emiago/sipgo/sip"
)

// dialog is the state RFC 3261 §12 keeps for one SIP dialog: identifiers,
// sequence numbers, the remote target and the route set. We keep it
// ourselves (rather than in sipgo's dialog sessions) so that every
// in-dialog request is built in one place.
type dialog struct {
	mu sync.Mutex

	callID    string
	localTag  string
	remoteTag string
	// local and remote are the URIs and display names of From and To in the
	// requests we send.
	local      sip.Uri
	localName  string
	remote     sip.Uri
	remoteName string
	// target is the far side's Contact; routes the route set, in the order
	// our requests carry them.
	target sip.Uri
	routes []sip.Uri

	localSeq  uint32
	remoteSeq uint32

	// transport is UDP, TCP or TLS; dest, when set, is where requests go
	// instead of the target or first route (the source of a caller that
	// reached us over TCP or TLS, so that its connection is reused).
	transport string
	dest      string
}

// key identifies the dialog in the server's table: Call-ID, our tag, theirs.
func (d *dialog) key() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return dialogKey(d.callID, d.localTag, d.remoteTag)
}

func dialogKey(callID, localTag, remoteTag string) string {
	return callID + "\x00" + localTag + "\x00" + remoteTag
}

// requestKey is the dialog key of a request that the far side sent within a
// dialog: our tag is in To, theirs in From.
func requestKey(req *sip.Request) (string, bool) {
	cid, from, to := req.CallID(), req.From(), req.To()
	if cid == nil || from == nil || to == nil {
		return "", false
	}
	lt, ok := to.Params.Get("tag")
	if !ok || lt == "" {
		return "", false
	}
	rt, _ := from.Params.Get("tag")
	return dialogKey(cid.Value(), lt, rt), true
}

// newRequest builds an in-dialog request (RFC 3261 §12.2.1.1) without Via;
// the sender adds it. ACK and CANCEL reuse the current sequence number.
func (d *dialog) newRequest(method sip.RequestMethod) *sip.Request {
	d.mu.Lock()
	defer d.mu.Unlock()
	target := d.target
	req := sip.NewRequest(method, *target.Clone())
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	from := &sip.FromHeader{DisplayName: d.localName, Address: *d.local.Clone(), Params: sip.NewParams()}
	from.Params.Add("tag", d.localTag)
	to := &sip.ToHeader{DisplayName: d.remoteName, Address: *d.remote.Clone(), Params: sip.NewParams()}
	if d.remoteTag != "" {
		to.Params.Add("tag", d.remoteTag)
	}
	cid := sip.CallIDHeader(d.callID)
	if method != sip.ACK && method != sip.CANCEL {
		d.localSeq++
	}
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: d.localSeq, MethodName: method})
	for _, r := range d.routes {
		req.AppendHeader(&sip.RouteHeader{Address: *r.Clone()})
	}
	req.SetTransport(d.transport)
	switch {
	case d.dest != "":
		req.SetDestination(d.dest)
	case len(d.routes) > 0:
		req.SetDestination(hostPort(d.routes[0], d.transport))
	default:
		req.SetDestination(hostPort(target, d.transport))
	}
	return req
}

// acceptRemoteSeq checks a request's CSeq against the last one the far side
// used (RFC 3261 §12.2.2) and records it.
func (d *dialog) acceptRemoteSeq(seq uint32) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.remoteSeq != 0 && seq <= d.remoteSeq {
		return false
	}
	d.remoteSeq = seq
	return true
}

// updateTarget takes a new remote target from a target refresh request or
// response (its Contact).
func (d *dialog) updateTarget(c *sip.ContactHeader) {
	if c == nil || c.Address.Host == "" {
		return
	}
	d.mu.Lock()
	d.target = *c.Address.Clone()
	d.mu.Unlock()
}

// hostPort is where a request to u goes: its host and port, the transport's
// default port when it has none.
func hostPort(u sip.Uri, transport string) string {
	port := u.Port
	if port == 0 {
		port = defaultPort(transport)
		if strings.EqualFold(u.Scheme, "sips") {
			port = 5061
		}
	}
	return joinHostPort(u.Host, port)
}

func defaultPort(transport string) int {
	if strings.EqualFold(transport, "TLS") {
		return 5061
	}
	return 5060
}
