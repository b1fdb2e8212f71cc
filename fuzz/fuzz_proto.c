/* fuzz_proto.c — libFuzzer target for the ffpfd control protocol: any bytes as one datagram.
 *
 * Decoding must never read out of bounds nor run out of scratch; it either fails with a message
 * or yields a message whose re-encoding is the input byte for byte (one encoding per message).
 * The same bytes sent over a SOCK_SEQPACKET socketpair, with as many fds as the header's type
 * announces, must get the same verdict from ffpf_proto_recv, and leave no fd open when
 * rejected.  Any disagreement aborts. */
#include "daemon/proto.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ffpf_proto_buf *pb;
static uint8_t again[FFPF_PROTO_MAX_MSG];
static int sp[2] = { -1, -1 }, memfd = -1;

static void setup(void)
{
	int big = 1 << 20;
	pb = malloc(sizeof *pb);
	memfd = memfd_create("fuzz", MFD_CLOEXEC);
	if (!pb || memfd < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp))
		abort();
	setsockopt(sp[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
	setsockopt(sp[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
}

static int next_fd(void)
{
	int fd = dup(0);
	close(fd);
	return fd;
}

/* A decoded message: within the limits, and encoded again exactly as it came. */
static void check_decoded(const struct ffpf_msg *m, const uint8_t *data, size_t size)
{
	char err[256];
	size_t len = 0;
	struct ffpf_msg t = *m;
	if (m->type < 1 || m->type > FFPF_MSG_MAX_TYPE || !m->seq)
		abort();
	if (m->type == FFPF_MSG_POPULATED && m->populated.n && !m->populated.fns)
		abort();
	/* decoded strings are never NULL (re-encoding would not notice: NULL is sent as "") */
	for (uint32_t i = 0; m->type == FFPF_MSG_POPULATED && i < m->populated.n; i++) {
		const struct ffpf_proto_fn *f = &m->populated.fns[i];
		if (!f->name || !f->cls || !f->params || !f->inputs)
			abort();
	}
	if (m->type == FFPF_MSG_HELLO && !m->hello.app_name)
		abort();
	if ((m->version < FFPF_PROTO_VERSION_MIN || m->version > FFPF_PROTO_VERSION) && t.type != FFPF_MSG_HELLO &&
	    t.type != FFPF_MSG_ERROR)
		abort();
	/* a decoded RESULT's tables match its cells (version 2 on), and a version 1 one has none */
	if (m->type == FFPF_MSG_RESULT) {
		uint64_t cells = 0;
		for (uint32_t i = 0; i < m->result.ntables; i++) {
			const struct ffpf_proto_table *tb = &m->result.tables[i];
			if (!tb->name || !tb->cols || tb->ncols < 1 || tb->ncols > FFPF_PROTO_MAX_COLS)
				abort();
			cells += (uint64_t)tb->ncols * tb->nrows;
		}
		if (cells != m->result.ncells || (m->version < 2 && m->result.ntables))
			abort();
	}
	if (ffpf_msg_encode(&t, again, sizeof again, &len, err, sizeof err))
		abort();
	if (len != size || memcmp(again, data, size))
		abort();
}

/* Send data with the fds its type carries; ffpf_proto_recv must agree with ffpf_msg_decode. */
static void check_transport(const uint8_t *data, size_t size, int drc, const char *derr)
{
	struct ffpf_conn c;
	struct ffpf_msg m;
	char err[256] = "";
	int fds[FFPF_PROTO_MAX_FDS] = { memfd, memfd }, got[FFPF_PROTO_MAX_FDS];
	unsigned type = size >= 8 ? data[6] | (unsigned)data[7] << 8 : 0, k = ffpf_msg_nfds(type), n;
	int before = next_fd(), rc;

	if (ffpf_proto_send_raw(sp[0], data, size, fds, k, err, sizeof err))
		abort();
	ffpf_conn_init(&c, pb, FFPF_PROTO_ANY);
	rc = ffpf_proto_recv(sp[1], &c, &m, got, FFPF_PROTO_MAX_FDS, &n, 1000, err, sizeof err);
	if (rc != drc || (rc && strcmp(err, derr)))
		abort();
	if (rc && (n || next_fd() != before))
		abort(); /* a rejected message's fds are closed */
	if (!rc && (n != k || c.rx_seq != m.seq))
		abort();
	for (unsigned i = 0; !rc && i < n; i++)
		close(got[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ffpf_msg m;
	char err[256] = "";
	int rc;

	if (!pb)
		setup();
	rc = ffpf_msg_decode(data, size, &m, pb->scratch, sizeof pb->scratch, err, sizeof err);
	if (rc && (rc != -EPROTO || !err[0] || !memchr(err, '\0', sizeof err)))
		abort(); /* -ENOBUFS here would break FFPF_PROTO_SCRATCH's promise */
	if (!rc)
		check_decoded(&m, data, size);
	if (size <= FFPF_PROTO_MAX_MSG)
		check_transport(data, size, rc, err);
	return 0;
}
