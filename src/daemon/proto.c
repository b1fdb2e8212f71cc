/* proto.c — the ffpfd control protocol: one codec per message, run by a cursor that either
 * writes the fields or reads and checks them, so encoder and decoder cannot disagree.
 *
 * Roadmap: the cursor (cur_*, co_* for the field types), the messages (co_hello … and the
 * table defs[]), framing (header checks, ffpf_msg_encode/decode), then transport (sendmsg and
 * recvmsg with SCM_RIGHTS, poll, the connection rules) and the sockets. */
#include "daemon/proto.h"
#include <ffpf/class.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Fewest wire bytes of one array element (all strings empty): a count is checked against them
 * before anything is allocated. */
#define FN_WIRE_MIN    (4 + 4 + 4 + 4 + 4 + 8 + 8 + 4)
#define DROP_WIRE_MIN  (4 + 8)
#define VALUE_WIRE_MIN (4 + 1 + 4)
#define TABLE_WIRE_MIN (4 + 4 + 4 + 4 + 4)
#define CELL_WIRE_MIN  8
/* Control buffer room: more than any message carries, so that "too many" can be counted. */
#define FD_ROOM 8

/* FFPF_PROTO_SCRATCH = 3 bytes per payload byte is enough: an element's decoded struct plus
 * the NULs of its strings fit in 3x its fewest wire bytes (its strings' bytes map 1:1), a
 * top-level string needs len+1 <= 3*(4+len), and an array's alignment padding fits in 3x its
 * 4-byte count. */
_Static_assert(sizeof(struct ffpf_proto_fn) + 4 <= 3 * FN_WIRE_MIN, "fn scratch bound");
_Static_assert(sizeof(struct ffpf_proto_drop) + 1 <= 3 * DROP_WIRE_MIN, "drop scratch bound");
_Static_assert(sizeof(struct ffpf_proto_value) + 2 <= 3 * VALUE_WIRE_MIN, "value scratch bound");
_Static_assert(_Alignof(struct ffpf_proto_fn) <= 12 && _Alignof(struct ffpf_proto_value) <= 12,
	       "array padding bound");
_Static_assert((int)FFPF_PROTO_V_U64 == (int)FFPF_V_U64 && (int)FFPF_PROTO_V_STR == (int)FFPF_V_STR,
	       "value types");
_Static_assert(FFPF_PROTO_MAX_FDS < FD_ROOM, "fd room");

__attribute__((format(printf, 3, 4)))
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int ret(int rc)
{
	if (rc < 0)
		errno = -rc;
	return rc;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* ---- the cursor ------------------------------------------------------------------------- */

struct cur {
	int enc;               /* 1: write the message's fields; 0: read them into the message */
	uint8_t *w;            /* encoding: payload being written */
	const uint8_t *r;      /* decoding: payload being read */
	size_t len, off;       /* room (encoding) or payload length (decoding); position */
	uint8_t *scratch;      /* decoding: where strings and arrays go */
	size_t scap, sused;
	const char *msg;       /* message name, for errors */
	const char *arr;       /* array being coded (NULL: none) and the element's index */
	uint32_t idx;
	int rc;                /* sticky: the first error */
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 5, 6)))
static void fail(struct cur *c, int rc, const char *field, size_t off, const char *fmt, ...)
{
	char name[96], what[160];
	va_list ap;
	if (c->rc)
		return;
	c->rc = rc;
	if (c->arr)
		snprintf(name, sizeof name, "%s[%" PRIu32 "].%s", c->arr, c->idx, field);
	else
		snprintf(name, sizeof name, "%s", field);
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	seterr(c->err, c->errlen, "%s: field '%s' at offset %zu: %s", c->msg, name, off, what);
}

/* n more bytes fit (encoding) or are there (decoding)? */
static int room(struct cur *c, const char *field, size_t n)
{
	size_t left = c->len - c->off;
	if (c->rc)
		return 0;
	if (n <= left)
		return 1;
	if (c->enc)
		fail(c, -EMSGSIZE, field, c->off, "%zu bytes needed, %zu left of %zu", n, left, c->len);
	else
		fail(c, -EPROTO, field, c->off, "%zu bytes needed, %zu left", n, left);
	return 0;
}

