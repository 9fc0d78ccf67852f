/* Internals shared by the template engine's files (template*.c): the
 * compiled form, the output buffer and the JSON/text helpers. Not part of
 * the public API; nothing outside template*.c includes this. */
#ifndef MIH_TEMPLATE_INTERNAL_H
#define MIH_TEMPLATE_INTERNAL_H

#include <stdint.h>
#include <string.h>
#include "template.h"

typedef enum {
	TPL_OP_TEXT,		/* literal bytes src[start, start+len) */
	TPL_OP_VAR,		/* {{name}}: escaped for the mode */
	TPL_OP_RAW,		/* {{{name}}} or {{& name}} */
	TPL_OP_SECTION,		/* {{#name}} body {{/name}} */
	TPL_OP_INVERTED,	/* {{^name}} body {{/name}} */
	TPL_OP_PARTIAL,		/* {{>name}} or {{>*name}} */
	TPL_OP_BLOCK,		/* {{$name}} default {{/name}} */
	TPL_OP_PARENT		/* {{<name}} overriding blocks {{/name}} */
} tpl_op_kind;

/* Where a tag sits in JSON mode's scan of the literal text. */
typedef enum {
	TPL_JSON_VALUE = 0,	/* outside any string literal */
	TPL_JSON_STRING		/* inside a string literal */
} tpl_json_ctx;

typedef struct {
	uint8_t kind;		/* tpl_op_kind */
	uint8_t json_ctx;	/* tpl_json_ctx at the tag (JSON mode) */
	uint8_t dynamic;	/* PARTIAL: the name is looked up in the data */
	uint8_t flags;		/* BLOCK: TPL_BLOCK_* */
	uint32_t start, len;	/* TEXT: the bytes; tags: the name, in tpl->src */
	uint32_t indent_start, indent_len;	/* PARTIAL/PARENT standalone indentation;
						   BLOCK: blanks before the tag on its line */
	uint32_t body_indent_start, body_indent_len;	/* BLOCK: blanks opening its body */
	uint32_t end;		/* sections, blocks, parents: first op after the body */
	uint32_t body_steps;	/* sections, blocks, parents: ops the body's loop visits
				   (nested bodies not counted) */
	uint32_t line, column;	/* TEXT: its first byte; tags: the opening delimiter */
	uint32_t name_first;	/* tags looked up in the data: first of the name's */
	uint32_t name_count;	/* dot-separated parts in tpl->names (0 for ".") */
	uint32_t memo;		/* 1 + the slot remembering the name's value during a
				   render (the same name in the same contexts finds the
				   same value), or 0 */
} tpl_op;

/* Distinct names per template whose lookups are remembered. */
#define TPL_MEMO_SLOTS 64

/* One dot-separated part of a tag's name, with its mih_tpl_name_hash, so
 * that rendering neither splits nor hashes names. */
typedef struct {
	uint32_t start, len;	/* in tpl->src */
	uint64_t hash;
} tpl_name;

/* Where a block tag sits, for re-indenting overrides (~inheritance). */
#define TPL_BLOCK_LINE_START 1	/* only blanks before it on its line */
#define TPL_BLOCK_STANDALONE 2	/* its line was removed as standalone */

struct mih_tpl {
	mih_tpl_mode mode;
	char *src;
	size_t src_len;
	tpl_op *ops;
	uint32_t nops;
	tpl_name *names;	/* the parts of every looked-up tag name */
	uint32_t nnames;
	uint32_t nmemo;		/* memo slots used (<= TPL_MEMO_SLOTS) */
	uint32_t top_steps;	/* ops the top-level loop visits */
	uint32_t end_line, end_column;	/* just past the last byte */
	uint8_t start_ctx;	/* JSON context the template starts (and must end) in */
	uint32_t indent_columns;	/* code points of indentation added to every line */
	uint8_t json_proven;	/* JSON mode: every render is valid JSON by construction
				   (tpl_json_prove_always_valid), so it is not re-validated */
};

/* Compile with the extra inputs a partial needs: the lexical context at the
 * including tag and the standalone indentation to prepend to every line. */
