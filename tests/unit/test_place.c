/* test_place.c — the flowspace hierarchy, its file format and placement with path fields. */
#include "testlib.h"
#include "place/hier.h"
#include "place/place.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- a tiny notation for flowgraphs: "name class [@dev] [input ...]; ..." ---- */

#define MAXN 32
static struct ffpf_place_in g_in[MAXN];
static struct ffpf_place_out g_out[MAXN];
static unsigned g_inputs[MAXN][8];
static char g_name[MAXN][16], g_cls[MAXN][16], g_dev[MAXN][16];
static size_t g_n;
static struct ffpf_diag g_d;
static const struct ffpf_hier *g_h;

static int node(const char *name)
{
	for (size_t i = 0; i < g_n; i++)
		if (!strcmp(g_name[i], name))
			return (int)i;
	return -1;
}

static void parse_node(char *s)
{
	char *save = NULL, *t = strtok_r(s, " ", &save);
	struct ffpf_place_in *in = &g_in[g_n];

	memset(in, 0, sizeof *in);
	snprintf(g_name[g_n], 16, "%s", t);
	snprintf(g_cls[g_n], 16, "%s", strtok_r(NULL, " ", &save));
	in->name = g_name[g_n];
	in->cls = g_cls[g_n];
	in->inputs = g_inputs[g_n];
	while ((t = strtok_r(NULL, " ", &save))) {
		if (t[0] == '@') {
			snprintf(g_dev[g_n], 16, "%s", t + 1);
			in->dev = g_dev[g_n];
		} else {
			int j = node(t);
			g_inputs[g_n][in->ninputs++] = j < 0 ? 999 : (unsigned)j;
		}
	}
	g_n++;
}

/* Place spec on h; the return of ffpf_place (0 or -errno), with g_d set on error. */
static int plan(const struct ffpf_hier *h, const char *spec)
{
	char buf[1024], *save = NULL;

	snprintf(buf, sizeof buf, "%s", spec);
	g_n = 0;
	g_h = h;
	for (char *s = strtok_r(buf, ";", &save); s && g_n < MAXN; s = strtok_r(NULL, ";", &save))
		parse_node(s);
	return ffpf_place(h, g_in, g_n, g_out, &g_d);
}

static const struct ffpf_place_out *out_of(const char *name)
{
	static struct ffpf_place_out none = { .fs = -1 };
	int i = node(name);
	return i < 0 ? &none : &g_out[i];
}

static const char *where(const char *name)
{
	const struct ffpf_flowspace *f = ffpf_hier_fs(g_h, out_of(name)->fs);
	return f ? f->name : "(nowhere)";
}

static uint32_t path_of(const char *name)
{
	return out_of(name)->path;
}

/* The crossed barriers of a node as "a,b,c". */
static const char *crossed(const char *name)
{
	static char buf[256];
	const struct ffpf_place_out *o = out_of(name);
	size_t n = 0;
	buf[0] = '\0';
	for (unsigned k = 0; k < o->ncross && n < sizeof buf; k++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", k ? "," : "",
				      ffpf_hier_fs(g_h, o->cross[k])->name);
	return buf;
}

/* Rule B on every edge of the last plan: an input's flowspace is its dependent's or below. */
static void check_rule_b(void)
{
	for (size_t i = 0; i < g_n; i++)
		for (unsigned k = 0; k < g_in[i].ninputs; k++)
			CHECK(ffpf_hier_above(g_h, g_out[i].fs, g_out[g_in[i].inputs[k]].fs));
}

/* ---- trees ---- */

static const char *data_dir(void)
{
	const char *d = getenv("FFPF_TEST_DATA");
	return d ? d : "tests/data";
}

/* Structural invariants every tree must keep, whatever was loaded. */
static void check_tree(const struct ffpf_hier *h)
{
	unsigned roots = 0;
	for (unsigned i = 0; i < ffpf_hier_count(h); i++) {
		const struct ffpf_flowspace *f = ffpf_hier_fs(h, (int)i);
		roots += f->parent < 0;
		CHECK(f->nkids <= FFPF_HIER_MAX_KIDS);
		CHECK(f->depth <= FFPF_HIER_MAX_DEPTH);
		CHECK(f->parent < 0 || f->strategies != 0);
		for (unsigned k = 0; k < f->nkids; k++) {
			CHECK_EQ_U(ffpf_hier_fs(h, f->kids[k])->parent, i);
			CHECK_EQ_U(ffpf_hier_fs(h, f->kids[k])->branch, k);
		}
		if (f->parent >= 0)
			CHECK_EQ_U(ffpf_path_cut(f->path, f->depth - 1),
				   ffpf_hier_fs(h, f->parent)->path);
	}
	CHECK_EQ_U(roots, 1);
}

static struct ffpf_hier *base(void)
{
	struct ffpf_diag d;
	struct ffpf_hier *h = ffpf_hier_discover(NULL, 0, &d);
	CHECK(h != NULL);
	return h;
}

static struct ffpf_hier *with_text(const char *text)
{
	struct ffpf_hier *h = base();
	struct ffpf_diag d;
	int rc = ffpf_hier_load(h, text, strlen(text), "t.hier", &d);
	if (rc)
		fprintf(stderr, "%s", d.text);
	CHECK_EQ_U(rc, 0);
	check_tree(h);
	return h;
}

static struct ffpf_hier *with_file(const char *file, const char *dev)
{
	char path[512];
	struct ffpf_hier *h = base();
	struct ffpf_diag d;
	int rc;

	snprintf(path, sizeof path, "%s/hier/%s", data_dir(), file);
	rc = ffpf_hier_load_file(h, path, &d);
	if (rc)
		fprintf(stderr, "%s", d.text);
	CHECK_EQ_U(rc, 0);
	if (dev) {
		rc = ffpf_hier_add_devices(h, &dev, 1, &d);
		if (rc)
			fprintf(stderr, "%s", d.text);
		CHECK_EQ_U(rc, 0);
	}
	check_tree(h);
	return h;
}

/* Load text into h expecting an error: rc, "t.hier:line:col: error: " and a piece of the
 * message; the tree must be unchanged. */
static void load_err(struct ffpf_hier *h, const char *text, int rc, unsigned line, unsigned col,
		     const char *msg)
{
	struct ffpf_diag d;
	char *before = ffpf_hier_format(h), *after, head[64];
	int got = ffpf_hier_load(h, text, strlen(text), "t.hier", &d);

	CHECK_EQ_U((unsigned)-got, (unsigned)-rc);
	if (d.loc.line != line || d.loc.col != col)
		fprintf(stderr, "for %s%s", text, d.text);
	CHECK_EQ_U(d.loc.line, line);
	CHECK_EQ_U(d.loc.col, col);
	snprintf(head, sizeof head, "t.hier:%u:%u: error: ", line, col);
	CHECK(!strncmp(d.text, head, strlen(head)));
	if (!strstr(d.msg, msg))
		fprintf(stderr, "message \"%s\" lacks \"%s\"\n", d.msg, msg);
	CHECK(strstr(d.msg, msg) != NULL);
	after = ffpf_hier_format(h);
	CHECK_STR(after, before);
	free(before);
	free(after);
}

