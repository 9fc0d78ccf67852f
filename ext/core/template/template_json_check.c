/* Checking a rendered JSON payload: the validator behind JSON mode when the
 * template's validity could not be proven at compile time. */
#include <stdio.h>
#include <string.h>
#include "template_internal.h"

/* The validator: a plain recursive-descent-free scanner with an explicit
 * stack, so hostile nesting cannot exhaust the C stack. */
#define VALIDATE_MAX_DEPTH 1024

typedef struct {
	const unsigned char *s;
	size_t len, pos;
	char *why;
	size_t whylen;
} json_scanner;

static int scan_fail(json_scanner *sc, const char *reason)
{
	snprintf(sc->why, sc->whylen, "%s", reason);
	return -1;
}

static void skip_ws(json_scanner *sc)
{
	while (sc->pos < sc->len) {
		unsigned char c = sc->s[sc->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			return;
		}
		sc->pos++;
	}
}

static int hex4(json_scanner *sc, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		unsigned char c;
		if (sc->pos >= sc->len) {
			return scan_fail(sc, "unterminated \\u escape");
		}
		c = sc->s[sc->pos];
		if (c >= '0' && c <= '9') {
			v = v * 16 + (c - '0');
		} else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
			v = v * 16 + ((c | 0x20) - 'a' + 10);
		} else {
			return scan_fail(sc, "invalid hex digit in a \\u escape");
		}
		sc->pos++;
	}
	*out = v;
	return 0;
}

static int scan_escape(json_scanner *sc)
{
	unsigned cp, lo;
	unsigned char c;

	if (sc->pos >= sc->len) {
		return scan_fail(sc, "unterminated string");
	}
	c = sc->s[sc->pos];
	if (strchr("\"\\/bfnrt", c) && c) {
		sc->pos++;
		return 0;
	}
	if (c != 'u') {
		return scan_fail(sc, "invalid escape sequence in a string");
	}
	sc->pos++;
	if (hex4(sc, &cp) != 0) {
		return -1;
	}
	if (cp >= 0xDC00 && cp <= 0xDFFF) {
		return scan_fail(sc, "lone low surrogate escape in a string");
	}
	if (cp < 0xD800 || cp > 0xDBFF) {
		return 0;
	}
	if (sc->pos + 1 >= sc->len || sc->s[sc->pos] != '\\' || sc->s[sc->pos + 1] != 'u') {
		return scan_fail(sc, "high surrogate escape not followed by a low surrogate");
	}
	sc->pos += 2;
	if (hex4(sc, &lo) != 0) {
		return -1;
	}
	if (lo < 0xDC00 || lo > 0xDFFF) {
		sc->pos -= 6;
		return scan_fail(sc, "high surrogate escape not followed by a low surrogate");
	}
	return 0;
}

static int scan_string(json_scanner *sc)
{
	sc->pos++;	/* opening quote */
	for (;;) {
		unsigned char c;
		size_t n;
		if (sc->pos >= sc->len) {
			return scan_fail(sc, "unterminated string");
		}
		c = sc->s[sc->pos];
		if (c == '"') {
			sc->pos++;
			return 0;
		}
		if (c == '\\') {
			sc->pos++;
			if (scan_escape(sc) != 0) {
				return -1;
			}
			continue;
		}
		if (c < 0x20) {
			return scan_fail(sc, "control character inside a string");
		}
		n = tpl_utf8_sequence_len(sc->s + sc->pos, sc->len - sc->pos);
		if (n == 0) {
			return scan_fail(sc, "invalid UTF-8 inside a string");
		}
		sc->pos += n;
	}
}

static int scan_digits(json_scanner *sc)
{
	size_t start = sc->pos;

	while (sc->pos < sc->len && sc->s[sc->pos] >= '0' && sc->s[sc->pos] <= '9') {
		sc->pos++;
	}
	return sc->pos > start ? 0 : scan_fail(sc, "malformed number");
}

static int scan_number(json_scanner *sc)
{
	if (sc->s[sc->pos] == '-') {
		sc->pos++;
	}
	if (sc->pos < sc->len && sc->s[sc->pos] == '0') {
		sc->pos++;
	} else if (scan_digits(sc) != 0) {
		return -1;
	}
	if (sc->pos < sc->len && sc->s[sc->pos] == '.') {
		sc->pos++;
		if (scan_digits(sc) != 0) {
			return -1;
		}
	}
	if (sc->pos < sc->len && (sc->s[sc->pos] | 0x20) == 'e') {
		sc->pos++;
		if (sc->pos < sc->len && (sc->s[sc->pos] == '+' || sc->s[sc->pos] == '-')) {
			sc->pos++;
		}
		if (scan_digits(sc) != 0) {
			return -1;
		}
	}
	return 0;
}

