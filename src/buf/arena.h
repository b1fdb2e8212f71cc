/* arena.h — memory applications can map: a memfd, sealed against resizing and against new
 * writable mappings, from which a daemon's flowgraph takes its MBufs.  The daemon keeps its one
 * read/write mapping; an application that receives the fd (SCM_RIGHTS) can only map it
 * read-only, and never past its fixed size.  Allocation is a bump pointer at instantiate
 * time (control plane); nothing is ever given back while the arena lives. */
#ifndef FFPF_BUF_ARENA_H
#define FFPF_BUF_ARENA_H

#include <stddef.h>
#include <stdint.h>

struct ffpf_arena {
	int fd;          /* the memfd */
	uint8_t *base;   /* our read/write mapping */
	size_t size;     /* fixed at creation (sparse: only what is used costs memory) */
	size_t used;
};

/* A new arena of size bytes named name (shows in /proc/PID/maps).  NULL with errno set. */
struct ffpf_arena *ffpf_arena_new(const char *name, size_t size);
/* n zeroed bytes, 64-byte aligned; NULL when the arena is full. */
void *ffpf_arena_alloc(struct ffpf_arena *a, size_t n);
/* Whether p lies in the arena, and its offset there. */
int ffpf_arena_has(const struct ffpf_arena *a, const void *p);
size_t ffpf_arena_off(const struct ffpf_arena *a, const void *p);
void ffpf_arena_free(struct ffpf_arena *a);
#endif
