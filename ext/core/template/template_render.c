/* The template renderer: walks the compiled operations against a data tree
 * read through a mih_tpl_value_ops interface (jansson's json_t for
 * mih_tpl_render) and writes into one growable buffer. Partials are compiled on
 * first use within a render call and kept until it ends.
 *
 * Why this file is long: the renderer is one loop over the compiled
 * operations with its frames, name lookups (dotted, hashed), the context-
 * aware escaping per mode, partials and blocks, and the work limits; the
 * pieces share the render state and stay static in one file, where the
 * compiler can inline them into the loop (bench/template). Helpers that do not touch the render state are elsewhere
 * (template_json.c, template_buf.c, template_utf8.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "template_internal.h"

/* Context frames (sections pushed) and recursion (sections, blocks and
 * partials entered) allowed at render time. */
#define RENDER_MAX_CONTEXT 1000
#define RENDER_MAX_NESTING 1000

/* A block override in effect: the {{$name}} op inside a {{<parent}} tag. */
typedef struct override {
	const mih_tpl *tpl;
	uint32_t op;
	const struct override *next;	/* older (outer) overrides */
} override;

typedef struct {
	const char *name, *indent;
	size_t name_len, indent_len;
	uint8_t ctx;
	mih_tpl *tpl;
} partial_entry;

typedef struct {
	tpl_buf out, scratch;
	const json_t *partials;
	const mih_tpl_value_ops *ops;
	void *ctx;
	const void *stack[RENDER_MAX_CONTEXT];
	uint8_t types[RENDER_MAX_CONTEXT];	/* type_of each stack entry */
	/* Names of the root template already looked up: the value found and
	 * the context stack it was found in (gen). Every push of a map gives the
	 * stack a new generation number, every pop restores the one before. */
	struct {
		const void *value;
		uint32_t gen;
	} memo[TPL_MEMO_SLOTS];
	uint32_t gens[RENDER_MAX_CONTEXT];
	uint32_t gen_counter;
	unsigned depth, nesting, partial_depth;
	unsigned long steps;
	partial_entry *parts;
	size_t nparts, cap_parts;
	mih_tpl_error *err;
	const mih_tpl *root;
	const tpl_op *root_op;		/* the root template's op being rendered */
	const char *partial_name;	/* innermost partial, for messages */
	size_t partial_name_len;
	int locating, located;
	size_t target;
	unsigned loc_line, loc_column;
} render_state;

static int render_range(render_state *st, const mih_tpl *t, uint32_t from, uint32_t to,
	const override *ov);

static int render_fail(render_state *st, const mih_tpl *t, const tpl_op *op, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int render_fail(render_state *st, const mih_tpl *t, const tpl_op *op, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	unsigned column;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!op) {
		/* a template without ops (an empty partial): its start */
		static const tpl_op start = {.line = 1, .column = 1};
		op = &start;
	}
	if (t == st->root || !st->root_op) {
		tpl_set_error(st->err, op->line, op->column, "%s", msg);
		return -1;
	}
	column = op->column > t->indent_columns ? op->column - t->indent_columns : op->column;
	tpl_set_error(st->err, st->root_op->line, st->root_op->column,
		"in partial '%.*s' at line %u, column %u: %s",
		(int)(st->partial_name_len > 40 ? 40 : st->partial_name_len), st->partial_name,
		op->line, column, msg);
	return -1;
}

/* The type of a value, a missing one (NULL) as null. */
static inline mih_tpl_value_type type_of(const render_state *st, const void *v)
{
	return v ? st->ops->type_of(st->ctx, v) : MIH_TPL_VALUE_NULL;
}

/* A map's value under one compiled name part. */
static inline const void *find(const render_state *st, const void *map, const mih_tpl *t,
	const tpl_name *nm)
{
	return st->ops->lookup_hashed
		? st->ops->lookup_hashed(st->ctx, map, t->src + nm->start, nm->len, nm->hash)
		: st->ops->lookup(st->ctx, map, t->src + nm->start, nm->len);
}

/* The value op's name (compiled into parts) resolves to: the first part in
 * the innermost context frame that is a map and has it, the later parts
 * inside that value. NULL when missing. */
