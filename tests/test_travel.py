"""The one travel model: metres to minutes by kind, the inverse, and its argument checks."""

from __future__ import annotations

import numpy as np
import pytest

from geo.errors import ValidationError
from geo.settings import Settings
from geo.travel import TravelModel, travel_model

MODEL = TravelModel(walk_speed_kmh=6.0, drive_speed_kmh=36.0, walk_circuity=1.25,
                    drive_circuity=1.5, team_turnout_min=4.0)


@pytest.mark.parametrize(("kind", "mode"), [
    ("aed", "walk"), ("relief_store", "drive"), ("first_aid_station", "drive"),
    ("rescue_team", "drive"), ("community_hub", "drive"), ("training_base", "drive")])
def test_mode_by_kind(kind, mode):
    assert MODEL.mode(kind) == mode


def test_straight_line_minutes_apply_circuity_and_turnout():
    # 600 m straight line on foot: 600 * 1.25 / 100 m/min = 7.5 min
    assert MODEL.minutes(600.0, "aed") == pytest.approx(7.5)
    # 1200 m driving: 1200 * 1.5 / 600 m/min = 3 min
    assert MODEL.minutes(1200.0, "relief_store") == pytest.approx(3.0)
    # a team adds its turnout
    assert MODEL.minutes(1200.0, "rescue_team") == pytest.approx(7.0)
    np.testing.assert_allclose(MODEL.minutes(np.array([0.0, 600.0]), "aed"), [0.0, 7.5])


def test_network_minutes_have_no_circuity():
    assert MODEL.minutes(600.0, "aed", network=True) == pytest.approx(6.0)
    assert MODEL.minutes(600.0, "rescue_team", network=True) == pytest.approx(5.0)
    assert MODEL.minutes(600.0, "aed", network=True, speed_kmh=3.0) == pytest.approx(12.0)


def test_mode_override_walks_to_a_station():
    assert MODEL.minutes(600.0, "first_aid_station", mode="walk") == pytest.approx(7.5)


@pytest.mark.parametrize("kind", ["aed", "relief_store", "rescue_team"])
@pytest.mark.parametrize("network", [False, True])
def test_reach_inverts_minutes(kind, network):
    metres = MODEL.reach_m(12.0, kind, network=network)
    assert MODEL.minutes(metres, kind, network=network) == pytest.approx(12.0)


def test_reach_within_turnout_is_zero():
    assert MODEL.reach_m(3.0, "rescue_team") == 0.0
    # 3 minutes on foot: 300 m of walking, 240 m straight line
    assert MODEL.reach_m(3.0, "aed") == pytest.approx(240.0)


def test_from_settings_uses_the_settings():
    model = travel_model(Settings(walk_speed_kmh=4.0, walk_circuity=1.0))
    assert model.minutes(400.0, "aed") == pytest.approx(6.0)


@pytest.mark.parametrize(("field", "value", "match"), [
    ("walk_speed_kmh", 0.0, "walk_speed_kmh must be a finite number > 0, got 0.0"),
    ("drive_speed_kmh", float("inf"), "drive_speed_kmh must be a finite number > 0"),
    ("walk_circuity", 0.9, "walk_circuity must be a finite number >= 1"),
    ("team_turnout_min", -1.0, "team_turnout_min must be a finite number >= 0"),
])
def test_impossible_values_are_refused(field, value, match):
    with pytest.raises(ValidationError, match=match) as info:
        TravelModel(**{field: value})
    assert info.value.code == "bad_argument"
    assert info.value.params["name"] == field


def test_bad_mode_and_minutes():
    with pytest.raises(ValidationError, match="mode must be one of"):
        MODEL.minutes(1.0, "aed", mode="fly")
    with pytest.raises(ValidationError, match="minutes must be a finite number >= 0"):
        MODEL.reach_m(-1.0, "aed")
    with pytest.raises(ValidationError, match="speed_kmh must be a finite number > 0"):
        MODEL.minutes(1.0, "aed", speed_kmh=0)
