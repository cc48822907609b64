package arrowbatch

import "encoding/binary"

// The Arrow Go reader trusts the lengths inside a message's flatbuffer
// metadata: a forged vector length makes it allocate gigabytes, a cyclic
// child offset recurses until the stack overflows. Neither can be
// recovered, so the schema message is checked here first, as far as the
// reader would walk it: every table, vector and string in bounds, fields
// nested at most maxDepth deep.

// fbuf is a flatbuffer under inspection.
type fbuf []byte

const maxDepth = 8

func (b fbuf) u16(pos int64) (int64, bool) {
	if pos < 0 || pos+2 > int64(len(b)) {
		return 0, false
	}
	return int64(binary.LittleEndian.Uint16(b[pos:])), true
}

func (b fbuf) u32(pos int64) (int64, bool) {
	if pos < 0 || pos+4 > int64(len(b)) {
		return 0, false
	}
	return int64(binary.LittleEndian.Uint32(b[pos:])), true
}

// table checks the table at pos and its vtable.
func (b fbuf) table(pos int64) bool {
	so, ok := b.u32(pos)
	if !ok {
		return false
	}
	vt := pos - int64(int32(uint32(so)))
	size, ok := b.u16(vt)
	return ok && size >= 4 && size%2 == 0 && vt+size <= int64(len(b))
}

// field returns the absolute position of field id of the table at pos, or
// 0 when the field is absent.
func (b fbuf) field(pos int64, id int) int64 {
	so, _ := b.u32(pos)
	vt := pos - int64(int32(uint32(so)))
	size, _ := b.u16(vt)
	slot := int64(4 + 2*id)
	if slot+2 > size {
		return 0
	}
	off, _ := b.u16(vt + slot)
	if off == 0 {
		return 0
	}
	return pos + off
}

// ref follows the offset stored in field id of the table at pos: the
// position of a sub-table, vector or string, or 0 when absent.
func (b fbuf) ref(pos int64, id int) (int64, bool) {
	f := b.field(pos, id)
	if f == 0 {
		return 0, true
	}
	rel, ok := b.u32(f)
	if !ok {
		return 0, false
	}
	return f + rel, true
}

// vector checks the vector (or string) referenced by field id and returns
// its position and length.
func (b fbuf) vector(pos int64, id int, elem int64) (vec, n int64, ok bool) {
	vec, ok = b.ref(pos, id)
	if !ok || vec == 0 {
		return 0, 0, ok
	}
	n, ok = b.u32(vec)
	if !ok || vec+4+n*elem > int64(len(b)) {
		return 0, 0, false
	}
	return vec, n, true
}

// tables checks every table of the vector of tables in field id.
func (b fbuf) tables(pos int64, id int, each func(t int64) bool) bool {
	vec, n, ok := b.vector(pos, id, 4)
	if !ok {
		return false
	}
	for i := int64(0); i < n; i++ {
		at := vec + 4 + 4*i
		rel, _ := b.u32(at)
		if !b.table(at+rel) || !each(at+rel) {
			return false
		}
	}
	return true
}

// keyValues checks a custom_metadata vector of KeyValue{key, value}.
func (b fbuf) keyValues(pos int64, id int) bool {
	return b.tables(pos, id, func(kv int64) bool {
		_, _, ok1 := b.vector(kv, 0, 1)
		_, _, ok2 := b.vector(kv, 1, 1)
		return ok1 && ok2
	})
}

// arrowField checks a Field{name, nullable, type_type, type, dictionary,
// children, custom_metadata}.
func (b fbuf) arrowField(pos int64, depth int) bool {
	if depth > maxDepth {
		return false
	}
	if _, _, ok := b.vector(pos, 0, 1); !ok {
		return false
	}
	for _, id := range []int{3, 4} { // type, dictionary
		t, ok := b.ref(pos, id)
		if !ok || (t != 0 && !b.table(t)) {
			return false
		}
	}
	return b.tables(pos, 5, func(c int64) bool { return b.arrowField(c, depth+1) }) && b.keyValues(pos, 6)
}

// checkSchemaMessage checks a Message whose header is a Schema{endianness,
// fields, custom_metadata, features}. Messages of other kinds pass: the
// reader does not allocate by their lengths.
func checkSchemaMessage(meta []byte) bool {
	b := fbuf(meta)
	root, ok := b.u32(0)
	if !ok || !b.table(root) || !b.keyValues(root, 4) {
		return false
	}
	if f := b.field(root, 1); f == 0 || f >= int64(len(b)) || b[f] != 1 { // header_type Schema
		return true
	}
	s, ok := b.ref(root, 2)
	if !ok || s == 0 || !b.table(s) {
		return false
	}
	_, _, ok = b.vector(s, 3, 8)
	return ok && b.tables(s, 1, func(f int64) bool { return b.arrowField(f, 0) }) && b.keyValues(s, 2)
}
