/* ffpf.c — the `ffpf` command: run a flowgraph over traces, show its plan, list the classes.
 *
 *   ffpf run [-r FILE]... [-q] [--json] [-f REQFILE] [EXPR]...
 *   ffpf plan [--dot] [-r FILE]... [-f REQFILE] [EXPR]...
 *   ffpf classes [--json]
 *
 * Each EXPR is one request; several are overlaid on one flowgraph (identical functions run
 * once).  Exit status: 0 success, 1 run-time failure (results are then not printed as final),
 * 2 usage or request error.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <ffpf/ffpf.h>
#include "util/strbuf.h"
#include "daemon/proto.h"

enum { EXIT_RUN = 1, EXIT_USAGE = 2 };

struct cli {
	int quiet, json, dot, no_compile, emit_c;
	const char *hierarchy;  /* --hierarchy FILE */
	int lowest;             /* --lowest: enum ffpf_lowest */
	int workers;            /* --workers N: PACKET_FANOUT members, one flowgraph each */
	const char *daemon;     /* --daemon PATH: served by the ffpfd there */
	int wait;               /* --wait: enum ffpf_wait */
	double duration;        /* --duration: stop after this many seconds (0: no limit) */
	unsigned long long max_packets; /* -c: stop after this many packets (0: no limit) */
	char **ifaces;          /* -i IFACE: live sources */
	int nifaces;
	const char *reqfile;
	char **sources;
	int nsources;
};

#define MAX_WORKERS 64

static struct ffpf *g_ffpf;
static struct ffpf *g_workers[MAX_WORKERS]; /* --workers: stopped together on a signal */
static unsigned long long g_share[MAX_WORKERS]; /* --workers: packets each worker's sources saw */
static int g_nshare;
static volatile sig_atomic_t g_signal;

static void usage(FILE *out)
{
	fputs("usage: ffpf run [-r FILE | -i IFACE]... [-c N] [--duration S] [-q] [--json] [--no-compile]\n"
	      "                [--lowest xdp|kernel|host] [--wait adaptive|interrupt|poll] [--workers N]\n"
	      "                [-f REQFILE] [EXPR]...\n"
	      "       ffpf plan [--dot | --emit-c] [--hierarchy FILE] [--lowest L] [-r FILE | -i IFACE]... [-f REQFILE] [EXPR]...\n"
	      "       ffpf status [--json] [--daemon PATH]\n"
	      "       ffpf classes [--json]\n"
	      "       ffpf --help | --version\n\n"
	      "EXPR is a flowgraph in the request language, e.g.\n"
	      "  ffpf run -r trace.pcap '(bpf,\"tcp dst port 80\") > [ (count) | (bytes) ]'\n"
	      "  ffpf run '[ (file,\"a.pcap\") | (file,\"b.pcap\") ] > (bpf,\"udp\") > (dump,\"u.pcap\")'\n\n"
	      "  -r FILE        read FILE (pcap/pcapng); chains without a source read it\n"
	      "  -i IFACE       capture live on IFACE (root); chains without a source read it\n"
	      "  -c N           stop after N packets\n"
	      "  --duration S   stop after S seconds (live capture)\n"
	      "  -f REQFILE     read a request from REQFILE ('-' for stdin)\n"
	      "  -q             no progress line on stderr\n"
	      "  --json         results as JSON (one object per function)\n"
	      "  --dot          plan as Graphviz dot\n"
	      "  --emit-c       print the generated C of the flowgraph (plan)\n"
	      "  --hierarchy F  flowspace hierarchy file for placement (docs/hierarchy.md)\n"
	      "  --no-compile   interpreters only (no native code)\n"
	      "  --lowest L     lowest flowspace for functions of live sources: xdp (default), kernel, host\n"
	      "  --wait M       waiting for live sources: adaptive (default), interrupt, poll\n"
	      "  --workers N    N flowgraphs in N threads sharing each device (PACKET_FANOUT)\n"
	      "  --daemon PATH  be served by the ffpfd at PATH (default: $FFPF_SOCKET if one answers)\n\n"
	      "See ffpf(1), docs/language.md, and `ffpf classes` for the functions.\n",
	      out);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_signal(int sig)
{
	g_signal = sig;
	ffpf_stop(g_ffpf);
	for (int i = 0; i < MAX_WORKERS; i++)
		ffpf_stop(g_workers[i]); /* NULL is fine */
}

static char *slurp(const char *path)
{
	FILE *fp = strcmp(path, "-") ? fopen(path, "r") : stdin;
	struct strbuf sb = {0};
	char buf[4096];
	size_t n;

	if (!fp)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf) - 1, fp)) > 0) {
		buf[n] = 0;
		if (memchr(buf, 0, n)) { /* NUL bytes: let the parser report them */
			for (size_t i = 0; i < n; i++)
				sb_putc(&sb, buf[i] ? buf[i] : '\x01');
		} else {
			sb_puts(&sb, buf);
		}
	}
	if (fp != stdin)
		fclose(fp);
	return sb_take(&sb);
}

