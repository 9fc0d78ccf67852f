/* The PHP data of mih::render(), mih::render_each() and mih::emit() as the
 * template core reads it (the zval value provider) and the check made of it
 * before any render (php_mih_tpl_data_*, declared in mih_private.h).
 *
 * Why this file is long: the provider and the check are one idea, the tree
 * php_mih_zval_to_json would build, presented in place; they share the
 * object views, the jsonSerialize() results and the per-frame list cache
 * kept in php_mih_zval_ctx, and splitting them would publish those statics. */
#include "mih_private.h"
#include "template.h"
#include "zend_exceptions.h"
#include "zend_interfaces.h"

/* As php_mih_zval_to_json (ext/common/mih_json.c), whose errors render reproduces. */
#define MIH_TEMPLATE_MAX_DEPTH 512

/* mih::render reads the PHP data in place through the template core's value
 * interface instead of converting it to a json_t tree first. The tree it
 * presents is exactly the one php_mih_zval_to_json would build, so output and
 * errors are unchanged:
 * - an array is a list when it is empty or zend_array_is_list, else a map
 *   whose integer keys read as their decimal text (ZEND_ULONG_FMT);
 * - an object is its JSON-purpose property table, a map when it has no
 *   properties; the table is taken once per object and held until the
 *   render ends (get_properties_for may build a fresh one);
 * - strings are their bytes (the core checks UTF-8 where output needs it);
 * - a JsonSerializable object is what its jsonSerialize() returned (itself,
 *   when it returned $this, as json_encode has it).
 * The data is first checked as the conversion did (recursion, enums, value
 * types, nesting), so the same ValueError is thrown even for values the
 * template never reads. The check also calls every jsonSerialize() and keeps
 * the results until the data is destroyed, so that no PHP code runs while a
 * render holds pointers into the data. */

/* An object seen through its property table. Handles to views carry the low
 * bit, handles to zvals (never a reference or an object) do not. */
typedef struct {
	HashTable *props;
	bool is_list;
} object_view;

#define VIEW_TAG ((uintptr_t)1)

static zend_always_inline bool handle_is_view(const void *v)
{
	return ((uintptr_t)v & VIEW_TAG) != 0;
}

static zend_always_inline const object_view *handle_view(const void *v)
{
	return (const object_view *)((uintptr_t)v & ~VIEW_TAG);
}

static void view_dtor(zval *zv)
{
	object_view *view = Z_PTR_P(zv);

	if (view->props) {
		zend_release_properties(view->props);
	}
	efree(view);
}

/* What a JsonSerializable object's jsonSerialize() returned. The object is
 * held, so that its handle names it until the data is destroyed. */
typedef struct {
	zend_object *obj;
	zval value;		/* UNDEF until jsonSerialize() returned */
	bool checking;		/* its value is being checked: meeting it again is recursion */
} serialized_entry;

static void serialized_dtor(zval *zv)
{
	serialized_entry *e = Z_PTR_P(zv);

	zval_ptr_dtor(&e->value);
	OBJ_RELEASE(e->obj);
	efree(e);
}

static zend_always_inline const void *value_handle(php_mih_zval_ctx *ctx, zval *zv);

static const void *object_handle(php_mih_zval_ctx *ctx, zval *zv)
{
	zend_object *obj = Z_OBJ_P(zv);
	object_view *view;

	if (ctx->has_serialized && instanceof_function(obj->ce, php_json_serializable_ce)) {
		serialized_entry *e = zend_hash_index_find_ptr(&ctx->serialized, obj->handle);
		/* A JsonSerializable object that came into the data after the check
		 * (a jsonSerialize() put it there) shows its properties. */
		if (e && !Z_ISUNDEF(e->value) && !(Z_TYPE(e->value) == IS_OBJECT && Z_OBJ(e->value) == obj)) {
			return value_handle(ctx, &e->value);
		}
	}

	if (!ctx->has_views) {
		zend_hash_init(&ctx->views, 8, NULL, view_dtor, 0);
		ctx->has_views = true;
	} else {
		view = zend_hash_index_find_ptr(&ctx->views, obj->handle);
		if (view) {
			return (const void *)((uintptr_t)view | VIEW_TAG);
		}
	}
	view = emalloc(sizeof(*view));
	view->props = zend_get_properties_for(zv, ZEND_PROP_PURPOSE_JSON);
	/* An object is a map even when it has no properties. */
	view->is_list = view->props && zend_hash_num_elements(view->props) > 0
		&& zend_array_is_list(view->props);
	zend_hash_index_add_new_ptr(&ctx->views, obj->handle, view);
	return (const void *)((uintptr_t)view | VIEW_TAG);
}

