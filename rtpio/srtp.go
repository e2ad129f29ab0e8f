package rtpio

import (
	"errors"
	"fmt"
	"sync"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// replayWindow is the SRTP and SRTCP replay protection window in packets.
const replayWindow = 128

// srtpState holds the four crypto contexts of an SRTP session: one per
// direction and per protocol, each used under its own lock, so that the
// RTP reader, the RTCP reader, writers and the report loop never share one.
type srtpState struct {
	encRTPMu  sync.Mutex
	encRTP    *srtp.Context
	encRTCPMu sync.Mutex
	encRTCP   *srtp.Context
	decRTPMu  sync.Mutex
	decRTP    *srtp.Context
	decRTCPMu sync.Mutex
	decRTCP   *srtp.Context

	encHeader rtp.Header // reused by encryptRTP, under encRTPMu
	decHeader rtp.Header // reused by decryptRTP, under decRTPMu
	rtcpHdr   rtcp.Header
}

// SetSRTP switches the session to SRTP: local are the keys this side
// offered in its a=crypto line (used to encrypt what it sends), remote the
// far side's (used to decrypt what arrives). nil, nil returns to plain RTP.
// Keys may change mid-call (a re-INVITE with new crypto); packets then use
// the new keys from the next one on.
func (s *Session) SetSRTP(local, remote *Keys) error {
	if local == nil && remote == nil {
		s.srtp.Store(nil)
		return nil
	}
	if local == nil || remote == nil {
		return errors.New("rtpio: SRTP needs both the local and the remote keys")
	}
	st := &srtpState{}
	var err error
	if st.encRTP, err = newSRTPContext(local, false); err != nil {
		return fmt.Errorf("rtpio: local SRTP keys: %w", err)
	}
	if st.encRTCP, err = newSRTPContext(local, false); err != nil {
		return fmt.Errorf("rtpio: local SRTP keys: %w", err)
	}
	if st.decRTP, err = newSRTPContext(remote, true); err != nil {
		return fmt.Errorf("rtpio: remote SRTP keys: %w", err)
	}
	if st.decRTCP, err = newSRTPContext(remote, true); err != nil {
		return fmt.Errorf("rtpio: remote SRTP keys: %w", err)
	}
	s.srtp.Store(st)
	return nil
}

// SRTP reports whether the session encrypts its media.
func (s *Session) SRTP() bool { return s.srtp.Load() != nil }

func newSRTPContext(k *Keys, decrypt bool) (*srtp.Context, error) {
	info, ok := lookupSuite(k.Suite)
	if !ok {
		return nil, fmt.Errorf("crypto suite %q is not supported", k.Suite)
	}
	if len(k.Key) != info.keyLen+info.saltLen {
		return nil, fmt.Errorf("%s key is %d bytes, want %d", info.name, len(k.Key), info.keyLen+info.saltLen)
	}
	var opts []srtp.ContextOption
	if len(k.MKI) > 0 {
		opts = append(opts, srtp.MasterKeyIndicator(k.MKI))
	}
	if decrypt {
		opts = append(opts, srtp.SRTPReplayProtection(replayWindow), srtp.SRTCPReplayProtection(replayWindow))
	}
	ctx, err := srtp.CreateContext(k.Key[:info.keyLen], k.Key[info.keyLen:], info.profile, opts...)
	if err != nil {
		return nil, fmt.Errorf("create %s context: %w", info.name, err)
	}
	return ctx, nil
}

// encryptRTP encrypts the marshalled packet in buf[:n] in place; buf must
// have room for the authentication tag and MKI.
func (st *srtpState) encryptRTP(buf []byte, n int) ([]byte, error) {
	st.encRTPMu.Lock()
	defer st.encRTPMu.Unlock()
	return st.encRTP.EncryptRTP(buf, buf[:n], &st.encHeader)
}

// decryptRTP authenticates and decrypts buf in place.
func (st *srtpState) decryptRTP(buf []byte) ([]byte, error) {
	st.decRTPMu.Lock()
	defer st.decRTPMu.Unlock()
	return st.decRTP.DecryptRTP(buf, buf, &st.decHeader)
}

// encryptRTCP encrypts a compound RTCP packet into dst.
func (st *srtpState) encryptRTCP(dst, plain []byte) ([]byte, error) {
	st.encRTCPMu.Lock()
	defer st.encRTCPMu.Unlock()
	return st.encRTCP.EncryptRTCP(dst, plain, nil)
}

// decryptRTCP authenticates and decrypts buf in place.
func (st *srtpState) decryptRTCP(buf []byte) ([]byte, error) {
	st.decRTCPMu.Lock()
	defer st.decRTCPMu.Unlock()
	return st.decRTCP.DecryptRTCP(buf, buf, &st.rtcpHdr)
}
