/* cc.h — C unit → native code: the system C compiler and dlopen, with a content-addressed cache. */
#ifndef FFPF_CODEGEN_CC_H
#define FFPF_CODEGEN_CC_H

#include <stddef.h>

/* Compile src (or find it in the cache) and load it.  Returns the dlopen handle, or NULL with
 * why filled (no compiler, compile error, unsafe cache, layout mismatch): the caller then runs
 * interpreters.  The cache is $XDG_CACHE_HOME/ffpf (else ~/.cache/ffpf); an entry is used only
 * if it is ours (owner, not group/world-writable), its stored source equals src byte for byte,
 * and the loaded unit reports our ABI and struct layout. */
void *ffpf_cc_load(const char *src, size_t len, char *why, size_t whylen);
void ffpf_cc_unload(void *handle);
/* The compiler cache belongs to the process, whoever it acts for (ffpfd applies requests with
 * their application's fs uid/gid): switch file access to the process's own ids, and back. */
#include <sys/types.h>
struct ffpf_cc_owner { uid_t uid; gid_t gid; };
struct ffpf_cc_owner ffpf_cc_as_owner(void);
void ffpf_cc_as_before(struct ffpf_cc_owner o);
/* Compile an eBPF unit with clang -target bpf ($FFPF_CLANG, else clang), or find it in the same
 * cache; the object file's path in obj (an ELF for libbpf).  0, or -1 with why (no clang, a
 * compile error: the log's path is in the message). */
int ffpf_cc_bpf(const char *src, size_t len, char *obj, size_t objlen, char *why, size_t n);
/* Whether the compiler ($FFPF_CC, else cc) can be run; else 0 and why (for plans). */
int ffpf_cc_available(char *why, size_t n);
/* Look up a symbol of a loaded unit. */
void *ffpf_cc_sym(void *handle, const char *name);
#endif