/* n bytes of scratch aligned to align, or NULL (never with FFPF_PROTO_SCRATCH: see above). */
static void *salloc(struct cur *c, const char *field, size_t n, size_t align)
{
	uintptr_t base = (uintptr_t)c->scratch;
	size_t at = (size_t)(((base + c->sused + align - 1) & ~(uintptr_t)(align - 1)) - base);
	if (at > c->scap || n > c->scap - at) {
		fail(c, -ENOBUFS, field, c->off, "decode buffer of %zu bytes exhausted", c->scap);
		return NULL;
	}
	c->sused = at + n;
	return c->scratch + at;
}

static void co_uint(struct cur *c, const char *field, uint64_t *v, unsigned size)
{
	if (!room(c, field, size))
		return;
	if (c->enc)
		put_le(c->w + c->off, *v, size);
	else
		*v = get_le(c->r + c->off, size);
	c->off += size;
}

static void co_u8(struct cur *c, const char *field, uint8_t *v)
{
	uint64_t x = *v;
	co_uint(c, field, &x, 1);
	*v = (uint8_t)x;
}

static void co_u32(struct cur *c, const char *field, uint32_t *v)
{
	uint64_t x = *v;
	co_uint(c, field, &x, 4);
	*v = (uint32_t)x;
}

static void co_u64(struct cur *c, const char *field, uint64_t *v)
{
	co_uint(c, field, v, 8);
}

static void enc_str(struct cur *c, const char *field, const char *s, uint32_t limit)
{
	size_t n = strlen(s ? s : "");
	uint64_t n64 = n;
	if (n > limit) {
		fail(c, -EINVAL, field, c->off, "%zu bytes, limit %" PRIu32, n, limit);
		return;
	}
	co_uint(c, field, &n64, 4);
	if (n && room(c, field, n))
		memcpy(c->w + c->off, s, n);
	c->off += c->rc ? 0 : n;
}

static void dec_str(struct cur *c, const char *field, const char **s, uint32_t limit)
{
	size_t at = c->off, left;
	uint64_t n = 0;
	const uint8_t *nul = NULL;
	char *d;
	*s = "";
	co_uint(c, field, &n, 4);
	left = c->len - c->off;
	if (!c->rc && n > limit)
		fail(c, -EPROTO, field, at, "%" PRIu64 " bytes announced, limit %" PRIu32, n, limit);
	else if (!c->rc && n > left)
		fail(c, -EPROTO, field, at, "%" PRIu64 " bytes announced, %zu left", n, left);
	else if (!c->rc && (nul = memchr(c->r + c->off, 0, n)))
		fail(c, -EPROTO, field, at, "NUL byte at position %zu of the string",
		     (size_t)(nul - (c->r + c->off)));
	if (c->rc || !(d = salloc(c, field, n + 1, 1)))
		return;
	memcpy(d, c->r + c->off, n);
	d[n] = '\0';
	*s = d;
	c->off += n;
}

static void co_str(struct cur *c, const char *field, const char **s, uint32_t limit)
{
	if (c->enc)
		enc_str(c, field, *s, limit);
	else
		dec_str(c, field, s, limit);
}

/* An array: what one element looks like. */
struct arr_type {
	const char *name;
	size_t size, align, min_wire;
	void (*co)(struct cur *c, void *el);
};

/* Code the u32 count and the elements of an array.  Encoding reads src[*n]; decoding checks
 * the count against the bytes left, then fills an array in scratch.  Returns the array. */
static const void *co_array(struct cur *c, const char *count, uint32_t *n, const void *src,
			    const struct arr_type *t)
{
	_Alignas(16) unsigned char el[64];
	size_t at = c->off;
	uint8_t *out = NULL;
	if (c->enc && *n && !src)
		fail(c, -EINVAL, count, at, "%" PRIu32 " entries but no array", *n);
	co_u32(c, count, n);
	if (!c->enc && !c->rc && (uint64_t)*n * t->min_wire > c->len - c->off)
		fail(c, -EPROTO, count, at, "%" PRIu32 " entries announced, each at least %zu bytes, %zu left",
		     *n, t->min_wire, c->len - c->off);
	if (!c->enc && !c->rc)
		out = salloc(c, count, (size_t)*n * t->size, t->align);
	for (uint32_t i = 0; i < *n && !c->rc; i++) {
		memset(el, 0, sizeof el);
		if (c->enc)
			memcpy(el, (const uint8_t *)src + (size_t)i * t->size, t->size);
		c->arr = t->name;
		c->idx = i;
		t->co(c, el);
		c->arr = NULL;
		if (!c->enc)
			memcpy(out + (size_t)i * t->size, el, t->size);
	}
	return c->enc ? src : out;
}