/* ---- path fields ---- */

static void test_path_helpers(void)
{
	char b[11];
	CHECK_EQ_U(ffpf_path_sub(0x01234567u, 0), 0);
	CHECK_EQ_U(ffpf_path_sub(0x01234567u, 2), 2);
	CHECK_EQ_U(ffpf_path_sub(0x01234567u, 7), 7);
	CHECK_EQ_U(ffpf_path_sub(0x01234567u, 8), FFPF_PATH_INVALID);
	CHECK_EQ_U(ffpf_path_set(FFPF_PATH_ROOT, 0, 1), 0x1FFFFFFFu);
	CHECK_EQ_U(ffpf_path_set(0x1FFFFFFFu, 1, 0xE), 0x1EFFFFFFu);
	CHECK_EQ_U(ffpf_path_cut(0x01234567u, 3), 0x012FFFFFu);
	CHECK_EQ_U(ffpf_path_cut(0x01234567u, 0), FFPF_PATH_ROOT);
	CHECK_EQ_U(ffpf_path_cut(0x01234567u, 8), 0x01234567u);
	/* meet: copy invalid subfields, and invalidate where the branches differ */
	CHECK_EQ_U(ffpf_path_meet(0x000FFFFFu, 0x010FFFFFu), 0x0FFFFFFFu);
	CHECK_EQ_U(ffpf_path_meet(0x00FFFFFFu, 0x000FFFFFu), 0x00FFFFFFu);
	CHECK_EQ_U(ffpf_path_meet(0x000FFFFFu, 0x000FFFFFu), 0x000FFFFFu);
	CHECK_EQ_U(ffpf_path_meet(0x02FFFFFFu, FFPF_PATH_ROOT), FFPF_PATH_ROOT);
	CHECK_EQ_U(ffpf_path_meet(0x10000000u, 0x10000001u), 0x1000000Fu);
	CHECK_STR(ffpf_path_str(0x0FFFFFFFu, b), "0x0FFFFFFF");
}

/* ---- discovery ---- */

static void test_discover_base(void)
{
	struct ffpf_hier *h = base();
	char *s = ffpf_hier_format(h);

	CHECK_EQ_U(ffpf_hier_count(h), 2);
	CHECK_EQ_U(ffpf_hier_root(h), ffpf_hier_find(h, "host"));
	CHECK(ffpf_hier_implements(h, ffpf_hier_find(h, "host"), "anything"));
	CHECK(ffpf_hier_implements(h, ffpf_hier_find(h, "kernel"), "BPF"));
	CHECK(!ffpf_hier_implements(h, ffpf_hier_find(h, "kernel"), "fpl"));
	CHECK(!ffpf_hier_implements(h, ffpf_hier_find(h, "kernel"), "dump"));
	CHECK_STR(s, "host  (host, root; classes: all)\n"
		     "`-- kernel  (kernel, path 0x0FFFFFFF; barrier af_packet: zero-copy,copy-once,"
		     "copy-on-demand; classes: bpf,count,bytes,sample,head)\n");
	free(s);
	ffpf_hier_free(h);
}

static void test_discover_device(void)
{
	const char *devs[] = { "lo", "lo" };
	struct ffpf_diag d;
	struct ffpf_hier *h = ffpf_hier_discover(devs, 2, &d);
	const struct ffpf_flowspace *x;

	CHECK(h != NULL);
	if (!h)
		return;
	check_tree(h);
	CHECK_EQ_U(ffpf_hier_count(h), 3);
	x = ffpf_hier_fs(h, ffpf_hier_find(h, "xdp@lo"));
	CHECK(x != NULL);
	if (x) {
		CHECK_EQ_U(x->kind, FFPF_FS_XDP);
		CHECK_EQ_U(x->barrier, FFPF_BAR_AF_XDP);
		CHECK_EQ_U(x->path, 0x00FFFFFFu);
		CHECK_EQ_U(x->ndevs, 1);
		CHECK(x->ifindex[0] > 0);
	}
	CHECK_EQ_U(ffpf_hier_entry(h, "lo"), ffpf_hier_find(h, "xdp@lo"));
	CHECK_EQ_U(ffpf_hier_entry(h, "eth9"), -1);
	ffpf_hier_free(h);
}

static void test_discover_errors(void)
{
	const char *missing[] = { "nosuchdev0" }, *bad[] = { "a b" }, *longn[] = { "abcdefghijklmnop" };
	struct ffpf_diag d;

	errno = 0;
	CHECK(ffpf_hier_discover(missing, 1, &d) == NULL);
	CHECK_EQ_U(errno, ENODEV);
	CHECK_STR(d.msg, "no such network device 'nosuchdev0'");
	CHECK(strstr(d.text, "hint: a simulated device needs a flowspace") != NULL);
	CHECK(ffpf_hier_discover(bad, 1, &d) == NULL);
	CHECK_EQ_U(errno, EINVAL);
	CHECK(ffpf_hier_discover(longn, 1, &d) == NULL);
	CHECK_EQ_U(errno, EINVAL);
	CHECK(strstr(d.msg, "invalid device name") != NULL);
}

/* Discovery first, then a file that says where a device's packets really enter: the
 * discovered xdp@DEV goes, and a simulated device is never probed. */
static void test_device_moves(void)
{
	const char *devs[] = { "lo" }, *sim[] = { "ixp0", "lo" };
	struct ffpf_diag d;
	struct ffpf_hier *h = ffpf_hier_discover(devs, 1, &d);
	const char *t1 = "flowspace kernel devices+=lo\n";
	const char *t2 = "flowspace ixp0 kind=sim parent=kernel devices=ixp0\n";

	CHECK_EQ_U(ffpf_hier_load(h, t1, strlen(t1), "t.hier", &d), 0);
	CHECK_EQ_U(ffpf_hier_find(h, "xdp@lo"), -1);
	CHECK_EQ_U(ffpf_hier_entry(h, "lo"), ffpf_hier_find(h, "kernel"));
	CHECK_EQ_U(plan(h, "s dev @lo; f bpf s"), 0);
	CHECK_STR(where("f"), "kernel");
	CHECK_EQ_U(ffpf_hier_load(h, t2, strlen(t2), "t.hier", &d), 0);
	CHECK_EQ_U(ffpf_hier_add_devices(h, sim, 2, &d), 0);
	CHECK_EQ_U(ffpf_hier_find(h, "xdp@ixp0"), -1);
	CHECK_EQ_U(ffpf_hier_entry(h, "ixp0"), ffpf_hier_find(h, "ixp0"));
	check_tree(h);
	ffpf_hier_free(h);
}

