// Package manifest writes the print-vendor hand-off of a run: one directory
// per print batch with the pieces in presort order and a manifest that
// checksums them, and it verifies such directories later.
//
// # Flow
//
//	accepted batches (after the account stage) ──Writer.Add──► batches/<batch_id>/pieces.csv (+ pieces.parquet)
//	end of run ──Writer.Close──► batches/<batch_id>/manifest.json, one per batch, returned as []Manifest
//	DIR ──Verify──► Report: every sha256, byte and row count, and the level and tray counts, rechecked
//	vendor delivery ──AppendDelivery──► manifest.json gains a Delivery record
//
// The run wires a [Writer] beside its run-directory sink: Add reads the live
// rows of every batch that reaches the end of the chain (accepted pieces;
// rejected and held rows are not in any manifest) and neither keeps nor
// releases the batch. Rows go to the directory of their batch_id column, in
// the order they arrive, which is presort order.
//
// # Layout
//
//	DIR/batches/<batch_id>/pieces.csv       header, then one piece per line
//	DIR/batches/<batch_id>/pieces.parquet   the same rows, with Config.Parquet
//	DIR/batches/<batch_id>/manifest.json    see [Manifest]
//
// Every file is written under a temporary name, fsynced and renamed into
// place (package formats/atomicfile); manifest.json is renamed last, so a
// batch directory with a manifest is complete. A failed run leaves no file
// under a final name (Abort removes the temporaries).
//
// # Determinism
//
// The same rows and configuration give byte-identical pieces files and
// manifests except created_at (and deliveries). The batch stage makes the
// rows deterministic except the IMb serial columns (imb, imb_tracking),
// which come from the serial allocator: a fresh allocator state gives the
// same serials, a used one new serials, as a rerun that mails must.
package manifest