/* ---- the messages ----------------------------------------------------------------------- */

static void co_fn(struct cur *c, void *el)
{
	struct ffpf_proto_fn *f = el;
	co_u32(c, "fn_id", &f->fn_id);
	co_str(c, "name", &f->name, FFPF_PROTO_MAX_STR);
	co_str(c, "cls", &f->cls, FFPF_PROTO_MAX_STR);
	co_str(c, "params", &f->params, FFPF_PROTO_MAX_STR);
	co_u32(c, "flags", &f->flags);
	co_u64(c, "mbuf_off", &f->mbuf_off);
	co_u64(c, "mbuf_size", &f->mbuf_size);
	co_str(c, "inputs", &f->inputs, FFPF_PROTO_MAX_STR);
}

static void co_drop(struct cur *c, void *el)
{
	struct ffpf_proto_drop *d = el;
	co_str(c, "reason", &d->reason, FFPF_PROTO_MAX_STR);
	co_u64(c, "n", &d->n);
}

static void co_value(struct cur *c, void *el)
{
	struct ffpf_proto_value *v = el;
	size_t at;
	co_str(c, "name", &v->name, FFPF_PROTO_MAX_STR);
	at = c->off;
	co_u8(c, "type", &v->type);
	if (c->rc)
		return;
	if (v->type == FFPF_PROTO_V_U64)
		co_u64(c, "u64", &v->u64);
	else if (v->type == FFPF_PROTO_V_STR)
		co_str(c, "str", &v->str, FFPF_PROTO_MAX_STR);
	else
		fail(c, c->enc ? -EINVAL : -EPROTO, "type", at, "%u is not a value type (0 u64, 1 str)",
		     v->type);
}

static void co_table(struct cur *c, void *el)
{
	struct ffpf_proto_table *t = el;
	co_str(c, "name", &t->name, FFPF_PROTO_MAX_STR);
	co_u32(c, "ncols", &t->ncols);
	co_u32(c, "nrows", &t->nrows);
	co_str(c, "cols", &t->cols, FFPF_PROTO_MAX_STR);
	co_u32(c, "flags", &t->flags);
}

static void co_cell(struct cur *c, void *el)
{
	co_u64(c, "cell", el);
}

static const struct arr_type fn_type = { "fns", sizeof(struct ffpf_proto_fn),
	_Alignof(struct ffpf_proto_fn), FN_WIRE_MIN, co_fn };
static const struct arr_type drop_type = { "drops", sizeof(struct ffpf_proto_drop),
	_Alignof(struct ffpf_proto_drop), DROP_WIRE_MIN, co_drop };
static const struct arr_type value_type = { "values", sizeof(struct ffpf_proto_value),
	_Alignof(struct ffpf_proto_value), VALUE_WIRE_MIN, co_value };
static const struct arr_type table_type = { "tables", sizeof(struct ffpf_proto_table),
	_Alignof(struct ffpf_proto_table), TABLE_WIRE_MIN, co_table };
static const struct arr_type cell_type = { "cells", sizeof(uint64_t), _Alignof(uint64_t),
	CELL_WIRE_MIN, co_cell };
_Static_assert(sizeof(struct ffpf_proto_fn) <= 64 && sizeof(struct ffpf_proto_value) <= 64 &&
	       sizeof(struct ffpf_proto_table) <= 64,
	       "co_array's element buffer");

static void co_none(struct cur *c, struct ffpf_msg *m)
{
}

static void co_hello(struct cur *c, struct ffpf_msg *m)
{
	co_u32(c, "max_version", &m->hello.max_version);
	co_str(c, "app_name", &m->hello.app_name, FFPF_PROTO_MAX_STR);
}

static void co_welcome(struct cur *c, struct ffpf_msg *m)
{
	co_u32(c, "version", &m->welcome.version);
	co_u32(c, "app_id", &m->welcome.app_id);
	co_u32(c, "group_id", &m->welcome.group_id);
	co_str(c, "group_name", &m->welcome.group_name, FFPF_PROTO_MAX_STR);
}

