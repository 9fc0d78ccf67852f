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

/**
 * A stand-in for Moodle's formslib (moodleform over MoodleQuickForm) that processes a POST the way
 * Moodle 5.0 does for the element types the plugin's forms use, so the forms' own code runs on what
 * a browser sends.
 *
 * What it reproduces, from lib/formslib.php and the QuickForm elements: only declared elements are
 * read from the POST; text, textarea and password fields arrive as the string typed ('' when left
 * empty) and are cleaned by their setType(); an element the browser did not post (hidden by hideIf,
 * which disables its input) keeps the value set_data() gave it; a select or autocomplete keeps a value
 * only when it is one of its options; an advcheckbox always posts (a hidden '0', overridden by '1' when ticked); a
 * hard-frozen element keeps its set_data() value whatever is posted; a 'required' rule fails on an
 * empty value; get_data() is null unless the form's _qf__ marker is posted and validation passes.
 * browser_post() builds the field set a browser submits for the form as displayed, with the fields
 * the admin typed in, from the same element list (hidden fields, every text field not hidden by a
 * hideIf, selects with
 * their selected option, advcheckboxes' hidden values, the clicked submit button, sesskey, _qf__
 * and the mform_isexpanded_ fields of the headers).
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// phpcs:disable

namespace {
    foreach (['PARAM_RAW' => 'raw', 'PARAM_RAW_TRIMMED' => 'raw_trimmed', 'PARAM_TEXT' => 'text', 'PARAM_INT' => 'int',
            'PARAM_FLOAT' => 'float', 'PARAM_ALPHA' => 'alpha', 'PARAM_ALPHAEXT' => 'alphaext', 'PARAM_BOOL' => 'bool'] as $c => $v) {
        if (!defined($c)) {
            define($c, $v);
        }
    }

    /**
     * Moodle's clean_param() for the types the forms use.
     *
     * @param mixed $value
     * @param string $type
     * @return mixed
     */
    function local_integrationhub_ci_clean($value, string $type) {
        $value = (string)$value;
        switch ($type) {
            case PARAM_RAW:
                return $value;
            case PARAM_RAW_TRIMMED:
                return trim($value);
            case PARAM_TEXT:
                return strip_tags($value);
            case PARAM_INT:
                return (int)$value;
            case PARAM_FLOAT:
                return (float)$value;
            default:
                throw new coding_exception("formfakes: PARAM type $type not modelled");
        }
    }


    /** The part of MoodleQuickForm the plugin's forms call, recording every element. */
    class MoodleQuickForm {
        /** @var array name => [type, label, options, attributes] in declaration order */
        public $elements = [];
        /** @var array name => PARAM type */
        public $types = [];
        /** @var array name => default value (setDefault, then set_data) */
        public $defaults = [];
        /** @var array names of required elements */
        public $required = [];
        /** @var array names of hard-frozen elements */
        public $frozen = [];
        /** @var array names of no-submit buttons */
        public $nosubmit = [];
        /** @var array name => value set on a static element */
        public $statics = [];
        /** @var array[] hideIf conditions: [name, dependent, operator, value] */
        public $hideifs = [];

        /**
         * Moodle's form JS hides the element, and disables its input (so the browser does not post it),
         * while the condition holds.
         *
         * @param string $name
         * @param string $dependent
         * @param string $operator eq or neq (the ones the plugin uses)
         * @param mixed $value
         */
        public function hideIf($name, $dependent, $operator = 'notchecked', $value = '1') {
            if (!in_array($operator, ['eq', 'neq'], true)) {
                throw new coding_exception("formslib fake: hideIf operator $operator not modelled");
            }
            $this->hideifs[] = [$name, $dependent, $operator, (string)$value];
        }

        /**
         * @param string $type
         * @param string $name
         * @param mixed ...$args
         * @return object an element whose value can be set
         */
        public function addElement($type, $name = '', ...$args) {
            $label = $args[0] ?? '';
            $options = null;
            if (in_array($type, ['select', 'autocomplete'], true)) {
                $options = $args[1] ?? [];
            }
            if ($type === 'hidden') {
                $this->defaults[$name] = $args[0] ?? '';
            }
            $this->elements[$name] = ['type' => $type, 'label' => $label, 'options' => $options];
            return $this->getElement($name);
        }

        /**
         * @param string $name
         * @param string $type
         */
        public function setType($name, $type) {
            $this->types[$name] = $type;
        }

        /**
         * @param string $name
         * @param mixed $value
         */
        public function setDefault($name, $value) {
            $this->defaults[$name] = $value;
        }

        /**
         * @param string $name
         * @param mixed $message
         * @param string $type
         */
        public function addRule($name, $message, $type) {
            if ($type === 'required') {
                $this->required[] = $name;
            }
        }

        /**
         * @param string $name
         */
        public function hardFreeze($name) {
            $this->frozen[] = $name;
        }

        /**
         * @param string $name
         */
        public function registerNoSubmitButton($name) {
            $this->nosubmit[] = $name;
        }

        /**
         * @param string $name
         * @return mixed
         */
        public function getElementValue($name) {
            return $this->defaults[$name] ?? null;
        }

        /**
         * @param string $name
         * @return object
         */
        public function getElement($name) {
            $form = $this;
            return new class($form, $name) {
                /** @var MoodleQuickForm */
                private $form;
                /** @var string */
                private $name;

                /**
                 * @param MoodleQuickForm $form
                 * @param string $name
                 */
                public function __construct($form, $name) {
                    $this->form = $form;
                    $this->name = $name;
                }

                /**
                 * @param mixed $value
                 */
                public function setValue($value) {
                    $this->form->statics[$this->name] = $value;
                }
            };
        }

        /**
         * Layout-only calls.
         *
         * @param string $name
         * @param array $args
         */
        public function __call($name, $args) {
            if (!in_array($name, ['addHelpButton', 'setExpanded', 'closeHeaderBefore'], true)) {
                throw new coding_exception("formfakes: MoodleQuickForm::$name not modelled");
            }
        }
    }

    /** The part of moodleform the plugin's forms and pages use. */
    abstract class moodleform {
        /** @var MoodleQuickForm */
        protected $_form;
        /** @var mixed */
        protected $_customdata;
        /** @var array errors of the last get_data() */
        public $errors = [];

        /**
         * @param mixed $action
         * @param mixed $customdata
         */
        public function __construct($action = null, $customdata = null) {
            $this->_customdata = $customdata;
            $this->_form = new MoodleQuickForm();
            $this->definition();
        }

        /**
         * The form's fields.
         */
        abstract protected function definition();

        /**
         * @param array $data
         * @param array $files
         * @return array
         */
        public function validation($data, $files) {
            return [];
        }

        /**
         * @param bool $cancel
         * @param string|null $submitlabel
         */
        public function add_action_buttons($cancel = true, $submitlabel = null) {
            $this->_form->addElement('submit', 'submitbutton', $submitlabel ?? get_string('savechanges'));
            if ($cancel) {
                $this->_form->addElement('cancel', 'cancel', get_string('cancel'));
            }
        }

        /**
         * @param array|\stdClass $values
         */
        public function set_data($values) {
            $this->_form->defaults = array_merge($this->_form->defaults, (array)$values);
        }

        /**
         * @return MoodleQuickForm
         */
        public function mform(): MoodleQuickForm {
            return $this->_form;
        }

        /**
         * The value an element shows when the form is displayed.
         *
         * @param string $name
         * @return mixed
         */
        public function shown(string $name) {
            return $this->_form->defaults[$name] ?? null;
        }

        /**
         * @return bool
         */
        public function is_cancelled() {
            return isset($_POST['cancel']);
        }

        /**
         * Puts a POST on the wire and back: $_POST as PHP parses the urlencoded body.
         *
         * @param array $fields name => value, as the browser sends them
         */
        public static function receive(array $fields): void {
            parse_str(http_build_query($fields), $_POST);
        }

        /**
         * What a browser posts when the admin submits the form as displayed after typing $typed.
         *
         * @param array $typed name => what the admin typed or chose (true/false for a checkbox)
         * @return array the POST fields
         */
        public function browser_post(array $typed = []): array {
            $post = ['sesskey' => 'ci-sesskey', '_qf__' . str_replace('\\', '_', static::class) => '1'];
            $current = fn($name) => (string)(array_key_exists($name, $typed) ? $typed[$name] : ($this->_form->defaults[$name] ?? ''));
            $hidden = [];
            foreach ($this->_form->hideifs as [$target, $dependent, $operator, $value]) {
                if (($operator === 'eq') === ($current($dependent) === $value)) {
                    $hidden[$target] = true;
                }
            }
            foreach ($this->_form->elements as $name => $el) {
                if (isset($hidden[$name])) {
                    continue;
                }
                $shown = $this->_form->defaults[$name] ?? null;
                $value = array_key_exists($name, $typed) ? $typed[$name] : $shown;
                switch ($el['type']) {
                    case 'header':
                        $post['mform_isexpanded_id_' . $name] = '1';
                        break;
                    case 'hidden':
                    case 'text':
                    case 'textarea':
                    case 'passwordunmask':
                        if (!in_array($name, $this->_form->frozen, true)) {
                            $post[$name] = (string)($value ?? '');
                        }
                        break;
                    case 'select':
                    case 'autocomplete':
                        $post[$name] = (string)($value ?? (string)array_key_first($el['options']));
                        break;
                    case 'advcheckbox':
                        $post[$name] = $value ? '1' : '0';
                        break;
                    case 'checkbox':
                        if ($value) {
                            $post[$name] = '1';
                        }
                        break;
                    case 'submit':
                        if ($name === 'submitbutton') {
                            $post[$name] = (string)$el['label'];
                        }
                        break;
                }
            }
            return $post;
        }

        /**
         * The submitted data as Moodle's get_data() returns it, or null.
         *
         * @return \stdClass|null
         */
        public function get_data() {
            $marker = '_qf__' . str_replace('\\', '_', static::class);
            if (empty($_POST[$marker])) {
                return null;
            }
            foreach ($this->_form->nosubmit as $name) {
                if (isset($_POST[$name])) {
                    return null;
                }
            }
            $data = [];
            foreach ($this->_form->elements as $name => $el) {
                if (in_array($name, $this->_form->frozen, true)) {
                    $data[$name] = $this->_form->defaults[$name] ?? null;
                    continue;
                }
                // PHP parses "removesecret[0]" into $_POST['removesecret'][0].
                $path = preg_split('/[\[\]]+/', $name, -1, PREG_SPLIT_NO_EMPTY);
                $posted = $_POST;
                foreach ($path as $key) {
                    if (!is_array($posted) || !array_key_exists($key, $posted)) {
                        // Not posted (a disabled or hidden input): HTML_QuickForm_element::exportValue() falls back
                        // to the element's own value, the one set_data() gave it.
                        $posted = array_key_exists($name, $this->_form->defaults) ? $this->_form->defaults[$name] : null;
                        break;
                    }
                    $posted = $posted[$key];
                }
                if ($posted === null) {
                    continue;
                }
                switch ($el['type']) {
                    case 'select':
                    case 'autocomplete':
                        if (array_key_exists((string)$posted, $el['options'])) {
                            $data[$name] = (string)$posted;
                        }
                        break;
                    case 'hidden':
                    case 'text':
                    case 'textarea':
                    case 'passwordunmask':
                        $data[$name] = local_integrationhub_ci_clean($posted, $this->_form->types[$name] ?? PARAM_RAW);
                        break;
                    case 'advcheckbox':
                    case 'checkbox':
                        $data[$name] = $posted === '1' ? 1 : 0;
                        break;
                    case 'submit':
                        $data[$name] = $posted;
                        break;
                }
            }
            // Nested names come back nested, as Moodle returns them.
            foreach ($data as $name => $value) {
                $path = preg_split('/[\[\]]+/', $name, -1, PREG_SPLIT_NO_EMPTY);
                if (count($path) > 1) {
                    unset($data[$name]);
                    $data[$path[0]][$path[1]] = $value;
                }
            }
            $errors = [];
            foreach ($this->_form->required as $name) {
                if (trim((string)($data[$name] ?? '')) === '') {
                    $errors[$name] = 'required';
                }
            }
            $errors += $this->validation($data, []);
            $this->errors = $errors;
            return $errors ? null : (object)$data;
        }
    }
}
