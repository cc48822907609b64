package mergefield

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

var testSecret = []byte("campaign-secret-0123456789abcdef")

// Pinned codes, computed independently (Python hmac + the alphabet). A
// change here changes every printed PURL of every campaign: it is a breaking
// change, never a refactor.
const (
	goldenPURL1 = "5ghhpkwws0"
	goldenPURL2 = "cj5q9kb5n4"
	goldenPURL3 = "f42yj3rnbf"
)

func TestPURLGolden(t *testing.T) {
	tests := []struct{ secret, id, want string }{
		{"campaign-secret-0123456789abcdef", "p_0001", goldenPURL1},
		{"campaign-secret-0123456789abcdef", "p_0002", goldenPURL2},
		{"another-campaign-secret-xxxxxxxx", "p_0001", goldenPURL3},
	}
	enc := map[string]*PURLEncoder{}
	for _, tt := range tests {
		if got := PURL([]byte(tt.secret), tt.id); got != tt.want {
			t.Errorf("PURL(%q, %q) = %q, want %q", tt.secret, tt.id, got, tt.want)
		}
		e := enc[tt.secret]
		if e == nil {
			var err error
			if e, err = NewPURLEncoder([]byte(tt.secret)); err != nil {
				t.Fatal(err)
			}
			enc[tt.secret] = e
		}
		if got := string(e.Append([]byte("x/"), tt.id)); got != "x/"+tt.want {
			t.Errorf("Append(%q) = %q, want x/%s", tt.id, got, tt.want)
		}
	}
}

func TestPURLShape(t *testing.T) {
	e, err := NewPURLEncoder(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	var buf []byte
	for i := range 20000 {
		id := fmt.Sprintf("piece-%d", i)
		buf = e.Append(buf[:0], id)
		code := string(buf)
		if len(code) != PURLLen {
			t.Fatalf("len(%q) = %d, want %d", code, len(code), PURLLen)
		}
		for _, c := range code {
			if !strings.ContainsRune(purlAlphabet, c) {
				t.Fatalf("code %q has %q outside the alphabet", code, c)
			}
		}
		if code != PURL(testSecret, id) {
			t.Fatalf("encoder and PURL disagree for %q", id)
		}
		if prev, dup := seen[code]; dup {
			t.Fatalf("collision: %q and %q both %q", prev, id, code)
		}
		seen[code] = id
	}
	for _, c := range "ilou" {
		if strings.ContainsRune(purlAlphabet, c) {
			t.Errorf("alphabet has confusable %q", c)
		}
	}
	if len(purlAlphabet) != 32 {
		t.Errorf("alphabet has %d characters", len(purlAlphabet))
	}
}

func TestNewPURLEncoderShortSecret(t *testing.T) {
	if _, err := NewPURLEncoder([]byte("short")); !errors.Is(err, ErrShortSecret) {
		t.Fatalf("err = %v, want ErrShortSecret", err)
	}
}

func TestPURLEncoderNoAllocs(t *testing.T) {
	e, _ := NewPURLEncoder(testSecret)
	buf := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(100, func() { buf = e.Append(buf[:0], "piece-000001") })
	if allocs != 0 {
		t.Fatalf("Append allocates %v times", allocs)
	}
}