static void co_populate(struct cur *c, struct ffpf_msg *m)
{
	co_str(c, "request", &m->populate.request, FFPF_PROTO_MAX_STR);
	co_str(c, "origin", &m->populate.origin, FFPF_PROTO_MAX_STR);
}

static void co_populated(struct cur *c, struct ffpf_msg *m)
{
	struct ffpf_msg_populated *p = &m->populated;
	p->fns = co_array(c, "n", &p->n, p->fns, &fn_type);
	co_u64(c, "arena_size", &p->arena_size);
}

static void co_error(struct cur *c, struct ffpf_msg *m)
{
	co_u32(c, "err", &m->error.err);
	co_str(c, "message", &m->error.message, FFPF_PROTO_MAX_STR);
}

static void co_fn_id(struct cur *c, struct ffpf_msg *m)
{
	co_u32(c, "fn_id", &m->results.fn_id); /* results and export share the layout */
}

/* The tables' shapes against their cells and column names (either side: an encoder is told
 * what it got wrong, a decoder refuses the message). */
static void check_tables(struct cur *c, const struct ffpf_msg_result *r, size_t at)
{
	uint64_t cells = 0;
	for (uint32_t i = 0; i < r->ntables && !c->rc; i++) {
		const struct ffpf_proto_table *t = &r->tables[i];
		uint32_t names = 0;
		for (const char *p = t->cols ? t->cols : ""; *p; p++)
			names += *p == '\n';
		if (t->ncols < 1 || t->ncols > FFPF_PROTO_MAX_COLS)
			fail(c, c->enc ? -EINVAL : -EPROTO, "ncols", at, "table %" PRIu32 ": %" PRIu32
			     " columns (1 to %u)", i, t->ncols, FFPF_PROTO_MAX_COLS);
		else if (names != t->ncols)
			fail(c, c->enc ? -EINVAL : -EPROTO, "cols", at, "table %" PRIu32 ": %" PRIu32
			     " column names for %" PRIu32 " columns", i, names, t->ncols);
		cells += (uint64_t)t->ncols * t->nrows;
	}
	if (!c->rc && cells != r->ncells)
		fail(c, c->enc ? -EINVAL : -EPROTO, "ncells", at, "%" PRIu32 " cells, the tables' rows "
		     "and columns make %" PRIu64, r->ncells, cells);
}

static void co_result(struct cur *c, struct ffpf_msg *m)
{
	struct ffpf_msg_result *r = &m->result;
	co_u32(c, "fn_id", &r->fn_id);
	co_u64(c, "in", &r->in);
	co_u64(c, "passed", &r->passed);
	co_u32(c, "flags", &r->flags);
	r->drops = co_array(c, "ndrops", &r->ndrops, r->drops, &drop_type);
	r->values = co_array(c, "nvalues", &r->nvalues, r->values, &value_type);
	if ((m->version ? m->version : FFPF_PROTO_VERSION) < 2) {
		r->ntables = r->ncells = 0; /* version 1 has no tables */
		return;
	}
	size_t at = c->off;
	r->tables = co_array(c, "ntables", &r->ntables, r->tables, &table_type);
	r->cells = co_array(c, "ncells", &r->ncells, r->cells, &cell_type);
	check_tables(c, r, at);
}

static void co_exporting(struct cur *c, struct ffpf_msg *m)
{
	co_u32(c, "fn_id", &m->exporting.fn_id);
	co_u32(c, "ring_slots", &m->exporting.ring_slots);
	co_u32(c, "slot_size", &m->exporting.slot_size);
	co_u64(c, "ring_bytes", &m->exporting.ring_bytes);
}

static void co_status_text(struct cur *c, struct ffpf_msg *m)
{
	co_str(c, "text", &m->status_text.text, FFPF_PROTO_MAX_TEXT);
}

struct msgdef {
	const char *name;
	uint8_t from, nfds;
};

static const struct msgdef defs[FFPF_MSG_MAX_TYPE + 1] = {
#define DEF(sym, num, from_, nfds_) [num] = { #sym, FFPF_PROTO_##from_, nfds_ },
	FFPF_FOREACH_MSG(DEF)
#undef DEF
};

