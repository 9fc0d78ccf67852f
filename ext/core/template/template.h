/* Compiled, context-aware Mustache templates (spec v1.4.2, no lambdas).
 *
 * A template is parsed once into a flat list of operations and rendered many
 * times against a data tree (a jansson json_t, or any tree behind the
 * mih_tpl_value_ops interface below). Inserted data is never parsed as
 * template text. Four output modes decide how inserted values are written:
 *
 * MIH_TPL_HTML  spec escaping: & < > " and ' become &amp; &lt; &gt; &quot;
 *               &#39;. Values as text (see "Values as text" below).
 * MIH_TPL_TEXT  values as text, no escaping at all.
 * MIH_TPL_URL   values as text, percent-encoded except the RFC 3986
 *               unreserved characters A-Z a-z 0-9 - . _ ~ (uppercase hex).
 * MIH_TPL_JSON  webhook payloads. The compiler scans the literal text as a
 *               JSON lexer does, so every tag knows whether it sits inside a
 *               JSON string literal or in value position:
 *               - inside a string: RFC 8259 string content (" \ and
 *                 U+0000-U+001F escaped, U+2028/U+2029 as \u2028/\u2029, /
 *                 and other non-ASCII UTF-8 as is); invalid UTF-8 in a value
 *                 is a render error; numbers and booleans as their text,
 *                 null and missing values as nothing, lists and objects as
 *                 their JSON text (escaped as string content).
 *               - in value position: the value typed, byte for byte what PHP
 *                 json_encode(JSON_UNESCAPED_SLASHES|JSON_UNESCAPED_UNICODE)
 *                 gives (strings quoted even when they look numeric, reals
 *                 in PHP's shortest round-trip form such as 0.1, 1.0e+25,
 *                 -0; lists as [...], objects as {...} in insertion order);
 *                 null and missing values as null.
 *               A tag right after a backslash inside a string (inside an
 *               escape sequence) is a compile error, and a section, inverted
 *               section or partial must end in the same lexical context it
 *               started in (so repeating or skipping it cannot desynchronise
 *               the scan). The complete output must be valid JSON, else the
 *               render fails with "rendered payload is not valid JSON: ..."
 *               and the template position of the text or tag that produced
 *               the offending byte. An empty (or blank) output is not valid
 *               JSON, so an empty template compiles but fails to render:
 *               callers wanting "send the whole event" must handle an empty
 *               payload template before calling.
 *
 * Raw tags {{{x}}} and {{& x}} write a string's bytes unchanged in every
 * mode (also unencoded in URL mode, also unvalidated inside a JSON string;
 * the final JSON check still applies) and a non-string value as its text
 * (JSON mode: its JSON text).
 *
 * Values as text (HTML, TEXT, URL, and numbers/booleans inside JSON strings):
 * integers in decimal, reals in the same shortest form as json_encode,
 * booleans as "true"/"false", null and missing values as "", lists and
 * objects as their JSON text.
 *
 * Sections: a list is iterated, any other truthy value is pushed once. Falsy
 * values follow mustache.php, which Moodle uses for its own templates:
 * missing, null, false, 0, 0.0, "", "0", an empty list and an empty object.
 *
 * Partials come from a caller-given json object (name -> template source
 * string); a missing name renders as nothing, a value that is not a string
 * is a render error. Partials are compiled in the template's mode at render
 * time (once per render call, per name and indentation) and may recurse
 * through data up to MIH_TPL_MAX_PARTIAL_DEPTH levels. Dynamic partial names
 * {{>*name}} and template inheritance ({{<parent}} {{$block}}) are supported
 * as in the optional spec modules (an override placed into a block that
 * starts its line is re-indented line by line after rendering, so lines
 * from multi-line values inside it are re-indented too).
 *
 * Errors fill a mih_tpl_error: 1-based line and column in the template
 * (columns counted in UTF-8 code points) and a message. Errors inside a
 * partial give the position of the outermost partial tag in the template
 * and name the partial and the position inside it in the message.
 *
 * Everything is reentrant: a compiled template is never modified by
 * rendering, so it may be rendered concurrently. A cache is not locked. */
#ifndef MIH_TEMPLATE_H
#define MIH_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* Sections (and blocks) nested deeper than this fail to compile. */
#define MIH_TPL_MAX_NESTING 100
/* Partials including partials deeper than this fail to render. */
#define MIH_TPL_MAX_PARTIAL_DEPTH 100
/* Values nested deeper than this fail to serialize (json_encode's default). */
#define MIH_TPL_MAX_VALUE_DEPTH 512
/* A render stops with an error after this many operations or this much
 * output, so a template looping over its own data (sections nested over the
 * same list) cannot run away with the CPU or memory. */
