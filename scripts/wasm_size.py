#!/usr/bin/env python3
"""Where the wasm bundle's code goes: its code section by what each function does.

    scripts/wasm_size.sh                       builds a bundle with its names, then runs this
    scripts/wasm_size.py BUNDLE.wasm [N]       a wasm with a name section; N biggest functions

Each function counts under the first of `VERBS` in its own name (generic arguments left
out), e.g. tachys' `into_any::hydrate_async::<View<…>>` under `hydrate_async`, and under
the crate its name starts with. Results: docs/benchmarks.md, "The wasm's size".
"""
import collections, re, sys

VERBS = ['hydrate_async', 'hydrate', 'rebuild', 'build', 'deserialize', 'serialize',
         'drop_in_place', 'poll', 'into_any', 'fmt', 'mount', 'call_once']


def leb(b, i):
    r = s = 0
    while True:
        x = b[i]; i += 1; r |= (x & 0x7f) << s; s += 7
        if x < 0x80:
            return r, i


def read(path):
    """(function index, body size) of each defined function, and the name of each index."""
    data = open(path, 'rb').read()
    i, imported, bodies, names = 8, 0, [], {}
    while i < len(data):
        sid = data[i]; i += 1
        size, i = leb(data, i); end = i + size
        if sid == 2:  # imports: defined functions are numbered after the imported ones
            n, j = leb(data, i)
            for _ in range(n):
                for _ in range(2):
                    l, j = leb(data, j); j += l
                kind = data[j]; j += 1
                if kind == 0:
                    _, j = leb(data, j); imported += 1
                elif kind in (1, 2):
                    j += kind == 1
                    flags, j = leb(data, j); _, j = leb(data, j)
                    if flags & 1:
                        _, j = leb(data, j)
                else:
                    j += 2
        elif sid == 10:
            n, j = leb(data, i)
            for k in range(n):
                l, body = leb(data, j); bodies.append((imported + k, l + body - j)); j = body + l
        elif sid == 0:
            l, j = leb(data, i)
            if data[j:j + l] == b'name':
                j += l
                while j < end:
                    sub = data[j]; ss, j = leb(data, j + 1); sub_end = j + ss
                    if sub == 1:
                        n, j = leb(data, j)
                        for _ in range(n):
                            idx, j = leb(data, j); l, j = leb(data, j)
                            names[idx] = data[j:j + l].decode('utf8', 'replace'); j += l
                    j = sub_end
        i = end
    return bodies, names


def outer(name):
    """The name without its generic arguments' insides."""
    out, depth = [], 0
    for ch in name:
        if ch == '<':
            depth += 1
            if depth == 1:
                out.append(ch)
        elif ch == '>':
            depth -= 1
            if depth == 0:
                out.append(ch)
        elif depth <= 1:
            out.append(ch)
    return ''.join(out)


def main():
    bodies, names = read(sys.argv[1])
    if not names:
        sys.exit('no name section: build with `wasm-bindgen --keep-debug` and `wasm-opt -g`')
    total = sum(z for _, z in bodies)
    by_verb, by_crate = collections.Counter(), collections.Counter()
    for idx, z in bodies:
        name = names.get(idx, '?')
        top = outer(name)
        by_verb[next((v for v in VERBS if '::' + v in top), 'other')] += z
        crate = re.match(r'<?(?:_ as )?([A-Za-z_0-9]+)', name)
        by_crate[crate.group(1) if crate else '?'] += z
    print(f'code section: {total} bytes in {len(bodies)} functions')
    for title, counts in (('by what the function does', by_verb), ('by crate', by_crate)):
        print(f'-- {title}')
        for key, z in counts.most_common(15):
            print(f'{z:10d} {100 * z / total:5.1f}%  {key}')
    biggest = sorted(((z, names.get(i, '?')) for i, z in bodies), reverse=True)
    for z, name in biggest[:int(sys.argv[2]) if len(sys.argv) > 2 else 10]:
        print(f'{z:10d}  {name[:160]}')


main()
