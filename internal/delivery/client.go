package delivery

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Errors a caller can branch on with errors.Is.
var (
	// ErrHostKeyMismatch: the server's host key differs from the one in
	// known_hosts (or is revoked there). Never retried.
	ErrHostKeyMismatch = errors.New("host key mismatch")
	// ErrUnknownHost: known_hosts has no key for the server. Never retried.
	ErrUnknownHost = errors.New("host not in known_hosts")
	// ErrChecksum: a file's sha256 differs from what it should be (a local
	// file against its manifest, or an upload read back).
	ErrChecksum = errors.New("sha256 mismatch")
)

// Client pushes batches to one vendor SFTP server. It holds no connection
// between pushes (each Push dials its own), so it may be used by several
// goroutines for different batches.
type Client struct {
	cfg       Config
	auth      []ssh.AuthMethod
	hostKey   ssh.HostKeyCallback
	hostAlgos []string
}

// Delivery says what one Push did.
type Delivery struct {
	// BatchID is the batch's id; the remote directory's last element.
	BatchID string
	// Vendor and Host are as recorded in the manifest.
	Vendor, Host string
	// RemoteDir is the remote batch directory (Config.RemoteDir/<batch_id>).
	RemoteDir string
	// Files are the batch's files in upload order, manifest.json last.
	Files []FileDelivery
	// ManifestSHA256 is the hex sha256 of the manifest.json the vendor holds.
	ManifestSHA256 string
	// AlreadyDelivered: every file was already in place; nothing was uploaded.
	AlreadyDelivered bool
	// Recorded: a delivery record was appended to the local manifest.json.
	Recorded bool
	// Attempts counts connections made (1 unless a connection dropped).
	Attempts int
	// DeliveredAt is when the push completed, in UTC.
	DeliveredAt time.Time
}

// FileDelivery is one file of a Delivery.
type FileDelivery struct {
	// Name is the file's name in the batch directory.
	Name string
	// Bytes is the file's size.
	Bytes int64
	// SHA256 is the hex sha256 of the file now under its final remote name.
	SHA256 string
	// Present: the file was already in place and was not uploaded.
	Present bool
	// ResumedFrom is the offset an interrupted upload continued from (0 when
	// it started from the beginning).
	ResumedFrom int64
	// Sent counts the bytes written to the server by this push.
	Sent int64
}

// New checks cfg, reads its key and known_hosts files, and returns a client.
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	c := &Client{cfg: cfg}
	if cfg.KeyFile != "" {
		pem, err := os.ReadFile(cfg.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("read key file: %w", err)
		}
		var signer ssh.Signer
		if cfg.KeyPassphrase != "" {
			signer, err = ssh.ParsePrivateKeyWithPassphrase(pem, []byte(cfg.KeyPassphrase))
		} else {
			signer, err = ssh.ParsePrivateKey(pem)
		}
		if err != nil {
			if _, ok := errors.AsType[*ssh.PassphraseMissingError](err); ok {
				return nil, fmt.Errorf("key file %s is encrypted and no passphrase was given", cfg.KeyFile)
			}
			return nil, fmt.Errorf("parse key file %s: %w", cfg.KeyFile, err)
		}
		c.auth = append(c.auth, ssh.PublicKeys(signer))
	}
	if cfg.Password != "" {
		pw := cfg.Password
		c.auth = append(c.auth, ssh.Password(pw), ssh.KeyboardInteractive(
			func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = pw
				}
				return answers, nil
			}))
	}
	if cfg.InsecureIgnoreHostKey {
		c.hostKey = ssh.InsecureIgnoreHostKey()
	} else {
		cb, err := knownhosts.New(cfg.KnownHostsFile)
		if err != nil {
			return nil, fmt.Errorf("read known_hosts: %w", err)
		}
		c.hostKey = checkHostKey(cb, cfg.KnownHostsFile)
		c.hostAlgos = knownAlgorithms(cb, cfg.Addr)
	}
	return c, nil
}

