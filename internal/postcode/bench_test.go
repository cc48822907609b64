package postcode

import "testing"

func BenchmarkDetectUS(b *testing.B) {
	state, zip := []byte("MA"), []byte("02108-1234")
	b.ReportAllocs()
	for b.Loop() {
		_ = Detect(nil, state, zip)
	}
}

func BenchmarkDetectUSNamed(b *testing.B) {
	country, state, zip := []byte("USA"), []byte("MA"), []byte("02108")
	b.ReportAllocs()
	for b.Loop() {
		_ = Detect(country, state, zip)
	}
}

func BenchmarkDetectInferredGB(b *testing.B) {
	zip := []byte("SW1A 2AA")
	b.ReportAllocs()
	for b.Loop() {
		_ = Detect(nil, nil, zip)
	}
}

func BenchmarkDetectForeign(b *testing.B) {
	country, zip := []byte("Deutschland"), []byte("D-10115")
	b.ReportAllocs()
	for b.Loop() {
		_ = Detect(country, nil, zip)
	}
}
