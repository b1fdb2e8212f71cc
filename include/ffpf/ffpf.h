/* ffpf.h — the ffpf library: build a flowgraph from a request, run it, read its results.
 *
 * Lifecycle (paper §VIII):  create → populate → instantiate → activate → run/read → close.
 *
 *   struct ffpf *f = ffpf_create(NULL);
 *   ffpf_populate(f, "(file,\"a.pcap\") > (bpf,\"tcp dst port 80\") > [(count)|(bytes)]");
 *   ffpf_instantiate(f);           // place, allocate buffers, open sources, compile filters
 *   ffpf_activate(f);
 *   while ((rc = ffpf_step(f)) > 0) ;   // or ffpf_run(f); or pull packets with ffpf_export_next()
 *   ffpf_result_u64(f, "count#4", "packets", &n);
 *   ffpf_close(f);
 *
 * Errors: int functions return a negative errno (and set errno); constructors return NULL with
 * errno set.  ffpf_errmsg() gives the human message of the last error (for request errors it
 * holds line:column, the offending text with a caret, and what was expected).  The library never
 * prints; a log callback may be set in the options.
 *
 * Populate may be called several times: each call is one request, merged into the same
 * flowgraph; identical functions (same class, parameters and inputs) are instantiated once
 * and shared (overlay).
 */
#ifndef FFPF_FFPF_H
#define FFPF_FFPF_H

#include <stddef.h>
#include <stdint.h>
#include <ffpf/class.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(FFPF_BUILDING)
#define FFPF_API __attribute__((visibility("default")))
#else
#define FFPF_API
#endif

struct ffpf;

/** Options for ffpf_create(); zero-initialise, set sz = sizeof(struct ffpf_opts). */
struct ffpf_opts {
	size_t sz;
	int no_compile;          /**< interpreters only */
	unsigned pbuf_slots;     /**< slots per source PBuf (0: 1024) */
	unsigned export_slots;   /**< IBuf entries of an export (0: 65536) */
	void (*log)(void *ctx, const char *msg); /**< diagnostics; NULL: silent */
	void *log_ctx;
	const char *hierarchy;   /**< a hierarchy file (docs/hierarchy.md) for placement, or NULL */
	uint64_t max_packets;    /**< end the run after this many packets from the sources (0: all) */
	int lowest;              /**< lowest flowspace functions may run in (enum ffpf_lowest) */
	int wait;                /**< how the engine waits for live sources (enum ffpf_wait) */
	unsigned fanout;         /**< non-zero: live sockets join this PACKET_FANOUT group (by flow
	                          *   hash), so that handles with the same value share each device's
	                          *   packets (one worker per core); XDP is then not used */
	const char *daemon;      /**< the control socket of an ffpfd to serve this handle (an error
	                          *   if none answers); NULL: $FFPF_SOCKET if a daemon answers
	                          *   there, else the flowgraph runs in this process */
};

/** ffpf_opts.lowest: how far down functions of live sources may be pushed. */
enum ffpf_lowest {
	FFPF_LOWEST_XDP = 0,    /**< XDP at the driver, else a kernel socket filter, else host */
	FFPF_LOWEST_KERNEL = 1, /**< a socket filter on the AF_PACKET socket, else host */
	FFPF_LOWEST_HOST = 2,   /**< everything in the host engine */
};

/** ffpf_opts.wait: waiting for live sources (paper §III-B). */
enum ffpf_wait {
	FFPF_WAIT_ADAPTIVE = 0,  /**< sleep in poll() while idle, batches back to back under load */
	FFPF_WAIT_INTERRUPT = 1, /**< a wake-up per packet: poll() before each one */
	FFPF_WAIT_POLL = 2,      /**< never sleep: spin on the sources (one core at 100%) */
};

/** A new, empty handle.  NULL with errno set on failure.  The handle is the caller's: ffpf_close(). */
FFPF_API struct ffpf *ffpf_create(const struct ffpf_opts *opts);
/** Add a request (request language).  0, or -EINVAL (syntax, unknown class, bad parameter,
 *  no source, cycle) with ffpf_errmsg() describing where and what. */
FFPF_API int ffpf_populate(struct ffpf *f, const char *request);
/** Like ffpf_populate; origin names the text in messages (e.g. a file name). */
FFPF_API int ffpf_populate_named(struct ffpf *f, const char *request, const char *origin);
/** Elements (request language, e.g. "(file,\"a.pcap\")") fed to every chain of later requests
 *  whose first element is not a source: what `ffpf run -r FILE` does. */
FFPF_API int ffpf_default_source(struct ffpf *f, const char *element);
/** Allocate buffers, open sources, compile; after this the graph is ready but idle. */
FFPF_API int ffpf_instantiate(struct ffpf *f);
/** Start: after this ffpf_step()/ffpf_run() move packets. */
FFPF_API int ffpf_activate(struct ffpf *f);
/** Process one batch.  1: a batch ran, or live sources were idle and it waited (up to 100 ms);
 *  0: all sources are exhausted (results are final); <0 error. */
FFPF_API int ffpf_step(struct ffpf *f);
/** Run until every source is exhausted: 0, or -errno (results then incomplete). */
FFPF_API int ffpf_run(struct ffpf *f);
/** End a run before its sources are exhausted (after ffpf_stop(), say): every function
 *  finishes as at the end of input (dump files are published with what they hold). */
FFPF_API int ffpf_finish(struct ffpf *f);
/** Ask a running ffpf_run() to stop after the current batch (async-signal-safe). */
FFPF_API void ffpf_stop(struct ffpf *f);
/** Whether ffpf_stop() was called. */
FFPF_API int ffpf_stopped(const struct ffpf *f);
/** 1 if the handle is served by an ffpfd (ffpf_opts.daemon, $FFPF_SOCKET), 0 if the flowgraph
 *  runs in this process. */