// checkHostKey wraps a knownhosts callback so its errors say what happened
// and wrap ErrHostKeyMismatch or ErrUnknownHost.
func checkHostKey(cb ssh.HostKeyCallback, file string) ssh.HostKeyCallback {
	return func(host string, remote net.Addr, key ssh.PublicKey) error {
		err := cb(host, remote, key)
		if err == nil {
			return nil
		}
		got := key.Type() + " " + ssh.FingerprintSHA256(key)
		if ke, ok := errors.AsType[*knownhosts.KeyError](err); ok {
			if len(ke.Want) == 0 {
				return fmt.Errorf("%w: %s offers %s and %s has no key for it (add it after checking the fingerprint with the vendor)",
					ErrUnknownHost, host, got, file)
			}
			var want []string
			for _, k := range ke.Want {
				want = append(want, fmt.Sprintf("%s %s (%s:%d)", k.Key.Type(), ssh.FingerprintSHA256(k.Key), k.Filename, k.Line))
			}
			return fmt.Errorf("%w: %s offers %s, known_hosts has %s; refusing to connect (someone may be intercepting the connection, or the vendor changed its key)",
				ErrHostKeyMismatch, host, got, strings.Join(want, ", "))
		}
		if _, ok := errors.AsType[*knownhosts.RevokedError](err); ok {
			return fmt.Errorf("%w: %s offers %s, which %s marks as revoked", ErrHostKeyMismatch, host, got, file)
		}
		return fmt.Errorf("check host key of %s against %s: %w", host, file, err)
	}
}

// knownAlgorithms lists the host key algorithms of the keys known_hosts has
// for addr, so the server is asked for a key that can be checked (a server
// with several host keys might otherwise offer one not in the file). Nil
// when the file has none (the handshake then fails with ErrUnknownHost).
func knownAlgorithms(cb ssh.HostKeyCallback, addr string) []string {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil
	}
	probe, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil
	}
	ke, ok := errors.AsType[*knownhosts.KeyError](cb(addr, &net.TCPAddr{IP: net.IPv4zero}, probe))
	if !ok {
		return nil
	}
	var algos []string
	for _, k := range ke.Want {
		var add []string
		switch t := k.Key.Type(); t {
		case ssh.KeyAlgoRSA:
			add = []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
		default:
			add = []string{t}
		}
		for _, a := range add {
			if !slices.Contains(algos, a) {
				algos = append(algos, a)
			}
		}
	}
	return algos
}

// item is one file to deliver.
type item struct {
	name   string
	size   int64
	sha256 string   // what is uploaded
	accept []string // sha256 values that count as already delivered
	data   []byte   // content when held in memory (the manifest); else read from dir
}

// Push delivers the batch in batchDir to RemoteDir/<batch_id>/ and records
// the delivery in its manifest.json. See the package documentation for the
// protocol. Pushing a batch that is already in place uploads nothing and
// returns a Delivery with AlreadyDelivered set. On error the remote batch
// directory may hold some final files (complete) and temporary files, never
// a partial file under a final name; pushing again resumes.
func (c *Client) Push(ctx context.Context, batchDir string) (Delivery, error) {
	b, err := readBatch(batchDir)
	if err != nil {
		return Delivery{}, err
	}
	host, _, _ := net.SplitHostPort(c.cfg.Addr)
	d := Delivery{
		BatchID:   b.id,
		Vendor:    cmp.Or(c.cfg.Vendor, b.vendor, host),
		Host:      c.cfg.Addr,
		RemoteDir: path.Join(c.cfg.RemoteDir, b.id),
	}
	var items []item
	for _, f := range b.files {
		items = append(items, item{name: f.name, size: f.size, sha256: f.sha256, accept: []string{f.sha256}})
	}
	m := item{name: ManifestFile, size: int64(len(b.manifest)), sha256: b.manifestSum, accept: []string{b.manifestSum}, data: b.manifest}
	for _, r := range b.deliveries {
		if d.sameTarget(r) && !slices.Contains(m.accept, r.SHA256) {
			m.accept = append(m.accept, r.SHA256)
		}
	}
	items = append(items, m)
	d.Files = make([]FileDelivery, len(items))

	log := c.cfg.Logger.With("batch", b.id, "host", c.cfg.Addr)
	done := 0
	for {
		d.Attempts++
		err = c.attempt(ctx, b, &d, items, &done)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return d, fmt.Errorf("deliver batch %s to %s: %w", b.id, c.cfg.Addr, context.Cause(ctx))
		}
		if !transient(err) || d.Attempts > c.cfg.Retries {
			return d, fmt.Errorf("deliver batch %s to %s: %w", b.id, c.cfg.Addr, err)
		}
		wait := c.cfg.backoff(d.Attempts)
		log.Warn("vendor delivery: connection failed, retrying", "err", err, "attempt", d.Attempts, "wait", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return d, fmt.Errorf("deliver batch %s to %s: %w (after %v)", b.id, c.cfg.Addr, context.Cause(ctx), err)
		case <-t.C:
		}
	}

	d.DeliveredAt = time.Now().UTC()
	uploaded := slices.ContainsFunc(d.Files, func(f FileDelivery) bool { return !f.Present })
	d.AlreadyDelivered = !uploaded
	d.ManifestSHA256 = d.Files[len(d.Files)-1].SHA256
	recorded := slices.ContainsFunc(b.deliveries, func(r Record) bool {
		return d.sameTarget(r) && r.SHA256 == d.ManifestSHA256
	})
	if uploaded || !recorded {
		r := Record{Vendor: d.Vendor, Host: d.Host, RemoteDir: d.RemoteDir, SHA256: d.ManifestSHA256, DeliveredAt: d.DeliveredAt}
		for _, f := range d.Files {
			r.Files = append(r.Files, f.Name)
		}
		if err := AppendDelivery(batchDir, r); err != nil {
			return d, fmt.Errorf("batch %s is delivered to %s but %w (pushing again records it)", b.id, c.cfg.Addr, err)
		}
		d.Recorded = true
	}
	return d, nil
}

