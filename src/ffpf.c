/* ffpf.c — the library handle and its lifecycle: create → populate → instantiate → activate →
 * step/run → close.  Populate lives in graph/build.c, the datapath in engine/engine.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ffpf_int.h"
#include "kern/offload.h"
#include "daemon/client.h"
#include "codegen/cc.h"

#define DEFAULT_PBUF_SLOTS 1024
#define DEFAULT_EXPORT_SLOTS 65536

int ffpf_fail(struct ffpf *f, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->err, sizeof(f->err), fmt, ap);
	va_end(ap);
	if (f->opts.log)
		f->opts.log(f->opts.log_ctx, f->err);
	errno = -rc;
	return rc;
}

struct ffpf *ffpf_create(const struct ffpf_opts *opts)
{
	struct ffpf *f = calloc(1, sizeof(*f));
	if (!f)
		return errno = ENOMEM, NULL;
	if (opts) {
		size_t n = opts->sz < sizeof(f->opts) ? opts->sz : sizeof(f->opts);
		memcpy(&f->opts, opts, n); /* older callers pass a shorter struct */
	}
	f->opts.sz = sizeof(f->opts);
	if (!f->opts.pbuf_slots)
		f->opts.pbuf_slots = DEFAULT_PBUF_SLOTS;
	if (!f->opts.export_slots)
		f->opts.export_slots = DEFAULT_EXPORT_SLOTS;
	f->state = FFPF_S_POPULATING;
	if (ffpf_remote_open(f)) /* asked for a daemon that is not there: every call says so */
		f->state = FFPF_S_FAILED;
	return f;
}

int ffpf_default_source(struct ffpf *f, const char *element)
{
	char **v;
	if (!f || !element)
		return errno = EINVAL, -EINVAL;
	if (f->ndefaults >= 16)
		return ffpf_fail(f, -E2BIG, "at most 16 default sources (-r) are supported");
	v = realloc(f->defaults, (f->ndefaults + 1) * sizeof(*v));
	if (!v)
		return ffpf_fail(f, -ENOMEM, "out of memory");
	f->defaults = v;
	if (!(v[f->ndefaults] = strdup(element)))
		return ffpf_fail(f, -ENOMEM, "out of memory");
	f->ndefaults++;
	return 0;
}

int ffpf_instantiate(struct ffpf *f)
{
	int rc;
	if (!f)
		return errno = EINVAL, -EINVAL;
	if (f->state != FFPF_S_POPULATING)
		return ffpf_fail(f, -EBUSY, "instantiate: already done");
	if (!f->nfn && !(f->remote && ffpf_remote_count(f)))
		return ffpf_fail(f, -EINVAL, "instantiate: the flowgraph is empty; populate it first");
	rc = f->remote ? 0 : ffpf_engine_instantiate(f); /* a daemon's functions run already */
	if (rc) {
		f->state = FFPF_S_FAILED;
		return rc;
	}
	f->state = FFPF_S_INSTANTIATED;
	return 0;
}

int ffpf_activate(struct ffpf *f)
{
	int rc;
	if (!f)
		return errno = EINVAL, -EINVAL;
	if (f->state != FFPF_S_INSTANTIATED)
		return ffpf_fail(f, -EINVAL, "activate: instantiate the flowgraph first");
	if (!f->remote && (rc = ffpf_engine_activate(f)))
		return rc;
	f->state = FFPF_S_ACTIVE;
	return 0;
}

int ffpf_step(struct ffpf *f)
{
	int rc;
	if (!f)
		return errno = EINVAL, -EINVAL;
	if (f->state == FFPF_S_DONE)
		return 0;
	if (f->state == FFPF_S_FAILED)
		return ffpf_fail(f, -EIO, "%s", f->err);
	if (f->state != FFPF_S_ACTIVE)
		return ffpf_fail(f, -EINVAL, "step: activate the flowgraph first");
	if (f->remote) { /* the daemon runs it: wait, watch the daemon, refresh the results */
		rc = ffpf_remote_step(f);
		if (rc < 0)
			f->state = FFPF_S_FAILED;
		return rc;
	}
	rc = ffpf_engine_step(f);
	if (rc == 0)
		rc = ffpf_engine_finish(f);
	else if (rc > 0)
		return rc;
	f->state = rc ? FFPF_S_FAILED : FFPF_S_DONE;
	return rc;
}

int ffpf_run(struct ffpf *f)
{
	int rc;
	while ((rc = ffpf_step(f)) > 0)
		if (f->stop) {
			f->stop = 0; /* a later ffpf_run() goes on */
			return ffpf_fail(f, -EINTR, "stopped before the end of input");
		}
	return rc;
}

int ffpf_finish(struct ffpf *f)
{
	int rc;
	if (!f)
		return errno = EINVAL, -EINVAL;
	if (f->state == FFPF_S_DONE)
		return 0;
	if (f->state != FFPF_S_ACTIVE)
		return ffpf_fail(f, -EINVAL, "finish: the flowgraph is not running");
	rc = f->remote ? ffpf_remote_finish(f) : ffpf_engine_finish(f);
	f->state = rc ? FFPF_S_FAILED : FFPF_S_DONE;
	return rc;
}

void ffpf_stop(struct ffpf *f)
{
	if (f)
		f->stop = 1;
}

int ffpf_stopped(const struct ffpf *f)
{
	return f ? f->stop : 0;
}

int ffpf_served(const struct ffpf *f)
{
	return f && f->remote;
}

const char *ffpf_errmsg(const struct ffpf *f)
{
	return f ? f->err : "no handle";
}

void ffpf_close(struct ffpf *f)
{
	if (!f)
		return;
	ffpf_remote_close(f);
	ffpf_offload_close(f); /* detach first: the MBufs go back to the functions */
	for (unsigned i = f->nfn; i-- > 0;)
		ffpf_fn_free(f->fn[i]);
	for (unsigned i = 0; f->reach && i < f->nreach; i++)
		free(f->reach[i].ids);
	for (unsigned s = 0; s < f->nstages; s++) {
		free(f->stages[s].ids);
		free(f->stages[s].ext);
		free(f->stages[s].io.mem);
		free(f->stages[s].io.ext);
		free(f->stages[s].io.xctx);
	}
	free(f->stages);
	free(f->unit_src);
	ffpf_cc_unload(f->unit);
	for (unsigned i = 0; i < f->ndefaults; i++)
		free(f->defaults[i]);
	free(f->defaults);
	free(f->reach);
	free(f->fn);
	free(f->batch);
	free(f);
}

const char *ffpf_version(void)
{
	return "0.1.0";
}
