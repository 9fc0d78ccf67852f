<?php
/*
 * The payload templates of the template benchmark, each in the three dialects compared:
 *   mustache - what a rule holds for mih::render() (json mode);
 *   original - the same body for the original plugin's str_replace approach, which has no
 *              sections: the conditional parts of the Mustache version are left out, so the
 *              original renders strictly less than mih does;
 *   twig     - the same body for Twig, autoescape 'js' inside JSON string literals (Twig's js
 *              strategy emits only \uXXXX and the short escapes JSON also has, so the result is
 *              valid JSON string content) and |json_encode|raw in value positions.
 * Fields whose PHP type varies between the samples (courseid and contextinstanceid are int in
 * some events and numeric strings in others) sit inside string literals, so that all three
 * engines give the same JSON type.
 */

return [
	'slack' => [
		'mustache' => <<<'TPL'
{
  "text": "{{eventname}} by user {{userid}}{{#relateduserid}} for user {{relateduserid}}{{/relateduserid}} in course {{courseid}}{{#other.shortname}} ({{other.shortname}}){{/other.shortname}}",
  "username": "Moodle",
  "icon_emoji": ":mortar_board:",
  "attachments": [{
    "fallback": "{{eventname}}",
    "fields": [
      {"title": "Component", "value": "{{component}}", "short": true},
      {"title": "Context", "value": "{{contextinstanceid}}", "short": true}
    ],
    "ts": {{timecreated}}
  }],
  "event": {"name": "{{eventname}}", "action": "{{action}}", "target": "{{target}}", "crud": "{{crud}}",
    "objectid": {{objectid}}, "userid": {{userid}}, "relateduserid": {{relateduserid}},
    "courseid": "{{courseid}}", "contextinstanceid": "{{contextinstanceid}}",
    "timecreated": {{timecreated}}, "other": {{other}}}
}
TPL,
		'original' => <<<'TPL'
{
  "text": "{{eventname}} by user {{userid}} in course {{courseid}}",
  "username": "Moodle",
  "icon_emoji": ":mortar_board:",
  "attachments": [{
    "fallback": "{{eventname}}",
    "fields": [
      {"title": "Component", "value": "{{component}}", "short": true},
      {"title": "Context", "value": "{{contextinstanceid}}", "short": true}
    ],
    "ts": {{timecreated}}
  }],
  "event": {"name": "{{eventname}}", "action": "{{action}}", "target": "{{target}}", "crud": "{{crud}}",
    "objectid": {{objectid}}, "userid": {{userid}}, "relateduserid": {{relateduserid}},
    "courseid": "{{courseid}}", "contextinstanceid": "{{contextinstanceid}}",
    "timecreated": {{timecreated}}, "other": {{other}}}
}
TPL,
		'twig' => <<<'TPL'
{
  "text": "{{ eventname }} by user {{ userid }}{% if relateduserid %} for user {{ relateduserid }}{% endif %} in course {{ courseid }}{% if other.shortname ?? false %} ({{ other.shortname }}){% endif %}",
  "username": "Moodle",
  "icon_emoji": ":mortar_board:",
  "attachments": [{
    "fallback": "{{ eventname }}",
    "fields": [
      {"title": "Component", "value": "{{ component }}", "short": true},
      {"title": "Context", "value": "{{ contextinstanceid }}", "short": true}
    ],
    "ts": {{ timecreated|json_encode|raw }}
  }],
  "event": {"name": "{{ eventname }}", "action": "{{ action }}", "target": "{{ target }}", "crud": "{{ crud }}",
    "objectid": {{ objectid|json_encode|raw }}, "userid": {{ userid|json_encode|raw }}, "relateduserid": {{ relateduserid|json_encode|raw }},
    "courseid": "{{ courseid }}", "contextinstanceid": "{{ contextinstanceid }}",
    "timecreated": {{ timecreated|json_encode|raw }}, "other": {{ other|json_encode|raw }}}
}
TPL,
	],
	'crm' => [
		'mustache' => <<<'TPL'
{
  "external_id": "moodle-{{userid}}",
  "event_type": "{{target}}.{{action}}",
  "source": "{{component}}",
  "course": {"id": "{{courseid}}", "context_instance": "{{contextinstanceid}}"},
  {{#other.username}}"username": "{{other.username}}",{{/other.username}}
  {{#relateduserid}}"contact_id": "moodle-{{relateduserid}}",{{/relateduserid}}
  "occurred_at": {{timecreated}},
  "properties": {{other}}
}
TPL,
		'original' => <<<'TPL'
{
  "external_id": "moodle-{{userid}}",
  "event_type": "{{target}}.{{action}}",
  "source": "{{component}}",
  "course": {"id": "{{courseid}}", "context_instance": "{{contextinstanceid}}"},
  "occurred_at": {{timecreated}},
  "properties": {{other}}
}
TPL,
		'twig' => <<<'TPL'
{
  "external_id": "moodle-{{ userid }}",
  "event_type": "{{ target }}.{{ action }}",
  "source": "{{ component }}",
  "course": {"id": "{{ courseid }}", "context_instance": "{{ contextinstanceid }}"},
  {% if other.username ?? false %}"username": "{{ other.username }}",{% endif %}
  {% if relateduserid %}"contact_id": "moodle-{{ relateduserid }}",{% endif %}
  "occurred_at": {{ timecreated|json_encode|raw }},
  "properties": {{ other|json_encode|raw }}
}
TPL,
	],
	'audit' => [
		'mustache' => <<<'TPL'
{
  "event": "{{eventname}}",
  "crud": "{{crud}}",
  "edulevel": {{edulevel}},
  "actor": {{userid}},
  "subject": {{relateduserid}},
  "anonymous": {{anonymous}},
  "context": {"id": {{contextid}}, "level": {{contextlevel}}, "instance": "{{contextinstanceid}}"},
  "object": {"table": "{{objecttable}}", "id": {{objectid}}},
  "summary": "{{action}} {{target}}{{#courseid}} in course {{courseid}}{{/courseid}}",
  "at": {{timecreated}}
}
TPL,
		'original' => <<<'TPL'
{
  "event": "{{eventname}}",
  "crud": "{{crud}}",
  "edulevel": {{edulevel}},
  "actor": {{userid}},
  "subject": {{relateduserid}},
  "anonymous": {{anonymous}},
  "context": {"id": {{contextid}}, "level": {{contextlevel}}, "instance": "{{contextinstanceid}}"},
  "object": {"table": "{{objecttable}}", "id": {{objectid}}},
  "summary": "{{action}} {{target}}",
  "at": {{timecreated}}
}
TPL,
		'twig' => <<<'TPL'
{
  "event": "{{ eventname }}",
  "crud": "{{ crud }}",
  "edulevel": {{ edulevel|json_encode|raw }},
  "actor": {{ userid|json_encode|raw }},
  "subject": {{ relateduserid|json_encode|raw }},
  "anonymous": {{ anonymous|json_encode|raw }},
  "context": {"id": {{ contextid|json_encode|raw }}, "level": {{ contextlevel|json_encode|raw }}, "instance": "{{ contextinstanceid }}"},
  "object": {"table": "{{ objecttable }}", "id": {{ objectid|json_encode|raw }}},
  "summary": "{{ action }} {{ target }}{% if courseid %} in course {{ courseid }}{% endif %}",
  "at": {{ timecreated|json_encode|raw }}
}
TPL,
	],
];
