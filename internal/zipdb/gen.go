//go:build ignore

// gen.go turns the USPS ZIP table published as JSON by pseudosavant/USPSZIPCodes
// (MIT License, © 2023 Paul Ellis) into zips.bin, the compact file the zipdb
// package embeds. The file format is described in doc.go.
//
// Usage, from internal/zipdb:
//
//	go run gen.go -in ../../../shared/data/usps-zipcodes.json -out zips.bin
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"hash/crc32"
	"log"
	"os"
	"slices"
	"strconv"
)

const (
	magic       = "PMZIPDB1"
	zipSpace    = 100000
	bitmapWords = (zipSpace + 63) / 64
)

func main() {
	in := flag.String("in", "../../../shared/data/usps-zipcodes.json", "USPS ZIP JSON: {\"02108\":{\"city\":\"BOSTON\",\"state\":\"MA\"},...}")
	out := flag.String("out", "zips.bin", "file to write")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		log.Fatalf("zipdb gen: %v", err)
	}
}

type place struct {
	City  string `json:"city"`
	State string `json:"state"`
}

func run(in, out string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var table map[string]place
	if err := json.Unmarshal(raw, &table); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	zips := make([]int, 0, len(table))
	cityNames := map[string]bool{}
	for z, p := range table {
		n, err := strconv.Atoi(z)
		if len(z) != 5 || err != nil || n < 0 {
			return fmt.Errorf("ZIP %q is not five digits", z)
		}
		if len(p.State) != 2 || !upper(p.State) {
			return fmt.Errorf("ZIP %s: state %q is not two capital letters", z, p.State)
		}
		if p.City == "" || len(p.City) > 255 || !cityChars(p.City) {
			return fmt.Errorf("ZIP %s: city %q is not 1-255 capital letters and spaces", z, p.City)
		}
		zips = append(zips, n)
		cityNames[p.City] = true
	}
	slices.Sort(zips)
	cities := make([]string, 0, len(cityNames))
	for c := range cityNames {
		cities = append(cities, c)
	}
	slices.Sort(cities)
	if len(zips) > 65535 || len(cities) > 65535 {
		return fmt.Errorf("%d ZIPs, %d cities: the format holds at most 65535 of each", len(zips), len(cities))
	}
	cityID := make(map[string]int, len(cities))
	for i, c := range cities {
		cityID[c] = i
	}

	var bitmap [bitmapWords]uint64
	ids := make([]byte, 0, 2*len(zips))
	type run struct {
		first int
		state string
	}
	var runs []run
	for i, n := range zips {
		p := table[fmt.Sprintf("%05d", n)]
		bitmap[n>>6] |= 1 << (n & 63)
		ids = binary.LittleEndian.AppendUint16(ids, uint16(cityID[p.City]))
		if len(runs) == 0 || runs[len(runs)-1].state != p.State {
			runs = append(runs, run{i, p.State})
		}
	}

	var b bytes.Buffer
	b.WriteString(magic)
	b.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(zips))))
	b.Write(binary.LittleEndian.AppendUint16(nil, uint16(len(cities))))
	b.Write(binary.LittleEndian.AppendUint16(nil, uint16(len(runs))))
	for _, w := range bitmap {
		b.Write(binary.LittleEndian.AppendUint64(nil, w))
	}
	b.Write(ids)
	for _, r := range runs {
		b.Write(binary.LittleEndian.AppendUint16(nil, uint16(r.first)))
		b.WriteString(r.state)
	}
	for _, c := range cities {
		b.WriteByte(byte(len(c)))
		b.WriteString(c)
	}
	b.Write(binary.LittleEndian.AppendUint32(nil, crc32.ChecksumIEEE(b.Bytes())))
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		return err
	}
	log.Printf("%s: %d ZIPs, %d cities, %d state runs, %d bytes", out, len(zips), len(cities), len(runs), b.Len())
	return nil
}

func upper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func cityChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < 'A' || s[i] > 'Z') && s[i] != ' ' {
			return false
		}
	}
	return s[0] != ' ' && s[len(s)-1] != ' '
}
