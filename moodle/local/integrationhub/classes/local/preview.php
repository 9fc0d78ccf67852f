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

namespace local_integrationhub\local;

use local_integrationhub\mih;

/**
 * Renders a rule's templates over sample data of its event, as a delivery would.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class preview {
    /**
     * The rendered payload and endpoint, or the first template error with its position.
     *
     * @param string $eventname
     * @param string $template payload template (empty: the whole event data)
     * @param string $endpoint endpoint template
     * @return array payload, endpoint, sample (JSON of the data), error, line, column
     */
    public static function render(string $eventname, string $template, string $endpoint): array {
        $result = ['payload' => '', 'endpoint' => '', 'sample' => '', 'error' => '', 'line' => 0, 'column' => 0];
        if (trim($eventname) === '') {
            return $result;
        }
        $data = eventlist::sample($eventname);
        $result['sample'] = json_encode($data, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
        try {
            $result['endpoint'] = mih::render($endpoint, $data, 'url');
        } catch (\local_integrationhub\template_exception $e) {
            return self::error($result, 'endpoint', $e);
        }
        try {
            $payload = trim($template) === ''
                ? json_encode($data, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE)
                : mih::render($template, $data, 'json');
            $result['payload'] = page::pretty_json($payload);
        } catch (\local_integrationhub\template_exception $e) {
            return self::error($result, 'payload_template', $e);
        }
        return $result;
    }

    /**
     * Fills the error fields from a template exception.
     *
     * @param array $result
     * @param string $field which template failed
     * @param \local_integrationhub\template_exception $e
     * @return array
     */
    private static function error(array $result, string $field, \local_integrationhub\template_exception $e): array {
        $result['error'] = get_string('templateerror_' . $field, 'local_integrationhub', $e->getMessage());
        $result['line'] = $e->template_line;
        $result['column'] = $e->template_column;
        return $result;
    }
}