/* Build the flowgraph from -r sources, -f and the EXPR arguments.  Exit status on failure. */
static int build(struct ffpf *f, const struct cli *c, int argc, char **argv)
{
	int nreq = 0;

	for (int i = 0; i < c->nsources + c->nifaces; i++) {
		struct strbuf sb = {0};
		int served = ffpf_served(f);
		char *abs = served && i < c->nsources && strcmp(c->sources[i], "-") ? realpath(c->sources[i], NULL)
										    : NULL;
		if (served && i < c->nsources && !strcmp(c->sources[i], "-"))
			return fprintf(stderr, "ffpf: -r - (standard input) cannot be read by the ffpf daemon "
				       "serving this run; give a file, or unset FFPF_SOCKET\n"), EXIT_USAGE;
		sb_puts(&sb, i < c->nsources ? "(file," : "(dev,");
		/* absolute: a daemon serving us opens the file from its own directory */
		sb_quote(&sb, abs ? abs : i < c->nsources ? c->sources[i] : c->ifaces[i - c->nsources]);
		free(abs);
		sb_puts(&sb, ")");
		char *el = sb_take(&sb);
		int rc = el ? ffpf_default_source(f, el) : -ENOMEM;
		free(el);
		if (rc)
			return fprintf(stderr, "ffpf: %s\n", ffpf_errmsg(f)), EXIT_USAGE;
	}
	if (c->reqfile) {
		char *text = slurp(c->reqfile);
		if (!text)
			return fprintf(stderr, "ffpf: cannot read '%s': %s\n", c->reqfile, strerror(errno)),
			       EXIT_USAGE;
		int rc = ffpf_populate_named(f, text, c->reqfile);
		free(text);
		if (rc)
			return fprintf(stderr, "%s\n", ffpf_errmsg(f)), EXIT_USAGE;
		nreq++;
	}
	for (int i = 0; i < argc; i++, nreq++)
		if (ffpf_populate(f, argv[i]))
			return fprintf(stderr, "%s\n", ffpf_errmsg(f)), EXIT_USAGE;
	if (!nreq && (c->nsources || c->nifaces)) /* `ffpf run -r x.pcap`: count what is there */
		if (ffpf_populate(f, "(count)"))
			return fprintf(stderr, "%s\n", ffpf_errmsg(f)), EXIT_USAGE;
	if (!nreq && !c->nsources && !c->nifaces) {
		fputs("ffpf: no request given\n", stderr);
		usage(stderr);
		return EXIT_USAGE;
	}
	return 0;
}

/* Tables: JSON gets every row; the text table the first few, as col=val lists. */
static void table_text(struct strbuf *sb, const struct ffpf_value *v, int json)
{
	size_t shown = json ? v->table.nrows : (v->table.nrows < 8 ? v->table.nrows : 8);
	unsigned nc = v->table.ncols;

	if (json) {
		sb_puts(sb, "{\"columns\":[");
		for (unsigned c = 0; c < nc; c++) {
			sb_puts(sb, c ? "," : "");
			sb_json(sb, v->table.cols[c]);
		}
		sb_puts(sb, "],\"rows\":[");
	} else {
		sb_putc(sb, '[');
	}
	for (size_t r = 0; r < shown; r++) {
		sb_puts(sb, r ? (json ? "," : " ") : "");
		sb_puts(sb, json ? "[" : "");
		for (unsigned c = 0; c < nc; c++)
			sb_printf(sb, json ? "%s%llu" : "%s%llu", c ? (json ? "," : ":") : "",
				  (unsigned long long)v->table.cells[r * nc + c]);
		sb_puts(sb, json ? "]" : "");
	}
	if (json)
		sb_printf(sb, "]%s}", v->table.truncated ? ",\"truncated\":true" : "");
	else if (shown < v->table.nrows)
		sb_printf(sb, " ... %zu rows%s]", v->table.nrows, v->table.truncated ? ", more left out" : "");
	else
		sb_puts(sb, v->table.truncated ? " ... more left out]" : "]");
}

