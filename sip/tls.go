package sip

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"os"
	"time"
)

// serverTLSConfig loads the configured certificate, or generates a
// self-signed one when none is configured.
func serverTLSConfig(files TLSFiles, hosts []string) (*tls.Config, error) {
	var cert tls.Certificate
	var err error
	if files.Cert != "" {
		cert, err = tls.LoadX509KeyPair(files.Cert, files.Key)
		if err != nil {
			return nil, fmt.Errorf("load TLS certificate %s: %w", files.Cert, err)
		}
	} else {
		cert, err = selfSignedCertificate(hosts, time.Now())
		if err != nil {
			return nil, err
		}
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// clientTLSConfig is how we dial TLS peers: the system's trusted roots plus
// our own server certificate, so that gateways sharing a certificate trust
// each other.
func clientTLSConfig(server *tls.Config) *tls.Config {
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if server != nil {
		for _, c := range server.Certificates {
			if c.Leaf != nil {
				roots.AddCert(c.Leaf)
			} else if len(c.Certificate) > 0 {
				if leaf, err := x509.ParseCertificate(c.Certificate[0]); err == nil {
					roots.AddCert(leaf)
				}
			}
		}
	}
	return &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
}

// selfSignedCertificate makes an ECDSA P-256 certificate valid for a year,
// naming the given hosts (IP addresses or DNS names) and the machine's
// host name.
func selfSignedCertificate(hosts []string, now time.Time) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generate TLS key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generate certificate serial: %w", err)
	}
	name := "switchyard"
	if h, err := os.Hostname(); err == nil && h != "" {
		name = h
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name, Organization: []string{"Switchyard (self-signed)"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{name, "localhost"},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			if !ip.IsUnspecified() {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			}
		} else if h != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	tmpl.IPAddresses = append(tmpl.IPAddresses, net.IPv4(127, 0, 0, 1))
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("create self-signed certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("parse self-signed certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}
