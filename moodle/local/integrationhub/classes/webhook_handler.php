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

namespace local_integrationhub;

use local_integrationhub\local\hub;

/**
 * The pure-PHP plugin's shared handler of inbound data (its webhook.php and AMQP consumer called it).
 *
 * Records the call in the request log (direction inbound) and fires webhook_received, in one transaction.
 * It does not verify anything: callers authenticate first (webhook.php now does it in
 * local\inbound::handle(), with the service's signature or token).
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class webhook_handler {
    /**
     * Process an inbound payload from an external service.
     *
     * @param \stdClass $service The service record (service\registry::get_service()).
     * @param array $payload The decoded JSON payload.
     * @param string $source The inbound source ('webhook' or 'amqp').
     * @return array ['success' => bool, 'error' => string|null]
     */
    public static function handle(\stdClass $service, array $payload, string $source = 'webhook'): array {
        global $DB;

        $start = microtime(true);
        try {
            hub::require_extension();
            hub::bind();
            $tx = $DB->start_delegated_transaction();
            try {
                mih::log_inbound($service->name, ['endpoint' => $source, 'method' => 'INBOUND', 'success' => true,
                    'latencyms' => (int)round((microtime(true) - $start) * 1000)]);
                $event = event\webhook_received::create([
                    'context' => \context_system::instance(),
                    'other' => [
                        'serviceid' => (int)$service->id,
                        'servicename' => $service->name,
                        'source' => $source,
                        'payload' => $payload,
                    ],
                ]);
                $event->trigger();
                $tx->allow_commit();
            } catch (\Throwable $e) {
                if (!$tx->is_disposed()) {
                    $tx->rollback($e);
                }
                throw $e;
            }
            return ['success' => true, 'error' => null];
        } catch (\Throwable $e) {
            try {
                mih::log_inbound($service->name, ['endpoint' => $source, 'method' => 'INBOUND', 'success' => false,
                    'error' => $e->getMessage(), 'latencyms' => (int)round((microtime(true) - $start) * 1000)]);
            } catch (\Throwable $logerror) {
                debugging('MIH: Failed to log inbound error: ' . $logerror->getMessage(), DEBUG_DEVELOPER);
            }
            return ['success' => false, 'error' => $e->getMessage()];
        }
    }
}
