"""Handlers for the onboarding example: fake screening agency, directory, courier and mail."""

from __future__ import annotations

# Teams that were shut down: the directory refuses new members (retrying does not help).
ARCHIVED_TEAMS = {"legacy-ops"}


def request_check(check_id: str, name: str) -> bool:
    """Order a background check from the screening agency; the verdict arrives as CheckResult."""
    return bool(check_id) and bool(name)


def create_login(email: str) -> str:
    """Create a directory account; the login is the e-mail's local part."""
    return email.split("@", 1)[0]


def disable_login(login: str) -> bool:
    """Disable an account. Idempotent: disabling twice is a no-op."""
    return bool(login)


def grant_access(login: str, team: str, level: int) -> bool:
    """Add the login to the team's groups, up to its clearance level."""
    if team in ARCHIVED_TEAMS:
        raise PermissionError(f"team {team} is archived; cannot add {login}")
    return level > 0


def book_courier(shipment_id: str, email: str) -> str:
    """Book a courier for the laptop; returns the tracking number."""
    digits = sum(ord(ch) for ch in shipment_id) % 10_000
    return f"TRK{digits:04d}"


def notify_hr(hire_id: str, text: str) -> bool:
    return bool(hire_id) and bool(text)


def send_welcome(email: str, login: str) -> bool:
    return "@" in email and bool(login)