#ifndef MIH_TPL_MAX_RENDER_STEPS	/* overridable for unit tests of the limits */
#define MIH_TPL_MAX_RENDER_STEPS 20000000
#endif
#ifndef MIH_TPL_MAX_OUTPUT
#define MIH_TPL_MAX_OUTPUT (64u << 20)
#endif

typedef enum {
	MIH_TPL_HTML = 0,
	MIH_TPL_JSON,
	MIH_TPL_URL,
	MIH_TPL_TEXT
} mih_tpl_mode;

typedef struct {
	unsigned line, column;
	char message[256];
} mih_tpl_error;

typedef struct mih_tpl mih_tpl;
typedef struct mih_tpl_cache mih_tpl_cache;

/* "html", "json", "url" or "text" (exact, lowercase). 0 and *out set, or -1
 * for any other name (NULL included). */
int mih_tpl_mode_from_name(const char *name, mih_tpl_mode *out);
/* The name of a mode, "unknown" for a value outside the enum. */
const char *mih_tpl_mode_name(mih_tpl_mode mode);

/* Turns every CR LF pair of s into LF, in place (a browser's textarea sends
 * CR LF; a saved template keeps the line breaks as typed). Lone CRs stay.
 * Returns the new length; s[len] need not be a NUL, but one is kept there. */
size_t mih_tpl_normalise_newlines(char *s, size_t len);

/* Compile len bytes of src (NULs allowed). NULL with *err filled when the
 * template is malformed or memory runs out; err may be NULL. */
mih_tpl *mih_tpl_compile(const char *src, size_t len, mih_tpl_mode mode, mih_tpl_error *err);
mih_tpl_mode mih_tpl_get_mode(const mih_tpl *tpl);
void mih_tpl_free(mih_tpl *tpl);

/* Render against data (any json_t: object, list or scalar; NULL is treated
 * as null) with partials (a json object of name -> source, or NULL).
 * Returns 0 with *out a malloc'd NUL-terminated buffer of *outlen bytes (the
 * caller frees it with free()), or -1 with *out NULL, *outlen 0 and *err
 * filled. err may be NULL. */
int mih_tpl_render(const mih_tpl *tpl, const json_t *data, const json_t *partials,
	char **out, size_t *outlen, mih_tpl_error *err);

/* The data a template renders over, read through a value-access interface
 * so callers can hand their own trees (PHP values) without converting them
 * to json_t first. A value is an opaque handle; NULL means "missing". ctx is
 * passed back unchanged to every call. Handles the callbacks return must stay
 * valid until the render call ends. Lists iterate in order; maps iterate in
 * their key order for JSON serialisation, keys as bytes. */
typedef enum {
	MIH_TPL_VALUE_NULL = 0,
	MIH_TPL_VALUE_BOOL,
	MIH_TPL_VALUE_INT,
	MIH_TPL_VALUE_REAL,
	MIH_TPL_VALUE_STRING,
	MIH_TPL_VALUE_LIST,
	MIH_TPL_VALUE_MAP
} mih_tpl_value_type;

/* A value's type and, for a scalar, its payload (the optional scalar
 * callback fills it in one call). */
typedef struct {
	mih_tpl_value_type type;
	union {
		int boolean;
		int64_t integer;
		double real;
		struct {
			const char *bytes;
			size_t len;
		} string;
	} u;
} mih_tpl_scalar;

/* Called for each entry of a map; nonzero stops the iteration (map_each
 * then returns that value). */
typedef int (*mih_tpl_map_visit)(void *arg, const char *key, size_t key_len, const void *value);

