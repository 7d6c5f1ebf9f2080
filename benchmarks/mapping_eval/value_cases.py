"""Value-mapping cases: raw cells as exports spell them -> the option they mean (None: no option).

Tune: invoice status, energy, employment type, customer countries, built-in vehicle types.
Held out: expense categories and payment methods, shipment countries, bank currencies.
"""

from __future__ import annotations

ValueCase = tuple[str, str, str, str | None]
"""(template id, column key, raw value, expected option value or None)."""

TUNE: list[ValueCase] = [
    *[
        ("invoices", "status", raw, "paid")
        for raw in ["Pagada", "Cobrada", "Payée", "Bezahlt", "Pagata", "Paga", "PAID", "piad"]
    ],
    *[
        ("invoices", "status", raw, "sent")
        for raw in ["Enviada", "Envoyée", "Versendet", "Inviata", "Emitida", "Sent to customer"]
    ],
    *[
        ("invoices", "status", raw, "draft")
        for raw in ["Borrador", "Brouillon", "Entwurf", "Bozza", "Rascunho"]
    ],
    *[
        ("invoices", "status", raw, "overdue")
        for raw in ["Vencida", "En retard", "Überfällig", "Scaduta", "Em atraso", "Past due"]
    ],
    ("invoices", "status", "Anulada", None),
    *[
        ("meter_readings", "energy_type", raw, "electricity")
        for raw in [
            "Electricidad",
            "Strom",
            "Électricité",
            "Energia elettrica",
            "Eletricidade",
            "Elec",
            "Luz",
        ]
    ],
    *[
        ("meter_readings", "energy_type", raw, "natural_gas")
        for raw in ["Gas natural", "Erdgas", "Gaz naturel", "Gas naturale", "Gás natural", "Gas"]
    ],
    ("meter_readings", "energy_type", "Agua", None),
    *[
        ("employees", "employment_type", raw, "full_time")
        for raw in [
            "Jornada completa",
            "Vollzeit",
            "Temps plein",
            "Tempo pieno",
            "Tempo integral",
            "FT",
            "Full time",
        ]
    ],
    *[
        ("employees", "employment_type", raw, "part_time")
        for raw in [
            "Media jornada",
            "Jornada parcial",
            "Teilzeit",
            "Temps partiel",
            "Part time",
            "PT",
        ]
    ],
    *[
        ("employees", "employment_type", raw, "contractor")
        for raw in ["Autónomo", "Freelance", "Freiberufler", "Prestataire", "Contractor (1099)"]
    ],
    *[
        ("employees", "employment_type", raw, "intern")
        for raw in ["Becario", "Prácticas", "Praktikant", "Stagiaire", "Stagista", "Estagiário"]
    ],
    *[
        ("customers", "country", raw, "ES")
        for raw in ["España", "Espagne", "Spanien", "Spagna", "Espanha", "ESP", "Spian"]
    ],
    *[
        ("customers", "country", raw, "DE")
        for raw in ["Alemania", "Allemagne", "Deutschland", "Germania", "Alemanha", "Germnay"]
    ],
    *[
        ("customers", "country", raw, "GB")
        for raw in ["Reino Unido", "Royaume-Uni", "Vereinigtes Königreich", "UK", "Great Britain"]
    ],
    *[
        ("customers", "country", raw, "US")
        for raw in ["Estados Unidos", "EE.UU.", "USA", "Vereinigte Staaten", "États-Unis"]
    ],
    ("customers", "country", "Atlantis", None),
    ("logistics_requests", "vehicle_type", "Camión articulado", None),
    ("logistics_requests", "vehicle_type", "Camión articulado > 33 t", "articulated_truck_gt_33t"),
    ("logistics_requests", "vehicle_type", "Sattelzug > 33 t", "articulated_truck_gt_33t"),
    ("logistics_requests", "vehicle_type", "Fourgonnette", "van_lt_3_5t"),
    ("logistics_requests", "vehicle_type", "Furgone", "van_lt_3_5t"),
    ("logistics_requests", "vehicle_type", "Voiture", "car"),
    ("logistics_requests", "vehicle_type", "PKW", "car"),
]

HELD_OUT: list[ValueCase] = [
    *[
        ("expenses", "category", raw, "travel")
        for raw in ["Viajes", "Reisekosten", "Voyage", "Viaggi", "Viagens", "Travel expenses"]
    ],
    *[
        ("expenses", "category", raw, "meals")
        for raw in ["Comidas", "Restauration", "Bewirtung", "Pasti", "Refeições", "Meal"]
    ],
    *[
        ("expenses", "category", raw, "lodging")
        for raw in ["Alojamiento", "Hébergement", "Übernachtung", "Alloggio", "Alojamento", "Hotel"]
    ],
    *[
        ("expenses", "category", raw, "fuel")
        for raw in [
            "Combustible",
            "Carburant",
            "Kraftstoff",
            "Carburante",
            "Combustível",
            "Gasolina",
        ]
    ],
    *[
        ("expenses", "category", raw, "office")
        for raw in [
            "Material de oficina",
            "Fournitures de bureau",
            "Büromaterial",
            "Cancelleria",
            "Office",
        ]
    ],
    ("expenses", "category", "Formación", None),
    *[
        ("expenses", "payment_method", raw, "card")
        for raw in [
            "Tarjeta",
            "Tarjeta de empresa",
            "Carte",
            "Firmenkarte",
            "Carta aziendale",
            "Cartão",
            "Credit card",
        ]
    ],
    *[
        ("expenses", "payment_method", raw, "cash")
        for raw in ["Efectivo", "Espèces", "Bar", "Contanti", "Dinheiro", "Cash"]
    ],
    *[
        ("expenses", "payment_method", raw, "transfer")
        for raw in ["Transferencia", "Virement", "Überweisung", "Bonifico", "Transferência", "Wire"]
    ],
    *[
        ("shipments", "origin_country", raw, "FR")
        for raw in ["Francia", "Frankreich", "França", "FRA", "Frnace"]
    ],
    *[
        ("shipments", "origin_country", raw, "IT")
        for raw in ["Italia", "Italien", "Italie", "Itália", "ITA"]
    ],
    *[
        ("shipments", "origin_country", raw, "PT")
        for raw in ["Portugal", "Portogallo", "PRT", "Portgual"]
    ],
    ("shipments", "origin_country", "Narnia", None),
    *[("bank_transactions", "currency", raw, "EUR") for raw in ["€", "Euro", "euros", "eur"]],
    *[("bank_transactions", "currency", raw, "USD") for raw in ["$", "US Dollar", "Dólar", "usd"]],
    *[
        ("bank_transactions", "currency", raw, "GBP")
        for raw in ["£", "Pound sterling", "Pfund", "Libra"]
    ],
]
