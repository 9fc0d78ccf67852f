/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: 02f1bfe32922c0aa69ebef265a31ee3109aa8711 */

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_local_integrationhub_mih___construct, 0, 0, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_class_local_integrationhub_mih_request, 0, 1, local_integrationhub\\mih_response, 0)
	ZEND_ARG_TYPE_INFO(0, service, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, path, IS_STRING, 0, "\"/\"")
	ZEND_ARG_TYPE_MASK(0, payload, MAY_BE_ARRAY|MAY_BE_STRING|MAY_BE_NULL, "[]")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, method, IS_STRING, 1, "null")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, options, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_class_local_integrationhub_mih_send, 0, 1, local_integrationhub\\mih_request, 0)
	ZEND_ARG_TYPE_INFO(0, service, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_save_service, 0, 1, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, definition, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_service, 0, 1, IS_ARRAY, 1)
	ZEND_ARG_TYPE_INFO(0, name, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_services, 0, 0, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_local_integrationhub_mih_service_defaults arginfo_class_local_integrationhub_mih_services

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_delete_service, 0, 1, _IS_BOOL, 0)
	ZEND_ARG_TYPE_INFO(0, name, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_configure, 0, 1, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, settings, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_version, 0, 0, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_render, 0, 2, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, template, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, data, IS_MIXED, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, mode, IS_STRING, 0, "\"json\"")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, partials, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_render_each, 0, 2, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, templates, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, data, IS_MIXED, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, mode, IS_STRING, 0, "\"json\"")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, partials, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_check_template, 0, 1, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, template, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, mode, IS_STRING, 0, "\"json\"")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_circuit, 0, 1, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, service, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_reset_circuit, 0, 1, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, service, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_reset_circuits, 0, 0, IS_VOID, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_use_sqlite, 0, 1, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, path, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_use_db, 0, 1, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, db, IS_OBJECT, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_save_rule, 0, 1, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, rule, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_rule, 0, 1, IS_ARRAY, 1)
	ZEND_ARG_TYPE_INFO(0, id, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_rules, 0, 0, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, filter, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_delete_rule, 0, 1, _IS_BOOL, 0)
	ZEND_ARG_TYPE_INFO(0, id, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_emit, 0, 2, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, eventname, IS_STRING, 0)
	ZEND_ARG_TYPE_MASK(0, eventdata, MAY_BE_ARRAY|MAY_BE_OBJECT, NULL)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, options, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_enqueue, 0, 1, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO(0, service, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, path, IS_STRING, 0, "\"/\"")
	ZEND_ARG_TYPE_MASK(0, payload, MAY_BE_ARRAY|MAY_BE_STRING|MAY_BE_NULL, "[]")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, method, IS_STRING, 1, "null")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_run_queue, 0, 0, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, options, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

#define arginfo_class_local_integrationhub_mih_tasks arginfo_class_local_integrationhub_mih_rules

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_count_tasks, 0, 0, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, filter, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

#define arginfo_class_local_integrationhub_mih_task arginfo_class_local_integrationhub_mih_rule

#define arginfo_class_local_integrationhub_mih_retry_task arginfo_class_local_integrationhub_mih_delete_rule

#define arginfo_class_local_integrationhub_mih_delete_task arginfo_class_local_integrationhub_mih_delete_rule

#define arginfo_class_local_integrationhub_mih_dead_letters arginfo_class_local_integrationhub_mih_rules

#define arginfo_class_local_integrationhub_mih_dead_letter arginfo_class_local_integrationhub_mih_rule

#define arginfo_class_local_integrationhub_mih_count_dead_letters arginfo_class_local_integrationhub_mih_count_tasks

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_replay, 0, 1, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO(0, id, IS_LONG, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_local_integrationhub_mih_replay_all arginfo_class_local_integrationhub_mih_count_tasks

#define arginfo_class_local_integrationhub_mih_delete_dead_letter arginfo_class_local_integrationhub_mih_delete_rule

#define arginfo_class_local_integrationhub_mih_purge_dead_letters arginfo_class_local_integrationhub_mih_count_tasks

#define arginfo_class_local_integrationhub_mih_log arginfo_class_local_integrationhub_mih_rules

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_flush_log, 0, 0, IS_LONG, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_local_integrationhub_mih_query_counts arginfo_class_local_integrationhub_mih_services

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_privacy_contexts, 0, 0, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, userid, IS_LONG, 1, "null")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_privacy_users, 0, 1, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, contextid, IS_LONG, 1)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_privacy_export, 0, 1, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, filter, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_local_integrationhub_mih_privacy_delete arginfo_class_local_integrationhub_mih_privacy_export