static void (*const codecs[FFPF_MSG_MAX_TYPE + 1])(struct cur *c, struct ffpf_msg *m) = {
	[FFPF_MSG_HELLO] = co_hello,         [FFPF_MSG_WELCOME] = co_welcome,
	[FFPF_MSG_POPULATE] = co_populate,   [FFPF_MSG_POPULATED] = co_populated,
	[FFPF_MSG_ERROR] = co_error,         [FFPF_MSG_RESULTS] = co_fn_id,
	[FFPF_MSG_RESULT] = co_result,       [FFPF_MSG_EXPORT] = co_fn_id,
	[FFPF_MSG_EXPORTING] = co_exporting, [FFPF_MSG_STATUS] = co_none,
	[FFPF_MSG_STATUS_TEXT] = co_status_text, [FFPF_MSG_BYE] = co_none,
};

static int known(unsigned type)
{
	return type >= 1 && type <= FFPF_MSG_MAX_TYPE && defs[type].name;
}

const char *ffpf_msg_name(unsigned type)
{
	return known(type) ? defs[type].name : "?";
}

unsigned ffpf_msg_nfds(unsigned type)
{
	return known(type) ? defs[type].nfds : 0;
}

enum ffpf_proto_role ffpf_msg_sender(unsigned type)
{
	return known(type) ? (enum ffpf_proto_role)defs[type].from : FFPF_PROTO_ANY;
}

/* HELLO and ERROR keep their layout in every version (a refusal must always be readable). */
static int frozen(unsigned type)
{
	return type == FFPF_MSG_HELLO || type == FFPF_MSG_ERROR;
}

/* ---- framing ---------------------------------------------------------------------------- */

static void fds_phrase(char *s, size_t n, unsigned k)
{
	if (k == 0)
		snprintf(s, n, "no fds");
	else
		snprintf(s, n, "%u fd%s", k, k == 1 ? "" : "s");
}

int ffpf_msg_encode(const struct ffpf_msg *m, uint8_t *buf, size_t cap, size_t *len, char *err,
		    size_t errlen)
{
	struct ffpf_msg t = *m; /* the codec's pointer is not const; encoding never writes */
	unsigned version = m->version ? m->version : FFPF_PROTO_VERSION;
	struct cur c = { .enc = 1, .w = buf + FFPF_PROTO_HDR_SIZE, .err = err, .errlen = errlen };

	if (!known(m->type))
		return seterr(err, errlen, "cannot encode unknown message type %u", m->type), ret(-EINVAL);
	if (!m->seq)
		return seterr(err, errlen, "%s: seq 0: sequence numbers start at 1", defs[m->type].name),
		       ret(-EINVAL);
	if (cap < FFPF_PROTO_HDR_SIZE)
		return seterr(err, errlen, "buffer of %zu bytes cannot hold a header", cap), ret(-EMSGSIZE);
	c.msg = defs[m->type].name;
	c.len = cap - FFPF_PROTO_HDR_SIZE < FFPF_PROTO_MAX_PAYLOAD ? cap - FFPF_PROTO_HDR_SIZE
								    : FFPF_PROTO_MAX_PAYLOAD;
	codecs[m->type](&c, &t);
	if (c.rc)
		return ret(c.rc);
	put_le(buf, FFPF_PROTO_MAGIC, 4);
	put_le(buf + 4, version, 2);
	put_le(buf + 6, m->type, 2);
	put_le(buf + 8, c.off, 4);
	put_le(buf + 12, m->seq, 4);
	*len = FFPF_PROTO_HDR_SIZE + c.off;
	return 0;
}

