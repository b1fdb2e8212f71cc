/* dump.c — class `dump`: write the packets that reach it to a pcap file (tcpdump -w).
 *
 * The file is written under a temporary name in the same directory and renamed into place only
 * when the run completes: a failed or interrupted run never leaves a partial file looking like a
 * result.  Its stdio buffer is allocated at instantiate, so writing never allocates.
 * Passes every packet it wrote; packets it could not write are dropped as write_error.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <ffpf/class.h>

#define DUMP_BUF (1u << 20)

static const struct ffpf_param params[] = {
	{"expr", FFPF_P_STR, NULL, "path of the pcap file to write", NULL, 0, 0},
	{"snaplen", FFPF_P_U64, "0", "cut packets to this many bytes (0: keep what was captured)",
	 NULL, 0, 262144},
};

static const struct ffpf_result_desc results[] = {
	{"packets", FFPF_V_U64, "packets written", 0, FFPF_R_SUM},
	{"bytes", FFPF_V_U64, "bytes written (captured bytes, without record headers)", 8, FFPF_R_SUM},
	{"file", FFPF_V_STR, "the file written", 0, 0},
};

struct dump_priv {
	pcap_t *dead;
	pcap_dumper_t *d;
	FILE *fp;
	char *tmp;     /* temporary name until finish() */
	char *final;   /* the file's name, absolute: finish() may run from another directory
	                * (ffpfd retires a function after its application left) */
	char *buf;     /* stdio buffer */
	uint32_t snap;
	int done;
};

static int dump_init(struct ffpf_fn *fn, const struct ffpf_args *a)
{
	if (!*ffpf_arg_str(a, "expr"))
		return ffpf_fn_error(fn, "empty file name; give the path of the pcap file to write");
	ffpf_fn_set_mbuf(fn, 2 * sizeof(uint64_t));
	return 0;
}

static int open_tmp(struct ffpf_fn *fn, struct dump_priv *dp, const char *path)
{
	char cwd[4096];
	size_t n;

	if (path[0] != '/' && getcwd(cwd, sizeof(cwd))) {
		if (asprintf(&dp->final, "%s/%s", cwd, path) < 0)
			dp->final = NULL;
	} else {
		dp->final = strdup(path);
	}
	if (!dp->final)
		return -ENOMEM;
	n = strlen(dp->final) + 16;
	int fd;

	if (!(dp->tmp = malloc(n)))
		return -ENOMEM;
	snprintf(dp->tmp, n, "%s.tmp-XXXXXX", dp->final);
	fd = mkstemp(dp->tmp);
	if (fd < 0) {
		int e = errno;
		free(dp->tmp);
		dp->tmp = NULL;
		return ffpf_fn_error(fn, "cannot create '%s': %s", path, strerror(e)), -e;
	}
	fchmod(fd, 0644);
	if (!(dp->fp = fdopen(fd, "wb"))) {
		close(fd);
		return -errno;
	}
	return 0;
}

static int dump_instantiate(struct ffpf_fn *fn)
{
	struct dump_priv *dp = ffpf_fn_priv(fn);
	const struct ffpf_args *a = ffpf_fn_args(fn);
	uint32_t snap = (uint32_t)ffpf_arg_u64(a, "snaplen");
	int rc;

	dp->snap = snap ? snap : ffpf_fn_snaplen(fn);
	if (!dp->snap)
		dp->snap = 262144;
	if ((rc = open_tmp(fn, dp, ffpf_arg_str(a, "expr"))))
		return rc;
	if (!(dp->buf = malloc(DUMP_BUF)))
		return -ENOMEM;
	setvbuf(dp->fp, dp->buf, _IOFBF, DUMP_BUF);
	dp->dead = pcap_open_dead_with_tstamp_precision(ffpf_fn_linktype(fn), (int)dp->snap,
							 PCAP_TSTAMP_PRECISION_MICRO);
	if (!dp->dead)
		return -ENOMEM;
	if (!(dp->d = pcap_dump_fopen(dp->dead, dp->fp)))
		return ffpf_fn_error(fn, "cannot start pcap file: %s", pcap_geterr(dp->dead));
	return 0;
}

