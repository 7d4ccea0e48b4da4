#!/usr/bin/env python3
"""Lists public declarations under Sources/ that have no `///` summary.

A declaration is `public` or `open` at the start of a line (after attributes such as
`@inlinable` or `@discardableResult` on the lines above). It counts as documented when the
nearest line above it that is not an attribute is a `///` line (or closes a `/** */` block).
Protocol witnesses whose documentation DocC inherits (`description`, `==`, `<`, `hash(into:)`,
`init(from:)`, `encode(to:)`) are skipped. Exit status 1 when something is listed.

    python3 scripts/undocumented-public.py [Sources]
"""
import os
import re
import sys

DECL = re.compile(r'^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:public|open)\s+(?!import\b|extension\b)')
ATTR = re.compile(r'^\s*@\w+')
WITNESS = re.compile(
    r'(var description\b|var debugDescription\b|static func ==|static func <|func hash\(into|'
    r'init\(from decoder|func encode\(to encoder|init\(integerLiteral|init\(dictionaryLiteral|'
    r'init\(stringLiteral|func makeIterator|var startIndex|var endIndex|func index\(after|'
    r'var errorDescription\b)')


def undocumented(path):
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    out = []
    for i, line in enumerate(lines):
        if not DECL.match(line) or WITNESS.search(line):
            continue
        j = i - 1
        while j >= 0 and (ATTR.match(lines[j]) and not DECL.match(lines[j])):
            j -= 1
        above = lines[j].strip() if j >= 0 else ''
        if not (above.startswith('///') or above.endswith('*/')):
            out.append((i + 1, line.strip()))
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else 'Sources'
    found = 0
    for dirpath, _, names in sorted(os.walk(root)):
        if '.build' in dirpath:
            continue
        for name in sorted(names):
            if name.endswith('.swift'):
                path = os.path.join(dirpath, name)
                for number, text in undocumented(path):
                    print(f'{path}:{number}: {text}')
                    found += 1
    print(f'{found} public declaration(s) without a /// summary', file=sys.stderr)
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
