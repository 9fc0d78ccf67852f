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
use local_integrationhub\local\preview;

/**
 * The rule form's live preview: the payload rendered over sample data of the chosen event.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class preview_template extends external_api {
    /**
     * Parameters.
     *
     * @return external_function_parameters
     */
    public static function execute_parameters(): external_function_parameters {
        return new external_function_parameters([
            'eventname' => new external_value(PARAM_RAW, 'Event class name'),
            'template' => new external_value(PARAM_RAW, 'Payload template'),
            'endpoint' => new external_value(PARAM_RAW, 'Endpoint template', VALUE_DEFAULT, ''),
        ]);
    }

    /**
     * Renders the preview.
     *
     * @param string $eventname
     * @param string $template
     * @param string $endpoint
     * @return array
     */
    public static function execute(string $eventname, string $template, string $endpoint = ''): array {
        $params = self::validate_parameters(
            self::execute_parameters(),
            ['eventname' => $eventname, 'template' => $template, 'endpoint' => $endpoint]
        );
        $context = \context_system::instance();
        self::validate_context($context);
        require_capability('local/integrationhub:manage', $context);
        hub::require_extension();
        hub::bind();
        return preview::render($params['eventname'], $params['template'], $params['endpoint']);
    }

    /**
     * Result.
     *
     * @return external_single_structure
     */
    public static function execute_returns(): external_single_structure {
        return new external_single_structure([
            'payload' => new external_value(PARAM_RAW, 'Rendered payload, pretty-printed'),
            'endpoint' => new external_value(PARAM_RAW, 'Rendered endpoint'),
            'sample' => new external_value(PARAM_RAW, 'The sample event data, as JSON'),
            'error' => new external_value(PARAM_TEXT, 'Template error, empty when none'),
            'line' => new external_value(PARAM_INT, 'Line of the error, 1-based; 0 when none'),
            'column' => new external_value(PARAM_INT, 'Column of the error, 1-based; 0 when none'),
        ]);
    }
}