/* The handle of a value found in the data. */
static zend_always_inline const void *value_handle(php_mih_zval_ctx *ctx, zval *zv)
{
	/* Declared properties sit behind an INDIRECT slot in the property table. */
	ZVAL_DEINDIRECT(zv);
	ZVAL_DEREF(zv);
	return Z_TYPE_P(zv) == IS_OBJECT ? object_handle(ctx, zv) : zv;
}

static HashTable *handle_table(const void *v)
{
	return handle_is_view(v) ? handle_view(v)->props : Z_ARRVAL_P((const zval *)v);
}

static bool array_is_list(php_mih_zval_ctx *ctx, HashTable *ht)
{
	unsigned slot;

	if (HT_IS_PACKED(ht) || zend_hash_num_elements(ht) == 0) {
		return zend_array_is_list(ht);
	}
	slot = (unsigned)(((uintptr_t)ht >> 6) % PHP_MIH_LIST_CACHE_SLOTS);
	if (ctx->list_tables[slot] != ht) {
		ctx->list_tables[slot] = ht;
		ctx->list_answers[slot] = zend_array_is_list(ht);
	}
	return ctx->list_answers[slot];
}


static void zv_scalar(void *ctx, const void *v, mih_tpl_scalar *out)
{
	const zval *zv = v;

	if (handle_is_view(v)) {
		out->type = handle_view(v)->is_list ? MIH_TPL_VALUE_LIST : MIH_TPL_VALUE_MAP;
		return;
	}
	switch (Z_TYPE_P(zv)) {
		case IS_STRING:
			out->type = MIH_TPL_VALUE_STRING;
			out->u.string.bytes = Z_STRVAL_P(zv);
			out->u.string.len = Z_STRLEN_P(zv);
			return;
		case IS_LONG:
			out->type = MIH_TPL_VALUE_INT;
			out->u.integer = (int64_t)Z_LVAL_P(zv);
			return;
		case IS_DOUBLE:
			out->type = MIH_TPL_VALUE_REAL;
			out->u.real = Z_DVAL_P(zv);
			return;
		case IS_FALSE:
		case IS_TRUE:
			out->type = MIH_TPL_VALUE_BOOL;
			out->u.boolean = Z_TYPE_P(zv) == IS_TRUE;
			return;
		case IS_ARRAY:
			out->type = array_is_list(ctx, Z_ARRVAL_P(zv)) ? MIH_TPL_VALUE_LIST : MIH_TPL_VALUE_MAP;
			return;
		default:
			out->type = MIH_TPL_VALUE_NULL;
	}
}

static mih_tpl_value_type zv_type_of(void *ctx, const void *v)
{
	mih_tpl_scalar sc;

	zv_scalar(ctx, v, &sc);
	return sc.type;
}

static int zv_bool_value(void *ctx, const void *v)
{
	(void)ctx;
	return Z_TYPE_P((const zval *)v) == IS_TRUE;
}

static int64_t zv_int_value(void *ctx, const void *v)
{
	(void)ctx;
	return (int64_t)Z_LVAL_P((const zval *)v);
}

static double zv_real_value(void *ctx, const void *v)
{
	(void)ctx;
	return Z_DVAL_P((const zval *)v);
}

static const char *zv_string_value(void *ctx, const void *v, size_t *len)
{
	(void)ctx;
	*len = Z_STRLEN_P((const zval *)v);
	return Z_STRVAL_P((const zval *)v);
}

static size_t zv_size(void *ctx, const void *v)
{
	HashTable *ht = handle_table(v);

	(void)ctx;
	return ht ? zend_hash_num_elements(ht) : 0;
}

