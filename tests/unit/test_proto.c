/* test_proto.c — the ffpfd control protocol: round trips, every rejection with its words, fds
 * across a SOCK_SEQPACKET socketpair (arrive, refer to the same file, closed when unexpected),
 * oversize datagrams, EOF, timeouts, EINTR, sockets by path, and the fuzzer's seeds. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "daemon/proto.h"
#include "testlib.h"

static struct ffpf_proto_buf *pb; /* 256 KiB: not on the stack */
static uint8_t wire[FFPF_PROTO_MAX_MSG + 1024];
static char err[512];

/* ---- raw datagrams, for what the encoder refuses to write ---- */

struct raw {
	uint8_t b[80000]; /* room for an oversize datagram */
	size_t n;
};

static void raw_le(struct raw *r, uint64_t v, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		r->b[r->n++] = (uint8_t)(v >> (8 * i));
}

static void raw_bytes(struct raw *r, const void *p, size_t n)
{
	memcpy(r->b + r->n, p, n);
	r->n += n;
}

static void raw_str(struct raw *r, const char *s)
{
	raw_le(r, strlen(s), 4);
	raw_bytes(r, s, strlen(s));
}

/* Start a datagram: header with length 0, patched by raw_end(). */
static void raw_hdr(struct raw *r, uint32_t magic, unsigned version, unsigned type, uint32_t seq)
{
	r->n = 0;
	raw_le(r, magic, 4);
	raw_le(r, version, 2);
	raw_le(r, type, 2);
	raw_le(r, 0, 4);
	raw_le(r, seq, 4);
}

static void raw_end(struct raw *r)
{
	uint32_t plen = (uint32_t)(r->n - FFPF_PROTO_HDR_SIZE);
	for (unsigned i = 0; i < 4; i++)
		r->b[8 + i] = (uint8_t)(plen >> (8 * i));
}

static struct raw r;

static int decode_raw(struct ffpf_msg *m)
{
	err[0] = '\0';
	return ffpf_msg_decode(r.b, r.n, m, pb->scratch, sizeof pb->scratch, err, sizeof err);
}

/* ---- sample messages of every type ---- */

static const struct ffpf_proto_fn sample_fns[] = {
	{ 4, "count#4", "count", "", 0, 0, 64, "7" },
	{ 7, "bpf#7", "bpf", "expr=\"tcp dst port 80\",optimize=yes", 3, 64, 128, "" },
};
static const struct ffpf_proto_drop sample_drops[] = { { "rejected", 1234 }, { "over_limit", 1 } };
static const struct ffpf_proto_value sample_values[] = {
	{ .name = "packets", .type = FFPF_PROTO_V_U64, .u64 = 0xFFFFFFFFFFFFFFFFull },
	{ .name = "file", .type = FFPF_PROTO_V_STR, .str = "worm.pcap" },
	{ .name = "empty", .type = FFPF_PROTO_V_STR, .str = "" },
};

static const struct ffpf_proto_table sample_tables[] = {
	{ .name = "mbuf", .ncols = 2, .nrows = 2, .cols = "index\nvalue\n" },
	{ .name = "top", .ncols = 1, .nrows = 1, .cols = "n\n", .flags = FFPF_TABLE_TRUNCATED },
};
static const uint64_t sample_cells[] = { 1, 10, 5, 1ull << 63, 7 };

static struct ffpf_msg sample(unsigned type)
{
	struct ffpf_msg m = { .type = (uint16_t)type, .seq = 1000 + type };
	switch (type) {
	case FFPF_MSG_HELLO: m.hello = (struct ffpf_msg_hello){ 1, "tcpdump[4711]" }; break;
	case FFPF_MSG_WELCOME: m.welcome = (struct ffpf_msg_welcome){ 1, 3, 1000, "uid:1000" }; break;
	case FFPF_MSG_POPULATE:
		m.populate = (struct ffpf_msg_populate){ "(bpf,\"tcp\") > (count)", "<cmdline>" };
		break;
	case FFPF_MSG_POPULATED:
		m.populated = (struct ffpf_msg_populated){ 2, sample_fns, 4096 };
		break;
	case FFPF_MSG_ERROR: m.error = (struct ffpf_msg_error){ EINVAL, "1:5: expected ')'" }; break;
	case FFPF_MSG_RESULTS: m.results.fn_id = 4; break;
	case FFPF_MSG_RESULT:
		m.result = (struct ffpf_msg_result){ 7, 1ull << 40, 99, FFPF_RESULT_FINAL, 2, sample_drops, 3,
						     sample_values, 2, sample_tables, 5, sample_cells };
		break;
	case FFPF_MSG_EXPORT: m.export.fn_id = 9; break;
	case FFPF_MSG_EXPORTING:
		m.exporting = (struct ffpf_msg_exporting){ 9, 1024, 2048, 1ull << 21 };
		break;
	case FFPF_MSG_STATUS_TEXT: m.status_text.text = "{\"apps\":[]}"; break;
	default: break;
	}
	return m;
}

