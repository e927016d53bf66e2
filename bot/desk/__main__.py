"""``python -m bot.desk``: serve the desk (started by ``signpost run``)."""

from __future__ import annotations

import argparse
import logging

from aiohttp import web

from bot.desk.app import create_app
from bot.settings import load_settings


def main() -> None:
    settings = load_settings()
    parser = argparse.ArgumentParser(prog="python -m bot.desk")
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.desk_port)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    web.run_app(create_app(settings), host=args.host, port=args.port, print=lambda *_: None)


if __name__ == "__main__":
    main()
