/* placement.c — the flowgraph mapped onto the flowspace hierarchy (paper §II): this machine's
 * tree (host > kernel > xdp@DEV per device used), a hierarchy file on top (simulated boards,
 * other class lists), and each function placed by the path-field rules of src/place/.  The
 * tree is what kern/offload.c starts from to decide where functions really run; the text is
 * the placement section of `ffpf plan`. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ffpf_int.h"
#include "place/place.h"
#include "util/strbuf.h"

/* The devices the request's live sources capture on (dev class), deduplicated. */
static unsigned devices(const struct ffpf *f, const char **out, unsigned max)
{
	unsigned n = 0;
	for (unsigned i = 0; i < f->nfn; i++) {
		const char *d;
		int dup = 0;
		if (strcmp(f->fn[i]->cls->name, "dev"))
			continue;
		d = ffpf_arg_str(f->fn[i]->args, "expr");
		for (unsigned k = 0; k < n; k++)
			dup |= !strcmp(out[k], d);
		if (!dup && n < max)
			out[n++] = d;
	}
	return n;
}

struct ffpf_hier *ffpf_build_hier(const struct ffpf *f, struct ffpf_diag *d)
{
	const char *devs[FFPF_HIER_MAX_FS], *names[64], *ebpf[FFPF_HIER_MAX_CLASSES];
	unsigned ndev = devices(f, devs, FFPF_HIER_MAX_FS), nc = 0, ne = 0;
	struct ffpf_hier *h = ffpf_hier_discover(NULL, 0, d);

	if (!h)
		return NULL;
	for (unsigned i = 0; i < ffpf_class_count() && nc < 64; i++) {
		names[nc++] = ffpf_class_at(i)->name;
		if ((ffpf_class_at(i)->flags & FFPF_CLASS_EBPF) && ne < FFPF_HIER_MAX_CLASSES)
			ebpf[ne++] = ffpf_class_at(i)->name; /* what the kernel and XDP can run */
	}
	ffpf_hier_set_known_classes(h, names, nc);
	ffpf_hier_set_ebpf_classes(h, ebpf, ne);
	if ((f->opts.hierarchy && ffpf_hier_load_file(h, f->opts.hierarchy, d)) ||
	    ffpf_hier_add_devices(h, devs, ndev, d)) {
		ffpf_hier_free(h);
		return NULL;
	}
	return h;
}

int ffpf_placement(const struct ffpf *f, struct strbuf *sb)
{
	struct ffpf_place_in *in = calloc(f->nfn ? f->nfn : 1, sizeof(*in));
	struct ffpf_place_out *out = calloc(f->nfn ? f->nfn : 1, sizeof(*out));
	struct ffpf_diag d;
	struct ffpf_hier *h = NULL;
	int rc = -ENOMEM;

	if (!in || !out)
		goto done;
	h = ffpf_build_hier(f, &d);
	if (!h) {
		sb_printf(sb, "placement: %s", d.text);
		rc = -EINVAL;
		goto done;
	}
	for (unsigned i = 0; i < f->nfn; i++) {
		const struct ffpf_fn *fn = f->fn[i];
		in[i].name = fn->name;
		in[i].cls = fn->cls->name;
		in[i].inputs = fn->inputs;
		in[i].ninputs = fn->ninputs;
		in[i].dev = strcmp(fn->cls->name, "dev") ? NULL : ffpf_arg_str(fn->args, "expr");
	}
	rc = ffpf_place(h, in, f->nfn, out, &d);
	if (rc) {
		sb_printf(sb, "placement: %s", d.text);
		goto done;
	}
	char *t = ffpf_place_format(h, in, out, f->nfn);
	sb_puts(sb, "placement (paper §II: lowest flowspace first, up at most once, lowest common "
		    "successor):\n");
	sb_puts(sb, t ? t : "");
	free(t);
done:
	ffpf_hier_free(h);
	free(in);
	free(out);
	return rc;
}