// sameTarget reports whether r is a delivery to where d delivers.
func (d *Delivery) sameTarget(r Record) bool {
	return r.Vendor == d.Vendor && r.Host == d.Host && r.RemoteDir == d.RemoteDir
}

// attempt connects and delivers items[*done:], advancing *done.
func (c *Client) attempt(ctx context.Context, b *batch, d *Delivery, items []item, done *int) error {
	conn, err := c.dial(ctx)
	if err != nil {
		return err
	}
	defer conn.close()
	if err := conn.sftp.MkdirAll(d.RemoteDir); err != nil {
		return fmt.Errorf("create remote directory %s: %w", d.RemoteDir, err)
	}
	_, posix := conn.sftp.HasExtension("posix-rename@openssh.com")
	for ; *done < len(items); *done++ {
		it := items[*done]
		var local io.ReaderAt
		if it.data != nil {
			local = bytes.NewReader(it.data)
		} else {
			f, err := os.Open(filepath.Join(b.dir, it.name))
			if err != nil {
				return fmt.Errorf("open batch file: %w", err)
			}
			local = f
			defer f.Close()
		}
		fd, err := c.deliverFile(conn.sftp, posix, b.id, d.RemoteDir, it, local)
		d.Files[*done].Sent += fd.Sent
		if err != nil {
			return err
		}
		fd.Sent = d.Files[*done].Sent
		d.Files[*done] = fd
	}
	return nil
}

