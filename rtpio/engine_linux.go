//go:build linux && (amd64 || arm64)

package rtpio

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/pion/rtp"
)

const (
	// recvBatch is the most datagrams one recvmmsg takes from one socket.
	recvBatch = 8
	// eventBatch is the most ready sockets one epoll_wait reports.
	eventBatch = 128
	// wakeID is the epoll tag of a poller's eventfd.
	wakeID = -1
	// epollET is EPOLLET as the unsigned event mask.
	epollET = 1 << 31
)

// haveEngine says that Forward works here.
const haveEngine = true

// engine is the receive engine of one allocator's forwarded sessions: a
// few pollers (one per P), each a goroutine with an epoll instance over the
// RTP sockets of many sessions, reading every ready socket with recvmmsg
// and handing the packets to the session's Forward callback on the spot.
// Per packet that is at most one receive (fewer when datagrams queue up)
// and, in the callback, one send system call, and no goroutine switch; one
// wake-up serves every socket that became ready meanwhile. Go's own path,
// a goroutine per socket, costs per packet a read that finds nothing, a
// park on the poller, a wake-up and the read itself.
//
// Pollers start with their first session and stop with their last, so an
// allocator that forwards nothing runs nothing.
type engine struct {
	mu      sync.Mutex // guards pollers and their users
	pollers []*poller  // nil where none runs
	wg      sync.WaitGroup
}

// engineSlot is where a forwarding sits in the engine.
type engineSlot struct {
	p  *poller
	id int32 // index in p.slots; -1 once removed
}

// newEngine returns an engine of n pollers (at least one); none runs yet.
func newEngine(n int) *engine {
	return &engine{pollers: make([]*poller, max(n, 1))}
}

// add registers f's socket with the least busy poller, starting it if it
// does not run.
func (e *engine) add(f *forwarding) error {
	e.mu.Lock()
	best := 0
	for i, p := range e.pollers {
		if p == nil {
			best = i
			break
		}
		if p.users < e.pollers[best].users {
			best = i
		}
	}
	p := e.pollers[best]
	if p == nil {
		var err error
		if p, err = newPoller(); err != nil {
			e.mu.Unlock()
			return err
		}
		e.pollers[best] = p
		e.wg.Add(1)
		go p.run(e)
	}
	p.users++
	e.mu.Unlock()
	if err := p.add(f); err != nil {
		e.release(p)
		return err
	}
	return nil
}

// remove takes f off its poller. When it returns, the poller is not
// handling f's socket and never will again.
func (e *engine) remove(f *forwarding) {
	p := f.slot.p
	if p == nil {
		return
	}
	p.remove(f)
	f.slot.p = nil
	e.release(p)
}

// release drops one user of p and stops p when none is left.
func (e *engine) release(p *poller) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p.users--
	if p.users > 0 {
		return
	}
	for i := range e.pollers {
		if e.pollers[i] == p {
			e.pollers[i] = nil
		}
	}
	p.shutdown()
}

// wait blocks until every poller has stopped (for tests).
func (e *engine) wait() { e.wg.Wait() }

// running returns the number of pollers taking sockets.
func (e *engine) running() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, p := range e.pollers {
		if p != nil {
			n++
		}
	}
	return n
}

// mmsghdr is struct mmsghdr of recvmmsg(2).
type mmsghdr struct {
	hdr syscall.Msghdr
	n   uint32
}

// poller is one engine goroutine and its epoll instance. Its buffers are
// its own: one packet is handled at a time, to the end of its callback.
type poller struct {
	epfd  int
	file  *os.File        // owns epfd, registered with Go's poller
	rc    syscall.RawConn // waits on file
	evfd  int             // an eventfd that wakes the poller to stop
	users int             // registered sockets, under engine.mu

	mu       sync.Mutex // held while a batch of ready sockets is handled
	slots    []*forwarding
	free     []int32
	stopping bool // shutdown was called
	exited   bool // run returned

	wait    func(fd uintptr) bool // waitNow, bound once
	ready   int                   // events waitNow found
	waitErr syscall.Errno
	// again and next list the sockets (slot IDs) whose last read filled a
	// batch: they may hold more, and no new edge will say so. Only run's
	// goroutine uses them.
	again, next []int32

	events [eventBatch]syscall.EpollEvent
	msgs   [recvBatch]mmsghdr
	iovs   [recvBatch]syscall.Iovec
	names  [recvBatch]syscall.RawSockaddrInet6
	bufs   [recvBatch][rtpBufSize]byte
	pkt    rtp.Packet
}

