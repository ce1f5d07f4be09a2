"""A small CLI on compiled dependencies: `pybin build examples/stats` gives a
glibc binary that loads numpy's and orjson's shared objects from memory."""
import sys

import numpy
import orjson


def main() -> None:
    values = numpy.array([float(v) for v in sys.argv[1:]] or [1.0, 2.0, 3.0, 4.0])
    print(orjson.dumps({"n": int(values.size), "mean": float(values.mean()), "std": float(values.std())}).decode())


if __name__ == "__main__":
    main()