/* Discovering a device first and then giving it to a simulated board drops xdp@DEV. */
static void test_device_to_sim(void)
{
	const char *devs[] = { "lo" };
	struct ffpf_diag d;
	struct ffpf_hier *h = ffpf_hier_discover(devs, 1, &d);
	const char *t = "flowspace board kind=sim parent=kernel classes=count devices=lo\n";

	CHECK_EQ_U(ffpf_hier_count(h), 3);
	CHECK_EQ_U(ffpf_hier_load(h, t, strlen(t), "t.hier", &d), 0);
	CHECK_EQ_U(ffpf_hier_count(h), 3);
	CHECK_EQ_U(ffpf_hier_find(h, "xdp@lo"), -1);
	CHECK_EQ_U(ffpf_hier_fs(h, ffpf_hier_find(h, "board"))->path, 0x00FFFFFFu);
	CHECK_EQ_U(ffpf_hier_fs(h, ffpf_hier_find(h, "board"))->ifindex[0], 0);
	check_tree(h);
	ffpf_hier_free(h);
}

/* ---- placement: rules A and B ---- */

static void test_lowest_level_first(void)
{
	struct ffpf_hier *h = with_file("fig4.hier", "lo");

	CHECK_EQ_U(plan(h, "s dev @lo; f bpf s; c count f"), 0);
	CHECK_STR(where("s"), "xdp@lo");
	CHECK_STR(where("f"), "xdp@lo");
	CHECK_STR(where("c"), "xdp@lo");
	CHECK_EQ_U(path_of("s"), 0x02FFFFFFu);
	CHECK_EQ_U(path_of("f"), 0x02FFFFFFu);
	CHECK_EQ_U(out_of("f")->want, 0x02FFFFFFu);
	CHECK_EQ_U(plan(h, "s dev @ixp0; c count s"), 0);
	CHECK_STR(where("c"), "ixp0.me");
	CHECK_EQ_U(path_of("c"), 0x000FFFFFu);
	ffpf_hier_free(h);
}

/* A class the lowest level lacks bubbles up to the first flowspace that has it. */
static void test_bubble_up(void)
{
	struct ffpf_hier *h = with_file("fig4.hier", NULL);

	CHECK_EQ_U(plan(h, "s dev @ixp0; f bpf s"), 0);
	CHECK_STR(where("f"), "ixp0");
	CHECK_EQ_U(out_of("f")->want, 0x000FFFFFu); /* asked down to the micro-engines */
	CHECK_EQ_U(path_of("f"), 0x00FFFFFFu);      /* they marked themselves invalid */
	CHECK_STR(ffpf_hier_fs(h, out_of("f")->low)->name, "ixp0.me");
	CHECK_EQ_U(plan(h, "s dev @ixp0; f dump s"), 0); /* only host keeps packets */
	CHECK_STR(where("f"), "host");
	CHECK_EQ_U(path_of("f"), FFPF_PATH_ROOT);
	CHECK_STR(crossed("f"), "ixp0.me,ixp0,kernel");
	ffpf_hier_free(h);
}

/* Rule B: a count after a host-only function stays in the host although kernel has count. */
static void test_never_down_again(void)
{
	struct ffpf_hier *h = with_file("fig4.hier", "lo");

	CHECK_EQ_U(plan(h, "s dev @lo; p fpl s; c count p"), 0);
	CHECK_STR(where("p"), "host");
	CHECK_STR(where("c"), "host");
	CHECK_EQ_U(path_of("c"), FFPF_PATH_ROOT);
	CHECK_EQ_U(out_of("c")->want, FFPF_PATH_ROOT);
	CHECK_EQ_U(out_of("c")->ncross, 0);
	/* the same on a board: count after the XScale's bpf stays on the XScale, not the MEs */
	CHECK_EQ_U(plan(h, "s dev @ixp0; f bpf s; c count f"), 0);
	CHECK_STR(where("f"), "ixp0");
	CHECK_STR(where("c"), "ixp0");
	CHECK_EQ_U(path_of("c"), 0x00FFFFFFu);
	check_rule_b();
	ffpf_hier_free(h);
}

static void test_file_source_at_root(void)
{
	struct ffpf_hier *h = with_file("fig4.hier", NULL);

	CHECK_EQ_U(plan(h, "t file; f bpf t; c count f"), 0);
	CHECK_STR(where("t"), "host");
	CHECK_STR(where("f"), "host");
	CHECK_STR(where("c"), "host");
	CHECK_EQ_U(path_of("t"), FFPF_PATH_ROOT);
	CHECK(!out_of("t")->up);
	CHECK(out_of("t")->local);
	ffpf_hier_free(h);
}

/* ---- placement: rule C ---- */

/* [ (dev,ixp0) | (dev,ixp1) ] > (bpf,...) > (count): ONE filter, at the boards' lowest common
 * successor that implements bpf: the host kernel. */
static void test_two_boards_kernel(void)
{
	struct ffpf_hier *h = with_file("fig4.hier", NULL);

	CHECK_EQ_U(plan(h, "a dev @ixp0; b dev @ixp1; f bpf a b; c count f"), 0);
	CHECK_EQ_U(g_n, 4);
	CHECK_EQ_U(path_of("a"), 0x000FFFFFu);
	CHECK_EQ_U(path_of("b"), 0x010FFFFFu);
	CHECK_EQ_U(out_of("f")->want, 0x0FFFFFFFu);
	CHECK_STR(where("f"), "kernel");
	CHECK_EQ_U(path_of("f"), 0x0FFFFFFFu);
	CHECK_STR(where("c"), "kernel");
	CHECK_EQ_U(path_of("c"), 0x0FFFFFFFu);
	CHECK_STR(crossed("f"), "ixp0.me,ixp1.me,ixp0,ixp1");
	CHECK(out_of("a")->up && out_of("b")->up && out_of("f")->local && !out_of("f")->up);
	check_rule_b();
	ffpf_hier_free(h);
}

/* The same with a class the kernel lacks: from the common successor it bubbles to host. */
static void test_two_boards_bubble(void)
{
	struct ffpf_hier *h = with_file("fig4.hier", NULL);

	CHECK_EQ_U(plan(h, "a dev @ixp0; b dev @ixp1; f fpl a b"), 0);
	CHECK_STR(ffpf_hier_fs(h, out_of("f")->low)->name, "kernel");
	CHECK_STR(where("f"), "host");
	CHECK_EQ_U(path_of("f"), FFPF_PATH_ROOT);
	ffpf_hier_free(h);
}

/* Boards mapped straight into host: their common successor is host itself. */
static void test_two_boards_on_host(void)
{
	struct ffpf_hier *h = with_file("boards-on-host.hier", NULL);

	CHECK_EQ_U(ffpf_hier_fs(h, ffpf_hier_find(h, "ixp1.me"))->path, 0x20FFFFFFu);
	CHECK_EQ_U(plan(h, "a dev @ixp0; b dev @ixp1; f bpf a b; c count f"), 0);
	CHECK_STR(where("f"), "host");
	CHECK_STR(where("c"), "host");
	CHECK_EQ_U(out_of("f")->want, FFPF_PATH_ROOT);
	CHECK_STR(crossed("f"), "ixp0.me,ixp1.me,ixp0,ixp1");
	/* one board alone keeps its filter on the board */
	CHECK_EQ_U(plan(h, "a dev @ixp1; f bpf a"), 0);
	CHECK_STR(where("f"), "ixp1");
	CHECK_EQ_U(path_of("f"), 0x2FFFFFFFu);
	ffpf_hier_free(h);
}

