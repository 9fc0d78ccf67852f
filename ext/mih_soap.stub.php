<?php

/**
 * @generate-class-entries
 * @undocumentable
 */

namespace local_integrationhub\internal {

/**
 * The SoapClient through which mih calls soap services; registered only when ext/soap is loaded,
 * and made by mih only (mih::request() and the queue worker). Before each call goes out it checks
 * the call's endpoint address, as the WSDL wrote it, against the outbound policy.
 *
 * @not-serializable
 */
final class soap_client extends \SoapClient
{
    /** Checks $location against the outbound policy, then sends as SoapClient does. */
    public function __doRequest(string $request, string $location, string $action, int $version, bool $oneWay = false): ?string {}

    /**
     * The libxml external-entity loader mih sets while a SoapClient of its own loads a WSDL: the
     * WSDL and every document it imports must be http(s) and pass the outbound policy, else null
     * (not loaded).
     */
    public static function load_entity(?string $publicId, string $systemId, array $context): ?string {}
}

}