mih_tpl *tpl_compile_ex(const char *src, size_t len, mih_tpl_mode mode,
	tpl_json_ctx start_ctx, const char *indent, size_t indent_len, mih_tpl_error *err);

void tpl_set_error(mih_tpl_error *err, unsigned line, unsigned column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* 1-based line and column (in code points) of byte offset off of src. */
void tpl_position_of(const char *src, size_t off, unsigned *line, unsigned *column);

typedef struct {
	char *data;
	size_t len, cap;
	int failed;		/* an allocation failed; len stops growing */
} tpl_buf;

int tpl_buf_reserve(tpl_buf *b, size_t extra);
/* tpl_buf_reserve with the common case (room enough) inline. */
static inline int tpl_buf_room(tpl_buf *b, size_t extra)
{
	return b->len + extra < b->cap ? 0 : tpl_buf_reserve(b, extra);
}
/* Inline: rendering appends many short pieces. */
static inline void tpl_buf_append(tpl_buf *b, const char *s, size_t n)
{
	if (n && (b->len + n < b->cap || tpl_buf_reserve(b, n) == 0)) {
		char *d = b->data + b->len;
		if (n >= 8 && n <= 16) {
			/* short pieces (most literal text between tags, numbers): two
			 * overlapping words instead of a call */
			uint64_t head, tail;
			memcpy(&head, s, 8);
			memcpy(&tail, s + n - 8, 8);
			memcpy(d, &head, 8);
			memcpy(d + n - 8, &tail, 8);
		} else if (n >= 4 && n < 8) {
			uint32_t head, tail;
			memcpy(&head, s, 4);
			memcpy(&tail, s + n - 4, 4);
			memcpy(d, &head, 4);
			memcpy(d + n - 4, &tail, 4);
		} else {
			memcpy(d, s, n);
		}
		b->len += n;
	}
}
static inline void tpl_buf_putc(tpl_buf *b, char c)
{
	if (b->len + 1 < b->cap || tpl_buf_reserve(b, 1) == 0) {
		b->data[b->len++] = c;
	}
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is invalid. */
static inline size_t tpl_utf8_sequence_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];

	if (c < 0x80) {
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		return avail >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	}
	if (c >= 0xE0 && c <= 0xEF) {
		unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
		return avail >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
		return avail >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80
			&& (s[3] & 0xC0) == 0x80 ? 4 : 0;
	}
	return 0;
}

/* Length of the longest valid UTF-8 prefix of s (strict: no overlong forms,
 * no surrogates, nothing above U+10FFFF). */
size_t tpl_utf8_valid_prefix(const unsigned char *s, size_t len);

/* v's type and, for a scalar, its value, through the provider's scalar
 * callback when it has one (a missing v reads as null). */
static inline void tpl_read_scalar(const mih_tpl_value_ops *ops, void *ctx, const void *v,
	mih_tpl_scalar *sc)
{
	if (!v) {
		sc->type = MIH_TPL_VALUE_NULL;
		return;
	}
	if (ops->scalar) {
		ops->scalar(ctx, v, sc);
		return;
	}
	sc->type = ops->type_of(ctx, v);
	switch (sc->type) {
		case MIH_TPL_VALUE_STRING:
			sc->u.string.bytes = ops->string_value(ctx, v, &sc->u.string.len);
			break;
		case MIH_TPL_VALUE_INT:
			sc->u.integer = ops->int_value(ctx, v);
			break;
		case MIH_TPL_VALUE_REAL:
			sc->u.real = ops->real_value(ctx, v);
			break;
		case MIH_TPL_VALUE_BOOL:
			sc->u.boolean = ops->bool_value(ctx, v);
			break;
		default:
			break;
	}
}

/* Append s as JSON string content (no quotes). Returns the offset of the
 * first invalid UTF-8 byte, or len when all of s was valid. */
size_t tpl_json_escape(tpl_buf *b, const char *s, size_t len);

/* 1 for the bytes a JSON string holds as they are (printable ASCII but '"'
 * and '\\'). */
extern const unsigned char tpl_json_plain[256];

