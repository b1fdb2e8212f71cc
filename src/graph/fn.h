/* fn.h — a function: one instance of a class in the flowgraph, with its buffers and counters. */
#ifndef FFPF_GRAPH_FN_H
#define FFPF_GRAPH_FN_H

#include <ffpf/ffpf.h>
#include "buf/pbuf.h"
#include "buf/ibuf.h"
#include "graph/args.h"

struct ffpf;

struct ffpf_fn {
	unsigned id;                  /* index in the graph; ids are in topological order */
	const struct ffpf_class *cls;
	char *name;                   /* label, or "class#id" */
	char *label;                  /* NULL if none */
	char **alias;                 /* labels later requests gave it (overlay), also names */
	unsigned nalias;
	struct ffpf_args *args;       /* parsed parameters; canonical text in args->canon */
	void *priv;                   /* class-private state */
	uint8_t *mbuf;                /* persistent state (allocated at instantiate) */
	size_t mbuf_size;
	unsigned *inputs;             /* input function ids, ascending */
	unsigned ninputs;
	unsigned nrequests;           /* requests that asked for it (overlay) */
	unsigned last_request;        /* the latest request counted in nrequests */
	int linktype;                 /* of the packets it receives */
	uint32_t snaplen;
	struct ffpf_pbuf *pbuf;       /* sources: where packets are stored */
	struct ffpf_shpbuf *shpbuf;   /* sources of a daemon's graph: the group's copy (shring.h) */
	struct ffpf_ibuf *ibuf;       /* decisions: {seq, class} of the packets it passed */
	struct ffpf_sel *out;         /* this batch's output selection */
	struct ffpf_sel *merged;      /* union of the inputs (functions with several inputs) */
	uint64_t out_batch;           /* batch number `out` belongs to */
	uint64_t in, passed, drops[FFPF_DROP_MAX];
	int exhausted;                /* sources: end of input seen */
	int held;                     /* sources: not read yet (ffpfd gathers a file's readers) */
	unsigned order;               /* sources: batches are in timestamp order among the sources
	                               * of one order (those whose packets meet in a function) */
	uint64_t next_ts;             /* sources: timestamp of the next packet (pick_source) */
	int instantiated;
	int no_compile;
	int stage;                    /* fused stage it runs in, or -1: interpreted */
	int level;                    /* flowspace it runs in: FFPF_LVL_* (kern/offload.h) */
	int lowbit;                   /* offloaded and its packets go up: its bit in the marks; -1 */
	int allow;                    /* dev sources: the lowest level still allowed (after refusals) */
	int no_tc;                    /* dev sources: kernel level through a socket filter, not tc */
	char tc_why[160];             /* dev sources: why not tc, when no_tc */
	unsigned users;               /* live graphs (ffpfd): applications using it */
	int dead;                     /* live graphs: released by its last user; never runs again */
	int reclaimed;                /* dead, and its arena memory given back (ffpf_engine_reclaim) */
	int arena_mbuf;               /* its MBuf is in the graph's arena (not ours to free) */
	uint8_t *host_mbuf;           /* offloaded: its own MBuf, while mbuf points into the map */
	char runs[48];                /* flowspace it runs in: "host", "kernel", "xdp@eth0" */
	char placed[48];              /* flowspace the paper's rules chose ("xdp@eth0"), "" if none */
	char where[200];              /* why it runs above that flowspace, when it does */
	void *xctx;                   /* context its emitted code gets as X */
	char why[160];                /* why it is interpreted (when it is) */
	struct ffpf *owner;
	struct ffpf_fn_info info;     /* snapshot handed out by ffpf_fn_info() */
	char err[1024];
};

/* Free a function and everything it owns (calls the class's fini). */
void ffpf_fn_free(struct ffpf_fn *fn);
#endif
