package cp1252

import "testing"

func TestAppend(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"Pe\xf1a", "Peña"},
		{"\x93quoted\x94", "“quoted”"},
		{"\x80 5", "€ 5"},
		{"caf\xe9 \x96 M\xfcller", "café – Müller"},
		{"\x81", "\uFFFD"},
	}
	for _, tt := range tests {
		if got := string(Append(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("Append(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
