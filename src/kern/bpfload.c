/* bpfload.c — libbpf: load, map, attach, detach (see bpfload.h). */
#include "kern/bpfload.h"
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/if_link.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

/* libbpf's messages (the verifier log among them) for the error at hand, not on stderr. */
static _Thread_local char logbuf[8192];
static _Thread_local size_t loglen;

static int capture(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	int k;
	if (level == LIBBPF_DEBUG)
		return 0;
	if (loglen > sizeof(logbuf) - 512)
		loglen = 0; /* keep the end: the verifier's verdict comes last */
	k = vsnprintf(logbuf + loglen, sizeof(logbuf) - loglen, fmt, ap);
	if (k > 0)
		loglen += (size_t)k < sizeof(logbuf) - loglen ? (size_t)k : sizeof(logbuf) - loglen - 1;
	return 0;
}

/* The last lines of what libbpf said, on one line. */
static void tail(char *out, size_t n)
{
	const char *s = logbuf;
	size_t len = strlen(s);
	unsigned lines = 0;
	char *o = out;

	if (len > 600) {
		s += len - 600;
		s += strcspn(s, "\n") + (s[strcspn(s, "\n")] ? 1 : 0);
	}
	for (; *s && (size_t)(o - out) + 4 < n && lines < 8; s++) {
		if (*s == '\n') {
			lines++;
			if (s[1])
				*o++ = ';', *o++ = ' ';
			continue;
		}
		*o++ = *s;
	}
	*o = 0;
}

static void begin(void)
{
	libbpf_set_print(capture);
	logbuf[0] = 0;
	loglen = 0;
}

int ffpf_bpf_open(struct ffpf_bpf *b, const char *path, size_t mem_size, int ring_fd, char *why,
		  size_t n)
{
	struct bpf_program *prog;
	struct bpf_map *mem, *ring;
	long pg = sysconf(_SC_PAGESIZE);
	char msg[700];
	int rc;

	memset(b, 0, sizeof(*b));
	b->prog_fd = b->link_fd = b->link2_fd = b->ring_fd = -1;
	begin();
	b->obj = bpf_object__open_file(path, NULL);
	if (!b->obj) {
		rc = -errno;
		b->obj = NULL;
		tail(msg, sizeof(msg));
		return snprintf(why, n, "libbpf cannot open %s: %s", path, msg[0] ? msg : strerror(-rc)), rc;
	}
	ring = bpf_object__find_map_by_name(b->obj, "ffpf_ring");
	if (ring && ring_fd >= 0 && (rc = bpf_map__reuse_fd(ring, ring_fd))) {
		ffpf_bpf_close(b);
		return snprintf(why, n, "cannot keep the ring of the program replaced: %s", strerror(-rc)), rc;
	}
	if ((rc = bpf_object__load(b->obj))) {
		tail(msg, sizeof(msg));
		snprintf(why, n, "the kernel refused the program (%s): %s", strerror(-rc),
			 msg[0] ? msg : "no verifier log");
		ffpf_bpf_close(b);
		return rc;
	}
	prog = bpf_object__next_program(b->obj, NULL);
	mem = bpf_object__find_map_by_name(b->obj, "ffpf_mem");
	if (!prog || !mem) {
		ffpf_bpf_close(b);
		return snprintf(why, n, "%s is not an ffpf unit (no program or state map)", path), -EINVAL;
	}
	b->prog_fd = bpf_program__fd(prog);
	b->ring_fd = ring ? bpf_map__fd(ring) : -1;
	b->mem_len = (mem_size + (size_t)pg - 1) / (size_t)pg * (size_t)pg;
	b->mem = mmap(NULL, b->mem_len, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(mem), 0);
	if (b->mem == MAP_FAILED) {
		rc = -errno;
		b->mem = NULL;
		ffpf_bpf_close(b);
		return snprintf(why, n, "cannot map the program's state: %s", strerror(-rc)), rc;
	}
	return 0;
}

static int prog_name(unsigned id, char *name, size_t n)
{
	struct bpf_prog_info info;
	unsigned len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id), rc;

	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	rc = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (rc)
		return -errno;
	snprintf(name, n, "%s", info.name);
	return 0;
}

int ffpf_bpf_clear_stale(int ifindex, char *msg, size_t n)
{
	static const unsigned modes[] = {XDP_FLAGS_DRV_MODE, XDP_FLAGS_SKB_MODE};
	int removed = 0;

	msg[0] = 0;
	for (unsigned m = 0; m < 2; m++) {
		unsigned id = 0;
		char name[32] = "";
		if (bpf_xdp_query_id(ifindex, (int)modes[m], &id) || !id || prog_name(id, name, sizeof(name)))
			continue;
		if (strcmp(name, FFPF_BPF_XDP_NAME))
			continue;
		/* A link-attached program cannot be detached this way (EBUSY): that one belongs to
		 * a live run, which keeps it. */
		if (bpf_xdp_detach(ifindex, modes[m], NULL))
			continue;
		snprintf(msg, n, "removed XDP program %u left attached by a run that did not end cleanly", id);
		removed = 1;
	}
	return removed;
}

