package main

import (
	"crypto/tls"
	"flag"
	"net"

	"github.com/jiedao/jiedao"
)

// tlsOptions are serve's TLS flags. 等保 2.0 (GB/T 22239-2019, 8.1.2.2
// 通信传输) asks that what travels between browsers and the server be
// encrypted; where no reverse proxy terminates TLS in front of jiedao, it
// does so itself.
type tlsOptions struct {
	cert, key string
}

func (o *tlsOptions) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.cert, "tls-cert", "", "PEM certificate chain: serve HTTPS (with --tls-key)")
	fs.StringVar(&o.key, "tls-key", "", "PEM private key of --tls-cert")
}

// config checks the flags and loads the key pair, so that a bad file stops
// serve at start-up rather than at the first connection. It returns nil
// when TLS is not asked for.
func (o tlsOptions) config() (*tls.Config, error) {
	if o.cert == "" && o.key == "" {
		return nil, nil
	}
	if o.cert == "" || o.key == "" {
		return nil, jiedao.Invalid("tls-cert", "--tls-cert 与 --tls-key 须同时给出", "--tls-cert and --tls-key go together")
	}
	pair, err := tls.LoadX509KeyPair(o.cert, o.key)
	if err != nil {
		return nil, &jiedao.Error{Code: jiedao.EINVALID, Field: "tls-cert",
			Zh: "无法读取 TLS 证书或私钥：" + err.Error(), En: "cannot load the TLS certificate or key: " + err.Error()}
	}
	// TLS 1.2 at least, with Go's default cipher suites (all AEAD with
	// forward secrecy for 1.2); h2 first, as ServeTLS would offer it.
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{pair},
		NextProtos: []string{"h2", "http/1.1"}}, nil
}

// listen listens on addr, wrapped in TLS when cfg is not nil, and returns
// the URL scheme to print.
func listen(addr string, cfg *tls.Config) (net.Listener, string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil || cfg == nil {
		return ln, "http", err
	}
	return tls.NewListener(ln, cfg), "https", nil
}
