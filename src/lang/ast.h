/* ast.h — the parsed form of a request in the ffpf request language, and the parser's API. */

/* The language (docs/language.md is the user reference):
 *   request  := chain (';' chain)* [';']
 *   chain    := term ('>' term)*
 *   term     := element | '[' chain ('|' chain)* ']' | '@' name
 *   element  := [name ':'] '(' class (',' arg)* ')'
 *   arg      := value | key '=' value          value := word | "quoted string"
 *
 * Shape guarantees (consumers may rely on them):
 *   - every request->chains[i] is an FFPF_AST_CHAIN with nkids >= 1;
 *   - CHAIN kids are ELEMENT, GROUP or REF nodes, in source order ('>' order);
 *   - GROUP kids are CHAIN nodes, one per '|' branch, nkids >= 1;
 *   - every REF names a label defined somewhere in the request and no label is defined twice
 *     (the parser checks; forward references are allowed, cycles are the graph builder's job);
 *   - nesting of '[ ]' is at most FFPF_LANG_MAX_DEPTH, so recursion over the tree is bounded.
 * All strings are malloc'd and NUL-terminated; everything is owned by the request.
 */
#ifndef FFPF_LANG_AST_H
#define FFPF_LANG_AST_H
#include "diag.h"
#include <stddef.h>

#define FFPF_LANG_MAX_INPUT    (1u << 20) /* bytes of request text */
#define FFPF_LANG_MAX_DEPTH    64         /* levels of '[ ]' */
#define FFPF_LANG_MAX_ELEMENTS 4096       /* '(...)' elements in one request */
#define FFPF_LANG_MAX_NODES    16384      /* all AST nodes: elements, refs, groups, chains */
#define FFPF_LANG_MAX_ARGS     256        /* arguments of one element */

/* One argument of an element: "key=value" or a positional "value". */
struct ffpf_arg {
	char *key;            /* NULL when positional */
	char *value;          /* decoded (escapes applied when quoted); never NULL, may be "" */
	int quoted;           /* 1 when the value was written in quotes */
	struct ffpf_loc loc;  /* start of the argument (its key, or its value) */
	struct ffpf_loc vloc; /* start of the value (the opening quote when quoted) */
	size_t vspan;         /* source bytes of the value, quotes included */
};

enum ffpf_ast_kind { FFPF_AST_ELEMENT, FFPF_AST_CHAIN, FFPF_AST_GROUP, FFPF_AST_REF };

struct ffpf_ast {
	enum ffpf_ast_kind kind;
	struct ffpf_loc loc; /* ELEMENT: its label or '('; GROUP: '['; REF: '@'; CHAIN: first term */
	size_t span;         /* source bytes the node covers, from loc to its last token */
	/* ELEMENT */
	char *label;              /* "name" of name:(...), or NULL */
	char *cls;                /* class name, ASCII-lowercased: compare with this */
	char *cls_orig;           /* class name as written: show this in messages */
	struct ffpf_loc cls_loc;  /* where the class name is (span: strlen(cls_orig)) */
	struct ffpf_arg *args;
	size_t nargs;
	/* REF */
	char *ref; /* the name after '@' */
	/* CHAIN (terms joined by '>') and GROUP (branches joined by '|') */
	struct ffpf_ast **kids;
	size_t nkids;
};

struct ffpf_request {
	struct ffpf_ast **chains; /* FFPF_AST_CHAIN nodes, in source order */
	size_t nchains;
};

/* Parse src[0..len) (need not be NUL-terminated).  origin names the input in messages
 * ("request" when NULL, or a file name).  On success *out is a new request, to be freed with
 * ffpf_request_free(), and 0 is returned.  On error *out is NULL, *d describes the first error
 * (d may be NULL) and the return is -EINVAL (syntax or meaning), -E2BIG (a FFPF_LANG_MAX_*
 * limit) or -ENOMEM.  Never crashes, whatever the bytes. */
int ffpf_lang_parse(const char *src, size_t len, const char *origin, struct ffpf_request **out,
		    struct ffpf_diag *d);

/* Free a request from ffpf_lang_parse(); NULL is fine. */
void ffpf_request_free(struct ffpf_request *r);

/* The request in canonical form: no blanks or comments, lowercased classes, quoted values in
 * double quotes with \" \\ \n \t \r \xHH escapes, chains joined by ';'.  For example
 *   [(file,"a.pcap")|(file,"b.pcap")]>(bpf,"tcp")>[(count)|(bytes)]
 * Parsing the result gives the same request.  Returns a malloc'd string (the caller frees it),
 * or NULL when out of memory. */
char *ffpf_request_format(const struct ffpf_request *r);
#endif