static const void *lookup_names(const render_state *st, const mih_tpl *t, const tpl_op *op)
{
	const tpl_name *nm = &t->names[op->name_first];
	const void *v = NULL;
	uint32_t k;
	unsigned i;

	if (st->depth == 1) {
		/* outside any section: only the root */
		if (st->types[0] == MIH_TPL_VALUE_MAP) {
			v = find(st, st->stack[0], t, nm);
		}
	} else {
		for (i = st->depth; i-- > 0;) {
			if (st->types[i] == MIH_TPL_VALUE_MAP) {
				v = find(st, st->stack[i], t, nm);
				if (v) {
					break;
				}
			}
		}
	}
	for (k = 1; v && k < op->name_count; k++) {
		if (type_of(st, v) != MIH_TPL_VALUE_MAP) {
			return NULL;
		}
		v = find(st, v, t, &nm[k]);
	}
	return v;
}

static inline const void *lookup(render_state *st, const mih_tpl *t, const tpl_op *op)
{
	uint32_t gen = st->gens[st->depth - 1];
	const void *v;

	if (op->name_count == 0) {
		return st->stack[st->depth - 1];
	}
	if (!op->memo || t != st->root) {
		return lookup_names(st, t, op);
	}
	if (st->memo[op->memo - 1].gen == gen) {
		return st->memo[op->memo - 1].value;
	}
	if (st->depth == 1 && op->name_count == 1 && st->types[0] == MIH_TPL_VALUE_MAP) {
		/* the common case: a plain name outside any section */
		v = find(st, st->stack[0], t, &t->names[op->name_first]);
	} else {
		v = lookup_names(st, t, op);
	}
	st->memo[op->memo - 1].value = v;
	st->memo[op->memo - 1].gen = gen;
	return v;
}

/* mustache.php's notion of falsy (PHP empty()), which Moodle templates use */
static int is_falsy(const render_state *st, const void *v)
{
	const char *s;
	size_t n;

	switch (type_of(st, v)) {
		case MIH_TPL_VALUE_NULL:
			return 1;
		case MIH_TPL_VALUE_BOOL:
			return !st->ops->bool_value(st->ctx, v);
		case MIH_TPL_VALUE_INT:
			return st->ops->int_value(st->ctx, v) == 0;
		case MIH_TPL_VALUE_REAL:
			return st->ops->real_value(st->ctx, v) == 0.0;
		case MIH_TPL_VALUE_STRING:
			s = st->ops->string_value(st->ctx, v, &n);
			return n == 0 || (n == 1 && s[0] == '0');
		case MIH_TPL_VALUE_LIST:
		case MIH_TPL_VALUE_MAP:
			return st->ops->size(st->ctx, v) == 0;
		default:
			return 0;
	}
}

/* The value as text: a string's bytes, numbers and booleans spelled out,
 * null as nothing, lists and objects as JSON text (in st->scratch). */
static inline int value_text(render_state *st, const mih_tpl *t, const tpl_op *op, const void *v,
	const mih_tpl_scalar *sc, char *num, const char **s, size_t *n)
{
	char why[160];

	switch (sc->type) {
		case MIH_TPL_VALUE_STRING:
			*s = sc->u.string.bytes;
			*n = sc->u.string.len;
			return 0;
		case MIH_TPL_VALUE_INT:
			*n = tpl_format_int((json_int_t)sc->u.integer, num);
			*s = num;
			return 0;
		case MIH_TPL_VALUE_REAL:
			*n = tpl_format_real(sc->u.real, num);
			*s = num;
			return 0;
		case MIH_TPL_VALUE_BOOL:
			*s = sc->u.boolean ? "true" : "false";
			*n = sc->u.boolean ? 4 : 5;
			return 0;
		case MIH_TPL_VALUE_NULL:
			*s = "";
			*n = 0;
			return 0;
		default:
			break;
	}
	st->scratch.len = 0;
	if (tpl_json_serialize(&st->scratch, st->ops, st->ctx, v, why, sizeof(why)) != 0) {
		return render_fail(st, t, op, "value of '%.*s' cannot be written: %s",
			(int)(op->len > 60 ? 60 : op->len), t->src + op->start, why);
	}
	*s = st->scratch.data ? st->scratch.data : "";
	*n = st->scratch.len;
	return 0;
}

static void append_html_escaped(tpl_buf *b, const char *s, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		const char *rep;
		switch (s[i]) {
			case '&': rep = "&amp;"; break;
			case '<': rep = "&lt;"; break;
			case '>': rep = "&gt;"; break;
			case '"': rep = "&quot;"; break;
			case '\'': rep = "&#39;"; break;
			default: continue;
		}
		tpl_buf_append(b, s + run, i - run);
		tpl_buf_append(b, rep, strlen(rep));
		run = i + 1;
	}
	tpl_buf_append(b, s + run, n - run);
}

