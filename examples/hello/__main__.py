"""A tiny CLI: greets, reports where it runs, and reads a data file shipped beside it."""
import argparse
import os
import platform
import sys

here = os.path.dirname(__file__)

parser = argparse.ArgumentParser(prog="hello", description=__doc__)
parser.add_argument("--name", default="world")
args = parser.parse_args()

with open(os.path.join(here, "greeting.txt"), encoding="utf-8") as f:
    greeting = f.read().strip()
print(f"{greeting}, {args.name}! Python {platform.python_version()} in {sys.executable}")
