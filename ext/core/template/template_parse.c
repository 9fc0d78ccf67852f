/* The template compiler: Mustache source to a flat list of operations.
 *
 * One left-to-right pass finds tags, applies the standalone-line rules,
 * matches sections with an explicit stack and, in JSON mode, runs a JSON
 * lexer over the literal text that will be emitted, so every tag records
 * whether it sits inside a string literal.
 *
 * Why this file is long: the compiler is one left-to-right pass: tags,
 * standalone lines, sections and their closing, partials, inheritance blocks
 * and the context of every tag are decided by the same scanner state, which
 * stays static. The compiled form's cleanup is here too because it is built
 * here. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memmem */
#endif
#include <stdlib.h>
#include <string.h>
#include "template_internal.h"

/* JSON lexer states over literal text; the U states count \u hex digits. */
enum {
	LEX_VALUE = TPL_JSON_VALUE,
	LEX_STRING = TPL_JSON_STRING,
	LEX_ESCAPE,
	LEX_U1, LEX_U2, LEX_U3, LEX_U4
};

typedef enum {
	TAG_VAR, TAG_RAW, TAG_SECTION, TAG_INVERTED, TAG_CLOSE, TAG_COMMENT,
	TAG_PARTIAL, TAG_DELIMS, TAG_BLOCK, TAG_PARENT
} tag_kind;

typedef struct {
	tag_kind kind;
	size_t start, end;		/* opening delimiter to just past the closing one */
	size_t name_start, name_len;	/* trimmed content (delims: both delimiters) */
	int dynamic;
} tag;

typedef struct {
	uint32_t op;
	uint8_t kind;		/* TPL_OP_SECTION, _INVERTED, _BLOCK or _PARENT */
	uint8_t json_ctx;
	size_t tag_start;
} open_section;

typedef struct {
	const char *src;
	size_t len, pos;
	size_t text_start;	/* pos before the tag being applied */
	const char *open, *close;
	size_t open_len, close_len;
	size_t cur_off;
	unsigned cur_line, cur_col;
	tpl_op *ops;
	uint32_t nops, cap;
	open_section stack[MIH_TPL_MAX_NESTING];
	int depth;
	mih_tpl_mode mode;
	int lex;
	size_t string_open_off;
	mih_tpl_error *err;
} parser;

static const char *const lex_names[] = {
	"outside a JSON string", "inside a JSON string"
};

static int parse_fail_at(parser *p, size_t off, const char *msg, size_t a_len, const char *a)
{
	unsigned line, column;

	tpl_position_of(p->src, off, &line, &column);
	tpl_set_error(p->err, line, column, msg, (int)(a_len > 60 ? 60 : a_len), a);
	return -1;
}

/* Position of off, moving a cursor that only goes forward (ops are made in
 * source order, so compiling stays linear). */
static void cursor_to(parser *p, size_t off, uint32_t *line, uint32_t *column)
{
	while (p->cur_off < off) {
		unsigned char ch = (unsigned char)p->src[p->cur_off++];
		if (ch == '\n') {
			p->cur_line++;
			p->cur_col = 1;
		} else if ((ch & 0xC0) != 0x80) {
			p->cur_col++;
		}
	}
	*line = p->cur_line;
	*column = p->cur_col;
}

static tpl_op *push_op(parser *p, tpl_op_kind kind, size_t at)
{
	tpl_op *op;

	if (p->nops == p->cap) {
		uint32_t cap = p->cap ? p->cap * 2 : 16;
		tpl_op *ops = realloc(p->ops, cap * sizeof(*ops));
		if (!ops) {
			tpl_set_error(p->err, 1, 1, "out of memory compiling the template");
			return NULL;
		}
		p->ops = ops;
		p->cap = cap;
	}
	op = &p->ops[p->nops++];
	memset(op, 0, sizeof(*op));
	op->kind = (uint8_t)kind;
	op->json_ctx = p->lex == LEX_STRING ? TPL_JSON_STRING : TPL_JSON_VALUE;
	cursor_to(p, at, &op->line, &op->column);
	return op;
}

