/* Where service definitions live. The PHP API talks to this interface only,
 * so the durable store can take the registry over without an API change. */
#ifndef MIH_REGISTRY_H
#define MIH_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include "service.h"

typedef struct mih_registry mih_registry;

typedef struct mih_registry_ops {
	/* 0 found (out filled, caller disposes), 1 not found, -1 error */
	int (*get)(mih_registry *r, const char *name, mih_service *out, char *err, size_t errlen);
	/* Inserts or replaces by name; on success svc's id/times are updated. */
	int (*save)(mih_registry *r, mih_service *svc, char *err, size_t errlen);
	/* All services ordered by name; caller disposes each and frees the array. */
	int (*list)(mih_registry *r, mih_service **out, size_t *count, char *err, size_t errlen);
	/* 0 removed, 1 there was none, -1 error */
	int (*remove)(mih_registry *r, const char *name, char *err, size_t errlen);
	void (*destroy)(mih_registry *r);
} mih_registry_ops;

struct mih_registry {
	const mih_registry_ops *ops;
};

/* Definitions kept in this process's memory, for use without a store. */
mih_registry *mih_registry_memory_new(void);

#endif
