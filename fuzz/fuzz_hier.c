/* fuzz_hier.c — libFuzzer target for the hierarchy-file parser, the tree it builds and placement. */

/* The last byte picks the starting tree — discovery alone, with two boards and a NIC loaded
 * (bit 0), or at the limits of depth and width (bit 4) — whether the class registry is known
 * (bit 1), and how the rest is read: as the hierarchy file itself, or (bit 2) one token of the
 * format per byte, so the fuzzer reaches cycles, limits and device moves without rediscovering
 * the syntax.  The last byte rather than the first, so that a hierarchy file (ending in '\n':
 * raw text, registry known) is itself a good seed.
 * A failed load must leave a well-formed diagnostic whose line:col matches its byte offset, and
 * the tree untouched.  A successful one must leave a strict tree within the path field's
 * limits, and a flowgraph placed on it must obey rules A-C. */
#include "place/hier.h"
#include "place/place.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const known[] = { "bpf", "count", "bytes", "sample", "head", "dump", "fpl" };
static const char boards[] =
	"flowspace ixp0 kind=sim parent=kernel classes=bpf,count\n"
	"flowspace ixp0.me kind=sim parent=ixp0 classes=fpl,count devices=ixp0\n"
	"flowspace ixp1 kind=sim parent=kernel classes=bpf,count devices=ixp1\n"
	"flowspace xdp@eth0 kind=xdp parent=kernel classes=bpf,count,sample devices=eth0\n";

/* Pieces of hierarchy files: names, each key with typical values, line ends. */
static const char *const tokens[] = {
	"flowspace ", "a ", "b ", "c ", "d ", "host ", "kernel ", "ixp0 ", "ixp0.me ", "xdp@eth0 ",
	"app ", "kind=sim ", "kind=app ", "kind=xdp ", "kind=remote ", "kind=nic ", "kind=host ",
	"parent=host ", "parent=kernel ", "parent=a ", "parent=b ", "parent=c ", "parent=d ",
	"parent=ixp0 ", "parent=ixp0.me ", "parent=app ", "barrier=tcp ", "barrier=pci ",
	"barrier=shm ", "barrier=syscall ", "strategies=zero-copy ", "strategies-=copy-once ",
	"strategies+=copy-on-demand ", "strategies= ", "classes=bpf,count ", "classes-=bpf ",
	"classes+=all ", "classes=all ", "classes-=all ", "classes=fpl ", "classes+=dump ",
	"classes-=count ", "devices=eth0 ", "devices=ixp0,ixp1 ", "devices-=eth0 ", "devices+=d0 ",
	"devices= ", "devices+=ixp0 ", "\n", "\n", "\n", "# c\n", "=", ",", "\t", "\r\n", "x"
};

/* One token per byte into a malloc'd text; *len gets its length.  Bytes below 0x80 pick from
 * tokens[]; 0x80-0xBF name one of 64 flowspaces "nX "; 0xC0-0xFF start a new line declaring one,
 * whose parent the next byte names: that is how chains 8 deep and 15 wide get built. */
static char *detokenize(const uint8_t *data, size_t size, size_t *len)
{
	const size_t nt = sizeof tokens / sizeof tokens[0];
	char *t = malloc(size * 48 + 1);
	size_t n = 0;
	if (!t)
		abort();
	for (size_t i = 0; i < size; i++) {
		unsigned b = data[i];
		if (b < 0x80)
			n += (size_t)sprintf(t + n, "%s", tokens[b % nt]);
		else if (b < 0xC0)
			n += (size_t)sprintf(t + n, "n%u ", b & 0x3F);
		else
			n += (size_t)sprintf(t + n, "\nflowspace n%u kind=sim parent=", b & 0x3F);
	}
	*len = n;
	return t;
}

/* A tree at both limits of the path field: l8 is 8 levels down, host has 15 children.  One
 * more of either is an error, which random bytes would hardly ever build by themselves. */
static void load_limits(struct ffpf_hier *h)
{
	char t[2048];
	size_t n = 0;
	struct ffpf_diag d;

	n += (size_t)snprintf(t + n, sizeof t - n, "flowspace l1 kind=sim parent=host\n");
	for (int i = 2; i <= 8; i++)
		n += (size_t)snprintf(t + n, sizeof t - n, "flowspace l%d kind=sim parent=l%d "
				      "devices=dl%d\n", i, i - 1, i);
	for (int i = 2; i <= 14; i++)
		n += (size_t)snprintf(t + n, sizeof t - n, "flowspace w%d kind=sim parent=host "
				      "classes=count\n", i);
	if (ffpf_hier_load(h, t, n, "limits", &d))
		abort();
}

static void check_diag(const struct ffpf_diag *d, const char *src, size_t size, int rc)
{
	struct ffpf_loc l;
	if (rc != -EINVAL && rc != -E2BIG)
		abort();
	if (!memchr(d->msg, '\0', sizeof d->msg) || !memchr(d->text, '\0', sizeof d->text))
		abort();
	if (!d->msg[0] || strncmp(d->text, "fuzz:", 5) != 0 || d->loc.off > size)
		abort();
	l = ffpf_loc_at(src, size, d->loc.off);
	if (l.line != d->loc.line || l.col != d->loc.col)
		abort();
}

