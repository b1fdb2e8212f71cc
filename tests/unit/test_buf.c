/* test_buf.c — PBuf and IBuf: power-of-two sizing, sequence-checked slots, reader overrun. */
#include <stdlib.h>
#include "buf/pbuf.h"
#include "buf/ibuf.h"
#include "testlib.h"

static void test_pbuf(void)
{
	struct ffpf_pbuf *pb = ffpf_pbuf_new(1000, 100, 1);
	const struct ffpf_slot_meta *m;
	uint64_t seq = 0, first = 0;

	CHECK(pb != NULL);
	CHECK_EQ_U(pb->nslots, 1024);   /* rounded up to 2^k */
	CHECK_EQ_U(pb->slot_size, 128); /* cache-line multiple */
	CHECK(ffpf_pbuf_get(pb, 0, &m) == NULL); /* nothing written yet */
	pb->meta[first & pb->mask].data = ffpf_pbuf_next(pb, &first);
	pb->meta[first & pb->mask].seq = first;
	CHECK(ffpf_pbuf_get(pb, first, &m) != NULL);
	for (unsigned i = 0; i < pb->nslots; i++) { /* wrap once: slot of `first` is reused */
		uint8_t *d = ffpf_pbuf_next(pb, &seq);
		pb->meta[seq & pb->mask].data = d;
		pb->meta[seq & pb->mask].seq = seq;
	}
	CHECK(ffpf_pbuf_get(pb, first, &m) == NULL);
	CHECK(ffpf_pbuf_get(pb, seq, &m) != NULL);
	ffpf_pbuf_free(pb);

	pb = ffpf_pbuf_new(1, 64, 1); /* never fewer than two batches */
	CHECK(pb && pb->nslots >= 2 * 256);
	ffpf_pbuf_free(pb);
}

static void test_ibuf(void)
{
	struct ffpf_ibuf *ib = ffpf_ibuf_new(16);
	struct ffpf_ientry e;
	uint64_t lost;

	CHECK(ib != NULL);
	CHECK(!ffpf_ibuf_take(ib, &e, &lost) && lost == 0);
	for (uint64_t i = 0; i < 10; i++)
		ffpf_ibuf_put(ib, i, (uint32_t)i + 1, 0);
	CHECK(ffpf_ibuf_take(ib, &e, &lost) && e.seq == 0 && e.cls == 1 && lost == 0);
	for (uint64_t i = 10; i < 40; i++) /* writer laps the reader */
		ffpf_ibuf_put(ib, i, (uint32_t)i + 1, 0);
	CHECK(ffpf_ibuf_take(ib, &e, &lost));
	CHECK_EQ_U(lost, 40 - 1 - 16);   /* 39 unread, 16 kept */
	CHECK_EQ_U(e.seq, 40 - 16);      /* the oldest surviving entry */
	unsigned n = 1;
	while (ffpf_ibuf_take(ib, &e, &lost))
		n++;
	CHECK_EQ_U(n, 16);
	ffpf_ibuf_free(ib);
}

int main(void)
{
	test_pbuf();
	test_ibuf();
	return tl_done("test_buf");
}
