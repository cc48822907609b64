// Package depsanchor pins the design card's dependencies in go.mod while the
// packages that use them are being written. Delete it once each is imported
// by real code.
package depsanchor

import (
	_ "github.com/apache/arrow/go/v17/arrow/ipc"
	_ "github.com/apache/arrow/go/v17/parquet/pqarrow"
	_ "github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/klauspost/compress/gzip"
	_ "github.com/klauspost/compress/zstd"
	_ "github.com/pkg/sftp"
	_ "github.com/segmentio/kafka-go"
	_ "github.com/twmb/franz-go/pkg/kfake"
	_ "golang.org/x/crypto/ssh"
	_ "golang.org/x/sync/errgroup"
	_ "golang.org/x/term"
	_ "golang.org/x/text/unicode/norm"
)
