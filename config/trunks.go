package config

import (
	"fmt"

	"github.com/switchyard/switchyard/sip"
)

// linkSIPTrunks ties the `sip.trunks` options to the dial plan's trunks: each
// entry must name a dial-plan trunk of protocol sip, and receives its host,
// port and transport; a dial-plan SIP trunk with no entry gets the default
// options, so that the SIP side knows every trunk (to attribute inbound calls
// and to dial through it).
func (c *Config) linkSIPTrunks() []error {
	var errs []error
	known := map[string]int{}
	for i, t := range c.SIP.Trunks {
		known[t.Name] = i
	}
	linked := map[string]bool{}
	for _, dt := range c.Dialplan.Trunks {
		if p, err := dt.Protocol.Protocol(); err != nil || p.String() != "sip" {
			continue
		}
		i, ok := known[dt.Name]
		if !ok {
			c.SIP.Trunks = append(c.SIP.Trunks, sip.DefaultTrunk(dt.Name))
			i = len(c.SIP.Trunks) - 1
		}
		st := &c.SIP.Trunks[i]
		st.Host, st.Port, st.Transport = dt.Host, dt.EffectivePort(), string(dt.Transport)
		linked[dt.Name] = true
	}
	for i, t := range c.SIP.Trunks {
		if !linked[t.Name] {
			errs = append(errs, &FieldError{Field: fmt.Sprintf("sip.trunks[%d].name", i),
				Err: fmt.Errorf("%q is not a dial-plan trunk with protocol sip (define it under dialplan.trunks)", t.Name)})
		}
	}
	return errs
}
