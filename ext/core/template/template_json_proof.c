/* Compile-time proof that every render of a JSON-mode template is valid
 * JSON, so the per-render validation can be skipped.
 *
 * A recognizer that accepts only what tpl_json_validate accepts (or less)
 * runs over the literal text, with every tag treated as what it is known to
 * write whatever the data:
 * - a {{tag}} in value position writes exactly one complete JSON value (or
 *   fails the render): it is accepted where a value may start, between
 *   tokens, and leaves the recognizer after a value, so the next byte must be
 *   whitespace, ',', '}', ']' or the end, which delimit any value's text;
 * - a {{tag}} inside a string writes complete escapes and whole UTF-8
 *   sequences and never a quote: it is accepted only between characters of a
 *   string (not inside an escape or a UTF-8 sequence) and changes nothing;
 * - a section or inverted section writes its body any number of times: it
 *   is accepted when its body, run from the state at its opening tag, comes
 *   back to exactly that state (same containers, same expectation, same
 *   token), so repeating or skipping it leaves the rest of the run unchanged.
 * Raw tags, partials and inheritance write text not known at compile time:
 * such templates keep the validation. Containers nest at most
 * PROOF_MAX_DEPTH deep in the literal text, so with values (at most
 * MIH_TPL_MAX_VALUE_DEPTH deep) the output stays within the validator's
 * limit of VALIDATE_MAX_DEPTH (template_json_check.c). */
#include <string.h>
#include "template_internal.h"

#define PROOF_MAX_DEPTH 64

typedef enum {
	EXPECT_TOP_VALUE,	/* the start: a value */
	EXPECT_VALUE,		/* after ':' or ',' in a list */
	EXPECT_VALUE_OR_CLOSE,	/* after '[' */
	EXPECT_KEY,		/* after ',' in an object */
	EXPECT_KEY_OR_CLOSE,	/* after '{' */
	EXPECT_COLON,		/* after a key */
	EXPECT_AFTER_VALUE	/* ',' or a closing bracket, or the end at depth 0 */
} proof_expect;

typedef enum {
	TOKEN_NONE,		/* between tokens */
	TOKEN_STRING,
	TOKEN_NUMBER,
	TOKEN_LITERAL
} proof_token;

/* Where a number stands: the states after which it may end are marked. */
typedef enum {
	NUM_MINUS, NUM_ZERO /* may end */, NUM_INT /* may end */, NUM_DOT,
	NUM_FRAC /* may end */, NUM_E, NUM_E_SIGN, NUM_EXP /* may end */
} proof_number;

typedef struct {
	uint64_t objects;	/* bit d set: the open container at depth d is an object */
	unsigned depth;
	uint8_t expect;		/* proof_expect; for a token in progress: once it ends */
	uint8_t token;		/* proof_token */
	/* inside a string */
	uint8_t escape;		/* 1 after a backslash, 2-5: \u hex digits still due + 1 */
	uint8_t utf8_left;	/* UTF-8 continuation bytes still due */
	uint8_t utf8_lo, utf8_hi;	/* allowed range of the next continuation byte */
	unsigned uvalue;	/* the \u escape read so far */
	/* inside a number or true/false/null */
	uint8_t number;		/* proof_number */
	const char *literal;
	uint8_t literal_pos;
} proof_lexer;

static int proof_open(proof_lexer *lx, int object)
{
	if (lx->depth >= PROOF_MAX_DEPTH) {
		return -1;
	}
	if (object) {
		lx->objects |= (uint64_t)1 << lx->depth;
	}
	lx->depth++;
	lx->expect = object ? EXPECT_KEY_OR_CLOSE : EXPECT_VALUE_OR_CLOSE;
	return 0;
}

static int proof_close(proof_lexer *lx, unsigned char c)
{
	int object;

	if (lx->depth == 0) {
		return -1;
	}
	object = (lx->objects >> (lx->depth - 1)) & 1;
	if (c != (object ? '}' : ']')) {
		return -1;
	}
	lx->depth--;
	lx->objects &= ~((uint64_t)1 << lx->depth);
	lx->expect = EXPECT_AFTER_VALUE;
	return 0;
}

static int proof_value_start(proof_lexer *lx, unsigned char c)
{
	lx->expect = EXPECT_AFTER_VALUE;
	switch (c) {
		case '{':
			return proof_open(lx, 1);
		case '[':
			return proof_open(lx, 0);
		case '"':
			lx->token = TOKEN_STRING;
			return 0;
		case 't':
			lx->literal = "true";
			break;
		case 'f':
			lx->literal = "false";
			break;
		case 'n':
			lx->literal = "null";
			break;
		default:
			if (c == '-' || (c >= '0' && c <= '9')) {
				lx->token = TOKEN_NUMBER;
				lx->number = c == '-' ? NUM_MINUS : c == '0' ? NUM_ZERO : NUM_INT;
				return 0;
			}
			return -1;
	}
	lx->token = TOKEN_LITERAL;
	lx->literal_pos = 1;
	return 0;
}

