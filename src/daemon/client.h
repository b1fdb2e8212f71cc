/* client.h — the library served by ffpfd: the same C API (create → populate → instantiate →
 * activate → step/run → results), with the flowgraph in the daemon.
 *
 * ffpf_create() connects when ffpf_opts.daemon names a socket (an error if nothing answers) or
 * $FFPF_SOCKET does (embedded if nothing answers there).  Then:
 *   populate   sends the request (with the default sources) and learns its functions: their
 *              daemon ids, names, classes, and where their MBufs are in the flowgroup's shared
 *              memory, which is mapped read-only;
 *   step       waits up to 250 ms on the control socket (the daemon runs the graph) and
 *              refreshes results once a second; it fails if the daemon goes away;
 *   finish     fetches the final results;
 *   results    come from the last RESULT of each function, typed as in-process.
 * Functions are numbered 0..n-1 in the application as in POPULATED order. */
#ifndef FFPF_DAEMON_CLIENT_H
#define FFPF_DAEMON_CLIENT_H

#include <ffpf/ffpf.h>

struct ffpf;
struct ffpf_remote;

/* Connect f to the daemon if opts/environment ask for it.  0 (connected or embedded), or -errno
 * with f's message set (an explicit socket that does not answer, a refused HELLO). */
int ffpf_remote_open(struct ffpf *f);
void ffpf_remote_close(struct ffpf *f);

int ffpf_remote_populate(struct ffpf *f, const char *text, const char *origin);
int ffpf_remote_step(struct ffpf *f);
int ffpf_remote_finish(struct ffpf *f);
unsigned ffpf_remote_count(const struct ffpf *f);
const struct ffpf_fn_info *ffpf_remote_info(struct ffpf *f, unsigned id);
int ffpf_remote_lookup(const struct ffpf *f, const char *name);
const struct ffpf_result_desc *ffpf_remote_desc(const struct ffpf *f, unsigned id, unsigned j);
int ffpf_remote_result(const struct ffpf *f, unsigned id, unsigned j, struct ffpf_value *v);
/* The next packet of export function name, read in the flowgroup's shared queue. */
int ffpf_remote_export_next(struct ffpf *f, const char *name, struct ffpf_packet *p);
/* Packets seen by the application's sources (for progress lines). */
uint64_t ffpf_remote_packets(const struct ffpf *f);
#endif