static void lex_text(parser *p, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++) {
		char c = p->src[i];
		switch (p->lex) {
			case LEX_VALUE:
				if (c == '"') {
					p->lex = LEX_STRING;
					p->string_open_off = i;
				}
				break;
			case LEX_STRING:
				if (c == '\\') {
					p->lex = LEX_ESCAPE;
				} else if (c == '"') {
					p->lex = LEX_VALUE;
				}
				break;
			case LEX_ESCAPE:
				p->lex = c == 'u' ? LEX_U4 : LEX_STRING;
				break;
			default:
				p->lex = p->lex == LEX_U1 ? LEX_STRING : p->lex - 1;
				break;
		}
	}
}

/* Text inside a parent tag but outside its blocks is never rendered. */
static int in_parent_body(const parser *p)
{
	return p->depth > 0 && p->stack[p->depth - 1].kind == TPL_OP_PARENT;
}

static int emit_text(parser *p, size_t from, size_t to)
{
	tpl_op *op;

	if (to <= from || in_parent_body(p)) {
		return 0;
	}
	op = push_op(p, TPL_OP_TEXT, from);
	if (!op) {
		return -1;
	}
	op->start = (uint32_t)from;
	op->len = (uint32_t)(to - from);
	if (p->mode == MIH_TPL_JSON) {
		lex_text(p, from, to);
	}
	return 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const char *find_bytes(const char *hay, size_t hay_len, const char *needle, size_t n)
{
	return memmem(hay, hay_len, needle, n);
}

/* The closing delimiter at or after from; with lead, one preceded by that
 * character (the '}' of {{{x}}} or the '=' of {{=<% %>=}}) at or after from. */
static size_t find_close(const parser *p, size_t from, char lead)
{
	size_t at = from;

	for (;;) {
		const char *hit = find_bytes(p->src + at, p->len - at, p->close, p->close_len);
		size_t off;
		if (!hit) {
			return (size_t)-1;
		}
		off = (size_t)(hit - p->src);
		if (!lead) {
			return off;
		}
		if (off > from && p->src[off - 1] == lead) {
			return off - 1;
		}
		at = off + 1;
	}
}

static void trim(const char *src, size_t *start, size_t *len)
{
	while (*len && is_space(src[*start])) {
		(*start)++;
		(*len)--;
	}
	while (*len && is_space(src[*start + *len - 1])) {
		(*len)--;
	}
}

static tag_kind kind_of_sigil(char c)
{
	switch (c) {
		case '#': return TAG_SECTION;
		case '^': return TAG_INVERTED;
		case '/': return TAG_CLOSE;
		case '!': return TAG_COMMENT;
		case '>': return TAG_PARTIAL;
		case '=': return TAG_DELIMS;
		case '$': return TAG_BLOCK;
		case '<': return TAG_PARENT;
		case '{':
		case '&': return TAG_RAW;
		default: return TAG_VAR;
	}
}

static int parse_tag(parser *p, size_t at, tag *t)
{
	size_t q = at + p->open_len, close;
	char sigil = q < p->len ? p->src[q] : '\0';
	char lead = 0;

	memset(t, 0, sizeof(*t));
	t->start = at;
	t->kind = q < p->len ? kind_of_sigil(sigil) : TAG_VAR;
	if (t->kind != TAG_VAR) {
		q++;
	}
	if (sigil == '{') {
		lead = '}';
	} else if (t->kind == TAG_DELIMS) {
		lead = '=';
	}
	close = find_close(p, q, lead);
	if (close == (size_t)-1) {
		return parse_fail_at(p, at, lead == '}' ? "unclosed tag: no '}%.*s' found"
			: lead == '=' ? "unclosed set-delimiter tag: no '=%.*s' found"
			: "unclosed tag: no '%.*s' found", p->close_len, p->close);
	}
	t->end = close + (lead ? 1 : 0) + p->close_len;
	t->name_start = q;
	t->name_len = close - q;
	trim(p->src, &t->name_start, &t->name_len);
	if (t->kind == TAG_PARTIAL && t->name_len && p->src[t->name_start] == '*') {
		t->dynamic = 1;
		t->name_start++;
		t->name_len--;
		trim(p->src, &t->name_start, &t->name_len);
	}
	if (t->name_len == 0 && t->kind != TAG_COMMENT) {
		return parse_fail_at(p, at, t->kind == TAG_DELIMS
			? "empty set-delimiter tag%.*s: expected two delimiters like {{=<%% %%>=}}"
			: "empty tag name%.*s", 0, "");
	}
	return 0;
}

/* Only blanks between the start of the line and the tag at start, and no
 * other tag on the line before it (from is where the text before the tag
 * began): *line_begin gets the line's first byte. */
static int line_prefix_blank(const parser *p, size_t from, size_t start, size_t *line_begin)
{
	size_t i = start;

	while (i > from && (p->src[i - 1] == ' ' || p->src[i - 1] == '\t')) {
		i--;
	}
	if (i > from) {
		if (p->src[i - 1] != '\n') {
			return 0;
		}
	} else if (i != 0 && p->src[i - 1] != '\n') {
		/* the line started before pos: an earlier tag is on it */
		return 0;
	}
	*line_begin = i;
	return 1;
}

/* Only blanks from end to the end of the line: *after gets the byte after
 * its newline (or the end of the source). */
static int line_suffix_blank(const parser *p, size_t end, size_t *after)
{
	size_t j = end;

	while (j < p->len && (p->src[j] == ' ' || p->src[j] == '\t')) {
		j++;
	}
	if (j < p->len && p->src[j] == '\r' && j + 1 < p->len && p->src[j + 1] == '\n') {
		j += 2;
	} else if (j < p->len && p->src[j] == '\n') {
		j++;
	} else if (j < p->len) {
		return 0;
	}
	*after = j;
	return 1;
}

/* A section, partial, comment, delimiter or inheritance tag alone on its
 * line (only spaces or tabs around it) is removed with its line. */
static int is_standalone(const parser *p, const tag *t, size_t *line_begin, size_t *after)
{
	if (t->kind == TAG_VAR || t->kind == TAG_RAW) {
		return 0;
	}
	return line_prefix_blank(p, p->pos, t->start, line_begin) && line_suffix_blank(p, t->end, after);
}

static int set_delimiters(parser *p, const tag *t)
{
	const char *s = p->src + t->name_start;
	size_t n = t->name_len, a = 0, b;

	while (a < n && !is_space(s[a])) {
		a++;
	}
	b = a;
	while (b < n && is_space(s[b])) {
		b++;
	}
	if (a == 0 || b == a || b == n || memchr(s, '=', n)) {
		return parse_fail_at(p, t->start, "invalid set-delimiter tag: expected two delimiters "
			"separated by whitespace, like {{=<%% %%>=}}%.*s", 0, "");
	}
	{
		size_t k;
		for (k = b; k < n; k++) {
			if (is_space(s[k])) {
				return parse_fail_at(p, t->start, "invalid set-delimiter tag: expected exactly "
					"two delimiters, like {{=<%% %%>=}}%.*s", 0, "");
			}
		}
	}
	p->open = s;
	p->open_len = a;
	p->close = s + b;
	p->close_len = n - b;
	return 0;
}

static int check_lexical_position(parser *p, const tag *t)
{
	if (p->lex > LEX_STRING) {
		return parse_fail_at(p, t->start, "a tag cannot stand inside a JSON escape sequence "
			"(right after a backslash)%.*s", 0, "");
	}
	return 0;
}

/* Record where a block sits so an override can be re-indented to it: the
 * blanks before the tag and the blanks opening its body (p->pos). */
static void describe_block(parser *p, const tag *t, tpl_op *op, int standalone)
{
	size_t line_begin, n = 0;

	if (line_prefix_blank(p, p->text_start, t->start, &line_begin)) {
		op->flags |= TPL_BLOCK_LINE_START;
		op->indent_start = (uint32_t)line_begin;
		op->indent_len = (uint32_t)(t->start - line_begin);
	} else if (standalone) {
		op->flags |= TPL_BLOCK_LINE_START;
	}
	if (standalone) {
		op->flags |= TPL_BLOCK_STANDALONE;
	}
	while (p->pos + n < p->len && (p->src[p->pos + n] == ' ' || p->src[p->pos + n] == '\t')) {
		n++;
	}
	op->body_indent_start = (uint32_t)p->pos;
	op->body_indent_len = (uint32_t)n;
}

static int open_section_tag(parser *p, const tag *t, tpl_op_kind kind, size_t indent_start,
	size_t indent_len, int standalone)
{
	tpl_op *op;
	open_section *s;

	if (p->depth >= MIH_TPL_MAX_NESTING) {
		return parse_fail_at(p, t->start, "sections nested more than 100 deep%.*s", 0, "");
	}
	op = push_op(p, kind, t->start);
	if (!op) {
		return -1;
	}
	op->start = (uint32_t)t->name_start;
	op->len = (uint32_t)t->name_len;
	op->indent_start = (uint32_t)indent_start;
	op->indent_len = (uint32_t)indent_len;
	if (kind == TPL_OP_BLOCK) {
		describe_block(p, t, op, standalone);
	}
	s = &p->stack[p->depth++];
	s->op = p->nops - 1;
	s->kind = (uint8_t)kind;
	s->json_ctx = (uint8_t)p->lex;
	s->tag_start = t->start;
	return 0;
}

static int close_section_tag(parser *p, const tag *t)
{
	open_section *s;
	tpl_op *op;
	unsigned line, column;

	if (p->depth == 0) {
		return parse_fail_at(p, t->start, "closing tag '%.*s' has no open section",
			t->name_len, p->src + t->name_start);
	}
	s = &p->stack[p->depth - 1];
	op = &p->ops[s->op];
	if (op->len != t->name_len || memcmp(p->src + op->start, p->src + t->name_start, op->len) != 0) {
		tpl_position_of(p->src, s->tag_start, &line, &column);
		tpl_set_error(p->err, 0, 0, "section '%.*s' opened at line %u, column %u is closed by '%.*s'",
			(int)(op->len > 60 ? 60 : op->len), p->src + op->start, line, column,
			(int)(t->name_len > 60 ? 60 : t->name_len), p->src + t->name_start);
		tpl_position_of(p->src, t->start, &p->err->line, &p->err->column);
		return -1;
	}
	if (p->mode == MIH_TPL_JSON && p->lex != s->json_ctx && s->kind != TPL_OP_PARENT) {
		tpl_set_error(p->err, 0, 0, "section '%.*s' opens %s but closes %s; a section must "
			"start and end in the same JSON context",
			(int)(op->len > 60 ? 60 : op->len), p->src + op->start, lex_names[s->json_ctx],
			p->lex == LEX_STRING ? lex_names[1] : p->lex == LEX_VALUE ? lex_names[0]
			: "inside a JSON escape sequence");
		tpl_position_of(p->src, t->start, &p->err->line, &p->err->column);
		return -1;
	}
	op->end = p->nops;
	p->depth--;
	return 0;
}

static int leaf_tag(parser *p, const tag *t, size_t indent_start, size_t indent_len)
{
	tpl_op_kind kind = t->kind == TAG_VAR ? TPL_OP_VAR : t->kind == TAG_RAW ? TPL_OP_RAW : TPL_OP_PARTIAL;
	tpl_op *op;

	if (in_parent_body(p)) {
		return 0;	/* only blocks count inside a parent tag */
	}
	op = push_op(p, kind, t->start);
	if (!op) {
		return -1;
	}
	op->start = (uint32_t)t->name_start;
	op->len = (uint32_t)t->name_len;
	op->dynamic = (uint8_t)t->dynamic;
	op->indent_start = (uint32_t)indent_start;
	op->indent_len = (uint32_t)indent_len;
	return 0;
}

/* Apply a tag once p->pos is past it (and past its line when standalone,
 * in which case line_begin is where that line started). */
static int apply_tag(parser *p, const tag *t, int standalone, size_t line_begin)
{
	size_t indent_start = standalone ? line_begin : 0;
	size_t indent_len = standalone ? t->start - line_begin : 0;

	if (t->kind != TAG_COMMENT && t->kind != TAG_DELIMS && t->kind != TAG_CLOSE
		&& p->mode == MIH_TPL_JSON && check_lexical_position(p, t) != 0) {
		return -1;
	}
	switch (t->kind) {
		case TAG_COMMENT:
			return 0;
		case TAG_DELIMS:
			return set_delimiters(p, t);
		case TAG_SECTION:
			return open_section_tag(p, t, TPL_OP_SECTION, 0, 0, standalone);
		case TAG_INVERTED:
			return open_section_tag(p, t, TPL_OP_INVERTED, 0, 0, standalone);
		case TAG_BLOCK:
			return open_section_tag(p, t, TPL_OP_BLOCK, 0, 0, standalone);
		case TAG_PARENT:
			return open_section_tag(p, t, TPL_OP_PARENT, indent_start, indent_len, standalone);
		case TAG_CLOSE:
			return close_section_tag(p, t);
		default:
			return leaf_tag(p, t, indent_start, indent_len);
	}
}

/* Inheritance tags may share a standalone line ("{{<parent}}{{$block}}",
 * "{{/block}}{{/parent}}", "{{<parent}}{{/parent}}"): a run of parent and
 * block tags, at least one of them opening or closing a parent, alone on
 * its line. Returns the number of tags in the run (filled into run), 0 if
 * the line does not qualify. */
#define INHERIT_RUN_MAX 8

static int inheritance_run(parser *p, const tag *first, tag *run, size_t *line_begin, size_t *after)
{
	uint8_t opened[INHERIT_RUN_MAX];
	int n = 0, nopen = 0, outer = p->depth, has_parent = 0;
	size_t j;

	if (!line_prefix_blank(p, p->pos, first->start, line_begin)) {
		return 0;
	}
	run[0] = *first;
	for (;;) {
		const tag *t = &run[n];
		if (t->kind == TAG_PARENT || t->kind == TAG_BLOCK) {
			has_parent |= t->kind == TAG_PARENT;
			opened[nopen++] = (uint8_t)t->kind;
		} else if (t->kind == TAG_CLOSE) {
			tag_kind k;
			if (nopen) {
				k = (tag_kind)opened[--nopen];
			} else if (outer > 0) {
				k = p->stack[--outer].kind == TPL_OP_PARENT ? TAG_PARENT
					: p->stack[outer].kind == TPL_OP_BLOCK ? TAG_BLOCK : TAG_SECTION;
			} else {
				return 0;
			}
			if (k != TAG_PARENT && k != TAG_BLOCK) {
				return 0;
			}
			has_parent |= k == TAG_PARENT;
		} else {
			return 0;
		}
		n++;
		if (line_suffix_blank(p, t->end, after)) {
			return has_parent ? n : 0;
		}
		j = t->end;
		while (j < p->len && (p->src[j] == ' ' || p->src[j] == '\t')) {
			j++;
		}
		if (n == INHERIT_RUN_MAX || p->len - j < p->open_len
			|| memcmp(p->src + j, p->open, p->open_len) != 0) {
			return 0;
		}
		if (parse_tag(p, j, &run[n]) != 0) {
			return 0;	/* the main loop reports it when it gets there */
		}
	}
}

static int apply_inheritance_run(parser *p, tag *run, int n, size_t line_begin, size_t after)
{
	int k;

	if (emit_text(p, p->pos, line_begin) != 0) {
		return -1;
	}
	for (k = 0; k < n; k++) {
		p->text_start = k ? run[k - 1].end : p->pos;
		p->pos = k + 1 < n ? run[k].end : after;
		if (apply_tag(p, &run[k], 1, k ? run[k].start : line_begin) != 0) {
			return -1;
		}
	}
	return 0;
}

static int parse_all(parser *p)
{
	while (p->pos < p->len) {
		const char *hit = find_bytes(p->src + p->pos, p->len - p->pos, p->open, p->open_len);
		size_t at, line_begin, after;
		tag t, run[INHERIT_RUN_MAX];
		int n;

		if (!hit) {
			return emit_text(p, p->pos, p->len);
		}
		at = (size_t)(hit - p->src);
		if (parse_tag(p, at, &t) != 0) {
			return -1;
		}
		p->text_start = p->pos;
		if (is_standalone(p, &t, &line_begin, &after)) {
			if (emit_text(p, p->pos, line_begin) != 0) {
				return -1;
			}
			p->pos = after;
			if (apply_tag(p, &t, 1, line_begin) != 0) {
				return -1;
			}
		} else if ((t.kind == TAG_PARENT || t.kind == TAG_CLOSE)
			&& (n = inheritance_run(p, &t, run, &line_begin, &after)) > 0) {
			if (apply_inheritance_run(p, run, n, line_begin, after) != 0) {
				return -1;
			}
		} else {
			if (emit_text(p, p->pos, at) != 0) {
				return -1;
			}
			p->pos = t.end;
			if (apply_tag(p, &t, 0, 0) != 0) {
				return -1;
			}
		}
	}
	return 0;
}

static int check_end(parser *p, tpl_json_ctx start_ctx)
{
	if (p->depth > 0) {
		const tpl_op *op = &p->ops[p->stack[p->depth - 1].op];
		return parse_fail_at(p, p->stack[p->depth - 1].tag_start,
			"unclosed section '%.*s': its closing tag is missing", op->len, p->src + op->start);
	}
	if (p->mode != MIH_TPL_JSON || p->lex == (int)start_ctx) {
		return 0;
	}
	if (start_ctx == TPL_JSON_VALUE && p->lex >= LEX_STRING) {
		return parse_fail_at(p, p->string_open_off, "the template ends inside the JSON string "
			"literal opened here%.*s", 0, "");
	}
	return parse_fail_at(p, p->len, "the template must end %.*s, where it started",
		strlen(lex_names[start_ctx]), lex_names[start_ctx]);
}

/* Source with indent before every line; a final newline starts no line. */
static char *indented_copy(const char *src, size_t len, const char *indent, size_t indent_len,
	size_t *out_len)
{
	size_t lines = 1, i, o = 0;
	char *dst;

	for (i = 0; i + 1 < len; i++) {
		lines += src[i] == '\n';
	}
	dst = malloc(len + lines * indent_len + 1);
	if (!dst) {
		return NULL;
	}
	memcpy(dst, indent, indent_len);
	o = indent_len;
	for (i = 0; i < len; i++) {
		dst[o++] = src[i];
		if (src[i] == '\n' && i + 1 < len) {
			memcpy(dst + o, indent, indent_len);
			o += indent_len;
		}
	}
	dst[o] = '\0';
	*out_len = o;
	return dst;
}

static unsigned count_code_points(const char *s, size_t len)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	}
	return n;
}

