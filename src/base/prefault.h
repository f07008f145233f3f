/* prefault.h — map many pages in one madvise(2) instead of one page
 * fault per first touch.
 *
 * On the paravirtualised hosts capsa is measured on, a page fault costs
 * about 10 us and a system call 3-4 us, while MADV_POPULATE_* maps a page
 * for a fraction of a microsecond.  A container start is short and
 * touches code all over the binary, so it pays to map the whole image at
 * once, before even the C library's start-up code runs.
 *
 * prefault_entry: the capsa binary's ELF entry point (linked with
 * `-e prefault_entry`, x86-64).  It maps every loadable segment (code and
 * read-only data for reading, data and bss for writing) and 112 KiB of
 * stack, then jumps to the C library's _start.  Invoked as the container's
 * init ("init") or as the monitor ("_monitor"), it maps nothing: those
 * stay small and long-lived.
 */
#ifndef CAPSA_BASE_PREFAULT_H
#define CAPSA_BASE_PREFAULT_H

#include <stddef.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* madvise(how) over [start, end) widened to whole pages.  Best effort:
 * a kernel without MADV_POPULATE_* (before 5.14) says EINVAL and the
 * pages fault in on first touch as before, so errors are ignored. */
void prefault_range(const void *start, const void *end, int how);

#endif