#define arginfo_class_local_integrationhub_mih_stats arginfo_class_local_integrationhub_mih_services

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_has_rules, 0, 1, _IS_BOOL, 0)
	ZEND_ARG_TYPE_INFO(0, eventname, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_verify_webhook, 0, 3, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, headers, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, body, IS_STRING, 0)
	ZEND_ARG_TYPE_MASK(0, secrets, MAY_BE_STRING|MAY_BE_ARRAY, NULL)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, tolerance, IS_LONG, 0, "300")
ZEND_END_ARG_INFO()

#define arginfo_class_local_integrationhub_mih_rotate_secrets arginfo_class_local_integrationhub_mih_flush_log

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_verify_inbound, 0, 3, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, service, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, headers, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, body, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, auth, IS_STRING, 0, "\"signature\"")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, tolerance, IS_LONG, 0, "300")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_log_inbound, 0, 2, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, service, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, entry, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_class_local_integrationhub_mih_instance, 0, 0, local_integrationhub\\mih, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_record_outcome, 0, 2, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, service, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, success, _IS_BOOL, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_class_local_integrationhub_mih_execute_request, 0, 1, local_integrationhub\\mih_response, 0)
	ZEND_ARG_TYPE_INFO(0, servicename, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, endpoint, IS_STRING, 0, "\"/\"")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, payload, IS_ARRAY, 0, "[]")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, method, IS_STRING, 0, "\"\"")
ZEND_END_ARG_INFO()

#define arginfo_class_local_integrationhub_mih_request___construct arginfo_class_local_integrationhub_mih___construct

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_request_to, 0, 1, IS_STATIC, 0)
	ZEND_ARG_TYPE_INFO(0, path, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_request_with, 0, 1, IS_STATIC, 0)
	ZEND_ARG_TYPE_MASK(0, payload, MAY_BE_ARRAY|MAY_BE_STRING, NULL)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_request_method, 0, 1, IS_STATIC, 0)
	ZEND_ARG_TYPE_INFO(0, method, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_request_header, 0, 2, IS_STATIC, 0)
	ZEND_ARG_TYPE_INFO(0, name, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, value, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_request_timeout, 0, 1, IS_STATIC, 0)
	ZEND_ARG_TYPE_INFO(0, seconds, IS_DOUBLE, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_class_local_integrationhub_mih_request_dispatch, 0, 0, local_integrationhub\\mih_response, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_local_integrationhub_mih_request_queue arginfo_class_local_integrationhub_mih_flush_log

#define arginfo_class_local_integrationhub_mih_response___construct arginfo_class_local_integrationhub_mih___construct

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_response_is_ok, 0, 0, _IS_BOOL, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_response_json, 0, 0, IS_MIXED, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, assoc, _IS_BOOL, 0, "true")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_mih_response_header, 0, 1, IS_STRING, 1)
	ZEND_ARG_TYPE_INFO(0, name, IS_STRING, 0)
ZEND_END_ARG_INFO()


