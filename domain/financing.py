"""An indicative credit simulation for a car: down payments of 20, 30 and 40 %, tenors of one
to five years, at the tenant's flat rate. Pure integer arithmetic on rupiah.

Flat rate, as Indonesian car leasing quotes it: the interest is charged on the whole amount
financed for every year of the tenor, and the total is paid in equal monthly instalments:

    financed  = price - down payment
    interest  = financed x rate per year x years
    monthly   = (financed + interest) / (12 x years), rounded UP to the next Rp 1.000

It is an estimate and every text that shows it says so: the leasing company sets the real
figures (insurance, fees and the rate for the buyer's profile come on top).
"""

from __future__ import annotations

from dataclasses import dataclass

DP_SHARES_PCT = (20, 30, 40)
TENORS_YEARS = (1, 2, 3, 4, 5)
ROUND_TO_IDR = 1000
BASIS_POINTS = 10_000  # 1 % = 100 basis points


def rate_basis_points(rate_pct_per_year: float) -> int:
    """5.5 (% per year) -> 550: the rate as a whole number, so money stays integer."""
    return round(rate_pct_per_year * 100)


def monthly_instalment(price_idr: int, dp_idr: int, years: int, rate_bp: int) -> int:
    """The monthly instalment by the flat-rate formula, rounded up to Rp 1.000."""
    financed = max(price_idr - dp_idr, 0)
    months = 12 * years
    # (financed + financed * rate * years) / months, in basis points to stay exact
    total_bp = financed * (BASIS_POINTS + rate_bp * years)
    monthly = -(-total_bp // (BASIS_POINTS * months))  # ceiling division
    return -(-monthly // ROUND_TO_IDR) * ROUND_TO_IDR


@dataclass(frozen=True, slots=True)
class DownPaymentRow:
    dp_idr: int
    dp_pct: int | None  # None for a DP the buyer named as an amount
    monthly_by_years: tuple[tuple[int, int], ...]  # (years, monthly instalment)


@dataclass(frozen=True, slots=True)
class Simulation:
    price_idr: int
    rate_bp: int
    rows: tuple[DownPaymentRow, ...]


def simulate(
    price_idr: int,
    rate_pct_per_year: float,
    *,
    dp_idr: int | None = None,
    dp_pct: int | None = None,
    tenor_years: int | None = None,
) -> Simulation:
    """The simulation for a car: the usual down payments, and first the buyer's own when they
    named one (as an amount below the price, or a share); every tenor of 1-5 years, or only
    the one the buyer asked for."""
    rate_bp = rate_basis_points(rate_pct_per_year)
    tenors = (tenor_years,) if tenor_years in TENORS_YEARS else TENORS_YEARS
    wanted: list[tuple[int, int | None]] = []
    if dp_pct is not None and 0 < dp_pct < 100:
        wanted.append((price_idr * dp_pct // 100, dp_pct))
    elif dp_idr is not None and 0 < dp_idr < price_idr:
        wanted.append((dp_idr, None))
    for share in DP_SHARES_PCT:
        if all(pct != share for _, pct in wanted):
            wanted.append((price_idr * share // 100, share))
    rows = tuple(
        DownPaymentRow(
            dp,
            pct,
            tuple((years, monthly_instalment(price_idr, dp, years, rate_bp)) for years in tenors),
        )
        for dp, pct in wanted
    )
    return Simulation(price_idr, rate_bp, rows)
