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

/**
 * The pure-PHP plugin's retry policy: runs a callable again after an exception, with exponential backoff.
 *
 * Calls through the hub (mih::request(), rules, the queue) retry in the extension, by the service's own
 * settings; this class is kept for callers that wrap code of their own, with the PHP plugin's behaviour:
 * max_retries extra attempts, backoff_seconds * 2^attempt between them (at most 60 s).
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class retry_policy {
    /** @var int Maximum number of retries (0 = no retry). */
    private $maxretries;

    /** @var int Initial backoff in seconds. */
    private $backoffseconds;

    /**
     * Constructor.
     *
     * @param int $maxretries Maximum retry attempts.
     * @param int $backoffseconds Initial backoff delay in seconds (doubles each retry).
     */
    public function __construct(int $maxretries = 3, int $backoffseconds = 1) {
        $this->maxretries = max(0, $maxretries);
        $this->backoffseconds = max(1, $backoffseconds);
    }

    /**
     * Create a retry policy from a service record.
     *
     * @param \stdClass $service A service record (registry::get_service()).
     * @return self
     */
    public static function from_service(\stdClass $service): self {
        return new self(
            (int)($service->max_retries ?? 3),
            (int)($service->retry_backoff ?? 1)
        );
    }

    /**
     * Execute a callable with retry logic.
     *
     * @param callable $operation Receives the attempt number (0-indexed); throws on failure.
     * @return mixed The result of the successful operation.
     * @throws \Exception The last exception if all attempts fail.
     */
    public function execute(callable $operation) {
        $lastexception = null;
        $attempts = $this->maxretries + 1;
        for ($attempt = 0; $attempt < $attempts; $attempt++) {
            try {
                return $operation($attempt);
            } catch (\Exception $e) {
                $lastexception = $e;
                if ($attempt < $attempts - 1) {
                    $this->pause($this->delay($attempt));
                }
            }
        }
        throw $lastexception;
    }

    /**
     * Seconds to wait after a failed attempt.
     *
     * @param int $attempt 0-indexed attempt that failed
     * @return int
     */
    public function delay(int $attempt): int {
        return (int)min($this->backoffseconds * (2 ** min($attempt, 30)), 60);
    }

    /**
     * Get the total number of attempts (initial + retries).
     *
     * @return int
     */
    public function get_total_attempts(): int {
        return $this->maxretries + 1;
    }

    /**
     * Waits between attempts.
     *
     * @param int $seconds
     */
    protected function pause(int $seconds): void {
        sleep($seconds);
    }
}