/* Whether rendering looks op's name up in the data. */
static int op_looks_up(const tpl_op *op)
{
	return op->kind == TPL_OP_VAR || op->kind == TPL_OP_RAW || op->kind == TPL_OP_SECTION
		|| op->kind == TPL_OP_INVERTED || op->dynamic;
}

/* The memo slot of op's name: the slot of an earlier op with the same name
 * (holders[k] is the first op given slot k + 1), else a new one while there
 * are free slots. */
static void assign_memo(mih_tpl *tpl, tpl_op *op, const tpl_op **holders)
{
	uint32_t k;

	for (k = 0; k < tpl->nmemo; k++) {
		const tpl_op *o = holders[k];
		if (o->len == op->len && memcmp(tpl->src + o->start, tpl->src + op->start, op->len) == 0) {
			op->memo = k + 1;
			return;
		}
	}
	if (tpl->nmemo < TPL_MEMO_SLOTS) {
		holders[tpl->nmemo] = op;
		op->memo = ++tpl->nmemo;
	}
}

/* Split every looked-up name at its dots (empty parts kept; "." alone is
 * the current context and has no parts) and hash the parts. */
static int index_names(mih_tpl *tpl)
{
	const tpl_op *holders[TPL_MEMO_SLOTS];
	uint32_t i, n = 0;

	for (i = 0; i < tpl->nops; i++) {
		const tpl_op *op = &tpl->ops[i];
		if (op_looks_up(op) && !(op->len == 1 && tpl->src[op->start] == '.')) {
			const char *name = tpl->src + op->start, *end = name + op->len;
			n++;
			while ((name = memchr(name, '.', (size_t)(end - name))) != NULL) {
				n++;
				name++;
			}
		}
	}
	tpl->names = n ? malloc(n * sizeof(*tpl->names)) : NULL;
	if (n && !tpl->names) {
		return -1;
	}
	for (i = 0; i < tpl->nops; i++) {
		tpl_op *op = &tpl->ops[i];
		uint32_t at, part;
		op->name_first = tpl->nnames;
		op->name_count = 0;
		op->memo = 0;
		if (!op_looks_up(op) || (op->len == 1 && tpl->src[op->start] == '.')) {
			continue;
		}
		assign_memo(tpl, op, holders);
		for (at = 0, part = 0; part <= op->len; part++) {
			if (part == op->len || tpl->src[op->start + part] == '.') {
				tpl_name *nm = &tpl->names[tpl->nnames++];
				nm->start = op->start + at;
				nm->len = part - at;
				nm->hash = mih_tpl_name_hash(tpl->src + nm->start, nm->len);
				op->name_count++;
				at = part + 1;
			}
		}
	}
	return 0;
}