static int same_str(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static int same_fns(const struct ffpf_msg_populated *a, const struct ffpf_msg_populated *b)
{
	if (a->n != b->n || a->arena_size != b->arena_size)
		return 0;
	for (uint32_t i = 0; i < a->n; i++) {
		const struct ffpf_proto_fn *x = &a->fns[i], *y = &b->fns[i];
		if (x->fn_id != y->fn_id || !same_str(x->name, y->name) || !same_str(x->cls, y->cls) ||
		    !same_str(x->params, y->params) || x->flags != y->flags ||
		    x->mbuf_off != y->mbuf_off || x->mbuf_size != y->mbuf_size ||
		    !same_str(x->inputs, y->inputs))
			return 0;
	}
	return 1;
}

static int same_result(const struct ffpf_msg_result *a, const struct ffpf_msg_result *b)
{
	if (a->fn_id != b->fn_id || a->in != b->in || a->passed != b->passed ||
	    a->flags != b->flags || a->ndrops != b->ndrops || a->nvalues != b->nvalues ||
	    a->ntables != b->ntables || a->ncells != b->ncells ||
	    (a->ncells && memcmp(a->cells, b->cells, a->ncells * sizeof(uint64_t))))
		return 0;
	for (uint32_t i = 0; i < a->ntables; i++) {
		const struct ffpf_proto_table *x = &a->tables[i], *y = &b->tables[i];
		if (!same_str(x->name, y->name) || x->ncols != y->ncols || x->nrows != y->nrows ||
		    !same_str(x->cols, y->cols) || x->flags != y->flags)
			return 0;
	}
	for (uint32_t i = 0; i < a->ndrops; i++)
		if (!same_str(a->drops[i].reason, b->drops[i].reason) || a->drops[i].n != b->drops[i].n)
			return 0;
	for (uint32_t i = 0; i < a->nvalues; i++) {
		const struct ffpf_proto_value *x = &a->values[i], *y = &b->values[i];
		if (!same_str(x->name, y->name) || x->type != y->type)
			return 0;
		if (x->type == FFPF_PROTO_V_U64 ? x->u64 != y->u64 : !same_str(x->str, y->str))
			return 0;
	}
	return 1;
}

/* Every field of a and b agree. */
static int same_msg(const struct ffpf_msg *a, const struct ffpf_msg *b)
{
	if (a->type != b->type || a->seq != b->seq)
		return 0;
	switch (a->type) {
	case FFPF_MSG_HELLO:
		return a->hello.max_version == b->hello.max_version &&
		       same_str(a->hello.app_name, b->hello.app_name);
	case FFPF_MSG_WELCOME:
		return a->welcome.version == b->welcome.version && a->welcome.app_id == b->welcome.app_id &&
		       a->welcome.group_id == b->welcome.group_id &&
		       same_str(a->welcome.group_name, b->welcome.group_name);
	case FFPF_MSG_POPULATE:
		return same_str(a->populate.request, b->populate.request) &&
		       same_str(a->populate.origin, b->populate.origin);
	case FFPF_MSG_POPULATED: return same_fns(&a->populated, &b->populated);
	case FFPF_MSG_ERROR:
		return a->error.err == b->error.err && same_str(a->error.message, b->error.message);
	case FFPF_MSG_RESULTS: return a->results.fn_id == b->results.fn_id;
	case FFPF_MSG_RESULT: return same_result(&a->result, &b->result);
	case FFPF_MSG_EXPORT: return a->export.fn_id == b->export.fn_id;
	case FFPF_MSG_EXPORTING:
		return a->exporting.fn_id == b->exporting.fn_id && /* fields: the struct has padding */
		       a->exporting.ring_slots == b->exporting.ring_slots &&
		       a->exporting.slot_size == b->exporting.slot_size &&
		       a->exporting.ring_bytes == b->exporting.ring_bytes;
	case FFPF_MSG_STATUS_TEXT: return same_str(a->status_text.text, b->status_text.text);
	default: return 1;
	}
}

static void test_round_trip(void)
{
	for (unsigned t = 1; t <= FFPF_MSG_MAX_TYPE; t++) {
		struct ffpf_msg m = sample(t), d;
		size_t len = 0, len2 = 0;
		static uint8_t again[FFPF_PROTO_MAX_MSG];
		CHECK(strcmp(ffpf_msg_name(t), "?") != 0);
		CHECK(ffpf_msg_encode(&m, wire, sizeof wire, &len, err, sizeof err) == 0);
		CHECK(ffpf_msg_decode(wire, len, &d, pb->scratch, sizeof pb->scratch, err, sizeof err) == 0);
		if (!same_msg(&m, &d))
			fprintf(stderr, "round trip of %s differs\n", ffpf_msg_name(t));
		CHECK(same_msg(&m, &d));
		CHECK_EQ_U(d.version, FFPF_PROTO_VERSION);
		/* one encoding per message: re-encoding the decoded message gives the same bytes */
		CHECK(ffpf_msg_encode(&d, again, sizeof again, &len2, err, sizeof err) == 0);
		CHECK(len2 == len && !memcmp(again, wire, len));
	}
	CHECK_STR(ffpf_msg_name(0), "?");
	CHECK_STR(ffpf_msg_name(13), "?");
	CHECK_EQ_U(ffpf_msg_nfds(FFPF_MSG_POPULATED), 1);
	CHECK_EQ_U(ffpf_msg_nfds(FFPF_MSG_EXPORTING), 2);
	CHECK_EQ_U(ffpf_msg_sender(FFPF_MSG_BYE), FFPF_PROTO_BOTH);

	/* the exact bytes of one message, as docs/protocol.md shows them */
	struct ffpf_msg m = { .type = FFPF_MSG_HELLO, .version = 1, .seq = 1, .hello = { 1, "ab" } };
	static const uint8_t hello[] = { 0x44, 0x50, 0x46, 0x46, 1, 0, 1, 0, 10, 0, 0, 0, 1, 0, 0, 0,
					 1, 0, 0, 0, 2, 0, 0, 0, 'a', 'b' };
	size_t len = 0;
	CHECK(ffpf_msg_encode(&m, wire, sizeof wire, &len, err, sizeof err) == 0);
	CHECK(len == sizeof hello && !memcmp(wire, hello, len));
}

/* A function's inputs ("0,2") and RESULT's flags (FFPF_RESULT_FINAL) survive a round trip, at
 * the offsets docs/protocol.md gives: inputs after mbuf_size, flags right after passed. */
static void test_inputs_flags(void)
{
	static const struct ffpf_proto_fn fn = { 5, "c", "count", "", 0, 64, 32, "0,2" };
	struct ffpf_msg m = { .type = FFPF_MSG_POPULATED, .version = 1, .seq = 2 }, d;
	static const uint8_t populated[] = {
		0x44, 0x50, 0x46, 0x46, 1, 0, 4, 0, 61, 0, 0, 0, 2, 0, 0, 0,
		1, 0, 0, 0,                               /* n */
		5, 0, 0, 0,                               /* fns[0].fn_id */
		1, 0, 0, 0, 'c',                          /* name */
		5, 0, 0, 0, 'c', 'o', 'u', 'n', 't',      /* cls */
		0, 0, 0, 0,                               /* params */
		0, 0, 0, 0,                               /* flags */
		64, 0, 0, 0, 0, 0, 0, 0,                  /* mbuf_off */
		32, 0, 0, 0, 0, 0, 0, 0,                  /* mbuf_size */
		3, 0, 0, 0, '0', ',', '2',                /* inputs, at payload offset 46 */
		0, 0x10, 0, 0, 0, 0, 0, 0,                /* arena_size */
	};
	static const uint8_t result[] = {
		0x44, 0x50, 0x46, 0x46, 1, 0, 7, 0, 32, 0, 0, 0, 3, 0, 0, 0,
		5, 0, 0, 0,                               /* fn_id */
		10, 0, 0, 0, 0, 0, 0, 0,                  /* in */
		4, 0, 0, 0, 0, 0, 0, 0,                   /* passed */
		1, 0, 0, 0,                               /* flags: FFPF_RESULT_FINAL, at offset 20 */
		0, 0, 0, 0,                               /* ndrops */
		0, 0, 0, 0,                               /* nvalues */
	};
	size_t len = 0;

	m.populated = (struct ffpf_msg_populated){ 1, &fn, 4096 };
	CHECK(ffpf_msg_encode(&m, wire, sizeof wire, &len, err, sizeof err) == 0);
	CHECK(len == sizeof populated && !memcmp(wire, populated, len));
	CHECK(ffpf_msg_decode(wire, len, &d, pb->scratch, sizeof pb->scratch, err, sizeof err) == 0);
	CHECK(same_msg(&m, &d));
	CHECK_EQ_U(d.populated.n, 1);
	if (d.populated.n == 1) {
		CHECK_STR(d.populated.fns[0].inputs, "0,2");
		CHECK_STR(d.populated.fns[0].params, "");
		CHECK_EQ_U(d.populated.fns[0].mbuf_size, 32);
	}
	CHECK_EQ_U(d.populated.arena_size, 4096);

	m = (struct ffpf_msg){ .type = FFPF_MSG_RESULT, .version = 1, .seq = 3 };
	m.result = (struct ffpf_msg_result){ .fn_id = 5, .in = 10, .passed = 4,
					     .flags = FFPF_RESULT_FINAL };
	CHECK(ffpf_msg_encode(&m, wire, sizeof wire, &len, err, sizeof err) == 0);
	CHECK(len == sizeof result && !memcmp(wire, result, len));
	CHECK(ffpf_msg_decode(wire, len, &d, pb->scratch, sizeof pb->scratch, err, sizeof err) == 0);
	CHECK(same_msg(&m, &d));
	CHECK_EQ_U(d.result.flags, FFPF_RESULT_FINAL);
	CHECK_EQ_U(d.result.passed, 4);
	CHECK_EQ_U(d.result.ndrops + d.result.nvalues, 0);
	/* not final: 0 comes back as 0, and same_result tells the two apart */
	wire[FFPF_PROTO_HDR_SIZE + 20] = 0;
	CHECK(ffpf_msg_decode(wire, len, &d, pb->scratch, sizeof pb->scratch, err, sizeof err) == 0);
	CHECK_EQ_U(d.result.flags, 0);
	CHECK(!same_msg(&m, &d));
}

/* The largest messages and the densest arrays decode within FFPF_PROTO_SCRATCH. */
static void test_limits(void)
{
	static char text[FFPF_PROTO_MAX_TEXT + 2];
	static struct ffpf_proto_value vals[8000];
	static struct ffpf_proto_fn fns[2000];
	struct ffpf_msg m = { .type = FFPF_MSG_STATUS_TEXT, .seq = 1 }, d;
	size_t len = 0;
	uint32_t n;

	memset(text, 'x', FFPF_PROTO_MAX_TEXT);
	m.status_text.text = text;
	CHECK(ffpf_msg_encode(&m, wire, sizeof wire, &len, err, sizeof err) == 0);
	CHECK_EQ_U(len, FFPF_PROTO_MAX_MSG);
	CHECK(ffpf_msg_decode(wire, len, &d, pb->scratch, sizeof pb->scratch, err, sizeof err) == 0);
	CHECK_EQ_U(strlen(d.status_text.text), FFPF_PROTO_MAX_TEXT);
	text[FFPF_PROTO_MAX_TEXT] = 'x';
	CHECK(ffpf_msg_encode(&m, wire, sizeof wire, &len, err, sizeof err) == -EINVAL);
	CHECK_STR(err, "STATUS_TEXT: field 'text' at offset 0: 65533 bytes, limit 65532");

	/* RESULT (version 1: no tables) full of empty string values: the most scratch per payload
	 * byte */
	n = (FFPF_PROTO_MAX_PAYLOAD - 4 - 8 - 8 - 4 - 4 - 4) / 9; /* 7278, 2 bytes to spare */
	for (uint32_t i = 0; i <= n; i++)
		vals[i] = (struct ffpf_proto_value){ .name = "", .type = FFPF_PROTO_V_STR, .str = "" };
	m = (struct ffpf_msg){ .type = FFPF_MSG_RESULT, .version = 1, .seq = 1 };
	m.result = (struct ffpf_msg_result){ .nvalues = n, .values = vals };
	CHECK(ffpf_msg_encode(&m, wire, sizeof wire, &len, err, sizeof err) == 0);
	CHECK(ffpf_msg_decode(wire, len, &d, pb->scratch, sizeof pb->scratch, err, sizeof err) == 0);
	CHECK(same_msg(&m, &d));
	CHECK_EQ_U(len, FFPF_PROTO_HDR_SIZE + 32 + 9 * n);
	CHECK_EQ_U(len, FFPF_PROTO_MAX_MSG - 2);
	m.result.nvalues = n + 1; /* one more does not fit in a payload */
	CHECK(ffpf_msg_encode(&m, wire, sizeof wire, &len, err, sizeof err) == -EMSGSIZE);
	CHECK_STR(err, "RESULT: field 'values[7278].name' at offset 65534: 4 bytes needed, 2 left of "
		       "65536");

	/* POPULATED full of functions with empty strings: 40 bytes each */
	n = (FFPF_PROTO_MAX_PAYLOAD - 4 - 8) / 40; /* 1638, 4 bytes to spare */
	for (uint32_t i = 0; i <= n; i++)
		fns[i] = (struct ffpf_proto_fn){ .fn_id = i, .name = "", .cls = "", .params = "",
						 .inputs = "" };
	m = (struct ffpf_msg){ .type = FFPF_MSG_POPULATED, .seq = 1 };
	m.populated = (struct ffpf_msg_populated){ n, fns, 1 };
	CHECK(ffpf_msg_encode(&m, wire, sizeof wire, &len, err, sizeof err) == 0);
	CHECK_EQ_U(len, FFPF_PROTO_HDR_SIZE + 4 + 40 * n + 8);
	CHECK_EQ_U(len, FFPF_PROTO_MAX_MSG - 4);
	CHECK(ffpf_msg_decode(wire, len, &d, pb->scratch, sizeof pb->scratch, err, sizeof err) == 0);
	CHECK(same_msg(&m, &d));
	m.populated.n = n + 1; /* one more does not fit: fns[1638] would end at 65564 */
	CHECK(ffpf_msg_encode(&m, wire, sizeof wire, &len, err, sizeof err) == -EMSGSIZE);
	CHECK_STR(err, "POPULATED: field 'fns[1638].params' at offset 65536: 4 bytes needed, 0 left "
		       "of 65536");
}

static void expect_raw(const char *want)
{
	struct ffpf_msg m;
	CHECK(decode_raw(&m) == -EPROTO);
	CHECK(errno == EPROTO);
	CHECK_STR(err, want);
}

static void test_header_rejects(void)
{
	struct ffpf_msg m;
	raw_hdr(&r, FFPF_PROTO_MAGIC, 1, FFPF_MSG_BYE, 1);
	raw_end(&r);
	CHECK(decode_raw(&m) == 0);

	r.n = 5;
	expect_raw("short datagram: 5 bytes, the header alone is 16");
	raw_hdr(&r, 0x44504646, 1, FFPF_MSG_BYE, 1); /* magic written big-endian */
	raw_end(&r);
	expect_raw("bad magic 0x44504646, expected 0x46465044 (\"FFPD\")");
	raw_hdr(&r, FFPF_PROTO_MAGIC, 3, FFPF_MSG_BYE, 1);
	raw_end(&r);
	expect_raw("unsupported protocol version 3 (this side speaks 1..2)");
	raw_hdr(&r, FFPF_PROTO_MAGIC, 0, FFPF_MSG_HELLO, 1);
	raw_end(&r);
	expect_raw("unsupported protocol version 0 (this side speaks 1..2)");
	raw_hdr(&r, FFPF_PROTO_MAGIC, 1, 99, 1);
	raw_end(&r);
	expect_raw("unknown message type 99 (known: 1..12)");
	raw_hdr(&r, FFPF_PROTO_MAGIC, 1, 0, 1);
	raw_end(&r);
	expect_raw("unknown message type 0 (known: 1..12)");
	raw_hdr(&r, FFPF_PROTO_MAGIC, 1, FFPF_MSG_RESULTS, 1);
	raw_le(&r, 4, 4);
	raw_end(&r);
	r.b[8] = 40;
	expect_raw("RESULTS: length field says 40 payload bytes, 4 came");
	raw_hdr(&r, FFPF_PROTO_MAGIC, 1, FFPF_MSG_BYE, 0);
	raw_end(&r);
	expect_raw("BYE: seq 0: sequence numbers start at 1");
	r.n = FFPF_PROTO_MAX_MSG + 1;
	expect_raw("message of 65553 bytes, over the limit of 65552 (16-byte header + 65536 payload)");

	/* HELLO and ERROR are frozen: any version >= 1 is read, so a refusal can be */
	raw_hdr(&r, FFPF_PROTO_MAGIC, 7, FFPF_MSG_HELLO, 1);
	raw_le(&r, 9, 4);
	raw_str(&r, "future");
	raw_end(&r);
	CHECK(decode_raw(&m) == 0 && m.version == 7 && m.hello.max_version == 9);
	CHECK_STR(m.hello.app_name, "future");
}

static void test_field_rejects(void)
{
	raw_hdr(&r, FFPF_PROTO_MAGIC, 1, FFPF_MSG_POPULATE, 1);
	raw_str(&r, "abcdefgh");
	raw_le(&r, 40, 4);
	raw_bytes(&r, "1234567", 7);
	raw_end(&r);
	expect_raw("POPULATE: field 'origin' at offset 12: 40 bytes announced, 7 left");

	raw_hdr(&r, FFPF_PROTO_MAGIC, 1, FFPF_MSG_WELCOME, 1);
	raw_le(&r, 1, 4);
	raw_le(&r, 3, 2);
	raw_end(&r);
	expect_raw("WELCOME: field 'app_id' at offset 4: 4 bytes needed, 2 left");

	raw_hdr(&r, FFPF_PROTO_MAGIC, 1, FFPF_MSG_POPULATE, 1);
	raw_le(&r, FFPF_PROTO_MAX_STR + 1, 4);
	raw_end(&r);
	expect_raw("POPULATE: field 'request' at offset 0: 16385 bytes announced, limit 16384");

	raw_hdr(&r, FFPF_PROTO_MAGIC, 1, FFPF_MSG_HELLO, 1);
	raw_le(&r, 1, 4);
	raw_le(&r, 5, 4);
	raw_bytes(&r, "ab\0cd", 5);
	raw_end(&r);
	expect_raw("HELLO: field 'app_name' at offset 4: NUL byte at position 2 of the string");

	raw_hdr(&r, FFPF_PROTO_MAGIC, 1, FFPF_MSG_BYE, 1);
	raw_bytes(&r, "xyz", 3);
	raw_end(&r);
	expect_raw("BYE: 3 bytes after the last field (payload 3 bytes, fields end at offset 0)");
	raw_hdr(&r, FFPF_PROTO_MAGIC, 1, FFPF_MSG_RESULTS, 1);
	raw_le(&r, 4, 4);
	raw_le(&r, 0, 1);
	raw_end(&r);
	expect_raw("RESULTS: 1 bytes after the last field (payload 5 bytes, fields end at offset 4)");

	raw_hdr(&r, FFPF_PROTO_MAGIC, 1, FFPF_MSG_POPULATED, 1);
	raw_le(&r, 5000, 4);
	raw_bytes(&r, "01234567890123456789", 20);
	raw_end(&r);
	expect_raw("POPULATED: field 'n' at offset 0: 5000 entries announced, each at least 40 bytes, "
		   "20 left");

	raw_hdr(&r, FFPF_PROTO_MAGIC, 1, FFPF_MSG_POPULATED, 1);
	raw_le(&r, 2, 4);
	raw_le(&r, 1, 4);
	raw_str(&r, "count#1");
	raw_str(&r, "count");
	raw_str(&r, "");
	raw_le(&r, 0, 4);
	raw_le(&r, 0, 8);
	raw_le(&r, 8, 8);
	raw_str(&r, "");                  /* fns[0].inputs at 52 */
	raw_le(&r, 2, 4);                 /* fns[1] starts at 56 */
	raw_str(&r, "x");
	raw_le(&r, 900, 4);               /* fns[1].cls at 65 */
	raw_bytes(&r, "0123456789012345678901234567890123456789", 40);
	raw_end(&r);
	expect_raw("POPULATED: field 'fns[1].cls' at offset 65: 900 bytes announced, 40 left");

	/* inputs is a function's last field: arena_size comes after it */
	raw_hdr(&r, FFPF_PROTO_MAGIC, 1, FFPF_MSG_POPULATED, 1);
	raw_le(&r, 1, 4);
	raw_le(&r, 1, 4);
	raw_str(&r, "bpf#1");
	raw_str(&r, "bpf");
	raw_str(&r, "");
	raw_le(&r, 0, 4);
	raw_le(&r, 0, 8);
	raw_le(&r, 8, 8);
	raw_str(&r, "0,2");               /* fns[0].inputs at 48 */
	raw_end(&r);                      /* no arena_size */
	expect_raw("POPULATED: field 'arena_size' at offset 55: 8 bytes needed, 0 left");
	/* a POPULATED of the layout before inputs (arena_size right after mbuf_size) is refused,
	 * not misread: the low half of arena_size is taken as inputs' length */
	raw_hdr(&r, FFPF_PROTO_MAGIC, 1, FFPF_MSG_POPULATED, 1);
	raw_le(&r, 1, 4);
	raw_le(&r, 1, 4);
	raw_str(&r, "");
	raw_str(&r, "");
	raw_str(&r, "");
	raw_le(&r, 0, 4);
	raw_le(&r, 0, 8);
	raw_le(&r, 8, 8);
	raw_le(&r, 4096, 8);              /* read as fns[0].inputs at 40 */
	raw_end(&r);
	expect_raw("POPULATED: field 'fns[0].inputs' at offset 40: 4096 bytes announced, 4 left");

	raw_hdr(&r, FFPF_PROTO_MAGIC, 1, FFPF_MSG_RESULT, 1);
	raw_le(&r, 7, 4);
	raw_le(&r, 10, 8);
	raw_le(&r, 5, 8);
	raw_le(&r, FFPF_RESULT_FINAL, 4); /* flags at 20 */
	raw_le(&r, 0, 4);                 /* no drops */
	raw_le(&r, 2, 4);                 /* two values, the first at 32 */
	raw_str(&r, "packets");
	raw_le(&r, 0, 1);
	raw_le(&r, 10, 8);
	raw_str(&r, "x");                 /* values[1] at 52, its type at 57 */
	raw_le(&r, 7, 1);
	raw_le(&r, 0, 8);
	raw_end(&r);
	expect_raw("RESULT: field 'values[1].type' at offset 57: 7 is not a value type (0 u64, 1 str)");

	/* a RESULT of the layout before flags (28 bytes, nothing in it) is refused: its ndrops and
	 * nvalues are read as flags and ndrops, and nvalues is missing */
	raw_hdr(&r, FFPF_PROTO_MAGIC, 1, FFPF_MSG_RESULT, 1);
	raw_le(&r, 7, 4);
	raw_le(&r, 10, 8);
	raw_le(&r, 5, 8);
	raw_le(&r, 0, 4);
	raw_le(&r, 0, 4);
	raw_end(&r);
	expect_raw("RESULT: field 'nvalues' at offset 28: 4 bytes needed, 0 left");
}

static void test_encode_rejects(void)
{
	struct ffpf_msg m = sample(FFPF_MSG_POPULATE);
	static char big[FFPF_PROTO_MAX_STR + 2];
	size_t len = 0;

	m.seq = 0;
	CHECK(ffpf_msg_encode(&m, wire, sizeof wire, &len, err, sizeof err) == -EINVAL);
	CHECK_STR(err, "POPULATE: seq 0: sequence numbers start at 1");
	m.seq = 1;
	m.type = 40;
	CHECK(ffpf_msg_encode(&m, wire, sizeof wire, &len, err, sizeof err) == -EINVAL);
	CHECK_STR(err, "cannot encode unknown message type 40");
	m = sample(FFPF_MSG_POPULATE);
	memset(big, 'r', FFPF_PROTO_MAX_STR + 1);
	m.populate.request = big;
	CHECK(ffpf_msg_encode(&m, wire, sizeof wire, &len, err, sizeof err) == -EINVAL);
	CHECK_STR(err, "POPULATE: field 'request' at offset 0: 16385 bytes, limit 16384");
	m = sample(FFPF_MSG_POPULATE);
	CHECK(ffpf_msg_encode(&m, wire, 30, &len, err, sizeof err) == -EMSGSIZE);
	CHECK_STR(err, "POPULATE: field 'request' at offset 4: 21 bytes needed, 10 left of 14");
	m = sample(FFPF_MSG_POPULATED);
	m.populated.fns = NULL;
	CHECK(ffpf_msg_encode(&m, wire, sizeof wire, &len, err, sizeof err) == -EINVAL);
	CHECK_STR(err, "POPULATED: field 'n' at offset 0: 2 entries but no array");
	m = sample(FFPF_MSG_HELLO);
	m.hello.app_name = NULL; /* NULL is sent as "" */
	CHECK(ffpf_msg_encode(&m, wire, sizeof wire, &len, err, sizeof err) == 0 && len == 16 + 8);
	struct ffpf_proto_value bad = { .name = "v", .type = 9 };
	m = (struct ffpf_msg){ .type = FFPF_MSG_RESULT, .seq = 1 };
	m.result = (struct ffpf_msg_result){ .nvalues = 1, .values = &bad };
	CHECK(ffpf_msg_encode(&m, wire, sizeof wire, &len, err, sizeof err) == -EINVAL);
	CHECK_STR(err, "RESULT: field 'values[0].type' at offset 37: 9 is not a value type (0 u64, 1 "
		       "str)");
	/* tables whose shapes do not add up are refused on both sides */
	struct ffpf_proto_table t = sample_tables[0];
	m = sample(FFPF_MSG_RESULT);
	m.result.ncells = 4;
	CHECK(ffpf_msg_encode(&m, wire, sizeof wire, &len, err, sizeof err) == -EINVAL);
	CHECK(strstr(err, "4 cells, the tables' rows and columns make 5") != NULL);
	m = sample(FFPF_MSG_RESULT);
	m.result.ntables = 1;
	m.result.tables = &t;
	m.result.ncells = 4;
	t.cols = "index\n";
	CHECK(ffpf_msg_encode(&m, wire, sizeof wire, &len, err, sizeof err) == -EINVAL);
	CHECK(strstr(err, "table 0: 1 column names for 2 columns") != NULL);
	t.cols = "a\nb\n";
	t.ncols = 0;
	t.nrows = 0;
	m.result.ncells = 0;
	CHECK(ffpf_msg_encode(&m, wire, sizeof wire, &len, err, sizeof err) == -EINVAL);
	CHECK(strstr(err, "table 0: 0 columns (1 to 16)") != NULL);
}

/* A RESULT with a table, as protocol 2 sends it, byte by byte; a decoder refuses cells that
 * do not match the tables, and a version 1 RESULT has no tables at all. */
static void table_result(unsigned version, unsigned ncells)
{
	raw_hdr(&r, FFPF_PROTO_MAGIC, version, FFPF_MSG_RESULT, 1);
	raw_le(&r, 3, 4);
	raw_le(&r, 10, 8);
	raw_le(&r, 10, 8);
	raw_le(&r, 0, 4);
	raw_le(&r, 0, 4);                 /* no drops */
	raw_le(&r, 0, 4);                 /* no values */
	raw_le(&r, 1, 4);                 /* one table, at 32 */
	raw_str(&r, "mbuf");
	raw_le(&r, 2, 4);
	raw_le(&r, 1, 4);
	raw_str(&r, "index\nvalue\n");
	raw_le(&r, 0, 4);
	raw_le(&r, ncells, 4);
	for (unsigned i = 0; i < ncells; i++)
		raw_le(&r, i ? 99 : 4, 8);
	raw_end(&r);
}

static void test_tables(void)
{
	struct ffpf_msg d;

	table_result(2, 2);
	CHECK(ffpf_msg_decode(r.b, r.n, &d, pb->scratch, sizeof pb->scratch, err, sizeof err) == 0);
	CHECK_EQ_U(d.result.ntables, 1);
	CHECK_STR(d.result.tables[0].cols, "index\nvalue\n");
	CHECK(d.result.ncells == 2 && d.result.cells[0] == 4 && d.result.cells[1] == 99);
	table_result(2, 1);
	expect_raw("RESULT: field 'ncells' at offset 32: 1 cells, the tables' rows and columns make 2");
	table_result(1, 2); /* version 1: the table is bytes after the last field */
	CHECK(ffpf_msg_decode(r.b, r.n, &d, pb->scratch, sizeof pb->scratch, err, sizeof err) == -EPROTO);
	CHECK(strstr(err, "bytes after the last field") != NULL);
}

static void test_negotiate(void)
{
	CHECK(ffpf_proto_negotiate(1, 1, err, sizeof err) == 1);
	CHECK(ffpf_proto_negotiate(1, 5, err, sizeof err) == 2);
	CHECK(ffpf_proto_negotiate(2, 3, err, sizeof err) == 2);
	CHECK(ffpf_proto_negotiate(3, 4, err, sizeof err) == -EPROTONOSUPPORT);
	CHECK_STR(err, "no common protocol version: the application speaks 3..4, this daemon 1..2");
	CHECK(ffpf_proto_negotiate(3, 2, err, sizeof err) == -EPROTONOSUPPORT);
	CHECK_STR(err, "HELLO: max_version 2 is below the version it was sent in (3)");
}

/* ---- transport ---- */

static int sp[2];           /* sp[0]: the app's end, sp[1]: the daemon's */
static struct ffpf_conn dc; /* the daemon's state for sp[1] */

static void pair(void)
{
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == 0);
	ffpf_conn_init(&dc, pb, FFPF_PROTO_DAEMON);
}