/* The header of buf[len]: fills m's type, version and seq, or says what is wrong. */
static int check_header(const uint8_t *buf, size_t len, struct ffpf_msg *m, char *err, size_t errlen)
{
	uint32_t magic, plen;
	if (len < FFPF_PROTO_HDR_SIZE)
		return seterr(err, errlen, "short datagram: %zu bytes, the header alone is %u", len,
			      FFPF_PROTO_HDR_SIZE), -EPROTO;
	if (len > FFPF_PROTO_MAX_MSG)
		return seterr(err, errlen, "message of %zu bytes, over the limit of %u (%u-byte header + "
			      "%u payload)", len, FFPF_PROTO_MAX_MSG, FFPF_PROTO_HDR_SIZE,
			      FFPF_PROTO_MAX_PAYLOAD), -EPROTO;
	magic = (uint32_t)get_le(buf, 4);
	m->version = (uint16_t)get_le(buf + 4, 2);
	m->type = (uint16_t)get_le(buf + 6, 2);
	plen = (uint32_t)get_le(buf + 8, 4);
	m->seq = (uint32_t)get_le(buf + 12, 4);
	if (magic != FFPF_PROTO_MAGIC)
		return seterr(err, errlen, "bad magic 0x%08" PRIx32 ", expected 0x%08x (\"FFPD\")", magic,
			      FFPF_PROTO_MAGIC), -EPROTO;
	if (!m->version || (!(frozen(m->type) || (m->version >= FFPF_PROTO_VERSION_MIN &&
						   m->version <= FFPF_PROTO_VERSION))))
		return seterr(err, errlen, "unsupported protocol version %u (this side speaks %u..%u)",
			      m->version, FFPF_PROTO_VERSION_MIN, FFPF_PROTO_VERSION), -EPROTO;
	if (!known(m->type))
		return seterr(err, errlen, "unknown message type %u (known: 1..%u)", m->type,
			      FFPF_MSG_MAX_TYPE), -EPROTO;
	if (plen != len - FFPF_PROTO_HDR_SIZE)
		return seterr(err, errlen, "%s: length field says %" PRIu32 " payload bytes, %zu came",
			      defs[m->type].name, plen, len - FFPF_PROTO_HDR_SIZE), -EPROTO;
	if (!m->seq)
		return seterr(err, errlen, "%s: seq 0: sequence numbers start at 1", defs[m->type].name),
		       -EPROTO;
	return 0;
}

int ffpf_msg_decode(const uint8_t *buf, size_t len, struct ffpf_msg *m, void *scratch,
		    size_t scap, char *err, size_t errlen)
{
	struct cur c = { .r = buf + FFPF_PROTO_HDR_SIZE, .scratch = scratch, .scap = scap,
			 .err = err, .errlen = errlen };
	int rc;

	memset(m, 0, sizeof *m);
	if ((rc = check_header(buf, len, m, err, errlen)))
		return ret(rc);
	c.msg = defs[m->type].name;
	c.len = len - FFPF_PROTO_HDR_SIZE;
	codecs[m->type](&c, m);
	if (!c.rc && c.off != c.len)
		seterr(err, errlen, "%s: %zu bytes after the last field (payload %zu bytes, fields end "
		       "at offset %zu)", c.msg, c.len - c.off, c.len, c.off), c.rc = -EPROTO;
	return ret(c.rc);
}

int ffpf_proto_negotiate(uint32_t app_min, uint32_t app_max, char *err, size_t errlen)
{
	uint32_t hi = app_max < FFPF_PROTO_VERSION ? app_max : FFPF_PROTO_VERSION;
	uint32_t lo = app_min > FFPF_PROTO_VERSION_MIN ? app_min : FFPF_PROTO_VERSION_MIN;
	if (!app_min || app_max < app_min)
		return seterr(err, errlen, "HELLO: max_version %" PRIu32 " is below the version it was "
			      "sent in (%" PRIu32 ")", app_max, app_min), ret(-EPROTONOSUPPORT);
	if (hi < lo)
		return seterr(err, errlen, "no common protocol version: the application speaks %" PRIu32
			      "..%" PRIu32 ", this daemon %u..%u", app_min, app_max,
			      FFPF_PROTO_VERSION_MIN, FFPF_PROTO_VERSION), ret(-EPROTONOSUPPORT);
	return (int)hi;
}

/* ---- transport -------------------------------------------------------------------------- */

void ffpf_conn_init(struct ffpf_conn *c, struct ffpf_proto_buf *buf, enum ffpf_proto_role role)
{
	memset(c, 0, sizeof *c);
	c->buf = buf;
	c->role = (uint8_t)role;
}

int ffpf_proto_send_raw(int fd, const uint8_t *p, size_t len, const int *fds, unsigned nfds,
			char *err, size_t errlen)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int) * FFPF_PROTO_RAW_MAX_FDS)];
	} ctl;
	struct iovec iov = { .iov_base = (void *)p, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (nfds > FFPF_PROTO_RAW_MAX_FDS)
		return seterr(err, errlen, "%u fds: at most %u", nfds, FFPF_PROTO_RAW_MAX_FDS), -EINVAL;
	if (nfds) {
		memset(&ctl, 0, sizeof ctl);
		mh.msg_control = ctl.b;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		ctl.h.cmsg_level = SOL_SOCKET;
		ctl.h.cmsg_type = SCM_RIGHTS;
		ctl.h.cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(&ctl.h), fds, sizeof(int) * nfds);
	}
	do
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return 0;
	if (errno == EPIPE || errno == ECONNRESET)
		return seterr(err, errlen, "the peer has gone (%s)", strerror(errno)), -EPIPE;
	if (errno == EAGAIN)
		return seterr(err, errlen, "the peer's queue is full (it does not read)"), -EAGAIN;
	return seterr(err, errlen, "sendmsg: %s", strerror(errno)), -errno;
}