static int link_xdp(struct ffpf_bpf *b, int ifindex, unsigned mode)
{
	LIBBPF_OPTS(bpf_link_create_opts, o, .flags = mode);
	int fd = bpf_link_create(b->prog_fd, ifindex, BPF_XDP, &o);
	return fd < 0 ? -errno : fd;
}

int ffpf_bpf_attach_xdp(struct ffpf_bpf *b, int ifindex, char *why, size_t n)
{
	unsigned other = 0;
	int fd;

	ffpf_bpf_clear_stale(ifindex, b->stale, sizeof(b->stale));
	fd = link_xdp(b, ifindex, XDP_FLAGS_DRV_MODE);
	if (fd < 0) {
		int native = fd;
		fd = link_xdp(b, ifindex, XDP_FLAGS_SKB_MODE);
		if (fd >= 0) {
			b->generic = 1;
			snprintf(b->mode_why, sizeof(b->mode_why), "XDP in generic mode: the driver "
				 "refused native mode (%s)", strerror(-native));
		}
	}
	if (fd < 0) {
		if (!bpf_xdp_query_id(ifindex, 0, &other) && other) {
			char name[32] = "?";
			prog_name(other, name, sizeof(name));
			return snprintf(why, n, "another XDP program (id %u, '%s') is attached to the device",
					other, name), fd;
		}
		return snprintf(why, n, "the kernel refused to attach XDP: %s", strerror(-fd)), fd;
	}
	b->link_fd = fd;
	b->ifindex = ifindex;
	return 0;
}

/* tcx (kernel 6.6): attach types and a flag newer than Debian 12's headers, by number. */
#define TCX_INGRESS  46
#define TCX_EGRESS   47
#define F_BEFORE     (1u << 3) /* BPF_F_BEFORE: no relative program given = first of all */

int ffpf_bpf_tcx_ok(int ifindex, char *why, size_t n)
{
	uint32_t flags = 0, cnt = 0;

	/* A query changes nothing; kernels without tcx do not know the attach type (EINVAL).
	 * Any other error (EPERM without CAP_NET_ADMIN, as for `ffpf plan` by a user) says
	 * nothing about tcx: assume it, and let attaching decide. */
	if (!bpf_prog_query(ifindex, (enum bpf_attach_type)TCX_INGRESS, 0, &flags, NULL, &cnt) ||
	    errno != EINVAL)
		return 1;
	snprintf(why, n, "this kernel has no tcx (tc programs through links, Linux 6.6): %s",
		 strerror(EINVAL));
	return 0;
}

/* A tcx link of the program, first in the device's list of tc programs: a program before ours
 * could drop or redirect a packet that a packet socket (a tap, ahead of all of them) still
 * sees.  Kernels or libbpf versions without the flag get the end of the list. */
static int link_tc(int prog_fd, int ifindex, unsigned type)
{
	LIBBPF_OPTS(bpf_link_create_opts, o, .flags = F_BEFORE);
	int fd = bpf_link_create(prog_fd, ifindex, (enum bpf_attach_type)type, &o);
	if (fd < 0 && errno == EINVAL)
		fd = bpf_link_create(prog_fd, ifindex, (enum bpf_attach_type)type, NULL);
	return fd;
}

int ffpf_bpf_attach_tc(struct ffpf_bpf *b, int ifindex, char *why, size_t n)
{
	int in = link_tc(b->prog_fd, ifindex, TCX_INGRESS);
	int out = in < 0 ? -1 : link_tc(b->prog_fd, ifindex, TCX_EGRESS);

	if (in < 0 || out < 0) {
		int e = errno;
		if (in >= 0)
			close(in);
		return snprintf(why, n, "the kernel refused to attach the tc program (%s): %s",
				in < 0 ? "ingress" : "egress", strerror(e)), -e;
	}
	b->link_fd = in;
	b->link2_fd = out;
	b->ifindex = ifindex;
	return 0;
}

int ffpf_bpf_take_links(struct ffpf_bpf *b, struct ffpf_bpf *from, char *why, size_t n)
{
	int *links[2] = {&from->link_fd, &from->link2_fd};

	for (unsigned k = 0; k < 2; k++) {
		if (*links[k] < 0 || !bpf_link_update(*links[k], b->prog_fd, NULL))
			continue;
		int e = errno;
		if (k == 1) /* put the first link back: both run one program */
			bpf_link_update(from->link_fd, from->prog_fd, NULL);
		return snprintf(why, n, "the kernel refused to replace the program: %s", strerror(e)), -e;
	}
	b->link_fd = from->link_fd;
	b->link2_fd = from->link2_fd;
	b->ifindex = from->ifindex;
	from->link_fd = from->link2_fd = -1;
	return 0;
}

void ffpf_bpf_close(struct ffpf_bpf *b)
{
	if (b->link_fd >= 0)
		close(b->link_fd); /* detaches the program */
	if (b->link2_fd >= 0)
		close(b->link2_fd);
	if (b->mem)
		munmap(b->mem, b->mem_len);
	if (b->obj)
		bpf_object__close(b->obj);
	b->obj = NULL;
	b->mem = NULL;
	b->link_fd = b->link2_fd = b->prog_fd = b->ring_fd = -1;
}
