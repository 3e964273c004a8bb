"""Handlers for the travel booking saga: a fake flight, hotel and car supplier.

Deterministic: failures depend only on the arguments (the trip id or the length of stay).
"""

from __future__ import annotations

FLIGHT_PRICE = 350.0
HOTEL_PER_NIGHT = 120.0
CAR_PER_DAY = 45.0

# Hotels in this example take no stays longer than two weeks.
MAX_NIGHTS = 14

# Trips whose car rental API connection always drops (the retries run out).
CAR_API_DOWN = {"t-504"}


class SoldOut(Exception):
    """The supplier has nothing left for the request; retrying does not help."""


def quote(trip_id: str, nights: int, needs_car: bool) -> float:
    """Total price of the trip."""
    price = FLIGHT_PRICE + HOTEL_PER_NIGHT * nights
    if needs_car:
        price += CAR_PER_DAY * nights
    return float(price)


def book_flight(trip_id: str, nights: int) -> str:
    return f"FL-{trip_id}-{nights}N"


def book_hotel(trip_id: str, nights: int) -> str:
    if nights > MAX_NIGHTS:
        raise SoldOut(f"no hotel availability for {nights} nights (trip {trip_id})")
    return f"HT-{trip_id}-{nights}N"


def book_car(trip_id: str, nights: int) -> str:
    if trip_id in CAR_API_DOWN:
        raise ConnectionError(f"car rental API unreachable while booking {trip_id}")
    return f"CR-{trip_id}-{nights}D"


def cancel_flight(trip_id: str) -> bool:
    return True


def cancel_hotel(trip_id: str) -> bool:
    return True


def cancel_car(trip_id: str) -> bool:
    return True


def issue_itinerary(trip_id: str, traveller: str) -> str:
    return f"ITN-{trip_id}-{traveller}"