int ffpf_proto_send(int fd, const struct ffpf_msg *m, const int *fds, unsigned nfds, char *err,
		    size_t errlen)
{
	static _Thread_local uint8_t tx[FFPF_PROTO_MAX_MSG];
	char want[16];
	size_t len;
	int rc = ffpf_msg_encode(m, tx, sizeof tx, &len, err, errlen);

	if (rc)
		return rc;
	if (nfds != defs[m->type].nfds) {
		fds_phrase(want, sizeof want, defs[m->type].nfds);
		return seterr(err, errlen, "%s carries %s, %u given", defs[m->type].name, want, nfds),
		       ret(-EINVAL);
	}
	return ret(ffpf_proto_send_raw(fd, tx, len, fds, nfds, err, errlen));
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is readable or deadline (ms, CLOCK_MONOTONIC; -1: never) passes. */
static int wait_readable(int fd, int64_t deadline, int timeout_ms, char *err, size_t errlen)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	for (;;) {
		int64_t left = deadline < 0 ? -1 : deadline - now_ms();
		int r = poll(&p, 1, deadline < 0 ? -1 : left < 0 ? 0 : (int)left);
		if (r > 0 && (p.revents & POLLNVAL))
			return seterr(err, errlen, "poll: fd %d is not open", fd), -EBADF;
		if (r > 0)
			return 0;
		if (r == 0)
			return seterr(err, errlen, "no message within %d ms", timeout_ms), -ETIMEDOUT;
		if (errno != EINTR)
			return seterr(err, errlen, "poll: %s", strerror(errno)), -errno;
	}
}

/* recvmsg returned 0: the peer's EOF, or a zero-length datagram from a live peer. */
static int peer_gone(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLRDHUP };
	return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLRDHUP));
}

/* Collect the fds of every SCM_RIGHTS message into got[FD_ROOM]. */
static unsigned take_fds(struct msghdr *mh, int *got)
{
	unsigned n = 0;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(mh); h; h = CMSG_NXTHDR(mh, h)) {
		size_t k;
		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		k = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k && n < FD_ROOM; i++)
			memcpy(&got[n++], CMSG_DATA(h) + i * sizeof(int), sizeof(int));
	}
	return n;
}

/* One datagram into p[cap] and its fds into got (which the caller closes on failure). */
static int recv_dgram(int fd, uint8_t *p, size_t cap, size_t *len, int *got, unsigned *ngot,
		      char *err, size_t errlen)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int) * FD_ROOM)];
	} ctl;
	struct iovec iov = { .iov_base = p, .iov_len = cap };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			     .msg_controllen = sizeof ctl.b };
	ssize_t n;

	do
		n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == ECONNRESET)
		return seterr(err, errlen, "the peer has gone (connection reset)"), -EPIPE;
	if (n < 0 && errno == EAGAIN)
		return -EAGAIN;
	if (n < 0)
		return seterr(err, errlen, "recvmsg: %s", strerror(errno)), -errno;
	*ngot = take_fds(&mh, got);
	if (n == 0 && !*ngot && peer_gone(fd))
		return seterr(err, errlen, "the peer has gone (connection closed)"), -EPIPE;
	if (mh.msg_flags & MSG_CTRUNC)
		return seterr(err, errlen, "more than %d fds came with one message (closed)", FD_ROOM),
		       -EPROTO;
	if ((size_t)n > cap)
		return seterr(err, errlen, "oversize datagram: %zd bytes, the limit is %zu (%u-byte "
			      "header + %u payload)", n, cap, FFPF_PROTO_HDR_SIZE,
			      FFPF_PROTO_MAX_PAYLOAD), -EPROTO;
	*len = (size_t)n;
	return 0;
}

static const char *role_name(unsigned role)
{
	return role == FFPF_PROTO_APP ? "the application" : "the daemon";
}

