/* testlib.h — the tiny assertion kit shared by the C unit tests. */
#ifndef FFPF_TESTLIB_H
#define FFPF_TESTLIB_H
#include <stdio.h>
#include <string.h>

extern int tl_failures;
extern int tl_checks;

/* CHECK(cond): record a failure with file:line but keep going. */
#define CHECK(c) do { tl_checks++; if (!(c)) { tl_failures++; \
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); } } while (0)
#define CHECK_EQ_U(a, b) do { unsigned long long _a = (a), _b = (b); tl_checks++; if (_a != _b) { \
    tl_failures++; fprintf(stderr, "%s:%d: %s == %llu, expected %s == %llu\n", __FILE__, __LINE__, \
    #a, _a, #b, _b); } } while (0)
#define CHECK_STR(a, b) do { const char *_a = (a), *_b = (b); tl_checks++; \
    if (!_a || !_b || strcmp(_a, _b)) { tl_failures++; fprintf(stderr, \
    "%s:%d: got \"%s\", expected \"%s\"\n", __FILE__, __LINE__, _a ? _a : "(null)", _b ? _b : "(null)"); } } while (0)

/* tl_done: print the summary line and give the exit status. */
int tl_done(const char *name);
/* tl_trace_dir: directory of generated traces ($FFPF_TEST_TRACES), never NULL. */
const char *tl_trace_dir(void);
/* tl_shared_dir: ../shared/traces if present, else NULL. */
const char *tl_shared_dir(void);
/* tl_each_trace: call fn(path) for up to limit pcap or pcapng files of dir (NULL: none);
 * returns how many. */
unsigned tl_each_trace(const char *dir, unsigned limit, void (*fn)(const char *path));
#endif
