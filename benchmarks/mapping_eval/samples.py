"""Seeded sample values, so value profiles are evidence and nothing big is stored.

Each row has a base date and a base net amount, so related columns stay consistent:
a due date is 30 days after the issue date, tax is 21% of net, total is net + tax.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

import pandas as pd

from imports_pipeline.templates.model import ColumnType, Template, TemplateColumn

FIRST = [
    "Ana",
    "Luis",
    "Marie",
    "Jean",
    "Hans",
    "Greta",
    "Giulia",
    "Marco",
    "João",
    "Inês",
    "John",
    "Emily",
    "Carlos",
    "Lucía",
    "Pierre",
    "Sophie",
    "Jürgen",
    "Paolo",
    "Rita",
    "Tom",
]
LAST = [
    "García",
    "Martín",
    "Dubois",
    "Laurent",
    "Müller",
    "Schmidt",
    "Rossi",
    "Bianchi",
    "Silva",
    "Santos",
    "Smith",
    "Brown",
    "López",
    "Moreau",
    "Weber",
    "Ferrari",
    "Costa",
]
COMPANIES = [
    "Acme S.L.",
    "Transportes Ruiz SA",
    "Dupont SARL",
    "Müller GmbH",
    "Rossi S.p.A.",
    "Silva & Filhos Lda",
    "Globex Ltd",
    "Initech Inc",
    "Hoffmann AG",
    "Costa Lda",
]
CITIES = [
    "Madrid",
    "Barcelona",
    "Paris",
    "Lyon",
    "Berlin",
    "München",
    "Milano",
    "Roma",
    "Lisboa",
    "Porto",
    "London",
    "Valencia",
]
STREETS = [
    "Calle Mayor 5",
    "Rue de la Paix 12",
    "Hauptstraße 7",
    "Via Roma 3",
    "Rua Augusta 45",
    "High Street 10",
    "Avenida Diagonal 640",
]
WORDS = [
    "servicio",
    "monthly fee",
    "Wartung",
    "consulting",
    "frais",
    "projet alpha",
    "pedido urgente",
    "nota",
    "ricambi",
    "diverse",
]


def _iban(rng: random.Random) -> str:
    country = rng.choice(["ES", "DE", "FR", "IT", "PT"])
    return country + "".join(rng.choice("0123456789") for _ in range(22))


def _vat(rng: random.Random) -> str:
    country = rng.choice(["ES", "DE", "FR", "IT", "PT"])
    return country + "".join(rng.choice("0123456789") for _ in range(9))


def _email(rng: random.Random) -> str:
    user = rng.choice(FIRST).lower().translate(str.maketrans("ãêüéí", "aeuei"))
    return f"{user}.{rng.randint(1, 999)}@{rng.choice(['acme.com', 'mail.de', 'corp.fr'])}"


Row = dict[str, float | date]
Gen = Callable[[random.Random, Row, str], str]


def _fmt_date(day: date, lang: str) -> str:
    if lang == "en":
        return day.isoformat()
    if lang == "de":
        return day.strftime("%d.%m.%Y")
    return day.strftime("%d/%m/%Y")


def _fmt_number(value: float, lang: str, decimals: int = 2) -> str:
    text = f"{value:.{decimals}f}"
    return text.replace(".", ",") if lang != "en" else text


def _date(offset: Callable[[Row], int]) -> Gen:
    def make(rng: random.Random, row: Row, lang: str) -> str:
        base = row["day"]
        assert isinstance(base, date)
        return _fmt_date(base + timedelta(days=offset(row)), lang)

    return make


def _number(value: Callable[[random.Random, Row], float], decimals: int = 2) -> Gen:
    return lambda rng, row, lang: _fmt_number(value(rng, row), lang, decimals)


def _pick(choices: list[str]) -> Gen:
    return lambda rng, row, lang: rng.choice(choices)


def _net(row: Row) -> float:
    return float(row["net"])


KINDS: dict[str, Gen] = {
    "date": _date(lambda row: 0),
    "date_after": _date(lambda row: 30),
    "date_later": _date(lambda row: int(row["lag"])),
    "date_long_ago": _date(lambda row: -int(row["age"])),
    "posting_date": _date(lambda row: 1),
    "net": _number(lambda rng, row: _net(row)),
    "tax": _number(lambda rng, row: _net(row) * 0.21),
    "gross": _number(lambda rng, row: _net(row) * 1.21),
    "amount": _number(lambda rng, row: rng.uniform(5, 5000)),
    "signed_amount": _number(lambda rng, row: rng.uniform(-3000, 3000)),
    "fee": _number(lambda rng, row: rng.uniform(0.1, 30)),
    "amount_large": _number(lambda rng, row: rng.uniform(150, 9000)),
    "balance": _number(lambda rng, row: rng.uniform(1000, 90000)),
    "price": _number(lambda rng, row: rng.uniform(1, 900)),
    "percent": _number(lambda rng, row: rng.choice([0, 5, 10, 15, 20]), 0),
    "vat_rate": _number(lambda rng, row: rng.choice([4, 10, 21, 19, 20, 23]), 0),
    "quantity": _number(lambda rng, row: rng.randint(1, 500), 0),
    "stock": _number(lambda rng, row: rng.randint(0, 2000), 0),
    "small_int": _number(lambda rng, row: rng.randint(1, 6), 0),
    "line": _number(lambda rng, row: rng.randint(1, 9) * 10, 0),
    "year": _number(lambda rng, row: 2024, 0),
    "grams": _number(lambda rng, row: rng.randint(50, 5000), 0),
    "weight": _number(lambda rng, row: rng.uniform(0.2, 80)),
    "salary": _number(lambda rng, row: rng.uniform(18000, 95000)),
    "hours": _number(lambda rng, row: rng.choice([0.5, 1, 2, 3.5, 4, 6, 7.5, 8])),
    "rate": _number(lambda rng, row: rng.choice([45, 60, 75, 90, 120]), 0),
    "kwh": _number(lambda rng, row: rng.uniform(100, 9000), 1),
    "reading": _number(lambda rng, row: rng.uniform(10000, 990000), 0),
    "docno": lambda rng, row, lang: f"{rng.randint(1, 99999):05d}-{rng.randint(10, 99)}",
    "invoice_no": lambda rng, row, lang: f"F2024-{rng.randint(1, 9999):04d}",
    "po_no": lambda rng, row, lang: f"45{rng.randint(10000000, 99999999)}",
    "txn_id": lambda rng, row, lang: f"txn_{rng.randint(10**9, 10**10)}",
    "tracking": lambda rng, row, lang: f"JD{rng.randint(10**15, 10**16)}",
    "meter": lambda rng, row, lang: f"ES0021{rng.randint(10**13, 10**14)}AB",
    "employee_no": lambda rng, row, lang: f"{rng.randint(1000, 9999)}",
    "int_id": lambda rng, row, lang: str(rng.randint(1, 10**6)),
    "customer_no": lambda rng, row, lang: f"C{rng.randint(10000, 99999)}",
    "account_no": lambda rng, row, lang: str(rng.randint(10000, 99999)),
    "sku": lambda rng, row, lang: f"SKU-{rng.randint(1000, 9999)}",
    "ean": lambda rng, row, lang: str(rng.randint(10**12, 10**13 - 1)),
    "code": lambda rng, row, lang: rng.choice(["A1", "B2", "Z9", "K7", "X3"]),
    "company_code": lambda rng, row, lang: rng.choice(["1000", "2000", "3000"]),
    "plant": lambda rng, row, lang: rng.choice(["P100", "P200", "MAD1", "BCN2"]),
    "unit": lambda rng, row, lang: rng.choice(["ST", "KG", "PCE", "L"]),
    "initials": lambda rng, row, lang: rng.choice(["JD", "AM", "LR"]),
    "person": lambda rng, row, lang: f"{rng.choice(FIRST)} {rng.choice(LAST)}",
    "first_name": lambda rng, row, lang: rng.choice(FIRST),
    "last_name": lambda rng, row, lang: rng.choice(LAST),
    "company": lambda rng, row, lang: rng.choice(COMPANIES),
    "email": lambda rng, row, lang: _email(rng),
    "phone": lambda rng, row, lang: (
        f"+{rng.choice(['34', '33', '49', '39'])} {rng.randint(600000000, 699999999)}"
    ),
    "street": _pick(STREETS),
    "city": _pick(CITIES),
    "postcode": lambda rng, row, lang: f"{rng.randint(10000, 99999)}",
    "iban": lambda rng, row, lang: _iban(rng),
    "vat": lambda rng, row, lang: _vat(rng),
    "text": lambda rng, row, lang: f"{rng.choice(WORDS)} {rng.randint(1, 99)}",
    "slug": lambda rng, row, lang: f"product-{rng.randint(1, 999)}",
    "industry": _pick(["Retail", "Logistics", "Energy", "Banking"]),
    "department": _pick(["Sales", "Finance", "IT", "HR", "Operations", "Ventas", "Vertrieb"]),
    "job_title": _pick(["Accountant", "Developer", "Sales Manager", "Técnico", "Ingenieur"]),
    "category_text": _pick(["Tools", "Garden", "Electronics", "Herramientas", "Jardin"]),
    "project": _pick(["Website relaunch", "ERP rollout", "Audit 2024", "Proyecto Norte"]),
    "task": _pick(["Design", "Development", "Meeting", "QA", "Reunión"]),
    "site": _pick(["HQ Madrid", "Plant Lyon", "Lager Berlin", "Sede Milano"]),
    "carrier": _pick(["DHL", "UPS", "SEUR", "GLS", "Chronopost", "CTT"]),
    "yes_no": _pick(["yes", "no"]),
    "bool": _pick(["TRUE", "FALSE"]),
    "read_type": _pick(["A", "E", "C"]),
    "booking_text": _pick(["LASTSCHRIFT", "GUTSCHRIFT", "UEBERWEISUNG"]),
    "stripe_category": _pick(["charge", "refund", "payout"]),
    "paypal_type": _pick(["Express Checkout Payment", "Refund", "General Withdrawal"]),
    "country_name": _pick(["Spain", "France", "Portugal"]),
    # fresh held-out domains (fresh_held_out.py)
    "date_before": _date(lambda row: -int(row["lag"])),
    "clock_time": lambda rng, row, lang: (
        f"{rng.randint(8, 19):02d}:{rng.choice([0, 15, 30, 45]):02d}"
    ),
    "doctor": lambda rng, row, lang: f"Dr. {rng.choice(FIRST)} {rng.choice(LAST)}",
    "minutes": _number(lambda rng, row: rng.choice([10, 15, 20, 30, 45, 60]), 0),
    "visit_fee": _number(lambda rng, row: rng.choice([35, 50, 60, 75, 90, 120])),
    "property_price": _number(lambda rng, row: rng.randint(60, 900) * 1000, 0),
    "area": _number(lambda rng, row: rng.randint(35, 320), 0),
    "bathrooms": _number(lambda rng, row: rng.randint(1, 3), 0),
    # new tune domains (header_sets.NEW_DOMAINS)
    "ticket_no": lambda rng, row, lang: f"{rng.randint(10**9, 10**10 - 1)}",
    "order_no": lambda rng, row, lang: f"{rng.randint(10**8, 10**9 - 1)}",
    "event_name": _pick(["Tech Summit 2024", "Jazz Night", "Workshop Python", "Feria del Libro"]),
    "ticket_price": _number(lambda rng, row: rng.choice([0, 15, 25, 49, 99, 199])),
    "attendee_status": _pick(["Attending", "Checked In", "Not attending"]),
    "yes_no_local": lambda rng, row, lang: rng.choice(
        {
            "es": ["Sí", "No"],
            "fr": ["Oui", "Non"],
            "de": ["Ja", "Nein"],
            "pt": ["Sim", "Não"],
            "it": ["Sì", "No"],
        }.get(lang, ["Yes", "No"])
    ),
    "vehicle_code": lambda rng, row, lang: (
        f"{rng.choice(['VAN', 'TRK', 'CAR'])}-{rng.randint(1, 400):03d}"
    ),
    "vin": lambda rng, row, lang: "".join(
        rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(17)
    ),
    "plate": lambda rng, row, lang: (
        f"{rng.randint(1000, 9999)} {''.join(rng.choice('BCDFGHJKLMNPRSTVWXYZ') for _ in range(3))}"
    ),
    "make": _pick(["Ford", "Renault", "Mercedes-Benz", "Volkswagen", "Fiat", "Toyota", "Iveco"]),
    "vehicle_model": _pick(["Transit", "Kangoo", "Sprinter", "Crafter", "Ducato", "Corolla"]),
    "model_year": _number(lambda rng, row: rng.randint(2012, 2024), 0),
    "odometer": _number(lambda rng, row: rng.randint(5000, 320000), 0),
    "vehicle_type": _pick(["Van", "Truck", "Car"]),
    "confirmation": lambda rng, row, lang: str(rng.randint(10**9, 10**10 - 1)),
    "booking_total": _number(lambda rng, row: rng.uniform(80, 2500)),
    "nights": _number(lambda rng, row: int(row["lag"]) % 7 + 1, 0),
    "adults": _number(lambda rng, row: rng.randint(1, 4), 0),
    "children": _number(lambda rng, row: rng.randint(0, 3), 0),
    "booking_status": _pick(["ok", "cancelled_by_guest", "no_show"]),
    "board": _pick(["BB", "HB", "FB", "RO"]),
    "rate_code": _pick(["BAR", "RACK", "CORP", "NRF"]),
    "lead_no": lambda rng, row, lang: (
        "00Q"
        + "".join(
            rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789")
            for _ in range(15)
        )
    ),
    "revenue": _number(lambda rng, row: rng.randint(1, 500) * 100000, 0),
    "rating": _pick(["Hot", "Warm", "Cold"]),
    "lifecycle": _pick(["Lead", "Subscriber", "Marketing qualified lead"]),
    "asset_tag": lambda rng, row, lang: f"IT-{rng.randint(1, 99999):05d}",
    "serial": lambda rng, row, lang: "".join(
        rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(12)
    ),
    "device_model": _pick(["Latitude 5440", "ThinkPad T14", "MacBook Pro 14", "EliteDesk 800"]),
    "manufacturer": _pick(["Dell", "Lenovo", "Apple", "HP", "Samsung"]),
    "warranty": _number(lambda rng, row: rng.choice([12, 24, 36, 48]), 0),
    "device_cost": _number(lambda rng, row: rng.uniform(150, 2800)),
    "policy_no": lambda rng, row, lang: f"POL-{rng.randint(10**6, 10**7 - 1)}",
    "premium": _number(lambda rng, row: rng.uniform(120, 4000)),
    "sum_insured": _number(lambda rng, row: rng.randint(5, 900) * 1000, 0),
    "student_no": lambda rng, row, lang: f"{rng.randint(10**6, 10**7 - 1)}",
    "course_code": lambda rng, row, lang: (
        f"{rng.choice(['MAT', 'HIS', 'CS', 'ECO', 'BIO'])}{rng.randint(100, 499)}"
    ),
    "grade": _number(lambda rng, row: rng.uniform(40, 100), 1),
    "username": lambda rng, row, lang: (
        f"{rng.choice(FIRST).lower()[:1]}{rng.choice(LAST).lower()}{rng.randint(1, 99)}"
    ),
    "stock_code": lambda rng, row, lang: f"{rng.randint(100000, 999999)}",
    "ingredient": _pick(["Olive oil", "Tomato", "Flour 00", "Mozzarella", "Basil", "Salmon"]),
    "on_hand": _number(lambda rng, row: rng.uniform(0, 80), 1),
    "par": _number(lambda rng, row: rng.choice([5, 10, 20, 40]), 0),
    "unit_cost": _number(lambda rng, row: rng.uniform(0.5, 60)),
    "helpdesk_no": lambda rng, row, lang: str(rng.randint(1000, 99999)),
    "subject": _pick(
        [
            "Cannot log in",
            "Invoice missing",
            "Error 500 on export",
            "Cambio de plan",
            "Problème de connexion",
            "Lieferung fehlt",
        ]
    ),
    "csat": _number(lambda rng, row: rng.randint(1, 5), 0),
    "sub_id": lambda rng, row, lang: (
        "sub_" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(14))
    ),
    "mrr": _number(lambda rng, row: rng.choice([29, 49, 99, 299, 990]) * rng.randint(1, 5)),
    "seats": _number(lambda rng, row: rng.randint(1, 50), 0),
    "coupon": _pick(["WELCOME10", "BLACKFRIDAY", "PARTNER20", ""]),
    "gift_no": lambda rng, row, lang: f"D-{rng.randint(10000, 99999)}",
    "gift": _number(lambda rng, row: rng.choice([5, 10, 20, 25, 50, 100, 250])),
    "campaign": _pick(["Winter appeal", "Gala 2024", "Campaña Navidad", "Spendenlauf"]),
    "fund": _pick(["General fund", "Education", "Emergency relief", "Fondo becas"]),
    "group": _pick(["Support", "Billing", "Tier 2"]),
    "plan_code": _pick(["basic-monthly", "pro-annual", "enterprise"]),
    "work_order": lambda rng, row, lang: f"10{rng.randint(100000, 999999)}",
    "order_qty": _number(lambda rng, row: rng.randint(10, 5000), 0),
    "work_center": _pick(["WC-ASSY1", "CNC-02", "PAINT", "PACK-01"]),
    "campaign_title": _pick(
        ["Newsletter March", "Black Friday", "Boletín abril", "Webinar invite"]
    ),
    "audience": _pick(["Customers EU", "Newsletter", "Leads 2024", "Clientes ES"]),
    "recipients": _number(lambda rng, row: rng.randint(2000, 60000), 0),
    "opens": _number(lambda rng, row: rng.randint(400, 20000), 0),
    "clicks": _number(lambda rng, row: rng.randint(20, 3000), 0),
    "bounces": _number(lambda rng, row: rng.randint(0, 400), 0),
    "unsubs": _number(lambda rng, row: rng.randint(0, 120), 0),
    "rate_pct": _number(lambda rng, row: rng.uniform(8, 55), 1),
    "weekday": _pick(["Monday", "Tuesday", "Thursday"]),
    "candidate_no": lambda rng, row, lang: str(rng.randint(10**7, 10**8 - 1)),
    "job_opening": _pick(["Backend Engineer", "Account Executive", "Enfermera", "Buchhalter/in"]),
    "member_no": lambda rng, row, lang: f"M{rng.randint(10000, 99999)}",
    "fee_month": _number(lambda rng, row: rng.choice([19.9, 29.9, 39, 49, 59])),
    "club": _pick(["Centro", "Nord", "Downtown", "Studio Süd"]),
    "rental_no": lambda rng, row, lang: f"R-{rng.randint(100000, 999999)}",
    "equipment": _pick(["Mini excavator", "Scissor lift", "Hormigonera", "Bohrhammer"]),
    "day_rate": _number(lambda rng, row: rng.choice([35, 60, 120, 250])),
    "deposit": _number(lambda rng, row: rng.choice([100, 250, 500, 1000]), 0),
}
"""Generators by value kind."""

COLUMN_KINDS: dict[str, str] = {
    "invoice_number": "invoice_no",
    "issue_date": "date",
    "due_date": "date_after",
    "customer_name": "company",
    "customer_vat": "vat",
    "net_amount": "net",
    "tax_amount": "tax",
    "total_amount": "gross",
    "po_number": "po_no",
    "line_number": "line",
    "order_date": "date",
    "delivery_date": "date_later",
    "supplier": "company",
    "item_code": "sku",
    "quantity": "quantity",
    "unit_price": "price",
    "discount_pct": "percent",
    "customer_id": "customer_no",
    "company_name": "company",
    "contact_name": "person",
    "email": "email",
    "phone": "phone",
    "street": "street",
    "city": "city",
    "postal_code": "postcode",
    "vat_id": "vat",
    "sku": "sku",
    "name": "text",
    "category": "category_text",
    "price": "price",
    "cost": "price",
    "stock": "stock",
    "weight_kg": "weight",
    "barcode": "ean",
    "active": "bool",
    "employee_id": "employee_no",
    "first_name": "first_name",
    "last_name": "last_name",
    "work_email": "email",
    "hire_date": "date",
    "birth_date": "date_long_ago",
    "department": "department",
    "job_title": "job_title",
    "salary": "salary",
    "meter_id": "meter",
    "period_start": "date",
    "period_end": "date_after",
    "consumption_kwh": "kwh",
    "reading_value": "reading",
    "site": "site",
    "tracking_number": "tracking",
    "ship_date": "date",
    "carrier": "carrier",
    "packages": "small_int",
    "recipient_postcode": "postcode",
    "booking_date": "date",
    "value_date": "posting_date",
    "amount": "signed_amount",
    "balance": "balance",
    "counterparty": "company",
    "counterparty_iban": "iban",
    "reference": "text",
    "employee": "person",
    "work_date": "date",
    "project": "project",
    "task": "task",
    "hours": "hours",
    "billable": "yes_no",
    "hourly_rate": "rate",
    "notes": "text",
    "expense_id": "docno",
    "expense_date": "date",
    "employee_email": "email",
    "merchant": "company",
    "vat_rate": "vat_rate",
    "appointment_id": "int_id",
    "appointment_date": "date",
    "patient_name": "person",
    "patient_email": "email",
    "patient_phone": "phone",
    "practitioner": "doctor",
    "duration_minutes": "minutes",
    "fee": "visit_fee",
    "booked_on": "date_before",
    "listing_ref": "docno",
    "listed_on": "date",
    "asking_price": "property_price",
    "floor_area_m2": "area",
    "bedrooms": "small_int",
    "bathrooms": "bathrooms",
    "property_city": "city",
    "property_postcode": "postcode",
    "agent_email": "email",
    "ticket_id": "ticket_no",
    "order_id": "order_no",
    "event": "event_name",
    "amount_paid": "ticket_price",
    "registered_at": "date",
    "checked_in": "yes_no_local",
    "vehicle_id": "vehicle_code",
    "vin": "vin",
    "license_plate": "plate",
    "make": "make",
    "model": "vehicle_model",
    "year": "model_year",
    "odometer_km": "odometer",
    "last_service_date": "date",
    "driver": "person",
    "confirmation_number": "confirmation",
    "guest_name": "person",
    "guest_email": "email",
    "arrival_date": "date",
    "departure_date": "date_later",
    "adults": "adults",
    "total_price": "booking_total",
    "lead_id": "lead_no",
    "company": "company",
    "annual_revenue": "revenue",
    "owner": "person",
    "created_on": "date",
    "asset_tag": "asset_tag",
    "serial_number": "serial",
    "manufacturer": "manufacturer",
    "purchase_date": "date",
    "purchase_cost": "device_cost",
    "warranty_months": "warranty",
    "assigned_to": "person",
    "location": "site",
    "policy_number": "policy_no",
    "policyholder": "person",
    "policy_start": "date",
    "policy_end": "date_after",
    "annual_premium": "premium",
    "sum_insured": "sum_insured",
    "broker": "company",
    "student_id": "student_no",
    "course_code": "course_code",
    "enrolled_on": "date",
    "completed_on": "date_later",
    "final_grade": "grade",
    "item_name": "ingredient",
    "on_hand": "on_hand",
    "par_level": "par",
    "unit_cost": "unit_cost",
    "expiry_date": "date_later",
    "last_delivery": "date_before",
    "subject": "subject",
    "requester_email": "email",
    "assignee": "person",
    "opened_at": "date",
    "solved_at": "date_later",
    "satisfaction": "csat",
    "subscription_id": "sub_id",
    "customer_email": "email",
    "mrr": "mrr",
    "started_on": "date",
    "renews_on": "date_after",
    "seats": "seats",
    "coupon": "coupon",
    "donation_id": "gift_no",
    "donor": "person",
    "donor_email": "email",
    "gift_amount": "gift",
    "gift_date": "date",
    "campaign": "campaign",
    "fund": "fund",
    "recurring": "yes_no_local",
    "work_order": "work_order",
    "product_code": "sku",
    "planned_qty": "order_qty",
    "produced_qty": "order_qty",
    "planned_start": "date",
    "planned_finish": "date_later",
    "work_center": "work_center",
    "campaign_name": "campaign_title",
    "audience": "audience",
    "sent_on": "date",
    "recipients": "recipients",
    "opens": "opens",
    "clicks": "clicks",
    "bounces": "bounces",
    "unsubscribes": "unsubs",
    "open_rate": "rate_pct",
    "candidate_id": "candidate_no",
    "position": "job_opening",
    "applied_on": "date",
    "expected_salary": "salary",
    "member_id": "member_no",
    "member_name": "person",
    "joined_on": "date",
    "ends_on": "date_after",
    "monthly_fee": "fee_month",
    "club": "club",
    "rental_id": "rental_no",
    "renter": "company",
    "equipment": "equipment",
    "rented_from": "date",
    "returned_on": "date_later",
    "daily_rate": "day_rate",
    "deposit": "deposit",
    "returned": "yes_no_local",
    "depot": "site",
}
"""Value kind of each evaluation template column (keys are unique enough across templates)."""

OVERRIDES = {
    ("support_tickets", "ticket_id"): "helpdesk_no",
    ("stock_items", "item_code"): "stock_code",
    ("it_assets", "model"): "device_model",
    ("expenses", "amount"): "amount",
    ("meter_readings", "cost"): "amount",
    ("products", "name"): "text",
    ("timesheets", "notes"): "text",
}


def _option_values(column: TemplateColumn, rng: random.Random) -> str:
    assert column.options is not None
    option = rng.choice(column.options)
    return rng.choice([option.value, option.label])


def column_values(
    template: Template, target: str, rows: list[Row], rng: random.Random, lang: str
) -> list[str]:
    """Sample cells of one source column: ``target`` is a column key, ``~kind`` or ``key!kind``."""
    if target.startswith("~"):
        kind = target[1:]
        return [KINDS[kind](rng, row, lang) for row in rows]
    key, _, kind = target.partition("!")
    column = template.column(key)
    if column.type is ColumnType.CATEGORY and not kind:
        return [_option_values(column, rng) for _ in rows]
    kind = kind or OVERRIDES.get((template.id, key)) or COLUMN_KINDS[key]
    return [KINDS[kind](rng, row, lang) for row in rows]


def sample_frame(
    template: Template, columns: list[tuple[str, str]], lang: str, seed: int, n_rows: int = 30
) -> pd.DataFrame:
    rng = random.Random(seed)
    rows: list[Row] = [
        {
            "day": date(2024, 1, 1) + timedelta(days=rng.randint(0, 300)),
            "net": rng.uniform(50, 8000),
            "lag": rng.randint(2, 20),
            "age": rng.randint(20 * 365, 60 * 365),
        }
        for _ in range(n_rows)
    ]
    data = {header: column_values(template, target, rows, rng, lang) for header, target in columns}
    return pd.DataFrame(data, dtype="str")
