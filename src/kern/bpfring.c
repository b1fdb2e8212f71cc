/* bpfring.c — reading a BPF ring buffer in place (see bpfring.h).  The layout is the kernel's
 * (kernel/bpf/ringbuf.c): page 0 holds the consumer position (ours to write), page 1 the
 * producer position, then the data pages mapped twice, so that no record wraps.  Each record
 * is an 8-byte header {u32 len with BUSY and DISCARD bits, u32 page offset}, then len bytes,
 * the whole rounded up to 8. */
#include "kern/bpfring.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define RB_BUSY    (1u << 31)
#define RB_DISCARD (1u << 30)
#define RB_HDR     8u

int bpfring_open(struct bpfring *r, int map_fd, size_t size, char *why, size_t n)
{
	memset(r, 0, sizeof(*r));
	r->fd = fcntl(map_fd, F_DUPFD_CLOEXEC, 0); /* ours: the ring outlives the program (ffpfd) */
	if (r->fd < 0) {
		int e = errno;
		return snprintf(why, n, "cannot keep the ring: %s", strerror(e)), -e;
	}
	r->size = size;
	r->pagesz = (size_t)sysconf(_SC_PAGESIZE);
	r->cons = mmap(NULL, r->pagesz, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (r->cons == MAP_FAILED) {
		int e = errno;
		r->cons = NULL;
		bpfring_close(r);
		return snprintf(why, n, "cannot map the program's ring: %s", strerror(e)), -e;
	}
	r->prod = mmap(NULL, r->pagesz + 2 * size, PROT_READ, MAP_SHARED, map_fd, (off_t)r->pagesz);
	if (r->prod == MAP_FAILED) {
		int e = errno;
		r->prod = NULL;
		bpfring_close(r);
		return snprintf(why, n, "cannot map the program's ring data: %s", strerror(e)), -e;
	}
	r->pos = r->published = __atomic_load_n((uint64_t *)(void *)r->cons, __ATOMIC_ACQUIRE);
	return 0;
}

int bpfring_next(struct bpfring *r, const uint8_t **rec, uint32_t *len, uint64_t *pos)
{
	uint64_t prod = __atomic_load_n((const uint64_t *)(const void *)r->prod, __ATOMIC_ACQUIRE);
	const uint8_t *data = r->prod + r->pagesz;

	while (r->pos < prod) {
		const uint32_t *h = (const uint32_t *)(const void *)(data + (r->pos & (r->size - 1)));
		uint32_t l = __atomic_load_n(h, __ATOMIC_ACQUIRE);
		uint64_t at = r->pos;

		if (l & RB_BUSY)
			return 0; /* reserved, not yet committed: records are read in order */
		r->pos += ((uint64_t)(l & ~(RB_BUSY | RB_DISCARD)) + RB_HDR + 7) & ~7ull;
		if (l & RB_DISCARD)
			continue;
		*rec = (const uint8_t *)(h + 2);
		*len = l & ~(RB_BUSY | RB_DISCARD);
		*pos = at;
		return 1;
	}
	return 0;
}

void bpfring_release(struct bpfring *r)
{
	if (r->cons && r->published != r->pos) {
		__atomic_store_n((uint64_t *)(void *)r->cons, r->pos, __ATOMIC_RELEASE);
		r->published = r->pos;
	}
}

uint64_t bpfring_backlog(const struct bpfring *r)
{
	uint64_t prod = r->prod ? __atomic_load_n((const uint64_t *)(const void *)r->prod, __ATOMIC_ACQUIRE) : 0;
	return prod > r->pos ? prod - r->pos : 0;
}

void bpfring_close(struct bpfring *r)
{
	if (r->prod)
		munmap(r->prod, r->pagesz + 2 * r->size);
	if (r->cons)
		munmap(r->cons, r->pagesz);
	r->prod = r->cons = NULL;
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}
