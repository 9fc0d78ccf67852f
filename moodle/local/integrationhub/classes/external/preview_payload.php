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

namespace local_integrationhub\external;

use core_external\external_api;
use core_external\external_function_parameters;
use core_external\external_single_structure;
use core_external\external_value;
use local_integrationhub\local\hub;
use local_integrationhub\mih;

/**
 * The pure-PHP plugin's preview_payload web service: a payload template rendered over its mock event data.
 *
 * Rendered by the extension's template engine (what rules send), so a template that works here works in
 * a rule; the parameters and the result keep the PHP plugin's names and meaning.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class preview_payload extends external_api {
    /**
     * Define input parameters.
     *
     * @return external_function_parameters
     */
    public static function execute_parameters(): external_function_parameters {
        return new external_function_parameters([
            'template' => new external_value(PARAM_RAW, 'JSON payload template with {{placeholder}} syntax'),
            'eventname' => new external_value(PARAM_TEXT, 'Event class name for context', VALUE_DEFAULT, ''),
        ]);
    }

    /**
     * Preview a payload template over mock event data.
     *
     * @param string $template The JSON template string.
     * @param string $eventname Optional event name for context.
     * @return array success, payload (pretty-printed), raw (as rendered), error
     */
    public static function execute(string $template, string $eventname = ''): array {
        $params = self::validate_parameters(self::execute_parameters(), [
            'template' => $template,
            'eventname' => $eventname,
        ]);
        $context = \context_system::instance();
        self::validate_context($context);
        require_capability('local/integrationhub:manage', $context);
        hub::require_extension();
        return self::preview($params['template'], $params['eventname']);
    }

    /**
     * The preview itself (no capability check).
     *
     * @param string $template
     * @param string $eventname
     * @return array
     */
    public static function preview(string $template, string $eventname): array {
        // The PHP plugin's mock data.
        $mockdata = [
            'eventname' => $eventname !== '' ? $eventname : '\\core\\event\\course_created',
            'objectid' => 123,
            'userid' => 5,
            'courseid' => 10,
            'contextid' => 1,
            'timecreated' => time(),
            'ip' => '127.0.0.1',
        ];
        try {
            $raw = mih::render($template, $mockdata, 'json');
        } catch (\local_integrationhub\template_exception | \ValueError $e) {
            return ['success' => false, 'payload' => '', 'raw' => '', 'error' => $e->getMessage()];
        }
        $decoded = json_decode($raw, true);
        return [
            'success' => true,
            'payload' => json_encode($decoded, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE),
            'raw' => $raw,
            'error' => '',
        ];
    }

    /**
     * Define return structure.
     *
     * @return external_single_structure
     */
    public static function execute_returns(): external_single_structure {
        return new external_single_structure([
            'success' => new external_value(PARAM_BOOL, 'Whether the interpolation succeeded'),
            'payload' => new external_value(PARAM_RAW, 'Pretty-printed interpolated JSON'),
            'raw' => new external_value(PARAM_RAW, 'Raw interpolated string before JSON decode'),
            'error' => new external_value(PARAM_TEXT, 'Error message if failed, empty otherwise'),
        ]);
    }
}
