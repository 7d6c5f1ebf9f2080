"""Generate a synthetic logistics_requests CSV of N rows (seeded), ~1% bad cells.

Usage: python gen_logistics.py N OUT.csv [--locale es_ES|en_US]
"""

import csv
import datetime as dt
import random
import sys


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    locale = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--locale" else "es_ES"
    sep = ";" if locale == "es_ES" else ","
    rnd = random.Random(42)
    countries = ["ES", "FR", "DE", "PT", "IT", "NL", "BE", "PL", "Spain", "france", "Alemania"]
    tocs = ["Van <3.5t", "Rigid truck 7.5-12t", "Articulated truck >33t", "van", "Truck (rigid)"]
    fuels = ["diesel", "Diesel", "petrol", "HVO", "electric", "LNG"]
    clients = [f"Client {i:04d}" for i in range(500)]
    start = dt.date(2026, 1, 1)

    def num(x):
        s = f"{x:.1f}"
        return s.replace(".", ",") if locale == "es_ES" else s

    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=sep)
        w.writerow(
            [
                "Trip Date",
                "Client",
                "Distance",
                "Origin Country",
                "Destination Country",
                "Vehicle Type",
                "Load (kg)",
                "Fuel",
                "Cost EUR",
                "Reference",
            ]
        )
        for i in range(n):
            d = start + dt.timedelta(days=rnd.randrange(365))
            row = [
                d.isoformat(),
                rnd.choice(clients),
                num(rnd.uniform(1, 2500)),
                rnd.choice(countries),
                rnd.choice(countries),
                rnd.choice(tocs),
                num(rnd.uniform(10, 40000)),
                rnd.choice(fuels),
                num(rnd.uniform(5, 9000)),
                f"REF-{i:08d}",
            ]
            r = rnd.random()
            if r < 0.003:
                row[2] = "n/a"
            elif r < 0.006:
                row[0] = "31/02/2026"
            elif r < 0.008:
                row[1] = ""
            elif r < 0.010:
                row[9] = f"REF-{max(i - 1, 0):08d}"  # duplicate key
            w.writerow(row)


if __name__ == "__main__":
    main()
