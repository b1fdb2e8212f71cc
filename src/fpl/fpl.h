/* fpl.h — FPL, the packet language for experts (docs/fpl.md): compile a program (parse and
 * check), run it with the interpreter, or emit it as one C function.
 *
 *   struct ffpf_fpl_opts o = { .mbuf_words = 1024, .origin = "prog.fpl", .find_class = ffpf_class_find };
 *   struct ffpf_fpl *p;  struct ffpf_diag d;
 *   if (ffpf_fpl_compile(src, len, &o, &p, &d)) puts(d.text);      // line:col, caret, hint
 *   struct ffpf_fpl_xctx x = { .linktype = DLT_EN10MB };            // + one callee per EXTERN
 *   uint32_t cls = ffpf_fpl_run(p, &pkt, mbuf, &x, &err);           // per packet, no allocation
 *
 * Everything but ffpf_fpl_run() is control plane.  The run-time library (rt.h) is shared by the
 * interpreter and the emitted C, so both give the same class, errors and MBuf.
 */
#ifndef FFPF_FPL_H
#define FFPF_FPL_H

#include <stddef.h>
#include <stdint.h>
#include <ffpf/class.h>
#include "fpl/rt.h"
#include "lang/diag.h"
#include "util/strbuf.h"

/* Limits: a program beyond them is refused with a diagnostic, never crashes the compiler. */
#define FFPF_FPL_MAX_SRC (64 * 1024) /* bytes of program text */
#define FFPF_FPL_MAX_NODES 16384     /* syntax-tree nodes */
#define FFPF_FPL_MAX_DEPTH 64        /* nesting of statements and expressions */
#define FFPF_FPL_MAX_WORK 65536      /* iterations of a loop, enclosing loops multiplied */
#define FFPF_FPL_MAX_TOTAL 262144    /* iterations of all loops of a program, per packet */
#define FFPF_FPL_MAX_MBUF (1u << 20) /* MBuf words */

struct ffpf_fpl;

/* Compile options.  find_class resolves EXTERN callees by class name (e.g. ffpf_class_find);
 * only each class's call op and call_in_words/call_out_words are used, to check the call. */
struct ffpf_fpl_opts {
	unsigned mbuf_words; /* power of two in [1, FFPF_FPL_MAX_MBUF] */
	const char *origin;  /* names the program in messages ("expr", a file name); NULL: "fpl" */
	const struct ffpf_class *(*find_class)(const char *name); /* NULL: no EXTERN possible */
};

/* Parse and check src[0..len).  0 and *out (the caller's: ffpf_fpl_free()), or -EINVAL (a
 * diagnostic in *d: origin:line:col, the line, a caret, what was expected, maybe a hint),
 * -E2BIG (a limit above) or -ENOMEM.  *out is NULL on error. */
int ffpf_fpl_compile(const char *src, size_t len, const struct ffpf_fpl_opts *o,
		     struct ffpf_fpl **out, struct ffpf_diag *d);
void ffpf_fpl_free(struct ffpf_fpl *p);

/* The MBuf size the program was checked against, in u64 words. */
unsigned ffpf_fpl_mbuf_words(const struct ffpf_fpl *p);
/* Loop iterations per packet the checker proved the program cannot exceed. */
uint64_t ffpf_fpl_work(const struct ffpf_fpl *p);

/* EXTERN callees: distinct elements, in order of first use; xctx.callee[i] must hold a function
 * made from element i (e.g. ffpf_fn_make(element, linktype, ...)) and its class's call op. */
unsigned ffpf_fpl_ncallees(const struct ffpf_fpl *p);
/* Request-language text of callee i, e.g. (bpf,"udp dst port 1434"). */
const char *ffpf_fpl_callee_element(const struct ffpf_fpl *p, unsigned i);
/* A diagnostic at callee i's first use in the program (for errors found when making it). */
void ffpf_fpl_callee_diag(const struct ffpf_fpl *p, unsigned i, struct ffpf_diag *d,
			  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Run the program on one packet.  M is the MBuf (ffpf_fpl_mbuf_words() words, persistent), x
 * the link type and callees.  Returns the packet's class (0: drop); *err is FFPF_FPL_OK, or a
 * run-time error FFPF_FPL_E* (division or modulo by zero, HASH modulo 0, a callee missing from
 * x) and then the class is 0 and the program's MBuf writes before the error stay.  Never
 * allocates; the work is bounded by the checker. */
uint32_t ffpf_fpl_run(const struct ffpf_fpl *p, const struct ffpf_pkt *pkt, uint64_t *M,
		      const struct ffpf_fpl_xctx *x, int *err);
/* "division by zero", ...: the text of a run-time error. */
const char *ffpf_fpl_strerror(int err);

/* Append to out ONE C function with exactly ffpf_fpl_run()'s semantics:
 *   static uint32_t fname(const struct ffpf_pkt *pkt, uint64_t *M,
 *                         const struct ffpf_fpl_xctx *x, int *err)
 * It needs <stdint.h>, <string.h> and ffpf_fpl_runtime_c() before it, and nothing else.
 * 0, or -ENOMEM. */
int ffpf_fpl_emit_c(const struct ffpf_fpl *p, const char *fname, struct strbuf *out);
/* The run-time library's C text (rt.h, verbatim): paste it once per C unit, before the
 * emitted functions.  It defines struct ffpf_pkt unless FFPF_PKT_H or FFPF_HAVE_PKT is
 * defined (the layout is pkt.h's). */
const char *ffpf_fpl_runtime_c(void);
#endif
