/* local_integrationhub\mih_request: the fluent builder behind mih::send(). */
#include "mih_private.h"

typedef struct php_mih_request {
	zend_string *service;
	zend_string *path;
	zend_string *method;   /* NULL: the service's */
	zval payload;          /* array, string or null */
	HashTable *headers;    /* NULL until header() is called */
	double timeout;        /* 0: the service's */
	zend_object std;
} php_mih_request;

static zend_object_handlers mih_request_handlers;

static inline php_mih_request *mih_request_from_obj(zend_object *obj)
{
	return (php_mih_request *)((char *)obj - XtOffsetOf(php_mih_request, std));
}

static zend_object *mih_request_create_object(zend_class_entry *ce)
{
	php_mih_request *req = zend_object_alloc(sizeof(php_mih_request), ce);

	zend_object_std_init(&req->std, ce);
	object_properties_init(&req->std, ce);
	req->std.handlers = &mih_request_handlers;
	array_init(&req->payload);
	return &req->std;
}

static void mih_request_free_obj(zend_object *obj)
{
	php_mih_request *req = mih_request_from_obj(obj);

	if (req->service) {
		zend_string_release(req->service);
	}
	if (req->path) {
		zend_string_release(req->path);
	}
	if (req->method) {
		zend_string_release(req->method);
	}
	zval_ptr_dtor(&req->payload);
	if (req->headers) {
		zend_array_release(req->headers);
	}
	zend_object_std_dtor(obj);
}

static zend_object *mih_request_clone_obj(zend_object *old)
{
	php_mih_request *from = mih_request_from_obj(old);
	zend_object *new_obj = mih_request_create_object(old->ce);
	php_mih_request *to = mih_request_from_obj(new_obj);

	zend_objects_clone_members(new_obj, old);
	to->service = from->service ? zend_string_copy(from->service) : NULL;
	to->path = from->path ? zend_string_copy(from->path) : NULL;
	to->method = from->method ? zend_string_copy(from->method) : NULL;
	zval_ptr_dtor(&to->payload);
	ZVAL_COPY(&to->payload, &from->payload);
	to->headers = from->headers ? zend_array_dup(from->headers) : NULL;
	to->timeout = from->timeout;
	return new_obj;
}

static HashTable *mih_request_get_gc(zend_object *obj, zval **table, int *n)
{
	php_mih_request *req = mih_request_from_obj(obj);

	*table = &req->payload;
	*n = 1;
	return zend_std_get_properties(obj);
}

void php_mih_request_register(void)
{
	php_mih_request_ce->create_object = mih_request_create_object;
	memcpy(&mih_request_handlers, zend_get_std_object_handlers(), sizeof(zend_object_handlers));
	mih_request_handlers.offset = XtOffsetOf(php_mih_request, std);
	mih_request_handlers.free_obj = mih_request_free_obj;
	mih_request_handlers.clone_obj = mih_request_clone_obj;
	mih_request_handlers.get_gc = mih_request_get_gc;
}

void php_mih_request_create(zval *out, zend_string *service)
{
	php_mih_request *req;

	object_init_ex(out, php_mih_request_ce);
	req = mih_request_from_obj(Z_OBJ_P(out));
	req->service = zend_string_copy(service);
	req->path = ZSTR_CHAR('/');
}

#define MIH_REQUEST_THIS mih_request_from_obj(Z_OBJ_P(ZEND_THIS))

ZEND_METHOD(local_integrationhub_mih_request, __construct)
{
	(void)return_value;
	ZEND_PARSE_PARAMETERS_NONE();
}

ZEND_METHOD(local_integrationhub_mih_request, to)
{
	zend_string *path;
	php_mih_request *req = MIH_REQUEST_THIS;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_PATH_STR(path)
	ZEND_PARSE_PARAMETERS_END();

	if (php_mih_check_line(path, 1) != SUCCESS) {
		RETURN_THROWS();
	}
	if (req->path) {
		zend_string_release(req->path);
	}
	req->path = zend_string_copy(path);
	RETURN_OBJ_COPY(Z_OBJ_P(ZEND_THIS));
}

