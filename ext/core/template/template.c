/* Public entry points of the template engine that are not compiling or
 * rendering proper: mode names and the LRU cache of compiled
 * templates. */
#include <stdlib.h>
#include <string.h>
#include "template_internal.h"

static const char *const mode_names[] = {"html", "json", "url", "text"};

int mih_tpl_mode_from_name(const char *name, mih_tpl_mode *out)
{
	size_t i;

	if (!name) {
		return -1;
	}
	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (strcmp(name, mode_names[i]) == 0) {
			*out = (mih_tpl_mode)i;
			return 0;
		}
	}
	return -1;
}

const char *mih_tpl_mode_name(mih_tpl_mode mode)
{
	return (unsigned)mode <= MIH_TPL_TEXT ? mode_names[mode] : "unknown";
}

size_t mih_tpl_normalise_newlines(char *s, size_t len)
{
	char *cr = memchr(s, '\r', len);
	size_t in, out;

	if (!cr) {
		return len;
	}
	for (in = out = (size_t)(cr - s); in < len; in++) {
		if (s[in] == '\r' && in + 1 < len && s[in + 1] == '\n') {
			continue;
		}
		s[out++] = s[in];
	}
	if (out < len) {
		s[out] = '\0';
	}
	return out;
}

mih_tpl *mih_tpl_compile(const char *src, size_t len, mih_tpl_mode mode, mih_tpl_error *err)
{
	mih_tpl *tpl;

	if (!src && len) {
		tpl_set_error(err, 1, 1, "no template source given");
		return NULL;
	}
	tpl = tpl_compile_ex(src ? src : "", len, mode, TPL_JSON_VALUE, NULL, 0, err);
	if (tpl) {
		tpl->json_proven = (uint8_t)tpl_json_prove_always_valid(tpl);
	}
	return tpl;
}

mih_tpl_mode mih_tpl_get_mode(const mih_tpl *tpl)
{
	return tpl->mode;
}

/* The cache: a fixed-size hash table of chains plus a doubly linked list in
 * recency order (head = most recently used). */
typedef struct cache_entry {
	struct cache_entry *chain;	/* next in the same bucket */
	struct cache_entry *newer, *older;
	uint64_t hash;
	mih_tpl *tpl;			/* owns the source copy compared against */
} cache_entry;

struct mih_tpl_cache {
	cache_entry **buckets;
	size_t nbuckets, size, max_entries, hits;
	uint64_t evictions;
	cache_entry *newest, *oldest;
};

mih_tpl_cache *mih_tpl_cache_new(size_t max_entries)
{
	mih_tpl_cache *c = calloc(1, sizeof(*c));
	size_t n = 16;

	if (!c) {
		return NULL;
	}
	c->max_entries = max_entries ? max_entries : 1;
	while (n < c->max_entries && n < ((size_t)1 << 20)) {
		n *= 2;
	}
	c->buckets = calloc(n, sizeof(*c->buckets));
	if (!c->buckets) {
		free(c);
		return NULL;
	}
	c->nbuckets = n;
	return c;
}

/* FNV-1a over the source bytes, for callers without a hash of their own */
static uint64_t cache_hash(const char *src, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h = (h ^ (unsigned char)src[i]) * 1099511628211ULL;
	}
	return h;
}

static void lru_unlink(mih_tpl_cache *c, cache_entry *e)
{
	if (e->newer) {
		e->newer->older = e->older;
	} else {
		c->newest = e->older;
	}
	if (e->older) {
		e->older->newer = e->newer;
	} else {
		c->oldest = e->newer;
	}
	e->newer = e->older = NULL;
}

static void lru_push_newest(mih_tpl_cache *c, cache_entry *e)
{
	e->older = c->newest;
	e->newer = NULL;
	if (c->newest) {
		c->newest->newer = e;
	}
	c->newest = e;
	if (!c->oldest) {
		c->oldest = e;
	}
}

static void cache_evict_oldest(mih_tpl_cache *c)
{
	cache_entry *e = c->oldest, **link;

	for (link = &c->buckets[(e->hash >> 32) & (c->nbuckets - 1)]; *link != e; link = &(*link)->chain) {
	}
	*link = e->chain;
	lru_unlink(c, e);
	mih_tpl_free(e->tpl);
	free(e);
	c->size--;
	c->evictions++;
}

/* The caller's hash of the source, mixed with the mode so that the same
 * text in two modes lands in different buckets. */
static uint64_t cache_key(uint64_t source_hash, mih_tpl_mode mode)
{
	return (source_hash ^ ((uint64_t)mode * 0x9E3779B97F4A7C15ULL)) * 0xFF51AFD7ED558CCDULL;
}

const mih_tpl *mih_tpl_cache_get(mih_tpl_cache *c, const char *src, size_t len,
	mih_tpl_mode mode, mih_tpl_error *err)
{
	return mih_tpl_cache_get_hashed(c, src, len, cache_hash(src ? src : "", src ? len : 0),
		mode, err);
}

const mih_tpl *mih_tpl_cache_get_hashed(mih_tpl_cache *c, const char *src, size_t len,
	uint64_t source_hash, mih_tpl_mode mode, mih_tpl_error *err)
{
	uint64_t h;
	cache_entry *e;
	mih_tpl *tpl;

	if (!src && len) {
		tpl_set_error(err, 1, 1, "no template source given");
		return NULL;
	}
	if (!src) {
		src = "";
	}
	h = cache_key(source_hash, mode);
	for (e = c->buckets[(h >> 32) & (c->nbuckets - 1)]; e; e = e->chain) {
		if (e->hash == h && e->tpl->mode == mode && e->tpl->src_len == len
			&& memcmp(e->tpl->src, src, len) == 0) {
			if (c->newest != e) {
				lru_unlink(c, e);
				lru_push_newest(c, e);
			}
			c->hits++;
			return e->tpl;
		}
	}
	tpl = mih_tpl_compile(src, len, mode, err);
	if (!tpl) {
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		mih_tpl_free(tpl);
		tpl_set_error(err, 1, 1, "out of memory caching the template");
		return NULL;
	}
	e->hash = h;
	e->tpl = tpl;
	e->chain = c->buckets[(h >> 32) & (c->nbuckets - 1)];
	c->buckets[(h >> 32) & (c->nbuckets - 1)] = e;
	lru_push_newest(c, e);
	c->size++;
	while (c->size > c->max_entries) {
		cache_evict_oldest(c);
	}
	return tpl;
}

size_t mih_tpl_cache_size(const mih_tpl_cache *c)
{
	return c->size;
}

uint64_t mih_tpl_cache_evictions(const mih_tpl_cache *c)
{
	return c->evictions;
}

size_t mih_tpl_cache_hits(const mih_tpl_cache *c)
{
	return c->hits;
}

void mih_tpl_cache_free(mih_tpl_cache *c)
{
	cache_entry *e, *next;

	if (!c) {
		return;
	}
	for (e = c->newest; e; e = next) {
		next = e->older;
		mih_tpl_free(e->tpl);
		free(e);
	}
	free(c->buckets);
	free(c);
}
