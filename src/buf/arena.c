/* arena.c — the mappable arena (see arena.h). */
#include "buf/arena.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
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

static size_t round64(size_t n)
{
	return (n + 63) & ~(size_t)63;
}

void *ffpf_arena_alloc(struct ffpf_arena *a, size_t n)
{
	size_t at;

	n = round64(n ? n : 1);
	for (unsigned i = 0; i < a->nholes; i++) { /* first fit among the ranges given back */
		struct ffpf_arena_hole *h = &a->holes[i];
		if (h->len < n)
			continue;
		at = h->off;
		h->off += n;
		h->len -= n;
		if (!h->len)
			memmove(h, h + 1, (a->nholes-- - i - 1) * sizeof(*h));
		a->live += n;
		return a->base + at; /* zeroed when it was given back */
	}
	at = round64(a->used);
	if (at > a->size || n > a->size - at)
		return NULL;
	a->used = at + n;
	a->live += n;
	return a->base + at; /* fresh memfd pages read as zero */
}

/* Zero [off, off + n) for its next owner.  Punching a hole would also give the pages back to
 * the system, but the seal that keeps readers from writing (F_SEAL_FUTURE_WRITE) forbids it:
 * the pages stay with the arena, which so holds the most that was in use at once, not the
 * sum of everything ever allocated. */
static void zero(struct ffpf_arena *a, size_t off, size_t n)
{
	memset(a->base + off, 0, n);
}

void ffpf_arena_release(struct ffpf_arena *a, void *p, size_t n)
{
	size_t off;
	unsigned i = 0;

	if (!a || !p || !ffpf_arena_has(a, p))
		return;
	off = ffpf_arena_off(a, p);
	n = round64(n ? n : 1);
	if (off + n > a->used)
		return; /* not handed out (a double release): nothing to give back */
	if (off + n == a->used) { /* the top: the bump pointer comes down, over free ranges too */
		zero(a, off, n);
		a->live -= n <= a->live ? n : a->live;
		a->used = off;
		while (a->nholes && a->holes[a->nholes - 1].off + a->holes[a->nholes - 1].len == a->used)
			a->used = a->holes[--a->nholes].off;
		return;
	}
	while (i < a->nholes && a->holes[i].off < off)
		i++;
	if ((i > 0 && a->holes[i - 1].off + a->holes[i - 1].len > off) ||
	    (i < a->nholes && off + n > a->holes[i].off))
		return; /* free already (a double release) */
	zero(a, off, n);
	a->live -= n <= a->live ? n : a->live;
	if (i > 0 && a->holes[i - 1].off + a->holes[i - 1].len == off) { /* joins the one before */
		a->holes[i - 1].len += n;
		if (i < a->nholes && off + n == a->holes[i].off) {
			a->holes[i - 1].len += a->holes[i].len;
			memmove(&a->holes[i], &a->holes[i + 1], (a->nholes-- - i - 1) * sizeof(a->holes[0]));
		}
	} else if (i < a->nholes && off + n == a->holes[i].off) { /* joins the one after */
		a->holes[i].off = off;
		a->holes[i].len += n;
	} else {
		if (a->nholes == a->capholes) {
			unsigned cap = a->capholes ? 2 * a->capholes : 16;
			struct ffpf_arena_hole *h = realloc(a->holes, cap * sizeof(*h));
			if (!h)
				return; /* out of memory: the range stays zeroed and unused */
			a->holes = h;
			a->capholes = cap;
		}
		memmove(&a->holes[i + 1], &a->holes[i], (a->nholes - i) * sizeof(a->holes[0]));
		a->holes[i] = (struct ffpf_arena_hole){off, n};
		a->nholes++;
	}
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
	free(a->holes);
	free(a);
}