ZEND_METHOD(local_integrationhub_mih, __construct);
ZEND_METHOD(local_integrationhub_mih, request);
ZEND_METHOD(local_integrationhub_mih, send);
ZEND_METHOD(local_integrationhub_mih, save_service);
ZEND_METHOD(local_integrationhub_mih, service);
ZEND_METHOD(local_integrationhub_mih, services);
ZEND_METHOD(local_integrationhub_mih, service_defaults);
ZEND_METHOD(local_integrationhub_mih, delete_service);
ZEND_METHOD(local_integrationhub_mih, configure);
ZEND_METHOD(local_integrationhub_mih, version);
ZEND_METHOD(local_integrationhub_mih, render);
ZEND_METHOD(local_integrationhub_mih, render_each);
ZEND_METHOD(local_integrationhub_mih, check_template);
ZEND_METHOD(local_integrationhub_mih, circuit);
ZEND_METHOD(local_integrationhub_mih, reset_circuit);
ZEND_METHOD(local_integrationhub_mih, reset_circuits);
ZEND_METHOD(local_integrationhub_mih, use_sqlite);
ZEND_METHOD(local_integrationhub_mih, use_db);
ZEND_METHOD(local_integrationhub_mih, save_rule);
ZEND_METHOD(local_integrationhub_mih, rule);
ZEND_METHOD(local_integrationhub_mih, rules);
ZEND_METHOD(local_integrationhub_mih, delete_rule);
ZEND_METHOD(local_integrationhub_mih, emit);
ZEND_METHOD(local_integrationhub_mih, enqueue);
ZEND_METHOD(local_integrationhub_mih, run_queue);
ZEND_METHOD(local_integrationhub_mih, tasks);
ZEND_METHOD(local_integrationhub_mih, count_tasks);
ZEND_METHOD(local_integrationhub_mih, task);
ZEND_METHOD(local_integrationhub_mih, retry_task);
ZEND_METHOD(local_integrationhub_mih, delete_task);
ZEND_METHOD(local_integrationhub_mih, dead_letters);
ZEND_METHOD(local_integrationhub_mih, dead_letter);
ZEND_METHOD(local_integrationhub_mih, count_dead_letters);
ZEND_METHOD(local_integrationhub_mih, replay);
ZEND_METHOD(local_integrationhub_mih, replay_all);
ZEND_METHOD(local_integrationhub_mih, delete_dead_letter);
ZEND_METHOD(local_integrationhub_mih, purge_dead_letters);
ZEND_METHOD(local_integrationhub_mih, log);
ZEND_METHOD(local_integrationhub_mih, flush_log);
ZEND_METHOD(local_integrationhub_mih, query_counts);
ZEND_METHOD(local_integrationhub_mih, privacy_contexts);
ZEND_METHOD(local_integrationhub_mih, privacy_users);
ZEND_METHOD(local_integrationhub_mih, privacy_export);
ZEND_METHOD(local_integrationhub_mih, privacy_delete);
ZEND_METHOD(local_integrationhub_mih, stats);
ZEND_METHOD(local_integrationhub_mih, has_rules);
ZEND_METHOD(local_integrationhub_mih, verify_webhook);
ZEND_METHOD(local_integrationhub_mih, rotate_secrets);
ZEND_METHOD(local_integrationhub_mih, verify_inbound);
ZEND_METHOD(local_integrationhub_mih, log_inbound);
ZEND_METHOD(local_integrationhub_mih, instance);
ZEND_METHOD(local_integrationhub_mih, record_outcome);
ZEND_METHOD(local_integrationhub_mih, execute_request);
ZEND_METHOD(local_integrationhub_mih_request, __construct);
ZEND_METHOD(local_integrationhub_mih_request, to);
ZEND_METHOD(local_integrationhub_mih_request, with);
ZEND_METHOD(local_integrationhub_mih_request, method);
ZEND_METHOD(local_integrationhub_mih_request, header);
ZEND_METHOD(local_integrationhub_mih_request, timeout);
ZEND_METHOD(local_integrationhub_mih_request, dispatch);
ZEND_METHOD(local_integrationhub_mih_request, queue);
ZEND_METHOD(local_integrationhub_mih_response, __construct);
ZEND_METHOD(local_integrationhub_mih_response, is_ok);
ZEND_METHOD(local_integrationhub_mih_response, json);
ZEND_METHOD(local_integrationhub_mih_response, header);


