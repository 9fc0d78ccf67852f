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

/**
 * The pure-PHP plugin's transport driver interface, kept for plugins that implement or call it.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
interface contract {
    /**
     * Execute a request using this transport.
     *
     * @param \stdClass $service The service definition object.
     * @param string $endpoint   The target endpoint (or queue/exchange).
     * @param array $payload     The data to send.
     * @param string $method     (Optional) Action method (e.g. GET/POST for HTTP, Routing Key for AMQP).
     * @return array Contains: success (bool), response (mixed), error (string|null),
     * latency (int), attempts (int), http_code (int).
     */
    public function execute(\stdClass $service, string $endpoint, array $payload, string $method = ''): array;
}
