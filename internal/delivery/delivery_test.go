package delivery_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/postmill/postmill/internal/delivery"
)

// writeBatch writes root/batches/<id>/ with a pieces.csv of about size bytes
// and its manifest.json, and returns the batch directory.
func writeBatch(t *testing.T, root, id string, size int) string {
	t.Helper()
	dir := filepath.Join(root, "batches", id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("piece_id,row,name,zip\n")
	rows := 0
	for b.Len() < size {
		rows++
		fmt.Fprintf(&b, "%s%06d,%d,Resident %d,%05d\n", id, rows, rows, rows, 10000+rows%90000)
	}
	data := []byte(b.String())
	if err := os.WriteFile(filepath.Join(dir, "pieces.csv"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	m := map[string]any{
		"batch_id":   id,
		"vendor":     "acme-print",
		"files":      []map[string]any{{"name": "pieces.csv", "sha256": sum(data), "rows": rows}},
		"deliveries": []any{},
	}
	out, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, delivery.ManifestFile), append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func fileSum(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return sum(b)
}

// config returns a key-authenticated config for s that does not retry.
func config(s *testServer) delivery.Config {
	return delivery.Config{
		Addr:           s.Addr,
		User:           s.User,
		KeyFile:        s.KeyFile,
		KnownHostsFile: s.KnownHostsFile,
		RemoteDir:      "inbox",
		Timeout:        10 * time.Second,
		Retries:        -1,
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func push(t *testing.T, cfg delivery.Config, dir string) (delivery.Delivery, error) {
	t.Helper()
	c, err := delivery.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return c.Push(ctx, dir)
}

// manifest reads a batch's manifest.json.
func manifest(t *testing.T, dir string) (raw []byte, deliveries []delivery.Record) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, delivery.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Deliveries []delivery.Record }
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return raw, m.Deliveries
}

// requireDelivered checks that the server holds the batch's files under
// their final names and no temporary file.
func requireDelivered(t *testing.T, s *testServer, dir string, d delivery.Delivery) {
	t.Helper()
	remote := filepath.Join(s.Root, "inbox", filepath.Base(dir))
	if got, want := fileSum(t, filepath.Join(remote, "pieces.csv")), fileSum(t, filepath.Join(dir, "pieces.csv")); got != want {
		t.Errorf("remote pieces.csv sha256 %s, want %s", got, want)
	}
	if got := fileSum(t, filepath.Join(remote, delivery.ManifestFile)); got != d.ManifestSHA256 {
		t.Errorf("remote manifest.json sha256 %s, Delivery says %s", got, d.ManifestSHA256)
	}
	entries, err := os.ReadDir(remote)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "manifest.json pieces.csv" {
		t.Errorf("remote directory holds %v, want manifest.json and pieces.csv only", names)
	}
}

func TestPushAuth(t *testing.T) {
	for _, auth := range []string{"key", "password"} {
		t.Run(auth, func(t *testing.T) {
			s := newTestServer(t)
			dir := writeBatch(t, t.TempDir(), "B0001", 50_000)
			before, _ := manifest(t, dir)
			cfg := config(s)
			if auth == "password" {
				cfg.KeyFile, cfg.Password = "", s.Password
			}
			d, err := push(t, cfg, dir)
			if err != nil {
				t.Fatal(err)
			}
			requireDelivered(t, s, dir, d)
			if d.AlreadyDelivered || !d.Recorded || d.Attempts != 1 || d.BatchID != "B0001" || d.Vendor != "acme-print" || d.RemoteDir != "inbox/B0001" {
				t.Errorf("Delivery = %+v", d)
			}
			if d.ManifestSHA256 != sum(before) {
				t.Errorf("delivered manifest sha256 %s, want the manifest as it was before the push %s", d.ManifestSHA256, sum(before))
			}
			if len(d.Files) != 2 || d.Files[0].Name != "pieces.csv" || d.Files[1].Name != delivery.ManifestFile || d.Files[0].Sent != d.Files[0].Bytes {
				t.Errorf("Files = %+v", d.Files)
			}
			_, recs := manifest(t, dir)
			want := delivery.Record{Vendor: "acme-print", Host: s.Addr, RemoteDir: "inbox/B0001", Files: []string{"pieces.csv", "manifest.json"}, SHA256: sum(before)}
			if len(recs) != 1 || recs[0].DeliveredAt.IsZero() {
				t.Fatalf("deliveries = %+v", recs)
			}
			recs[0].DeliveredAt = time.Time{}
			if fmt.Sprint(recs[0]) != fmt.Sprint(want) {
				t.Errorf("delivery record %+v, want %+v", recs[0], want)
			}
		})
	}
}

func TestPushAlreadyDelivered(t *testing.T) {
	s := newTestServer(t)
	dir := writeBatch(t, t.TempDir(), "B0002", 10_000)
	if _, err := push(t, config(s), dir); err != nil {
		t.Fatal(err)
	}
	after1, _ := manifest(t, dir)
	d, err := push(t, config(s), dir)
	if err != nil {
		t.Fatal(err)
	}
	if !d.AlreadyDelivered || d.Recorded {
		t.Errorf("second push: AlreadyDelivered=%v Recorded=%v, want true false", d.AlreadyDelivered, d.Recorded)
	}
	for _, f := range d.Files {
		if !f.Present || f.Sent != 0 {
			t.Errorf("second push, %s: Present=%v Sent=%d", f.Name, f.Present, f.Sent)
		}
	}
	if after2, recs := manifest(t, dir); string(after2) != string(after1) || len(recs) != 1 {
		t.Errorf("second push changed the manifest (%d records)", len(recs))
	}
	requireDelivered(t, s, dir, d)
}

// A push that died after the last rename but before recording the delivery
// uploads nothing the next time, and records it.
func TestPushRecordsUnrecordedDelivery(t *testing.T) {
	s := newTestServer(t)
	dir := writeBatch(t, t.TempDir(), "B0003", 10_000)
	before, _ := manifest(t, dir)
	if _, err := push(t, config(s), dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, delivery.ManifestFile), before, 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := push(t, config(s), dir)
	if err != nil {
		t.Fatal(err)
	}
	if !d.AlreadyDelivered || !d.Recorded {
		t.Errorf("AlreadyDelivered=%v Recorded=%v, want both", d.AlreadyDelivered, d.Recorded)
	}
	if _, recs := manifest(t, dir); len(recs) != 1 || recs[0].SHA256 != sum(before) {
		t.Errorf("deliveries = %+v", recs)
	}
}

func TestHostKeyRefused(t *testing.T) {
	s := newTestServer(t)
	dir := writeBatch(t, t.TempDir(), "B0004", 1000)
	other := signer(t, newKey(t)).PublicKey()

	for _, tc := range []struct {
		name, addr string
		want       error
		msg        string
	}{
		{"mismatch", s.Addr, delivery.ErrHostKeyMismatch, "known_hosts has ssh-ed25519 SHA256:"},
		{"unknown", "127.0.0.1:1", delivery.ErrUnknownHost, "has no key for it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kh := filepath.Join(t.TempDir(), "known_hosts")
			writeKnownHosts(t, kh, tc.addr, other)
			cfg := config(s)
			cfg.KnownHostsFile = kh
			cfg.Retries, cfg.Backoff = 3, time.Nanosecond
			conns := s.Connections()
			_, err := push(t, cfg, dir)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), s.Addr) {
				t.Errorf("error %q does not say %q and the host", err, tc.msg)
			}
			if n := s.Connections() - conns; n != 1 {
				t.Errorf("%d connections, want 1 (a host key error is not retried)", n)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(s.Root, "inbox")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("something was written despite the host key error: %v", err)
	}
}

func TestInterruptedUploadResumes(t *testing.T) {
	s := newTestServer(t)
	dir := writeBatch(t, t.TempDir(), "B0005", 600_000)
	size := int64(len(mustRead(t, filepath.Join(dir, "pieces.csv"))))
	remote := filepath.Join(s.Root, "inbox", "B0005")

	s.DropNextAfter(250_000)
	_, err := push(t, config(s), dir)
	if err == nil {
		t.Fatal("push over a dropped connection succeeded")
	}
	t.Logf("interrupted push: %v", err)
	s.Wait() // the server has closed its files

	for _, name := range []string{"pieces.csv", delivery.ManifestFile} {
		if _, err := os.Stat(filepath.Join(remote, name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s exists under its final name after an interrupted upload (stat: %v)", name, err)
		}
	}
	part, err := os.Stat(filepath.Join(remote, ".pieces.csv.part-B0005"))
	if err != nil {
		t.Fatal(err)
	}
	if part.Size() == 0 || part.Size() >= size {
		t.Fatalf("temporary file has %d bytes, want part of %d", part.Size(), size)
	}

	received := s.Received()
	d, err := push(t, config(s), dir)
	if err != nil {
		t.Fatal(err)
	}
	requireDelivered(t, s, dir, d)
	f := d.Files[0]
	if f.ResumedFrom != part.Size() || f.Sent != size-part.Size() {
		t.Errorf("pieces.csv: ResumedFrom=%d Sent=%d, want %d and %d", f.ResumedFrom, f.Sent, part.Size(), size-part.Size())
	}
	if got := s.Received() - received; got >= size {
		t.Errorf("the resumed push sent %d bytes, more than the whole file (%d)", got, size)
	}
	if _, recs := manifest(t, dir); len(recs) != 1 {
		t.Errorf("deliveries = %+v", recs)
	}
}

func TestPushRetriesDroppedConnection(t *testing.T) {
	s := newTestServer(t)
	dir := writeBatch(t, t.TempDir(), "B0006", 400_000)
	s.DropNextAfter(150_000)
	cfg := config(s)
	cfg.Retries, cfg.Backoff = 2, time.Nanosecond
	d, err := push(t, cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.Attempts != 2 || d.Files[0].ResumedFrom == 0 {
		t.Errorf("Attempts=%d ResumedFrom=%d, want 2 and > 0", d.Attempts, d.Files[0].ResumedFrom)
	}
	requireDelivered(t, s, dir, d)
}

// A temporary file that is not a prefix of the local file is overwritten.
func TestResumeRejectsForeignPrefix(t *testing.T) {
	s := newTestServer(t)
	dir := writeBatch(t, t.TempDir(), "B0007", 20_000)
	remote := filepath.Join(s.Root, "inbox", "B0007")
	os.MkdirAll(remote, 0o755)
	if err := os.WriteFile(filepath.Join(remote, ".pieces.csv.part-B0007"), []byte("not, the same\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A stale final file with other content is replaced.
	if err := os.WriteFile(filepath.Join(remote, "pieces.csv"), []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := push(t, config(s), dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.Files[0].ResumedFrom != 0 || d.Files[0].Present {
		t.Errorf("Files[0] = %+v, want a full upload", d.Files[0])
	}
	requireDelivered(t, s, dir, d)
}

func TestPushVerifyReadBack(t *testing.T) {
	s := newTestServer(t)
	dir := writeBatch(t, t.TempDir(), "B0008", 5_000)
	cfg := config(s)
	cfg.VerifyReadBack = true
	cfg.RemoteDir = filepath.Join(s.Root, "abs", "path") // absolute remote path
	d, err := push(t, cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := fileSum(t, filepath.Join(s.Root, "abs", "path", "B0008", "pieces.csv")); got != d.Files[0].SHA256 {
		t.Errorf("remote sha256 %s, want %s", got, d.Files[0].SHA256)
	}
}

func TestPushRefusesCorruptBatch(t *testing.T) {
	s := newTestServer(t)
	dir := writeBatch(t, t.TempDir(), "B0009", 5_000)
	if err := os.WriteFile(filepath.Join(dir, "pieces.csv"), []byte("tampered\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := push(t, config(s), dir)
	if !errors.Is(err, delivery.ErrChecksum) || !strings.Contains(err.Error(), "pieces.csv") {
		t.Fatalf("err = %v, want ErrChecksum naming pieces.csv", err)
	}
	if s.Connections() != 0 {
		t.Errorf("connected to the vendor with a corrupt batch")
	}
}

func TestPushCanceled(t *testing.T) {
	s := newTestServer(t)
	dir := writeBatch(t, t.TempDir(), "B0010", 1_000)
	c, err := delivery.New(config(s))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Push(ctx, dir); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// The OpenSSH sftp client downloads what was delivered: the test server is
// a real SFTP server and the upload is readable by a standard client.
func TestOpenSSHClientReadsDelivery(t *testing.T) {
	sftpBin, err := exec.LookPath("sftp")
	if err != nil {
		t.Skip("OpenSSH sftp client not installed (apt-get install openssh-client): ", err)
	}
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Skip("OpenSSH ssh not installed (the sftp client runs it): ", err)
	}
	s := newTestServer(t)
	dir := writeBatch(t, t.TempDir(), "B0011", 100_000)
	d, err := push(t, config(s), dir)
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := strings.Cut(s.Addr, ":")
	out := t.TempDir()
	batch := filepath.Join(out, "batch")
	cmds := fmt.Sprintf("ls -la inbox/B0011\nget inbox/B0011/pieces.csv %s\nget inbox/B0011/manifest.json %s\n",
		filepath.Join(out, "pieces.csv"), filepath.Join(out, "manifest.json"))
	if err := os.WriteFile(batch, []byte(cmds), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, sftpBin, "-b", batch, "-P", port, "-i", s.KeyFile,
		"-F", "/dev/null",
		"-o", "StrictHostKeyChecking=yes",
		"-o", "UserKnownHostsFile="+s.KnownHostsFile,
		"-o", "GlobalKnownHostsFile=/dev/null",
		"-o", "BatchMode=yes",
		"-o", "IdentitiesOnly=yes",
		"-o", "PasswordAuthentication=no",
		s.User+"@127.0.0.1")
	output, err := cmd.CombinedOutput()
	t.Logf("sftp output:\n%s", output)
	if err != nil {
		t.Fatalf("sftp: %v", err)
	}
	if got, want := fileSum(t, filepath.Join(out, "pieces.csv")), fileSum(t, filepath.Join(dir, "pieces.csv")); got != want {
		t.Errorf("downloaded pieces.csv sha256 %s, want %s", got, want)
	}
	if got := fileSum(t, filepath.Join(out, "manifest.json")); got != d.ManifestSHA256 {
		t.Errorf("downloaded manifest.json sha256 %s, want %s", got, d.ManifestSHA256)
	}
	if strings.Contains(string(output), ".part-") {
		t.Errorf("the listing shows a temporary file")
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
