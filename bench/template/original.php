<?php
/*
 * The original pure-PHP plugin's payload rendering, as in its
 * classes/task/dispatch_event_task.php: str_replace of every '{{key}}' of the event data,
 * strings escaped with json_encode() minus the quotes, then json_decode() to validate; the
 * transport later json_encode()s the decoded payload into the body that is sent.
 *
 * Two changes were needed for it to render the benchmark's templates at all, both documented
 * in the results and both making it do more work, not less:
 *  - the plugin only replaced top-level scalar keys; here the data is flattened first, so
 *    'other.shortname' etc. are keys too (its own comment says "Flatten event data");
 *  - the plugin skipped null and array values, leaving '{{relateduserid}}' and '{{other}}'
 *    in the text, which made the body invalid JSON; here they are json_encode()d.
 */

function original_flatten(array $data, string $prefix = ''): array
{
	$flat = [];
	foreach ($data as $key => $value) {
		$name = $prefix . $key;
		$flat[$name] = $value;
		if (is_array($value)) {
			$flat += original_flatten($value, $name . '.');
		}
	}
	return $flat;
}

function original_render(string $template, array $flat): string
{
	$json = $template;
	foreach ($flat as $key => $value) {
		if (is_string($value)) {
			$replacement = substr(json_encode($value), 1, -1);
		} else if (is_bool($value)) {
			$replacement = $value ? 'true' : 'false';
		} else if (is_scalar($value)) {
			$replacement = $value;
		} else {
			$replacement = json_encode($value);
		}
		$json = str_replace('{{' . $key . '}}', $replacement, $json);
	}
	$payload = json_decode($json, true);
	if (json_last_error() !== JSON_ERROR_NONE) {
		throw new RuntimeException('Invalid JSON template: ' . json_last_error_msg());
	}
	return json_encode($payload);
}
