// Package hugeheap asks Linux to back the Go heap with transparent huge
// pages (THP).
//
// To the kernel, the Go heap is anonymous memory faulted in 4 KiB at a
// time: every heap page a program first touches costs a page fault. On the
// virtual machines postmill is measured on a fault costs about 10 µs, and a
// 1M-row run takes 85,000 of them, 0.9 s of its 8 s of CPU. Where the
// system's THP setting is "madvise" (a common default), memory marked
// MADV_HUGEPAGE is faulted in 2 MiB at a time instead; where it is
// "always" that happens anyway, and where it is "never" not at all.
//
// The runtime does not mark its heap (Go 1.21.0 did, and took it back),
// and it maps heap memory only as the heap grows, so there is nothing to
// mark in advance. [Reserve] makes it map a range up front: it allocates
// one large object, which the runtime maps without touching, marks the
// object's memory MADV_HUGEPAGE, drops it, and has the runtime collect it
// and hand its pages back (debug.FreeOSMemory). The pages stay mapped, and
// the runtime's page allocator hands out the lowest free pages first, so
// the heap grows into the marked range.
// All of this is advice: nothing is resident until used, and the contents
// of memory never depend on it. Reserve does nothing where THP is "never"
// or absent, and under strict overcommit accounting (vm.overcommit_memory
// 2), where the untouched range would be charged in full.
package hugeheap