ZEND_METHOD(local_integrationhub_mih_request, with)
{
	zval *payload;
	php_mih_request *req = MIH_REQUEST_THIS;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_ZVAL(payload)
	ZEND_PARSE_PARAMETERS_END();

	if (Z_TYPE_P(payload) != IS_ARRAY && Z_TYPE_P(payload) != IS_STRING) {
		zend_argument_type_error(1, "must be of type array|string, %s given", zend_zval_type_name(payload));
		RETURN_THROWS();
	}
	zval_ptr_dtor(&req->payload);
	ZVAL_COPY(&req->payload, payload);
	RETURN_OBJ_COPY(Z_OBJ_P(ZEND_THIS));
}

ZEND_METHOD(local_integrationhub_mih_request, method)
{
	zend_string *method, *canon;
	php_mih_request *req = MIH_REQUEST_THIS;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_PATH_STR(method)
	ZEND_PARSE_PARAMETERS_END();

	canon = php_mih_check_method(method, 1);
	if (!canon) {
		RETURN_THROWS();
	}
	if (req->method) {
		zend_string_release(req->method);
	}
	req->method = canon;
	RETURN_OBJ_COPY(Z_OBJ_P(ZEND_THIS));
}

ZEND_METHOD(local_integrationhub_mih_request, header)
{
	zend_string *name, *value;
	zval zv;
	php_mih_request *req = MIH_REQUEST_THIS;

	ZEND_PARSE_PARAMETERS_START(2, 2)
		Z_PARAM_STR(name)
		Z_PARAM_STR(value)
	ZEND_PARSE_PARAMETERS_END();

	if (php_mih_check_header(ZSTR_VAL(name), ZSTR_LEN(name), ZSTR_VAL(value), ZSTR_LEN(value), 1, 2) != SUCCESS) {
		RETURN_THROWS();
	}
	if (!req->headers) {
		req->headers = zend_new_array(4);
	}
	ZVAL_STR_COPY(&zv, value);
	zend_hash_update(req->headers, name, &zv);
	RETURN_OBJ_COPY(Z_OBJ_P(ZEND_THIS));
}

ZEND_METHOD(local_integrationhub_mih_request, timeout)
{
	double seconds;
	php_mih_request *req = MIH_REQUEST_THIS;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_DOUBLE(seconds)
	ZEND_PARSE_PARAMETERS_END();

	if (!(seconds > 0) || seconds > 3600) {
		zend_argument_value_error(1, "must be greater than 0 and at most 3600 seconds");
		RETURN_THROWS();
	}
	req->timeout = seconds;
	RETURN_OBJ_COPY(Z_OBJ_P(ZEND_THIS));
}

/* The builder's state as a call (borrowed: valid while the builder lives). */
static void call_from_builder(php_mih_request *req, php_mih_call *call)
{
	php_mih_call_init(call);
	call->service = req->service;
	call->path = req->path;
	call->payload = &req->payload;
	call->method = req->method;
	call->headers = req->headers;
	call->timeout = req->timeout;
}

ZEND_METHOD(local_integrationhub_mih_request, dispatch)
{
	php_mih_call call;

	ZEND_PARSE_PARAMETERS_NONE();

	call_from_builder(MIH_REQUEST_THIS, &call);
	php_mih_call_execute(&call, return_value);
}

ZEND_METHOD(local_integrationhub_mih_request, queue)
{
	php_mih_call call;
	zend_long id;

	ZEND_PARSE_PARAMETERS_NONE();

	call_from_builder(MIH_REQUEST_THIS, &call);
	id = php_mih_enqueue_call(&call);
	if (EG(exception)) {
		RETURN_THROWS();
	}
	RETURN_LONG(id);
}
