"""Recruiter Coach: the platform-neutral core (engine, flows, templates, storage, scheduler)."""
