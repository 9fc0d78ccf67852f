<?php
/* Checks the IDE stub against the extension itself: the classes, methods,
 * parameters (names, types, defaults, #[\SensitiveParameter]), return types
 * and properties that moodle/local/integrationhub/stubs/mih.php declares,
 * read by reflection in a PHP without the extension, must be those that the
 * loaded module declares.
 *
 *   php -d extension=modules/mih.so scripts/check-ide-stub.php
 *
 * (It runs a second PHP, without the extension, to read the stub.) */
$stub = dirname(__DIR__) . '/moodle/local/integrationhub/stubs/mih.php';

/** The API of the classes of a namespace, as reflection sees it. */
function api_of(array $classes): array
{
    $out = [];
    $type = fn(?ReflectionType $t) => $t === null ? null : (string) $t;
    sort($classes);
    foreach ($classes as $name) {
        $c = new ReflectionClass($name);
        $entry = ['final' => $c->isFinal(), 'parent' => $c->getParentClass() ? $c->getParentClass()->getName() : null,
            'methods' => [], 'properties' => []];
        foreach ($c->getMethods() as $m) {
            if ($m->getDeclaringClass()->getName() !== $name) {
                continue;
            }
            $params = [];
            foreach ($m->getParameters() as $p) {
                $params[] = [
                    'name' => $p->getName(),
                    'type' => $type($p->getType()),
                    'default' => $p->isDefaultValueAvailable() ? var_export($p->getDefaultValue(), true) : null,
                    'optional' => $p->isOptional(),
                    'attributes' => array_map(fn($a) => $a->getName(), $p->getAttributes()),
                ];
            }
            $entry['methods'][$m->getName()] = [
                'static' => $m->isStatic(),
                'visibility' => $m->isPublic() ? 'public' : ($m->isProtected() ? 'protected' : 'private'),
                'params' => $params,
                'return' => $type($m->getReturnType()),
            ];
        }
        foreach ($c->getProperties() as $p) {
            if ($p->getDeclaringClass()->getName() !== $name) {
                continue;
            }
            $entry['properties'][$p->getName()] = [
                'type' => $type($p->getType()),
                'readonly' => $p->isReadOnly(),
                'public' => $p->isPublic(),
            ];
        }
        ksort($entry['methods']);
        $out[$name] = $entry;
    }
    return $out;
}

if (($argv[1] ?? '') === '--read-stub') {
    $before = get_declared_classes();
    require $argv[2];
    echo json_encode(api_of(array_values(array_diff(get_declared_classes(), $before))));
    exit(0);
}

if (!extension_loaded('mih')) {
    fwrite(STDERR, "check-ide-stub: load the extension (php -d extension=modules/mih.so)\n");
    exit(1);
}
$cmd = escapeshellarg(PHP_BINARY) . ' -n ' . escapeshellarg(__FILE__) . ' --read-stub ' . escapeshellarg($stub);
$json = shell_exec($cmd);
$fromstub = json_decode((string) $json, true);
if (!is_array($fromstub)) {
    fwrite(STDERR, "check-ide-stub: could not read $stub: $json\n");
    exit(1);
}
$ext = new ReflectionExtension('mih');
$fromext = api_of($ext->getClassNames());
if ($fromstub !== $fromext) {
    foreach (array_unique(array_merge(array_keys($fromstub), array_keys($fromext))) as $class) {
        if (($fromstub[$class] ?? null) !== ($fromext[$class] ?? null)) {
            fwrite(STDERR, "check-ide-stub: $class differs\n  stub:      " . json_encode($fromstub[$class] ?? null)
                . "\n  extension: " . json_encode($fromext[$class] ?? null) . "\n");
        }
    }
    fwrite(STDERR, "check-ide-stub: stubs/mih.php does not declare what the extension declares\n");
    exit(1);
}
$methods = array_sum(array_map(fn($c) => count($c['methods'] ?? []), $fromext));
echo "IDE stub: the same " . count($fromext) . " classes and $methods methods (parameters, types, defaults, "
    . "attributes, properties) as the loaded extension\n";