func newPoller() (*poller, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("rtpio: receive engine: epoll_create1: %w", err)
	}
	if err := syscall.SetNonblock(epfd, true); err != nil {
		_ = syscall.Close(epfd)
		return nil, fmt.Errorf("rtpio: receive engine: %w", err)
	}
	// The file owns epfd; Go's poller watches it.
	p := &poller{epfd: epfd, file: os.NewFile(uintptr(epfd), "rtpio-epoll"), evfd: -1}
	if p.rc, err = p.file.SyscallConn(); err != nil {
		p.closeFDs()
		return nil, fmt.Errorf("rtpio: receive engine: %w", err)
	}
	r, _, e := syscall.RawSyscall(syscall.SYS_EVENTFD2, 0, syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
	if e != 0 {
		p.closeFDs()
		return nil, fmt.Errorf("rtpio: receive engine: eventfd2: %w", e)
	}
	p.evfd = int(r)
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: wakeID}
	if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, p.evfd, &ev); err != nil {
		p.closeFDs()
		return nil, fmt.Errorf("rtpio: receive engine: epoll_ctl: %w", err)
	}
	for i := range p.msgs {
		p.iovs[i].Base = &p.bufs[i][0]
		p.iovs[i].SetLen(rtpBufSize)
		h := &p.msgs[i].hdr
		h.Name = (*byte)(unsafe.Pointer(&p.names[i]))
		h.Iov = &p.iovs[i]
		h.Iovlen = 1
	}
	p.wait = p.waitNow
	return p, nil
}

func (p *poller) closeFDs() {
	if p.evfd >= 0 {
		_ = syscall.Close(p.evfd)
	}
	_ = p.file.Close()
}

// add watches f's socket, edge-triggered: a socket is reported when
// datagrams arrive, and the poller reads it until it is empty (a socket that
// fills a whole batch is read again on the next round, after the others).
// Level-triggered watching would cost a readiness check of every socket
// reported, on every wait, to find it empty.
func (p *poller) add(f *forwarding) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.exited {
		return errors.New("rtpio: receive engine: the poller stopped")
	}
	var id int32
	if n := len(p.free); n > 0 {
		id, p.free = p.free[n-1], p.free[:n-1]
	} else {
		id = int32(len(p.slots))
		p.slots = append(p.slots, nil)
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | epollET, Fd: id}
	if err := syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_ADD, f.fd, &ev); err != nil {
		p.free = append(p.free, id)
		return fmt.Errorf("rtpio: receive engine: watch RTP socket: %w", err)
	}
	p.slots[id] = f
	f.slot = engineSlot{p: p, id: id}
	return nil
}

// remove stops watching f's socket; it waits for the batch being handled.
func (p *poller) remove(f *forwarding) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.unwatchLocked(f)
}

func (p *poller) unwatchLocked(f *forwarding) {
	id := f.slot.id
	if id < 0 || int(id) >= len(p.slots) || p.slots[id] != f {
		return
	}
	_ = syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_DEL, f.fd, nil)
	p.slots[id] = nil
	p.free = append(p.free, id)
	f.slot.id = -1
}

// failLocked ends f's forwarding with err: its socket is no longer
// watched, and Forward returns err.
func (p *poller) failLocked(f *forwarding, err error) {
	p.unwatchLocked(f)
	f.err = err
	close(f.failed)
}

// shutdown makes the poller's goroutine return. It has no users left.
// The descriptors are closed by whichever of the two comes last, so that
// none is closed while in use.
func (p *poller) shutdown() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopping = true
	if p.exited {
		p.closeFDs()
		return
	}
	// Under p.mu, so that run cannot have closed evfd meanwhile.
	one := [8]byte{1}
	_, _ = syscall.Write(p.evfd, one[:])
}

