// Package kafka is postmill's distributed transport: it links pipeline
// steps through Kafka topics (segmentio/kafka-go), so stages can run as
// consumer groups in separate processes ("postmill worker --stage NAME").
//
// # Topology
//
//	ingest ──► postmill.validate ──► [validate workers] ──► postmill.suppress ──► … ──► postmill.sink ──► sink
//	           (topic, P partitions)  (group postmill.validate)
//	                    │ undecodable message
//	                    └──────────────────────────────► postmill.dlq
//
// Each step boundary NAME is a topic "<Prefix>.NAME" with Config.Partitions
// partitions (created if absent) consumed by group "<GroupPrefix>.NAME".
//
// # Data in and out
//
// A [Sender] publishes each batch as one message: the value is the batch in
// Arrow IPC ([arrowbatch]), zstd-compressed; the key is the job id, so one
// job's batches stay in order on one partition; headers name the job,
// tenant, campaign, batch schema version and kind (batch or end). Writes
// wait for every in-sync replica (RequireAll). Send returns once the batch
// is encoded and queued: up to Config.MaxInFlight batches per sender await
// the brokers, published in order by one goroutine. [Sender.CloseSend]
// waits for them, then ends the job by publishing an end marker to every
// partition, carrying the producer's id and the number of producers.
//
// A [Receiver] fetches messages as a group member, decodes them and hands
// out batches; [Receiver.Ack] (called by the engine once a batch's results
// were sent on) commits the offsets below the oldest unacknowledged batch,
// so delivery is at-least-once and sinks dedupe on piece_id. Receive
// returns pipeline.EOF once every partition has the job's end marker from
// each of its producers. A message that cannot be decoded goes to the
// dead-letter topic ("<Prefix>.dlq") with headers error, topic, partition
// and offset; the receiver commits it and goes on; [Transport.DeadLetters]
// counts them per job for the report.
//
// # Several workers
//
// With N workers of a stage, each owns some input partitions. A worker
// that has seen a job's end marker from every upstream producer on an input
// partition p forwards its own end marker, as producer p of the input's
// partition count, to every output partition ([RunWorker] does this). The
// next stage thus waits for one end marker per upstream partition on each
// of its partitions, whichever workers owned them, and duplicates after a
// redelivery count once.
//
// Stateless boundaries key batches by job. A keyed stage (dedupe, presort,
// account: a [pipeline.Keyer]) gets rows re-partitioned by its key: the
// worker before it ([Worker.NextKey]) splits each batch into one message
// per partition, empty ones included, each keeping the batch's origin and
// seq. A keyed worker ([Worker.NewStage]) runs one stage instance per job
// and input partition: a flushing stage takes each (origin, seq) once and
// flushes at the job's end there; any other takes each origin's batches in
// seq order. Its output starts a new origin, so (origin, seq) stays unique
// on every partition downstream. It commits nothing of an unfinished job,
// sends the rows it finishes straight to "<Prefix>.sink", and puts its
// stage's report section on the end markers it forwards.
package kafka