static const zend_function_entry class_local_integrationhub_exception_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_local_integrationhub_service_not_found_exception_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_local_integrationhub_service_disabled_exception_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_local_integrationhub_invalid_definition_exception_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_local_integrationhub_transport_exception_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_local_integrationhub_template_exception_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_local_integrationhub_store_exception_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_local_integrationhub_task_state_exception_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_local_integrationhub_circuit_open_exception_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_local_integrationhub_signature_exception_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_local_integrationhub_mih_methods[] = {
	ZEND_ME(local_integrationhub_mih, __construct, arginfo_class_local_integrationhub_mih___construct, ZEND_ACC_PRIVATE)
	ZEND_ME(local_integrationhub_mih, request, arginfo_class_local_integrationhub_mih_request, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, send, arginfo_class_local_integrationhub_mih_send, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, save_service, arginfo_class_local_integrationhub_mih_save_service, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, service, arginfo_class_local_integrationhub_mih_service, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, services, arginfo_class_local_integrationhub_mih_services, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, service_defaults, arginfo_class_local_integrationhub_mih_service_defaults, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, delete_service, arginfo_class_local_integrationhub_mih_delete_service, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, configure, arginfo_class_local_integrationhub_mih_configure, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, version, arginfo_class_local_integrationhub_mih_version, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, render, arginfo_class_local_integrationhub_mih_render, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, render_each, arginfo_class_local_integrationhub_mih_render_each, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, check_template, arginfo_class_local_integrationhub_mih_check_template, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, circuit, arginfo_class_local_integrationhub_mih_circuit, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, reset_circuit, arginfo_class_local_integrationhub_mih_reset_circuit, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, reset_circuits, arginfo_class_local_integrationhub_mih_reset_circuits, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, use_sqlite, arginfo_class_local_integrationhub_mih_use_sqlite, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, use_db, arginfo_class_local_integrationhub_mih_use_db, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, save_rule, arginfo_class_local_integrationhub_mih_save_rule, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, rule, arginfo_class_local_integrationhub_mih_rule, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, rules, arginfo_class_local_integrationhub_mih_rules, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, delete_rule, arginfo_class_local_integrationhub_mih_delete_rule, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, emit, arginfo_class_local_integrationhub_mih_emit, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, enqueue, arginfo_class_local_integrationhub_mih_enqueue, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, run_queue, arginfo_class_local_integrationhub_mih_run_queue, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, tasks, arginfo_class_local_integrationhub_mih_tasks, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, count_tasks, arginfo_class_local_integrationhub_mih_count_tasks, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, task, arginfo_class_local_integrationhub_mih_task, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, retry_task, arginfo_class_local_integrationhub_mih_retry_task, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, delete_task, arginfo_class_local_integrationhub_mih_delete_task, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, dead_letters, arginfo_class_local_integrationhub_mih_dead_letters, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, dead_letter, arginfo_class_local_integrationhub_mih_dead_letter, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, count_dead_letters, arginfo_class_local_integrationhub_mih_count_dead_letters, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, replay, arginfo_class_local_integrationhub_mih_replay, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, replay_all, arginfo_class_local_integrationhub_mih_replay_all, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, delete_dead_letter, arginfo_class_local_integrationhub_mih_delete_dead_letter, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, purge_dead_letters, arginfo_class_local_integrationhub_mih_purge_dead_letters, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, log, arginfo_class_local_integrationhub_mih_log, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, flush_log, arginfo_class_local_integrationhub_mih_flush_log, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, query_counts, arginfo_class_local_integrationhub_mih_query_counts, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, privacy_contexts, arginfo_class_local_integrationhub_mih_privacy_contexts, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, privacy_users, arginfo_class_local_integrationhub_mih_privacy_users, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, privacy_export, arginfo_class_local_integrationhub_mih_privacy_export, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, privacy_delete, arginfo_class_local_integrationhub_mih_privacy_delete, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, stats, arginfo_class_local_integrationhub_mih_stats, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, has_rules, arginfo_class_local_integrationhub_mih_has_rules, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, verify_webhook, arginfo_class_local_integrationhub_mih_verify_webhook, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, rotate_secrets, arginfo_class_local_integrationhub_mih_rotate_secrets, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, verify_inbound, arginfo_class_local_integrationhub_mih_verify_inbound, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, log_inbound, arginfo_class_local_integrationhub_mih_log_inbound, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, instance, arginfo_class_local_integrationhub_mih_instance, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, record_outcome, arginfo_class_local_integrationhub_mih_record_outcome, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(local_integrationhub_mih, execute_request, arginfo_class_local_integrationhub_mih_execute_request, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_local_integrationhub_mih_request_methods[] = {
	ZEND_ME(local_integrationhub_mih_request, __construct, arginfo_class_local_integrationhub_mih_request___construct, ZEND_ACC_PRIVATE)
	ZEND_ME(local_integrationhub_mih_request, to, arginfo_class_local_integrationhub_mih_request_to, ZEND_ACC_PUBLIC)
	ZEND_ME(local_integrationhub_mih_request, with, arginfo_class_local_integrationhub_mih_request_with, ZEND_ACC_PUBLIC)
	ZEND_ME(local_integrationhub_mih_request, method, arginfo_class_local_integrationhub_mih_request_method, ZEND_ACC_PUBLIC)
	ZEND_ME(local_integrationhub_mih_request, header, arginfo_class_local_integrationhub_mih_request_header, ZEND_ACC_PUBLIC)
	ZEND_ME(local_integrationhub_mih_request, timeout, arginfo_class_local_integrationhub_mih_request_timeout, ZEND_ACC_PUBLIC)
	ZEND_ME(local_integrationhub_mih_request, dispatch, arginfo_class_local_integrationhub_mih_request_dispatch, ZEND_ACC_PUBLIC)
	ZEND_ME(local_integrationhub_mih_request, queue, arginfo_class_local_integrationhub_mih_request_queue, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_local_integrationhub_mih_response_methods[] = {
	ZEND_ME(local_integrationhub_mih_response, __construct, arginfo_class_local_integrationhub_mih_response___construct, ZEND_ACC_PRIVATE)
	ZEND_ME(local_integrationhub_mih_response, is_ok, arginfo_class_local_integrationhub_mih_response_is_ok, ZEND_ACC_PUBLIC)
	ZEND_ME(local_integrationhub_mih_response, json, arginfo_class_local_integrationhub_mih_response_json, ZEND_ACC_PUBLIC)
	ZEND_ME(local_integrationhub_mih_response, header, arginfo_class_local_integrationhub_mih_response_header, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};

static zend_class_entry *register_class_local_integrationhub_exception(zend_class_entry *class_entry_RuntimeException)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "local_integrationhub", "exception", class_local_integrationhub_exception_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_RuntimeException);

	return class_entry;
}

static zend_class_entry *register_class_local_integrationhub_service_not_found_exception(zend_class_entry *class_entry_local_integrationhub_exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "local_integrationhub", "service_not_found_exception", class_local_integrationhub_service_not_found_exception_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_local_integrationhub_exception);

	return class_entry;
}

static zend_class_entry *register_class_local_integrationhub_service_disabled_exception(zend_class_entry *class_entry_local_integrationhub_exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "local_integrationhub", "service_disabled_exception", class_local_integrationhub_service_disabled_exception_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_local_integrationhub_exception);

	return class_entry;
}

static zend_class_entry *register_class_local_integrationhub_invalid_definition_exception(zend_class_entry *class_entry_local_integrationhub_exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "local_integrationhub", "invalid_definition_exception", class_local_integrationhub_invalid_definition_exception_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_local_integrationhub_exception);

	return class_entry;
}

static zend_class_entry *register_class_local_integrationhub_transport_exception(zend_class_entry *class_entry_local_integrationhub_exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "local_integrationhub", "transport_exception", class_local_integrationhub_transport_exception_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_local_integrationhub_exception);

	return class_entry;
}

