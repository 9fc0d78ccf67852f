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

namespace local_integrationhub\transport;

use local_integrationhub\local\hub;
use local_integrationhub\mih;

/**
 * The pure-PHP plugin's HTTP transport, as one mih::request() (the extension's libcurl transport, with the
 * service's auth, retries and circuit breaker).
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class http implements contract {
    /**
     * Execute the HTTP request.
     *
     * @param \stdClass $service The service (its name is what counts).
     * @param string $endpoint The endpoint path.
     * @param array $payload The request payload data.
     * @param string $method The HTTP method ('' for the service's).
     * @return array success, response, error, latency (ms), attempts, http_code
     */
    public function execute(\stdClass $service, string $endpoint, array $payload, string $method = 'POST'): array {
        $start = microtime(true);
        try {
            hub::require_extension();
            hub::bind();
            $response = mih::request($service->name, $endpoint, $payload, $method === '' ? null : strtoupper($method));
        } catch (\local_integrationhub\exception | \ValueError $e) {
            return ['success' => false, 'response' => null, 'error' => $e->getMessage(),
                'latency' => (int)round((microtime(true) - $start) * 1000), 'attempts' => 0, 'http_code' => 0];
        }
        return [
            'success' => $response->success,
            'response' => $response->success ? $response->body : null,
            'error' => $response->error,
            'latency' => (int)round($response->latencyms),
            'attempts' => $response->attempts,
            'http_code' => $response->httpstatus ?? 0,
        ];
    }
}
