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

use local_integrationhub\local\eventlist;
use local_integrationhub\local\hub;
use local_integrationhub\local\preview;
use local_integrationhub\mih;

/**
 * Add or edit a rule, with a preview of the payload rendered over sample data of the event.
 *
 * Custom data: 'rule' => the rule as mih::rule() returns it, or null.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class rule_form extends \moodleform {
    /** @var string[] methods a rule may use */
    public const METHODS = ['POST', 'PUT', 'PATCH', 'DELETE', 'GET'];

    /**
     * The form's fields.
     */
    protected function definition() {
        $mform = $this->_form;
        $rule = $this->_customdata['rule'] ?? null;
        $str = fn(string $id) => get_string($id, 'local_integrationhub');

        $mform->addElement('hidden', 'id', $rule['id'] ?? 0);
        $mform->setType('id', PARAM_INT);

        $events = eventlist::options();
        if ($rule && !isset($events[$rule['eventname']])) {
            $events[$rule['eventname']] = $rule['eventname'];
        }
        $mform->addElement(
            'autocomplete',
            'eventname',
            $str('event'),
            ['' => ''] + $events,
            ['noselectionstring' => $str('chooseevent')]
        );
        $mform->addRule('eventname', null, 'required', null, 'client');
        $mform->addHelpButton('eventname', 'event', 'local_integrationhub');

        $services = [];
        foreach (mih::services() as $service) {
            $services[$service['name']] = $service['name'];
        }
        $mform->addElement('select', 'service', $str('service'), $services);
        $mform->addRule('service', null, 'required', null, 'client');

        $mform->addElement('text', 'endpoint', $str('endpoint'), ['size' => 60]);
        $mform->setType('endpoint', PARAM_RAW);
        $mform->addHelpButton('endpoint', 'endpoint', 'local_integrationhub');
        $mform->addElement('select', 'method', $str('method'), array_combine(self::METHODS, self::METHODS));
        $mform->addElement(
            'textarea',
            'payload_template',
            $str('payloadtemplate'),
            ['rows' => 10, 'cols' => 80, 'class' => 'text-monospace', 'spellcheck' => 'false']
        );
        $mform->setType('payload_template', PARAM_RAW);
        $mform->addHelpButton('payload_template', 'payloadtemplate', 'local_integrationhub');
        $mform->addElement('textarea', 'headers', $str('headers'), ['rows' => 2, 'cols' => 60]);
        $mform->setType('headers', PARAM_RAW);
        $mform->addHelpButton('headers', 'headers', 'local_integrationhub');
        $mform->addElement('advcheckbox', 'enabled', $str('enabled'));
        $mform->setDefault('enabled', 1);

        $mform->addElement('header', 'previewheader', $str('preview'));
        $mform->setExpanded('previewheader');
        $mform->registerNoSubmitButton('previewbutton');
        $mform->addElement('submit', 'previewbutton', $str('previewrefresh'));
        $mform->addElement('static', 'previewoutput', '', '');

        $this->add_action_buttons(true, get_string('save', 'local_integrationhub'));
    }

    /**
     * Renders the preview from the values being edited (on first display and on "Preview").
     */
    public function definition_after_data() {
        global $OUTPUT;

        $mform = $this->_form;
        $value = function (string $name): string {
            $v = $this->_form->getElementValue($name);
            if (is_array($v)) {
                $v = reset($v);
            }
            return (string)$v;
        };
        $eventname = $value('eventname');
        $result = preview::render($eventname, $value('payload_template'), $value('endpoint'));
        $html = $OUTPUT->render_from_template('local_integrationhub/preview', $result + [
            'hasevent' => $eventname !== '',
            'haserror' => $result['error'] !== '',
        ]);
        $mform->getElement('previewoutput')->setValue($html);
    }

    /**
     * Template errors name their line and column on the field that holds them.
     *
     * @param array $data
     * @param array $files
     * @return array
     */
    public function validation($data, $files) {
        $errors = parent::validation($data, $files);
        foreach (['payload_template' => 'json', 'endpoint' => 'url'] as $field => $mode) {
            try {
                mih::check_template((string)($data[$field] ?? ''), $mode);
            } catch (\local_integrationhub\template_exception $e) {
                $errors[$field] = s($e->getMessage());
            }
        }
        if (service_form::parse_headers($data['headers'] ?? '') === null) {
            $errors['headers'] = get_string('err_headers', 'local_integrationhub');
        }
        return $errors;
    }

    /**
     * Form values from a stored rule.
     *
     * @param array|null $rule
     * @return array
     */
    public static function to_form(?array $rule): array {
        if (!$rule) {
            return ['enabled' => 1, 'method' => 'POST', 'endpoint' => '/'];
        }
        $values = $rule;
        $values['enabled'] = $rule['enabled'] ? 1 : 0;
        $values['headers'] = service_form::format_headers($rule['headers'] ?? []);
        return $values;
    }

    /**
     * The rule to pass to mih::save_rule().
     *
     * @param \stdClass $data
     * @return array
     */
    public static function to_rule(\stdClass $data): array {
        $rule = [
            'eventname' => $data->eventname,
            'service' => $data->service,
            'endpoint' => $data->endpoint,
            'method' => $data->method,
            'payload_template' => $data->payload_template,
            'headers' => service_form::parse_headers((string)($data->headers ?? '')) ?? [],
            'enabled' => (bool)($data->enabled ?? 0),
        ];
        if (!empty($data->id)) {
            $rule['id'] = (int)$data->id;
        }
        return $rule;
    }

    /**
     * Saves what the form posted: the Add and Edit pages' whole processing of a submission.
     *
     * @param \stdClass $data what get_data() returned
     * @return array the saved rule
     * @throws \local_integrationhub\exception|\ValueError when the hub refuses the rule
     */
    public static function save(\stdClass $data): array {
        $saved = mih::save_rule(self::to_rule($data));
        hub::rules_changed();
        return $saved;
    }
}
