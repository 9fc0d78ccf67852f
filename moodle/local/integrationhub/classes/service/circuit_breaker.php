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

namespace local_integrationhub\service;

use local_integrationhub\local\compat;
use local_integrationhub\mih;

/**
 * The pure-PHP plugin's circuit breaker, over the extension's (state in shared memory, host-wide).
 *
 * The service's own settings (cb_failure_threshold, cb_cooldown, ...) govern it; the constructor's
 * threshold and cooldown are kept for callers that pass them, as a default for a service that has none.
 * The states read as before: closed, open, halfopen.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class circuit_breaker {
    /** @var string Circuit state: closed (normal). */
    const STATE_CLOSED = 'closed';
    /** @var string Circuit state: open (blocking). */
    const STATE_OPEN = 'open';
    /** @var string Circuit state: half-open (testing). */
    const STATE_HALFOPEN = 'halfopen';

    /** @var string DB table for circuit state. */
    const TABLE = 'local_integrationhub_cb';

    /** @var int The service ID. */
    private $serviceid;

    /** @var int Failure count threshold before opening (the service's setting applies). */
    private $failurethreshold;

    /** @var int Cooldown seconds before transitioning to half-open (the service's setting applies). */
    private $cooldown;

    /**
     * Constructor.
     *
     * @param int $serviceid The service ID.
     * @param int $failurethreshold Failures before circuit opens.
     * @param int $cooldown Seconds to wait before half-open.
     */
    public function __construct(int $serviceid, int $failurethreshold = 5, int $cooldown = 30) {
        $this->serviceid = $serviceid;
        $this->failurethreshold = $failurethreshold;
        $this->cooldown = $cooldown;
    }

    /**
     * Create a circuit breaker from a service record.
     *
     * @param \stdClass $service A service record (registry::get_service()).
     * @return self
     */
    public static function from_service(\stdClass $service): self {
        return new self(
            (int)$service->id,
            (int)($service->cb_failure_threshold ?? 5),
            (int)($service->cb_cooldown ?? 30)
        );
    }

    /**
     * Whether a request may proceed now: false while the circuit is open and cooling down.
     *
     * @return bool
     */
    public function is_available(): bool {
        $circuit = $this->circuit();
        return !($circuit['state'] === 'open' && $circuit['retry_after'] > 0);
    }

    /**
     * Records a successful request (a half-open circuit closes).
     */
    public function record_success(): void {
        $name = $this->name();
        compat::call(fn() => mih::record_outcome($name, true), $name);
    }

    /**
     * Records a failed request (the circuit opens at the service's threshold).
     */
    public function record_failure(): void {
        $name = $this->name();
        compat::call(fn() => mih::record_outcome($name, false), $name);
    }

    /**
     * The circuit's state, shaped as the PHP plugin's local_integrationhub_cb record.
     *
     * @return \stdClass id, serviceid, state, failure_count, last_failure, timemodified
     */
    public function get_state(): \stdClass {
        global $DB;

        $circuit = $this->circuit();
        $row = $DB->get_record(self::TABLE, ['serviceid' => $this->serviceid]);
        return (object)[
            'id' => $row ? (int)$row->id : 0,
            'serviceid' => $this->serviceid,
            'state' => $circuit['state'] === 'half_open' ? self::STATE_HALFOPEN : $circuit['state'],
            'failure_count' => (int)$circuit['failures'],
            'last_failure' => $circuit['opened_at'],
            'timemodified' => $row ? (int)$row->timemodified : 0,
        ];
    }

    /**
     * The current state as a label: CLOSED, OPEN or HALFOPEN.
     *
     * @return string
     */
    public function get_state_label(): string {
        return strtoupper($this->get_state()->state);
    }

    /**
     * Closes the circuit.
     */
    public function reset(): void {
        $name = $this->name();
        compat::call(fn() => mih::reset_circuit($name), $name);
    }

    /**
     * The circuit as mih::circuit() returns it.
     *
     * @return array
     */
    private function circuit(): array {
        $name = $this->name();
        return compat::call(fn() => mih::circuit($name), $name);
    }

    /**
     * The service's name.
     *
     * @return string
     * @throws \moodle_exception when the service does not exist
     */
    private function name(): string {
        $name = compat::call(fn() => compat::service_name($this->serviceid));
        if ($name === null) {
            throw new \moodle_exception('service_not_found', 'local_integrationhub', '', $this->serviceid);
        }
        return $name;
    }
}