static zend_class_entry *register_class_local_integrationhub_template_exception(zend_class_entry *class_entry_local_integrationhub_exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "local_integrationhub", "template_exception", class_local_integrationhub_template_exception_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_local_integrationhub_exception);

	zval property_template_line_default_value;
	ZVAL_UNDEF(&property_template_line_default_value);
	zend_string *property_template_line_name = zend_string_init("template_line", sizeof("template_line") - 1, 1);
	zend_declare_typed_property(class_entry, property_template_line_name, &property_template_line_default_value, ZEND_ACC_PUBLIC|ZEND_ACC_READONLY, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_LONG));
	zend_string_release(property_template_line_name);

	zval property_template_column_default_value;
	ZVAL_UNDEF(&property_template_column_default_value);
	zend_string *property_template_column_name = zend_string_init("template_column", sizeof("template_column") - 1, 1);
	zend_declare_typed_property(class_entry, property_template_column_name, &property_template_column_default_value, ZEND_ACC_PUBLIC|ZEND_ACC_READONLY, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_LONG));
	zend_string_release(property_template_column_name);

	return class_entry;
}

static zend_class_entry *register_class_local_integrationhub_store_exception(zend_class_entry *class_entry_local_integrationhub_exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "local_integrationhub", "store_exception", class_local_integrationhub_store_exception_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_local_integrationhub_exception);

	return class_entry;
}