static void result_text(struct strbuf *sb, struct ffpf *f, unsigned id, int json)
{
	const struct ffpf_fn_info *x = ffpf_fn_info(f, id);
	for (unsigned j = 0; j < x->nresults; j++) {
		const struct ffpf_result_desc *d = ffpf_result_desc(f, id, j);
		struct ffpf_value v;
		if (ffpf_result(f, id, j, &v))
			continue;
		if (json) {
			sb_printf(sb, "%s", j ? "," : "");
			sb_json(sb, d->name);
			sb_putc(sb, ':');
		} else {
			sb_printf(sb, "%s%s=", sb->len ? " " : "", d->name);
		}
		if (v.type == FFPF_V_U64)
			sb_printf(sb, "%llu", (unsigned long long)v.u64);
		else if (v.type == FFPF_V_STR && json)
			sb_json(sb, v.str);
		else if (v.type == FFPF_V_STR)
			sb_puts(sb, v.str);
		else
			table_text(sb, &v, json);
	}
}

static uint64_t total_drops(const struct ffpf_fn_info *x)
{
	uint64_t t = 0;
	for (unsigned r = 0; r < FFPF_DROP_MAX; r++)
		t += x->drops[r];
	return t;
}

static void print_table(struct ffpf *f)
{
	size_t wname = 8, wcls = 5;
	for (unsigned i = 0; i < ffpf_fn_count(f); i++) {
		const struct ffpf_fn_info *x = ffpf_fn_info(f, i);
		wname = strlen(x->name) > wname ? strlen(x->name) : wname;
		wcls = strlen(x->cls) > wcls ? strlen(x->cls) : wcls;
	}
	printf("%-*s  %-*s  %12s  %12s  %12s  %s\n", (int)wname, "function", (int)wcls, "class", "in",
	       "passed", "dropped", "results");
	for (unsigned i = 0; i < ffpf_fn_count(f); i++) {
		const struct ffpf_fn_info *x = ffpf_fn_info(f, i);
		struct strbuf sb = {0};
		for (unsigned r = 0; r < FFPF_DROP_MAX; r++)
			if (x->drops[r])
				sb_printf(&sb, "%s%s=%llu", sb.len ? " " : "", ffpf_drop_name(r),
					  (unsigned long long)x->drops[r]);
		result_text(&sb, f, i, 0);
		printf("%-*s  %-*s  %12llu  %12llu  %12llu  %s\n", (int)wname, x->name, (int)wcls, x->cls,
		       (unsigned long long)x->in, (unsigned long long)x->passed,
		       (unsigned long long)total_drops(x), sb.s ? sb.s : "");
		sb_free(&sb);
	}
}

static void print_json(struct ffpf *f)
{
	struct strbuf sb = {0};
	struct ffpf_engine_stats es;
	ffpf_engine_stats(f, &es);
	sb_printf(&sb, "{\"packets_read\":%llu,\"engine\":{\"batches\":%llu,\"waits\":%llu,"
		  "\"switches\":%llu},",
		  (unsigned long long)ffpf_packets_read(f), (unsigned long long)es.batches,
		  (unsigned long long)es.waits, (unsigned long long)es.switches);
	if (g_nshare) { /* --workers: the packets each one's sources saw */
		sb_puts(&sb, "\"workers\":[");
		for (int k = 0; k < g_nshare; k++)
			sb_printf(&sb, "%s%llu", k ? "," : "", g_share[k]);
		sb_puts(&sb, "],");
	}
	sb_puts(&sb, "\"functions\":[");
	for (unsigned i = 0; i < ffpf_fn_count(f); i++) {
		const struct ffpf_fn_info *x = ffpf_fn_info(f, i);
		sb_puts(&sb, i ? ",\n  {" : "\n  {\"name\":");
		if (i)
			sb_puts(&sb, "\"name\":");
		sb_json(&sb, x->name);
		sb_puts(&sb, ",\"class\":");
		sb_json(&sb, x->cls);
		sb_puts(&sb, ",\"params\":");
		sb_json(&sb, x->params);
		sb_puts(&sb, ",\"inputs\":[");
		for (unsigned k = 0; k < x->ninputs; k++) {
			sb_puts(&sb, k ? "," : "");
			sb_json(&sb, ffpf_fn_info(f, x->inputs[k])->name);
		}
		x = ffpf_fn_info(f, i); /* the lookups above reuse per-function snapshots */
		sb_printf(&sb, "],\"requests\":%u,\"flowspace\":\"%s\",\"mode\":\"%s\",", x->nrequests,
			  x->flowspace, x->mode);
		if (x->why && *x->why) {
			sb_puts(&sb, "\"why\":");
			sb_json(&sb, x->why);
			sb_putc(&sb, ',');
		}
		if (*x->placed) {
			sb_puts(&sb, "\"placed\":");
			sb_json(&sb, x->placed);
			sb_putc(&sb, ',');
		}
		if (*x->where) {
			sb_puts(&sb, "\"where\":");
			sb_json(&sb, x->where);
			sb_putc(&sb, ',');
		}
		sb_printf(&sb, "\"in\":%llu,\"passed\":%llu,\"dropped\":%llu,\"drops\":{",
			  (unsigned long long)x->in, (unsigned long long)x->passed,
			  (unsigned long long)total_drops(x));
		int first = 1;
		for (unsigned r = 0; r < FFPF_DROP_MAX; r++)
			if (x->drops[r]) {
				sb_printf(&sb, "%s\"%s\":%llu", first ? "" : ",", ffpf_drop_name(r),
					  (unsigned long long)x->drops[r]);
				first = 0;
			}
		sb_puts(&sb, "},\"results\":{");
		result_text(&sb, f, i, 1);
		sb_puts(&sb, "}}");
	}
	sb_puts(&sb, "\n]}\n");
	fputs(sb.s, stdout);
	sb_free(&sb);
}

