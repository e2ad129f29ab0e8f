// Package gateway is the appliance: it owns the configuration in force and the
// dial plan built from it, admits or refuses calls, starts the listeners (the
// admin API now; the protocol listeners register here as they are added) and
// reloads its configuration without dropping calls.
//
// Only gateway and cmd know every protocol. The flow of a call is
// request → admission → rules → dial → bridge; the protocol legs and the
// bridge plug in through the call package's interfaces.
package gateway