// deliverFile puts one file under its final name in dir, resuming a
// temporary file left by an earlier attempt.
func (c *Client) deliverFile(cl *sftp.Client, posix bool, batchID, dir string, it item, local io.ReaderAt) (FileDelivery, error) {
	fd := FileDelivery{Name: it.name, Bytes: it.size, SHA256: it.sha256}
	final := path.Join(dir, it.name)
	tmp := path.Join(dir, "."+it.name+".part-"+batchID)

	// Already in place?
	st, err := cl.Stat(final)
	switch {
	case err == nil && st.Mode().IsRegular() && (st.Size() == it.size || len(it.accept) > 1):
		sum, err := remoteSum(cl, final, st.Size())
		if err != nil {
			return fd, err
		}
		if slices.Contains(it.accept, sum) {
			fd.Present, fd.SHA256, fd.Bytes = true, sum, st.Size()
			if err := cl.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
				c.cfg.Logger.Warn("vendor delivery: cannot remove stale temporary file", "host", c.cfg.Addr, "file", tmp, "err", err)
			}
			return fd, nil
		}
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return fd, fmt.Errorf("stat remote %s: %w", final, err)
	}

	// Resume a temporary file whose content is a prefix of ours.
	var off int64
	st, err = cl.Stat(tmp)
	switch {
	case err == nil && st.Mode().IsRegular() && st.Size() > 0 && st.Size() <= it.size:
		remote, err := remoteSum(cl, tmp, st.Size())
		if err != nil {
			return fd, err
		}
		h := sha256.New()
		if _, err := io.Copy(h, io.NewSectionReader(local, 0, st.Size())); err != nil {
			return fd, fmt.Errorf("read %s: %w", it.name, err)
		}
		if remote == hex.EncodeToString(h.Sum(nil)) {
			off = st.Size()
		}
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return fd, fmt.Errorf("stat remote %s: %w", tmp, err)
	}
	fd.ResumedFrom = off

	if off < it.size || it.size == 0 {
		flags := os.O_WRONLY | os.O_CREATE
		if off == 0 {
			flags |= os.O_TRUNC
		}
		w, err := cl.OpenFile(tmp, flags)
		if err != nil {
			return fd, fmt.Errorf("open remote %s: %w", tmp, err)
		}
		if _, err := w.Seek(off, io.SeekStart); err != nil {
			w.Close()
			return fd, fmt.Errorf("seek remote %s: %w", tmp, err)
		}
		n, err := w.ReadFrom(io.NewSectionReader(local, off, it.size-off))
		fd.Sent = n
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fd, fmt.Errorf("upload %s to %s: %w", it.name, tmp, err)
		}
	}

	st, err = cl.Stat(tmp)
	if err != nil {
		return fd, fmt.Errorf("stat remote %s: %w", tmp, err)
	}
	if st.Size() != it.size {
		return fd, fmt.Errorf("remote %s has %d bytes after upload, want %d", tmp, st.Size(), it.size)
	}
	if c.cfg.VerifyReadBack {
		sum, err := remoteSum(cl, tmp, it.size)
		if err != nil {
			return fd, err
		}
		if sum != it.sha256 {
			cl.Remove(tmp)
			return fd, fmt.Errorf("remote %s reads back with sha256 %s, want %s: %w", tmp, sum, it.sha256, ErrChecksum)
		}
	}
	if err := rename(cl, posix, tmp, final); err != nil {
		return fd, err
	}
	return fd, nil
}

// rename moves tmp to final, replacing it: posix-rename@openssh.com when the
// server has it, else remove and rename (final is then briefly absent, but
// never partial).
func rename(cl *sftp.Client, posix bool, tmp, final string) error {
	if posix {
		if err := cl.PosixRename(tmp, final); err != nil {
			return fmt.Errorf("rename remote %s to %s: %w", tmp, final, err)
		}
		return nil
	}
	err := cl.Rename(tmp, final)
	if err == nil {
		return nil
	}
	if _, serr := cl.Stat(final); serr != nil {
		return fmt.Errorf("rename remote %s to %s: %w", tmp, final, err)
	}
	if err := cl.Remove(final); err != nil {
		return fmt.Errorf("replace remote %s: %w", final, err)
	}
	if err := cl.Rename(tmp, final); err != nil {
		return fmt.Errorf("rename remote %s to %s: %w", tmp, final, err)
	}
	return nil
}

// remoteSum reads the first n bytes of the remote file p and returns their
// hex sha256.
func remoteSum(cl *sftp.Client, p string, n int64) (string, error) {
	f, err := cl.Open(p)
	if err != nil {
		return "", fmt.Errorf("open remote %s: %w", p, err)
	}
	defer f.Close()
	h := sha256.New()
	got, err := io.Copy(h, io.NewSectionReader(f, 0, n))
	if err != nil {
		return "", fmt.Errorf("read remote %s: %w", p, err)
	}
	if got != n {
		return "", fmt.Errorf("read remote %s: %d bytes, want %d", p, got, n)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// transient reports whether err is a lost or failed connection that a new
// connection may cure.
func transient(err error) bool {
	switch {
	case err == nil,
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, ErrHostKeyMismatch), errors.Is(err, ErrUnknownHost), errors.Is(err, ErrChecksum):
		return false
	case errors.Is(err, sftp.ErrSSHFxConnectionLost), errors.Is(err, sftp.ErrSSHFxNoConnection),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ETIMEDOUT):
		return true
	}
	_, ok := errors.AsType[net.Error](err)
	return ok
}
