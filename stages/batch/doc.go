// Package batch is the batch (presort) stage: it takes every piece of a
// job, sorts them into USPS presort levels and trays, gives each an
// Intelligent Mail barcode, and emits them again in presort order, ready for
// the account stage and the batch manifests.
//
// # Flow
//
//	live rows ──Process──► copied into a sorted run (spilled to a file when
//	                       MemoryRows is reached), ZIP counts kept; the rows
//	                       are Deferred (the engine drops them for now)
//	end of input ──Flush──► presort.Plan from the counts, so every piece's
//	                       level is known; one k-way merge of the runs (and
//	                       the last records, still in memory) emits the
//	                       first level as it goes and keeps the others for
//	                       after (presort.Sorter.ScanParts); pieces go out
//	                       in order with level, tray, sequence, batch id and
//	                       IMb set, in batches of EmitRows
//
// The stage needs all input before it emits anything, so it runs as a
// Serial step and implements [pipeline.Flusher]. Memory is bounded by
// MemoryRows (and MemoryBytes, plus an eighth of it for the levels kept
// during the merge) plus 400 KB of ZIP counts and one decoder per merged
// run, whatever the job's size.
//
// # Groups, levels and trays
//
// Pieces are grouped by (vendor, mail class, format) from [Config]; foreign
// pieces (address_status international, or a non-US address_country when
// address_status is empty) form a group of their own, with no IMb. Each group
// is one print batch with a deterministic batch_id derived from the account,
// campaign, job id and group. Domestic levels are 5digit, 3digit, aadc (only
// with a labeling list) and mixed, decided per ZIP Code from counts (see
// package internal/presort); pieces are emitted level by level, then by ADC,
// ZIP Code, ZIP+4 and piece id. Every destination (5-digit ZIP, 3-digit
// prefix, ADC, mixed) fills trays of its own of at most TrayMax pieces, split
// evenly. Tray numbers and sequence numbers count from 1 within a batch.
//
// # Columns added
//
// vendor, mail_class, mail_format, batch_id, presort_level, presort_dest
// (the tray's destination: ZIP Code, prefix, ADC name, MXD or INTL), tray,
// sequence, imb (65 bar letters F/A/D/T), imb_tracking (20 digits) and
// imb_routing (ZIP Code, 5 or 9 digits). The imb columns are empty for
// foreign pieces and when no Mailer ID is configured.
//
// # Serial numbers and determinism
//
// IMb serial numbers come from an [imb.Allocator] (FileSerials in the state
// directory), reserved in blocks as pieces are emitted; they are never
// derived from row numbers, since a rerun mails new pieces and USPS requires
// serials to stay unique for 45 days. The same input and configuration give
// the same order, levels, trays, sequence numbers and batch ids; only the
// imb and imb_tracking columns differ between runs (the same serials come
// back only from an allocator in the same state, such as a fresh state
// directory).
//
// # Rows
//
// A domestic piece without a 5-digit ZIP Code (address_zip of 5 digits, or 9
// digits with or without a hyphen when address_zip4 is empty) is rejected
// presort:zip_unusable; the validate stage normally rejects such rows first.
// A re-emitted row keeps its fields, piece id, source row number, line and
// notes, but not its raw input text.
package batch
