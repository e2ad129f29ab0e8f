//go:build !linux || !(amd64 || arm64)

package rtpio

const recvBatchForTest = 8

func holdEngine(*Session) (release func()) { return func() {} }