static void unpair(void)
{
	close(sp[0]);
	close(sp[1]);
}

static unsigned open_fds(void)
{
	unsigned n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* The number the next fd will get. */
static int next_fd(void)
{
	int fd = dup(0);
	close(fd);
	return fd;
}

static int same_file(int a, int b)
{
	struct stat x, y;
	return !fstat(a, &x) && !fstat(b, &y) && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* Send the raw datagram r with fds[nfds] attached, as a misbehaving peer would. */
static void raw_send(int fd, const int *fds, unsigned nfds)
{
	char why[128];
	CHECK(ffpf_proto_send_raw(fd, r.b, r.n, fds, nfds, why, sizeof why) == 0);
}

static void test_fds_across(void)
{
	struct ffpf_conn ac;
	struct ffpf_msg m = sample(FFPF_MSG_POPULATED), d;
	int mfd = memfd_create("mbuf-arena", MFD_CLOEXEC), efd = eventfd(0, EFD_CLOEXEC), got[4];
	unsigned n = 9;
	uint64_t one = 1, v = 0;
	char buf[6] = "";

	pair();
	ffpf_conn_init(&ac, pb, FFPF_PROTO_APP);
	CHECK(mfd >= 0 && efd >= 0);
	CHECK(write(mfd, "arena", 5) == 5);
	CHECK(ffpf_proto_send(sp[1], &m, &mfd, 1, err, sizeof err) == 0);
	CHECK(ffpf_proto_recv(sp[0], &ac, &d, got, 4, &n, 1000, err, sizeof err) == 0);
	CHECK(same_msg(&m, &d));
	CHECK_EQ_U(n, 1);
	CHECK_EQ_U(ac.rx_seq, m.seq);
	if (n == 1) {
		CHECK(got[0] != mfd && same_file(got[0], mfd));
		CHECK(pread(got[0], buf, 5, 0) == 5);
		CHECK_STR(buf, "arena");
		CHECK(fcntl(got[0], F_GETFD) == FD_CLOEXEC);
		close(got[0]);
	}

	m = sample(FFPF_MSG_EXPORTING);
	int two[2] = { mfd, efd };
	CHECK(ffpf_proto_send(sp[1], &m, two, 2, err, sizeof err) == 0);
	CHECK(ffpf_proto_recv(sp[0], &ac, &d, got, 4, &n, 1000, err, sizeof err) == 0);
	CHECK(same_msg(&m, &d));
	CHECK_EQ_U(n, 2);
	if (n == 2) {
		CHECK(same_file(got[0], mfd) && same_file(got[1], efd)); /* in the message's order */
		CHECK(write(got[1], &one, 8) == 8);
		CHECK(read(efd, &v, 8) == 8 && v == 1);
		close(got[0]);
		close(got[1]);
	}

	/* the sender checks the count against the type */
	CHECK(ffpf_proto_send(sp[1], &m, &mfd, 1, err, sizeof err) == -EINVAL);
	CHECK_STR(err, "EXPORTING carries 2 fds, 1 given");
	m = sample(FFPF_MSG_WELCOME);
	CHECK(ffpf_proto_send(sp[1], &m, &mfd, 1, err, sizeof err) == -EINVAL);
	CHECK_STR(err, "WELCOME carries no fds, 1 given");
	close(mfd);
	close(efd);
	unpair();
}

/* recv on the daemon's end must fail with want, return no fd, and leave none open. */
static void expect_recv(const char *want, unsigned maxfds)
{
	struct ffpf_msg m;
	int got[16] = { -1 }, nextfd = next_fd();
	unsigned before = open_fds(), n = 7;
	CHECK(ffpf_proto_recv(sp[1], &dc, &m, got, maxfds, &n, 1000, err, sizeof err) == -EPROTO);
	CHECK_STR(err, want);
	CHECK_EQ_U(n, 0);
	CHECK_EQ_U(open_fds(), before);
	CHECK(fcntl(nextfd, F_GETFD) == -1 && errno == EBADF);
}

static void test_fd_rejects(void)
{
	int fds[10], mfd = memfd_create("x", MFD_CLOEXEC);
	for (int i = 0; i < 10; i++)
		fds[i] = mfd;
	pair();

	raw_hdr(&r, FFPF_PROTO_MAGIC, 1, FFPF_MSG_HELLO, 1);
	raw_le(&r, 1, 4);
	raw_str(&r, "app");
	raw_end(&r);
	raw_send(sp[0], &mfd, 1);
	expect_recv("HELLO carries no fds, got 1 (closed)", 4);
	CHECK_EQ_U(dc.rx_seq, 0); /* a rejected message changes nothing */

	raw_send(sp[0], fds, 3);
	expect_recv("HELLO carries no fds, got 3 (closed)", 4);
	raw_send(sp[0], fds, 10);
	expect_recv("more than 8 fds came with one message (closed)", 4);

	/* a malformed message with fds: the fds are closed too */
	r.b[0] ^= 1;
	raw_send(sp[0], fds, 2);
	expect_recv("bad magic 0x46465045, expected 0x46465044 (\"FFPD\")", 4);
	unpair();

	/* at the app's end: too few, and more than the caller has room for */
	struct ffpf_conn ac;
	pair();
	ffpf_conn_init(&dc, pb, FFPF_PROTO_APP);
	struct ffpf_msg m = sample(FFPF_MSG_POPULATED);
	size_t len;
	CHECK(ffpf_msg_encode(&m, r.b, sizeof r.b, &len, err, sizeof err) == 0);
	r.n = len;
	raw_send(sp[0], NULL, 0);
	expect_recv("POPULATED carries 1 fd, got 0 (closed)", 4);
	m = sample(FFPF_MSG_EXPORTING);
	CHECK(ffpf_msg_encode(&m, r.b, sizeof r.b, &len, err, sizeof err) == 0);
	r.n = len;
	raw_send(sp[0], fds, 2);
	expect_recv("EXPORTING carries 2 fds, the caller has room for 1 (closed)", 1);
	(void)ac;
	unpair();
	close(mfd);
}

static void test_conn_rejects(void)
{
	struct ffpf_msg m = sample(FFPF_MSG_STATUS), d;
	unsigned n;

	pair();
	m.seq = 7;
	CHECK(ffpf_proto_send(sp[0], &m, NULL, 0, err, sizeof err) == 0);
	CHECK(ffpf_proto_recv(sp[1], &dc, &d, NULL, 0, &n, 1000, err, sizeof err) == 0);
	m.seq = 5;
	CHECK(ffpf_proto_send(sp[0], &m, NULL, 0, err, sizeof err) == 0);
	expect_recv("STATUS: out of order: got seq 5 after 7", 0);
	m.seq = 7;
	CHECK(ffpf_proto_send(sp[0], &m, NULL, 0, err, sizeof err) == 0);
	expect_recv("STATUS: out of order: got seq 7 after 7", 0);
	m.seq = 8; /* the connection goes on after a rejection */
	CHECK(ffpf_proto_send(sp[0], &m, NULL, 0, err, sizeof err) == 0);
	CHECK(ffpf_proto_recv(sp[1], &dc, &d, NULL, 0, &n, 1000, err, sizeof err) == 0 && d.seq == 8);

	/* a message the daemon sends, arriving at the daemon */
	m = sample(FFPF_MSG_WELCOME);
	CHECK(ffpf_proto_send(sp[0], &m, NULL, 0, err, sizeof err) == 0);
	expect_recv("unexpected WELCOME: the daemon sends it, and this end is the daemon", 0);
	m = sample(FFPF_MSG_BYE); /* BYE goes both ways */
	CHECK(ffpf_proto_send(sp[0], &m, NULL, 0, err, sizeof err) == 0);
	CHECK(ffpf_proto_recv(sp[1], &dc, &d, NULL, 0, &n, 1000, err, sizeof err) == 0);
	unpair();
}

static volatile sig_atomic_t pipes;

static void on_pipe(int sig)
{
	pipes++;
}

static void test_oversize_eof(void)
{
	struct ffpf_msg m;
	unsigned n;
	int big = 1 << 20;

	pair();
	CHECK(setsockopt(sp[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof big) == 0);
	raw_hdr(&r, FFPF_PROTO_MAGIC, 1, FFPF_MSG_STATUS_TEXT, 1);
	raw_le(&r, 70000 - 20, 4);
	memset(r.b + r.n, 'x', 70000 - 20);
	r.n = 70000;
	raw_end(&r);
	raw_send(sp[0], NULL, 0);
	expect_recv("oversize datagram: 70000 bytes, the limit is 65552 (16-byte header + 65536 payload)",
		    0);

	/* a zero-length datagram from a live peer is not EOF */
	r.n = 0;
	raw_send(sp[0], NULL, 0);
	expect_recv("short datagram: 0 bytes, the header alone is 16", 0);

	m = sample(FFPF_MSG_BYE);
	CHECK(ffpf_proto_send(sp[0], &m, NULL, 0, err, sizeof err) == 0);
	close(sp[0]);
	/* queued messages are still read after the peer closed; then EOF */
	CHECK(ffpf_proto_recv(sp[1], &dc, &m, NULL, 0, &n, 1000, err, sizeof err) == 0);
	CHECK(m.type == FFPF_MSG_BYE);
	CHECK(ffpf_proto_recv(sp[1], &dc, &m, NULL, 0, &n, 1000, err, sizeof err) == -EPIPE);
	CHECK_STR(err, "the peer has gone (connection closed)");
	CHECK(errno == EPIPE);
	/* sending to a peer that has gone: -EPIPE, and no SIGPIPE */
	signal(SIGPIPE, on_pipe);
	m = sample(FFPF_MSG_STATUS_TEXT);
	CHECK(ffpf_proto_send(sp[1], &m, NULL, 0, err, sizeof err) == -EPIPE);
	CHECK(strncmp(err, "the peer has gone", 17) == 0);
	CHECK_EQ_U(pipes, 0);
	signal(SIGPIPE, SIG_DFL);
	close(sp[1]);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	alarms++;
}

static int64_t ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_timeout_eintr(void)
{
	struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART: poll gets EINTR */
	struct itimerval it = { .it_interval = { 0, 30000 }, .it_value = { 0, 30000 } };
	struct ffpf_msg m;
	unsigned n;
	int64_t t0;

	pair();
	t0 = ms_now();
	CHECK(ffpf_proto_recv(sp[1], &dc, &m, NULL, 0, &n, 0, err, sizeof err) == -ETIMEDOUT);
	CHECK_STR(err, "no message within 0 ms");
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	t0 = ms_now();
	CHECK(ffpf_proto_recv(sp[1], &dc, &m, NULL, 0, &n, 200, err, sizeof err) == -ETIMEDOUT);
	CHECK(ms_now() - t0 >= 200);
	CHECK(ms_now() - t0 < 2000);
	CHECK(alarms >= 3); /* interrupted several times, waited the whole time anyway */
	CHECK_STR(err, "no message within 200 ms");
	/* a message that comes while signals keep interrupting is still received */
	m = sample(FFPF_MSG_STATUS);
	CHECK(ffpf_proto_send(sp[0], &m, NULL, 0, err, sizeof err) == 0);
	CHECK(ffpf_proto_recv(sp[1], &dc, &m, NULL, 0, &n, 200, err, sizeof err) == 0);
	it = (struct itimerval){ 0 };
	setitimer(ITIMER_REAL, &it, NULL);
	signal(SIGALRM, SIG_DFL);
	unpair();
}

/* HELLO → WELCOME over a listening socket, as the daemon and an app will do it. */
static void test_sockets(void)
{
	char dir[] = "/tmp/ffpf-proto-XXXXXX", path[128], lng[200];
	struct ffpf_conn ac;
	struct ffpf_msg m, d;
	int lfd, afd, cfd, v;
	unsigned n;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/ffpfd.sock", dir);
	CHECK(ffpf_proto_connect(path, err, sizeof err) == -ENOENT);
	lfd = ffpf_proto_listen(path, err, sizeof err);
	CHECK(lfd >= 0 && fcntl(lfd, F_GETFD) == FD_CLOEXEC);
	CHECK(ffpf_proto_listen(path, err, sizeof err) == -EADDRINUSE);
	memset(lng, 'a', sizeof lng - 1);
	lng[sizeof lng - 1] = '\0';
	CHECK(ffpf_proto_connect(lng, err, sizeof err) == -ENAMETOOLONG);
	CHECK(strstr(err, "199 bytes, must be 1..107") != NULL);

	cfd = ffpf_proto_connect(path, err, sizeof err);
	afd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	CHECK(cfd >= 0 && afd >= 0);
	ffpf_conn_init(&ac, pb, FFPF_PROTO_APP);
	ffpf_conn_init(&dc, pb, FFPF_PROTO_DAEMON);
	m = (struct ffpf_msg){ .type = FFPF_MSG_HELLO, .version = FFPF_PROTO_VERSION_MIN,
			       .seq = ffpf_conn_next_seq(&ac), .hello = { FFPF_PROTO_VERSION, "test" } };
	CHECK(ffpf_proto_send(cfd, &m, NULL, 0, err, sizeof err) == 0);
	CHECK(ffpf_proto_recv(afd, &dc, &d, NULL, 0, &n, 1000, err, sizeof err) == 0);
	CHECK(d.type == FFPF_MSG_HELLO);
	v = ffpf_proto_negotiate(d.version, d.hello.max_version, err, sizeof err);
	CHECK(v == FFPF_PROTO_VERSION);
	dc.version = (uint16_t)v;
	m = (struct ffpf_msg){ .type = FFPF_MSG_WELCOME, .version = (uint16_t)v,
			       .seq = ffpf_conn_next_seq(&dc), .welcome = { (uint32_t)v, 1, 0, "all" } };
	CHECK(ffpf_proto_send(afd, &m, NULL, 0, err, sizeof err) == 0);
	CHECK(ffpf_proto_recv(cfd, &ac, &d, NULL, 0, &n, 1000, err, sizeof err) == 0);
	CHECK(d.type == FFPF_MSG_WELCOME && d.welcome.version == FFPF_PROTO_VERSION && d.seq == 1);
	CHECK_STR(d.welcome.group_name, "all");
	close(cfd);
	close(afd);
	close(lfd);
	unlink(path);
	rmdir(dir);
}

/* The fuzzer's seeds are valid messages, one or more of each type. */
static void test_seeds(void)
{
	const char *data = getenv("FFPF_TEST_DATA");
	char dir[512], path[1024];
	unsigned seen[FFPF_MSG_MAX_TYPE + 1] = { 0 }, files = 0;
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof dir, "%s/../../fuzz/corpus/proto", data ? data : "tests/data");
	if (!(d = opendir(dir))) {
		fprintf(stderr, "test_proto: no seed directory %s\n", dir);
		CHECK(0);
		return;
	}
	while ((e = readdir(d))) {
		struct ffpf_msg m;
		FILE *f;
		size_t len;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (!(f = fopen(path, "rb")))
			continue;
		len = fread(wire, 1, sizeof wire, f);
		fclose(f);
		files++;
		if (ffpf_msg_decode(wire, len, &m, pb->scratch, sizeof pb->scratch, err, sizeof err)) {
			fprintf(stderr, "seed %s: %s\n", e->d_name, err);
			CHECK(0);
			continue;
		}
		seen[m.type]++;
	}
	closedir(d);
	for (unsigned t = 1; t <= FFPF_MSG_MAX_TYPE; t++)
		CHECK(seen[t] > 0);
	CHECK(files >= FFPF_MSG_MAX_TYPE);
}

int main(void)
{
	pb = malloc(sizeof *pb);
	if (!pb)
		return 1;
	test_round_trip();
	test_inputs_flags();
	test_limits();
	test_header_rejects();
	test_field_rejects();
	test_encode_rejects();
	test_tables();
	test_negotiate();
	test_fds_across();
	test_fd_rejects();
	test_conn_rejects();
	test_oversize_eof();
	test_timeout_eintr();
	test_sockets();
	test_seeds();
	free(pb);
	return tl_done("test_proto");
}
