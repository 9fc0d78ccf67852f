/* The in-memory service registry: a name-sorted array. */
#include "mih_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct memory_registry {
	mih_registry base;
	mih_service *items;
	size_t count;
	size_t cap;
	int64_t next_id;
} memory_registry;

static size_t find_slot(memory_registry *m, const char *name, bool *found)
{
	size_t lo = 0, hi = m->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(m->items[mid].name, name);
		if (cmp == 0) {
			*found = true;
			return mid;
		}
		if (cmp < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	*found = false;
	return lo;
}

static int memory_get(mih_registry *r, const char *name, mih_service *out, char *err, size_t errlen)
{
	memory_registry *m = (memory_registry *)r;
	bool found;
	size_t i = find_slot(m, name, &found);

	if (!found) {
		return 1;
	}
	if (mih_service_copy(out, &m->items[i]) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int memory_save(mih_registry *r, mih_service *svc, char *err, size_t errlen)
{
	memory_registry *m = (memory_registry *)r;
	bool found;
	size_t i = find_slot(m, svc->name, &found);
	mih_service copy;
	int64_t now = (int64_t)time(NULL);

	if (found) {
		svc->id = m->items[i].id;
		svc->timecreated = m->items[i].timecreated;
	} else {
		svc->id = ++m->next_id;
		svc->timecreated = now;
	}
	svc->timemodified = now;
	if (mih_service_copy(&copy, svc) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (found) {
		mih_service_dispose(&m->items[i]);
		m->items[i] = copy;
		return 0;
	}
	if (m->count == m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 8;
		mih_service *items = realloc(m->items, ncap * sizeof(*items));
		if (!items) {
			mih_service_dispose(&copy);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		m->items = items;
		m->cap = ncap;
	}
	memmove(&m->items[i + 1], &m->items[i], (m->count - i) * sizeof(*m->items));
	m->items[i] = copy;
	m->count++;
	return 0;
}

static int memory_list(mih_registry *r, mih_service **out, size_t *count, char *err, size_t errlen)
{
	memory_registry *m = (memory_registry *)r;
	size_t i;

	*out = NULL;
	*count = 0;
	if (m->count == 0) {
		return 0;
	}
	*out = calloc(m->count, sizeof(**out));
	if (!*out) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < m->count; i++) {
		if (mih_service_copy(&(*out)[i], &m->items[i]) != 0) {
			while (i-- > 0) {
				mih_service_dispose(&(*out)[i]);
			}
			free(*out);
			*out = NULL;
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	*count = m->count;
	return 0;
}

static int memory_remove(mih_registry *r, const char *name, char *err, size_t errlen)
{
	memory_registry *m = (memory_registry *)r;
	bool found;
	size_t i = find_slot(m, name, &found);

	(void)err;
	(void)errlen;
	if (!found) {
		return 1;
	}
	mih_service_dispose(&m->items[i]);
	memmove(&m->items[i], &m->items[i + 1], (m->count - i - 1) * sizeof(*m->items));
	m->count--;
	return 0;
}

static void memory_destroy(mih_registry *r)
{
	memory_registry *m = (memory_registry *)r;
	size_t i;

	for (i = 0; i < m->count; i++) {
		mih_service_dispose(&m->items[i]);
	}
	free(m->items);
	free(m);
}

static const mih_registry_ops memory_ops = {
	memory_get, memory_save, memory_list, memory_remove, memory_destroy
};

mih_registry *mih_registry_memory_new(void)
{
	memory_registry *m = calloc(1, sizeof(*m));

	if (!m) {
		return NULL;
	}
	m->base.ops = &memory_ops;
	return &m->base;
}
