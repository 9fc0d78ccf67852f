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

namespace local_integrationhub\form;

defined('MOODLE_INTERNAL') || die();

require_once($CFG->libdir . '/formslib.php');

use local_integrationhub\local\hub;
use local_integrationhub\local\inbound;
use local_integrationhub\mih;

/**
 * Add or edit a service: every field of the extension's service definition.
 *
 * Custom data: 'service' => the definition as mih::service() returns it (secrets masked), or null.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class service_form extends \moodleform {
    /** @var string[] HTTP methods a service may default to */
    public const METHODS = ['POST', 'PUT', 'PATCH', 'DELETE', 'GET'];

    /** @var string[] numeric fields: name => PARAM type */
    private const NUMBERS = [
        'timeout' => PARAM_FLOAT, 'connect_timeout' => PARAM_FLOAT, 'max_retries' => PARAM_INT,
        'retry_backoff' => PARAM_FLOAT, 'retry_cap' => PARAM_FLOAT,
        'cb_failure_threshold' => PARAM_INT, 'cb_window' => PARAM_FLOAT, 'cb_cooldown' => PARAM_FLOAT,
        'cb_min_calls' => PARAM_INT, 'cb_failure_rate' => PARAM_INT, 'cb_halfopen_probes' => PARAM_INT,
        'max_attempts' => PARAM_INT, 'queue_backoff' => PARAM_FLOAT, 'queue_backoff_cap' => PARAM_FLOAT,
    ];

    /**
     * The form's fields.
     */
    protected function definition() {
        $mform = $this->_form;
        $service = $this->_customdata['service'] ?? null;
        $str = fn(string $id) => get_string($id, 'local_integrationhub');

        $mform->addElement('header', 'general', $str('servicegeneral'));
        $mform->addElement('text', 'name', $str('servicename'), ['size' => 40, 'maxlength' => 255]);
        $mform->setType('name', PARAM_TEXT);
        $mform->addRule('name', null, 'required', null, 'client');
        $mform->addHelpButton('name', 'servicename', 'local_integrationhub');
        if ($service) {
            // Callers address the service by name: renaming would break them and the extension keys on it.
            $mform->hardFreeze('name');
        }
        $mform->addElement('select', 'type', $str('servicetype'), [
            'http' => $str('servicetypehttp'), 'amqp' => $str('servicetypeamqp'), 'soap' => $str('servicetypesoap'),
        ]);
        $mform->addHelpButton('type', 'servicetype', 'local_integrationhub');
        $mform->addElement('text', 'base_url', $str('baseurl'), ['size' => 60]);
        $mform->setType('base_url', PARAM_RAW_TRIMMED);
        $mform->addRule('base_url', null, 'required', null, 'client');
        $mform->addHelpButton('base_url', 'baseurl', 'local_integrationhub');
        $mform->addElement('select', 'method', $str('method'), array_combine(self::METHODS, self::METHODS));
        $mform->hideIf('method', 'type', 'neq', 'http');
        $mform->addElement('advcheckbox', 'enabled', $str('enabled'));
        $mform->setDefault('enabled', 1);

        $mform->addElement('header', 'authheader', $str('authentication'));
        $mform->addElement('select', 'auth_type', $str('authtype'), [
            'none' => $str('authnone'), 'bearer' => $str('authbearer'),
            'apikey' => $str('authapikey'), 'basic' => $str('authbasic'),
        ]);
        $mform->addElement('passwordunmask', 'auth_token', $str('authtoken'));
        $mform->setType('auth_token', PARAM_RAW_TRIMMED);
        $mform->addHelpButton('auth_token', 'authtoken', 'local_integrationhub');
        if (!empty($service['auth_token'])) {
            $mform->addElement(
                'static',
                'auth_token_current',
                '',
                get_string('secretkept', 'local_integrationhub', s($service['auth_token']))
            );
        }
        $mform->hideIf('auth_token', 'auth_type', 'eq', 'none');
        // An AMQP broker's user and password are in its URL.
        $mform->hideIf('auth_type', 'type', 'eq', 'amqp');
        $mform->hideIf('auth_token', 'type', 'eq', 'amqp');
        $mform->addElement('text', 'apikey_header', $str('apikeyheader'));
        $mform->setType('apikey_header', PARAM_RAW_TRIMMED);
        $mform->hideIf('apikey_header', 'auth_type', 'neq', 'apikey');
        $mform->addElement('textarea', 'headers', $str('headers'), ['rows' => 3, 'cols' => 60]);
        $mform->setType('headers', PARAM_RAW);
        $mform->addHelpButton('headers', 'headers', 'local_integrationhub');

        $mform->addElement('header', 'transportheader', $str('transport'));
        foreach (['timeout', 'connect_timeout', 'max_retries', 'retry_backoff', 'retry_cap'] as $field) {
            $this->add_number($field);
        }
        $mform->addElement('text', 'retry_statuses', $str('retry_statuses'), ['size' => 40]);
        $mform->setType('retry_statuses', PARAM_RAW_TRIMMED);
        $mform->addHelpButton('retry_statuses', 'retry_statuses', 'local_integrationhub');
        $mform->addElement('advcheckbox', 'follow_redirects', $str('follow_redirects'));

        $mform->addElement('header', 'resilienceheader', $str('resilience'));
        $mform->setExpanded('resilienceheader');
        $mform->addElement('select', 'cb_mode', $str('cb_mode'), ['count' => $str('cbmodecount'), 'rate' => $str('cbmoderate')]);
        $mform->addHelpButton('cb_mode', 'cb_mode', 'local_integrationhub');
        $cbfields = ['cb_failure_threshold', 'cb_window', 'cb_cooldown', 'cb_min_calls', 'cb_failure_rate', 'cb_halfopen_probes'];
        foreach ($cbfields as $field) {
            $this->add_number($field);
        }
        $mform->hideIf('cb_failure_threshold', 'cb_mode', 'neq', 'count');
        $mform->hideIf('cb_min_calls', 'cb_mode', 'neq', 'rate');
        $mform->hideIf('cb_failure_rate', 'cb_mode', 'neq', 'rate');
        $mform->addElement('text', 'cb_failure_statuses', $str('cb_failure_statuses'), ['size' => 40]);
        $mform->setType('cb_failure_statuses', PARAM_RAW_TRIMMED);
        $mform->addHelpButton('cb_failure_statuses', 'cb_failure_statuses', 'local_integrationhub');
        foreach (['max_attempts', 'queue_backoff', 'queue_backoff_cap'] as $field) {
            $this->add_number($field);
        }

        $mform->addElement('header', 'signingheader', $str('signing'));
        $mform->addElement('static', 'signingintro', '', $str('signing_desc'));
        foreach (array_values($service['signing_secrets'] ?? []) as $i => $masked) {
            $mform->addElement(
                'advcheckbox',
                "removesecret[$i]",
                get_string('secretn', 'local_integrationhub', $i + 1),
                get_string('removesecret', 'local_integrationhub', s($masked))
            );
        }
        $mform->addElement(
            'advcheckbox',
            'generatesecret',
            $str('generatesecret'),
            empty($service['signing_secrets']) ? $str('generatesecret_first') : $str('generatesecret_rotate')
        );

        // Inbound webhooks: closed until the administrator opts the service in.
        $mform->addElement('header', 'inboundheader', $str('inbound'));
        if ($service) {
            $mform->addElement('static', 'inbound_url', $str('inbound_url'), s(inbound::url($service['name'])));
        }
        $mform->addElement('advcheckbox', 'inbound_enabled', $str('inbound_enabled'));
        $mform->addHelpButton('inbound_enabled', 'inbound_enabled', 'local_integrationhub');
        $mform->addElement('select', 'inbound_auth', $str('inbound_auth'), [
            'signature' => $str('inbound_auth_signature'),
            'token' => $str('inbound_auth_token'),
        ]);
        $mform->addElement('text', 'inbound_tolerance', $str('inbound_tolerance'), ['size' => 8]);
        $mform->setType('inbound_tolerance', PARAM_RAW_TRIMMED);

        $this->add_action_buttons(true, get_string('save', 'local_integrationhub'));
    }

    /**
     * A numeric field with its help.
     *
     * @param string $field
     */
    private function add_number(string $field): void {
        $mform = $this->_form;
        $mform->addElement('text', $field, get_string($field, 'local_integrationhub'), ['size' => 8]);
        $mform->setType($field, PARAM_RAW_TRIMMED);
        $mform->addHelpButton($field, $field, 'local_integrationhub');
    }

    /**
     * Numbers must be numbers; the extension checks ranges and says which field is wrong.
     *
     * @param array $data
     * @param array $files
     * @return array
     */
    public function validation($data, $files) {
        $errors = parent::validation($data, $files);
        foreach (self::NUMBERS as $field => $type) {
            $value = trim((string)($data[$field] ?? ''));
            if ($value === '') {
                continue;
            }
            $ok = $type === PARAM_INT ? preg_match('/^\d+$/', $value) : is_numeric($value) && (float)$value >= 0;
            if (!$ok) {
                $errors[$field] = get_string($type === PARAM_INT ? 'err_integer' : 'err_number', 'local_integrationhub');
            }
        }
        if (self::parse_headers($data['headers'] ?? '') === null) {
            $errors['headers'] = get_string('err_headers', 'local_integrationhub');
        }
        $tolerance = trim((string)($data['inbound_tolerance'] ?? ''));
        if ($tolerance !== '' && !preg_match('/^\d+$/', $tolerance)) {
            $errors['inbound_tolerance'] = get_string('err_integer', 'local_integrationhub');
        }
        if (!empty($data['inbound_enabled'])) {
            $service = $this->_customdata['service'] ?? null;
            if (($data['inbound_auth'] ?? 'signature') === 'token') {
                $hastoken = trim((string)($data['auth_token'] ?? '')) !== '' || !empty($service['auth_token']);
                if (($data['auth_type'] ?? 'none') === 'none' || !$hastoken) {
                    $errors['inbound_auth'] = get_string('err_inbound_notoken', 'local_integrationhub');
                }
            } else {
                $kept = 0;
                foreach (array_keys(array_values($service['signing_secrets'] ?? [])) as $i) {
                    $kept += empty($data['removesecret'][$i]) ? 1 : 0;
                }
                if ($kept === 0 && empty($data['generatesecret'])) {
                    $errors['inbound_auth'] = get_string('err_inbound_nosecret', 'local_integrationhub');
                }
            }
        }
        return $errors;
    }

    /** @var string what an admin types in a status list field for "no status at all" */
    public const NONE = 'none';

    /** @var string[] the status list fields */
    private const LISTS = ['retry_statuses', 'cb_failure_statuses'];

    /**
     * Form values from a stored definition, or for a new service the extension's defaults.
     *
     * @param array|null $service as mih::service() returns it
     * @return array
     */
    public static function to_form(?array $service): array {
        $values = $service ?? mih::service_defaults();
        $values['auth_token'] = '';
        $values['enabled'] = $values['enabled'] ? 1 : 0;
        $values['follow_redirects'] = $values['follow_redirects'] ? 1 : 0;
        $values['headers'] = self::format_headers($values['headers'] ?? []);
        foreach (self::LISTS as $field) {
            // An empty list is shown as "none": saved back unchanged, it stays empty.
            $values[$field] = $values[$field] ? implode(', ', $values[$field]) : self::NONE;
        }
        unset($values['signing_secrets']);
        $inbound = $service ? inbound::settings($service['name']) : null;
        $values['inbound_enabled'] = $inbound && $inbound->enabled ? 1 : 0;
        $values['inbound_auth'] = $inbound->auth ?? 'signature';
        $values['inbound_tolerance'] = (string)($inbound->tolerance ?? inbound::DEFAULT_TOLERANCE);
        foreach (self::NUMBERS as $field => $type) {
            if (isset($values[$field])) {
                $values[$field] = $type === PARAM_INT ? (string)(int)$values[$field] : format_float($values[$field], -1, false);
            }
        }
        return $values;
    }

    /**
     * The definition to pass to mih::save_service() from submitted data.
     *
     * @param \stdClass $data submitted form data
     * @param array|null $service the stored definition (secrets masked), when editing
     * @return array [definition, the newly generated secret or null]
     */
    public static function to_definition(\stdClass $data, ?array $service): array {
        // A field left empty is "no answer": null, which the extension reads as the field's default.
        $given = function (string $field) use ($data): ?string {
            $value = trim((string)($data->$field ?? ''));
            return $value === '' ? null : $value;
        };
        $def = [
            'name' => $service ? $service['name'] : trim($data->name),
            'type' => $given('type'),
            'base_url' => $data->base_url,
            'method' => $given('method'),
            'enabled' => (bool)($data->enabled ?? 0),
            'auth_type' => $given('auth_type'),
            'apikey_header' => $given('apikey_header'),
            'headers' => self::parse_headers((string)($data->headers ?? '')) ?? [],
            'follow_redirects' => (bool)($data->follow_redirects ?? 0),
            'cb_mode' => $given('cb_mode'),
        ];
        foreach (array_keys(self::NUMBERS) as $field) {
            $def[$field] = $given($field);
        }
        foreach (self::LISTS as $field) {
            $value = $given($field);
            $def[$field] = $value === null ? null : self::parse_statuses($value);
        }
        $authtype = $def['auth_type'] ?? 'none';
        $token = (string)($data->auth_token ?? '');
        if ($authtype === 'none') {
            $def['auth_token'] = '';
        } else if ($token !== '') {
            $def['auth_token'] = $token;
        }
        // Masked values keep their stored secret; the ones ticked for removal are left out.
        $secrets = [];
        foreach (array_values($service['signing_secrets'] ?? []) as $i => $masked) {
            if (empty($data->removesecret[$i])) {
                $secrets[] = $masked;
            }
        }
        $new = null;
        if (!empty($data->generatesecret)) {
            $new = hub::generate_secret();
            array_unshift($secrets, $new);
        }
        $def['signing_secrets'] = $secrets;
        return [$def, $new];
    }

    /**
     * "Name: value" lines to a header map; null when a line is malformed.
     *
     * @param string $text
     * @return array|null
     */
    public static function parse_headers(string $text): ?array {
        $headers = [];
        foreach (preg_split('/\R/', $text) as $line) {
            if (trim($line) === '') {
                continue;
            }
            // The name is an RFC 9110 token; \x60 is the backtick among its characters.
            if (!preg_match('/^\s*([!#$%&\'*+.^_\x60|~0-9A-Za-z-]+)\s*:\s*(.*?)\s*$/', $line, $m)) {
                return null;
            }
            $headers[$m[1]] = $m[2];
        }
        return $headers;
    }

    /**
     * A header map to "Name: value" lines.
     *
     * @param array $headers
     * @return string
     */
    public static function format_headers(array $headers): string {
        $lines = [];
        foreach ($headers as $name => $value) {
            $lines[] = $name . ': ' . $value;
        }
        return implode("\n", $lines);
    }

    /**
     * "408, 429, 5xx" to [408, 429, "5xx"]; "none" to [].
     *
     * @param string $text
     * @return array
     */
    public static function parse_statuses(string $text): array {
        if (strcasecmp(trim($text), self::NONE) === 0) {
            return [];
        }
        return array_map(fn($s) => ctype_digit($s) ? (int)$s : $s, hub::split_list($text));
    }

    /**
     * Saves what the form posted: the Add and Edit pages' whole processing of a submission.
     *
     * @param \stdClass $data what get_data() returned
     * @param array|null $service the stored definition when editing, null when adding
     * @return array [the saved definition (secrets masked), the newly generated secret or null]
     * @throws \local_integrationhub\exception|\ValueError when the hub refuses the definition
     * @throws \moodle_exception when adding a service whose name is taken
     */
    public static function save(\stdClass $data, ?array $service): array {
        [$definition, $newsecret] = self::to_definition($data, $service);
        if (!$service && mih::service($definition['name'])) {
            // A service of the same name would be updated by save_service(): adding must not overwrite one.
            throw new \moodle_exception('serviceexists', 'local_integrationhub', '', s($definition['name']));
        }
        $saved = mih::save_service($definition);
        $tolerance = trim((string)($data->inbound_tolerance ?? ''));
        inbound::save_settings(
            $saved['name'],
            !empty($data->inbound_enabled),
            ($data->inbound_auth ?? 'signature') === 'token' ? 'token' : 'signature',
            $tolerance === '' ? inbound::DEFAULT_TOLERANCE : (int)$tolerance
        );
        return [$saved, $newsecret];
    }
}
