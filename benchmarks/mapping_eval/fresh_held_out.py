"""A second held-out set, written and committed before any tuning of the suggester on this
branch: two domains not in the rest of the evaluation (clinic appointments, property listings)
in five languages. Never tuned on; ``run.py`` prints only its aggregate figures.

Modelled on the column names of real exports, as remembered from their export screens and
help pages (not copied from a file): Doctoralia and Doctolib (ES/FR booking platforms),
Cliniko (practice management, EN), German practice software appointment lists (Termine),
Idealista (ES), an MLS/Zillow-style listing export (EN), Imovirtual (PT), Immobiliare.it (IT)
and ImmoScout24 (DE). Same format as ``header_sets.py``.
"""

from __future__ import annotations

from benchmarks.mapping_eval.header_sets import HeaderSet
from benchmarks.mapping_eval.value_cases import ValueCase

APPOINTMENTS: list[HeaderSet] = [
    (
        "Doctoralia citas (ES)",
        "appointments",
        "es",
        [
            ("ID cita", "appointment_id"),
            ("Fecha de la cita", "appointment_date"),
            ("Hora", "~clock_time"),
            ("Paciente", "patient_name"),
            ("Correo electrónico", "patient_email"),
            ("Teléfono móvil", "patient_phone"),
            ("Especialista", "practitioner"),
            ("Duración (min)", "duration_minutes"),
            ("Estado", "visit_status"),
            ("Importe", "fee"),
            ("Fecha de reserva", "booked_on"),
            ("Centro", "~site"),
        ],
    ),
    (
        "Cliniko appointments export (EN)",
        "appointments",
        "en",
        [
            ("ID", "appointment_id"),
            ("Appointment Start", "appointment_date"),
            ("Patient Name", "patient_name"),
            ("Patient Email", "patient_email"),
            ("Patient Mobile", "patient_phone"),
            ("Practitioner Name", "practitioner"),
            ("Appointment Type", "~text"),
            ("Duration", "duration_minutes"),
            ("Attendance", "visit_status"),
            ("Invoice Total", "fee"),
            ("Created At", "booked_on"),
            ("Business", "~site"),
        ],
    ),
    (
        "Doctolib rendez-vous (FR)",
        "appointments",
        "fr",
        [
            ("N° RDV", "appointment_id"),
            ("Date du rendez-vous", "appointment_date"),
            ("Nom du patient", "patient_name"),
            ("E-mail du patient", "patient_email"),
            ("Portable", "patient_phone"),
            ("Praticien", "practitioner"),
            ("Durée", "duration_minutes"),
            ("Statut", "visit_status"),
            ("Honoraires", "fee"),
            ("Pris le", "booked_on"),
            ("Motif", "~text"),
        ],
    ),
    (
        "Praxissoftware Terminliste (DE)",
        "appointments",
        "de",
        [
            ("Termin-Nr.", "appointment_id"),
            ("Termindatum", "appointment_date"),
            ("Patient", "patient_name"),
            ("E-Mail", "patient_email"),
            ("Telefon", "patient_phone"),
            ("Behandler", "practitioner"),
            ("Dauer (Min.)", "duration_minutes"),
            ("Status", "visit_status"),
            ("Honorar", "fee"),
            ("Gebucht am", "booked_on"),
            ("Versicherung", "~text"),
            ("Geburtsdatum", "~date_long_ago"),
        ],
    ),
]