// run handles ready sockets until shutdown. It waits for them on Go's
// poller, where the epoll descriptor is registered like any socket: it
// reads as ready when any of its sockets is. So a poller with nothing to
// do is a parked goroutine, not a thread blocked in a system call that
// holds on to a P (which the scheduler would take back and hand around on
// every wait, at a cost of futex wake-ups and spinning threads); and under
// load, when sockets are ready whenever it looks, it does not park at all.
func (p *poller) run(e *engine) {
	defer e.wg.Done()
	defer func() {
		p.mu.Lock()
		p.exited = true
		stopping := p.stopping
		p.mu.Unlock()
		if stopping {
			p.closeFDs()
			return
		}
		// A poller that failed takes no new sockets; the next add starts
		// another. Its descriptors go when its last user leaves.
		e.mu.Lock()
		for i := range e.pollers {
			if e.pollers[i] == p {
				e.pollers[i] = nil
			}
		}
		e.mu.Unlock()
	}()
	for {
		if err := p.rc.Read(p.wait); err != nil {
			p.failAll(fmt.Errorf("rtpio: receive engine: wait: %w", err))
			return
		}
		if p.waitErr != 0 {
			p.failAll(fmt.Errorf("rtpio: receive engine: epoll_wait: %w", p.waitErr))
			return
		}
		if !p.handle(p.events[:p.ready]) {
			return
		}
	}
}

// waitNow takes the ready sockets without waiting; it reports false when
// there are none, and the poller is to park until there are.
func (p *poller) waitNow(fd uintptr) bool {
	r, _, e := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, fd,
		uintptr(unsafe.Pointer(&p.events[0])), eventBatch, 0, 0, 0)
	p.ready, p.waitErr = int(r), e
	if e == syscall.EINTR {
		p.ready, p.waitErr = 0, 0
	}
	return p.ready > 0 || p.waitErr != 0 || len(p.again) > 0
}

// handle reads every socket of one wait's events; it reports false once
// the poller is to stop.
func (p *poller) handle(events []syscall.EpollEvent) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopping {
		return false
	}
	// Sockets left with datagrams last round first, then the new ones.
	again := p.again
	p.again, p.next = p.next[:0], again
	for _, id := range again {
		if int(id) < len(p.slots) {
			if f := p.slots[id]; f != nil && p.receive(f) {
				p.again = append(p.again, id)
			}
		}
	}
	for i := range events {
		id := events[i].Fd
		if id == wakeID {
			var b [8]byte
			_, _ = syscall.Read(p.evfd, b[:])
			continue
		}
		if id < 0 || int(id) >= len(p.slots) {
			continue
		}
		if f := p.slots[id]; f != nil && p.receive(f) {
			p.again = append(p.again, id)
		}
	}
	return true
}

// failAll ends every forwarding of a poller that cannot go on.
func (p *poller) failAll(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, f := range p.slots {
		if f != nil {
			p.failLocked(f, err)
		}
	}
}

// receive takes what is waiting on f's socket, up to recvBatch datagrams,
// and passes each valid RTP packet to f's callback. It reports whether the
// batch was full: the socket may hold more. A panic in the callback ends
// f's forwarding: Forward raises it again on its caller's goroutine.
func (p *poller) receive(f *forwarding) (full bool) {
	defer func() {
		if v := recover(); v != nil {
			p.failLocked(f, &forwardPanic{value: v, stack: debug.Stack()})
			full = false
		}
	}()
	for i := range p.msgs {
		p.msgs[i].hdr.Namelen = syscall.SizeofSockaddrInet6
	}
	r, _, e := syscall.RawSyscall6(syscall.SYS_RECVMMSG, uintptr(f.fd),
		uintptr(unsafe.Pointer(&p.msgs[0])), recvBatch, syscall.MSG_DONTWAIT, 0, 0)
	if e != 0 {
		if !errIsTemporary(e) {
			p.failLocked(f, fmt.Errorf("rtpio: read RTP on port %d: %w", f.s.port, e))
		}
		return e == syscall.EINTR
	}
	s := f.s
	now := time.Since(s.start)
	for i := range int(r) {
		m := &p.msgs[i]
		if m.hdr.Flags&syscall.MSG_TRUNC != 0 || m.n >= rtpBufSize {
			s.dropped() // larger than any RTP packet we carry
			continue
		}
		from := sockaddrAddrPort(&p.names[i], m.hdr.Namelen)
		if s.receiveOnRTPPort(p.bufs[i][:m.n], from, &p.pkt, now) {
			f.fn(&p.pkt)
		}
	}
	return r == recvBatch
}
