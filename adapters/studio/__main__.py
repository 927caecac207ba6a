"""``python -m adapters.studio [PATH] [--port N]``: the flow studio without the entry point."""

import argparse
import sys

from adapters.studio.cli import configure, main

parser = argparse.ArgumentParser(prog="python -m adapters.studio")
configure(parser)
sys.exit(main(parser.parse_args()))
