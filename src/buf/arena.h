/* arena.h — memory applications can map: a memfd, sealed against resizing and against new
 * writable mappings, from which a daemon's flowgraph takes its MBufs.  The daemon keeps its one
 * read/write mapping; an application that receives the fd (SCM_RIGHTS) can only map it
 * read-only, and never past its fixed size.  Allocation happens in the control plane
 * (instantiate): first fit among the ranges given back, else a bump pointer.  A range given
 * back (a retired function's MBuf or queue) reads as zeros again and is reused; its pages stay
 * with the arena (the write seal forbids punching holes), so an arena holds the most that was
 * in use at once. */
#ifndef FFPF_BUF_ARENA_H
#define FFPF_BUF_ARENA_H

#include <stddef.h>
#include <stdint.h>

struct ffpf_arena_hole {
	size_t off, len; /* 64-byte multiples */
};

struct ffpf_arena {
	int fd;          /* the memfd */
	uint8_t *base;   /* our read/write mapping */
	size_t size;     /* fixed at creation (sparse: only what is used costs memory) */
	size_t used;     /* the bump pointer: nothing at or above it is in use */
	struct ffpf_arena_hole *holes; /* ranges below `used` given back, by offset, apart */
	unsigned nholes, capholes;
	size_t live;     /* bytes handed out and not given back (64-byte multiples) */
};

/* A new arena of size bytes named name (shows in /proc/PID/maps).  NULL with errno set. */
struct ffpf_arena *ffpf_arena_new(const char *name, size_t size);
/* n zeroed bytes, 64-byte aligned; NULL when the arena is full. */
void *ffpf_arena_alloc(struct ffpf_arena *a, size_t n);
/* Give back the n bytes at p (from ffpf_arena_alloc(a, n)): zeroed, reused by later
 * allocations.  Nobody may read them as what they were: the daemon
 * gives back only memory of functions no application uses and no program below writes. */
void ffpf_arena_release(struct ffpf_arena *a, void *p, size_t n);
/* Whether p lies in the arena, and its offset there. */
int ffpf_arena_has(const struct ffpf_arena *a, const void *p);
size_t ffpf_arena_off(const struct ffpf_arena *a, const void *p);
void ffpf_arena_free(struct ffpf_arena *a);
#endif
