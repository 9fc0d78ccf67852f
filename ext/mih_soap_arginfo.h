/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: 6a901c1c7c1f67f59ed4d4da46bdf0b5b928983d */

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_internal_soap_client___doRequest, 0, 4, IS_STRING, 1)
	ZEND_ARG_TYPE_INFO(0, request, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, location, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, action, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, version, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, oneWay, _IS_BOOL, 0, "false")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_local_integrationhub_internal_soap_client_load_entity, 0, 3, IS_STRING, 1)
	ZEND_ARG_TYPE_INFO(0, publicId, IS_STRING, 1)
	ZEND_ARG_TYPE_INFO(0, systemId, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, context, IS_ARRAY, 0)
ZEND_END_ARG_INFO()


ZEND_METHOD(local_integrationhub_internal_soap_client, __doRequest);
ZEND_METHOD(local_integrationhub_internal_soap_client, load_entity);


static const zend_function_entry class_local_integrationhub_internal_soap_client_methods[] = {
	ZEND_ME(local_integrationhub_internal_soap_client, __doRequest, arginfo_class_local_integrationhub_internal_soap_client___doRequest, ZEND_ACC_PUBLIC)
	ZEND_ME(local_integrationhub_internal_soap_client, load_entity, arginfo_class_local_integrationhub_internal_soap_client_load_entity, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_FE_END
};

static zend_class_entry *register_class_local_integrationhub_internal_soap_client(zend_class_entry *class_entry_SoapClient)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "local_integrationhub\\internal", "soap_client", class_local_integrationhub_internal_soap_client_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_SoapClient);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NOT_SERIALIZABLE;

	return class_entry;
}