static void progress(struct ffpf *f, double t0, double *last, int tty, int final)
{
	double t = now();
	if (!final && t - *last < 1.0)
		return;
	if (final && *last == t0)
		return; /* ran under a second: say nothing */
	*last = t;
	double pr = ffpf_progress(f);
	uint64_t n = ffpf_packets_read(f);
	fprintf(stderr, "%sffpf: %llu packets, %.2f Mpkt/s", tty ? "\r" : "", (unsigned long long)n,
		(double)n / (t - t0) / 1e6);
	if (pr >= 0)
		fprintf(stderr, ", %.0f%% of input", pr * 100);
	fputs(tty && !final ? "   " : "\n", stderr);
}

/* ---- --workers N: one flowgraph per thread, each on its share of the devices' packets ---- */

struct worker {
	struct ffpf *f;
	pthread_t thread;
	volatile int done;
	int rc;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	while ((w->rc = ffpf_step(w->f)) > 0 && !ffpf_stopped(w->f))
		;
	w->done = 1;
	return NULL;
}

/* Workers share live devices only: a trace would be read by each, a file written by each. */
static int workers_fit(struct ffpf *f)
{
	static const char *const alone[] = {"file", "dump", "export"};
	for (unsigned i = 0; i < ffpf_fn_count(f); i++)
		for (unsigned k = 0; k < 3; k++)
			if (!strcmp(ffpf_fn_info(f, i)->cls, alone[k]))
				return fprintf(stderr, "ffpf: --workers shares live devices between workers; "
					       "'%s' (%s) would run once per worker: drop --workers\n",
					       ffpf_fn_info(f, i)->name, alone[k]), 0;
	return 1;
}

static int start_workers(const struct cli *c, struct worker *w, int argc, char **argv)
{
	struct ffpf_opts o = {.sz = sizeof(o), .no_compile = c->no_compile, .hierarchy = c->hierarchy,
			      .lowest = c->lowest, .wait = c->wait,
			      .fanout = ((unsigned)getpid() & 0x7fffu) + 1};
	for (int i = 0; i < c->workers; i++) {
		int rc;
		if (!(w[i].f = g_workers[i] = ffpf_create(&o)))
			return perror("ffpf"), EXIT_RUN;
		if ((rc = build(w[i].f, c, argc, argv)))
			return rc;
		if (!i && !workers_fit(w[i].f))
			return EXIT_USAGE;
		if (ffpf_instantiate(w[i].f) || ffpf_activate(w[i].f))
			return fprintf(stderr, "ffpf: %s\n", ffpf_errmsg(w[i].f)), EXIT_RUN;
	}
	for (int i = 0; i < c->workers; i++)
		if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]))
			return fprintf(stderr, "ffpf: cannot start worker %d\n", i), EXIT_RUN;
	return 0;
}

