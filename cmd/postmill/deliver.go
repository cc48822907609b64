package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/postmill/postmill/internal/delivery"
)

func cmdDeliver(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "deliver", "BATCH_DIR... --sftp HOST:PORT --user USER (--key FILE | --password-env VAR) --known-hosts FILE",
		"Pushes batches to a print vendor's SFTP server. A BATCH_DIR is a batch directory (holding\n"+
			"manifest.json) or a run's output directory, whose batches/ are all delivered. Each file goes to\n"+
			"--remote-dir/<batch_id>/ under a hidden temporary name and is renamed once complete, pieces files\n"+
			"first and manifest.json last. A dropped connection is retried and the upload resumes where it\n"+
			"stopped; a batch already on the server is left alone. Each delivery is recorded in the batch's\n"+
			"manifest.json. The host key must be in --known-hosts (ssh-keyscan, checked with the vendor).",
		"postmill deliver out/ --sftp sftp.printer.example:22 --user acme --key acme_ed25519 --known-hosts printer_known_hosts --remote-dir inbox")
	addr := fs.String("sftp", "", "vendor SFTP server `host:port` (required; port 22 if omitted)")
	user := fs.String("user", "", "SSH login `name` (required)")
	key := fs.String("key", "", "private key `file` (PEM or OpenSSH format)")
	keyPassEnv := fs.String("key-passphrase-env", "", "environment `variable` holding the passphrase of --key")
	passEnv := fs.String("password-env", "", "environment `variable` holding the password")
	knownHosts := fs.String("known-hosts", "", "OpenSSH known_hosts `file` holding the server's host key (required)")
	insecure := fs.Bool("insecure-ignore-host-key", false, "accept any host key instead of --known-hosts (anyone on the path can then impersonate the vendor)")
	remoteDir := fs.String("remote-dir", "", "remote `directory` that receives batch directories (default: the login directory)")
	vendorName := fs.String("vendor", "", "vendor `name` in delivery records (default: the manifest's vendor, else the host)")
	timeout := fs.Duration("timeout", delivery.DefaultTimeout, "connect timeout, and the longest the server may stay silent")
	retries := fs.Int("retries", delivery.DefaultRetries, "reconnections after a dropped connection (0: none)")
	verify := fs.Bool("verify", false, "read each uploaded file back and check its sha256 before renaming it")
	quiet := fs.Bool("quiet", false, "print nothing when every batch is delivered")
	dirs, err := fs.parse(e, args)
	if err != nil {
		return err
	}
	switch {
	case len(dirs) == 0:
		return usagef("no batch directory")
	case *addr == "":
		return usagef("--sftp is required")
	case *user == "":
		return usagef("--user is required")
	case *key == "" && *passEnv == "":
		return usagef("--key or --password-env is required")
	case *knownHosts == "" && !*insecure:
		return usagef("--known-hosts is required (or --insecure-ignore-host-key)")
	case *knownHosts != "" && *insecure:
		return usagef("--known-hosts and --insecure-ignore-host-key exclude each other")
	case *retries < 0:
		return usagef("--retries %d: want 0 or more", *retries)
	}
	cfg := delivery.Config{
		Addr:                  *addr,
		User:                  *user,
		KeyFile:               *key,
		KnownHostsFile:        *knownHosts,
		InsecureIgnoreHostKey: *insecure,
		RemoteDir:             *remoteDir,
		Vendor:                *vendorName,
		Timeout:               *timeout,
		Retries:               *retries,
		VerifyReadBack:        *verify,
		Logger:                slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	if *retries == 0 {
		cfg.Retries = -1
	}
	if *passEnv != "" {
		if cfg.Password = e.getenv(*passEnv); cfg.Password == "" {
			return usagef("--password-env %s: the variable is empty or unset", *passEnv)
		}
	}
	if *keyPassEnv != "" {
		if cfg.KeyPassphrase = e.getenv(*keyPassEnv); cfg.KeyPassphrase == "" {
			return usagef("--key-passphrase-env %s: the variable is empty or unset", *keyPassEnv)
		}
	}
	// A run into the same output directory replaces its batches: not
	// while they are being delivered.
	locked := map[string]bool{}
	for _, d := range dirs {
		run := delivery.RunDir(d)
		if run == "" || locked[run] {
			continue
		}
		unlock, err := lockOut(run)
		if err != nil {
			return err
		}
		defer unlock()
		locked[run] = true
	}
	client, err := delivery.New(cfg)
	if err != nil {
		return err
	}
	var batches []string
	for _, d := range dirs {
		found, err := delivery.BatchDirs(d)
		if err != nil {
			return err
		}
		batches = append(batches, found...)
	}
	for _, dir := range batches {
		d, err := client.Push(ctx, dir)
		if err != nil {
			return err
		}
		if !*quiet {
			printDelivery(e, d)
		}
	}
	return nil
}

// printDelivery says what a push did, one line per batch.
func printDelivery(e *env, d delivery.Delivery) {
	where := fmt.Sprintf("%s (%s:%s)", d.Vendor, d.Host, d.RemoteDir)
	if d.AlreadyDelivered {
		note := ""
		if d.Recorded {
			note = "; delivery recorded in manifest.json"
		}
		fmt.Fprintf(e.stdout, "%s already delivered to %s%s\n", d.BatchID, where, note)
		return
	}
	var sent int64
	var notes []string
	for _, f := range d.Files {
		sent += f.Sent
		if f.ResumedFrom > 0 {
			notes = append(notes, fmt.Sprintf("%s resumed at byte %d", f.Name, f.ResumedFrom))
		}
	}
	if d.Attempts > 1 {
		notes = append(notes, fmt.Sprintf("%d connections", d.Attempts))
	}
	extra := ""
	if len(notes) > 0 {
		extra = "; " + strings.Join(notes, ", ")
	}
	fmt.Fprintf(e.stdout, "%s delivered to %s: %d files, %d bytes sent%s\n", d.BatchID, where, len(d.Files), sent, extra)
}
