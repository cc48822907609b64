// Package arrowbatch is the wire form of a [pipeline.Batch]: an Apache Arrow
// IPC stream holding one record batch, zstd-compressed, as it travels in a
// Kafka message between two stages.
//
// # Compression
//
// By default ([CompressStream]) the whole IPC stream is one zstd frame
// (klauspost/compress, SpeedFastest, encoder and decoder reused): unwrap it
// with any zstd tool and any Arrow reader reads the rest. [CompressBuffers]
// uses Arrow's own body-buffer compression (ipc.WithZstd), readable by
// Arrow as it is but two to three times the CPU; [CompressNone] skips
// compression. Decode reads all three.
//
// # Layout
//
// The Arrow schema's metadata carries the batch format version
// ([VersionKey] = [Version]), the job (id, account, campaign, source, hex
// fingerprint), the batch's sequence number and how many of its rows are
// live. The record batch has one row per piece row, live rows first (in
// Batch.Rows order), then done rows (Batch.Done), and these columns:
//
//	num        int64                 source row number
//	line       int64                 input line
//	piece_id   fixed_size_binary[16] piece id
//	fate       uint8                 pipeline.Fate
//	reason     utf8, nullable        reason code (null when none)
//	detail     utf8, nullable        reject detail
//	notes      list<utf8>, nullable  informational codes
//	raw        binary, nullable      the record as it stood in the input
//	<column>…  utf8, nullable        one per job schema column, in schema order
//
// The first eight columns are found by position, so a job column may share a
// name with them. An empty field travels as null.
//
// # Data in and out
//
// [Encoder.Encode] appends a batch's encoding to a caller's buffer and does
// not keep the batch. [Decoder.Decode] builds a new pooled batch
// ([pipeline.NewBatch]) whose values are copied into the batch's arena, so
// the input buffer may be reused at once; the caller owns the batch and
// releases it. A decoder gives every batch of one job the same
// [*pipeline.Job]. Decode errors wrap one of [ErrNotArrow], [ErrTruncated],
// [ErrSchemaVersion] or [ErrMalformed], so a consumer can route a poison
// message to a dead-letter topic with a clear reason.
package arrowbatch
