package pub28

// Diacritic folding for Latin-1 Supplement (U+00A0–U+00FF) and Latin
// Extended-A (U+0100–U+017F), plus a few typographic marks. Every letter
// folds to uppercase ASCII (É→E, ß→SS, Æ→AE, Ł→L); the result is what a
// US address printer would use, since Pub 28 addresses are uppercase
// ASCII. Runes outside these blocks and the marks below make a line
// Garbage.

// foldSep is the fold value of a rune that separates words and is dropped
// (symbols and punctuation such as «, ¿, ©).
const foldSep = " "

// foldDrop is the fold value of a rune that is removed without separating
// words (apostrophes: O’BRIEN → OBRIEN).
const foldDrop = "'"

// latinFold maps U+00A0+i to its ASCII folding.
var latinFold = [0x180 - 0xA0]string{
	// U+00A0–U+00BF: NBSP and Latin-1 punctuation and symbols.
	foldSep, foldSep, foldSep, foldSep, foldSep, foldSep, foldSep, foldSep, // A0–A7
	foldSep, foldSep, foldSep, foldSep, foldSep, foldDrop, foldSep, foldSep, // A8–AF (AD soft hyphen dropped)
	foldSep, foldSep, foldSep, foldSep, foldDrop, foldSep, foldSep, foldSep, // B0–B7 (B4 acute accent dropped)
	foldSep, foldSep, foldSep, foldSep, " 1/4 ", " 1/2 ", " 3/4 ", foldSep, // B8–BF
	// U+00C0–U+00FF.
	"A", "A", "A", "A", "A", "A", "AE", "C", // C0–C7 ÀÁÂÃÄÅÆÇ
	"E", "E", "E", "E", "I", "I", "I", "I", // C8–CF ÈÉÊËÌÍÎÏ
	"D", "N", "O", "O", "O", "O", "O", foldSep, // D0–D7 ÐÑÒÓÔÕÖ×
	"O", "U", "U", "U", "U", "Y", "TH", "SS", // D8–DF ØÙÚÛÜÝÞß
	"A", "A", "A", "A", "A", "A", "AE", "C", // E0–E7 àáâãäåæç
	"E", "E", "E", "E", "I", "I", "I", "I", // E8–EF èéêëìíîï
	"D", "N", "O", "O", "O", "O", "O", foldSep, // F0–F7 ðñòóôõö÷
	"O", "U", "U", "U", "U", "Y", "TH", "Y", // F8–FF øùúûüýþÿ
	// U+0100–U+017F Latin Extended-A.
	"A", "A", "A", "A", "A", "A", "C", "C", // 100–107 ĀāĂăĄąĆć
	"C", "C", "C", "C", "C", "C", "D", "D", // 108–10F ĈĉĊċČčĎď
	"D", "D", "E", "E", "E", "E", "E", "E", // 110–117 ĐđĒēĔĕĖė
	"E", "E", "E", "E", "G", "G", "G", "G", // 118–11F ĘęĚěĜĝĞğ
	"G", "G", "G", "G", "H", "H", "H", "H", // 120–127 ĠġĢģĤĥĦħ
	"I", "I", "I", "I", "I", "I", "I", "I", // 128–12F ĨĩĪīĬĭĮį
	"I", "I", "IJ", "IJ", "J", "J", "K", "K", // 130–137 İıĲĳĴĵĶķ
	"K", "L", "L", "L", "L", "L", "L", "L", // 138–13F ĸĹĺĻļĽľĿ
	"L", "L", "L", "N", "N", "N", "N", "N", // 140–147 ŀŁłŃńŅņŇ
	"N", "N", "N", "N", "O", "O", "O", "O", // 148–14F ňŉŊŋŌōŎŏ
	"O", "O", "OE", "OE", "R", "R", "R", "R", // 150–157 ŐőŒœŔŕŖŗ
	"R", "R", "S", "S", "S", "S", "S", "S", // 158–15F ŘřŚśŜŝŞş
	"S", "S", "T", "T", "T", "T", "T", "T", // 160–167 ŠšŢţŤťŦŧ
	"U", "U", "U", "U", "U", "U", "U", "U", // 168–16F ŨũŪūŬŭŮů
	"U", "U", "U", "U", "W", "W", "Y", "Y", // 170–177 ŰűŲųŴŵŶŷ
	"Y", "Z", "Z", "Z", "Z", "Z", "Z", "S", // 178–17F ŸŹźŻżŽžſ
}

// foldRune returns the ASCII folding of a non-ASCII rune and whether the
// rune is acceptable in an address line at all.
func foldRune(r rune) (string, bool) {
	switch {
	case r >= 0xA0 && r < 0x180:
		return latinFold[r-0xA0], true
	case r == 0x2018 || r == 0x2019 || r == 0x02BC: // ‘ ’ ʼ
		return foldDrop, true
	case r == 0x2010 || r == 0x2011 || r == 0x2012 || r == 0x2013 || r == 0x2014 || r == 0x2212: // hyphens, dashes, minus
		return "-", true
	case r == 0x201C || r == 0x201D || r == 0x2026 || r == 0x2116: // “ ” … №
		return foldSep, true
	case r >= 0x2000 && r <= 0x200A, r == 0x202F, r == 0x3000: // typographic spaces
		return foldSep, true
	case r == 0x200B || r == 0xFEFF: // zero-width space, BOM
		return foldDrop, true
	}
	return "", false
}