static unsigned dump_run(struct ffpf_fn *fn, const struct ffpf_batch *b, const struct ffpf_sel *in,
			 struct ffpf_sel *out)
{
	struct dump_priv *dp = ffpf_fn_priv(fn);
	uint64_t *m = (uint64_t *)(void *)ffpf_fn_mbuf(fn);
	struct pcap_pkthdr h;

	if (ferror(dp->fp)) { /* the disk said no earlier: count, don't pretend */
		ffpf_fn_drop(fn, FFPF_DROP_WRITE_ERROR, in->n);
		return out->n = 0;
	}
	for (unsigned i = 0; i < in->n; i++) {
		unsigned k = in->idx[i];
		int64_t ts = (int64_t)b->ts_ns[k]; /* signed, as libpcap reads pcap times */
		h.ts.tv_sec = (time_t)(ts / 1000000000);
		h.ts.tv_usec = (suseconds_t)(ts % 1000000000 / 1000);
		h.caplen = b->pkt[k].caplen < dp->snap ? b->pkt[k].caplen : dp->snap;
		h.len = b->pkt[k].wirelen;
		pcap_dump((u_char *)dp->d, &h, b->pkt[k].data);
		m[1] += h.caplen;
	}
	m[0] += in->n;
	return ffpf_sel_pass_all(in, out);
}

static int dump_finish(struct ffpf_fn *fn)
{
	struct dump_priv *dp = ffpf_fn_priv(fn);
	const char *path = ffpf_arg_str(ffpf_fn_args(fn), "expr");
	int bad;

	bad = pcap_dump_flush(dp->d) || ferror(dp->fp);
	pcap_dump_close(dp->d); /* closes dp->fp */
	dp->d = NULL;
	dp->fp = NULL;
	if (bad) {
		unlink(dp->tmp);
		return ffpf_fn_error(fn, "writing '%s' failed (disk full?)", path), -EIO;
	}
	if (rename(dp->tmp, dp->final)) {
		int e = errno;
		unlink(dp->tmp);
		return ffpf_fn_error(fn, "cannot rename into '%s': %s", path, strerror(e)), -e;
	}
	dp->done = 1;
	return 0;
}

static int dump_read(const struct ffpf_fn *fn, unsigned idx, struct ffpf_value *v)
{
	const uint64_t *m = (const uint64_t *)(const void *)ffpf_fn_mbuf(fn);
	if (idx == 2) {
		v->type = FFPF_V_STR;
		v->str = ffpf_arg_str(ffpf_fn_args(fn), "expr");
		return 0;
	}
	v->type = FFPF_V_U64;
	v->u64 = m ? m[idx] : 0;
	return 0;
}

static void dump_fini(struct ffpf_fn *fn)
{
	struct dump_priv *dp = ffpf_fn_priv(fn);
	if (!dp)
		return;
	if (dp->d)
		pcap_dump_close(dp->d);
	else if (dp->fp)
		fclose(dp->fp);
	if (dp->tmp && !dp->done)
		unlink(dp->tmp); /* the run did not complete: leave no partial file */
	if (dp->dead)
		pcap_close(dp->dead);
	free(dp->tmp);
	free(dp->final);
	free(dp->buf);
}

const struct ffpf_class ffpf_fnclass_dump = {
	.name = "dump",
	.aliases = (const char *const[]){"write", "pcapwrite", NULL},
	.summary = "write the packets to a pcap file (published when the run completes)",
	.params = params,
	.nparams = 2,
	.results = results,
	.nresults = 3,
	.priv_size = sizeof(struct dump_priv),
	.drop_reason = FFPF_DROP_WRITE_ERROR,
	.init = dump_init,
	.instantiate = dump_instantiate,
	.run = dump_run,
	.read = dump_read,
	.finish = dump_finish,
	.fini = dump_fini,
};
