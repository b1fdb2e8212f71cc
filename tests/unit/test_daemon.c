/* test_daemon.c — ffpfd end to end: a daemon in a thread of this process, applications through
 * the ordinary C API (ffpf_opts.daemon) and raw sockets for what a well-behaved library never
 * sends.  Checks: exact results; overlay (two applications, one set of functions, reference
 * counted, retired with the last user); labels per application; malformed, out-of-order and
 * oversize messages answered with ERROR while others are served; an application that never
 * reads is cut off; one that is SIGKILLed leaves nothing behind; flowgroups by uid keep two
 * users apart (needs root to become another user, else that part is skipped); a daemon that
 * stops under a running application gives it an error, not a hang. */
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <ffpf/ffpf.h>
#include "daemon/daemon.h"
#include "daemon/proto.h"
#include "testlib.h"

static char g_sock[108];
static volatile sig_atomic_t g_stop;
static struct ffpfd *g_d;
static char g_trace[4096];

static void *serve(void *arg)
{
	(void)arg;
	ffpfd_run(g_d, &g_stop);
	return NULL;
}

static pthread_t start_daemon(void)
{
	struct ffpfd_opts o = {.socket = g_sock, .group_by = FFPFD_BY_UID, .mode = 0666};
	char err[256];
	pthread_t t;

	g_stop = 0;
	g_d = ffpfd_open(&o, err, sizeof(err));
	if (!g_d) {
		fprintf(stderr, "ffpfd_open: %s\n", err);
		exit(1);
	}
	pthread_create(&t, NULL, serve, NULL);
	return t;
}

static void stop_daemon(pthread_t t)
{
	g_stop = 1;
	pthread_join(t, NULL);
	ffpfd_close(g_d);
}

static struct ffpf *app_on(const char *source, const char *req);

/* An application on the test trace. */
static struct ffpf *app(const char *req)
{
	char src[4200];
	snprintf(src, sizeof(src), "(file,\"%s\")", g_trace);
	return app_on(src, req);
}

static uint64_t result(struct ffpf *f, const char *fn, const char *r)
{
	uint64_t v = ~0ull;
	if (ffpf_result_u64(f, fn, r, &v))
		fprintf(stderr, "result %s.%s: %s\n", fn, r, ffpf_errmsg(f));
	return v;
}

