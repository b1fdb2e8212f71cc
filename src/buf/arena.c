/* arena.c — the mappable arena (see arena.h). */
#include "buf/arena.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

struct ffpf_arena *ffpf_arena_new(const char *name, size_t size)
{
	struct ffpf_arena *a = calloc(1, sizeof(*a));
	int e;

	if (!a)
		return NULL;
	a->size = size;
	a->fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (a->fd < 0 || ftruncate(a->fd, (off_t)size))
		goto fail;
	a->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, a->fd, 0);
	if (a->base == MAP_FAILED) {
		a->base = NULL;
		goto fail;
	}
	/* Readers can neither shrink it under each other (SIGBUS) nor map it writable. */
	if (fcntl(a->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE | F_SEAL_SEAL))
		goto fail;
	return a;
fail:
	e = errno;
	ffpf_arena_free(a);
	errno = e;
	return NULL;
}

void *ffpf_arena_alloc(struct ffpf_arena *a, size_t n)
{
	size_t at = (a->used + 63) & ~(size_t)63;
	if (at > a->size || n > a->size - at)
		return NULL;
	a->used = at + n;
	return a->base + at; /* fresh memfd pages read as zero */
}

int ffpf_arena_has(const struct ffpf_arena *a, const void *p)
{
	return a && (const uint8_t *)p >= a->base && (const uint8_t *)p < a->base + a->size;
}

size_t ffpf_arena_off(const struct ffpf_arena *a, const void *p)
{
	return (size_t)((const uint8_t *)p - a->base);
}

void ffpf_arena_free(struct ffpf_arena *a)
{
	if (!a)
		return;
	if (a->base)
		munmap(a->base, a->size);
	if (a->fd >= 0)
		close(a->fd);
	free(a);
}