/* The ops a render loop over [from, to) visits: nested bodies are skipped
 * (they are counted when they run). */
static uint32_t direct_ops(const mih_tpl *tpl, uint32_t from, uint32_t to)
{
	uint32_t i, n = 0;

	for (i = from; i < to; n++) {
		const tpl_op *op = &tpl->ops[i];
		i = op->kind <= TPL_OP_RAW || op->kind == TPL_OP_PARTIAL ? i + 1 : op->end;
	}
	return n;
}

/* Steps of every range a render may loop over, for its work limit. */
static void count_steps(mih_tpl *tpl)
{
	uint32_t i;

	tpl->top_steps = direct_ops(tpl, 0, tpl->nops);
	for (i = 0; i < tpl->nops; i++) {
		tpl_op *op = &tpl->ops[i];
		op->body_steps = op->kind <= TPL_OP_RAW || op->kind == TPL_OP_PARTIAL ? 0
			: direct_ops(tpl, i + 1, op->end);
	}
}

/* The compiled form is built here, so it is freed here too. */
void mih_tpl_free(mih_tpl *tpl)
{
	if (!tpl) {
		return;
	}
	free(tpl->names);
	free(tpl->ops);
	free(tpl->src);
	free(tpl);
}

mih_tpl *tpl_compile_ex(const char *src, size_t len, mih_tpl_mode mode,
	tpl_json_ctx start_ctx, const char *indent, size_t indent_len, mih_tpl_error *err)
{
	mih_tpl_error scratch;
	mih_tpl *tpl;
	parser p;

	if (!err) {
		err = &scratch;
	}
	if (len >= UINT32_MAX / 2) {
		tpl_set_error(err, 1, 1, "template too large (%zu bytes)", len);
		return NULL;
	}
	if ((unsigned)mode > MIH_TPL_TEXT) {
		tpl_set_error(err, 1, 1, "unknown template mode %d", (int)mode);
		return NULL;
	}
	tpl = calloc(1, sizeof(*tpl));
	if (!tpl) {
		tpl_set_error(err, 1, 1, "out of memory compiling the template");
		return NULL;
	}
	tpl->mode = mode;
	tpl->start_ctx = (uint8_t)start_ctx;
	if (indent_len) {
		tpl->src = indented_copy(src, len, indent, indent_len, &tpl->src_len);
		tpl->indent_columns = count_code_points(indent, indent_len);
	} else {
		tpl->src = malloc(len + 1);
		tpl->src_len = len;
		if (tpl->src) {
			memcpy(tpl->src, src, len);
			tpl->src[len] = '\0';
		}
	}
	if (!tpl->src) {
		free(tpl);
		tpl_set_error(err, 1, 1, "out of memory compiling the template");
		return NULL;
	}
	memset(&p, 0, sizeof(p));
	p.src = tpl->src;
	p.len = tpl->src_len;
	p.open = "{{";
	p.close = "}}";
	p.open_len = p.close_len = 2;
	p.cur_line = p.cur_col = 1;
	p.mode = mode;
	p.lex = start_ctx;
	p.err = err;
	if (parse_all(&p) != 0 || check_end(&p, start_ctx) != 0) {
		if (tpl->indent_columns && err->column > tpl->indent_columns) {
			err->column -= tpl->indent_columns;
		}
		free(p.ops);
		free(tpl->src);
		free(tpl);
		return NULL;
	}
	tpl->ops = p.ops;
	tpl->nops = p.nops;
	count_steps(tpl);
	if (index_names(tpl) != 0) {
		tpl_set_error(err, 1, 1, "out of memory compiling the template");
		mih_tpl_free(tpl);
		return NULL;
	}
	cursor_to(&p, p.len, &tpl->end_line, &tpl->end_column);
	return tpl;
}