static const void *zv_item(void *ctx, const void *list, size_t i)
{
	HashTable *ht = handle_table(list);
	zval *item;

	if (HT_IS_PACKED(ht) && HT_IS_WITHOUT_HOLES(ht)) {
		item = &ht->arPacked[i];
	} else {
		item = zend_hash_index_find(ht, (zend_ulong)i);
		if (!item) {
			return NULL;
		}
	}
	return value_handle(ctx, item);
}

/* The integer key whose decimal text (ZEND_ULONG_FMT) is name, if any. */
static bool integer_key_of(const char *name, size_t len, zend_ulong *idx)
{
	zend_ulong value = 0;
	size_t i;

	if (len == 0 || len > MAX_LENGTH_OF_LONG || (name[0] == '0' && len > 1)) {
		return false;
	}
	for (i = 0; i < len; i++) {
		unsigned digit = (unsigned char)name[i] - '0';
		if (digit > 9 || value > (ZEND_ULONG_MAX - digit) / 10) {
			return false;
		}
		value = value * 10 + digit;
	}
	*idx = value;
	return true;
}

static const void *zv_lookup(void *ctx, const void *map, const char *name, size_t len)
{
	HashTable *ht = handle_table(map);
	zend_ulong idx;
	zval *found = NULL;

	if (!ht) {
		return NULL;
	}
	if (!HT_IS_PACKED(ht)) {
		found = zend_hash_str_find(ht, name, len);
	}
	if (!found && integer_key_of(name, len, &idx)) {
		found = zend_hash_index_find(ht, idx);
	}
	return found ? value_handle(ctx, found) : NULL;
}

/* Whether a and b (len bytes each) are equal: names are short, so words are
 * compared inline (the last word overlapping) rather than through memcmp. */
static zend_always_inline bool same_bytes(const char *a, const char *b, size_t len)
{
	uint64_t x, y;
	uint32_t u, v;
	size_t i;

	if (len >= 8) {
		for (i = 0; i + 8 <= len; i += 8) {
			memcpy(&x, a + i, 8);
			memcpy(&y, b + i, 8);
			if (x != y) {
				return false;
			}
		}
		if (i == len) {
			return true;
		}
		memcpy(&x, a + len - 8, 8);
		memcpy(&y, b + len - 8, 8);
		return x == y;
	}
	if (len >= 4) {
		memcpy(&u, a, 4);
		memcpy(&v, b, 4);
		if (u != v) {
			return false;
		}
		memcpy(&u, a + len - 4, 4);
		memcpy(&v, b + len - 4, 4);
		return u == v;
	}
	for (i = 0; i < len; i++) {
		if (a[i] != b[i]) {
			return false;
		}
	}
	return true;
}

/* zv_lookup with the name's hash given: the core hashes names as PHP does
 * (checked once by php_mih_template_minit), so the bucket chain is walked
 * directly, as zend_hash_str_find does after hashing. */
static const void *zv_lookup_hashed(void *ctx, const void *map, const char *name, size_t len,
	uint64_t hash)
{
	HashTable *ht = handle_table(map);
	zend_ulong h = (zend_ulong)hash, idx;
	uint32_t i, slot;

	if (!ht) {
		return NULL;
	}
	if (!HT_IS_PACKED(ht)) {
		slot = (uint32_t)h | ht->nTableMask;	/* as zend_hash.c computes nIndex */
		for (i = HT_HASH(ht, slot); i != HT_INVALID_IDX;) {
			Bucket *p = HT_HASH_TO_BUCKET(ht, i);
			if (p->h == h && p->key && ZSTR_LEN(p->key) == len
				&& same_bytes(ZSTR_VAL(p->key), name, len)) {
				return value_handle(ctx, &p->val);
			}
			i = Z_NEXT(p->val);
		}
	}
	if (integer_key_of(name, len, &idx)) {
		zval *found = zend_hash_index_find(ht, idx);
		return found ? value_handle(ctx, found) : NULL;
	}
	return NULL;
}

