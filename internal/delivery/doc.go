// Package delivery delivers finished batches to a print vendor's SFTP server.
//
// # Data in
//
// A batch directory as formats/manifest writes it (batches/<batch_id>/):
// the pieces files (pieces.csv, optionally pieces.parquet) and manifest.json,
// which lists every pieces file with its sha256 under "files". [BatchDirs]
// expands a run's output directory into its batch directories.
//
// # Data out
//
// [Client.Push] copies the batch to RemoteDir/<batch_id>/ on the vendor's
// server, pieces files first and manifest.json last, so a vendor that waits
// for manifest.json sees a complete batch. Each file is uploaded under a
// hidden temporary name (.pieces.csv.part-<batch_id>), its remote size is
// checked (and, with Config.VerifyReadBack, its sha256), and only then is it
// renamed to its final name: a final name never holds a partial file. When
// the push succeeds a delivery record
//
//	{"vendor", "host", "remote_dir", "files", "sha256", "delivered_at"}
//
// is appended to the "deliveries" array of the local manifest.json
// (rewritten atomically: temporary file, fsync, rename). Its sha256 is that
// of the manifest.json bytes the vendor received, which pin every pieces file.
//
// # Host keys and authentication
//
// The server's host key is checked against an OpenSSH known_hosts file;
// skipping the check needs Config.InsecureIgnoreHostKey and logs a warning.
// Authentication is by private key (PEM or OpenSSH format), by password, or
// both.
//
// # Interrupted uploads
//
// A push that loses its connection reconnects (Config.Retries) and resumes:
// it stats the remote temporary file, compares the sha256 of that many
// leading bytes read back from the server with the local file's, and
// continues from there when they match (from zero otherwise). Writes are
// sequential, so the temporary file is always a prefix of what was sent.
// A later Push of the same batch resumes the same way.
//
// # Idempotency
//
// A file already present under its final name with the expected size and
// sha256 (read back from the server) is not uploaded again; a batch whose
// files are all present is reported as [Delivery.AlreadyDelivered] and its
// manifest is left alone unless no delivery record yet describes it (a push
// that died between the last rename and the record).
//
// One Push at a time per batch directory and remote directory: two pushes
// of the same batch to the same place race on the temporary files.
package delivery
