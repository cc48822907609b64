package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"
)

// usageError is a mistake in the command line.
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// flagSet is a command's flags with postmill's scheme: --name on the command
// line, POSTMILL_NAME in the environment (the command line wins), flags and
// arguments in any order.
type flagSet struct {
	*flag.FlagSet
	name, args, summary, example string
}

func newFlags(e *env, name, args, summary, example string) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), name: name, args: args, summary: summary, example: example}
	fs.SetOutput(io.Discard)
	return fs
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// parse parses args, interleaving flags and positional arguments, then fills
// unset flags from the environment.
func (fs *flagSet) parse(e *env, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.help(e.stdout)
				return nil, flag.ErrHelp
			}
			return nil, usageError{err}
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			pos = append(pos, args[1:]...)
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		key := envName(f.Name)
		v := e.getenv(key)
		if v == "" {
			return
		}
		// A repeatable flag takes a list, separated like PATH.
		vals := []string{v}
		if _, ok := f.Value.(*stringList); ok {
			vals = filepath.SplitList(v)
		}
		for _, v := range vals {
			if serr := fs.Set(f.Name, v); serr != nil {
				err = usagef("%s=%q: %v", key, v, serr)
				return
			}
		}
	})
	return pos, err
}

func envName(flagName string) string {
	return "POSTMILL_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func (fs *flagSet) help(w io.Writer) {
	fmt.Fprintf(w, "Usage: postmill %s [flags] %s\n\n%s\n\nFlags (each also read from POSTMILL_<NAME>; a repeatable one takes a list separated by %q):\n", fs.name, fs.args, fs.summary, string(filepath.ListSeparator))
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	fmt.Fprintf(w, "\nExample:\n  %s\n", fs.example)
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
