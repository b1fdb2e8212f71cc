/* test_arena.c — the daemon's shared arena: allocations, ranges given back (zeroed, reused
 * first fit, joined with their neighbours, the bump pointer lowered at the top), a full arena
 * that has room again once something is given back, without growing. */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "buf/arena.h"
#include "testlib.h"

static int zeroed(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Bytes of the memfd that hold memory (st_blocks is in 512-byte units). */
static long long resident(const struct ffpf_arena *a)
{
	struct stat st;
	return fstat(a->fd, &st) ? -1 : (long long)st.st_blocks * 512;
}

static void test_reuse(void)
{
	struct ffpf_arena *a = ffpf_arena_new("test", 1 << 20);
	uint8_t *x, *y, *z, *w;

	CHECK(a != NULL);
	if (!a)
		return;
	x = ffpf_arena_alloc(a, 100);
	y = ffpf_arena_alloc(a, 200);
	z = ffpf_arena_alloc(a, 64);
	CHECK(x && y && z && y == x + 128 && z == y + 256);
	CHECK_EQ_U(a->live, 128 + 256 + 64);
	memset(x, 1, 100);
	memset(y, 2, 200);
	memset(z, 3, 64);
	ffpf_arena_release(a, y, 200);
	CHECK_EQ_U(a->live, 128 + 64);
	CHECK_EQ_U(a->nholes, 1);
	CHECK(zeroed(y, 256));
	w = ffpf_arena_alloc(a, 64); /* first fit: the start of y's range */
	CHECK(w == y && zeroed(w, 64));
	ffpf_arena_release(a, w, 64);
	ffpf_arena_release(a, x, 100); /* joins y's range before it: one hole [0, 384) */
	CHECK_EQ_U(a->nholes, 1);
	CHECK(a->holes[0].off == 0 && a->holes[0].len == 384);
	CHECK(ffpf_arena_alloc(a, 384) == x); /* the two as one */
	ffpf_arena_release(a, x, 384);
	ffpf_arena_release(a, z, 64); /* the top: everything is free, the bump pointer at 0 */
	CHECK_EQ_U(a->nholes, 0);
	CHECK_EQ_U(a->used, 0);
	CHECK_EQ_U(a->live, 0);
	CHECK(zeroed(z, 64));
	x = ffpf_arena_alloc(a, 64);
	y = ffpf_arena_alloc(a, 64);
	z = ffpf_arena_alloc(a, 64);
	ffpf_arena_release(a, y, 64);
	ffpf_arena_release(a, y, 64);              /* twice: ignored */
	CHECK(a->nholes == 1 && a->live == 128);
	ffpf_arena_release(a, z, 64);              /* the top, and the free range below it */
	CHECK(a->nholes == 0 && a->used == 64 && a->live == 64);
	ffpf_arena_release(a, z, 64);              /* above the top now: ignored */
	CHECK(a->used == 64 && a->live == 64);
	ffpf_arena_release(a, x, 64);
	CHECK(a->used == 0 && a->live == 0);
	ffpf_arena_release(a, NULL, 8);            /* ignored */
	ffpf_arena_release(a, (uint8_t *)a, 8);    /* not in the arena: ignored */
	CHECK_EQ_U(a->nholes, 0);
	ffpf_arena_free(a);
}

static void test_pages_and_full(void)
{
	size_t mb = 1 << 20;
	struct ffpf_arena *a = ffpf_arena_new("test", 4 * mb);
	uint8_t *big, *small, *p;

	CHECK(a != NULL);
	if (!a)
		return;
	small = ffpf_arena_alloc(a, 64);
	big = ffpf_arena_alloc(a, 3 * mb);
	CHECK(small && big);
	memset(big, 7, 3 * mb);
	CHECK(resident(a) >= (long long)(3 * mb));
	CHECK(ffpf_arena_alloc(a, 2 * mb) == NULL); /* full */
	long long before = resident(a);
	ffpf_arena_release(a, big, 3 * mb);
	p = ffpf_arena_alloc(a, 2 * mb);     /* room again, where big was, zeroed */
	CHECK(p == big && zeroed(p, 2 * mb));
	memset(p, 9, 2 * mb);
	CHECK(resident(a) <= before);       /* reused: the arena did not grow */
	ffpf_arena_free(a);
}

int main(void)
{
	test_reuse();
	test_pages_and_full();
	return tl_done("test_arena");
}
