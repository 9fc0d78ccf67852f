<?php
/* Writes moodle/local/integrationhub/stubs/mih.php, the stub of the mih API
 * for IDEs and static analysers (phpstan's stubFiles or scanFiles, psalm's
 * stubs), from ext/mih.stub.php, the declaration the extension's arginfo is
 * generated from, so the two never disagree. The docblocks are those of
 * ext/mih.stub.php: every class, method and property must have one (a
 * summary line), or this fails naming what lacks it. To them the generator
 * adds, from the signatures, an @param line with the type of every parameter
 * (keeping a description written in ext/mih.stub.php, whose type must be the
 * signature's), the @return type (a @return of ext/mih.stub.php may narrow
 * it for static analysis: array<string, mixed> or array{...} for array, and
 * nothing else) and the @var of each property; @throws
 * lines are kept; gen_stub.php's own tags (@generate-class-entries,
 * @strict-properties, ...) are left out.
 *
 *   php scripts/gen-ide-stub.php            rewrites the stub
 *   php scripts/gen-ide-stub.php --verify   fails when the committed stub is stale
 *
 * Needs Debian's php-parser (/usr/share/php/PhpParser). */
$root = dirname(__DIR__);
$source = "$root/ext/mih.stub.php";
$target = "$root/moodle/local/integrationhub/stubs/mih.php";
$verify = in_array('--verify', $argv, true);

if (!is_file('/usr/share/php/PhpParser/autoload.php')) {
    fwrite(STDERR, "PHP-Parser not found: install php-parser\n");
    exit(1);
}
require '/usr/share/php/PhpParser/autoload.php';

use PhpParser\Node;
use PhpParser\Node\Stmt;

$problems = [];
$parser = (new PhpParser\ParserFactory())->create(PhpParser\ParserFactory::ONLY_PHP7);
$printer = new PhpParser\PrettyPrinter\Standard(['shortArraySyntax' => true]);
$ast = $parser->parse(file_get_contents($source));

const GEN_STUB_TAGS = ['generate-class-entries', 'undocumentable', 'strict-properties', 'not-serializable',
    'alias', 'implementation-alias', 'tentative-return-type', 'refcount', 'compile-time-eval', 'prefer-ref',
    'no-verify', 'cvalue'];

/**
 * Splits a docblock into its text lines and its tags.
 *
 * @return array{0: string[], 1: array<int, array{0: string, 1: string}>}
 */
function doc_parts(?PhpParser\Comment\Doc $doc): array
{
    if ($doc === null) {
        return [[], []];
    }
    $text = preg_replace(['#^/\*\*#', '#\*/$#'], '', trim($doc->getText()));
    $lines = [];
    $tags = [];
    foreach (explode("\n", $text) as $line) {
        $line = preg_replace('/^\s*\* ?/', '', rtrim($line));
        if (preg_match('/^@([a-z-]+)\s*(.*)$/', trim($line), $m)) {
            $tags[] = [$m[1], $m[2]];
        } elseif ($tags && trim($line) !== '') {
            $tags[count($tags) - 1][1] .= ' ' . trim($line);
        } elseif (!$tags) {
            // Paragraphs: a line continues the one before unless a blank line parts them.
            $line = trim($line);
            if ($line !== '' && $lines && end($lines) !== '') {
                $lines[count($lines) - 1] .= ' ' . $line;
            } else {
                $lines[] = $line;
            }
        }
    }
    while ($lines && $lines[0] === '') {
        array_shift($lines);
    }
    while ($lines && end($lines) === '') {
        array_pop($lines);
    }
    return [$lines, $tags];
}

/** A type as a sorted set of names, so "?string" and "string|null" compare equal. */
function type_key(string $type): string
{
    if (str_starts_with($type, '?')) {
        $type = substr($type, 1) . '|null';
    }
    $parts = array_map(fn($t) => ltrim(strtolower(trim($t)), '\\'), explode('|', $type));
    sort($parts);
    return implode('|', $parts);
}

/**
 * Splits "TYPE rest" where TYPE may hold spaces inside <...> or {...} (array<string, mixed>).
 *
 * @return array{0: string, 1: string}
 */
function split_type(string $value): array
{
    $depth = 0;
    for ($i = 0, $n = strlen($value); $i < $n; $i++) {
        $c = $value[$i];
        if ($c === '<' || $c === '{' || $c === '(') {
            $depth++;
        } elseif ($c === '>' || $c === '}' || $c === ')') {
            $depth--;
        } elseif ($depth === 0 && ctype_space($c)) {
            return [substr($value, 0, $i), trim(substr($value, $i))];
        }
    }
    return [$value, ''];
}

/**
 * The PHP type a docblock type narrows: array<string, mixed>, list<int> and array{a: int} are arrays.
 */
