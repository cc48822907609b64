package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// The USPS-B-3200 example with an 11-digit routing code (also in
// internal/imb's tests, from the specification's appendix).
const (
	exampleTracking = "01234567094987654321"
	exampleRouting  = "01234567891"
	exampleBars     = "AADTFFDFTDADTAADAATFDTDDAAADDTDTTDAFADADDDTFFFDDTTTADFAAADFTDAADA"
)

func TestIMbCommand(t *testing.T) {
	stdout, stderr, code := runCLI(t, nil, "imb", exampleTracking, exampleRouting)
	if code != 0 || strings.TrimSpace(stdout) != exampleBars {
		t.Fatalf("exit %d, got %q (%s), want %q", code, stdout, stderr, exampleBars)
	}
	_, stderr, code = runCLI(t, nil, "imb", "0123", "")
	if code != 1 || !strings.Contains(stderr, "tracking") {
		t.Fatalf("short tracking: exit %d, %q", code, stderr)
	}
}

func TestIMbCommandStdin(t *testing.T) {
	in := exampleTracking + " " + exampleRouting + "\n\nnot-a-code 1\n" + exampleTracking + " " + exampleRouting + "\n"
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(in), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := mainExit(context.Background(), e, []string{"imb"})
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if code != 1 || len(lines) != 2 || lines[0] != exampleBars || lines[1] != exampleBars {
		t.Fatalf("exit %d, stdout %q", code, out.String())
	}
	if !strings.Contains(errb.String(), "line 3") {
		t.Fatalf("stderr %q does not name line 3", errb.String())
	}
}
