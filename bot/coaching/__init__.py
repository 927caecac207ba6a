"""Coaching domain services: pure, platform-neutral logic that flows call through actions.

``legitimacy`` checks what a user knows about a recruiter against the red-flag rules of the
content checklist (R01-R27, P01-P05, N01-N04) and says, in plain words, what it saw, why it
matters and what to do next. Nothing here touches the network, the store or a platform.
"""