function native_of(string $doctype): string
{
    do {
        $doctype = preg_replace(['/<[^<>{}]*>/', '/\{[^<>{}]*\}/'], '', $doctype, -1, $count);
    } while ($count);
    return preg_replace('/\blist\b/', 'array', $doctype);
}

/** A type as a docblock writes it: "?string" becomes "string|null". */
function doc_type(string $type): string
{
    return str_starts_with($type, '?') ? substr($type, 1) . '|null' : $type;
}

/** Wraps a docblock's lines at 100 columns. */
function docblock(array $lines, string $indent): string
{
    $out = "$indent/**\n";
    foreach ($lines as $line) {
        if ($line === '') {
            $out .= "$indent *\n";
            continue;
        }
        $width = 100 - strlen($indent) - 3;
        $hang = '';
        $head = '';
        if (preg_match('/^(@\w+) (.*)$/', $line, $m)) {
            // A tag's type (and variable) is never broken across lines, for the analysers' sake.
            [$type, $rest] = split_type($m[2]);
            $head = "$m[1] $type";
            if (preg_match('/^(\$\w+)\s*(.*)$/', $rest, $v)) {
                $head .= " $v[1]";
                $rest = $v[2];
            }
            $line = $rest;
            $hang = '    ';
        }
        $first = $head === '' ? $width : max(20, $width - strlen($head) - 1);
        $wrapped = wordwrap($line, $first, "\n", false);
        $parts = explode("\n", $wrapped);
        if (count($parts) > 1) {
            $tail = implode(' ', array_slice($parts, 1));
            $parts = array_merge([$parts[0]], explode("\n", wordwrap($tail, $width - strlen($hang), "\n", false)));
        }
        foreach ($parts as $i => $part) {
            $text = $i === 0 ? rtrim($head . ($head !== '' && $part !== '' ? ' ' : '') . $part) : $hang . $part;
            $out .= "$indent * " . $text . "\n";
        }
    }
    return $out . "$indent */\n";
}

/** The text of a class member's own docblock, in the stub's order of tags. */
function member_doc(array $lines, array $extra): array
{
    $doc = $lines;
    if ($extra) {
        if ($doc) {
            $doc[] = '';
        }
        array_push($doc, ...$extra);
    }
    return $doc;
}

$namespace = null;
$classes = [];
foreach ($ast as $stmt) {
    if ($stmt instanceof Stmt\Namespace_) {
        $namespace = $stmt->name->toString();
        foreach ($stmt->stmts as $s) {
            if ($s instanceof Stmt\Class_) {
                $classes[] = $s;
            }
        }
    }
}
if ($namespace === null || !$classes) {
    fwrite(STDERR, "$source declares no namespaced class\n");
    exit(1);
}