/* The status JSON, via a raw connection. */
static int status(char *out, size_t n)
{
	struct ffpf_proto_buf *buf = malloc(sizeof(*buf));
	struct ffpf_conn c;
	struct ffpf_msg m = {.type = FFPF_MSG_HELLO}, r = {0};
	int fds[2], fd = ffpf_proto_connect(g_sock, out, n), rc = -1;
	unsigned nfds;

	if (fd < 0 || !buf)
		goto done;
	ffpf_conn_init(&c, buf, FFPF_PROTO_APP);
	m.seq = ffpf_conn_next_seq(&c);
	m.hello.max_version = FFPF_PROTO_VERSION;
	m.hello.app_name = "test";
	if (ffpf_proto_send(fd, &m, NULL, 0, out, n) || ffpf_proto_recv(fd, &c, &r, fds, 2, &nfds, 3000, out, n))
		goto done;
	m = (struct ffpf_msg){.type = FFPF_MSG_STATUS, .seq = ffpf_conn_next_seq(&c)};
	if (ffpf_proto_send(fd, &m, NULL, 0, out, n) || ffpf_proto_recv(fd, &c, &r, fds, 2, &nfds, 3000, out, n))
		goto done;
	snprintf(out, n, "%s", r.status_text.text);
	rc = 0;
done:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

static unsigned count_str(const char *s, const char *needle)
{
	unsigned n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* Raw datagrams: the daemon must answer each with an ERROR and go on. */
static int raw_connect(void)
{
	char err[128];
	return ffpf_proto_connect(g_sock, err, sizeof(err));
}

static int reply_has(int fd, const char *want)
{
	uint8_t buf[70000];
	struct timeval tv = {3, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	for (ssize_t i = 16; i < n; i++) /* the message text follows the header and two fields */
		if (!memcmp(buf + i, want, strlen(want)))
			return 1;
	fprintf(stderr, "reply lacks '%s'\n", want);
	return 0;
}

static void test_malformed(void)
{
	int fd = raw_connect();
	uint8_t hdr[16] = {0x44, 0x50, 0x46, 0x46, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0};
	static uint8_t big[70000];

	CHECK(fd >= 0);
	CHECK(send(fd, "hello", 5, 0) == 5);
	CHECK(reply_has(fd, "short"));
	hdr[0] = 0x45; /* bad magic */
	CHECK(send(fd, hdr, 16, 0) == 16);
	CHECK(reply_has(fd, "magic"));
	memset(big, 'x', sizeof(big));
	CHECK(send(fd, big, sizeof(big), 0) == (ssize_t)sizeof(big));
	CHECK(reply_has(fd, "oversize"));
	close(fd);
}

static void test_out_of_order(void)
{
	struct ffpf_proto_buf *buf = malloc(sizeof(*buf));
	struct ffpf_conn c;
	struct ffpf_msg m = {.type = FFPF_MSG_HELLO}, r = {0};
	char err[256];
	int fds[2], fd = raw_connect();
	unsigned nfds;

	ffpf_conn_init(&c, buf, FFPF_PROTO_APP);
	m.seq = 5;
	m.hello.max_version = FFPF_PROTO_VERSION;
	m.hello.app_name = "ooo";
	CHECK(!ffpf_proto_send(fd, &m, NULL, 0, err, sizeof(err)));
	CHECK(!ffpf_proto_recv(fd, &c, &r, fds, 2, &nfds, 3000, err, sizeof(err)) && r.type == FFPF_MSG_WELCOME);
	m = (struct ffpf_msg){.type = FFPF_MSG_STATUS, .seq = 3};
	CHECK(!ffpf_proto_send(fd, &m, NULL, 0, err, sizeof(err)));
	CHECK(!ffpf_proto_recv(fd, &c, &r, fds, 2, &nfds, 3000, err, sizeof(err)) && r.type == FFPF_MSG_ERROR);
	CHECK(r.type == FFPF_MSG_ERROR && strstr(r.error.message, "order"));
	/* a function of nobody's */
	m = (struct ffpf_msg){.type = FFPF_MSG_RESULTS, .seq = 9};
	m.results.fn_id = 0;
	CHECK(!ffpf_proto_send(fd, &m, NULL, 0, err, sizeof(err)));
	CHECK(!ffpf_proto_recv(fd, &c, &r, fds, 2, &nfds, 3000, err, sizeof(err)) && r.type == FFPF_MSG_ERROR);
	CHECK(r.type == FFPF_MSG_ERROR && strstr(r.error.message, "not one of this application's"));
	close(fd);
	free(buf);
}

/* An application that asks and never reads: cut off, others unaffected. */
static void test_never_reads(void)
{
	uint8_t wire[FFPF_PROTO_MAX_MSG];
	char err[128];
	size_t len;
	int fd = raw_connect();
	struct ffpf_msg m = {.type = FFPF_MSG_HELLO, .seq = 1};

	m.hello.max_version = FFPF_PROTO_VERSION;
	m.hello.app_name = "deaf";
	ffpf_msg_encode(&m, wire, sizeof(wire), &len, err, sizeof(err));
	send(fd, wire, len, 0);
	for (uint32_t s = 2; s < 20000; s++) { /* STATUS replies pile up unread */
		m = (struct ffpf_msg){.type = FFPF_MSG_STATUS, .seq = s};
		ffpf_msg_encode(&m, wire, sizeof(wire), &len, err, sizeof(err));
		if (send(fd, wire, len, MSG_DONTWAIT) < 0 && errno != EAGAIN)
			break; /* the daemon hung up: good */
		if (errno == EAGAIN)
			usleep(1000);
	}
	close(fd);
}

static struct ffpf *app_on(const char *source, const char *req)
{
	struct ffpf_opts o = {.sz = sizeof(o), .daemon = g_sock};
	struct ffpf *f = ffpf_create(&o);

	if (!f || ffpf_default_source(f, source) || ffpf_populate(f, req) || ffpf_instantiate(f) ||
	    ffpf_activate(f)) {
		fprintf(stderr, "app: %s\n", f ? ffpf_errmsg(f) : "no handle");
		ffpf_close(f);
		return NULL;
	}
	return f;
}

/* Results through the daemon are exact, and final once the trace has been read. */
static void test_exact(void)
{
	struct ffpf *a = app("[ all:(count) | (bpf,\"tcp\") > tcp:(count) ]");
	int rc = 1;

	CHECK(a != NULL);
	if (!a)
		return;
	for (int i = 0; i < 100 && rc > 0; i++)
		rc = ffpf_step(a);
	CHECK(rc == 0); /* the end of the trace reaches the application */
	CHECK_EQ_U(result(a, "all", "packets"), 2000);
	CHECK_EQ_U(result(a, "tcp", "packets"), 1093);
	ffpf_close(a);
}

/* A table result (fpl's MBuf words) reaches a served application whole: the same rows as
 * the same request run in-process. */
static void test_table(void)
{
	const char *req = "(fpl,\"M[PKT.IP_PROTO] += 1;\") > (count)";
	char in_proc[4300];
	struct ffpf *a = app(req), *b;
	struct ffpf_value va, vb;
	int rc = 1;

	snprintf(in_proc, sizeof(in_proc), "(file,\"%s\") > %s", g_trace, req);
	unsetenv("FFPF_SOCKET"); /* b runs in this process */
	b = ffpf_create(&(struct ffpf_opts){.sz = sizeof(struct ffpf_opts)});
	CHECK(a && b && !ffpf_populate(b, in_proc) && !ffpf_instantiate(b) && !ffpf_activate(b));
	if (!a || !b)
		return;
	while (ffpf_step(b) > 0)
		;
	for (int i = 0; i < 100 && rc > 0; i++)
		rc = ffpf_step(a);
	CHECK(rc == 0);
	CHECK(!ffpf_result(a, (unsigned)ffpf_fn_lookup(a, "fpl#1"), 0, &va));
	CHECK(!ffpf_result(b, 1, 0, &vb));
	CHECK(va.type == FFPF_V_TABLE && vb.type == FFPF_V_TABLE);
	CHECK(va.table.nrows >= 2 && va.table.nrows == vb.table.nrows && va.table.ncols == 2);
	CHECK(va.table.cols && !strcmp(va.table.cols[0], vb.table.cols[0]) && !strcmp(va.table.cols[1], vb.table.cols[1]));
	CHECK(va.table.cells && !memcmp(va.table.cells, vb.table.cells, va.table.nrows * 2 * sizeof(uint64_t)));
	CHECK(!va.table.truncated && !vb.table.truncated);
	ffpf_close(a);
	ffpf_close(b);

	/* more rows than one message holds (3072 of two cells): the first ones, flagged */
	a = app("(fpl,mbuf=16384,\"FOR (R[0] = 0; R[0] < 8; R[0]++) "
		"M[(PKT.IP_SRC + PKT.LEN + R[0] * 4099) & 16383] += 1; ROF\") > (count)");
	CHECK(a != NULL);
	if (!a)
		return;
	for (int i = 0, rc2 = 1; i < 100 && rc2 > 0; i++)
		rc2 = ffpf_step(a);
	CHECK(!ffpf_result(a, (unsigned)ffpf_fn_lookup(a, "fpl#1"), 0, &va));
	CHECK(va.type == FFPF_V_TABLE && va.table.truncated && va.table.nrows == 3072);
	ffpf_close(a);
}

/* Two applications, the same flowgraph on a live source (a trace already being read is not
 * shared: a newcomer would miss its start): one set of functions, two users, each
 * application with its own labels; retired with the last user. */
static void test_overlay(void)
{
	char st[65536];
	struct ffpf *a, *b;

	if (geteuid() != 0) {
		fprintf(stderr, "skip overlay: capturing on lo needs root\n");
		return;
	}
	a = app_on("(dev,\"lo\")", "[ all:(count) | (bpf,\"tcp\") > tcp:(count) ]");
	b = app_on("(dev,\"lo\")", "[ all:(count) | (bpf,\"tcp\") > web:(count) ]");
	CHECK(a && b);
	if (!a || !b)
		return;
	CHECK(ffpf_fn_lookup(b, "web") >= 0 && ffpf_fn_lookup(b, "tcp") < 0);
	CHECK(ffpf_fn_lookup(a, "tcp") >= 0 && ffpf_fn_lookup(a, "web") < 0);
	CHECK(!status(st, sizeof(st)));
	CHECK_EQ_U(count_str(st, "\"class\":\"count\""), 2); /* all + tcp/web: shared, not four */
	CHECK_EQ_U(count_str(st, "\"users\":2"), 4);           /* dev, all, bpf, tcp=web */
	ffpf_close(a);
	usleep(100000);
	CHECK(!status(st, sizeof(st)));
	CHECK_EQ_U(count_str(st, "\"users\":1"), 4); /* b still holds them */
	ffpf_close(b);
	usleep(100000);
	CHECK(!status(st, sizeof(st)));
	CHECK_EQ_U(count_str(st, "\"class\":\"count\""), 0); /* retired with the last user */
	/* two applications of one group, each with its own export on the same device: each
	 * export has its own queue, the packets are copied once, into the group's one PBuf */
	a = app_on("(dev,\"lo\")", "(bpf,\"tcp\") > e1:(export)");
	b = app_on("(dev,\"lo\")", "(bpf,\"udp\") > e2:(export)");
	CHECK(a && b);
	CHECK(!status(st, sizeof(st)));
	CHECK(strstr(st, "\"shared_pbufs\":1") != NULL);
	CHECK_EQ_U(count_str(st, "\"class\":\"export\""), 2);
	ffpf_close(a);
	ffpf_close(b);
}

/* FNV-1a over the bytes of every packet an export hands out, and how many. */
static uint64_t drain(struct ffpf *f, const char *name, uint64_t *n)
{
	struct ffpf_packet p;
	uint64_t h = 0xcbf29ce484222325ull;
	*n = 0;
	while (ffpf_export_next(f, name, &p) == 1) {
		for (uint32_t i = 0; i < p.caplen; i++)
			h = (h ^ p.data[i]) * 0x100000001b3ull;
		h = (h ^ p.wirelen) * 0x100000001b3ull;
		(*n)++;
	}
	return h;
}

static struct ffpf *in_process(const char *req)
{
	struct ffpf *f = ffpf_create(NULL);
	char src[4200];
	snprintf(src, sizeof(src), "(file,\"%s\")", g_trace);
	CHECK(f && !ffpf_default_source(f, src) && !ffpf_populate(f, req) && !ffpf_instantiate(f) &&
	      !ffpf_activate(f));
	return f;
}

/* Packets through the shared queue: the same bytes as in-process; two exports of one group
 * share one copy of the source's packets. */
static void test_export(void)
{
	const char *req = "[ (bpf,\"tcp\") > t:(export) | (bpf,\"port 80\") > w:(export) ]";
	struct ffpf *local = in_process(req), *local2 = in_process(req), *served = app(req);
	char st[65536];
	uint64_t n1 = 0, n2 = 0, n3 = 0, n4 = 0, h1, h2, h3, h4;

	CHECK(served != NULL);
	if (!served)
		return;
	CHECK(!status(st, sizeof(st)) && strstr(st, "\"shared_pbufs\":1"));
	/* in-process, each export read alone (a reader of one export pulls the whole graph, and
	 * the other's packets leave the PBuf meanwhile); served, one after the other */
	h1 = drain(local, "t", &n1);
	h3 = drain(local2, "w", &n3);
	h2 = drain(served, "t", &n2);
	h4 = drain(served, "w", &n4);
	CHECK_EQ_U(n2, 1093);
	CHECK_EQ_U(n1, n2);
	CHECK_EQ_U(h1, h2);
	CHECK(n4 > 0);
	CHECK_EQ_U(n3, n4);
	CHECK_EQ_U(h3, h4);
	ffpf_close(local);
	ffpf_close(local2);
	ffpf_close(served);
}

/* A number in the status JSON ("key":N), the first after `after` (or 0). */
static size_t status_num(const char *st, const char *after, const char *key)
{
	const char *p = strstr(st, after);
	p = p ? strstr(p, key) : NULL;
	return p ? (size_t)strtoull(p + strlen(key), NULL, 10) : 0;
}

/* Applications that come and go, each with an export on a reading of its own (a queue and a
 * 36 MiB PBuf copy in the group's arena): what the retired functions held is given back and
 * reused, so the arena's top does not grow with each one, and what is in use comes back to
 * what the one staying application holds. */
static void test_reclaim(void)
{
	struct ffpf *stay = app("(count)");
	char st[65536];
	size_t base = 0, top = 0;

	CHECK(stay != NULL);
	CHECK(!status(st, sizeof(st)));
	base = status_num(st, "\"flowgroups\"", "\"arena_bytes\":");
	CHECK(base > 0);
	for (int i = 0; i < 6; i++) {
		struct ffpf *b = app("[ c:(count) | q:(export) ]");
		CHECK(b != NULL);
		CHECK(!status(st, sizeof(st)) && status_num(st, "\"flowgroups\"", "\"arena_bytes\":") > base + (32u << 20));
		if (i == 1)
			top = status_num(st, "\"flowgroups\"", "\"arena_top\":");
		if (i > 1) /* the same memory again */
			CHECK_EQ_U(status_num(st, "\"flowgroups\"", "\"arena_top\":"), top);
		ffpf_close(b);
		for (int k = 0; k < 50; k++) { /* its BYE is served before the next connection's */
			CHECK(!status(st, sizeof(st)));
			if (status_num(st, "\"flowgroups\"", "\"arena_bytes\":") == base)
				break;
			usleep(20000);
		}
		CHECK_EQ_U(status_num(st, "\"flowgroups\"", "\"arena_bytes\":"), base);
	}
	ffpf_close(stay);
}

/* A reader that falls behind loses the oldest packets and counts them itself; the daemon
 * neither waits for it nor loses anything else. */
static void test_slow_reader(void)
{
	char path[128], cmd[512], src[200];
	struct ffpf_opts o = {.sz = sizeof(o), .daemon = g_sock};
	struct ffpf *f = ffpf_create(&o);
	uint64_t n = 0, lost = 0, counted = 0;
	int rc = 1;

	snprintf(path, sizeof(path), "/tmp/ffpf-slow-%d.pcap", (int)getpid());
	snprintf(cmd, sizeof(cmd), "\"%s\" -q -c 20000 -o %s", getenv("FFPF_GEN") ? getenv("FFPF_GEN") : "ffpf-gen", path);
	CHECK(system(cmd) == 0);
	snprintf(src, sizeof(src), "(file,\"%s\")", path);
	CHECK(f && !ffpf_default_source(f, src) && !ffpf_populate(f, "[ c:(count) | q:(export) ]") &&
	      !ffpf_instantiate(f) && !ffpf_activate(f));
	for (int i = 0; i < 100 && rc > 0; i++) /* the whole trace goes by before we read */
		rc = ffpf_step(f);
	CHECK(rc == 0);
	drain(f, "q", &n);
	CHECK(!ffpf_result_u64(f, "q", "overrun", &lost) && !ffpf_result_u64(f, "c", "packets", &counted));
	CHECK_EQ_U(counted, 20000);     /* the daemon lost nothing */
	CHECK_EQ_U(n + lost, 20000);    /* every packet read or counted as lost by its reader */
	CHECK(n > 0 && n <= 4096);      /* what the group's PBuf still held */
	ffpf_close(f);
	unlink(path);
}

/* A child populates, then is SIGKILLed: its functions go, the daemon serves on. */
static void test_killed(void)
{
	char st[65536];
	pid_t pid = fork();

	if (pid == 0) { /* killed in the middle of reading its export */
		struct ffpf *f = app("(bpf,\"udp\") > killed:(count) > q:(export)");
		struct ffpf_packet p;
		if (!f || ffpf_export_next(f, "q", &p) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	usleep(500000);
	CHECK(!status(st, sizeof(st)));
	CHECK(strstr(st, "killed") != NULL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	usleep(300000);
	CHECK(!status(st, sizeof(st)));
	CHECK(strstr(st, "killed") == NULL);
	struct ffpf *f = app("(count)");
	CHECK(f != NULL);
	ffpf_close(f);
}

/* What a request of this process may open through the daemon: 'y' or 'n' (and why, on stderr). */
static char try_request(const char *req, const char *want_err)
{
	struct ffpf_opts o = {.sz = sizeof(o), .daemon = g_sock};
	struct ffpf *f = ffpf_create(&o);
	int rc = f ? ffpf_populate(f, req) : -1;
	char ok = rc ? 'n' : 'y';

	if (rc && want_err && f && !strstr(ffpf_errmsg(f), want_err)) {
		fprintf(stderr, "request %s: '%s' lacks '%s'\n", req, ffpf_errmsg(f), want_err);
		ok = '?';
	}
	ffpf_close(f);
	return ok;
}

/* The daemon acts as the application for what it opens: another user cannot read root's
 * 0600 trace through it, cannot capture, and relative paths start from its own directory. */
static void child_access(int out)
{
	char secret[4200], r[4300], v[4];
	snprintf(secret, sizeof(secret), "/tmp/ffpf-secret-%d.pcap", (int)getppid());
	snprintf(r, sizeof(r), "(file,\"%s\") > (count)", secret);
	v[0] = try_request(r, "Permission denied");
	v[1] = try_request("(dev,\"lo\") > (count)", "live capture through ffpfd is for root");
	v[2] = chdir("/tmp") ? '!' : try_request("(file,\"ffpf-public.pcap\") > (count)", NULL);
	if (write(out, v, 3) != 3)
		_exit(4);
}

static void test_access(void)
{
	char secret[4200], cmd[20000], v[4] = {0};
	int p[2];
	pid_t pid;

	if (geteuid() != 0 || pipe(p))
		return;
	snprintf(secret, sizeof(secret), "/tmp/ffpf-secret-%d.pcap", (int)getpid());
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && chmod 600 '%s' && cp '%s' /tmp/ffpf-public.pcap && "
		 "chmod 644 /tmp/ffpf-public.pcap", g_trace, secret, secret, g_trace);
	CHECK(system(cmd) == 0);
	pid = fork();
	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(2);
		child_access(p[1]);
		_exit(0);
	}
	CHECK(read(p[0], v, 3) == 3);
	waitpid(pid, NULL, 0);
	CHECK(v[0] == 'n'); /* root's 0600 file: refused with the user's permissions */
	CHECK(v[1] == 'n'); /* no capture for others without --allow-capture */
	CHECK(v[2] == 'y'); /* a relative path from the application's directory */
	unlink(secret);
	unlink("/tmp/ffpf-public.pcap");
	close(p[0]);
	close(p[1]);
}

/* Two users, two flowgroups: the same request runs twice, once per group. */
static void test_groups(void)
{
	char st[65536];
	int p[2], q[2]; /* child -> parent, parent -> child */
	pid_t pid;

	if (geteuid() != 0) {
		fprintf(stderr, "skip flowgroups: needs root to act as a second user\n");
		return;
	}
	if (pipe(p) || pipe(q))
		return;
	pid = fork();
	if (pid == 0) {
		char c;
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(2);
		struct ffpf *f = app("(bpf,\"icmp\") > (count)");
		if (write(p[1], f ? "y" : "n", 1) != 1 || read(q[0], &c, 1) != 1)
			_exit(3);
		ffpf_close(f);
		_exit(0);
	}
	struct ffpf *f = app("(bpf,\"icmp\") > (count)");
	char c = 'n';
	CHECK(read(p[0], &c, 1) == 1 && c == 'y');
	CHECK(!status(st, sizeof(st)));
	CHECK(strstr(st, "\"name\":\"uid:65534\"") && strstr(st, "\"name\":\"uid:0\""));
	CHECK_EQ_U(count_str(st, "\"class\":\"bpf\""), 2); /* not shared across groups */
	CHECK(write(q[1], "x", 1) == 1);
	waitpid(pid, NULL, 0);
	ffpf_close(f);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

static void test_daemon_stops(void)
{
	pthread_t t = start_daemon();
	struct ffpf *f = app("(count)");
	int rc = 1;

	CHECK(f != NULL);
	stop_daemon(t);
	for (int i = 0; i < 50 && rc > 0; i++)
		rc = ffpf_step(f);
	CHECK(rc < 0);
	CHECK(strstr(ffpf_errmsg(f), "daemon") != NULL);
	ffpf_close(f);
}

int main(void)
{
	pthread_t t;

	snprintf(g_sock, sizeof(g_sock), "/tmp/ffpf-test-%d.sock", (int)getpid());
	snprintf(g_trace, sizeof(g_trace), "%s/small.pcap", tl_trace_dir());
	signal(SIGPIPE, SIG_IGN);
	t = start_daemon();
	test_malformed();
	test_out_of_order();
	test_never_reads();
	test_exact();
	test_table();
	test_reclaim();
	test_export();
	test_slow_reader();
	test_overlay();
	test_killed();
	test_groups();
	test_access();
	stop_daemon(t);
	test_daemon_stops();
	return tl_done("test_daemon");
}