static zend_class_entry *register_class_local_integrationhub_task_state_exception(zend_class_entry *class_entry_local_integrationhub_exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "local_integrationhub", "task_state_exception", class_local_integrationhub_task_state_exception_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_local_integrationhub_exception);

	return class_entry;
}

static zend_class_entry *register_class_local_integrationhub_circuit_open_exception(zend_class_entry *class_entry_local_integrationhub_exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "local_integrationhub", "circuit_open_exception", class_local_integrationhub_circuit_open_exception_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_local_integrationhub_exception);

	zval property_service_default_value;
	ZVAL_UNDEF(&property_service_default_value);
	zend_string *property_service_name = zend_string_init("service", sizeof("service") - 1, 1);
	zend_declare_typed_property(class_entry, property_service_name, &property_service_default_value, ZEND_ACC_PUBLIC|ZEND_ACC_READONLY, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_STRING));
	zend_string_release(property_service_name);

	zval property_retry_after_default_value;
	ZVAL_UNDEF(&property_retry_after_default_value);
	zend_string *property_retry_after_name = zend_string_init("retry_after", sizeof("retry_after") - 1, 1);
	zend_declare_typed_property(class_entry, property_retry_after_name, &property_retry_after_default_value, ZEND_ACC_PUBLIC|ZEND_ACC_READONLY, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_LONG));
	zend_string_release(property_retry_after_name);

	return class_entry;
}

static zend_class_entry *register_class_local_integrationhub_signature_exception(zend_class_entry *class_entry_local_integrationhub_exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "local_integrationhub", "signature_exception", class_local_integrationhub_signature_exception_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_local_integrationhub_exception);

	zval property_reason_default_value;
	ZVAL_UNDEF(&property_reason_default_value);
	zend_string *property_reason_name = zend_string_init("reason", sizeof("reason") - 1, 1);
	zend_declare_typed_property(class_entry, property_reason_name, &property_reason_default_value, ZEND_ACC_PUBLIC|ZEND_ACC_READONLY, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_STRING));
	zend_string_release(property_reason_name);

	return class_entry;
}

static zend_class_entry *register_class_local_integrationhub_mih(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "local_integrationhub", "mih", class_local_integrationhub_mih_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;

	zval const_LOG_TABLE_value;
	zend_string *const_LOG_TABLE_value_str = zend_string_init("local_integrationhub_log", strlen("local_integrationhub_log"), 1);
	ZVAL_STR(&const_LOG_TABLE_value, const_LOG_TABLE_value_str);
	zend_string *const_LOG_TABLE_name = zend_string_init_interned("LOG_TABLE", sizeof("LOG_TABLE") - 1, 1);
	zend_declare_class_constant_ex(class_entry, const_LOG_TABLE_name, &const_LOG_TABLE_value, ZEND_ACC_PUBLIC, NULL);
	zend_string_release(const_LOG_TABLE_name);

	zend_string *property_instance_class_local_integrationhub_mih = zend_string_init("local_integrationhub\\mih", sizeof("local_integrationhub\\mih")-1, 1);
	zval property_instance_default_value;
	ZVAL_NULL(&property_instance_default_value);
	zend_string *property_instance_name = zend_string_init("instance", sizeof("instance") - 1, 1);
	zend_declare_typed_property(class_entry, property_instance_name, &property_instance_default_value, ZEND_ACC_PRIVATE|ZEND_ACC_STATIC, NULL, (zend_type) ZEND_TYPE_INIT_CLASS(property_instance_class_local_integrationhub_mih, 0, MAY_BE_NULL));
	zend_string_release(property_instance_name);


	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "request", sizeof("request") - 1), 4, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "save_service", sizeof("save_service") - 1), 0, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "configure", sizeof("configure") - 1), 0, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "use_db", sizeof("use_db") - 1), 0, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "save_rule", sizeof("save_rule") - 1), 0, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "verify_webhook", sizeof("verify_webhook") - 1), 0, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "verify_webhook", sizeof("verify_webhook") - 1), 2, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "verify_inbound", sizeof("verify_inbound") - 1), 1, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	return class_entry;
}

