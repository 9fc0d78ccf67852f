<?php
// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.

/**
 * Inbound webhook endpoint: external systems POST JSON here, per service.
 *
 *   POST /local/integrationhub/webhook.php?service=<service name>
 *   webhook-id, webhook-timestamp, webhook-signature (Standard Webhooks v1, the service's signing secrets),
 *   or, for a service set to accept its token: Authorization: Bearer <token> (or X-API-Key: <token>).
 *
 * Closed by default: a service accepts calls only once opted in on its settings page. The checks and
 * the answers are local_integrationhub\local\inbound::handle()'s.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// No Moodle session or login: the call proves itself with the service's credentials.
define('NO_MOODLE_COOKIES', true);
define('AJAX_SCRIPT', true);

// phpcs:ignore moodle.Files.RequireLogin.Missing -- authenticated by the service's signature or token.
require(__DIR__ . '/../../config.php');

use local_integrationhub\local\inbound;

$headers = [];
foreach ($_SERVER as $key => $value) {
    if (is_string($value) && str_starts_with($key, 'HTTP_')) {
        $headers[strtolower(str_replace('_', '-', substr($key, 5)))] = $value;
    }
}
// Apache hands Authorization to PHP through getallheaders() even where it leaves it out of $_SERVER.
if (function_exists('getallheaders')) {
    foreach (getallheaders() as $name => $value) {
        if (is_string($name) && is_string($value)) {
            $headers[strtolower($name)] = $value;
        }
    }
}
$contentlength = isset($_SERVER['CONTENT_LENGTH']) && ctype_digit((string)$_SERVER['CONTENT_LENGTH'])
    ? (int)$_SERVER['CONTENT_LENGTH'] : null;
// Never more than the limit (plus one byte, to tell "over" from "exactly at it") is read.
$readbody = function (int $limit): string {
    $in = fopen('php://input', 'rb');
    $body = '';
    while ($in && !feof($in) && strlen($body) < $limit) {
        $chunk = fread($in, min(65536, $limit - strlen($body)));
        if ($chunk === false || $chunk === '') {
            break;
        }
        $body .= $chunk;
    }
    if ($in) {
        fclose($in);
    }
    return $body;
};

[$status, $answer, $extra] = inbound::handle(
    $_SERVER['REQUEST_METHOD'] ?? 'GET',
    optional_param('service', '', PARAM_RAW_TRIMMED),
    $headers,
    $readbody,
    $contentlength
);
http_response_code($status);
header('Content-Type: application/json');
header('Cache-Control: no-store');
foreach ($extra as $name => $value) {
    header($name . ': ' . $value);
}
echo json_encode($answer, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
