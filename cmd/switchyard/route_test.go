package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// runCLI runs the command line in process and returns stdout and the exit
// status main would use.
func runCLI(t *testing.T, args ...string) (string, int) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	code := 0
	if err != nil {
		code = 1
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
		out.WriteString("error: " + err.Error())
	}
	return out.String(), code
}

// TestRouteDemonstrations runs `switchyard route` against the demonstration
// dial plan in testdata: one case per routing feature.
func TestRouteDemonstrations(t *testing.T) {
	const plan = "../../testdata/dialplan.yaml"
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"first match with continue fallback", []string{"1234"}, 0, []string{
			"decision sip sip:1234@pbx.example.com;transport=tcp via trunk pbx [rule extensions, on failure continue]",
			"fallback 1 sip sip:1234@pbx2.example.com via trunk pbx-backup [rule extensions-backup]",
			"no  rule switched-off (priority 1)", "disabled"}},
		{"priority order: earlier rule reported", []string{"room-boardroom"}, 0, []string{
			"rule extensions (priority 10)", "pattern did not match", "YES rule rooms (priority 30)"}},
		{"named group, default gatekeeper, bitrate cap", []string{"room-boardroom"}, 0, []string{
			"h323 h323:boardroom@gk.example.com via trunk gk [rule rooms]", "out 2048 kbit/s"}},
		{"registered only: refused when unregistered", []string{"+442079460000"}, exitNoRoute, []string{
			"caller not registered", "refused: no_route"}},
		{"registered only, tel: with trunk international prefix", []string{"+442079460000", "--registered"}, 0, []string{
			"sip:011442079460000@sip.carrier.example.net via trunk carrier [rule registered-international]"}},
		{"source CIDR: outside", []string{"bob@partner.example.org", "--source", "203.0.113.9"}, exitNoRoute, []string{
			"source 203.0.113.9 not in [198.51.100.0/24]"}},
		{"source CIDR: inside, policy", []string{"bob@partner.example.org", "--source", "198.51.100.7"}, 0, []string{
			"sip:bob@partner.example.org;transport=tls [rule partners]", "codecs opus,h264, srtp required"}},
		{"protocol filter: sip refused", []string{"phone-5551234"}, exitNoRoute, []string{"protocol sip not in [webrtc]"}},
		{"protocol filter: webrtc, audio only with INFO DTMF", []string{"phone-5551234", "--from", "webrtc"}, 0, []string{
			"sip:5551234@pbx.example.com;transport=tcp", "media audio", "dtmf info", "content off, fecc off"}},
		{"default SIP trunk expands sip:alice", []string{"sip:alice"}, 0, []string{
			"sip sip:alice@pbx.example.com;transport=tcp via trunk pbx [rule sip-uris]"}},
		{"alias to a URL", []string{"cam-lobby"}, 0, []string{"rtsp rtsp://192.0.2.10:554/stream1 [alias cam-lobby]"}},
		{"alias to an alias routed by rules", []string{"reception"}, 0, []string{"sip:2000@pbx.example.com"}},
		{"local service through a local domain", []string{"echo@gw.example.com"}, 0, []string{"local service echo"}},
		{"invalid transform", []string{"bad-x"}, exitNoRoute, []string{"refused: invalid_transform", "bad host"}},
		{"no route", []string{"nobody"}, exitNoRoute, []string{"refused: no_route"}},
		{"empty alias", []string{""}, exitNoRoute, []string{"refused: bad_request"}},
		{"bad flag value", []string{"1234", "--from", "isdn"}, 2, []string{"unknown protocol"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, code := runCLI(t, append([]string{"route", "-c", plan}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestRouteJSON(t *testing.T) {
	out, code := runCLI(t, "route", "-c", "../../testdata/dialplan.yaml", "-o", "json", "1234")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	var ex struct {
		Decisions []struct {
			Rule        string `json:"rule"`
			Transformed string `json:"transformed"`
		} `json:"decisions"`
		Trace []struct {
			Matched bool   `json:"matched"`
			Reason  string `json:"reason"`
		} `json:"trace"`
	}
	if err := json.Unmarshal([]byte(out), &ex); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(ex.Decisions) != 2 || ex.Decisions[0].Rule != "extensions" || ex.Decisions[1].Rule != "extensions-backup" {
		t.Errorf("decisions = %+v", ex.Decisions)
	}
	if len(ex.Trace) == 0 {
		t.Error("no trace")
	}
}

func TestCheckAndCauses(t *testing.T) {
	out, code := runCLI(t, "check", "-c", "../../testdata/dialplan.yaml")
	if code != 0 || !strings.Contains(out, "configuration OK") || !strings.Contains(out, "roles=default_sip_trunk") {
		t.Errorf("check: %d\n%s", code, out)
	}
	out, code = runCLI(t, "check")
	if code != 0 || !strings.Contains(out, "embedded default") {
		t.Errorf("check of the embedded default: %d\n%s", code, out)
	}
	out, code = runCLI(t, "causes")
	if code != 0 || !strings.Contains(out, "no_route") || !strings.Contains(out, "486") {
		t.Errorf("causes: %d\n%s", code, out)
	}
	out, code = runCLI(t, "version", "-o", "json")
	if code != 0 || !strings.Contains(out, `"version"`) {
		t.Errorf("version: %d\n%s", code, out)
	}
}
