"""The training run of a profile-guided CPython build (recipes.ts, `pgo`).

The instrumented interpreter runs this once; gcc then optimises for the paths
it took. What a packaged app spends its time on: starting up (unmarshal,
imports, init), then ordinary Python work. CPython's own task (`-m test
--pgo`) takes minutes on two cores; this takes seconds, and is deterministic
(fixed inputs, no timing, no network), so the profile does not vary much
between builds. Python 3.11 syntax and stdlib only.
"""
import subprocess
import sys

# Start-up, as a packaged CLI pays it on every run: fresh interpreters that
# import a little (no site, like an app binary; the same hash seed and
# bytecode cache as this run).
child = [sys.executable, '-S', '-s', '-X', f'pycache_prefix={sys.pycache_prefix}'] if sys.pycache_prefix else [sys.executable, '-S', '-s']
for code in ('pass', 'import json, re', 'import argparse, pathlib, subprocess, logging'):
    for _ in range(4):
        subprocess.run([*child, '-c', code], check=True)

# Imports of a broad part of the stdlib (unmarshal, module bodies, class creation).
import argparse, asyncio, base64, collections, csv, dataclasses, datetime, decimal, enum, fractions  # noqa: E401,E402
import functools, hashlib, heapq, io, itertools, json, logging, math, os, pathlib, pickle, random  # noqa: E401,E402
import re, sqlite3, string, struct, tempfile, textwrap, tokenize, typing, unicodedata, zlib  # noqa: E401,E402
import email.message, email.parser, http.client, urllib.parse, xml.etree.ElementTree as ET, zipfile  # noqa: E401,E402


def parse_and_compile():
    """The tokenizer, parser and compiler, on stdlib sources."""
    for module in (argparse, json.decoder, dataclasses, typing, pathlib, logging):
        with open(module.__file__, encoding='utf-8') as f:
            source = f.read()
        compile(source, module.__file__, 'exec')
        list(tokenize.generate_tokens(io.StringIO(source).readline))


def objects():
    """Attribute access, calls, comprehensions, dicts, sets, exceptions, generators."""
    @dataclasses.dataclass
    class Point:
        x: float
        y: float

        def norm(self):
            return math.hypot(self.x, self.y)

    class Node:
        __slots__ = ('value', 'children')

        def __init__(self, value):
            self.value = value
            self.children = []

    points = [Point(i * 0.5, i % 17) for i in range(20000)]
    total = sum(p.norm() for p in points)
    index = {f'k{i}': i for i in range(20000)}
    seen = {p.y for p in points}
    root = Node(0)
    for i in range(5000):
        root.children.append(Node(i))
    depth = 0
    for i in range(20000):
        try:
            if i % 3 == 0:
                raise KeyError(i)
            depth += index[f'k{i}']
        except KeyError:
            depth -= 1
    def fib():
        a, b = 0, 1
        while True:
            yield a
            a, b = b, a + b
    head = list(itertools.islice(fib(), 300))
    ordered = sorted(points, key=lambda p: (p.y, -p.x))[:10]
    counts = collections.Counter(w for w in ('a b c a b a ' * 2000).split())
    return total, len(seen), depth, head[-1], ordered, counts


def text():
    """str methods, formatting, regular expressions, encodings."""
    words = [f'{i:05d}-{chr(97 + i % 26) * (i % 7 + 1)}' for i in range(20000)]
    joined = ' '.join(words)
    pattern = re.compile(r'(\d+)-([a-z]+)')
    found = pattern.findall(joined)
    replaced = pattern.sub(lambda m: m.group(2).upper(), joined[:50000])
    parts = [w.split('-')[1].upper().strip().replace('A', 'b') for w in words]
    wrapped = textwrap.fill(joined[:20000], width=72)
    encoded = joined.encode('utf-8').decode('latin-1').encode('latin-1')
    names = [unicodedata.name(c, '') for c in 'héllo wörld ✓ λ']
    template = string.Template('$who likes $what').substitute(who='tim', what='kung pao')
    return len(found), len(replaced), len(parts), len(wrapped), len(encoded), names, template