/* Inputs on the same board at different levels meet at the higher one. */
static void test_meet_within_board(void)
{
	struct ffpf_hier *h = with_file("fig4.hier", NULL);

	CHECK_EQ_U(plan(h, "s dev @ixp0; a count s; b bpf s; c count a b"), 0);
	CHECK_STR(where("a"), "ixp0.me");
	CHECK_STR(where("b"), "ixp0");
	CHECK_EQ_U(out_of("c")->want, 0x00FFFFFFu);
	CHECK_STR(where("c"), "ixp0");
	CHECK_STR(crossed("c"), "ixp0.me");
	check_rule_b();
	ffpf_hier_free(h);
}

/* ---- graphs ---- */

static void test_diamond(void)
{
	struct ffpf_hier *h = with_file("fig4.hier", "lo");

	CHECK_EQ_U(plan(h, "s dev @lo; t bpf s; u bpf s; c count t u"), 0);
	CHECK_STR(where("t"), "xdp@lo");
	CHECK_STR(where("u"), "xdp@lo");
	CHECK_STR(where("c"), "xdp@lo");
	CHECK_EQ_U(path_of("c"), 0x02FFFFFFu);
	CHECK(!out_of("t")->up && out_of("t")->local);
	CHECK_EQ_U(out_of("c")->ncross, 0);
	ffpf_hier_free(h);
}

/* A diamond whose one branch must go up: the join follows it (never below an input). */
static void test_diamond_split(void)
{
	struct ffpf_hier *h = with_file("fig4.hier", "lo");

	CHECK_EQ_U(plan(h, "s dev @lo; t bpf s; u fpl s; c count t u"), 0);
	CHECK_STR(where("t"), "xdp@lo");
	CHECK_STR(where("u"), "host");
	CHECK_STR(where("c"), "host");
	CHECK(out_of("t")->up);
	CHECK(out_of("u")->local && !out_of("u")->up);
	CHECK(out_of("s")->up && out_of("s")->local);
	CHECK_STR(crossed("u"), "xdp@lo,kernel");
	CHECK_STR(crossed("c"), "xdp@lo,kernel");
	check_rule_b();
	ffpf_hier_free(h);
}

/* A Fig. 4-like graph across two boards, an ordinary NIC and a trace file. */
static void test_fig4_mixed(void)
{
	struct ffpf_hier *h = with_file("fig4.hier", "lo");

	CHECK_EQ_U(plan(h, "s0 dev @ixp0; s1 dev @ixp1; s2 dev @lo; s3 file;"
			   "a bpf s0; b count s0; c bpf s0 s1; d count c; e sample s2;"
			   "f fpl a e; g count s3; x bytes d e"), 0);
	CHECK_STR(where("a"), "ixp0");
	CHECK_EQ_U(path_of("a"), 0x00FFFFFFu);
	CHECK_STR(where("b"), "ixp0.me");
	CHECK_EQ_U(path_of("b"), 0x000FFFFFu);
	CHECK_STR(where("c"), "kernel");
	CHECK_EQ_U(path_of("c"), 0x0FFFFFFFu);
	CHECK_STR(where("d"), "kernel");
	CHECK_STR(where("e"), "xdp@lo");
	CHECK_EQ_U(path_of("e"), 0x02FFFFFFu);
	CHECK_STR(where("f"), "host");
	CHECK_EQ_U(out_of("f")->want, 0x0FFFFFFFu);
	CHECK_EQ_U(path_of("f"), FFPF_PATH_ROOT);
	CHECK_STR(where("g"), "host");
	CHECK_STR(where("x"), "kernel");
	CHECK_STR(crossed("x"), "xdp@lo");
	CHECK_STR(crossed("f"), "ixp0,xdp@lo,kernel");
	CHECK(!out_of("b")->up && !out_of("g")->up && out_of("e")->up && out_of("a")->up);
	check_rule_b();
	ffpf_hier_free(h);
}

/* Fig. 9: F1, F2 on the IXPs, F3 on both, F4 and F5 from an ordinary NIC, F6 classifies for the
 * application.  Which streams go up decides where PBufs are needed. */
static void test_fig9(void)
{
	struct ffpf_hier *h = with_file("fig4.hier", "lo");

	CHECK_EQ_U(plan(h, "i0 dev @ixp0; i1 dev @ixp1; n dev @lo; F1 bpf i0; F2 bpf i1;"
			   "F3 count F1 F2; F4 bpf n; F5 sample F4; F6 fpl F3 F5"), 0);
	CHECK_STR(where("F1"), "ixp0");
	CHECK_STR(where("F2"), "ixp1");
	CHECK_STR(where("F3"), "kernel");
	CHECK_STR(where("F4"), "xdp@lo");
	CHECK_STR(where("F5"), "xdp@lo");
	CHECK_STR(where("F6"), "host");
	CHECK(out_of("F1")->up && out_of("F2")->up && out_of("F3")->up && out_of("F5")->up);
	CHECK(!out_of("F4")->up && out_of("F4")->local);
	CHECK(!out_of("F6")->up && !out_of("F6")->local);
	ffpf_hier_free(h);
}

/* ---- placement errors ---- */

static void test_unimplementable(void)
{
	struct ffpf_hier *h = with_text("flowspace host classes=bpf,count\n");
	const char *devs[] = { "lo" };

	CHECK_EQ_U(ffpf_hier_add_devices(h, devs, 1, &g_d), 0);
	CHECK_EQ_U((unsigned)-plan(h, "s dev @lo; f bpf s; w frob f"), EINVAL);
	CHECK_STR(g_d.msg, "function 'w' (class 'frob'): no flowspace from xdp@lo up to host "
			   "implements it");
	CHECK(!strncmp(g_d.text, "error: function 'w'", 19));
	CHECK_EQ_U(g_d.loc.line, 0);
	CHECK_EQ_U((unsigned)-plan(h, "s file; f fpl s"), EINVAL);
	CHECK_STR(g_d.msg, "function 'f' (class 'fpl'): host, the root, does not implement it, "
			   "and packets never go back down");
	CHECK(strstr(g_d.text, "\n  hint: a function runs where its inputs meet or above") != NULL);
	ffpf_hier_free(h);
}

static void test_place_input_errors(void)
{
	struct ffpf_hier *h = base();
	struct ffpf_place_in in[2] = { { "s", "file", NULL, 0, NULL }, { "f", "bpf", NULL, 1, NULL } };
	struct ffpf_place_out out[2];
	unsigned self = 1;

	CHECK_EQ_U((unsigned)-plan(h, "s dev @eth7; f bpf s"), EINVAL);
	CHECK_STR(g_d.msg, "source 's': no flowspace receives device 'eth7'");
	in[1].inputs = &self;
	CHECK_EQ_U((unsigned)-ffpf_place(h, in, 2, out, &g_d), EINVAL);
	CHECK(strstr(g_d.msg, "input 1 is not an earlier node") != NULL);
	CHECK_EQ_U((unsigned)-ffpf_place(NULL, in, 2, out, NULL), EINVAL);
	CHECK_EQ_U(ffpf_place(h, in, 0, out, NULL), 0);
	ffpf_hier_free(h);
}