static void check_tree(const struct ffpf_hier *h)
{
	unsigned roots = 0, n = ffpf_hier_count(h);
	if (!n || n > FFPF_HIER_MAX_FS)
		abort();
	for (unsigned i = 0; i < n; i++) {
		const struct ffpf_flowspace *f = ffpf_hier_fs(h, (int)i);
		roots += f->parent < 0;
		if (f->nkids > FFPF_HIER_MAX_KIDS || f->depth > FFPF_HIER_MAX_DEPTH)
			abort();
		if ((f->parent < 0) != (f->barrier == FFPF_BAR_NONE) || (f->parent >= 0 && !f->strategies))
			abort();
		if (f->kind == FFPF_FS_APP && f->parent >= 0)
			abort();
		for (unsigned k = 0; k < f->nkids; k++)
			if (ffpf_hier_fs(h, f->kids[k])->parent != (int)i)
				abort();
		if (f->parent >= 0 && ffpf_path_cut(f->path, f->depth - 1) !=
		    ffpf_hier_fs(h, f->parent)->path)
			abort();
		for (unsigned k = 0; k < f->ndevs; k++)
			if (ffpf_hier_entry(h, f->devs[k]) != (int)i)
				abort(); /* a device enters at one flowspace */
	}
	if (roots != 1)
		abort();
}

/* o->low is the lowest flowspace above all inputs: no child of it is above them all. */
static int lowest_meet(const struct ffpf_hier *h, const struct ffpf_place_in *in,
		       const struct ffpf_place_out *out, size_t i)
{
	const struct ffpf_flowspace *low = ffpf_hier_fs(h, out[i].low);
	for (unsigned c = 0; c < low->nkids; c++) {
		unsigned under = 0;
		for (unsigned k = 0; k < in[i].ninputs; k++)
			under += (unsigned)ffpf_hier_above(h, low->kids[c], out[in[i].inputs[k]].fs);
		if (under == in[i].ninputs)
			return 0;
	}
	return 1;
}

/* Rules A-C on one function: it sits at or above where its inputs meet, at the first flowspace
 * on the way up that implements its class, and its path is that flowspace's route. */
static void check_fn(const struct ffpf_hier *h, const struct ffpf_place_in *in,
		     const struct ffpf_place_out *out, size_t i)
{
	const struct ffpf_place_out *o = &out[i];
	if (o->path != ffpf_hier_fs(h, o->fs)->path || !ffpf_hier_above(h, o->fs, o->low))
		abort();
	for (unsigned k = 0; k < in[i].ninputs; k++)
		if (!ffpf_hier_above(h, o->low, out[in[i].inputs[k]].fs))
			abort();
	if (!in[i].ninputs)
		return;
	if (!lowest_meet(h, in, out, i))
		abort();
	if (!ffpf_hier_implements(h, o->fs, in[i].cls))
		abort();
	for (int x = o->low; x != o->fs; x = ffpf_hier_fs(h, x)->parent)
		if (ffpf_hier_implements(h, x, in[i].cls))
			abort();
}

/* A small flowgraph over every device of the tree plus a trace file: a filter and a counter
 * after each source, and a function joining all the filters. */
static void check_placement(const struct ffpf_hier *h)
{
	struct ffpf_place_in in[200];
	struct ffpf_place_out out[200];
	unsigned inputs[200][1], join[64], nsrc = 0, nj = 0;
	size_t n = 0;
	struct ffpf_diag d;

	in[n++] = (struct ffpf_place_in){ "file", "file", NULL, 0, NULL };
	for (unsigned i = 0; i < ffpf_hier_count(h) && n < 61; i++)
		for (unsigned k = 0; k < ffpf_hier_fs(h, (int)i)->ndevs && n < 61; k++)
			in[n++] = (struct ffpf_place_in){ "src", "dev", NULL, 0,
							  ffpf_hier_fs(h, (int)i)->devs[k] };
	nsrc = (unsigned)n;
	for (unsigned s = 0; s < nsrc; s++) {
		inputs[n][0] = s;
		in[n] = (struct ffpf_place_in){ "f", s % 2 ? "bpf" : "fpl", inputs[n], 1, NULL };
		if (nj < 64)
			join[nj++] = (unsigned)n;
		n++;
		inputs[n][0] = (unsigned)n - 1;
		in[n] = (struct ffpf_place_in){ "c", "count", inputs[n], 1, NULL };
		n++;
	}
	in[n++] = (struct ffpf_place_in){ "j", "count", join, nj, NULL };
	if (ffpf_place(h, in, n, out, &d) != 0) {
		if (!d.msg[0])
			abort();
		return; /* a class nobody above implements: a proper error */
	}
	for (size_t i = 0; i < n; i++)
		check_fn(h, in, out, i);
	free(ffpf_place_format(h, in, out, n));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ffpf_hier *h = ffpf_hier_discover(NULL, 0, NULL);
	struct ffpf_diag d;
	const char *src = (const char *)data;
	size_t len = size ? size - 1 : 0;
	unsigned mode = size ? data[size - 1] : 0;
	char *before, *after, *text = NULL;
	int rc;

	if (!h)
		abort();
	if ((mode & 1) && ffpf_hier_load(h, boards, strlen(boards), "boards", &d))
		abort();
	if (mode & 0x10)
		load_limits(h);
	if (mode & 2)
		ffpf_hier_set_known_classes(h, known, sizeof known / sizeof known[0]);
	if (mode & 4)
		src = text = detokenize(data, len, &len);
	before = ffpf_hier_format(h);
	rc = ffpf_hier_load(h, src, len, "fuzz", &d);
	after = ffpf_hier_format(h);
	if (!before || !after)
		abort();
	if (rc) {
		check_diag(&d, src, len, rc);
		if (strcmp(before, after) != 0)
			abort(); /* all or nothing */
	}
	check_tree(h);
	check_placement(h);
	free(before);
	free(after);
	free(text);
	ffpf_hier_free(h);
	return 0;
}
