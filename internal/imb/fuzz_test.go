package imb

import (
	"bytes"
	"errors"
	"testing"
)

// validInput is an independent statement of what Append accepts.
func validInput(tracking, routing string) bool {
	allDigits := func(s string) bool {
		for _, c := range []byte(s) {
			if c < '0' || c > '9' {
				return false
			}
		}
		return true
	}
	switch len(routing) {
	case 0, 5, 9, 11:
	default:
		return false
	}
	return len(tracking) == 20 && allDigits(tracking) && allDigits(routing) && tracking[1] <= '4'
}

func FuzzEncode(f *testing.F) {
	for _, ex := range specExamples {
		f.Add(specTracking, ex.routing)
	}
	for _, v := range uspsVectors[:8] {
		f.Add(v.tracking, v.routing)
	}
	f.Add("94999999999999999999", "99999999999")
	f.Add("00000000000000000000", "00000")
	f.Add("05234567094987654321", "")
	f.Add("0123456709498765432", "1234")
	f.Add("0123456709498765432\xff", "")
	f.Fuzz(func(t *testing.T, tracking, routing string) {
		checkEncode(t, tracking, routing)
		// Random strings are rarely valid; also map the same bytes onto a
		// valid input so every run exercises the arithmetic and round trip.
		vt, vr := makeValid(tracking, routing)
		checkEncode(t, vt, vr)
	})
}

// makeValid derives a valid tracking and routing code from arbitrary strings.
func makeValid(tracking, routing string) (string, string) {
	var tb [TrackingLen]byte
	for i := range tb {
		var c byte
		if i < len(tracking) {
			c = tracking[i]
		}
		tb[i] = '0' + c%10
	}
	tb[1] = '0' + (tb[1]-'0')%5
	n := [4]int{0, 5, 9, 11}[len(routing)%4]
	rb := make([]byte, n)
	for i := range rb {
		var c byte
		if i < len(routing) {
			c = routing[i]
		}
		rb[i] = '0' + c%10
	}
	return string(tb[:]), string(rb)
}

func checkEncode(t *testing.T, tracking, routing string) {
	t.Helper()
	bars, err := Encode(tracking, routing)
	dst := []byte("pre")
	appended, aerr := Append(dst, []byte(tracking), []byte(routing))
	if !validInput(tracking, routing) {
		var fe *FieldError
		if err == nil || !errors.As(err, &fe) {
			t.Fatalf("Encode(%q, %q) = %q, %v; want a *FieldError", tracking, routing, bars, err)
		}
		if aerr == nil || !bytes.Equal(appended, []byte("pre")) {
			t.Fatalf("Append on invalid input = %q, %v", appended, aerr)
		}
		return
	}
	if err != nil || aerr != nil {
		t.Fatalf("Encode(%q, %q): %v / Append: %v", tracking, routing, err, aerr)
	}
	if len(bars) != Bars {
		t.Fatalf("Encode(%q, %q) = %d bars", tracking, routing, len(bars))
	}
	for i := range len(bars) {
		switch bars[i] {
		case 'F', 'A', 'D', 'T':
		default:
			t.Fatalf("bar %d is %q", i+1, bars[i])
		}
	}
	if string(appended) != "pre"+bars {
		t.Fatalf("Append = %q, Encode = %q", appended, bars)
	}
	checkAgainstBig(t, tracking, routing)
	tr, rt, err := Decode(bars)
	if err != nil || tr != tracking || rt != routing {
		t.Fatalf("Decode(Encode(%q, %q)) = %q, %q, %v", tracking, routing, tr, rt, err)
	}
}

func FuzzDecode(f *testing.F) {
	for _, ex := range specExamples {
		f.Add(ex.bars)
	}
	f.Add("")
	f.Add("TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT")
	f.Fuzz(func(t *testing.T, bars string) {
		tr, rt, err := Decode(bars)
		if err != nil {
			if !errors.Is(err, ErrBars) && !errors.Is(err, ErrChecksum) {
				t.Fatalf("Decode(%q): unexpected error %v", bars, err)
			}
			return
		}
		again, err := Encode(tr, rt)
		if err != nil || again != bars {
			t.Fatalf("Decode(%q) = %q, %q; re-encoded to %q, %v", bars, tr, rt, again, err)
		}
	})
}