static void test_between(void)
{
	struct ffpf_hier *h = with_file("fig4.hier", NULL);
	int b[8], me = ffpf_hier_find(h, "ixp0.me"), host = ffpf_hier_find(h, "host");

	CHECK_EQ_U(ffpf_place_between(h, me, host, b, 8), 3);
	CHECK_STR(ffpf_hier_fs(h, b[0])->name, "ixp0.me");
	CHECK_STR(ffpf_hier_fs(h, b[1])->name, "ixp0");
	CHECK_STR(ffpf_hier_fs(h, b[2])->name, "kernel");
	CHECK_EQ_U(ffpf_place_between(h, me, me, b, 8), 0);
	CHECK(ffpf_place_between(h, host, me, b, 8) == -1);
	CHECK(ffpf_place_between(h, me, ffpf_hier_find(h, "ixp1"), b, 8) == -1);
	ffpf_hier_free(h);
}

/* ---- an app root ---- */

static void test_app_root(void)
{
	struct ffpf_hier *h = with_file("fig4.hier", "lo");
	char path[512];
	struct ffpf_diag d;

	snprintf(path, sizeof path, "%s/hier/app.hier", data_dir());
	CHECK_EQ_U(ffpf_hier_load_file(h, path, &d), 0);
	check_tree(h);
	CHECK_STR(ffpf_hier_fs(h, ffpf_hier_root(h))->name, "app");
	CHECK_EQ_U(ffpf_hier_fs(h, ffpf_hier_find(h, "host"))->path, 0x0FFFFFFFu);
	CHECK_EQ_U(ffpf_hier_fs(h, ffpf_hier_find(h, "host"))->barrier, FFPF_BAR_SHM);
	CHECK_EQ_U(ffpf_hier_fs(h, ffpf_hier_find(h, "xdp@lo"))->path, 0x002FFFFFu);
	CHECK_EQ_U(plan(h, "s dev @lo; f bpf s; k callback f"), 0);
	CHECK_STR(where("f"), "xdp@lo");
	CHECK_STR(where("k"), "app");
	CHECK_EQ_U(path_of("k"), FFPF_PATH_ROOT);
	CHECK_STR(crossed("k"), "xdp@lo,kernel,host");
	/* never down again: host has count, but the packets are in the application now */
	CHECK_EQ_U((unsigned)-plan(h, "s dev @lo; f bpf s; k callback f; c count k"), EINVAL);
	CHECK_STR(g_d.msg, "function 'c' (class 'count'): app, the root, does not implement it, "
			   "and packets never go back down");
	ffpf_hier_free(h);
}

/* ---- the hierarchy file ---- */

static void test_file_fig2(void)
{
	struct ffpf_hier *h = with_file("fig2.hier", "lo");

	CHECK_EQ_U(ffpf_hier_count(h), 7);
	CHECK_EQ_U(ffpf_hier_fs(h, ffpf_hier_find(h, "dag0"))->path, 0x00FFFFFFu);
	CHECK_EQ_U(ffpf_hier_fs(h, ffpf_hier_find(h, "ixp0.me"))->path, 0x010FFFFFu);
	CHECK_EQ_U(ffpf_hier_fs(h, ffpf_hier_find(h, "juniper0"))->path, 0x1FFFFFFFu);
	CHECK_EQ_U(ffpf_hier_fs(h, ffpf_hier_find(h, "juniper0"))->strategies, FFPF_XFER_COPY_ONCE);
	CHECK_EQ_U(ffpf_hier_fs(h, ffpf_hier_find(h, "xdp@lo"))->path, 0x02FFFFFFu);
	CHECK_EQ_U(ffpf_hier_fs(h, ffpf_hier_find(h, "dag0"))->line, 17);
	/* DAG card and the router: a union of both filters in the host, the only common one */
	CHECK_EQ_U(plan(h, "a dev @dag0; b dev @juniper0; f bpf a; g bpf b; c count f g"), 0);
	CHECK_STR(where("f"), "dag0");
	CHECK_STR(where("g"), "juniper0");
	CHECK_STR(where("c"), "host");
	CHECK_STR(crossed("c"), "dag0,kernel,juniper0");
	ffpf_hier_free(h);
}

static void test_file_format_tree(void)
{
	struct ffpf_hier *h = with_file("fig4.hier", "lo");
	char *s = ffpf_hier_format(h), *p;

	CHECK_STR(s, "host  (host, root; classes: all)\n"
		     "`-- kernel  (kernel, path 0x0FFFFFFF; barrier af_packet: zero-copy,copy-once,"
		     "copy-on-demand; classes: bpf,count,bytes,sample,head)\n"
		     "    |-- ixp0  (sim, path 0x00FFFFFF; barrier pci: zero-copy,copy-once,"
		     "copy-on-demand; classes: bpf,count,bytes,sample,head)\n"
		     "    |   `-- ixp0.me  (sim, path 0x000FFFFF; barrier shm: zero-copy,copy-once,"
		     "copy-on-demand; classes: fpl,count,sample; devices: ixp0)\n"
		     "    |-- ixp1  (sim, path 0x01FFFFFF; barrier pci: zero-copy,copy-once,"
		     "copy-on-demand; classes: bpf,count,bytes,sample,head)\n"
		     "    |   `-- ixp1.me  (sim, path 0x010FFFFF; barrier shm: zero-copy,copy-once,"
		     "copy-on-demand; classes: fpl,count,sample; devices: ixp1)\n"
		     "    `-- xdp@lo  (xdp, path 0x02FFFFFF; barrier af_xdp: zero-copy,copy-once,"
		     "copy-on-demand; classes: bpf,count,bytes,sample,head; devices: lo)\n");
	free(s);
	CHECK_EQ_U(plan(h, "a dev @ixp0; b dev @ixp1; f bpf a b; c count f; p fpl c"), 0);
	p = ffpf_place_format(h, g_in, g_out, g_n);
	CHECK(p && strstr(p, "|     * f (bpf)  path 0x0FFFFFFF  <- ixp0.me(shm), ixp1.me(shm), "
			     "ixp0(pci), ixp1(pci)\n"));
	CHECK(p && strstr(p, "\n    |     * c (count)  path 0x0FFFFFFF  [up]\n"));
	CHECK(p && strstr(p, "host  (host, root; classes: all)\n|     * p (fpl)  path 0xFFFFFFFF  <- kernel(af_packet)\n"));
	CHECK(p && strstr(p, "ixp0)\n    |             * a (dev ixp0)  path 0x000FFFFF  [source, up]\n"));
	free(p);
	ffpf_hier_free(h);
}