static int cmd_run_workers(const struct cli *c, int argc, char **argv)
{
	struct worker w[MAX_WORKERS];
	int rc, started, failed = -1;
	double t0 = now();

	memset(w, 0, sizeof(w));
	if (c->max_packets || (c->reqfile && !strcmp(c->reqfile, "-")))
		return fprintf(stderr, "ffpf: --workers takes neither -c (each worker sees a share) nor "
			       "-f - (each worker reads the request)\n"), EXIT_USAGE;
	if (c->daemon)
		return fprintf(stderr, "ffpf: --workers runs its workers in this process; it cannot "
			       "be served by a daemon (drop --daemon)\n"), EXIT_USAGE;
	unsetenv("FFPF_SOCKET"); /* the workers' sockets form a PACKET_FANOUT group here */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rc = start_workers(c, w, argc, argv);
	started = !rc;
	for (int all = 0; started && !all && !g_signal;) {
		usleep(20000);
		all = 1;
		for (int i = 0; i < c->workers; i++)
			all &= w[i].done;
		if (c->duration > 0 && now() - t0 >= c->duration)
			break;
	}
	for (int i = 0; started && i < c->workers; i++) {
		ffpf_stop(w[i].f);
		pthread_join(w[i].thread, NULL);
		if (w[i].rc < 0 && failed < 0)
			failed = i;
	}
	if (started && failed >= 0) {
		fprintf(stderr, "ffpf: worker %d: %s\nffpf: run failed: results are incomplete and not shown\n",
			failed, ffpf_errmsg(w[failed].f));
		rc = EXIT_RUN;
	} else if (started) {
		for (int i = 0; i < c->workers && !rc; i++)
			if (w[i].rc > 0 && ffpf_finish(w[i].f)) {
				fprintf(stderr, "ffpf: %s\n", ffpf_errmsg(w[i].f));
				rc = EXIT_RUN;
			}
		for (int i = 0; i < c->workers; i++) /* each worker's share, before it is absorbed */
			for (unsigned k = 0; k < ffpf_fn_count(w[i].f); k++)
				if (!ffpf_fn_info(w[i].f, k)->ninputs)
					g_share[i] += ffpf_fn_info(w[i].f, k)->in;
		g_nshare = c->workers;
		for (int i = 1; i < c->workers && !rc; i++)
			if (ffpf_absorb(w[0].f, w[i].f)) {
				fprintf(stderr, "ffpf: %s\n", ffpf_errmsg(w[0].f));
				rc = EXIT_RUN;
			}
		if (!rc && g_signal)
			fputs("ffpf: interrupted: the results below are partial\n", stderr);
		if (!rc)
			c->json ? print_json(w[0].f) : print_table(w[0].f);
		rc = rc ? rc : g_signal ? 128 + g_signal : 0;
	}
	for (int i = 0; i < c->workers; i++) {
		g_workers[i] = NULL;
		ffpf_close(w[i].f);
	}
	return rc;
}

static int cmd_run(const struct cli *c, int argc, char **argv)
{
	struct ffpf_opts o = {.sz = sizeof(o), .no_compile = c->no_compile,
			      .max_packets = c->max_packets, .hierarchy = c->hierarchy,
			      .lowest = c->lowest, .wait = c->wait, .daemon = c->daemon};
	struct ffpf *f;
	int rc, tty = isatty(2);
	double t0, last;

	if (c->workers > 1)
		return cmd_run_workers(c, argc, argv);
	if (!(f = ffpf_create(&o)))
		return perror("ffpf"), EXIT_RUN;
	if (*ffpf_errmsg(f)) { /* the daemon asked for (--daemon) does not answer */
		fprintf(stderr, "ffpf: %s\n", ffpf_errmsg(f));
		ffpf_close(f);
		return EXIT_RUN;
	}
	if ((rc = build(f, c, argc, argv)))
		goto out;
	if (ffpf_instantiate(f) || ffpf_activate(f)) {
		fprintf(stderr, "ffpf: %s\n", ffpf_errmsg(f));
		rc = EXIT_RUN;
		goto out;
	}
	g_ffpf = f;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	t0 = last = now();
	int limited = 0; /* stopped by --duration or -c: a normal end, not an interruption */
	while ((rc = ffpf_step(f)) > 0) {
		if (!c->quiet)
			progress(f, t0, &last, tty, 0);
		if (ffpf_stopped(f))
			break;
		if (c->duration > 0 && now() - t0 >= c->duration) {
			limited = 1;
			break;
		}
	}
	if (!c->quiet)
		progress(f, t0, &last, tty, 1);
	if (rc < 0) {
		fprintf(stderr, "ffpf: %s\nffpf: run failed: results are incomplete and not shown\n",
			ffpf_errmsg(f));
		rc = EXIT_RUN;
		goto out;
	}
	if (rc > 0) { /* stopped: finish like tcpdump does (files hold what was seen) */
		if (ffpf_finish(f)) {
			fprintf(stderr, "ffpf: %s\n", ffpf_errmsg(f));
			rc = EXIT_RUN;
			goto out;
		}
		if (limited) {
			rc = 0;
		} else {
			fputs("ffpf: interrupted: the results below are partial\n", stderr);
			rc = 128 + (g_signal ? g_signal : SIGINT);
		}
	}
	if (c->json)
		print_json(f);
	else
		print_table(f);
out:
	ffpf_close(f);
	g_ffpf = NULL;
	return rc;
}

