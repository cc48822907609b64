package delivery_test

// testServer is an SFTP server for the tests: the SFTP server of
// github.com/pkg/sftp over a golang.org/x/crypto/ssh server on 127.0.0.1,
// with an ed25519 host key, password and public-key authentication, serving
// a temporary directory. It can drop a connection after a byte budget, to
// test interrupted uploads.

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// A testServer is running. Its fields are set by newTestServer and
// must not be changed.
type testServer struct {
	// Addr is the server's 127.0.0.1:port.
	Addr string
	// Root is the directory served; relative paths resolve against it.
	Root string
	// User and Password are the accepted password login.
	User, Password string
	// KeyFile is an OpenSSH-format private key (mode 0600) whose public key
	// the server accepts for User.
	KeyFile string
	// KnownHostsFile is a known_hosts file holding the host key for Addr.
	KnownHostsFile string
	// HostKey is the server's ed25519 host key.
	HostKey ssh.PublicKey

	ln        net.Listener
	cfg       *ssh.ServerConfig
	wg        sync.WaitGroup
	mu        sync.Mutex
	conns     map[net.Conn]struct{}
	idle      chan struct{} // closed while conns is empty
	dropNext  atomic.Int64
	accepted  atomic.Int64
	received  atomic.Int64
	closeOnce sync.Once
}

// newTestServer starts a server serving a new temporary directory and stops it
// when the test ends.
func newTestServer(tb testing.TB) *testServer {
	tb.Helper()
	dir := tb.TempDir()
	s := &testServer{Root: filepath.Join(dir, "root"), User: "vendor", Password: "s3cret-pw", conns: map[net.Conn]struct{}{}, idle: make(chan struct{})}
	close(s.idle)
	if err := os.Mkdir(s.Root, 0o755); err != nil {
		tb.Fatal(err)
	}

	hostSigner := signer(tb, newKey(tb))
	s.HostKey = hostSigner.PublicKey()
	userKey := newKey(tb)
	s.KeyFile = filepath.Join(dir, "id_ed25519")
	writeKeyFile(tb, s.KeyFile, userKey)
	authorized := signer(tb, userKey).PublicKey().Marshal()

	s.cfg = &ssh.ServerConfig{
		PasswordCallback: func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			if c.User() == s.User && string(pw) == s.Password {
				return nil, nil
			}
			return nil, errors.New("wrong password")
		},
		PublicKeyCallback: func(c ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if c.User() == s.User && string(key.Marshal()) == string(authorized) {
				return nil, nil
			}
			return nil, errors.New("unknown key")
		},
	}
	s.cfg.AddHostKey(hostSigner)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.ln = ln
	s.Addr = ln.Addr().String()
	s.KnownHostsFile = filepath.Join(dir, "known_hosts")
	writeKnownHosts(tb, s.KnownHostsFile, s.Addr, s.HostKey)

	s.wg.Add(1)
	go s.accept()
	tb.Cleanup(s.Close)
	return s
}

// newKey returns a new ed25519 private key.
func newKey(tb testing.TB) ed25519.PrivateKey {
	tb.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return priv
}

// signer returns an SSH signer for key.
func signer(tb testing.TB, key ed25519.PrivateKey) ssh.Signer {
	tb.Helper()
	signer, err := ssh.NewSignerFromKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	return signer
}

// writeKeyFile writes key to path in OpenSSH format, mode 0600.
func writeKeyFile(tb testing.TB, path string, key ed25519.PrivateKey) {
	tb.Helper()
	block, err := ssh.MarshalPrivateKey(key, "vendortest")
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		tb.Fatal(err)
	}
}

// writeKnownHosts writes a known_hosts file at path holding key for addr.
func writeKnownHosts(tb testing.TB, path, addr string, key ssh.PublicKey) {
	tb.Helper()
	line := knownhosts.Line([]string{knownhosts.Normalize(addr)}, key) + "\n"
	if err := os.WriteFile(path, []byte(line), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// DropNextAfter makes the server close the next connection it accepts once
// it has read n bytes from it (SSH-encrypted, handshake included).
func (s *testServer) DropNextAfter(n int64) { s.dropNext.Store(n) }

// Connections counts the connections accepted so far.
func (s *testServer) Connections() int { return int(s.accepted.Load()) }

// Received counts the bytes read from clients so far.
func (s *testServer) Received() int64 { return s.received.Load() }

// Wait blocks until every accepted connection has been fully handled (its
// SFTP server has returned and closed its files). The client must have
// closed or lost its connections.
func (s *testServer) Wait() {
	s.mu.Lock()
	idle := s.idle
	s.mu.Unlock()
	<-idle
}

// Close stops the server, drops its connections and waits for them.
func (s *testServer) Close() {
	s.closeOnce.Do(func() {
		s.ln.Close()
		s.mu.Lock()
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
}

func (s *testServer) accept() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.accepted.Add(1)
		c := &budgetConn{Conn: nc, left: s.dropNext.Swap(0), received: &s.received}
		s.mu.Lock()
		if len(s.conns) == 0 {
			s.idle = make(chan struct{})
		}
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.forget(c)
			s.serve(c)
		}()
	}
}

func (s *testServer) forget(c net.Conn) {
	c.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
	if len(s.conns) == 0 {
		close(s.idle)
	}
}

// serve runs one SSH connection: session channels with the sftp subsystem.
func (s *testServer) serve(nc net.Conn) {
	sc, chans, reqs, err := ssh.NewServerConn(nc, s.cfg)
	if err != nil {
		return
	}
	defer sc.Close()
	go ssh.DiscardRequests(reqs)
	var wg sync.WaitGroup
	for nch := range chans {
		if nch.ChannelType() != "session" {
			nch.Reject(ssh.UnknownChannelType, "only session channels")
			continue
		}
		ch, creqs, err := nch.Accept()
		if err != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer ch.Close()
			for req := range creqs {
				if req.Type != "subsystem" || len(req.Payload) < 4 || string(req.Payload[4:]) != "sftp" {
					if req.WantReply {
						req.Reply(false, nil)
					}
					continue
				}
				req.Reply(true, nil)
				go ssh.DiscardRequests(creqs)
				srv, err := sftp.NewServer(ch, sftp.WithServerWorkingDirectory(s.Root))
				if err != nil {
					return
				}
				srv.Serve()
				srv.Close()
				ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{0}))
				return
			}
		}()
	}
	wg.Wait()
}

// budgetConn closes itself once it has read its budget of bytes.
type budgetConn struct {
	net.Conn
	left     int64 // bytes still allowed; 0: no limit
	received *atomic.Int64
}

// Read reads at most the remaining budget and closes the connection when it
// is spent.
func (c *budgetConn) Read(p []byte) (int, error) {
	limited := c.left > 0
	if limited && int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.Conn.Read(p)
	c.received.Add(int64(n))
	if limited {
		c.left -= int64(n)
		if c.left == 0 {
			c.Conn.Close()
			if err == nil && n == 0 {
				err = io.EOF
			}
		}
	}
	return n, err
}