/* Tuning discovery: a kernel without sampling, a device without XDP, an xdp@ shaped early. */
static void test_file_override(void)
{
	struct ffpf_hier *h = with_file("override.hier", NULL);
	int k = ffpf_hier_find(h, "kernel"), x = ffpf_hier_find(h, "xdp@eth0");
	const char *t = "flowspace xdp@lo kind=xdp parent=kernel classes=bpf\n";
	const char *devs[] = { "lo" };

	CHECK(!ffpf_hier_implements(h, k, "sample") && ffpf_hier_implements(h, k, "head"));
	CHECK_EQ_U(ffpf_hier_fs(h, k)->strategies, FFPF_XFER_COPY_ONCE);
	CHECK_EQ_U(ffpf_hier_entry(h, "eth1"), k);
	CHECK(x >= 0 && ffpf_hier_fs(h, x)->ndevs == 0);
	CHECK_EQ_U(plan(h, "s dev @eth1; f sample s; g bpf s"), 0);
	CHECK_STR(where("f"), "host");
	CHECK_STR(where("g"), "kernel");
	CHECK_EQ_U(path_of("g"), 0x0FFFFFFFu);
	/* a file-declared xdp@lo receives lo when the device is added */
	CHECK_EQ_U(ffpf_hier_load(h, t, strlen(t), "t.hier", &g_d), 0);
	CHECK_EQ_U(ffpf_hier_add_devices(h, devs, 1, &g_d), 0);
	CHECK_EQ_U(ffpf_hier_entry(h, "lo"), ffpf_hier_find(h, "xdp@lo"));
	CHECK_EQ_U(ffpf_hier_fs(h, ffpf_hier_find(h, "xdp@lo"))->path, 0x01FFFFFFu);
	CHECK_EQ_U(plan(h, "s dev @lo; f bpf s; c count f"), 0);
	CHECK_STR(where("f"), "xdp@lo");
	CHECK_STR(where("c"), "kernel");
	check_tree(h);
	ffpf_hier_free(h);
}

/* classes=, +=, -= and "all but". */
static void test_file_class_lists(void)
{
	struct ffpf_hier *h = base();
	struct ffpf_diag d;
	int k, host;
	const char *t = "# comment only line\n"
			"   \t\n"
			"flowspace kernel classes-=sample,head   # no sampling in this kernel\r\n"
			"flowspace host classes-=fpl,dump\n"
			"flowspace xdp@lo kind=xdp parent=kernel classes=BPF devices=lo\n";

	CHECK_EQ_U(ffpf_hier_load(h, t, strlen(t), "t.hier", &d), 0);
	k = ffpf_hier_find(h, "kernel");
	host = ffpf_hier_find(h, "host");
	CHECK(ffpf_hier_implements(h, k, "bpf") && !ffpf_hier_implements(h, k, "sample"));
	CHECK(!ffpf_hier_implements(h, host, "fpl") && ffpf_hier_implements(h, host, "count"));
	CHECK(ffpf_hier_implements(h, ffpf_hier_find(h, "xdp@lo"), "bpf"));
	t = "flowspace host classes+=fpl\nflowspace kernel classes+=all\n";
	CHECK_EQ_U(ffpf_hier_load(h, t, strlen(t), "t.hier", &d), 0);
	CHECK(ffpf_hier_implements(h, host, "fpl") && !ffpf_hier_implements(h, host, "dump"));
	CHECK(ffpf_hier_implements(h, k, "fpl"));
	t = "flowspace kernel classes-=all\n";
	CHECK_EQ_U(ffpf_hier_load(h, t, strlen(t), "t.hier", &d), 0);
	CHECK(!ffpf_hier_implements(h, k, "bpf"));
	CHECK_EQ_U(plan(h, "s dev @lo; f bpf s; c count f"), 0);
	CHECK_STR(where("f"), "xdp@lo");
	CHECK_STR(where("c"), "host");
	CHECK_EQ_U((unsigned)-plan(h, "s dev @lo; f bpf s; c dump f"), EINVAL);
	CHECK_STR(g_d.msg, "function 'c' (class 'dump'): no flowspace from xdp@lo up to host "
			   "implements it");
	ffpf_hier_free(h);
}

/* Strategies: defaults per barrier, an explicit subset, and what a barrier cannot do. */
static void test_file_strategies(void)
{
	struct ffpf_hier *h = with_text(
		"flowspace r kind=remote parent=host\n"
		"flowspace b kind=sim parent=kernel barrier=pci strategies=copy-on-demand\n"
		"flowspace kernel strategies-=zero-copy\n"
		"flowspace s kind=sim parent=host barrier=syscall\n");

	CHECK_EQ_U(ffpf_hier_fs(h, ffpf_hier_find(h, "r"))->barrier, FFPF_BAR_TCP);
	CHECK_EQ_U(ffpf_hier_fs(h, ffpf_hier_find(h, "r"))->strategies, FFPF_XFER_COPY_ONCE);
	CHECK_EQ_U(ffpf_hier_fs(h, ffpf_hier_find(h, "b"))->strategies, FFPF_XFER_COPY_ON_DEMAND);
	CHECK_EQ_U(ffpf_hier_fs(h, ffpf_hier_find(h, "kernel"))->strategies,
		   FFPF_XFER_COPY_ONCE | FFPF_XFER_COPY_ON_DEMAND);
	CHECK_EQ_U(ffpf_hier_fs(h, ffpf_hier_find(h, "s"))->strategies, FFPF_XFER_COPY_ONCE);
	load_err(h, "flowspace r strategies=zero-copy\n", -EINVAL, 1, 24,
		 "a tcp barrier cannot do zero-copy; it can do copy-once");
	load_err(h, "flowspace b strategies=\n", -EINVAL, 1, 24, "'b' needs at least one transfer");
	load_err(h, "flowspace b strategies=fast\n", -EINVAL, 1, 24, "unknown strategy 'fast'");
	load_err(h, "flowspace host barrier=shm\n", -EINVAL, 1, 16, "'host' is the root");
	ffpf_hier_free(h);
}

/* Syntax errors: each with its line and column. */
static void test_file_syntax_errors(void)
{
	struct ffpf_hier *h = base();

	load_err(h, "# ok\nflowspace ixp0 kind=sim parent=host colour=red\n", -EINVAL, 2, 37,
		 "unknown key 'colour'; expected kind, parent, barrier, strategies, classes or devices");
	load_err(h, "node x kind=sim\n", -EINVAL, 1, 1, "unknown directive 'node'; expected 'flowspace'");
	load_err(h, "flowspace\n", -EINVAL, 1, 10, "a flowspace name after 'flowspace'");
	load_err(h, "flowspace kind=sim parent=host\n", -EINVAL, 1, 11,
		 "expected a flowspace name after 'flowspace', before 'kind='");
	load_err(h, "flowspace x kind sim\n", -EINVAL, 1, 17, "'=', '+=' or '-=' after the key");
	load_err(h, "flowspace x kind=sim parent=host;\n", -EINVAL, 1, 33, "unexpected ';'");
	load_err(h, "flowspace x kind=sim,nic parent=host\n", -EINVAL, 1, 21,
		 "'kind' takes one value, not a list");
	load_err(h, "flowspace x kind+=sim parent=host\n", -EINVAL, 1, 17, "'kind' takes one value");
	load_err(h, "flowspace x kind=sim kind=nic parent=host\n", -EINVAL, 1, 22,
		 "'kind' is given twice on this line");
	load_err(h, "flowspace x kind=sim parent=host classes=bpf,,count\n", -EINVAL, 1, 46,
		 "empty item in 'classes'");
	load_err(h, "flowspace x kind=sim parent=host devices+=\n", -EINVAL, 1, 43,
		 "a list after '+=' or '-='");
	load_err(h, "flowspace x\x01 kind=sim\n", -EINVAL, 1, 12, "unexpected '\\x01'");
	load_err(h, "flowspace -x kind=sim parent=host\n", -EINVAL, 1, 11,
		 "flowspace name '-x' must start with a letter or digit");
	load_err(h, "\n\n  \tflowspace x kind=gpu parent=host\n", -EINVAL, 3, 21,
		 "unknown kind 'gpu'; expected app, host, kernel, xdp, nic, remote or sim");
	load_err(h, "flowspace x kind=sim parent=host barrier=usb\n", -EINVAL, 1, 42,
		 "unknown barrier 'usb'");
	ffpf_hier_free(h);
}

