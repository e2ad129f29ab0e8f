//go:build linux && (amd64 || arm64)

package rtpio

// recvBatchForTest is the engine's read batch.
const recvBatchForTest = recvBatch

// holdEngine stops the poller serving s until the returned function runs.
func holdEngine(s *Session) (release func()) {
	s.fwdMu.Lock()
	p := s.fwd.slot.p
	s.fwdMu.Unlock()
	p.mu.Lock()
	return p.mu.Unlock
}