/* A byte between tokens. */
static int proof_between(proof_lexer *lx, unsigned char c)
{
	if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
		return 0;
	}
	switch (lx->expect) {
		case EXPECT_VALUE_OR_CLOSE:
			if (c == ']') {
				return proof_close(lx, c);
			}
			/* fallthrough */
		case EXPECT_TOP_VALUE:
		case EXPECT_VALUE:
			return proof_value_start(lx, c);
		case EXPECT_KEY_OR_CLOSE:
			if (c == '}') {
				return proof_close(lx, c);
			}
			/* fallthrough */
		case EXPECT_KEY:
			if (c != '"') {
				return -1;
			}
			lx->token = TOKEN_STRING;
			lx->expect = EXPECT_COLON;
			return 0;
		case EXPECT_COLON:
			if (c != ':') {
				return -1;
			}
			lx->expect = EXPECT_VALUE;
			return 0;
		default:
			if (lx->depth == 0) {
				return -1;
			}
			if (c == ',') {
				lx->expect = (lx->objects >> (lx->depth - 1)) & 1 ? EXPECT_KEY : EXPECT_VALUE;
				return 0;
			}
			return proof_close(lx, c);
	}
}

static int proof_hex(unsigned char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
		return (c | 0x20) - 'a' + 10;
	}
	return -1;
}

/* A byte inside a string literal. Surrogate escapes are refused even when
 * paired: a template spelling one out keeps the validation. */
static int proof_in_string(proof_lexer *lx, unsigned char c)
{
	if (lx->utf8_left) {
		if (c < lx->utf8_lo || c > lx->utf8_hi) {
			return -1;
		}
		lx->utf8_left--;
		lx->utf8_lo = 0x80;
		lx->utf8_hi = 0xBF;
		return 0;
	}
	if (lx->escape == 1) {
		if (c == 'u') {
			lx->escape = 5;
			lx->uvalue = 0;
			return 0;
		}
		lx->escape = 0;
		return c && strchr("\"\\/bfnrt", c) ? 0 : -1;
	}
	if (lx->escape > 1) {
		int h = proof_hex(c);
		if (h < 0) {
			return -1;
		}
		lx->uvalue = lx->uvalue * 16 + (unsigned)h;
		if (--lx->escape == 1) {
			lx->escape = 0;
			return lx->uvalue >= 0xD800 && lx->uvalue <= 0xDFFF ? -1 : 0;
		}
		return 0;
	}
	if (c == '"') {
		lx->token = TOKEN_NONE;
		return 0;
	}
	if (c == '\\') {
		lx->escape = 1;
		return 0;
	}
	if (c < 0x20) {
		return -1;
	}
	if (c < 0x80) {
		return 0;
	}
	/* the same ranges as tpl_utf8_sequence_len() */
	lx->utf8_lo = 0x80;
	lx->utf8_hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF) {
		lx->utf8_left = 1;
	} else if (c >= 0xE0 && c <= 0xEF) {
		lx->utf8_left = 2;
		lx->utf8_lo = c == 0xE0 ? 0xA0 : 0x80;
		lx->utf8_hi = c == 0xED ? 0x9F : 0xBF;
	} else if (c >= 0xF0 && c <= 0xF4) {
		lx->utf8_left = 3;
		lx->utf8_lo = c == 0xF0 ? 0x90 : 0x80;
		lx->utf8_hi = c == 0xF4 ? 0x8F : 0xBF;
	} else {
		return -1;
	}
	return 0;
}