/* Meaning errors: unknown parent, cycles, duplicates, missing keys, roots. */
static void test_file_meaning_errors(void)
{
	struct ffpf_hier *h = with_text("flowspace ixp0 kind=sim parent=kernel devices=ixp0\n");
	struct ffpf_diag d;

	load_err(h, "flowspace b kind=sim parent=hots\n", -EINVAL, 1, 29, "unknown parent 'hots'");
	ffpf_hier_load(h, "flowspace b kind=sim parent=hots\n", 33, "t.hier", &d);
	CHECK(strstr(d.text, "hint: flowspaces so far: host, kernel, ixp0") != NULL);
	CHECK(strstr(d.text, "  flowspace b kind=sim parent=hots\n") != NULL);
	CHECK(strstr(d.text, "\n                              ^~~~\n") != NULL);
	load_err(h, "flowspace c kind=sim parent=d\nflowspace d kind=sim parent=host\n", -EINVAL,
		 1, 29, "unknown parent 'd'");
	load_err(h, "flowspace kernel parent=ixp0\n", -EINVAL, 1, 25,
		 "parent 'ixp0' would make a cycle: 'kernel' is above it");
	load_err(h, "flowspace ixp0 parent=ixp0\n", -EINVAL, 1, 23, "'ixp0' is itself");
	load_err(h, "flowspace b kind=sim parent=host\nflowspace b classes=bpf\n", -EINVAL, 2, 11,
		 "flowspace 'b' is declared twice; first at line 1");
	load_err(h, "flowspace b parent=host\n", -EINVAL, 1, 11, "new flowspace 'b' needs kind=");
	load_err(h, "flowspace b kind=sim\n", -EINVAL, 1, 11, "new flowspace 'b' needs parent=");
	load_err(h, "flowspace a kind=app parent=host\n", -EINVAL, 1, 18,
		 "an app flowspace must be the root");
	load_err(h, "flowspace a kind=app\n", -EINVAL, 1, 11, "two roots, 'a' and 'host'");
	load_err(h, "flowspace kernel kind=app\n", -EINVAL, 1, 23, "an app flowspace must be the root");
	load_err(h, "flowspace b kind=sim parent=host devices=ixp0\nflowspace c kind=sim "
		 "parent=host devices=ixp0\n", -EINVAL, 2, 42,
		 "device 'ixp0' already enters at 'b' (line 1)");
	load_err(h, "flowspace b kind=sim parent=host devices=q,q\n", -EINVAL, 1, 44,
		 "device 'q' is listed twice");
	load_err(h, "flowspace ixp0 devices-=eth0\n", -EINVAL, 1, 25,
		 "device 'eth0' does not enter at 'ixp0'");
	load_err(h, "flowspace kernel classes-=fpl\n", -EINVAL, 1, 27,
		 "'kernel' does not implement 'fpl'");
	load_err(h, "flowspace kernel classes=bpf,all\n", -EINVAL, 1, 30, "'all' stands alone");
	load_err(h, "flowspace kernel classes=bpf,bpf\n", -EINVAL, 1, 30, "'bpf' is listed twice");
	load_err(h, "flowspace abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij kind=sim\n",
		 -E2BIG, 1, 11, "flowspace name is 50 bytes long; at most 47");
	load_err(h, "flowspace b kind=sim parent=host devices=abcdefghijklmnopq\n", -E2BIG, 1, 42,
		 "device name 'abcdefghijklmnopq' is 17 bytes long; at most 15");
	ffpf_hier_free(h);
}

static void test_file_known_classes(void)
{
	const char *known[] = { "bpf", "count", "fpl" };
	struct ffpf_hier *h = base();

	CHECK_EQ_U(ffpf_hier_set_known_classes(h, known, 3), 0);
	load_err(h, "flowspace x kind=sim parent=host classes=bpf,cuont\n", -EINVAL, 1, 46,
		 "unknown class 'cuont'");
	CHECK_EQ_U(ffpf_hier_load(h, "flowspace x kind=sim parent=host classes=BPF,all\n", 48,
				  "t", &g_d), -EINVAL);
	CHECK_EQ_U(ffpf_hier_load(h, "flowspace x kind=sim parent=host classes=Count,fpl\n", 50,
				  "t", &g_d), 0);
	CHECK(ffpf_hier_implements(h, ffpf_hier_find(h, "x"), "count"));
	ffpf_hier_free(h);
}

/* The path field's limits: 8 levels below the root, 15 children (branches 0x0..0xE). */
static void test_limits_depth(void)
{
	char text[1024];
	size_t n = 0;
	struct ffpf_hier *h;

	n += (size_t)snprintf(text + n, sizeof text - n, "flowspace d1 kind=sim parent=host\n");
	for (int i = 2; i <= 7; i++)
		n += (size_t)snprintf(text + n, sizeof text - n,
				      "flowspace d%d kind=sim parent=d%d\n", i, i - 1);
	snprintf(text + n, sizeof text - n, "flowspace d8 kind=sim parent=d7 classes=frob "
		 "devices=deep0\n");
	h = with_text(text);
	CHECK_EQ_U(ffpf_hier_fs(h, ffpf_hier_find(h, "d8"))->depth, 8);
	CHECK_EQ_U(ffpf_hier_fs(h, ffpf_hier_find(h, "d8"))->path, 0x10000000u); /* no 0xF left */
	CHECK_EQ_U(plan(h, "s dev @deep0; f frob s; c count f"), 0);
	CHECK_STR(where("f"), "d8");
	CHECK_EQ_U(path_of("f"), 0x10000000u);
	CHECK_STR(where("c"), "host");
	CHECK_EQ_U(out_of("c")->ncross, 8);
	load_err(h, "flowspace d9 kind=sim parent=d8\n", -E2BIG, 1, 30,
		 "'d9' would reach level 9 below the root; at most 8");
	load_err(h, "flowspace d1 parent=kernel\n", -E2BIG, 1, 21,
		 "'d1' would reach level 9 below the root");
	ffpf_hier_free(h);
}

