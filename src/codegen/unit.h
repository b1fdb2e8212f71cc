/* unit.h — the fused C unit of a flowspace (DESIGN §3): consecutive functions that have C
 * emitters become one stage, a single loop over the batch with every member's code inlined —
 * no indirect call per function or per packet.  Functions without an emitter run through the
 * class API between stages.
 *
 * The generated code and the library share the layout of struct ffpf_stage_io, struct
 * ffpf_batch and struct ffpf_sel; the unit exports its view of them (ffpf_unit_layout) and the
 * loader refuses a unit that disagrees. */
#ifndef FFPF_CODEGEN_UNIT_H
#define FFPF_CODEGEN_UNIT_H

#include <ffpf/class.h>
#include "util/strbuf.h"

#define FFPF_UNIT_ABI 3

/* Per member of a stage: what the generated loop reads and updates. */
struct ffpf_stage_member {
	unsigned char *mbuf;
	struct ffpf_sel *out;
	uint64_t in, passed, err;  /* added to by the stage; the engine folds them into counters */
};

/* What one call of a stage gets: the batch, its members, its external inputs. */
struct ffpf_stage_io {
	const struct ffpf_batch *b;
	struct ffpf_stage_member *mem;
	const struct ffpf_sel **ext; /* per external input: its selection, or NULL (not this batch) */
	void **xctx;                 /* per member: context for code that calls back (FPL EXTERN) */
};

typedef void (*ffpf_stage_fn)(struct ffpf_stage_io *io);

/* A unit being emitted, as a class's emit_c() sees it (class.h: ffpf_emit_*). */
struct ffpf_emit {
	struct strbuf *decl;
	struct strbuf body;
	struct strbuf *once;   /* keys of ffpf_emit_once() blocks, '\n'-separated */
	char id[24];
	void *ctx;
	enum ffpf_target target;
};

struct ffpf;
struct ffpf_fn;

/* A stage: consecutive functions (ids) fused into one generated function. */
struct ffpf_stage {
	unsigned *ids, nids;
	unsigned *ext, next;        /* ids of the functions outside the stage that feed it */
	ffpf_stage_fn run;          /* NULL until loaded */
	struct ffpf_stage_io io;    /* pointers set at activate; b and ext set per batch */
};

/* Decide which functions are emitted, group them into stages (f->stages), and write the C
 * unit into out.  Functions whose class declines stay interpreted; why[id] says why. */
int ffpf_unit_generate(struct ffpf *f, struct strbuf *out);
/* The start of every unit: the shared structures as the unit sees them, ffpf_ld64/st64, and
 * the ABI symbols the loader checks (ffpf_unit_abi, ffpf_unit_layout).  For tools and tests
 * that generate their own units too. */
void ffpf_unit_header(struct strbuf *out);
/* Layout numbers the generated unit must reproduce (see ffpf_unit_layout). */
void ffpf_unit_layout_host(uint64_t v[8]);
#endif