FFPF_API int ffpf_served(const struct ffpf *f);
/** The message of the last error, never NULL. */
FFPF_API const char *ffpf_errmsg(const struct ffpf *f);
/** Release everything.  NULL is allowed. */
FFPF_API void ffpf_close(struct ffpf *f);

/* ---- results ----------------------------------------------------------------------------- */

/** Per-function counters and identity, valid until ffpf_close(). */
struct ffpf_fn_info {
	const char *name;       /**< label, or "class#id" */
	const char *cls;        /**< class name */
	const char *params;     /**< canonical parameters, e.g. "expr=tcp" */
	const char *flowspace;  /**< where it runs: "host", "kernel", "xdp@eth0" */
	const char *placed;     /**< where the placement rules put it ("" for sources and when
	                         *   the same as flowspace); flowspace differs when the machine
	                         *   refused or cannot carry it there: where says why */
	const char *where;      /**< why it runs in flowspace rather than placed, or "" */
	const char *mode;       /**< "compiled" (fused native code), "interpreted", "ebpf" (runs in
	                         *   the kernel or XDP flowspace), or "source" */
	const char *why;        /**< when interpreted: why (no emitter, no compiler, --no-compile) */
	unsigned id;
	unsigned ninputs;
	const unsigned *inputs; /**< ids of the input functions */
	unsigned nrequests;     /**< how many requests use it (> 1: shared by overlay) */
	uint64_t in;            /**< packets received */
	uint64_t passed;        /**< packets passed on */
	uint64_t drops[FFPF_DROP_MAX]; /**< packets not passed, per reason */
	size_t mbuf_size;
	unsigned ibuf_slots;
	unsigned pbuf_slots;    /**< sources: PBuf slots; 0 otherwise */
	unsigned nresults;
};

/** Number of functions in the flowgraph (ids 0..n-1, in topological order). */
FFPF_API unsigned ffpf_fn_count(const struct ffpf *f);
/** Counters of function id, or NULL if out of range. */
FFPF_API const struct ffpf_fn_info *ffpf_fn_info(struct ffpf *f, unsigned id);
/** Function id by name (label or "class#id"), or -ENOENT. */
FFPF_API int ffpf_fn_lookup(const struct ffpf *f, const char *name);
/** Result schema entry j of function id, or NULL. */
FFPF_API const struct ffpf_result_desc *ffpf_result_desc(const struct ffpf *f, unsigned id, unsigned j);
/** Typed value of result j of function id. */
FFPF_API int ffpf_result(const struct ffpf *f, unsigned id, unsigned j, struct ffpf_value *v);
/** Convenience: integer result by function and result name. */
FFPF_API int ffpf_result_u64(const struct ffpf *f, const char *fn, const char *result, uint64_t *out);
/** Name of a drop reason, e.g. "rejected". */
FFPF_API const char *ffpf_drop_name(enum ffpf_drop r);
/** Source progress in [0,1] over all sources (bytes read / file sizes), -1 if unknown. */
FFPF_API double ffpf_progress(const struct ffpf *f);
/** The engine's own counters. */
struct ffpf_engine_stats {
	uint64_t batches;   /**< batches processed */
	uint64_t packets;   /**< packets read from all sources */
	uint64_t waits;     /**< times it slept in poll() because every live source was idle */
	uint64_t switches;  /**< changes between sleeping and busy processing (adaptive waiting) */
};
FFPF_API void ffpf_engine_stats(const struct ffpf *f, struct ffpf_engine_stats *st);
/** Packets read from all sources so far. */
FFPF_API uint64_t ffpf_packets_read(const struct ffpf *f);
/** Add what another worker counted into f: from is a handle built from the same requests (the
 *  same functions in the same order), typically another member of f's PACKET_FANOUT group
 *  (ffpf_opts.fanout), run to its end.  Adds the functions' in/passed/drops, the results
 *  flagged FFPF_R_SUM, and the engine's counters; other results stay f's.  0, or -EINVAL when
 *  the flowgraphs differ. */
FFPF_API int ffpf_absorb(struct ffpf *f, const struct ffpf *from);

/* ---- exported packets --------------------------------------------------------------------- */

/** A packet handed to the application by an `export` function. */
struct ffpf_packet {
	const uint8_t *data; /**< valid until the next ffpf_export_next() on this handle */
	uint32_t caplen, wirelen;
	uint64_t ts_ns;
	uint32_t cls;        /**< 32-bit class given by the functions upstream */
	int linktype;
};

/** Next packet of export function `name`, running the flowgraph as needed (pull).
 *  1: *p filled; 0: end of input; <0: error (-ENOENT: no such export). */
FFPF_API int ffpf_export_next(struct ffpf *f, const char *name, struct ffpf_packet *p);

/* ---- introspection ------------------------------------------------------------------------ */

/** Number of registered classes. */
FFPF_API unsigned ffpf_class_count(void);
/** Class i (0..count-1), or NULL. */
FFPF_API const struct ffpf_class *ffpf_class_at(unsigned i);
/** Class by name or alias, case-insensitive, or NULL. */
FFPF_API const struct ffpf_class *ffpf_class_find(const char *name);
/** The flowgraph as text (a tree, one function per line) or Graphviz dot; malloc'd, caller frees. */
FFPF_API char *ffpf_plan(const struct ffpf *f, int dot);
/** The generated C unit of the flowgraph (after instantiate; NULL when nothing is compiled). */
FFPF_API const char *ffpf_emitted_c(const struct ffpf *f);
/** Library version string. */
FFPF_API const char *ffpf_version(void);

#ifdef __cplusplus
}
#endif
#endif