static void test_limits_file(void)
{
	struct ffpf_hier *h = with_file("limits.hier", NULL);

	CHECK_EQ_U(ffpf_hier_fs(h, ffpf_hier_find(h, "l8"))->path, 0x10000000u);
	CHECK_EQ_U(ffpf_hier_fs(h, ffpf_hier_find(h, "w14"))->path, 0xEFFFFFFFu);
	CHECK_EQ_U(plan(h, "a dev @deep0; b dev @wide0; f bpf a; c count f b"), 0);
	CHECK_STR(where("f"), "l8");
	CHECK_STR(where("c"), "host");
	load_err(h, "flowspace l9 kind=sim parent=l8\n", -E2BIG, 1, 30, "level 9");
	load_err(h, "flowspace w15 kind=sim parent=host\n", -E2BIG, 1, 31, "15 children");
	ffpf_hier_free(h);
}

static void test_limits_children(void)
{
	char text[2048];
	size_t n = 0;
	struct ffpf_hier *h;
	const char *devs[] = { "lo" };

	for (int i = 1; i <= 14; i++)
		n += (size_t)snprintf(text + n, sizeof text - n,
				      "flowspace b%d kind=sim parent=host devices=b%d\n", i, i);
	h = with_text(text);
	CHECK_EQ_U(ffpf_hier_fs(h, ffpf_hier_root(h))->nkids, 15);
	CHECK_EQ_U(ffpf_hier_fs(h, ffpf_hier_find(h, "b14"))->path, 0xEFFFFFFFu);
	CHECK_EQ_U(plan(h, "s dev @b14; t dev @b1; f count s t"), 0);
	CHECK_EQ_U(path_of("s"), 0xEFFFFFFFu);
	CHECK_STR(where("f"), "host");
	load_err(h, "# 16th\nflowspace b15 kind=sim parent=host\n", -E2BIG, 2, 31,
		 "'host' already has 15 children; at most 15");
	/* moving one of them is fine: it is not a new child */
	CHECK_EQ_U(ffpf_hier_load(h, "flowspace b1 parent=host\n", 25, "t", &g_d), 0);
	/* 15 under kernel leave no room for a discovered xdp@lo */
	n = 0;
	for (int i = 1; i <= 15; i++)
		n += (size_t)snprintf(text + n, sizeof text - n,
				      "flowspace k%d kind=sim parent=kernel\n", i);
	ffpf_hier_free(h);
	h = with_text(text);
	CHECK_EQ_U(ffpf_hier_add_devices(h, devs, 1, &g_d), -E2BIG);
	CHECK(strstr(g_d.msg, "cannot add 'xdp@lo'") != NULL);
	CHECK_EQ_U(ffpf_hier_find(h, "xdp@lo"), -1);
	ffpf_hier_free(h);
}

/* The other limits: 64 flowspaces, 32 classes and 16 devices in one flowspace. */
static void test_limits_sizes(void)
{
	static char text[8192];
	size_t n = 0, col;
	struct ffpf_hier *h = base();

	for (int g = 1; g <= 4; g++) {
		n += (size_t)snprintf(text + n, sizeof text - n, "flowspace g%d kind=sim parent=host\n", g);
		for (int j = 1; j <= 15; j++)
			n += (size_t)snprintf(text + n, sizeof text - n,
					      "flowspace g%d_%d kind=sim parent=g%d\n", g, j, g);
	}
	load_err(h, text, -E2BIG, 63, 11, "too many flowspaces; at most 64");
	n = (size_t)snprintf(text, sizeof text, "flowspace kernel classes=");
	for (int c = 1; c <= 33; c++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%sc%02d", c > 1 ? "," : "", c);
	col = n - 2;
	snprintf(text + n, sizeof text - n, "\n");
	load_err(h, text, -E2BIG, 1, (unsigned)col, "'kernel' lists more than 32 classes");
	n = (size_t)snprintf(text, sizeof text, "flowspace kernel devices=");
	for (int c = 1; c <= 17; c++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%sd%02d", c > 1 ? "," : "", c);
	col = n - 2;
	snprintf(text + n, sizeof text - n, "\n");
	load_err(h, text, -E2BIG, 1, (unsigned)col, "'kernel' receives more than 16 devices");
	ffpf_hier_free(h);
}

static void test_file_io_errors(void)
{
	struct ffpf_hier *h = base();
	struct ffpf_diag d;

	CHECK_EQ_U(ffpf_hier_load_file(h, "/nonexistent/x.hier", &d), -ENOENT);
	CHECK_STR(d.msg, "cannot read hierarchy file '/nonexistent/x.hier': No such file or directory");
	CHECK_EQ_U(ffpf_hier_load(h, NULL, 0, NULL, &d), 0);
	CHECK_EQ_U(ffpf_hier_load(h, "x", FFPF_HIER_MAX_INPUT + 1, NULL, &d), -E2BIG);
	CHECK_EQ_U(ffpf_hier_load(NULL, "", 0, NULL, NULL), -EINVAL);
	ffpf_hier_free(h);
}

/* Random lines built from the format's own words must never crash, and a successful load must
 * leave a well-formed tree (the fuzzer does this at scale). */
static void test_random_lines(void)
{
	static const char *const w[] = {
		"flowspace ", "x ", "y ", "host ", "kernel ", "kind=", "sim ", "app ", "parent=",
		"barrier=", "tcp ", "pci ", "strategies=", "zero-copy", ",", "classes=", "classes-=",
		"classes+=", "all ", "bpf ", "devices=", "devices-=", "d0 ", "lo ", "\n", "#", " ",
		"=", "xdp@lo ", "copy-once ", "\r\n", "\t", "\xff"
	};
	unsigned seed = 12345;
	struct ffpf_hier *h = base();

	for (int iter = 0; iter < 3000; iter++) {
		char text[512];
		size_t n = 0;
		int rc;
		for (int k = 0; k < 24; k++) {
			seed = seed * 1103515245u + 12345u;
			n += (size_t)snprintf(text + n, sizeof text - n, "%s",
					      w[(seed >> 16) % (sizeof w / sizeof w[0])]);
		}
		rc = ffpf_hier_load(h, text, n, "r", &g_d);
		CHECK(rc == 0 || rc == -EINVAL || rc == -E2BIG);
		if (rc)
			CHECK(g_d.msg[0] != '\0');
		if (iter % 100 == 0) {
			ffpf_hier_free(h);
			h = base();
		}
	}
	check_tree(h);
	ffpf_hier_free(h);
}

int main(void)
{
	test_path_helpers();
	test_discover_base();
	test_discover_device();
	test_discover_errors();
	test_device_moves();
	test_device_to_sim();
	test_lowest_level_first();
	test_bubble_up();
	test_never_down_again();
	test_file_source_at_root();
	test_two_boards_kernel();
	test_two_boards_bubble();
	test_two_boards_on_host();
	test_meet_within_board();
	test_diamond();
	test_diamond_split();
	test_fig4_mixed();
	test_fig9();
	test_unimplementable();
	test_place_input_errors();
	test_between();
	test_app_root();
	test_file_fig2();
	test_file_format_tree();
	test_file_override();
	test_file_class_lists();
	test_file_strategies();
	test_file_syntax_errors();
	test_file_meaning_errors();
	test_file_known_classes();
	test_limits_depth();
	test_limits_children();
	test_limits_file();
	test_limits_sizes();
	test_file_io_errors();
	test_random_lines();
	return tl_done("test_place");
}