static void append_url_encoded(tpl_buf *b, const char *s, size_t n)
{
	static const char hex_upper[] = "0123456789ABCDEF";
	size_t i;

	if (tpl_buf_reserve(b, n * 3) != 0) {
		return;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
			|| c == '-' || c == '.' || c == '_' || c == '~') {
			b->data[b->len++] = (char)c;
		} else {
			b->data[b->len++] = '%';
			b->data[b->len++] = hex_upper[c >> 4];
			b->data[b->len++] = hex_upper[c & 15];
		}
	}
}

static int fail_utf8(render_state *st, const mih_tpl *t, const tpl_op *op, const char *s, size_t bad)
{
	return render_fail(st, t, op, "value of '%.*s' is not valid UTF-8 (byte 0x%02x at offset %zu)",
		(int)(op->len > 60 ? 60 : op->len), t->src + op->start, (unsigned char)s[bad], bad);
}

/* JSON mode, tag inside a string literal: string content. */
static int write_json_in_string(render_state *st, const mih_tpl *t, const tpl_op *op, const void *v)
{
	mih_tpl_scalar sc;
	char num[32];
	const char *s = "";
	size_t n = 0, ok;

	tpl_read_scalar(st->ops, st->ctx, v, &sc);
	if (value_text(st, t, op, v, &sc, num, &s, &n) != 0) {
		return -1;
	}
	/* numbers and booleans are plain ASCII: nothing to escape */
	if (op->kind == TPL_OP_RAW || sc.type <= MIH_TPL_VALUE_REAL) {
		tpl_buf_append(&st->out, s, n);
		return 0;
	}
	ok = tpl_json_escape_inline(&st->out, s, n);
	return ok == n ? 0 : fail_utf8(st, t, op, s, ok);
}

/* JSON mode, tag in value position: the value typed, null when missing
 * (the serializer's text), a raw tag's string as it is. */
static int write_json_value(render_state *st, const mih_tpl *t, const tpl_op *op, const void *v)
{
	mih_tpl_scalar sc;
	char why[160];
	int rc;

	tpl_read_scalar(st->ops, st->ctx, v, &sc);
	if (op->kind == TPL_OP_RAW && sc.type == MIH_TPL_VALUE_STRING) {
		tpl_buf_append(&st->out, sc.u.string.bytes, sc.u.string.len);
		return 0;
	}
	rc = tpl_json_scalar(&st->out, &sc, why, sizeof(why));
	if (rc == 0) {
		rc = tpl_json_serialize(&st->out, st->ops, st->ctx, v, why, sizeof(why)) == 0 ? 1 : -1;
	}
	if (rc < 0) {
		return render_fail(st, t, op, "value of '%.*s' cannot be written as JSON: %s",
			(int)(op->len > 60 ? 60 : op->len), t->src + op->start, why);
	}
	return 0;
}

static int write_value(render_state *st, const mih_tpl *t, const tpl_op *op, const void *v)
{
	mih_tpl_scalar sc;
	char num[32];
	const char *s = "";
	size_t n = 0;

	if (t->mode == MIH_TPL_JSON) {
		return op->json_ctx == TPL_JSON_STRING ? write_json_in_string(st, t, op, v)
			: write_json_value(st, t, op, v);
	}
	tpl_read_scalar(st->ops, st->ctx, v, &sc);
	if (value_text(st, t, op, v, &sc, num, &s, &n) != 0) {
		return -1;
	}
	if (op->kind == TPL_OP_RAW || t->mode == MIH_TPL_TEXT) {
		tpl_buf_append(&st->out, s, n);
	} else if (t->mode == MIH_TPL_HTML) {
		append_html_escaped(&st->out, s, n);
	} else {
		append_url_encoded(&st->out, s, n);
	}
	return 0;
}

static int push_context(render_state *st, const mih_tpl *t, const tpl_op *op, const void *v,
	mih_tpl_value_type type)
{
	if (st->depth >= RENDER_MAX_CONTEXT) {
		return render_fail(st, t, op, "sections nested more than %d deep while rendering",
			RENDER_MAX_CONTEXT);
	}
	st->types[st->depth] = (uint8_t)type;
	/* names are never looked up in a frame that is not a map, so pushing
	 * one leaves every lookup's answer, and the generation, as it was */
	st->gens[st->depth] = type == MIH_TPL_VALUE_MAP ? ++st->gen_counter : st->gens[st->depth - 1];
	st->stack[st->depth++] = v;
	return 0;
}