typedef struct {
	mih_tpl_value_type (*type_of)(void *ctx, const void *v);
	int (*bool_value)(void *ctx, const void *v);
	int64_t (*int_value)(void *ctx, const void *v);
	double (*real_value)(void *ctx, const void *v);
	/* A string's bytes (not necessarily NUL-terminated). */
	const char *(*string_value)(void *ctx, const void *v, size_t *len);
	/* Items of a list, entries of a map (0 means empty). */
	size_t (*size)(void *ctx, const void *v);
	/* Item i (< size) of a list. */
	const void *(*item)(void *ctx, const void *list, size_t i);
	/* A map's value under name (len bytes), NULL when absent. */
	const void *(*lookup)(void *ctx, const void *map, const char *name, size_t len);
	/* Every entry of a map in order; 0, or the nonzero visit stopped with. */
	int (*map_each)(void *ctx, const void *map, mih_tpl_map_visit visit, void *arg);
	/* Optional (NULL: lookup is used): lookup with hash, the name's
	 * mih_tpl_name_hash, computed once when the template was compiled. */
	const void *(*lookup_hashed)(void *ctx, const void *map, const char *name, size_t len,
		uint64_t hash);
	/* Optional (NULL: type_of and the value callbacks are used): the type of
	 * v and, for a scalar, its value, in one call. */
	void (*scalar)(void *ctx, const void *v, mih_tpl_scalar *out);
} mih_tpl_value_ops;

/* The hash every name part carries to lookup_hashed: DJBX33A (hash * 33 + c
 * from 5381) with the top bit set, which is the function PHP 7+ uses for
 * its array keys on 64-bit builds (zend_inline_hash_func), so a provider
 * backed by PHP arrays can look names up without hashing them again. A
 * provider relying on that must check it (compare with zend_hash_func once)
 * and use lookup when they differ. */
static inline uint64_t mih_tpl_name_hash(const char *s, size_t len)
{
	uint64_t hash = 5381;
	size_t i;

	for (i = 0; i < len; i++) {
		/* plain char, as PHP adds it (signed on x86) */
		hash = hash * 33 + (uint64_t)(int64_t)s[i];
	}
	return hash | 0x8000000000000000ULL;
}

/* mih_tpl_render over any tree read through ops (root NULL is treated as
 * null). Same output, errors and ownership as mih_tpl_render. */
int mih_tpl_render_values(const mih_tpl *tpl, const mih_tpl_value_ops *ops, void *ctx,
	const void *root, const json_t *partials, char **out, size_t *outlen, mih_tpl_error *err);

/* A growable output buffer a caller keeps between renders ({NULL, 0} to
 * start; free(data) when done). */
typedef struct {
	char *data;
	size_t cap;
} mih_tpl_buffer;

/* mih_tpl_render_values writing into buf (grown as needed) instead of a new
 * allocation: on success *out points into buf->data (NUL-terminated, valid
 * until the next render into buf) and stays owned by buf; on failure *out is
 * NULL and buf is kept too. */
int mih_tpl_render_values_into(const mih_tpl *tpl, const mih_tpl_value_ops *ops, void *ctx,
	const void *root, const json_t *partials, mih_tpl_buffer *buf, const char **out, size_t *outlen,
	mih_tpl_error *err);


/* A bounded LRU cache of compiled templates keyed by (mode, source bytes).
 * max_entries 0 is treated as 1. NULL when out of memory. */
mih_tpl_cache *mih_tpl_cache_new(size_t max_entries);
/* The compiled template for src in mode, compiled on a miss. The pointer is
 * owned by the cache and stays valid until the next mih_tpl_cache_get() or
 * mih_tpl_cache_free() on the same cache (a later get may evict it); do not
 * free it. Compile errors are not cached: NULL with *err filled, and the
 * next get of the same source compiles (and fails) again. */
const mih_tpl *mih_tpl_cache_get(mih_tpl_cache *cache, const char *src, size_t len,
	mih_tpl_mode mode, mih_tpl_error *err);
/* The same lookup with the caller's hash of the source bytes instead of one
 * computed here (which reads the whole text): for a caller that already
 * keeps a hash with its strings (PHP's zend_string). Any function of the
 * bytes alone will do, but every lookup of one cache must use the same
 * function (mih_tpl_cache_get uses its own: do not mix the two on a cache),
 * else the same text is compiled and cached twice. A hash match is
 * confirmed by comparing the bytes. */
const mih_tpl *mih_tpl_cache_get_hashed(mih_tpl_cache *cache, const char *src, size_t len,
	uint64_t source_hash, mih_tpl_mode mode, mih_tpl_error *err);
/* Entries currently held, and lookups answered without compiling. */
size_t mih_tpl_cache_size(const mih_tpl_cache *cache);
size_t mih_tpl_cache_hits(const mih_tpl_cache *cache);
/* Entries evicted so far: a pointer returned by a get stays valid for as
 * long as this count is unchanged. */
uint64_t mih_tpl_cache_evictions(const mih_tpl_cache *cache);
void mih_tpl_cache_free(mih_tpl_cache *cache);

#endif