$body = '';
$counts = ['classes' => 0, 'methods' => 0, 'properties' => 0];
foreach ($classes as $class) {
    $cname = $class->name->toString();
    $counts['classes']++;
    [$lines, $tags] = doc_parts($class->getDocComment());
    if (!$lines) {
        $problems[] = "class $cname has no docblock summary";
    }
    $notes = [];
    foreach ($tags as [$tag]) {
        if ($tag === 'not-serializable') {
            $notes[] = 'Not serializable.';
        }
    }
    $classdoc = $lines;
    if ($notes) {
        $classdoc[] = '';
        array_push($classdoc, ...$notes);
    }
    array_push($classdoc, '', '@package    local_integrationhub');
    $body .= "\n" . docblock($classdoc, '');
    $decl = ($class->isFinal() ? 'final ' : '') . ($class->isAbstract() ? 'abstract ' : '') . "class $cname";
    if ($class->extends) {
        $decl .= ' extends ' . $class->extends->toCodeString();
    }
    $members = [];
    foreach ($class->stmts as $member) {
        if ($member instanceof Stmt\Property) {
            foreach ($member->props as $prop) {
                $pname = $prop->name->toString();
                $counts['properties']++;
                [$plines, $ptags] = doc_parts($member->getDocComment());
                if (!$plines) {
                    $problems[] = "property $cname::\$$pname has no docblock";
                }
                $type = $member->type ? $printer->prettyPrint([$member->type]) : 'mixed';
                $mods = ($member->isPublic() ? 'public' : ($member->isProtected() ? 'protected' : 'private'))
                    . ($member->isReadonly() ? ' readonly' : '') . ($member->isStatic() ? ' static' : '');
                $members[] = docblock(member_doc($plines ? [ucfirst($plines[0])] + $plines : [], ['@var ' . doc_type($type)]), '    ')
                    . "    $mods $type \$$pname" . ($prop->default ? ' = ' . $printer->prettyPrintExpr($prop->default) : '') . ";\n";
            }
        } elseif ($member instanceof Stmt\ClassMethod) {
            $mname = $member->name->toString();
            $counts['methods']++;
            [$mlines, $mtags] = doc_parts($member->getDocComment());
            if (!$mlines) {
                $problems[] = "method $cname::$mname() has no docblock summary";
            }
            $given = [];
            $throws = [];
            $return = null;
            foreach ($mtags as [$tag, $value]) {
                if ($tag === 'param') {
                    if (!preg_match('/^(\S+)\s+\$(\w+)\s*(.*)$/', $value, $m)) {
                        $problems[] = "$cname::$mname(): @param \"$value\" is not TYPE \$name [description]";
                        continue;
                    }
                    $given[$m[2]] = [$m[1], $m[3]];
                } elseif ($tag === 'return') {
                    $return = split_type($value);
                } elseif ($tag === 'throws') {
                    $throws[] = "@throws $value";
                } elseif (!in_array($tag, GEN_STUB_TAGS, true)) {
                    $problems[] = "$cname::$mname(): unknown tag @$tag";
                }
            }
            $params = [];
            $doctags = [];
            foreach ($member->params as $param) {
                $var = $param->var->name;
                $type = $param->type ? $printer->prettyPrint([$param->type]) : 'mixed';
                $attrs = '';
                foreach ($param->attrGroups as $group) {
                    $attrs .= $printer->prettyPrint([$group]) . ' ';
                }
                $params[] = $attrs . $type . ' ' . ($param->variadic ? '...' : '') . "\$$var"
                    . ($param->default ? ' = ' . $printer->prettyPrintExpr($param->default) : '');
                if (isset($given[$var]) && type_key($given[$var][0]) !== type_key($type)) {
                    $problems[] = "$cname::$mname(): @param {$given[$var][0]} \$$var is not the signature's $type";
                }
                $doctags[] = rtrim('@param ' . doc_type($type) . " \$$var " . ($given[$var][1] ?? ''));
                unset($given[$var]);
            }
            foreach (array_keys($given) as $var) {
                $problems[] = "$cname::$mname(): @param \$$var names no parameter";
            }
            $rtype = $member->returnType ? $printer->prettyPrint([$member->returnType]) : null;
            // A @return may narrow the signature's type (array<string, mixed> for array), never change it.
            if ($return !== null && ($rtype === null || type_key(native_of($return[0])) !== type_key($rtype))) {
                $problems[] = "$cname::$mname(): @return {$return[0]} is not the signature's " . ($rtype ?? 'none');
            }
            if ($rtype !== null) {
                $doctags[] = rtrim('@return ' . ($return[0] ?? doc_type($rtype)) . ' ' . ($return[1] ?? ''));
            }
            array_push($doctags, ...$throws);
            $mods = ($member->isPublic() ? 'public' : ($member->isProtected() ? 'protected' : 'private'))
                . ($member->isStatic() ? ' static' : '');
            $sig = "    $mods function $mname(" . implode(', ', $params) . ')' . ($rtype ? ": $rtype" : '');
            if (strlen($sig) > 120) {
                $sig = "    $mods function $mname(\n        " . implode(",\n        ", $params) . "\n    )"
                    . ($rtype ? ": $rtype" : '');
            }
            $members[] = docblock(member_doc($mlines, $doctags), '    ') . "$sig {\n    }\n";
        }
    }
    $body .= "$decl {\n" . implode("\n", $members) . "}\n";
}

if ($problems) {
    fwrite(STDERR, "ext/mih.stub.php: " . implode("\next/mih.stub.php: ", $problems) . "\n");
    exit(1);
}

$stub = <<<PHP
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

// phpcs:ignoreFile -- the extension's API as it is: its 13 classes in one file, its property names
// (template_line, retry_after), and no MOODLE_INTERNAL check in a file nothing includes.

/**
 * The API of the mih PHP extension, for IDEs and static analysis (phpstan, psalm): never loaded.
 *
 * The classes below are declared by the extension itself; this file only describes them. It is
 * generated from the extension's ext/mih.stub.php by scripts/gen-ide-stub.php: do not edit it.
 * Moodle never includes it (it is outside classes/, so the autoloader does not see it). Point a
 * tool at it: phpstan `scanFiles` or `stubFiles`, psalm `<stubs>`, or an IDE's include path.
 *
 * @package    local_integrationhub
 * @copyright  2026 The mih developers
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace $namespace;

PHP;
$stub .= $body;

if ($verify) {
    if (@file_get_contents($target) !== $stub) {
        fwrite(STDERR, "moodle/local/integrationhub/stubs/mih.php is stale: run php scripts/gen-ide-stub.php\n");
        exit(1);
    }
    echo "IDE stub: stubs/mih.php is current ({$counts['classes']} classes, {$counts['methods']} methods, "
        . "{$counts['properties']} properties, every one documented)\n";
    exit(0);
}
@mkdir(dirname($target), 0777, true);
file_put_contents($target, $stub);
echo "wrote moodle/local/integrationhub/stubs/mih.php\n";
