"""Recruiter Coach: the platform-neutral core.

The packages, lowest layer first (docs/architecture.md draws them; ``tests/test_layers.py``
checks the arrows): ``boundary`` and ``errors`` (0), ``store`` (1), ``render`` (2), ``flow`` (3),
``answers`` (4), ``dialog`` (5), ``routing`` (6), ``coaching`` (7), ``config`` and ``app`` (8),
``flowtools`` (9), ``cli`` (10). A module may import its own package and the layers below it,
never up and never in a circle. Adapters see ``boundary``, ``errors``, ``config`` and ``app``.

May import: nothing (this file holds no code). Nothing in ``bot/`` imports ``adapters`` or a
platform SDK (slack_bolt, slack_sdk, discord).
"""
