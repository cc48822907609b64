// Command postmill turns contact files into print-ready direct-mail batches.
// It wires postmill's packages together; the work happens in them.
//
// Run `postmill help` for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a command reads and writes besides its arguments.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// stderrTTY says whether stderr is a terminal (progress bars).
	stderrTTY bool
}

func commands() []command {
	return []command{
		{"run", "run a batch job over contact files (embedded, no server needed)", cmdRun},
		{"standardize", "standardize and validate the addresses of a CSV file (address hygiene only)", cmdStandardize},
		{"ledger", "manage the embedded credits ledger: accounts, credit types, buy, distribute, report", cmdLedger},
		{"release", "re-queue pieces held for insufficient credits once credits arrive", cmdRelease},
		{"worker", "run one stage as a Kafka consumer group member", func(ctx context.Context, e *env, a []string) error {
			stages, closeStages := stageByName(ctx, e)
			defer closeStages()
			return cmdWorker(ctx, e, a, stages)
		}},
		{"migrate", "apply the embedded PostgreSQL migrations", cmdMigrate},
		{"imb", "print the Intelligent Mail barcode for a tracking and routing code (or many, from stdin)", cmdIMb},
		{"verify", "recheck batch manifests: every sha256, row count and level/tray count", cmdVerify},
		{"deliver", "push batches to a print vendor's SFTP server (atomic, resumable, recorded)", cmdDeliver},
		{"gen", "write synthetic contacts and matching lists for benchmarks", cmdGen},
		{"reasons", "list every reason code with its description", cmdReasons},
	}
}

// exitCode is returned by a command that has already said why it failed.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit %d", int(e)) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, stderrTTY: isTerminal(os.Stderr)}
	os.Exit(mainExit(ctx, e, os.Args[1:]))
}

func mainExit(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			args = []string{args[1], "--help"}
		} else {
			usage(e.stdout)
			return 0
		}
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, e, args[1:])
		var code exitCode
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &code):
			return int(code)
		case errors.As(err, new(usageError)):
			fmt.Fprintf(e.stderr, "postmill %s: %v\nRun 'postmill %s --help' for usage.\n", c.name, err, c.name)
			return 2
		default:
			fmt.Fprintf(e.stderr, "postmill %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(e.stderr, "postmill: unknown command %q\n\n", args[0])
	usage(e.stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "postmill turns contact files into print-ready direct-mail batches.")
	fmt.Fprintln(w, "\nUsage: postmill COMMAND [flags] [arguments]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nEvery flag can also be set in the environment: --batch-rows is POSTMILL_BATCH_ROWS.")
	fmt.Fprintln(w, "Run 'postmill COMMAND --help' for a command's flags and an example.")
}
