<?php
/* Checks the IDE stub against the extension itself: the classes, methods,
 * parameters (names, types, defaults, #[\SensitiveParameter]), return types
 * and properties that moodle/local/integrationhub/stubs/mih.php declares,
 * read by reflection in a PHP without the extension, must be those that the
 * loaded module declares; and the stub's docblocks must be what phpstan can
 * read (see doc_problems()).
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

/**
 * What phpstan would refuse in the docblocks of the classes: each is parsed with phpstan's own
 * PHPDoc parser (Debian's php-phpstan-phpdoc-parser), every @param, @return, @var and @throws must
 * parse, an @param must name a parameter, and an @throws must name a Throwable class.
 */
function doc_problems(array $classes): array
{
    $lexer = new PHPStan\PhpDocParser\Lexer\Lexer();
    $constexpr = new PHPStan\PhpDocParser\Parser\ConstExprParser();
    $parser = new PHPStan\PhpDocParser\Parser\PhpDocParser(new PHPStan\PhpDocParser\Parser\TypeParser($constexpr), $constexpr);
    $problems = [];
    $tags = 0;
    $check = function (string $where, $doc, ?ReflectionClass $ns, array $params) use ($lexer, $parser, &$problems, &$tags) {
        if ($doc === false) {
            $problems[] = "$where has no docblock";
            return;
        }
        $node = $parser->parse(new PHPStan\PhpDocParser\Parser\TokenIterator($lexer->tokenize($doc)));
        foreach ($node->getTags() as $tag) {
            if (!in_array($tag->name, ['@param', '@return', '@var', '@throws'], true)) {
                continue;
            }
            $tags++;
            if ($tag->value instanceof PHPStan\PhpDocParser\Ast\PhpDoc\InvalidTagValueNode) {
                $problems[] = "$where: phpstan cannot parse \"$tag->name {$tag->value->value}\": " . $tag->value->exception->getMessage();
            } elseif ($tag->name === '@param' && !in_array(ltrim($tag->value->parameterName, '$'), $params, true)) {
                $problems[] = "$where: $tag->name {$tag->value->parameterName} names no parameter";
            } elseif ($tag->name === '@throws') {
                $name = (string) $tag->value->type;
                $class = str_starts_with($name, '\\') ? substr($name, 1) : $ns->getNamespaceName() . '\\' . $name;
                if (!class_exists($class) || !is_subclass_of($class, Throwable::class)) {
                    $problems[] = "$where: @throws $name is not a Throwable class";
                }
            }
        }
    };
    foreach ($classes as $name) {
        $c = new ReflectionClass($name);
        $check($name, $c->getDocComment(), $c, []);
        foreach ($c->getMethods() as $m) {
            if ($m->getDeclaringClass()->getName() === $name) {
                $check("$name::{$m->getName()}()", $m->getDocComment(), $c, array_map(fn($p) => $p->getName(), $m->getParameters()));
            }
        }
        foreach ($c->getProperties() as $p) {
            if ($p->getDeclaringClass()->getName() === $name) {
                $check("$name::\${$p->getName()}", $p->getDocComment(), $c, []);
            }
        }
    }
    return [$problems, $tags];
}

if (($argv[1] ?? '') === '--read-stub') {
    $before = get_declared_classes();
    require $argv[2];
    $classes = array_values(array_diff(get_declared_classes(), $before));
    require '/usr/share/php/PHPStan/PhpDocParser/autoload.php';
    [$problems, $tags] = doc_problems($classes);
    echo json_encode(['api' => api_of($classes), 'problems' => $problems, 'tags' => $tags]);
    exit(0);
}
if (!is_file('/usr/share/php/PHPStan/PhpDocParser/autoload.php')) {
    fwrite(STDERR, "check-ide-stub: phpstan's PHPDoc parser not found: install php-phpstan-phpdoc-parser\n");
    exit(1);
}

if (!extension_loaded('mih')) {
    fwrite(STDERR, "check-ide-stub: load the extension (php -d extension=modules/mih.so)\n");
    exit(1);
}
$cmd = escapeshellarg(PHP_BINARY) . ' -n ' . escapeshellarg(__FILE__) . ' --read-stub ' . escapeshellarg($stub);
$json = shell_exec($cmd);
$read = json_decode((string) $json, true);
if (!is_array($read)) {
    fwrite(STDERR, "check-ide-stub: could not read $stub: $json\n");
    exit(1);
}
if ($read['problems']) {
    fwrite(STDERR, "check-ide-stub: " . implode("\ncheck-ide-stub: ", $read['problems']) . "\n");
    exit(1);
}
$fromstub = $read['api'];
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
    . "attributes, properties) as the loaded extension; its {$read['tags']} @param, @return, @var and @throws tags "
    . "parse with phpstan's PHPDoc parser\n";
