package sip

import (
	"container/list"
	"net/netip"
	"time"
)

// defaultFailureEntries caps the failure table: beyond it the entry updated
// longest ago is evicted, so a flood from many addresses costs bounded
// memory.
const defaultFailureEntries = 4096

// failureTable counts failed authentication attempts per source IP within a
// window and bans an address that reaches the limit. Its size is capped;
// the least recently updated entry is evicted first. It is not safe for
// concurrent use: the registrar's lock guards it.
type failureTable struct {
	capacity int
	entries  map[netip.Addr]*list.Element
	order    *list.List // of *failureEntry, least recently updated first
}

type failureEntry struct {
	ip          netip.Addr
	count       int
	first       time.Time // start of the current window
	last        time.Time
	bannedUntil time.Time
}

func newFailureTable(capacity int) *failureTable {
	if capacity <= 0 {
		capacity = defaultFailureEntries
	}
	return &failureTable{capacity: capacity, entries: map[netip.Addr]*list.Element{}, order: list.New()}
}

// failurePolicy is the registrar's max_failures / failure_window / ban_time.
type failurePolicy struct {
	MaxFailures int // 0: never ban
	Window      time.Duration
	BanTime     time.Duration
}

// banned reports whether ip is banned at now.
func (t *failureTable) banned(ip netip.Addr, now time.Time) bool {
	el, ok := t.entries[ip]
	if !ok {
		return false
	}
	return now.Before(el.Value.(*failureEntry).bannedUntil)
}

// record counts one failure of ip at now. It returns the number of failures
// in the current window (this one included) and whether ip is now banned.
func (t *failureTable) record(ip netip.Addr, now time.Time, p failurePolicy) (count int, banned bool) {
	var e *failureEntry
	if el, ok := t.entries[ip]; ok {
		e = el.Value.(*failureEntry)
		t.order.MoveToBack(el)
	} else {
		if t.order.Len() >= t.capacity {
			oldest := t.order.Front()
			delete(t.entries, oldest.Value.(*failureEntry).ip)
			t.order.Remove(oldest)
		}
		e = &failureEntry{ip: ip, first: now}
		t.entries[ip] = t.order.PushBack(e)
	}
	if now.Sub(e.first) > p.Window && !now.Before(e.bannedUntil) {
		e.count, e.first = 0, now
	}
	e.count++
	e.last = now
	if p.MaxFailures > 0 && e.count >= p.MaxFailures && !now.Before(e.bannedUntil) {
		e.bannedUntil = now.Add(p.BanTime)
		e.count, e.first = 0, now
		return p.MaxFailures, true
	}
	return e.count, now.Before(e.bannedUntil)
}

// clear forgets ip's failures (after a successful authentication). A ban in
// force stays: a banned address is not even challenged.
func (t *failureTable) clear(ip netip.Addr, now time.Time) {
	el, ok := t.entries[ip]
	if !ok || now.Before(el.Value.(*failureEntry).bannedUntil) {
		return
	}
	delete(t.entries, ip)
	t.order.Remove(el)
}

// sweep drops entries whose window and ban are both over.
func (t *failureTable) sweep(now time.Time, p failurePolicy) {
	for el := t.order.Front(); el != nil; {
		next := el.Next()
		e := el.Value.(*failureEntry)
		if now.Sub(e.last) > p.Window && !now.Before(e.bannedUntil) {
			delete(t.entries, e.ip)
			t.order.Remove(el)
		}
		el = next
	}
}

// len returns the number of addresses tracked.
func (t *failureTable) len() int { return t.order.Len() }