def data():
    """json, pickle, struct, csv, zlib, hashlib, base64, decimal, datetime, xml, email, sqlite3."""
    doc = {'items': [{'id': i, 'name': f'item{i}', 'tags': ['x', 'y'], 'price': i * 1.25, 'ok': i % 2 == 0}
                     for i in range(3000)]}
    for _ in range(5):
        assert json.loads(json.dumps(doc)) == doc
        assert pickle.loads(pickle.dumps(doc)) == doc
    packed = b''.join(struct.pack('<iqd', i, i * 7, i / 3) for i in range(5000))
    rows = list(csv.reader(io.StringIO('\n'.join(f'{i},name {i},"q,uoted"' for i in range(5000)))))
    squeezed = zlib.decompress(zlib.compress(packed * 4))
    digests = [hashlib.sha256(packed[i:i + 64]).hexdigest() for i in range(0, 64000, 64)]
    b64 = base64.b64decode(base64.b64encode(packed))
    money = sum(decimal.Decimal(i) / decimal.Decimal(7) for i in range(3000))
    ratio = sum(fractions.Fraction(1, i) for i in range(1, 300))
    start = datetime.datetime(2020, 1, 1)
    stamps = [(start + datetime.timedelta(minutes=i)).isoformat() for i in range(5000)]
    tree = ET.fromstring('<root>' + ''.join(f'<e i="{i}">{i}</e>' for i in range(3000)) + '</root>')
    xml_sum = sum(int(e.get('i')) for e in tree.iter('e'))
    message = email.parser.Parser().parsestr('From: a@example.org\nSubject: hi\n\nbody\n')
    db = sqlite3.connect(':memory:')
    db.execute('create table t (id integer primary key, name text)')
    db.executemany('insert into t (name) values (?)', [(f'n{i}',) for i in range(3000)])
    selected = db.execute("select count(*) from t where name like 'n1%'").fetchone()
    url = urllib.parse.urlparse('https://example.org/a/b?x=1&y=2#frag')
    return (len(rows), len(squeezed), len(digests), len(b64), money, ratio, stamps[-1], xml_sum,
            message['subject'], selected, url.query, heapq.nsmallest(3, range(1000, 0, -1)))


def files():
    """Paths, files, zip archives (zipimport's own code runs on the eval loop)."""
    with tempfile.TemporaryDirectory() as tmp:
        base = pathlib.Path(tmp)
        for i in range(200):
            (base / f'f{i}.txt').write_text(f'line {i}\n' * 20, encoding='utf-8')
        lines = sum(len(p.read_text(encoding='utf-8').splitlines()) for p in sorted(base.glob('*.txt')))
        archive = base / 'mods.zip'
        with zipfile.ZipFile(archive, 'w', zipfile.ZIP_DEFLATED) as z:
            for i in range(50):
                z.writestr(f'pgo_mod{i}.py', f'VALUE = {i}\ndef f(x):\n    return x + VALUE\n')
        sys.path.insert(0, str(archive))
        try:
            imported = sum(__import__(f'pgo_mod{i}').f(1) for i in range(50))
        finally:
            sys.path.remove(str(archive))
        return lines, imported, sorted(os.listdir(tmp))[:3]


async def tasks():
    """The asyncio event loop with many small coroutines and a queue."""
    queue = asyncio.Queue()

    async def producer():
        for i in range(3000):
            await queue.put(i)
        await queue.put(None)

    async def consumer():
        total = 0
        while (item := await queue.get()) is not None:
            total += item
        return total

    async def tick(i):
        await asyncio.sleep(0)
        return i

    results = await asyncio.gather(producer(), consumer(), *(tick(i) for i in range(2000)))
    return results[1]


def main():
    random.seed(0)
    logging.basicConfig(level=logging.WARNING, stream=io.StringIO())
    logging.getLogger('pgo').warning('%s %d', 'message', 1)
    parser = argparse.ArgumentParser(prog='pgo')
    parser.add_argument('--count', type=int, default=3)
    parser.add_argument('names', nargs='*')
    args = parser.parse_args(['--count', '5', 'a', 'b'])
    for _ in range(2):
        parse_and_compile()
        objects()
        text()
        data()
        files()
        asyncio.run(tasks())
    functools.reduce(lambda a, b: a ^ b, (random.getrandbits(32) for _ in range(20000)))
    print(f'pgo workload done ({args.count})')


if __name__ == '__main__':
    main()
