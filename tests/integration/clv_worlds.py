"""Raw files drawn transaction by transaction from known BG/NBD and Gamma-Gamma parameters, so that the status of
each lifetime-value fit is known before the build: with dropouts and spend that varies from purchase to purchase
both fits are ok; nobody ever leaving makes the BG/NBD degenerate (a → 0); customers' mean spends drawn with q < 1
make the Gamma-Gamma degenerate (its population mean does not exist). The test sample's generator plants its own
behaviour, which need not identify the models; these worlds do, whatever the generator becomes.

Each customer's first purchase falls in the first FIRST_PURCHASE_DAYS of the history; while alive it buys at its
rate λ ~ Gamma(r, α) (days), leaves after a repeat purchase with probability p ~ Beta(a, b), and each purchase is
worth Gamma(p, ν) with ν ~ Gamma(q, v), to the cent. Purchases falling on one day make one purchase day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CUSTOMERS_HEADER = (
    "customer_id,first_name,last_name,email,phone,date_of_birth,gender,city,state,country,"
    "postal_code,signup_date,account_status"
)
TRANSACTIONS_HEADER = "transaction_id,customer_id,transaction_date,amount,merchant_category"
FIRST_PURCHASE_DAYS = 400


@dataclass(frozen=True)
class World:
    customers: int
    seed: int
    start: dt.date
    end: dt.date  # the last day with purchases
    r: float = 2.0
    alpha: float = 40.0
    a: float = 2.0
    b: float = 8.0
    dropout: bool = True
    p: float = 6.0
    q: float = 4.0
    v: float = 25.0


def purchases(world: World) -> list[tuple[int, dt.date, float]]:
    """(customer_id, date, amount) of every purchase, in customer and time order."""
    generator = np.random.default_rng(world.seed)
    horizon = (world.end - world.start).days
    rows = []
    for customer_id in range(1, world.customers + 1):
        first = int(generator.integers(0, FIRST_PURCHASE_DAYS))
        rate = generator.gamma(world.r, 1 / world.alpha)
        leave = generator.beta(world.a, world.b) if world.dropout else 0.0
        scale = 1 / generator.gamma(world.q, 1 / world.v)
        days = [first]
        time = float(first)
        while True:
            time += generator.exponential(1 / rate)
            if time > horizon:
                break
            days.append(int(time))
            if generator.random() < leave:
                break
        for day in days:
            amount = max(round(float(generator.gamma(world.p, scale)), 2), 0.01)
            rows.append((customer_id, world.start + dt.timedelta(days=day), amount))
    return rows


def write(world: World, raw: Path) -> Path:
    """customers.csv and transactions.csv for the world, in `raw`."""
    raw.mkdir(parents=True, exist_ok=True)
    signup = world.start - dt.timedelta(days=30)
    customers = [CUSTOMERS_HEADER] + [
        f"{cid},First{cid},Last{cid},c{cid}@example.com,,1980-01-01,Other,Springfield,IL,USA,62701,{signup},active"
        for cid in range(1, world.customers + 1)
    ]
    transactions = [TRANSACTIONS_HEADER] + [
        f"{index},{customer_id},{day.isoformat()},{amount:.2f},Restaurants"
        for index, (customer_id, day, amount) in enumerate(purchases(world), start=1)
    ]
    (raw / "customers.csv").write_text("\n".join(customers) + "\n")
    (raw / "transactions.csv").write_text("\n".join(transactions) + "\n")
    return raw
