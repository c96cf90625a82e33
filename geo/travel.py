"""The one travel model: metres to minutes by kind (walk for AEDs, drive for the rest), and back.

Every answer that reports a travel time goes through :class:`TravelModel`: straight-line
nearest, road-network nearest, coverage reach in minutes, flood dispatch. Straight-line metres
are stretched by a circuity factor (network metres / straight-line metres); road-network metres
are already network metres. Rescue teams add a turnout time before they leave their base.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from geo.errors import ValidationError
from geo.settings import SETTINGS, Settings

Mode = Literal["walk", "drive"]
MODES: tuple[str, ...] = ("walk", "drive")
#: Kinds reached on foot (a bystander fetches the AED); every other kind is driven to.
WALK_KINDS: frozenset[str] = frozenset({"aed"})
#: Kinds whose trips start with a turnout (the team assembles before the vehicle leaves).
TURNOUT_KINDS: frozenset[str] = frozenset({"rescue_team"})
_M_PER_KM = 1000.0
_MIN_PER_H = 60.0


def _positive(name: str, value: float, *, at_least: float = 0.0, strict: bool = True) -> float:
    number = float(value)
    ok = math.isfinite(number) and (number > at_least if strict else number >= at_least)
    if not ok:
        sign = ">" if strict else ">="
        msg = f"{name} must be a finite number {sign} {at_least:g}, got {value!r}"
        raise ValidationError(msg, code="bad_argument",
                              params={"name": name, "value": str(value),
                                      "expected": f"{sign} {at_least:g}"})
    return number


@dataclass(frozen=True)
class TravelModel:
    """Speeds, circuity and turnout: how metres become minutes.

    Parameters
    ----------
    walk_speed_kmh, drive_speed_kmh : float
        Speeds in km/h (> 0).
    walk_circuity, drive_circuity : float
        Network metres per straight-line metre (>= 1), applied to straight-line distances only.
    team_turnout_min : float
        Minutes before a rescue team's vehicle leaves (>= 0).
    """

    walk_speed_kmh: float = 5.0
    drive_speed_kmh: float = 30.0
    walk_circuity: float = 1.3
    drive_circuity: float = 1.4
    team_turnout_min: float = 5.0

    def __post_init__(self) -> None:
        _positive("walk_speed_kmh", self.walk_speed_kmh)
        _positive("drive_speed_kmh", self.drive_speed_kmh)
        _positive("walk_circuity", self.walk_circuity, at_least=1.0, strict=False)
        _positive("drive_circuity", self.drive_circuity, at_least=1.0, strict=False)
        _positive("team_turnout_min", self.team_turnout_min, strict=False)

    @classmethod
    def from_settings(cls, settings: Settings = SETTINGS) -> TravelModel:
        """The model the settings describe (``RCD_WALK_SPEED_KMH`` and friends)."""
        return cls(settings.walk_speed_kmh, settings.drive_speed_kmh, settings.walk_circuity,
                   settings.drive_circuity, settings.team_turnout_min)

    @staticmethod
    def mode(kind: str) -> Mode:
        """``"walk"`` for AEDs (a bystander runs to fetch one), ``"drive"`` for every other kind."""
        return "walk" if kind in WALK_KINDS else "drive"

    def speed_m_per_min(self, mode: str) -> float:
        """Metres per minute of ``mode`` ("walk" or "drive")."""
        if mode == "walk":
            return self.walk_speed_kmh * _M_PER_KM / _MIN_PER_H
        if mode == "drive":
            return self.drive_speed_kmh * _M_PER_KM / _MIN_PER_H
        msg = f"mode must be one of {MODES}, got {mode!r}"
        raise ValidationError(msg)

    def circuity(self, mode: str) -> float:
        """Network metres per straight-line metre for ``mode``."""
        self.speed_m_per_min(mode)  # validates the mode
        return self.walk_circuity if mode == "walk" else self.drive_circuity

    def turnout_min(self, kind: str) -> float:
        """Minutes before the trip starts: the team turnout for rescue teams, else 0."""
        return self.team_turnout_min if kind in TURNOUT_KINDS else 0.0

    def minutes(self, distance_m: np.ndarray | float, kind: str, *, network: bool = False,
                mode: str | None = None, speed_kmh: float | None = None) -> np.ndarray:
        """Travel minutes for distances to (or from) resources of ``kind``.

        Parameters
        ----------
        distance_m : array-like of float
            Metres: straight-line (``network=False``) or along the road network.
        kind : str
            Resource kind: picks the mode (unless ``mode`` is given) and the turnout.
        network : bool, default False
            True when the metres are network metres (no circuity factor).
        mode : {"walk", "drive"}, optional
            Override the kind's mode (e.g. walking to a first-aid station).
        speed_kmh : float, optional
            Override the mode's speed.

        Returns
        -------
        numpy.ndarray of float64
            ``distance x circuity / speed + turnout``.
        """
        mode = mode or self.mode(kind)
        speed = (self.speed_m_per_min(mode) if speed_kmh is None
                 else _positive("speed_kmh", speed_kmh) * _M_PER_KM / _MIN_PER_H)
        factor = 1.0 if network else self.circuity(mode)
        minutes = np.asarray(distance_m, dtype="float64") * factor / speed
        return minutes + self.turnout_min(kind)

    def reach_m(self, minutes: float, kind: str, *, network: bool = False,
                mode: str | None = None) -> float:
        """The distance (m) covered within ``minutes``: the inverse of :meth:`minutes`.

        Straight-line metres unless ``network``; the turnout is spent first, so a team with
        less time than its turnout reaches 0 m.
        """
        minutes = _positive("minutes", minutes, strict=False)
        mode = mode or self.mode(kind)
        moving = max(minutes - self.turnout_min(kind), 0.0)
        factor = 1.0 if network else self.circuity(mode)
        return moving * self.speed_m_per_min(mode) / factor


def travel_model(settings: Settings = SETTINGS) -> TravelModel:
    """The travel model of ``settings`` (the configured one by default)."""
    return TravelModel.from_settings(settings)
