// Package api is Switchyard's admin HTTP interface: health and readiness
// probes, node status, a dry run of the dial plan ("which rule would this
// alias hit, and why not the others"), and configuration reload.
//
// It sees the gateway through the Backend interface and imports no protocol
// package. It binds to loopback by default; a bearer token can be required.
package api
