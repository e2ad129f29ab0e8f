package gateway

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/switchyard/switchyard/bridge"
	"github.com/switchyard/switchyard/call"
	"github.com/switchyard/switchyard/rules"
)

// Record is the call detail record: one per call, written when it ends.
type Record struct {
	ID   string `json:"id"`
	Node string `json:"node"`
	// Caller and Dialed as the inbound leg received them; Transformed is
	// the destination after aliases, the rule's replace and trunk expansion.
	Caller      string `json:"caller"`
	Dialed      string `json:"dialed"`
	Transformed string `json:"transformed,omitempty"`
	Rule        string `json:"rule,omitempty"`
	Alias       string `json:"alias,omitempty"`
	Service     string `json:"service,omitempty"`
	Attempts    int    `json:"attempts"`

	Legs    []LegRecord           `json:"legs"`
	Streams []bridge.StreamResult `json:"streams,omitempty"`

	Start    time.Time `json:"start"`
	Answered time.Time `json:"answered,omitzero"`
	End      time.Time `json:"end"`
	// Duration is from answer to end, in seconds; 0 for unanswered calls.
	Duration float64 `json:"duration_s"`
	Cause    string  `json:"cause"`
	Detail   string  `json:"detail,omitempty"`
	EndedBy  string  `json:"ended_by,omitempty"`
}

// LegRecord describes one leg of the call.
type LegRecord struct {
	ID        string `json:"id"`
	Protocol  string `json:"protocol"`
	Direction string `json:"direction"`
	Remote    string `json:"remote"`
	CallID    string `json:"call_id,omitempty"`
}

func newRecord(node, id string, in call.InboundLeg) *Record {
	inc := in.Incoming()
	r := &Record{ID: id, Node: node, Caller: inc.Caller, Dialed: inc.Dialed, Start: time.Now()}
	r.Legs = append(r.Legs, LegRecord{ID: in.ID(), Protocol: in.Protocol().String(), Direction: in.Direction().String(),
		Remote: in.Remote(), CallID: inc.CallID})
	return r
}

func (r *Record) route(d rules.Decision) {
	r.Attempts++
	r.Rule, r.Alias, r.Service, r.Transformed = d.Rule, d.Alias, d.Service, d.Transformed
}

func (r *Record) addLeg(l call.Leg) {
	r.Legs = append(r.Legs, LegRecord{ID: l.ID(), Protocol: l.Protocol().String(), Direction: l.Direction().String(), Remote: l.Remote()})
}

func (r *Record) bridged(res bridge.Result) {
	r.Streams = res.Streams
	detail := ""
	if len(res.Unbridged) > 0 {
		roles := make([]string, len(res.Unbridged))
		for i, role := range res.Unbridged {
			roles[i] = role.String()
		}
		detail = "not bridged (no common codec): " + strings.Join(roles, ", ")
	}
	r.finish(res.Cause, detail, res.EndedBy)
}

func (r *Record) finish(cause call.Cause, detail, endedBy string) {
	r.End = time.Now()
	if !r.Answered.IsZero() {
		r.Duration = r.End.Sub(r.Answered).Seconds()
	}
	r.Cause, r.Detail, r.EndedBy = cause.String(), detail, endedBy
}

// writeRecord writes the record as one JSON line: to the call-record
// writer when one is configured, else into the log.
func (g *Gateway) writeRecord(r *Record) {
	if r.End.IsZero() {
		r.finish(call.Internal, "call ended without a recorded outcome", "gateway")
	}
	if w := g.opts.Records; w != nil {
		line, err := json.Marshal(struct {
			Type string `json:"type"`
			*Record
		}{"call_record", r})
		if err == nil {
			g.recordsMu.Lock()
			_, err = w.Write(append(line, '\n'))
			g.recordsMu.Unlock()
		}
		if err != nil {
			g.log.Error("writing the call record failed", "call", r.ID, "error", err)
		}
	} else {
		g.log.Info("call record", "record", r)
	}
	g.recordsMu.Lock()
	if g.onRecord != nil {
		g.onRecord(*r)
	}
	g.recordsMu.Unlock()
}

// OnRecord registers a function that receives every call record (tests, the
// future record store). It replaces any earlier one.
func (g *Gateway) OnRecord(f func(Record)) {
	g.recordsMu.Lock()
	g.onRecord = f
	g.recordsMu.Unlock()
}