static zend_class_entry *register_class_local_integrationhub_mih_request(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "local_integrationhub", "mih_request", class_local_integrationhub_mih_request_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;


	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "header", sizeof("header") - 1), 1, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	return class_entry;
}

static zend_class_entry *register_class_local_integrationhub_mih_response(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "local_integrationhub", "mih_response", class_local_integrationhub_mih_response_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;

	zval property_success_default_value;
	ZVAL_UNDEF(&property_success_default_value);
	zend_string *property_success_name = zend_string_init("success", sizeof("success") - 1, 1);
	zend_declare_typed_property(class_entry, property_success_name, &property_success_default_value, ZEND_ACC_PUBLIC|ZEND_ACC_READONLY, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_BOOL));
	zend_string_release(property_success_name);

	zval property_httpstatus_default_value;
	ZVAL_UNDEF(&property_httpstatus_default_value);
	zend_string *property_httpstatus_name = zend_string_init("httpstatus", sizeof("httpstatus") - 1, 1);
	zend_declare_typed_property(class_entry, property_httpstatus_name, &property_httpstatus_default_value, ZEND_ACC_PUBLIC|ZEND_ACC_READONLY, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_LONG|MAY_BE_NULL));
	zend_string_release(property_httpstatus_name);

	zval property_body_default_value;
	ZVAL_UNDEF(&property_body_default_value);
	zend_string *property_body_name = zend_string_init("body", sizeof("body") - 1, 1);
	zend_declare_typed_property(class_entry, property_body_name, &property_body_default_value, ZEND_ACC_PUBLIC|ZEND_ACC_READONLY, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_STRING|MAY_BE_NULL));
	zend_string_release(property_body_name);

	zval property_error_default_value;
	ZVAL_UNDEF(&property_error_default_value);
	zend_string *property_error_name = zend_string_init("error", sizeof("error") - 1, 1);
	zend_declare_typed_property(class_entry, property_error_name, &property_error_default_value, ZEND_ACC_PUBLIC|ZEND_ACC_READONLY, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_STRING|MAY_BE_NULL));
	zend_string_release(property_error_name);

	zval property_latencyms_default_value;
	ZVAL_UNDEF(&property_latencyms_default_value);
	zend_string *property_latencyms_name = zend_string_init("latencyms", sizeof("latencyms") - 1, 1);
	zend_declare_typed_property(class_entry, property_latencyms_name, &property_latencyms_default_value, ZEND_ACC_PUBLIC|ZEND_ACC_READONLY, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_DOUBLE));
	zend_string_release(property_latencyms_name);

	zval property_attempts_default_value;
	ZVAL_UNDEF(&property_attempts_default_value);
	zend_string *property_attempts_name = zend_string_init("attempts", sizeof("attempts") - 1, 1);
	zend_declare_typed_property(class_entry, property_attempts_name, &property_attempts_default_value, ZEND_ACC_PUBLIC|ZEND_ACC_READONLY, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_LONG));
	zend_string_release(property_attempts_name);

	zval property_headers_default_value;
	ZVAL_UNDEF(&property_headers_default_value);
	zend_string *property_headers_name = zend_string_init("headers", sizeof("headers") - 1, 1);
	zend_declare_typed_property(class_entry, property_headers_name, &property_headers_default_value, ZEND_ACC_PUBLIC|ZEND_ACC_READONLY, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_ARRAY));
	zend_string_release(property_headers_name);

	return class_entry;
}