/* The connection's rules for a decoded message that came with ngot fds. */
static int check_conn(const struct ffpf_conn *c, const struct ffpf_msg *m, unsigned ngot,
		      unsigned maxfds, char *err, size_t errlen)
{
	const struct msgdef *d = &defs[m->type];
	char want[16];
	if (c->role != FFPF_PROTO_ANY && d->from == c->role)
		return seterr(err, errlen, "unexpected %s: %s sends it, and this end is %s", d->name,
			      role_name(d->from), role_name(c->role)), -EPROTO;
	if (c->version && !frozen(m->type) && m->version != c->version)
		return seterr(err, errlen, "%s: version %u message on a connection that agreed on "
			      "version %u", d->name, m->version, c->version), -EPROTO;
	if (m->seq <= c->rx_seq)
		return seterr(err, errlen, "%s: out of order: got seq %" PRIu32 " after %" PRIu32,
			      d->name, m->seq, c->rx_seq), -EPROTO;
	fds_phrase(want, sizeof want, d->nfds);
	if (ngot != d->nfds)
		return seterr(err, errlen, "%s carries %s, got %u (closed)", d->name, want, ngot),
		       -EPROTO;
	if (ngot > maxfds)
		return seterr(err, errlen, "%s carries %s, the caller has room for %u (closed)", d->name,
			      want, maxfds), -EPROTO;
	return 0;
}

static int recv_one(int fd, struct ffpf_conn *c, struct ffpf_msg *m, int *got, unsigned *ngot,
		    unsigned maxfds, int64_t deadline, int timeout_ms, char *err, size_t errlen)
{
	size_t len = 0;
	int rc;
	do {
		if ((rc = wait_readable(fd, deadline, timeout_ms, err, errlen)))
			return rc;
		rc = recv_dgram(fd, c->buf->wire, sizeof c->buf->wire, &len, got, ngot, err, errlen);
	} while (rc == -EAGAIN); /* another reader took it: wait again */
	if (!rc)
		rc = ffpf_msg_decode(c->buf->wire, len, m, c->buf->scratch, sizeof c->buf->scratch,
				     err, errlen);
	if (!rc)
		rc = check_conn(c, m, *ngot, maxfds, err, errlen);
	return rc;
}

int ffpf_proto_recv(int fd, struct ffpf_conn *c, struct ffpf_msg *m, int *fds, unsigned maxfds,
		    unsigned *nfds, int timeout_ms, char *err, size_t errlen)
{
	int got[FD_ROOM];
	unsigned ngot = 0;
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	int rc = recv_one(fd, c, m, got, &ngot, maxfds, deadline, timeout_ms, err, errlen);

	*nfds = 0;
	if (rc) {
		for (unsigned i = 0; i < ngot; i++)
			close(got[i]);
		return ret(rc);
	}
	c->rx_seq = m->seq;
	if (ngot)
		memcpy(fds, got, ngot * sizeof *fds);
	*nfds = ngot;
	return 0;
}

/* ---- sockets ---------------------------------------------------------------------------- */

static int unix_addr(struct sockaddr_un *a, const char *path, char *err, size_t errlen)
{
	size_t n = strlen(path);
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	if (!n || n >= sizeof a->sun_path)
		return seterr(err, errlen, "socket path \"%s\": %zu bytes, must be 1..%zu", path, n,
			      sizeof a->sun_path - 1), -ENAMETOOLONG;
	memcpy(a->sun_path, path, n);
	return 0;
}

static int unix_socket(const char *path, int listening, char *err, size_t errlen)
{
	struct sockaddr_un a;
	int rc = unix_addr(&a, path, err, errlen), fd;
	if (rc)
		return ret(rc);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return seterr(err, errlen, "socket: %s", strerror(errno)), ret(-errno);
	if (listening)
		rc = bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 64) ? -errno : 0;
	else
		rc = connect(fd, (struct sockaddr *)&a, sizeof a) ? -errno : 0;
	if (rc) {
		seterr(err, errlen, "%s %s: %s", listening ? "listen on" : "connect to", path,
		       strerror(-rc));
		close(fd);
		return ret(rc);
	}
	return fd;
}

int ffpf_proto_listen(const char *path, char *err, size_t errlen)
{
	return unix_socket(path, 1, err, errlen);
}

int ffpf_proto_connect(const char *path, char *err, size_t errlen)
{
	return unix_socket(path, 0, err, errlen);
}
