/* ffpf_int.h — the library handle: the flowgraph, its sources and the run state. */
#ifndef FFPF_INT_H
#define FFPF_INT_H

#include <ffpf/ffpf.h>
#include <signal.h>
#include "graph/fn.h"
#include "codegen/unit.h"

enum ffpf_state { FFPF_S_POPULATING, FFPF_S_INSTANTIATED, FFPF_S_ACTIVE, FFPF_S_DONE, FFPF_S_FAILED };

/* Per source: the functions its batches reach, in topological order (computed at activate). */
struct ffpf_reach {
	int *ids;     /* function id (>= 0), or fused stage s as -(s + 1) */
	unsigned n;
};

struct ffpf {
	struct ffpf_opts opts;
	enum ffpf_state state;
	struct ffpf_fn **fn;          /* all functions; index == id == topological order */
	unsigned nfn, capfn;
	unsigned nrequests;
	char **defaults;              /* default source elements (ffpf_default_source) */
	unsigned ndefaults;
	struct ffpf_reach *reach;     /* per source id: the steps its batches run */
	unsigned nreach;              /* entries of reach (nfn when it was computed) */
	struct ffpf_stage *stages;    /* fused C stages (codegen) */
	unsigned nstages;
	void *unit;                   /* the loaded unit (dlopen handle), or NULL */
	char unit_why[512];           /* why nothing is compiled, when nothing is */
	char *unit_src;               /* the generated C (kept for --emit-c) */
	struct ffpf_batch *batch;     /* the batch being processed (allocated at instantiate) */
	uint64_t nbatch;              /* batches processed */
	uint64_t packets;             /* packets read from all sources */
	uint64_t up;                  /* of those, packets that came up from kernel/XDP programs */
	uint64_t waits;               /* times the engine slept in poll() (all live sources idle) */
	uint64_t switches;            /* changes between waiting and busy processing */
	int busy;
	struct ffpf_offload *off;     /* per live device with offloaded functions (kern/offload.h) */
	unsigned noff;
	uint32_t mark[FFPF_BATCH_MAX];/* per packet of the batch: the marks it came up with */
	volatile sig_atomic_t stop;
	struct ffpf_remote *remote;   /* served by ffpfd (daemon/client.h), or NULL: in-process */
	int live;                     /* a daemon's graph: requests are added while it runs */
	int nowait;                   /* ffpf_engine_step returns 2 instead of waiting when idle */
	const char *label_ns;         /* live graphs: labels of the next request are this app's */
	const char *no_dev;           /* live graphs: why the next request may not capture, or NULL */
	int defer_compile;            /* live graphs: leave compiling to ffpf_engine_recompile() */
	int need_compile;             /* ... which has something to do */
	uint64_t synced_ns;           /* when the kernel programs' counters were last read */
	struct ffpf_arena *arena;     /* live graphs: MBufs in a memfd the applications map */
	char err[4096];
};

/* Set f's error message; returns rc (a negative errno) and sets errno. */
int ffpf_fail(struct ffpf *f, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Register a new function in the graph (id = its index).  0 or -ENOMEM. */
int ffpf_graph_add(struct ffpf *f, struct ffpf_fn *fn);
/* Give fn another name (a label a later request used for it).  0 or -ENOMEM. */
int ffpf_fn_add_alias(struct ffpf_fn *fn, const char *name);
/* An identical function (class, canonical parameters, inputs) already in the graph, or NULL. */
struct ffpf_fn *ffpf_graph_find(const struct ffpf *f, const struct ffpf_fn *like);
/* Engine: allocate per-function buffers and instantiate every function. */
int ffpf_engine_instantiate(struct ffpf *f);
struct strbuf;
struct ffpf_hier;
struct ffpf_diag;
/* This machine's flowspace tree for f's devices, with f's hierarchy file (graph/placement.c);
 * NULL with *d saying why. */
struct ffpf_hier *ffpf_build_hier(const struct ffpf *f, struct ffpf_diag *d);
/* The placement of the flowgraph on the flowspace hierarchy, as text for the plan (graph/placement.c). */
int ffpf_placement(const struct ffpf *f, struct strbuf *sb);
/* Engine: generate, compile and load the fused C unit (falls back to interpreters). */
int ffpf_engine_compile(struct ffpf *f);
/* Engine: compute per-source step lists. */
int ffpf_engine_activate(struct ffpf *f);
/* Engine: run one batch (1), or report end of input (0), or an error (<0). */
int ffpf_engine_step(struct ffpf *f);
/* Engine: call every class's finish() at end of input. */
int ffpf_engine_finish(struct ffpf *f);
/* Live graphs: instantiate and start the functions from id `from` on (added by a request while
 * the graph runs), then recompile and recompute the steps.  0 or -errno (f's message set). */
int ffpf_engine_grow(struct ffpf *f, unsigned from);
/* Live graphs: functions nobody uses any more (users == 0, no live dependents) finish and are
 * retired; the steps are recomputed.  Returns how many were retired. */
unsigned ffpf_engine_sweep(struct ffpf *f);
/* Live graphs: compile the functions alive now (after a deferred compile). */
int ffpf_engine_recompile(struct ffpf *f);
/* ffpfd: fork a child that compiles what ffpf_engine_recompile() would (the native unit, the
 * devices' eBPF programs) into the compiler caches and exits, touching nothing shared; the
 * recompile after it finds everything compiled.  The child's pid, or -errno. */
int ffpf_engine_prewarm(struct ffpf *f);
#endif
