/* args.h — parameters of one function: the request's arguments bound to a class's parameter
 * table, type- and range-checked, with defaults applied and a canonical text form (used as
 * part of the function's identity when overlaying requests). */
#ifndef FFPF_GRAPH_ARGS_H
#define FFPF_GRAPH_ARGS_H

#include <ffpf/class.h>
#include "lang/ast.h"

struct ffpf_args {
	const struct ffpf_class *cls;
	char **str;       /* per parameter: value text (default applied), NULL if absent */
	uint64_t *u64;    /* per parameter: numeric value (U64, BOOL) */
	unsigned char *given;
	char *canon;      /* "expr=tcp,optimize=1": identity of the parameters */
};

/* Bind element el's arguments to cls's parameters.  On error returns -EINVAL and writes a
 * message into err (errlen bytes) naming the parameter; *bad_loc gets the argument's place. */
int ffpf_args_bind(const struct ffpf_class *cls, const struct ffpf_ast *el, struct ffpf_args **out,
		   char *err, size_t errlen, struct ffpf_loc *bad_loc);
/* Bind from plain key/value text pairs (for programmatic use and tests); keys may be NULL for
 * positional values. */
void ffpf_args_free(struct ffpf_args *a);
#endif