LISTINGS: list[HeaderSet] = [
    (
        "Idealista inmuebles (ES)",
        "property_listings",
        "es",
        [
            ("Referencia", "listing_ref"),
            ("Fecha de publicación", "listed_on"),
            ("Tipología", "property_type"),
            ("Operación", "operation"),
            ("Precio", "asking_price"),
            ("Superficie construida (m²)", "floor_area_m2"),
            ("Habitaciones", "bedrooms"),
            ("Baños", "bathrooms"),
            ("Municipio", "property_city"),
            ("Código postal", "property_postcode"),
            ("Email del agente", "agent_email"),
            ("Planta", "~code"),
        ],
    ),
    (
        "MLS listing export (EN)",
        "property_listings",
        "en",
        [
            ("MLS #", "listing_ref"),
            ("List Date", "listed_on"),
            ("Property Type", "property_type"),
            ("Transaction Type", "operation"),
            ("List Price", "asking_price"),
            ("Living Area", "floor_area_m2"),
            ("Beds", "bedrooms"),
            ("Baths", "bathrooms"),
            ("City", "property_city"),
            ("Zip", "property_postcode"),
            ("Listing Agent Email", "agent_email"),
            ("HOA Fee", "~amount"),
        ],
    ),
    (
        "Imovirtual anúncios (PT)",
        "property_listings",
        "pt",
        [
            ("Ref. do anúncio", "listing_ref"),
            ("Data de publicação", "listed_on"),
            ("Tipo de imóvel", "property_type"),
            ("Negócio", "operation"),
            ("Preço (€)", "asking_price"),
            ("Área útil (m²)", "floor_area_m2"),
            ("Quartos", "bedrooms"),
            ("Casas de banho", "bathrooms"),
            ("Concelho", "property_city"),
            ("Código postal", "property_postcode"),
            ("Email do consultor", "agent_email"),
        ],
    ),
    (
        "Immobiliare.it annunci (IT)",
        "property_listings",
        "it",
        [
            ("Codice annuncio", "listing_ref"),
            ("Data inserimento", "listed_on"),
            ("Tipologia", "property_type"),
            ("Contratto", "operation"),
            ("Prezzo", "asking_price"),
            ("Superficie (mq)", "floor_area_m2"),
            ("Camere da letto", "bedrooms"),
            ("Bagni", "bathrooms"),
            ("Comune", "property_city"),
            ("CAP", "property_postcode"),
            ("Email agente", "agent_email"),
            ("Classe energetica", "~code"),
        ],
    ),
    (
        "ImmoScout24 Objektliste (DE)",
        "property_listings",
        "de",
        [
            ("Objekt-Nr.", "listing_ref"),
            ("Online seit", "listed_on"),
            ("Objektart", "property_type"),
            ("Vermarktungsart", "operation"),
            ("Kaufpreis", "asking_price"),
            ("Wohnfläche (m²)", "floor_area_m2"),
            ("Schlafzimmer", "bedrooms"),
            ("Badezimmer", "bathrooms"),
            ("Ort", "property_city"),
            ("PLZ", "property_postcode"),
            ("E-Mail Ansprechpartner", "agent_email"),
            ("Zimmer", "~small_int"),
        ],
    ),
]

HEADER_SETS: list[HeaderSet] = APPOINTMENTS + LISTINGS

VALUES: list[ValueCase] = [
    *[
        ("appointments", "visit_status", raw, "cancelled")
        for raw in ["Anulada", "Cancelada", "Annulé", "Abgesagt", "Storniert", "Annullato"]
    ],
    *[
        ("appointments", "visit_status", raw, "no_show")
        for raw in ["No se presentó", "Non présenté", "Nicht erschienen", "Did not attend", "DNA"]
    ],
    *[
        ("appointments", "visit_status", raw, "attended")
        for raw in ["Atendida", "Realizada", "Honoré", "Erschienen", "Arrived"]
    ],
    *[
        ("appointments", "visit_status", raw, "booked")
        for raw in ["Reservada", "Confirmada", "Réservé", "Gebucht", "Prenotato", "Marcada"]
    ],
    *[
        ("property_listings", "property_type", raw, "flat")
        for raw in ["Piso", "Apartamento", "Appartement", "Wohnung", "Appartamento", "Apartment"]
    ],
    *[
        ("property_listings", "property_type", raw, "house")
        for raw in ["Casa", "Chalet", "Maison", "Einfamilienhaus", "Moradia", "Villetta"]
    ],
    *[
        ("property_listings", "property_type", raw, "office")
        for raw in ["Oficina", "Bureau", "Büro", "Ufficio", "Escritório"]
    ],
    *[
        ("property_listings", "property_type", raw, "land")
        for raw in ["Terreno", "Terrain", "Grundstück", "Solar", "Lot"]
    ],
    *[
        ("property_listings", "operation", raw, "sale")
        for raw in ["Venta", "Vente", "Kauf", "Vendita", "Venda", "For sale"]
    ],
    *[
        ("property_listings", "operation", raw, "rent")
        for raw in ["Alquiler", "Location", "Miete", "Affitto", "Arrendamento", "To let"]
    ],
    ("property_listings", "property_type", "Garaje", None),
]
