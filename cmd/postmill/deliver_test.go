package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// sftpServer is a password-only SFTP server on 127.0.0.1 serving a temporary
// directory (pkg/sftp over x/crypto/ssh). The full test server, with key
// authentication and dropped connections, is in internal/vendor's tests.
type sftpServer struct {
	addr, root, user, password, knownHosts string
}

func startSFTP(t *testing.T) *sftpServer {
	t.Helper()
	dir := t.TempDir()
	s := &sftpServer{root: filepath.Join(dir, "root"), user: "vendor", password: "pw-123", knownHosts: filepath.Join(dir, "known_hosts")}
	os.Mkdir(s.root, 0o755)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	hostKey, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{PasswordCallback: func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
		if c.User() == s.user && string(pw) == s.password {
			return nil, nil
		}
		return nil, errors.New("denied")
	}}
	cfg.AddHostKey(hostKey)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	line := knownhosts.Line([]string{knownhosts.Normalize(s.addr)}, hostKey.PublicKey())
	if err := os.WriteFile(s.knownHosts, []byte(line+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Go(func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, nc)
			mu.Unlock()
			wg.Go(func() { serveSFTP(nc, cfg, s.root) })
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return s
}

func serveSFTP(nc net.Conn, cfg *ssh.ServerConfig, root string) {
	defer nc.Close()
	sc, chans, reqs, err := ssh.NewServerConn(nc, cfg)
	if err != nil {
		return
	}
	defer sc.Close()
	go ssh.DiscardRequests(reqs)
	var wg sync.WaitGroup
	for nch := range chans {
		ch, creqs, err := nch.Accept()
		if err != nil {
			continue
		}
		wg.Go(func() {
			defer ch.Close()
			for req := range creqs {
				ok := req.Type == "subsystem" && len(req.Payload) > 4 && string(req.Payload[4:]) == "sftp"
				req.Reply(ok, nil)
				if ok {
					go ssh.DiscardRequests(creqs)
					if srv, err := sftp.NewServer(ch, sftp.WithServerWorkingDirectory(root)); err == nil {
						srv.Serve()
						srv.Close()
					}
					return
				}
			}
		})
	}
	wg.Wait()
}

// runDeliver runs cmdDeliver in-process and returns stdout, stderr and its
// error.
func runDeliver(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env_{stdout: &out, stderr: &errb, getenv: func(k string) string { return env[k] }}
	err := cmdDeliver(context.Background(), e.env(), args)
	return out.String(), errb.String(), err
}

// writeRunDir writes a run output directory with two batches.
func writeRunDir(t *testing.T) string {
	t.Helper()
	out := t.TempDir()
	for _, id := range []string{"B1", "B2"} {
		dir := filepath.Join(out, "batches", id)
		os.MkdirAll(dir, 0o755)
		data := []byte("piece_id,zip\n" + strings.Repeat(id+"-piece,12345\n", 500))
		if err := os.WriteFile(filepath.Join(dir, "pieces.csv"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		m, _ := json.MarshalIndent(map[string]any{
			"batch_id":   id,
			"vendor":     "acme-print",
			"files":      []map[string]any{{"name": "pieces.csv", "sha256": hex.EncodeToString(sum[:]), "rows": 500}},
			"deliveries": []any{},
		}, "", "  ")
		if err := os.WriteFile(filepath.Join(dir, "manifest.json"), m, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestDeliverRunDir(t *testing.T) {
	s := startSFTP(t)
	out := writeRunDir(t)
	env := map[string]string{"VENDOR_PW": s.password, "POSTMILL_USER": s.user}
	args := []string{out, "--sftp", s.addr, "--password-env", "VENDOR_PW", "--known-hosts", s.knownHosts, "--remote-dir", "inbox"}
	stdout, stderr, err := runDeliver(t, env, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for _, id := range []string{"B1", "B2"} {
		if !strings.Contains(stdout, id+" delivered to acme-print ("+s.addr+":inbox/"+id+"): 2 files") {
			t.Errorf("output lacks the delivery of %s:\n%s", id, stdout)
		}
		for _, name := range []string{"pieces.csv", "manifest.json"} {
			if _, err := os.Stat(filepath.Join(s.root, "inbox", id, name)); err != nil {
				t.Errorf("not delivered: %v", err)
			}
		}
		var m struct{ Deliveries []map[string]any }
		data, _ := os.ReadFile(filepath.Join(out, "batches", id, "manifest.json"))
		if err := json.Unmarshal(data, &m); err != nil || len(m.Deliveries) != 1 || m.Deliveries[0]["host"] != s.addr {
			t.Errorf("%s manifest deliveries = %v (%v)", id, m.Deliveries, err)
		}
	}

	stdout, _, err = runDeliver(t, env, args...)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(stdout, "already delivered") != 2 {
		t.Errorf("second run:\n%s", stdout)
	}
}

func TestDeliverErrors(t *testing.T) {
	s := startSFTP(t)
	out := writeRunDir(t)
	base := []string{"--sftp", s.addr, "--user", s.user}
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no dir", append(base, "--password-env", "PW", "--known-hosts", s.knownHosts), map[string]string{"PW": "x"}, "no batch directory"},
		{"no auth", append(base, out, "--known-hosts", s.knownHosts), nil, "--key or --password-env"},
		{"no host key", append(base, out, "--password-env", "PW"), map[string]string{"PW": "x"}, "--known-hosts is required"},
		{"empty password", append(base, out, "--password-env", "PW", "--known-hosts", s.knownHosts), nil, "PW: the variable is empty"},
		{"wrong password", append(base, out, "--password-env", "PW", "--known-hosts", s.knownHosts), map[string]string{"PW": "wrong"}, "unable to authenticate"},
		{"not a batch", append(base, t.TempDir(), "--password-env", "PW", "--known-hosts", s.knownHosts), map[string]string{"PW": s.password}, "no manifest.json"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runDeliver(t, tt.env, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestDeliverHelp(t *testing.T) {
	stdout, _, err := runDeliver(t, nil, "--help")
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(stdout, "Example:\n  postmill deliver ") {
		t.Errorf("--help (%v):\n%s", err, stdout)
	}
}