static int cmd_plan(const struct cli *c, int argc, char **argv)
{
	unsetenv("FFPF_SOCKET"); /* a plan is computed here, never sent to a daemon to run */
	struct ffpf_opts o = {.sz = sizeof(o), .no_compile = c->no_compile, .hierarchy = c->hierarchy,
			      .lowest = c->lowest, .wait = c->wait};
	struct ffpf *f = ffpf_create(&o);
	int rc;
	char *s;

	if (!f)
		return perror("ffpf"), EXIT_RUN;
	if (!(rc = build(f, c, argc, argv)) && c->emit_c) {
		if (ffpf_instantiate(f)) {
			fprintf(stderr, "ffpf: %s\n", ffpf_errmsg(f));
			rc = EXIT_RUN;
		} else if (!ffpf_emitted_c(f)) {
			fputs("ffpf: no function of this flowgraph has a C emitter (see ffpf plan)\n", stderr);
			rc = EXIT_RUN;
		} else {
			fputs(ffpf_emitted_c(f), stdout);
			for (unsigned i = 0; i < ffpf_fn_count(f); i++) { /* say if it is not in use */
				const struct ffpf_fn_info *x = ffpf_fn_info(f, i);
				if (!strcmp(x->mode, "interpreted") && *x->why && strstr(x->why, "emitter") == NULL) {
					fprintf(stderr, "ffpf: note: this unit is not in use: %s\n", x->why);
					break;
				}
			}
		}
	} else if (!rc) {
		s = ffpf_plan(f, c->dot);
		if (s)
			fputs(s, stdout);
		free(s);
	}
	ffpf_close(f);
	return rc;
}

static const char *ptype_name(const struct ffpf_param *p)
{
	static const char *n[] = {"string", "integer", "bool", "choice"};
	return n[p->type];
}

/* `ffpf status`: what the daemon serves, as JSON with one entry per line. */
static void put_indented(const char *s)
{
	int depth = 0, quoted = 0;
	for (; *s; s++) {
		putchar(*s);
		if (*s == '"' && s[-1] != '\\')
			quoted = !quoted;
		if (quoted)
			continue;
		if (*s == '[' || *s == '{')
			depth++;
		else if (*s == ']' || *s == '}')
			depth--;
		if ((*s == '[' || (*s == ',' && s[-1] == '}')) && depth <= 4)
			printf("\n%*s", 2 * depth, "");
	}
	putchar('\n');
}

static int cmd_status(const struct cli *c)
{
	const char *env = getenv("FFPF_SOCKET");
	const char *path = c->daemon ? c->daemon : env && *env ? env : "/run/ffpf/ffpfd.sock";
	struct ffpf_proto_buf *buf = malloc(sizeof(*buf));
	struct ffpf_conn conn;
	struct ffpf_msg m = {.type = FFPF_MSG_HELLO}, r = {0};
	int fds[FFPF_PROTO_MAX_FDS], fd, rc = EXIT_RUN;
	unsigned nfds;
	char err[512] = "";

	if (!buf)
		return perror("ffpf"), EXIT_RUN;
	if ((fd = ffpf_proto_connect(path, err, sizeof(err))) < 0) {
		fprintf(stderr, "ffpf: no ffpf daemon at %s: %s\n", path, err);
		free(buf);
		return EXIT_RUN;
	}
	ffpf_conn_init(&conn, buf, FFPF_PROTO_APP);
	m.seq = ffpf_conn_next_seq(&conn);
	m.version = FFPF_PROTO_VERSION_MIN;
	m.hello.max_version = FFPF_PROTO_VERSION;
	m.hello.app_name = "ffpf-status";
	if (ffpf_proto_send(fd, &m, NULL, 0, err, sizeof(err)) ||
	    ffpf_proto_recv(fd, &conn, &r, fds, FFPF_PROTO_MAX_FDS, &nfds, 5000, err, sizeof(err)) ||
	    r.type != FFPF_MSG_WELCOME)
		goto out;
	conn.version = (uint16_t)r.welcome.version;
	m = (struct ffpf_msg){.type = FFPF_MSG_STATUS, .seq = ffpf_conn_next_seq(&conn), .version = conn.version};
	if (ffpf_proto_send(fd, &m, NULL, 0, err, sizeof(err)) ||
	    ffpf_proto_recv(fd, &conn, &r, fds, FFPF_PROTO_MAX_FDS, &nfds, 5000, err, sizeof(err)) ||
	    r.type != FFPF_MSG_STATUS_TEXT)
		goto out;
	if (c->json)
		puts(r.status_text.text);
	else
		put_indented(r.status_text.text);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "ffpf: status from %s: %s\n", path, r.type == FFPF_MSG_ERROR ? r.error.message : err);
	m = (struct ffpf_msg){.type = FFPF_MSG_BYE, .seq = ffpf_conn_next_seq(&conn), .version = conn.version};
	ffpf_proto_send(fd, &m, NULL, 0, err, sizeof(err));
	close(fd);
	free(buf);
	return rc;
}

