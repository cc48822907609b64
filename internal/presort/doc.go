// Package presort holds the USPS presort logic of the batch stage, apart
// from the pipeline: the presort levels a ZIP Code qualifies for given how
// many pieces go to it, the ADC labeling list, tray splitting, and an
// external merge sort that keeps memory bounded whatever the number of
// pieces.
//
// # Flow
//
//	piece keys ──Counts.Add──────────► per-ZIP counts ──NewPlan(counts, labels, min)──► *Plan
//	(key, record) ──Sorter.Add──► sorted runs in memory, spilled to run files
//	Sorter.ScanParts(sizes, part, fn) ──► records by part (a level, from the Plan), then key
//	Sorter.Scan(keep, fn) ──► records in key order (a k-way merge of the runs), as often as needed
//	Plan.Level(zip5) / Plan.Dest / TrayOf ──► level, destination and tray of each piece
//
// # Levels
//
// Within one group of pieces (one vendor, mail class and format; foreign
// pieces in a group of their own), a piece's level follows from counts
// alone, in this order:
//
//   - 5digit: at least Min pieces (default 10) share its 5-digit ZIP Code;
//   - 3digit: at least Min of the pieces left over (not 5digit) share its
//     3-digit ZIP prefix;
//   - aadc: with a labeling list, at least Min of the pieces left over
//     after 3digit share the ADC/AADC that the list maps their prefix to;
//   - mixed: the rest (mixed ADC).
//
// Foreign pieces are international. Pieces are ordered by level in that
// order, and within a level by ADC (the list's order, when there is one),
// then ZIP Code, ZIP+4 and piece id, so every destination's pieces are
// contiguous and fill trays of their own: a tray never mixes two 5-digit
// ZIP Codes, two 3-digit prefixes or two ADCs.
//
// # Labeling list
//
// A labeling list is a CSV file with the header zip3,adc and one line per
// 3-digit ZIP prefix (or range of prefixes, 005-009) naming the ADC or AADC
// its mail goes to, as in USPS labeling lists L004 (ADC) and L801 (AADC).
// Blank lines and lines starting with # are ignored. A prefix listed twice is
// an error.
//
//	zip3,adc
//	005-009,ADC LONG ISLAND NY 117
//	100-102,ADC NEW YORK NY 100
//
// # Sorting
//
// [Sorter] keeps up to MemoryRows records (or MemoryBytes) in memory, sorts
// them by [Key], and spills them to a run file in Dir when full (S2-compressed
// with Compress). A spill sorts and writes on a goroutine of its own while
// Add fills the next run, which may take up to a quarter of MemoryBytes
// more until the spill is done; the caller never waits for a spill unless
// that slack is full. Finish sorts the last records and keeps them in memory:
// the merge reads them there with the runs. A sort orders 24-byte items (the
// key's leading words and an index), not the records: a radix sort by the
// key's Hi, whose few varying bytes (group, ADC, ZIP Code) decide nearly
// every order, then a comparison sort within each run of equal Hi. Scan merges the runs with a
// heap; when there are more runs than FanIn, Finish first merges groups of
// runs into larger ones, so the number of open readers, and with it memory,
// stays bounded.
//
// Pieces go out level by level, but a level is not part of the sort key: it
// depends on counts that are complete only at the end. Since the level of a
// piece follows from its key (ZIP Code) once the Plan is made, ScanParts
// needs one merge for all levels: it passes on the first level's pieces as
// the merge yields them and keeps the others' (in memory up to an eighth of
// MemoryBytes, then in files), in key order, to pass on after. A later
// level too large to keep cheaply gets a merge of its own.
package presort
