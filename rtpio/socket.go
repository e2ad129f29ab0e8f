package rtpio

import (
	"errors"
	"net"
	"net/netip"
	"sync"
)

// errForwarding is ReadRTP's answer while Forward has the RTP socket.
var errForwarding = errors.New("rtpio: the RTP socket is being forwarded (Forward): ReadRTP is not available")

// rtpSocket is a session's RTP socket. Go's network poller reads and
// writes it (ReadRTP, WriteRTP) until a receive engine takes it over for
// Forward: then it is detached from the poller, so that packets arriving
// on it wake the engine only, and it is written through its raw
// descriptor. When forwarding stops it is attached to the poller again.
type rtpSocket struct {
	mu     sync.RWMutex // writers hold it shared; detach, attach and close exclusively
	conn   *net.UDPConn // attached: read and written through Go's poller
	raw    rawSocket    // detached: the descriptor the engine reads
	closed bool
}

// reader returns the connection ReadRTP reads, or nil while the socket is
// detached or closed.
func (k *rtpSocket) reader() *net.UDPConn {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.conn
}

// detached reports whether a receive engine has the socket.
func (k *rtpSocket) detached() bool {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.raw.valid()
}

// writeTo sends one datagram. It does not block: a detached socket whose
// send buffer is full drops the datagram with errSendBufferFull.
func (k *rtpSocket) writeTo(b []byte, dst netip.AddrPort) error {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if k.raw.valid() {
		return k.raw.sendTo(b, dst)
	}
	if k.conn == nil {
		return net.ErrClosed
	}
	_, err := k.conn.WriteToUDPAddrPort(b, dst)
	return err
}

// detach takes the socket off Go's poller and returns its descriptor for a
// receive engine. A ReadRTP blocked on the socket returns.
func (k *rtpSocket) detach() (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	switch {
	case k.closed:
		return -1, ErrClosed
	case k.raw.valid():
		return k.raw.fd, nil
	case k.conn == nil:
		return -1, errors.ErrUnsupported
	}
	raw, err := detachConn(k.conn)
	if err != nil {
		return -1, err
	}
	k.raw, k.conn = raw, nil
	return raw.fd, nil
}

// attach gives the socket back to Go's poller after forwarding.
func (k *rtpSocket) attach() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed || !k.raw.valid() {
		return nil
	}
	conn, err := k.raw.attach()
	if err != nil {
		return err
	}
	k.raw, k.conn = rawSocket{}, conn
	return nil
}

// close closes the socket, attached or not.
func (k *rtpSocket) close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		return nil
	}
	k.closed = true
	var err error
	if k.conn != nil {
		err = k.conn.Close()
		k.conn = nil
	}
	if k.raw.valid() {
		err = errors.Join(err, k.raw.close())
		k.raw = rawSocket{}
	}
	return err
}