static int cmd_classes(const struct cli *c)
{
	struct strbuf sb = {0};
	if (c->json)
		sb_puts(&sb, "[");
	for (unsigned i = 0; i < ffpf_class_count(); i++) {
		const struct ffpf_class *k = ffpf_class_at(i);
		if (c->json) {
			sb_printf(&sb, "%s\n {\"name\":\"%s\",\"summary\":", i ? "," : "", k->name);
			sb_json(&sb, k->summary);
			sb_puts(&sb, ",\"aliases\":[");
			for (const char *const *a = k->aliases; a && *a; a++)
				sb_printf(&sb, "%s\"%s\"", a == k->aliases ? "" : ",", *a);
			sb_puts(&sb, "],\"params\":[");
			for (unsigned j = 0; j < k->nparams; j++) {
				const struct ffpf_param *p = &k->params[j];
				sb_printf(&sb, "%s{\"name\":\"%s\",\"type\":\"%s\",\"default\":", j ? "," : "",
					  p->name, ptype_name(p));
				if (p->def)
					sb_json(&sb, p->def);
				else
					sb_puts(&sb, "null");
				sb_puts(&sb, ",\"help\":");
				sb_json(&sb, p->help);
				sb_puts(&sb, "}");
			}
			sb_puts(&sb, "],\"results\":[");
			for (unsigned j = 0; j < k->nresults; j++)
				sb_printf(&sb, "%s\"%s\"", j ? "," : "", k->results[j].name);
			sb_puts(&sb, "]}");
			continue;
		}
		sb_printf(&sb, "%s%s — %s\n", i ? "\n" : "", k->name, k->summary);
		if (k->aliases && k->aliases[0]) {
			sb_puts(&sb, "  aliases:");
			for (const char *const *a = k->aliases; *a; a++)
				sb_printf(&sb, " %s", *a);
			sb_putc(&sb, '\n');
		}
		for (unsigned j = 0; j < k->nparams; j++) {
			const struct ffpf_param *p = &k->params[j];
			sb_printf(&sb, "  param  %-9s %-8s %s", p->name, ptype_name(p), p->help);
			if (p->def)
				sb_printf(&sb, " (default %s)", *p->def ? p->def : "\"\"");
			else
				sb_puts(&sb, " (required)");
			sb_putc(&sb, '\n');
		}
		for (unsigned j = 0; j < k->nresults; j++)
			sb_printf(&sb, "  result %-9s %s\n", k->results[j].name, k->results[j].help);
	}
	if (c->json)
		sb_puts(&sb, "\n]\n");
	fputs(sb.s ? sb.s : "", stdout);
	sb_free(&sb);
	return 0;
}

/* --lowest LEVEL and --wait MODE: one of their words, or a usage error listing them. */
static int choice(int opt, const char *arg, struct cli *c)
{
	static const char *const lowest[] = {"xdp", "kernel", "host", NULL};
	static const char *const wait[] = {"adaptive", "interrupt", "poll", NULL};
	const char *const *words = opt == 'L' ? lowest : wait;

	for (int k = 0; words[k]; k++)
		if (!strcmp(arg, words[k])) {
			*(opt == 'L' ? &c->lowest : &c->wait) = k;
			return 0;
		}
	fprintf(stderr, "ffpf: --%s wants %s, not '%s'\n", opt == 'L' ? "lowest" : "wait",
		opt == 'L' ? "xdp, kernel or host" : "adaptive, interrupt or poll", arg);
	return -1;
}