static int zv_map_each(void *ctx, const void *map, mih_tpl_map_visit visit, void *arg)
{
	HashTable *ht = handle_table(map);
	zend_string *key;
	zend_ulong idx;
	zval *val;
	int rc;

	if (!ht) {
		return 0;
	}
	ZEND_HASH_FOREACH_KEY_VAL_IND(ht, idx, key, val) {
		if (key && ZSTR_LEN(key) > 0 && ZSTR_VAL(key)[0] == '\0') {
			continue; /* protected or private: json_encode leaves it out too */
		}
		if (key) {
			rc = visit(arg, ZSTR_VAL(key), ZSTR_LEN(key), value_handle(ctx, val));
		} else {
			char buf[MAX_LENGTH_OF_LONG + 1];
			int n = snprintf(buf, sizeof(buf), ZEND_ULONG_FMT, idx);
			rc = visit(arg, buf, (size_t)n, value_handle(ctx, val));
		}
		if (rc != 0) {
			return rc;
		}
	} ZEND_HASH_FOREACH_END();
	return 0;
}

/* lookup_hashed is filled in by php_mih_template_minit when this PHP hashes
 * strings as the template core does. */
static mih_tpl_value_ops zval_value_ops = {
	zv_type_of,
	zv_bool_value,
	zv_int_value,
	zv_real_value,
	zv_string_value,
	zv_size,
	zv_item,
	zv_lookup,
	zv_map_each,
	NULL,
	zv_scalar
};

static const mih_tpl_value_ops *const zval_ops = &zval_value_ops;

void php_mih_template_minit(void)
{
	static const char *const probes[] = {"", "a", "userid", "contextinstanceid",
		"\xc3\xa9t\xc3\xa9 \xff\x80 and a longer key of forty-one bytes"};
	size_t i;

	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		size_t len = strlen(probes[i]);
		if (mih_tpl_name_hash(probes[i], len) != (uint64_t)zend_hash_func(probes[i], len)) {
			return;
		}
	}
	zval_value_ops.lookup_hashed = zv_lookup_hashed;
}

/* The check of the data before any render. When a jsonSerialize() fails,
 * the name of its value (as a template would write it, "user.profile") is
 * collected on the way out, innermost part first. */
typedef struct {
	php_mih_zval_ctx *ctx;
	uint32_t argnum;
	zend_string *failed_class;	/* the class whose jsonSerialize() failed */
	bool failed_call;		/* it could not be called (no exception) */
	zend_string **path;
	uint32_t npath, path_cap;
} data_check;

static void path_push(data_check *chk, zend_string *key, zend_ulong idx)
{
	if (chk->npath == chk->path_cap) {
		chk->path_cap = chk->path_cap ? chk->path_cap * 2 : 8;
		chk->path = safe_erealloc(chk->path, chk->path_cap, sizeof(zend_string *), 0);
	}
	chk->path[chk->npath++] = key ? zend_string_copy(key) : zend_ulong_to_str(idx);
}

static zend_result check_value(data_check *chk, zval *zv, int depth, bool hidden);

/* props: ht is an object's property table, whose mangled (protected and
 * private) entries json_encode leaves out: their values are checked, but no
 * jsonSerialize() is called for them. */
static zend_result check_table(data_check *chk, HashTable *ht, int depth, bool props, bool hidden)
{
	zend_string *key;
	zend_ulong idx;
	zval *val;
	zend_result rc = SUCCESS;

	if (GC_IS_RECURSIVE(ht)) {
		zend_argument_value_error(chk->argnum, "must not contain a recursive reference");
		return FAILURE;
	}
	/* Held while it is walked: a jsonSerialize() writing to it (through a
	 * reference) then writes to a copy, instead of moving what the walk
	 * reads. */
	GC_TRY_ADDREF(ht);
	GC_TRY_PROTECT_RECURSION(ht);
	ZEND_HASH_FOREACH_KEY_VAL_IND(ht, idx, key, val) {
		/* null, booleans, integers and strings pass: skip the call */
		if ((Z_TYPE_P(val) < IS_DOUBLE || Z_TYPE_P(val) == IS_STRING) && depth < MIH_TEMPLATE_MAX_DEPTH) {
			continue;
		}
		if (check_value(chk, val, depth + 1, hidden
				|| (props && key && ZSTR_LEN(key) > 0 && ZSTR_VAL(key)[0] == '\0')) != SUCCESS) {
			if (chk->failed_class) {
				path_push(chk, key, idx);
			}
			rc = FAILURE;
			break;
		}
	} ZEND_HASH_FOREACH_END();
	GC_TRY_UNPROTECT_RECURSION(ht);
	zend_array_release(ht);
	return rc;
}