/* A byte inside a number: 1 when the number ended before c (c not used). */
static int proof_in_number(proof_lexer *lx, unsigned char c)
{
	int digit = c >= '0' && c <= '9';

	switch (lx->number) {
		case NUM_MINUS:
			if (!digit) {
				return -1;
			}
			lx->number = c == '0' ? NUM_ZERO : NUM_INT;
			return 0;
		case NUM_INT:
			if (digit) {
				return 0;
			}
			/* fallthrough */
		case NUM_ZERO:
			if (c == '.') {
				lx->number = NUM_DOT;
				return 0;
			}
			/* fallthrough */
		case NUM_FRAC:
			if (digit && lx->number == NUM_FRAC) {
				return 0;
			}
			if ((c | 0x20) == 'e') {
				lx->number = NUM_E;
				return 0;
			}
			break;
		case NUM_DOT:
			if (!digit) {
				return -1;
			}
			lx->number = NUM_FRAC;
			return 0;
		case NUM_E:
			if (c == '+' || c == '-') {
				lx->number = NUM_E_SIGN;
				return 0;
			}
			/* fallthrough */
		case NUM_E_SIGN:
			if (!digit) {
				return -1;
			}
			lx->number = NUM_EXP;
			return 0;
		default:
			if (digit) {
				return 0;
			}
			break;
	}
	lx->token = TOKEN_NONE;
	return 1;
}

static int proof_byte(proof_lexer *lx, unsigned char c)
{
	switch (lx->token) {
		case TOKEN_STRING:
			return proof_in_string(lx, c);
		case TOKEN_NUMBER: {
			int r = proof_in_number(lx, c);
			return r == 1 ? proof_between(lx, c) : r;
		}
		case TOKEN_LITERAL:
			if (c != (unsigned char)lx->literal[lx->literal_pos]) {
				return -1;
			}
			if (lx->literal[++lx->literal_pos] == '\0') {
				lx->token = TOKEN_NONE;
			}
			return 0;
		default:
			return proof_between(lx, c);
	}
}

/* A number that may end here ends here: whatever a tag or section writes
 * next, or the text after a skipped section, then cannot continue it (a
 * digit after it is refused), which only makes the recognizer stricter. */
static void proof_end_number(proof_lexer *lx)
{
	if (lx->token == TOKEN_NUMBER && (lx->number == NUM_ZERO || lx->number == NUM_INT
		|| lx->number == NUM_FRAC || lx->number == NUM_EXP)) {
		lx->token = TOKEN_NONE;
	}
}

/* Where a tag or a section boundary may stand: between tokens, or between
 * whole characters of a string. */
static int proof_at_boundary(proof_lexer *lx)
{
	proof_end_number(lx);
	return lx->token == TOKEN_NONE
		|| (lx->token == TOKEN_STRING && lx->escape == 0 && lx->utf8_left == 0);
}

static int proof_same_state(const proof_lexer *a, const proof_lexer *b)
{
	return a->objects == b->objects && a->depth == b->depth && a->expect == b->expect
		&& a->token == b->token;
}

static int proof_range(proof_lexer *lx, const mih_tpl *t, uint32_t from, uint32_t to)
{
	uint32_t i = from;

	while (i < to) {
		const tpl_op *op = &t->ops[i];
		proof_lexer before;
		size_t k;

		switch (op->kind) {
			case TPL_OP_TEXT:
				for (k = 0; k < op->len; k++) {
					if (proof_byte(lx, (unsigned char)t->src[op->start + k]) != 0) {
						return -1;
					}
				}
				i++;
				break;
			case TPL_OP_VAR:
				if (!proof_at_boundary(lx)) {
					return -1;
				}
				if (op->json_ctx == TPL_JSON_STRING) {
					if (lx->token != TOKEN_STRING) {
						return -1;
					}
				} else if (lx->token != TOKEN_NONE || (lx->expect != EXPECT_TOP_VALUE
					&& lx->expect != EXPECT_VALUE && lx->expect != EXPECT_VALUE_OR_CLOSE)) {
					return -1;
				} else {
					lx->expect = EXPECT_AFTER_VALUE;
				}
				i++;
				break;
			case TPL_OP_SECTION:
			case TPL_OP_INVERTED:
				if (!proof_at_boundary(lx)) {
					return -1;
				}
				before = *lx;
				if (proof_range(lx, t, i + 1, op->end) != 0 || !proof_at_boundary(lx)
					|| !proof_same_state(lx, &before)) {
					return -1;
				}
				i = op->end;
				break;
			default:
				return -1;
		}
	}
	return 0;
}

int tpl_json_prove_always_valid(const mih_tpl *tpl)
{
	proof_lexer lx;

	if (tpl->mode != MIH_TPL_JSON || tpl->start_ctx != TPL_JSON_VALUE) {
		return 0;
	}
	memset(&lx, 0, sizeof(lx));
	lx.expect = EXPECT_TOP_VALUE;
	if (proof_range(&lx, tpl, 0, tpl->nops) != 0) {
		return 0;
	}
	/* the end: a number may end here, nothing else may be open */
	proof_end_number(&lx);
	return lx.token == TOKEN_NONE && lx.depth == 0 && lx.expect == EXPECT_AFTER_VALUE;
}