/* The bytes of w (8 input bytes, the first in the lowest bits: little
 * endian) that need attention in a JSON string, each as its top bit: below
 * 0x20, '"', '\\' or non-ASCII. Exact per byte: adding to the low 7 bits
 * of a byte never carries into the next one. */
static inline uint64_t tpl_json_special_bytes(uint64_t w)
{
	const uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL, highs = 0x8080808080808080ULL;
	const uint64_t ones = 0x0101010101010101ULL;
	uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');
	uint64_t control = ~(((w & low7) + ones * (0x80 - 0x20)) | w);	/* top bit: below 0x20 */
	uint64_t is_quote = ~(((quote & low7) + low7) | quote);		/* top bit: zero byte */
	uint64_t is_backslash = ~(((backslash & low7) + low7) | backslash);

	return (control | is_quote | is_backslash | w) & highs;
}

/* tpl_json_escape with short strings that need no escaping (most names,
 * usernames, component names) handled inline. */
static inline size_t tpl_json_escape_inline(tpl_buf *b, const char *s, size_t len)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (len >= 8 && len <= 16) {
		uint64_t head, tail;
		memcpy(&head, s, 8);
		memcpy(&tail, s + len - 8, 8);
		if (!(tpl_json_special_bytes(head) | tpl_json_special_bytes(tail))) {
			tpl_buf_append(b, s, len);
			return len;
		}
	} else if (len < 8) {
		size_t i;
		for (i = 0; i < len && tpl_json_plain[(unsigned char)s[i]]; i++) {
		}
		if (i == len) {
			tpl_buf_append(b, s, len);
			return len;
		}
	}
#endif
	return tpl_json_escape(b, s, len);
}

/* An integer in decimal, as printf's %lld; buf of 32 bytes. */
size_t tpl_format_int(json_int_t value, char *buf);

/* A real in json_encode's form (serialize_precision -1); buf of 32 bytes. */
size_t tpl_format_real(double value, char *buf);

/* Append s as a JSON string (quoted, escaped). 0, or -1 with the invalid
 * UTF-8 byte described in why (of whylen). */
int tpl_json_string(tpl_buf *b, const char *s, size_t len, char *why, size_t whylen);


/* Append the JSON text of a scalar: 1; 0 (nothing written) for a list or
 * a map; -1 with why filled for a string that is not UTF-8. Inline: every
 * value in JSON value position goes through it. */
static inline int tpl_json_scalar(tpl_buf *b, const mih_tpl_scalar *sc, char *why, size_t whylen)
{
	char num[32];

	switch (sc->type) {
		case MIH_TPL_VALUE_STRING:
			return tpl_json_string(b, sc->u.string.bytes, sc->u.string.len, why, whylen) == 0 ? 1 : -1;
		case MIH_TPL_VALUE_INT:
			tpl_buf_append(b, num, tpl_format_int((json_int_t)sc->u.integer, num));
			return 1;
		case MIH_TPL_VALUE_REAL:
			tpl_buf_append(b, num, tpl_format_real(sc->u.real, num));
			return 1;
		case MIH_TPL_VALUE_BOOL:
			if (sc->u.boolean) {
				tpl_buf_append(b, "true", 4);
			} else {
				tpl_buf_append(b, "false", 5);
			}
			return 1;
		case MIH_TPL_VALUE_NULL:
			tpl_buf_append(b, "null", 4);
			return 1;
		default:
			return 0;
	}
}

/* Append the JSON text of v (read through ops). 0, or -1 with a message in
 * why (of whylen). */
int tpl_json_serialize(tpl_buf *b, const mih_tpl_value_ops *ops, void *ctx, const void *v,
	char *why, size_t whylen);

/* Check a complete JSON text. 0, or -1 with *bad_offset at the offending
 * byte and a reason in why. */
int tpl_json_validate(const char *s, size_t len, size_t *bad_offset, char *why, size_t whylen);

/* 1 when every successful render of tpl (a JSON-mode template compiled at
 * the top level) is valid JSON whatever the data, proven from the compiled
 * operations; 0 when it cannot be proven (the render then validates). */
int tpl_json_prove_always_valid(const mih_tpl *tpl);

#endif