static zend_result check_properties(data_check *chk, zend_object *obj, int depth, bool hidden)
{
	HashTable *props;
	zval zv;
	zend_result rc;

	ZVAL_OBJ(&zv, obj);
	props = zend_get_properties_for(&zv, ZEND_PROP_PURPOSE_JSON);
	if (!props) {
		return SUCCESS;
	}
	rc = check_table(chk, props, depth, true, hidden);
	zend_release_properties(props);
	return rc;
}

/* Calls obj's jsonSerialize() once per render data and checks what it
 * returned (at depth + 1, so that a chain of objects each returning another
 * ends at the depth limit). */
static zend_result check_serializable(data_check *chk, zend_object *obj, int depth)
{
	php_mih_zval_ctx *ctx = chk->ctx;
	serialized_entry *e;
	zend_result rc;

	if (!ctx->has_serialized) {
		zend_hash_init(&ctx->serialized, 8, NULL, serialized_dtor, 0);
		ctx->has_serialized = true;
	} else if ((e = zend_hash_index_find_ptr(&ctx->serialized, obj->handle))) {
		if (e->checking) {
			zend_argument_value_error(chk->argnum, "must not contain a recursive reference");
			return FAILURE;
		}
		return SUCCESS;	/* met before: serialized and checked once */
	}
	e = emalloc(sizeof(*e));
	e->obj = obj;
	GC_ADDREF(obj);
	ZVAL_UNDEF(&e->value);
	e->checking = true;
	zend_hash_index_add_new_ptr(&ctx->serialized, obj->handle, e);
	zend_call_method_with_0_params(obj, obj->ce, NULL, "jsonserialize", &e->value);
	if (EG(exception) || Z_ISUNDEF(e->value)) {
		zval_ptr_dtor(&e->value);
		ZVAL_UNDEF(&e->value);
		chk->failed_class = zend_string_copy(obj->ce->name);
		chk->failed_call = !EG(exception);
		return FAILURE;
	}
	if (Z_ISREF(e->value)) {
		zend_unwrap_reference(&e->value);
	}
	if (Z_TYPE(e->value) == IS_OBJECT && Z_OBJ(e->value) == obj) {
		rc = check_properties(chk, obj, depth, false);	/* return $this: its properties */
	} else {
		rc = check_value(chk, &e->value, depth + 1, false);
	}
	e->checking = false;
	return rc;
}

/* The checks php_mih_zval_to_json makes, in its order, with its messages. */
static zend_result check_value(data_check *chk, zval *zv, int depth, bool hidden)
{
	if (depth > MIH_TEMPLATE_MAX_DEPTH) {
		zend_argument_value_error(chk->argnum, "is nested deeper than %d levels", MIH_TEMPLATE_MAX_DEPTH);
		return FAILURE;
	}
	ZVAL_DEREF(zv);
	switch (Z_TYPE_P(zv)) {
		case IS_NULL:
		case IS_FALSE:
		case IS_TRUE:
		case IS_LONG:
		case IS_STRING:
			return SUCCESS;
		case IS_DOUBLE:
			if (!zend_finite(Z_DVAL_P(zv))) {
				zend_argument_value_error(chk->argnum, "must not contain INF or NAN");
				return FAILURE;
			}
			return SUCCESS;
		case IS_ARRAY:
			return check_table(chk, Z_ARRVAL_P(zv), depth, false, hidden);
		case IS_OBJECT: {
			zend_object *obj = Z_OBJ_P(zv);
			zend_result rc;
			/* As json_encode: JsonSerializable first (enums may implement it). */
			if (!hidden && instanceof_function(obj->ce, php_json_serializable_ce)) {
				return check_serializable(chk, obj, depth);
			}
			if (obj->ce->ce_flags & ZEND_ACC_ENUM) {
				zend_argument_value_error(chk->argnum, "must not contain an enum (%s)",
					ZSTR_VAL(obj->ce->name));
				return FAILURE;
			}
			/* Held while its properties are walked: a jsonSerialize() may drop
			 * the last other reference to it. */
			GC_ADDREF(obj);
			rc = check_properties(chk, obj, depth, hidden);
			OBJ_RELEASE(obj);
			return rc;
		}
		default:
			zend_argument_value_error(chk->argnum, "must not contain a value of type %s",
				zend_zval_type_name(zv));
			return FAILURE;
	}
}

