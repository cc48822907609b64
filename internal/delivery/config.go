package delivery

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"
)

// Defaults used for zero Config fields.
const (
	// DefaultTimeout is Config.Timeout's default.
	DefaultTimeout = 30 * time.Second
	// DefaultRetries is Config.Retries's default.
	DefaultRetries = 3
	// DefaultBackoff is Config.Backoff's default.
	DefaultBackoff = time.Second
	// DefaultMaxBackoff caps the wait between retries.
	DefaultMaxBackoff = 30 * time.Second
)

// Config says where and how to deliver. Addr, User, one of Password or
// KeyFile, and KnownHostsFile (or InsecureIgnoreHostKey) are required.
type Config struct {
	// Addr is the vendor's SFTP server as host:port. A missing port means 22.
	Addr string
	// User is the SSH login name. Required.
	User string
	// Password authenticates by password (and keyboard-interactive). Empty:
	// no password authentication.
	Password string
	// KeyFile is a private key file (PEM or OpenSSH format) for public-key
	// authentication. Empty: no key authentication.
	KeyFile string
	// KeyPassphrase decrypts KeyFile. Empty: the key must not be encrypted.
	KeyPassphrase string
	// KnownHostsFile is an OpenSSH known_hosts file holding the server's host
	// key. Required unless InsecureIgnoreHostKey is set.
	KnownHostsFile string
	// InsecureIgnoreHostKey accepts any host key, logging a warning. False:
	// the host key is checked against KnownHostsFile.
	InsecureIgnoreHostKey bool
	// RemoteDir is the directory on the server that receives batch
	// directories (RemoteDir/<batch_id>/). Empty: the login directory.
	RemoteDir string
	// Vendor names the vendor in delivery records. Empty: the manifest's
	// "vendor" field, else the host of Addr.
	Vendor string
	// Timeout bounds connecting (TCP and SSH handshake) and how long the
	// server may stay silent on an open connection (keepalives are sent every
	// Timeout/3). Zero: DefaultTimeout.
	Timeout time.Duration
	// Retries is how many times a push reconnects after a dropped connection
	// or a network error. Zero: DefaultRetries; negative: no retry.
	Retries int
	// Backoff is the wait before the first retry, doubled for each next one
	// up to DefaultMaxBackoff. Zero: DefaultBackoff.
	Backoff time.Duration
	// VerifyReadBack reads each uploaded file back and compares its sha256
	// before renaming it into place. False: the remote size is checked (SSH
	// already protects each packet with a MAC).
	VerifyReadBack bool
	// Logger receives warnings and retry notices. Nil: slog.Default().
	Logger *slog.Logger
}

// withDefaults returns c with the zero fields that have a default filled in.
func (c Config) withDefaults() Config {
	if c.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			c.Addr = net.JoinHostPort(c.Addr, "22")
		}
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Retries == 0 {
		c.Retries = DefaultRetries
	} else if c.Retries < 0 {
		c.Retries = 0
	}
	if c.Backoff <= 0 {
		c.Backoff = DefaultBackoff
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Validate reports a missing or contradictory field.
func (c Config) Validate() error {
	var errs []error
	if c.Addr == "" {
		errs = append(errs, errors.New("no server address"))
	}
	if c.User == "" {
		errs = append(errs, errors.New("no user"))
	}
	if c.Password == "" && c.KeyFile == "" {
		errs = append(errs, errors.New("no password and no key file"))
	}
	if c.KnownHostsFile == "" && !c.InsecureIgnoreHostKey {
		errs = append(errs, errors.New("no known_hosts file (host key verification is required unless InsecureIgnoreHostKey is set)"))
	}
	if c.KnownHostsFile != "" && c.InsecureIgnoreHostKey {
		errs = append(errs, errors.New("both a known_hosts file and InsecureIgnoreHostKey"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("vendor config: %w", err)
	}
	return nil
}

// backoff returns the wait before retry n (1-based).
func (c Config) backoff(n int) time.Duration {
	d := c.Backoff
	for i := 1; i < n && d < DefaultMaxBackoff; i++ {
		d *= 2
	}
	return min(d, DefaultMaxBackoff)
}