/* -c N and --duration S: a positive number, or a usage error naming the option. */
static int number(int opt, const char *arg, struct cli *c)
{
	char *end;
	errno = 0;
	if (opt == 'w') {
		unsigned long n = strtoul(arg, &end, 10);
		c->workers = (int)n;
		if (!errno && !*end && *arg && *arg != '-' && n >= 1 && n <= MAX_WORKERS)
			return 0;
		fprintf(stderr, "ffpf: --workers wants 1 to %d, not '%s'\n", MAX_WORKERS, arg);
		return -1;
	}
	if (opt == 'c') {
		c->max_packets = strtoull(arg, &end, 10);
		if (!errno && !*end && *arg && *arg != '-' && c->max_packets)
			return 0;
		fprintf(stderr, "ffpf: -c wants a packet count above 0, not '%s'\n", arg);
		return -1;
	}
	c->duration = strtod(arg, &end);
	if (!errno && !*end && *arg && c->duration > 0)
		return 0;
	fprintf(stderr, "ffpf: --duration wants seconds above 0, not '%s'\n", arg);
	return -1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},       {"version", no_argument, NULL, 'V'},
		{"json", no_argument, NULL, 'j'},       {"dot", no_argument, NULL, 'd'},
		{"quiet", no_argument, NULL, 'q'},      {"no-compile", no_argument, NULL, 'n'},
		{"read", required_argument, NULL, 'r'}, {"request-file", required_argument, NULL, 'f'},
		{"emit-c", no_argument, NULL, 'C'},
		{"interface", required_argument, NULL, 'i'}, {"duration", required_argument, NULL, 'D'},
		{"count", required_argument, NULL, 'c'}, {"hierarchy", required_argument, NULL, 'H'},
		{"lowest", required_argument, NULL, 'L'}, {"wait", required_argument, NULL, 'W'},
		{"workers", required_argument, NULL, 'w'}, {"daemon", required_argument, NULL, 'S'},
		{NULL, 0, NULL, 0},
	};
	struct cli c = {0};
	const char *cmd;
	int opt, rc;

	if (argc < 2)
		return usage(stderr), EXIT_USAGE;
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
		return usage(stdout), 0;
	if (!strcmp(argv[1], "--version"))
		return printf("ffpf %s\n", ffpf_version()), 0;
	cmd = argv[1];
	c.sources = calloc((size_t)argc, sizeof(char *));
	c.ifaces = calloc((size_t)argc, sizeof(char *));
	optind = 2;
	while ((opt = getopt_long(argc, argv, "hqr:f:i:c:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h': usage(stdout); free(c.sources); free(c.ifaces); return 0;
		case 'V': printf("ffpf %s\n", ffpf_version()); free(c.sources); free(c.ifaces); return 0;
		case 'j': c.json = 1; break;
		case 'd': c.dot = 1; break;
		case 'q': c.quiet = 1; break;
		case 'n': c.no_compile = 1; break;
		case 'C': c.emit_c = 1; break;
		case 'H': c.hierarchy = optarg; break;
		case 'S': c.daemon = optarg; break;
		case 'L':
		case 'W':
			if (choice(opt, optarg, &c)) {
				free(c.sources);
				free(c.ifaces);
				return EXIT_USAGE;
			}
			break;
		case 'i': c.ifaces[c.nifaces++] = optarg; break;
		case 'w':
		case 'D':
		case 'c':
			if (number(opt, optarg, &c)) {
				free(c.sources);
				free(c.ifaces);
				return EXIT_USAGE;
			}
			break;
		case 'r': c.sources[c.nsources++] = optarg; break;
		case 'f': c.reqfile = optarg; break;
		default: usage(stderr); free(c.sources); free(c.ifaces); return EXIT_USAGE;
		}
	}
	if (!strcmp(cmd, "run"))
		rc = cmd_run(&c, argc - optind, argv + optind);
	else if (!strcmp(cmd, "plan"))
		rc = cmd_plan(&c, argc - optind, argv + optind);
	else if (!strcmp(cmd, "status"))
		rc = cmd_status(&c);
	else if (!strcmp(cmd, "classes"))
		rc = cmd_classes(&c);
	else {
		fprintf(stderr, "ffpf: unknown command '%s' (run, plan, status, classes)\n", cmd);
		rc = EXIT_USAGE;
	}
	free(c.sources);
	free(c.ifaces);
	return rc;
}