/* template_exception for a failed jsonSerialize(): no place in a template,
 * so template_line and template_column are 0. The exception it threw (still
 * pending) becomes the previous one. */
static void throw_serialize_failure(data_check *chk)
{
	smart_str name = {0};
	zend_object *ex;
	zval zero;
	uint32_t i;

	if (EG(exception) && (zend_is_unwind_exit(EG(exception)) || zend_is_graceful_exit(EG(exception)))) {
		return;	/* exit() in jsonSerialize(): let it end the script */
	}
	for (i = chk->npath; i > 0; i--) {
		if (i < chk->npath) {
			smart_str_appendc(&name, '.');
		}
		smart_str_append(&name, chk->path[i - 1]);
	}
	if (chk->npath == 0) {
		smart_str_appendc(&name, '.');
	}
	smart_str_0(&name);
	ex = zend_throw_exception_ex(php_mih_template_exception_ce, 0, "the value \"%.200s%s\": %s::jsonSerialize() %s",
		ZSTR_VAL(name.s), ZSTR_LEN(name.s) > 200 ? "..." : "", ZSTR_VAL(chk->failed_class),
		chk->failed_call ? "could not be called" : "threw an exception (the previous one)");
	ZVAL_LONG(&zero, 0);
	zend_update_property(php_mih_template_exception_ce, ex, ZEND_STRL("template_line"), &zero);
	zend_update_property(php_mih_template_exception_ce, ex, ZEND_STRL("template_column"), &zero);
	smart_str_free(&name);
}

static void data_check_dispose(data_check *chk)
{
	uint32_t i;

	for (i = 0; i < chk->npath; i++) {
		zend_string_release(chk->path[i]);
	}
	if (chk->path) {
		efree(chk->path);
	}
	if (chk->failed_class) {
		zend_string_release(chk->failed_class);
	}
}

zend_result php_mih_tpl_data_init(php_mih_tpl_data *d, zval *data, uint32_t argnum)
{
	data_check chk = { &d->ctx, argnum, NULL, false, NULL, 0, 0 };
	zend_result rc;

	memset(&d->ctx, 0, sizeof(d->ctx));
	rc = check_value(&chk, data, 0, false);
	if (rc != SUCCESS) {
		if (chk.failed_class) {
			throw_serialize_failure(&chk);
		}
		data_check_dispose(&chk);
		php_mih_tpl_data_destroy(d);
		return FAILURE;
	}
	data_check_dispose(&chk);
	d->root = value_handle(&d->ctx, data);
	return SUCCESS;
}

int php_mih_tpl_data_render(php_mih_tpl_data *d, const mih_tpl *tpl, const json_t *partials,
	mih_tpl_buffer *buf, const char **out, size_t *outlen, mih_tpl_error *err)
{
	return mih_tpl_render_values_into(tpl, zval_ops, &d->ctx, d->root, partials, buf, out, outlen, err);
}

void php_mih_tpl_data_destroy(php_mih_tpl_data *d)
{
	if (d->ctx.has_views) {
		zend_hash_destroy(&d->ctx.views);
		d->ctx.has_views = false;
	}
	/* Last: releasing objects may run destructors (PHP code). */
	if (d->ctx.has_serialized) {
		zend_hash_destroy(&d->ctx.serialized);
		d->ctx.has_serialized = false;
	}
}