static int scan_literal(json_scanner *sc, const char *word)
{
	size_t n = strlen(word);

	if (sc->len - sc->pos < n || memcmp(sc->s + sc->pos, word, n) != 0) {
		return scan_fail(sc, "unexpected character");
	}
	sc->pos += n;
	return 0;
}

/* A scalar, or the opening bracket of a container (pushed on stack). */
static int scan_value_start(json_scanner *sc, char *stack, int *depth)
{
	unsigned char c;

	if (sc->pos >= sc->len) {
		return scan_fail(sc, "unexpected end, a value was expected");
	}
	c = sc->s[sc->pos];
	switch (c) {
		case '{':
		case '[':
			if (*depth >= VALIDATE_MAX_DEPTH) {
				return scan_fail(sc, "nested deeper than 1024 levels");
			}
			stack[(*depth)++] = (char)c;
			sc->pos++;
			return 1;
		case '"':
			return scan_string(sc);
		case 't':
			return scan_literal(sc, "true");
		case 'f':
			return scan_literal(sc, "false");
		case 'n':
			return scan_literal(sc, "null");
		default:
			if (c == '-' || (c >= '0' && c <= '9')) {
				return scan_number(sc);
			}
			return scan_fail(sc, "unexpected character, a value was expected");
	}
}

static int scan_object_key(json_scanner *sc)
{
	skip_ws(sc);
	if (sc->pos >= sc->len || sc->s[sc->pos] != '"') {
		return scan_fail(sc, sc->pos >= sc->len ? "unexpected end, an object key was expected"
			: "an object key (a string) was expected");
	}
	if (scan_string(sc) != 0) {
		return -1;
	}
	skip_ws(sc);
	if (sc->pos >= sc->len || sc->s[sc->pos] != ':') {
		return scan_fail(sc, "':' expected after an object key");
	}
	sc->pos++;
	return 0;
}

int tpl_json_validate(const char *s, size_t len, size_t *bad_offset, char *why, size_t whylen)
{
	json_scanner sc = {(const unsigned char *)s, len, 0, why, whylen};
	char stack[VALIDATE_MAX_DEPTH];
	int depth = 0, r;

	skip_ws(&sc);
	if (sc.pos >= len) {
		*bad_offset = 0;
		snprintf(why, whylen, "the output is empty");
		return -1;
	}
	for (;;) {
		/* here a value is expected */
		skip_ws(&sc);
		r = scan_value_start(&sc, stack, &depth);
		if (r < 0) {
			break;
		}
		if (r == 1) {
			char close = stack[depth - 1] == '{' ? '}' : ']';
			skip_ws(&sc);
			if (sc.pos < len && (unsigned char)sc.s[sc.pos] == (unsigned char)close) {
				sc.pos++;
				depth--;
			} else {
				if (stack[depth - 1] == '{' && scan_object_key(&sc) != 0) {
					r = -1;
					break;
				}
				continue;
			}
		}
		/* a value ended: close containers or expect the next member */
		for (;;) {
			skip_ws(&sc);
			if (depth == 0) {
				if (sc.pos < len) {
					r = scan_fail(&sc, "unexpected text after the JSON value");
				}
				break;
			}
			if (sc.pos >= len) {
				r = scan_fail(&sc, stack[depth - 1] == '{' ? "unexpected end, '}' expected"
					: "unexpected end, ']' expected");
				break;
			}
			if (sc.s[sc.pos] == ',') {
				sc.pos++;
				if (stack[depth - 1] == '{' && scan_object_key(&sc) != 0) {
					r = -1;
				}
				break;
			}
			if (sc.s[sc.pos] == (stack[depth - 1] == '{' ? '}' : ']')) {
				sc.pos++;
				depth--;
				continue;
			}
			r = scan_fail(&sc, stack[depth - 1] == '{' ? "',' or '}' expected"
				: "',' or ']' expected");
			break;
		}
		if (r < 0 || depth == 0) {
			break;
		}
	}
	if (r < 0) {
		*bad_offset = sc.pos;
		return -1;
	}
	return 0;
}
