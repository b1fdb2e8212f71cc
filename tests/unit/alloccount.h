/* alloccount.h — counts malloc/calloc/realloc by interposing them (glibc's __libc_* do the work).
 * Include it in exactly one file of a test executable.  Under AddressSanitizer, which owns
 * malloc, FFPF_ALLOCCOUNT is 0 and nothing is interposed: such tests skip their counting part. */
#ifndef FFPF_ALLOCCOUNT_H
#define FFPF_ALLOCCOUNT_H
#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#define FFPF_ALLOCCOUNT 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FFPF_ALLOCCOUNT 0
#endif
#endif
#ifndef FFPF_ALLOCCOUNT
#define FFPF_ALLOCCOUNT 1
#endif

#if FFPF_ALLOCCOUNT
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
static volatile unsigned long allocs; /* allocations made so far */

void *malloc(size_t n)
{
	allocs++;
	return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
	allocs++;
	return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	allocs++;
	return __libc_realloc(p, n);
}
#endif
#endif
