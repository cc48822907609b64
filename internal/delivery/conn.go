package delivery

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// conn is one SSH connection with its SFTP session.
type conn struct {
	ssh       *ssh.Client
	sftp      *sftp.Client
	stopAfter func() bool
	done      chan struct{}
	once      sync.Once
}

// dial connects, verifies the host key, authenticates and starts SFTP. The
// connection is closed when ctx is done, so blocked SFTP calls return.
func (c *Client) dial(ctx context.Context) (*conn, error) {
	addr := c.cfg.Addr
	dialer := net.Dialer{Timeout: c.cfg.Timeout}
	nc, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	ic := &idleConn{Conn: nc, timeout: c.cfg.Timeout}
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	if c.cfg.InsecureIgnoreHostKey {
		c.cfg.Logger.Warn("vendor delivery: host key NOT verified (InsecureIgnoreHostKey); anyone on the path can impersonate the server", "host", addr)
	}
	sc, chans, reqs, err := ssh.NewClientConn(ic, addr, &ssh.ClientConfig{
		User:              c.cfg.User,
		Auth:              c.auth,
		HostKeyCallback:   c.hostKey,
		HostKeyAlgorithms: c.hostAlgos,
		Timeout:           c.cfg.Timeout,
	})
	if err != nil {
		stop()
		nc.Close()
		return nil, fmt.Errorf("ssh handshake with %s as %s: %w", addr, c.cfg.User, err)
	}
	client := ssh.NewClient(sc, chans, reqs)
	// Writes are kept sequential so that a remote temporary file is always
	// a prefix of the local file, which is what resuming relies on.
	sc2, err := sftp.NewClient(client, sftp.UseConcurrentWrites(false))
	if err != nil {
		stop()
		client.Close()
		return nil, fmt.Errorf("start sftp on %s: %w", addr, err)
	}
	cn := &conn{ssh: client, sftp: sc2, stopAfter: stop, done: make(chan struct{})}
	go cn.keepalive(c.cfg.Timeout / 3)
	return cn, nil
}

// keepalive asks the server for a reply every interval, so a dead server
// trips idleConn's read deadline and a live one never does.
func (cn *conn) keepalive(interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-cn.done:
			return
		case <-t.C:
			if _, _, err := cn.ssh.SendRequest("keepalive@openssh.com", true, nil); err != nil {
				return
			}
		}
	}
}

// close ends the SFTP session and the connection.
func (cn *conn) close() {
	cn.once.Do(func() {
		close(cn.done)
		cn.stopAfter()
		cn.sftp.Close()
		cn.ssh.Close()
	})
}

// idleConn fails a read after timeout of silence from the server.
type idleConn struct {
	net.Conn
	timeout time.Duration
}

// Read reads with a deadline timeout from now.
func (c *idleConn) Read(p []byte) (int, error) {
	if err := c.Conn.SetReadDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}