static int render_section(render_state *st, const mih_tpl *t, uint32_t i, const override *ov)
{
	const tpl_op *op = &t->ops[i];
	const void *v = lookup(st, t, op);
	mih_tpl_value_type type;
	size_t k, n;
	int rc;

	if (op->kind == TPL_OP_INVERTED) {
		return is_falsy(st, v) ? render_range(st, t, i + 1, op->end, ov) : 0;
	}
	if (is_falsy(st, v)) {
		return 0;
	}
	type = type_of(st, v);
	if (type != MIH_TPL_VALUE_LIST) {
		if (push_context(st, t, op, v, type) != 0) {
			return -1;
		}
		rc = render_range(st, t, i + 1, op->end, ov);
		st->depth--;
		return rc;
	}
	n = st->ops->size(st->ctx, v);
	for (k = 0; k < n; k++) {
		const void *item = st->ops->item(st->ctx, v, k);
		if (push_context(st, t, op, item, type_of(st, item)) != 0) {
			return -1;
		}
		rc = render_range(st, t, i + 1, op->end, ov);
		st->depth--;
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

static const mih_tpl *find_compiled_partial(const render_state *st, const char *name,
	size_t name_len, const char *indent, size_t indent_len, uint8_t ctx)
{
	size_t i;

	for (i = 0; i < st->nparts; i++) {
		const partial_entry *e = &st->parts[i];
		if (e->name_len == name_len && e->indent_len == indent_len && e->ctx == ctx
			&& memcmp(e->name, name, name_len) == 0 && memcmp(e->indent, indent, indent_len) == 0) {
			return e->tpl;
		}
	}
	return NULL;
}

/* The compiled partial, NULL with *missing set when there is no such
 * partial, NULL with an error when it cannot be compiled. */
static const mih_tpl *get_partial(render_state *st, const mih_tpl *t, const tpl_op *op,
	const char *name, size_t name_len, int *missing)
{
	const char *indent = t->src + op->indent_start;
	const json_t *source;
	mih_tpl_error perr;
	partial_entry *e;
	mih_tpl *compiled;
	const mih_tpl *found;
	int shown = (int)(name_len > 60 ? 60 : name_len);

	*missing = 0;
	found = find_compiled_partial(st, name, name_len, indent, op->indent_len, op->json_ctx);
	if (found) {
		return found;
	}
	source = st->partials ? json_object_getn(st->partials, name, name_len) : NULL;
	if (!source) {
		*missing = 1;
		return NULL;
	}
	if (!json_is_string(source)) {
		render_fail(st, t, op, "partial '%.*s' is not a string", shown, name);
		return NULL;
	}
	if (st->nparts == st->cap_parts) {
		size_t cap = st->cap_parts ? st->cap_parts * 2 : 8;
		partial_entry *parts = realloc(st->parts, cap * sizeof(*parts));
		if (!parts) {
			render_fail(st, t, op, "out of memory loading partial '%.*s'", shown, name);
			return NULL;
		}
		st->parts = parts;
		st->cap_parts = cap;
	}
	compiled = tpl_compile_ex(json_string_value(source), json_string_length(source), t->mode,
		(tpl_json_ctx)op->json_ctx, indent, op->indent_len, &perr);
	if (!compiled) {
		render_fail(st, t, op, "partial '%.*s' line %u, column %u: %s", shown, name,
			perr.line, perr.column, perr.message);
		return NULL;
	}
	e = &st->parts[st->nparts++];
	e->name = name;
	e->name_len = name_len;
	e->indent = indent;
	e->indent_len = op->indent_len;
	e->ctx = op->json_ctx;
	e->tpl = compiled;
	return compiled;
}

static int render_partial(render_state *st, const mih_tpl *t, const tpl_op *op, const override *ov)
{
	const char *name = t->src + op->start, *saved_name;
	size_t name_len = op->len, saved_len;
	const mih_tpl *p;
	int missing, rc;

	if (op->dynamic) {
		const void *v = lookup(st, t, op);
		if (type_of(st, v) != MIH_TPL_VALUE_STRING) {
			return 0;
		}
		name = st->ops->string_value(st->ctx, v, &name_len);
	}
	if (st->partial_depth >= MIH_TPL_MAX_PARTIAL_DEPTH) {
		return render_fail(st, t, op, "partials nested more than %d deep (does partial '%.*s' "
			"include itself?)", MIH_TPL_MAX_PARTIAL_DEPTH, (int)(name_len > 60 ? 60 : name_len), name);
	}
	p = get_partial(st, t, op, name, name_len, &missing);
	if (!p) {
		return missing ? 0 : -1;
	}
	saved_name = st->partial_name;
	saved_len = st->partial_name_len;
	st->partial_name = name;
	st->partial_name_len = name_len;
	st->partial_depth++;
	rc = render_range(st, p, 0, p->nops, ov);
	st->partial_depth--;
	st->partial_name = saved_name;
	st->partial_name_len = saved_len;
	return rc;
}

/* {{<parent}}: the partial with this tag's blocks as overrides, which rank
 * below the overrides already in effect (the outermost template wins). */
static int render_parent(render_state *st, const mih_tpl *t, uint32_t i, const override *ov)
{
	const tpl_op *op = &t->ops[i];
	override local[16], *recs = local;
	size_t n = 0, k = 0;
	uint32_t j;
	int rc;

	for (j = i + 1; j < op->end; j = t->ops[j].end ? t->ops[j].end : j + 1) {
		n += t->ops[j].kind == TPL_OP_BLOCK;
	}
	if (n > sizeof(local) / sizeof(local[0])) {
		recs = malloc(n * sizeof(*recs));
		if (!recs) {
			return render_fail(st, t, op, "out of memory rendering parent '%.*s'",
				(int)(op->len > 60 ? 60 : op->len), t->src + op->start);
		}
	}
	for (j = i + 1; j < op->end; j = t->ops[j].end ? t->ops[j].end : j + 1) {
		if (t->ops[j].kind == TPL_OP_BLOCK) {
			recs[k].tpl = t;
			recs[k].op = j;
			recs[k].next = k ? &recs[k - 1] : ov;
			k++;
		}
	}
	rc = render_partial(st, t, op, n ? &recs[n - 1] : ov);
	if (recs != local) {
		free(recs);
	}
	return rc;
}

/* Append line to out with the blanks prefix (as far as it matches) replaced
 * by indent. */
static void append_reindented_line(tpl_buf *out, const char *line, size_t n, const char *strip,
	size_t strip_len, const char *indent, size_t indent_len)
{
	size_t k = 0;

	while (k < strip_len && k < n && line[k] == strip[k]) {
		k++;
	}
	tpl_buf_append(out, indent, indent_len);
	tpl_buf_append(out, line + k, n - k);
}

/* An override placed into a block that starts its line: the override's own
 * indentation (the blanks opening its body) is replaced by the block's (the
 * blanks opening its default content when the tag stood alone on its line
 * and has a default, else the blanks before the tag). The first line keeps
 * the text already written before an inline tag. */
static int render_reindented(render_state *st, const mih_tpl *t, const tpl_op *op,
	const override *use, const override *ov)
{
	const tpl_op *def = &use->tpl->ops[use->op];
	const char *strip = use->tpl->src + def->body_indent_start, *indent = t->src + op->indent_start;
	size_t strip_len = def->body_indent_len, indent_len = op->indent_len;
	size_t mark = st->out.len, at, n, nl;
	const char *seg;
	int first = 1;

	if ((op->flags & TPL_BLOCK_STANDALONE) && op->end > (uint32_t)(op - t->ops) + 1) {
		indent = t->src + op->body_indent_start;
		indent_len = op->body_indent_len;
	}
	if (render_range(st, use->tpl, use->op + 1, def->end, ov) != 0) {
		return -1;
	}
	st->scratch.len = 0;
	tpl_buf_append(&st->scratch, st->out.data + mark, st->out.len - mark);
	if (st->scratch.failed) {
		return render_fail(st, t, op, "out of memory re-indenting block '%.*s'",
			(int)(op->len > 60 ? 60 : op->len), t->src + op->start);
	}
	st->out.len = mark;
	seg = st->scratch.data;
	n = st->scratch.len;
	for (at = 0; at < n; at = nl, first = 0) {
		const char *hit = memchr(seg + at, '\n', n - at);
		nl = hit ? (size_t)(hit - seg) + 1 : n;
		append_reindented_line(&st->out, seg + at, nl - at, strip, strip_len,
			indent, first && !(op->flags & TPL_BLOCK_STANDALONE) ? 0 : indent_len);
	}
	return 0;
}

static int render_block(render_state *st, const mih_tpl *t, uint32_t i, const override *ov)
{
	const tpl_op *op = &t->ops[i];
	const override *use = NULL, *o;

	for (o = ov; o; o = o->next) {
		const tpl_op *d = &o->tpl->ops[o->op];
		if (d->len == op->len && memcmp(o->tpl->src + d->start, t->src + op->start, op->len) == 0) {
			use = o;
		}
	}
	if (!use) {
		return render_range(st, t, i + 1, op->end, ov);
	}
	if (t->mode == MIH_TPL_JSON && use->tpl->ops[use->op].json_ctx != op->json_ctx) {
		return render_fail(st, t, op, "block '%.*s' is overridden in a different JSON context",
			(int)(op->len > 60 ? 60 : op->len), t->src + op->start);
	}
	if (!(op->flags & TPL_BLOCK_LINE_START)) {
		return render_range(st, use->tpl, use->op + 1, use->tpl->ops[use->op].end, ov);
	}
	return render_reindented(st, t, op, use, ov);
}

static int render_op(render_state *st, const mih_tpl *t, uint32_t i, const override *ov)
{
	const tpl_op *op = &t->ops[i];

	switch (op->kind) {
		case TPL_OP_TEXT:
			tpl_buf_append(&st->out, t->src + op->start, op->len);
			return 0;
		case TPL_OP_VAR:
		case TPL_OP_RAW:
			return write_value(st, t, op, lookup(st, t, op));
		case TPL_OP_SECTION:
		case TPL_OP_INVERTED:
			return render_section(st, t, i, ov);
		case TPL_OP_PARTIAL:
			return render_partial(st, t, op, ov);
		case TPL_OP_BLOCK:
			return render_block(st, t, i, ov);
		default:
			return render_parent(st, t, i, ov);
	}
}

/* While locating, remember the innermost root-template op whose output
 * covers the target byte (ops finish inside out, so the first hit wins). */
static void note_location(render_state *st, const mih_tpl *t, const tpl_op *op, size_t begin)
{
	unsigned line, column;

	if (st->located || st->target < begin || st->target >= st->out.len) {
		return;
	}
	st->located = 1;
	st->loc_line = op->line;
	st->loc_column = op->column;
	if (op->kind == TPL_OP_TEXT) {
		/* position of the byte inside the literal text */
		tpl_position_of(t->src + op->start, st->target - begin, &line, &column);
		st->loc_line = op->line + line - 1;
		st->loc_column = line == 1 ? op->column + column - 1 : column;
	}
}

/* The op loop while locating the op that wrote a given output byte. */
static int render_range_locating(render_state *st, const mih_tpl *t, uint32_t from, uint32_t to,
	const override *ov)
{
	uint32_t i = from;

	while (i < to) {
		const tpl_op *op = &t->ops[i];
		size_t begin = st->out.len;
		if (t == st->root) {
			st->root_op = op;
		}
		if (render_op(st, t, i, ov) != 0) {
			return -1;
		}
		if (t == st->root) {
			note_location(st, t, op, begin);
		}
		i = op->kind <= TPL_OP_RAW || op->kind == TPL_OP_PARTIAL ? i + 1 : op->end;
	}
	return 0;
}

static int fail_output_limit(render_state *st, const mih_tpl *t, const tpl_op *op)
{
	return render_fail(st, t, op, "rendering stopped after 64 MiB of output (do sections iterate "
		"over their own data?)");
}

/* Renders ops [from, to) of t: the whole template, or the body of the op at
 * from - 1. The step limit is checked here, once per range: every section
 * iteration, partial and block is a range, and the ops its loop will visit
 * (counted at compile time, at least 1 so that empty bodies count too) are
 * charged up front. The output limit is checked after every op that writes
 * data. */
static int render_range(render_state *st, const mih_tpl *t, uint32_t from, uint32_t to,
	const override *ov)
{
	const tpl_op *opener = from > 0 ? &t->ops[from - 1] : (t->nops ? &t->ops[0] : NULL);
	uint32_t i = from, steps = from > 0 ? opener->body_steps : t->top_steps;
	int rc = 0;

	if (++st->nesting > RENDER_MAX_NESTING) {
		st->nesting--;
		return render_fail(st, t, opener, "template recursion deeper than %d levels",
			RENDER_MAX_NESTING);
	}
	st->steps += steps ? steps : 1;
	if (st->steps > MIH_TPL_MAX_RENDER_STEPS || st->out.len > MIH_TPL_MAX_OUTPUT) {
		st->nesting--;
		return st->out.len > MIH_TPL_MAX_OUTPUT ? fail_output_limit(st, t, opener)
			: render_fail(st, t, opener, "rendering stopped after 20000000 steps (do sections "
				"iterate over their own data?)");
	}
	if (st->locating) {
		rc = render_range_locating(st, t, from, to, ov);
		st->nesting--;
		return rc;
	}
	while (i < to) {
		const tpl_op *op = &t->ops[i];
		switch (op->kind) {
			case TPL_OP_TEXT:
				tpl_buf_append(&st->out, t->src + op->start, op->len);
				i++;
				continue;
			case TPL_OP_VAR:
			case TPL_OP_RAW:
				rc = write_value(st, t, op, lookup(st, t, op));
				i++;
				break;
			default:
				/* errors inside other templates point at the root's tag */
				if (t == st->root) {
					st->root_op = op;
				}
				rc = render_op(st, t, i, ov);
				i = op->kind == TPL_OP_PARTIAL ? i + 1 : op->end;
		}
		if (rc == 0 && st->out.len > MIH_TPL_MAX_OUTPUT) {
			rc = fail_output_limit(st, t, op);
		}
		if (rc != 0) {
			break;
		}
	}
	st->nesting--;
	return rc;
}

/* The tree a render reads: how, and from where. */
typedef struct {
	const mih_tpl_value_ops *ops;
	void *ctx;
	const void *root;
} render_data;

static void render_state_init(render_state *st, const mih_tpl *tpl, const render_data *data,
	const json_t *partials, mih_tpl_error *err)
{
	memset(st, 0, offsetof(render_state, stack));
	st->partials = json_is_object(partials) ? partials : NULL;
	st->ops = data->ops;
	st->ctx = data->ctx;
	st->stack[0] = data->root;
	st->types[0] = (uint8_t)type_of(st, data->root);
	st->gens[0] = st->gen_counter = 1;	/* memo gen 0: nothing remembered */
	memset(st->memo, 0, tpl->nmemo * sizeof(st->memo[0]));
	st->depth = 1;
	st->nesting = st->partial_depth = 0;
	st->steps = 0;
	st->parts = NULL;
	st->nparts = st->cap_parts = 0;
	st->err = err;
	st->root = tpl;
	st->root_op = NULL;
	st->partial_name = NULL;
	st->partial_name_len = 0;
	st->locating = st->located = 0;
	st->target = 0;
}

static void render_state_release(render_state *st)
{
	size_t i;

	for (i = 0; i < st->nparts; i++) {
		mih_tpl_free(st->parts[i].tpl);
	}
	free(st->parts);
	free(st->scratch.data);
	free(st->out.data);
	st->parts = NULL;
	st->nparts = 0;
	st->scratch.data = st->out.data = NULL;
}

static int render_once(render_state *st, const mih_tpl *tpl)
{
	if (tpl_buf_reserve(&st->out, tpl->src_len + 64) != 0) {
		tpl_set_error(st->err, 1, 1, "out of memory rendering the template");
		return -1;
	}
	if (render_range(st, tpl, 0, tpl->nops, NULL) != 0) {
		return -1;
	}
	if (st->out.failed || st->scratch.failed) {
		tpl_set_error(st->err, 1, 1, "out of memory rendering the template");
		return -1;
	}
	st->out.data[st->out.len] = '\0';
	return 0;
}

/* The output is not JSON: render again, this time watching which op writes
 * the offending byte, to point at the template text responsible. */
static void report_invalid_json(const mih_tpl *tpl, const render_data *data, const json_t *partials,
	size_t bad, size_t out_len, const char *why, mih_tpl_error *err)
{
	render_state st;
	mih_tpl_error ignored;
	unsigned line = tpl->end_line, column = tpl->end_column;

	if (bad < out_len) {
		render_state_init(&st, tpl, data, partials, &ignored);
		st.locating = 1;
		st.target = bad;
		if (render_once(&st, tpl) == 0 && st.located) {
			line = st.loc_line;
			column = st.loc_column;
		}
		render_state_release(&st);
	}
	tpl_set_error(err, line, column, "rendered payload is not valid JSON: %s (output byte %zu)",
		why, bad);
}

/* Hands the output buffer back to the caller's reusable one, if any. */
static void keep_buffer(render_state *st, mih_tpl_buffer *reuse)
{
	if (reuse) {
		reuse->data = st->out.data;
		reuse->cap = st->out.cap;
		st->out.data = NULL;
	}
}

static int render_data_with(const mih_tpl *tpl, const render_data *data, const json_t *partials,
	mih_tpl_buffer *reuse, char **out, size_t *outlen, mih_tpl_error *err)
{
	render_state st;
	mih_tpl_error scratch_err;
	char why[128];
	size_t bad;

	*out = NULL;
	*outlen = 0;
	if (!err) {
		err = &scratch_err;
	}
	if (!tpl) {
		tpl_set_error(err, 1, 1, "no compiled template given");
		return -1;
	}
	render_state_init(&st, tpl, data, partials, err);
	if (reuse) {
		st.out.data = reuse->data;
		st.out.cap = reuse->data ? reuse->cap : 0;
	}
	if (render_once(&st, tpl) != 0) {
		keep_buffer(&st, reuse);
		render_state_release(&st);
		return -1;
	}
	if (tpl->mode == MIH_TPL_JSON && !tpl->json_proven
		&& tpl_json_validate(st.out.data, st.out.len, &bad, why, sizeof(why)) != 0) {
		size_t len = st.out.len;
		keep_buffer(&st, reuse);
		render_state_release(&st);
		report_invalid_json(tpl, data, partials, bad, len, why, err);
		return -1;
	}
	*out = st.out.data;
	*outlen = st.out.len;
	keep_buffer(&st, reuse);
	st.out.data = NULL;
	render_state_release(&st);
	return 0;
}

int mih_tpl_render_values(const mih_tpl *tpl, const mih_tpl_value_ops *ops, void *ctx,
	const void *root, const json_t *partials, char **out, size_t *outlen, mih_tpl_error *err)
{
	render_data data;

	data.ops = ops;
	data.ctx = ctx;
	data.root = root;
	return render_data_with(tpl, &data, partials, NULL, out, outlen, err);
}

int mih_tpl_render_values_into(const mih_tpl *tpl, const mih_tpl_value_ops *ops, void *ctx,
	const void *root, const json_t *partials, mih_tpl_buffer *buf, const char **out, size_t *outlen,
	mih_tpl_error *err)
{
	render_data data;
	char *text;
	int rc;

	data.ops = ops;
	data.ctx = ctx;
	data.root = root;
	rc = render_data_with(tpl, &data, partials, buf, &text, outlen, err);
	*out = text;
	return rc;
}

/* jansson's json_t behind the value interface. */
static mih_tpl_value_type jv_type_of(void *ctx, const void *v)
{
	(void)ctx;
	switch (json_typeof((const json_t *)v)) {
		case JSON_OBJECT:
			return MIH_TPL_VALUE_MAP;
		case JSON_ARRAY:
			return MIH_TPL_VALUE_LIST;
		case JSON_STRING:
			return MIH_TPL_VALUE_STRING;
		case JSON_INTEGER:
			return MIH_TPL_VALUE_INT;
		case JSON_REAL:
			return MIH_TPL_VALUE_REAL;
		case JSON_TRUE:
		case JSON_FALSE:
			return MIH_TPL_VALUE_BOOL;
		default:
			return MIH_TPL_VALUE_NULL;
	}
}

static int jv_bool_value(void *ctx, const void *v)
{
	(void)ctx;
	return json_is_true((const json_t *)v);
}

static int64_t jv_int_value(void *ctx, const void *v)
{
	(void)ctx;
	return (int64_t)json_integer_value((const json_t *)v);
}

static double jv_real_value(void *ctx, const void *v)
{
	(void)ctx;
	return json_real_value((const json_t *)v);
}

static const char *jv_string_value(void *ctx, const void *v, size_t *len)
{
	(void)ctx;
	*len = json_string_length((const json_t *)v);
	return json_string_value((const json_t *)v);
}

static size_t jv_size(void *ctx, const void *v)
{
	(void)ctx;
	return json_is_array((const json_t *)v) ? json_array_size((const json_t *)v)
		: json_object_size((const json_t *)v);
}

static const void *jv_item(void *ctx, const void *list, size_t i)
{
	(void)ctx;
	return json_array_get((const json_t *)list, i);
}

static const void *jv_lookup(void *ctx, const void *map, const char *name, size_t len)
{
	(void)ctx;
	return json_object_getn((const json_t *)map, name, len);
}

static int jv_map_each(void *ctx, const void *map, mih_tpl_map_visit visit, void *arg)
{
	json_t *obj = (json_t *)map;
	void *it;
	int rc;

	(void)ctx;
	for (it = json_object_iter(obj); it; it = json_object_iter_next(obj, it)) {
		rc = visit(arg, json_object_iter_key(it), json_object_iter_key_len(it),
			json_object_iter_value(it));
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

static const mih_tpl_value_ops json_value_ops = {
	jv_type_of,
	jv_bool_value,
	jv_int_value,
	jv_real_value,
	jv_string_value,
	jv_size,
	jv_item,
	jv_lookup,
	jv_map_each,
	NULL,
	NULL
};

int mih_tpl_render(const mih_tpl *tpl, const json_t *data, const json_t *partials,
	char **out, size_t *outlen, mih_tpl_error *err)
{
	return mih_tpl_render_values(tpl, &json_value_ops, NULL, data ? data : json_null(),
		partials, out, outlen, err);
}
