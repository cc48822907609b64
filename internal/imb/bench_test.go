package imb

import "testing"

func BenchmarkAppend(b *testing.B) {
	inputs := make([][2][]byte, 0, len(uspsVectors))
	for _, v := range uspsVectors {
		inputs = append(inputs, [2][]byte{[]byte(v.tracking), []byte(v.routing)})
	}
	buf := make([]byte, 0, Bars)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		in := inputs[i%len(inputs)]
		var err error
		buf, err = Append(buf[:0], in[0], in[1])
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTrackingAppend(b *testing.B) {
	tr := Tracking{BarcodeID: "00", ServiceType: "270", MailerID: "567094"}
	routing := []byte("01234567891")
	var tbuf [TrackingLen]byte
	buf := make([]byte, 0, Bars)
	b.ReportAllocs()
	for i := uint64(0); b.Loop(); i++ {
		tr.Serial = i % 1_000_000_000
		var err error
		buf, err = Append(buf[:0], tr.AppendTo(tbuf[:0]), routing)
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	bars := specExamples[3].bars
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Decode(bars); err != nil {
			b.Fatal(err)
		}
	}
}
